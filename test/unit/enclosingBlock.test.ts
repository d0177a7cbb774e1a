// The enclosing function found from the text when no language server supplies symbols.
import * as assert from 'assert';
import { enclosingBlock } from '../../src/core/enclosingBlock';

/** `|` marks the cursor's line; `>` and `<` the expected first and last lines (the marks are removed). */
function check(name: string, marked: string): void {
  const raw = marked.split('\n');
  const cursor = raw.findIndex(l => l.startsWith('|'));
  const start = raw.findIndex(l => l.startsWith('>'));
  const end = raw.findIndex(l => l.startsWith('<'));
  const lines = raw.map(l => (/^[|><]/.test(l) ? l.slice(1) : l));
  const got = enclosingBlock(lines, cursor);
  assert.deepStrictEqual(got, start < 0 ? undefined : { start, end }, `${name}: ${JSON.stringify(got)}`);
}

suite('core/enclosingBlock', () => {
  test('brace languages: the function around the line, not the if or loop inside it', () => {
    check('typescript', [
      'import { x } from "y";',
      '>export function average(values: number[]): number {',
      '  let sum = 0;',
      '  for (let i = 0; i <= values.length; i++) {',
      '|    sum += values[i];',
      '  }',
      '<}',
      'const z = 1;',
    ].join('\n'));
    check('arrow function', ['>const add = (a: number, b: number): number => {', '|  return a + b;', '<};'].join('\n'));
    check('java method in a class', [
      'public class Calc {',
      '>  public int add(int a, int b) {',
      '    if (a > 0) {',
      '|      return a + b;',
      '    }',
      '    return b;',
      '<  }',
      '}',
    ].join('\n'));
    check('go', ['package main', '>func (s *Server) Handle(w http.ResponseWriter, r *http.Request) {', '|\tw.Write(nil)', '<}'].join('\n'));
    check('rust', ['>pub fn parse(input: &str) -> Result<u32, Error> {', '    let n = input', '|        .trim();', '    Ok(n)', '<}'].join('\n'));
    check('c with the brace on its own line', ['>static int main(void)', '{', '|  return 0;', '<}'].join('\n'));
    check('kotlin', ['>fun greet(name: String): String {', '|    return "Hi $name"', '<}'].join('\n'));
  });

  test('indentation languages: the def and the lines under it', () => {
    check('python', [
      'import os',
      '',
      '>def load(path):',
      '    if not os.path.exists(path):',
      '        return None',
      '',
      '|    with open(path) as f:',
      '<        return f.read()',
      '',
      'print(load("x"))',
    ].join('\n'));
    check('python method', ['class A:', '>    def run(self):', '|        return 1', '<        # done', 'x = A()'].join('\n'));
  });

  test('no enclosing function: undefined, so the caller takes the line', () => {
    check('top level', ['const a = 1;', '|const b = 2;', 'const c = 3;'].join('\n'));
    check('unclosed', ['function broken() {', '|  return 1;'].join('\n'));
  });
});
