// The apply engine (src/core/apply) against answers shaped like real ones: every accepted
// answer must give exactly the expected document through one edit that leaves the rest untouched;
// every refused one must say why.
import * as assert from 'assert';
import { applyReply, EDIT_FORMAT_INSTRUCTIONS, type ApplyInput, type ApplyResult } from '../../src/core/apply';
import { diffHunks, fencedBlocks, searchReplaceBlocks } from '../../src/core/apply/parse';
import { detectIndentStyle } from '../../src/core/apply/indent';
import { mergeEdits } from '../../src/core/apply/plan';
import { similarity } from '../../src/core/apply/similarity';
import { labelLine, sameFile } from '../../src/core/apply/fileLabel';
import { withoutReasoning } from '../../src/core/apply/reasoning';
import { stripLineNumbers } from '../../src/core/apply/lineNumbers';
import { cutOffSign } from '../../src/core/apply/cutoff';
import { declaredName } from '../../src/core/apply/enclosing';
import { CORPUS, L, SHAPES, type Case } from './applyEditCorpus';
const { prng } = require('../harness/prng.js') as { prng(seed: number): () => number };

const F = '```';

/** The document without its markers, and the selection they marked (no marker: a cursor at 0). */
function prepare(raw: string, crlf = false): { text: string; start: number; end: number } {
  let text = crlf ? raw.replace(/\n/g, '\r\n') : raw;
  const cursor = text.indexOf('‸');
  if (cursor >= 0) return { text: text.slice(0, cursor) + text.slice(cursor + 1), start: cursor, end: cursor };
  const a = text.indexOf('«');
  const b = text.indexOf('»');
  if (a < 0 || b < 0) return { text, start: 0, end: 0 };
  text = text.slice(0, a) + text.slice(a + 1, b) + text.slice(b + 1);
  return { text, start: a, end: b - 1 };
}

/** What every accepted answer must satisfy, whatever the expected text. */
function assertSound(input: ApplyInput, r: ApplyResult): asserts r is Extract<ApplyResult, { ok: true }> {
  assert.ok(r.ok, r.ok ? '' : `refused: ${r.reason}`);
  const doc = input.documentText;
  const { start, end, text } = r.edit;
  assert.ok(Number.isInteger(start) && Number.isInteger(end) && 0 <= start && start <= end && end <= doc.length, `edit range ${start}-${end}`);
  assert.strictEqual(doc.slice(0, start) + text + doc.slice(end), r.newText, 'slice identity');
  assert.strictEqual(r.newText.slice(0, start), doc.slice(0, start), 'text before the edit unchanged');
  assert.strictEqual(r.newText.slice(r.newText.length - (doc.length - end)), doc.slice(end), 'text after the edit unchanged');
  if (doc.includes('\r\n')) assert.ok(!/(^|[^\r])\n/.test(r.newText), 'a CRLF document gets no lone \\n');
}

function run(c: Case): { input: ApplyInput; result: ApplyResult } {
  const { text, start, end } = prepare(c.doc, c.crlf);
  const input: ApplyInput = { documentText: text, selection: { start, end }, reply: c.reply, languageId: c.lang, path: c.path, finishReason: c.finishReason };
  return { input, result: applyReply(input) };
}

/** Throws (an assertion error saying what differs) unless the engine does what the case expects. */
function verify(c: Case): void {
  const { input, result } = run(c);
  if (c.expect !== undefined) {
    assertSound(input, result);
    const expected = c.crlf ? c.expect.replace(/\n/g, '\r\n') : c.expect;
    assert.strictEqual(result.newText, expected);
    if (c.method) assert.strictEqual(result.method, c.method);
    if (c.note) {
      const note = c.note;
      assert.ok(result.notes.some(n => note.test(n)), `notes: ${JSON.stringify(result.notes)}`);
    }
  } else {
    assert.ok(c.refuse, 'a case expects a document or a refusal');
    assert.ok(!result.ok, `applied, but should refuse: ${result.ok ? JSON.stringify(result.newText) : ''}`);
    assert.match(result.reason, c.refuse);
    if (c.code) assert.match(result.code ?? '', c.code);
    if (c.kind) assert.strictEqual(result.kind, c.kind, result.reason);
    if (c.file !== undefined) assert.strictEqual(result.kind === 'other-file' ? result.file : undefined, c.file);
  }
}

function passes(c: Case): boolean {
  try {
    verify(c);
    return true;
  } catch {
    return false;
  }
}

suite('core/applyEdit: corpus of real-world answers', () => {
  test('the corpus is large enough to mean something', () => {
    assert.ok(CORPUS.length >= 150, `${CORPUS.length} cases`);
    assert.strictEqual(new Set(CORPUS.map(c => c.name)).size, CORPUS.length, 'case names are unique');
    assert.ok(new Set(CORPUS.map(c => c.lang)).size >= 8, 'documents in at least eight languages');
    for (const shape of SHAPES) assert.ok(CORPUS.filter(c => c.shape === shape).length >= 3, `at least three ${shape} cases`);
  });

  for (const c of CORPUS) {
    test(c.name, () => verify(c));
  }

  test('score by shape; the format Tandem asks for stays at 100%', () => {
    const by = SHAPES.map(shape => {
      const cases = CORPUS.filter(c => c.shape === shape);
      return { shape, total: cases.length, passed: cases.filter(passes).length };
    });
    const passed = by.reduce((n, s) => n + s.passed, 0);
    // Printed so the test output shows where the engine stands on each shape, not only pass or fail.
    console.log(`apply engine: ${passed}/${CORPUS.length} by shape (${by.map(s => `${s.shape} ${s.passed}/${s.total}`).join(', ')})`);
    const own = by.find(s => s.shape === 'tandem');
    assert.ok(own && own.total > 0 && own.passed === own.total, `tandem: ${own?.passed}/${own?.total}`);
  });
});

suite('core/applyEdit: edges', () => {
  const apply = (doc: string, reply: string, languageId = 'typescript', crlf = false): { input: ApplyInput; result: ApplyResult } => {
    const { text, start, end } = prepare(doc, crlf);
    const input = { documentText: text, selection: { start, end }, reply, languageId };
    return { input, result: applyReply(input) };
  };

  test('an empty answer is refused', () => {
    const { result } = apply('«a»', '   \n');
    assert.ok(!result.ok);
    assert.match(result.reason, /empty/);
  });

  test('a selection outside the document is refused, not clamped', () => {
    const r = applyReply({ documentText: 'abc', selection: { start: 2, end: 9 }, reply: `${F}\nx\n${F}`, languageId: 'plaintext' });
    assert.ok(!r.ok);
    assert.match(r.reason, /selection/);
  });

  test('an empty document and a cursor: the block becomes the document', () => {
    const { input, result } = apply('‸', `${F}ts\nexport {};\n${F}`);
    assertSound(input, result);
    assert.strictEqual(result.newText, 'export {};');
    assert.deepStrictEqual(result.edit, { start: 0, end: 0, text: 'export {};' });
  });

  test('the edit of a whole-file answer is only the span that differs', () => {
    const body = Array.from({ length: 30 }, (_, i) => `export const v${i} = ${i};`);
    const doc = L(...body.slice(0, 10), `«${body[10]}»`, ...body.slice(11), '');
    const changed = [...body];
    changed[10] = 'export const v10 = 100;';
    const { input, result } = apply(doc, `Full file:\n\n${F}ts\n${changed.join('\n')}\n${F}\n`);
    assertSound(input, result);
    assert.strictEqual(result.method, 'whole-file');
    assert.ok(result.edit.end - result.edit.start <= 3 && result.edit.text.length <= 4, JSON.stringify(result.edit));
  });

  test('a whole-file answer for a CRLF document with emoji never cuts a pair apart', () => {
    const lines = ['// 😀', 'const a = "😀";', 'const b = 2;', 'const c = 3;', 'const d = 4;'];
    const doc = L(lines[0], `«${lines[1]}»`, ...lines.slice(2), '');
    const reply = `${F}ts\n${['// 😀', 'const a = "😁";', ...lines.slice(2)].join('\n')}\n${F}`;
    const { input, result } = apply(doc, reply, 'typescript', true);
    assertSound(input, result);
    assert.strictEqual(result.newText, L('// 😀', 'const a = "😁";', ...lines.slice(2), '').replace(/\n/g, '\r\n'));
    const cut = (s: string, i: number): boolean => /[\uD800-\uDBFF]/.test(s[i - 1] ?? '') && /[\uDC00-\uDFFF]/.test(s[i] ?? '');
    assert.ok(!cut(input.documentText, result.edit.start) && !cut(input.documentText, result.edit.end));
  });

  test('SEARCH/REPLACE is preferred over a code block in the same answer', () => {
    const doc = L('«let a = 1;»', 'let b = 2;', '');
    const reply = L(F + 'ts', 'let a = 10;', F, '', '<<<<<<< SEARCH', 'let b = 2;', '=======', 'let b = 20;', '>>>>>>> REPLACE');
    const { input, result } = apply(doc, reply);
    assertSound(input, result);
    assert.strictEqual(result.method, 'search-replace');
    assert.strictEqual(result.newText, L('let a = 1;', 'let b = 20;', ''));
  });

  test('an unfenced diff answer', () => {
    const doc = L('a = 1', 'b = 2', '');
    const { input, result } = apply(doc, L('--- a/x.py', '+++ b/x.py', '@@ -1,2 +1,2 @@', ' a = 1', '-b = 2', '+b = 3'), 'python');
    assertSound(input, result);
    assert.strictEqual(result.newText, L('a = 1', 'b = 3', ''));
  });

  test('a diff in a diff document is the code, not a patch to apply', () => {
    const doc = L('«-old»', '');
    const { input, result } = apply(doc, L(F + 'diff', '-old', '+new', F), 'diff');
    assertSound(input, result);
    assert.strictEqual(result.newText, L('-old', '+new', ''));
    assert.strictEqual(result.method, 'replace-selection');
  });

  test('overlapping SEARCH/REPLACE blocks are refused', () => {
    const doc = L('a();', 'b();', 'c();', '');
    const reply = L('<<<<<<< SEARCH', 'a();', 'b();', '=======', 'x();', '>>>>>>> REPLACE', '<<<<<<< SEARCH', 'b();', 'c();', '=======', 'y();', '>>>>>>> REPLACE');
    const { result } = apply(doc, reply, 'javascript');
    assert.ok(!result.ok);
    assert.match(result.reason, /Could not find the code to change: the SEARCH text starting "b\(\);"/);
  });

  test('merging edits: one span with the text between kept, overlaps rejected', () => {
    const text = '0123456789';
    assert.deepStrictEqual(mergeEdits(text, [{ start: 6, end: 8, text: 'X' }, { start: 1, end: 2, text: 'Y' }]), { ok: true, edit: { start: 1, end: 8, text: 'Y2345X' } });
    const overlap = mergeEdits(text, [{ start: 1, end: 5, text: 'a' }, { start: 4, end: 6, text: 'b' }]);
    assert.ok(!overlap.ok);
    assert.match(overlap.reason, /overlap/);
  });

  test('a dropped line inside the SEARCH text is still found approximately', () => {
    const doc = L('function f() {', '  const a = 1;', '  const b = 2;', '  const c = 3;', '  const d = 4;', '  const e = 5;', '  const g = 6;', '  return a + b + c + d + e + g;', '}', '');
    const search = ['function f() {', '  const a = 1;', '  const b = 2;', '  const c = 3;', '  const e = 5;', '  const g = 6;', '  return a + b + c + d + e + g;', '}'];
    const replace = [...search.slice(0, -2), '  return a + b + c + e + g;', '}'];
    const reply = L('<<<<<<< SEARCH', ...search, '=======', ...replace, '>>>>>>> REPLACE');
    const { input, result } = apply(doc, reply, 'javascript');
    assertSound(input, result);
    assert.strictEqual(result.newText, L('function f() {', '  const a = 1;', '  const b = 2;', '  const c = 3;', '  const e = 5;', '  const g = 6;', '  return a + b + c + e + g;', '}', ''));
  });

  test('SEARCH text that only resembles the document below the threshold is not applied', () => {
    const doc = L('function f() {', '  alpha();', '  beta();', '  gamma();', '}', '');
    const reply = L('<<<<<<< SEARCH', 'function f() {', '  one();', '  two();', '  three();', '}', '=======', 'function f() {}', '>>>>>>> REPLACE');
    const { result } = apply(doc, reply, 'javascript');
    assert.ok(!result.ok);
    assert.match(result.reason, /Could not find/);
  });

  test('without a path, file labels are not compared: the block applies', () => {
    const r = applyReply({ documentText: 'a = 1\n', selection: { start: 0, end: 5 }, reply: L('other/file.py', F + 'python', 'a = 2', F), languageId: 'python' });
    assert.ok(r.ok, r.ok ? '' : r.reason);
    assert.strictEqual(r.newText, 'a = 2\n');
  });

  test('a refusal says its kind: refused, cut-off or other-file with the file', () => {
    const base = { documentText: 'a = 1\n', selection: { start: 0, end: 5 }, languageId: 'python', path: 'x.py' };
    const cut = applyReply({ ...base, reply: L(F + 'python', 'a = 2', F), finishReason: 'length' });
    assert.ok(!cut.ok && cut.kind === 'cut-off');
    const other = applyReply({ ...base, reply: L('y.py', F + 'python', 'a = 2', F) });
    assert.ok(!other.ok && other.kind === 'other-file' && other.file === 'y.py', JSON.stringify(other));
    const none = applyReply({ ...base, reply: 'No code.' });
    assert.ok(!none.ok && none.kind === 'refused');
  });

  test('a cursor inside a line inserts at the cursor without touching the rest', () => {
    const { input, result } = apply('const xs = [1, 2‸];\n', `${F}ts\n, 3\n${F}`);
    assertSound(input, result);
    assert.strictEqual(result.newText, 'const xs = [1, 2, 3];\n');
  });
});

suite('core/applyEdit: parsing', () => {
  test('fences: tags, ~~~, longer fences, an unclosed last fence', () => {
    const blocks = fencedBlocks(L('text', '````ts title="a.ts"', 'a', F, 'b', '````', '~~~', 'c', '~~~', F + 'python:src/x.py', 'd'));
    assert.deepStrictEqual(
      blocks.map(b => [b.lang, b.content, b.closed]),
      [['ts', L('a', F, 'b'), true], ['', 'c', true], ['python', 'd', false]],
    );
  });

  test('SEARCH/REPLACE markers of other lengths and names', () => {
    const p = searchReplaceBlocks(L('<<<<<<<< SEARCH', 'a', '========', 'b', '>>>>>>>> REPLACE', '<<<<<<< ORIGINAL', 'c', '=======', 'd', '>>>>>>> UPDATED'));
    assert.strictEqual(p.incomplete, false);
    assert.deepStrictEqual(p.blocks.map(b => [b.search, b.replace]), [[['a'], ['b']], [['c'], ['d']]]);
  });

  test('diff: a removed `-- comment` line is not a file header', () => {
    const hunks = diffHunks(L('@@ -1,2 +1,1 @@', '--- drop this SQL comment', ' SELECT 1;'));
    assert.deepStrictEqual(hunks.map(h => [h.before, h.after, h.oldStart]), [[['-- drop this SQL comment', 'SELECT 1;'], ['SELECT 1;'], 1]]);
  });

  test('indentation style detection', () => {
    assert.deepStrictEqual(detectIndentStyle(['a', '\tb', '\t\tc']), { kind: 'tabs' });
    assert.deepStrictEqual(detectIndentStyle(['a', '  b', '    c', '  d']), { kind: 'spaces', unit: 2 });
    assert.deepStrictEqual(detectIndentStyle(['/**', ' * doc', ' */', 'a', '    b']), { kind: 'spaces', unit: 4 });
    assert.deepStrictEqual(detectIndentStyle(['a', 'b']), { kind: 'unknown' });
  });

  test('banded similarity agrees with the plain edit distance', () => {
    assert.strictEqual(similarity('kitten', 'sitting', 0.5), 1 - 3 / 7);
    assert.strictEqual(similarity('kitten', 'sitting', 0.7), 0);
    assert.strictEqual(similarity('abc', 'abc', 0.99), 1);
    assert.strictEqual(similarity('', 'abc', 0.1), 0);
  });

  test('SEARCH/REPLACE dialects: Cline markers, Roo header with its line hint, a doubled divider', () => {
    const cline = searchReplaceBlocks(L('------- SEARCH', 'a', '=======', 'b', '+++++++ REPLACE'));
    assert.deepStrictEqual(cline.blocks.map(b => [b.search, b.replace, b.hintLine]), [[['a'], ['b'], undefined]]);
    const roo = searchReplaceBlocks(L('<<<<<<< SEARCH', ':start_line:7', ':end_line:7', '-------', 'a', '=======', 'b', '>>>>>>> REPLACE'));
    assert.deepStrictEqual(roo.blocks.map(b => [b.search, b.replace, b.hintLine]), [[['a'], ['b'], 6]]);
    assert.strictEqual(searchReplaceBlocks(L('<<<<<<< SEARCH', 'a', '=======', 'b', '=======', 'c', '>>>>>>> REPLACE')).problem?.kind, 'malformed');
    assert.strictEqual(searchReplaceBlocks(L('<<<<<<< SEARCH', 'a', '=======', 'b')).problem?.kind, 'cut-off');
  });

  test('file labels: paths before a fence, in the info string, in a first-line comment; not prose or technologies', () => {
    assert.strictEqual(labelLine('**src/app.ts**'), 'src/app.ts');
    assert.strictEqual(labelLine('`lib/util.py`:'), 'lib/util.py');
    assert.strictEqual(labelLine('### File: main.go'), 'main.go');
    for (const prose of ['Node.js', '**Vue.js**', 'Here is the fix in src/app.ts:', 'e.g.', 'https://example.com/a.js']) assert.strictEqual(labelLine(prose), undefined, prose);
    const blocks = fencedBlocks(L('src/a.ts', F + 'ts', 'x', F, F + 'python:pkg/b.py', 'y', F, F + 'js', '// filepath: c.js', 'z', F, F + 'vb.net', 'w', F));
    assert.deepStrictEqual(blocks.map(b => b.file), ['src/a.ts', 'pkg/b.py', 'c.js', undefined]);
    assert.ok(sameFile('handlers/user.go', 'services/api/handlers/user.go'));
    assert.ok(sameFile('./web/index.php', 'web/index.php'));
    assert.ok(!sameFile('user.go', 'services/api/handlers/superuser.go'));
  });

  test('reasoning sections are removed, fences in the answer are not', () => {
    assert.strictEqual(withoutReasoning(L('<think>', 'a', '</think>', 'b')), 'b');
    assert.strictEqual(withoutReasoning(L('<thinking>x</thinking>after', 'b')), L('after', 'b'));
    assert.strictEqual(withoutReasoning(L('<reasoning>', 'never closed', F)), '');
    const kept = L(F + 'xml', '<think>', F);
    assert.strictEqual(withoutReasoning(kept), kept);
  });

  test('line numbers: stripped only when every line has one, counting up, and the lines are not the file\'s own', () => {
    const none = (): boolean => false;
    assert.deepStrictEqual(stripLineNumbers(['3 | a', '4 |', '5 |   b'], none, 10), { lines: ['a', '', '  b'], stripped: true });
    assert.strictEqual(stripLineNumbers(['3 | a', '5 | b'], none, 10).stripped, false);
    assert.strictEqual(stripLineNumbers(['3 | a', 'b'], none, 10).stripped, false);
    assert.strictEqual(stripLineNumbers(['300: a', '301: b'], none, 10).stripped, false);
    assert.strictEqual(stripLineNumbers(['1: a', '2: b'], () => true, 10).stripped, false);
    assert.strictEqual(stripLineNumbers(['4 | a'], none, 10).stripped, false);
    assert.strictEqual(stripLineNumbers(['4 | a'], none, 10, 4).stripped, true);
  });

  test('cut-off signs of an unclosed block, relative to the selected code', () => {
    assert.match(cutOffSign('if (a) {\n  b();', '', '') ?? '', /brackets/);
    assert.strictEqual(cutOffSign('foo(', 'bar(', ''), undefined);
    assert.match(cutOffSign('x = [1,', 'x = []', '') ?? '', /./);
    assert.match(cutOffSign('const total = comp', '', 'function compute() {}') ?? '', /middle of a word/);
    assert.strictEqual(cutOffSign('return x;', 'return y;', 'return y;'), undefined);
    assert.strictEqual(cutOffSign("it's done();", '', ''), undefined);
    assert.strictEqual(cutOffSign('Steps:', '', '', true), undefined);
  });

  test('declared names: functions, methods, classes; not calls or control flow', () => {
    assert.strictEqual(declaredName('export async function load(p: string) {'), 'load');
    assert.strictEqual(declaredName('    def pop(self):'), 'pop');
    assert.strictEqual(declaredName('func (s *S) Inc() {'), 'Inc');
    assert.strictEqual(declaredName('  const onClick = (e) => {'), 'onClick');
    assert.strictEqual(declaredName('  public int Size() {'), 'Size');
    assert.strictEqual(declaredName('  if (ready) {'), undefined);
    assert.strictEqual(declaredName('  load(p);'), undefined);
    assert.strictEqual(declaredName("test('adds', function () {"), undefined);
  });

  test('the format instructions name the fenced block and the SEARCH/REPLACE markers', () => {
    assert.match(EDIT_FORMAT_INSTRUCTIONS, /one fenced code block/);
    assert.match(EDIT_FORMAT_INSTRUCTIONS, /same indentation/);
    for (const marker of ['<<<<<<< SEARCH', '=======', '>>>>>>> REPLACE']) assert.ok(EDIT_FORMAT_INSTRUCTIONS.includes(`\n${marker}\n`) || EDIT_FORMAT_INSTRUCTIONS.endsWith(`\n${marker}`), marker);
  });
});

suite('core/applyEdit: property', () => {
  // A small vocabulary, so documents repeat lines the way real code does (`}`, `return x;`, blank lines).
  const WORDS = ['foo();', 'bar(x);', 'return y;', '}', 'if (a) {', 'let z = 1;', '', 'é = "你好";', 'emoji("😀");'];

  function randomDoc(next: () => number, tabs: boolean): string[] {
    const n = 1 + Math.floor(next() * 12);
    const lines: string[] = [];
    let level = 0;
    for (let i = 0; i < n; i++) {
      level = Math.max(0, Math.min(3, level + Math.floor(next() * 3) - 1));
      const w = WORDS[Math.floor(next() * WORDS.length)];
      lines.push(w === '' ? '' : (tabs ? '\t' : '  ').repeat(level) + w);
    }
    return lines;
  }

  for (const variant of ['spaces, block as selected', 'spaces, block dedented', 'tabs, block in 4 spaces', 'CRLF, block dedented'] as const) {
    test(`a fenced copy of the selection with one line changed changes exactly that line (${variant})`, () => {
      let runs = 0;
      for (let seed = 1; seed <= 400; seed++) {
        const next = prng(seed);
        const tabs = variant.startsWith('tabs');
        const eol = variant.startsWith('CRLF') ? '\r\n' : '\n';
        const lines = randomDoc(next, tabs);
        const finalNewline = next() < 0.5;
        const text = lines.join(eol) + (finalNewline ? eol : '');
        const starts: number[] = [];
        let pos = 0;
        for (const l of lines) {
          starts.push(pos);
          pos += l.length + eol.length;
        }
        const i = Math.floor(next() * lines.length);
        const j = i + Math.floor(next() * (lines.length - i));
        const candidates = lines.map((_, k) => k).filter(k => k >= i && k <= j && lines[k].trim() !== '');
        if (candidates.length === 0) continue;
        const k = candidates[Math.floor(next() * candidates.length)];
        const indent = /^\s*/.exec(lines[k])?.[0] ?? '';
        const changedLine = `${indent}changed_${seed}();`;
        // The selection: whole lines, ending at the end of the last one or at the start of the next.
        const start = starts[i] + (next() < 0.3 ? indent.length : 0);
        const endOfJ = starts[j] + lines[j].length;
        const end = next() < 0.5 && j + 1 < lines.length ? starts[j + 1] : endOfJ;
        let block = lines.slice(i, j + 1).map((l, x) => (x + i === k ? changedLine : l));
        if (variant !== 'spaces, block as selected') {
          const nonBlank = block.filter(l => l.trim() !== '');
          const common = Math.min(...nonBlank.map(l => (/^\s*/.exec(l)?.[0] ?? '').length));
          block = block.map(l => l.slice(Math.min(common, l.length)));
        }
        if (tabs) block = block.map(l => l.replace(/^\t+/, t => '    '.repeat(t.length)));
        const reply = `Here is the fix:\n\n${F}ts\n${block.join('\n')}\n${F}\n\nI changed one line.`;
        const expected = lines.map((l, x) => (x === k ? changedLine : l)).join(eol) + (finalNewline ? eol : '');
        const input: ApplyInput = { documentText: text, selection: { start, end }, reply, languageId: 'typescript' };
        const r = applyReply(input);
        assertSound(input, r);
        assert.strictEqual(r.newText, expected, `seed ${seed}: ${JSON.stringify({ text, start, end, reply })}`);
        runs++;
      }
      assert.ok(runs > 300, `${runs} runs`);
    });
  }
});

suite('core/applyEdit: property, every reply shape', () => {
  /** A random document of distinct lines (so quoted context is unique), some blank, some indented. */
  interface Doc {
    readonly lines: string[];
    readonly eol: '\n' | '\r\n';
    readonly finalNewline: boolean;
    readonly unit: string;
  }

  function randomDoc(next: () => number, seed: number): Doc {
    const n = 7 + Math.floor(next() * 10);
    const unit = next() < 0.3 ? '\t' : next() < 0.5 ? '  ' : '    ';
    const lines: string[] = [];
    let level = 0;
    for (let k = 0; k < n; k++) {
      level = Math.max(0, Math.min(3, level + Math.floor(next() * 3) - 1));
      // Blank lines only where they never become the line next to a change (see pickRegion).
      lines.push(next() < 0.12 && k > 0 && k < n - 1 ? '' : `${unit.repeat(level)}step_${seed}_${k}('v${k}');`);
    }
    return { lines, eol: next() < 0.4 ? '\r\n' : '\n', finalNewline: next() < 0.6, unit };
  }

  function textOf(d: Doc, lines: readonly string[]): string {
    return lines.join(d.eol) + (d.finalNewline ? d.eol : '');
  }

  /** Lines [i, j] (inclusive, at least one with code, the lines around them not blank) and 1-3 new lines in their place. */
  function pickRegion(next: () => number, d: Doc, seed: number): { i: number; j: number; repl: string[] } | undefined {
    const n = d.lines.length;
    const i = 2 + Math.floor(next() * (n - 5));
    const j = Math.min(n - 3, i + Math.floor(next() * 3));
    if (d.lines[i - 1] === '' || d.lines[j + 1] === '' || d.lines[i] === '' || d.lines[j] === '') return undefined;
    // At the region's base indentation, as the strict format asks ("the same indentation as the selection").
    const indent = d.lines
      .slice(i, j + 1)
      .filter(l => l !== '')
      .map(l => /^\s*/.exec(l)?.[0] ?? '')
      .reduce((a, b) => (b.length < a.length ? b : a));
    const count = 1 + Math.floor(next() * 3);
    const repl = Array.from({ length: count }, (_, k) => `${indent}changed_${seed}_${k}('new ${k}');`);
    return { i, j, repl };
  }

  const sr = (search: readonly string[], replace: readonly string[]): string => L('<<<<<<< SEARCH', ...search, '=======', ...replace, '>>>>>>> REPLACE');
  const curly = (l: string): string => l.replace(/'([^']*)'/g, '‘$1’');

  /** Each shape renders the same edit as a model would write it; `selected` says whether the region is selected. */
  const SHAPE_RENDERERS: Record<string, { selected: boolean; render: (d: Doc, r: { i: number; j: number; repl: string[] }) => string }> = {
    'strict block': { selected: true, render: (_d, r) => `Fixed:\n\n${F}ts\n${r.repl.join('\n')}\n${F}\n` },
    'SEARCH/REPLACE (aider)': { selected: false, render: (d, r) => sr(d.lines.slice(r.i, r.j + 1), r.repl) },
    'SEARCH/REPLACE (Cline)': {
      selected: false,
      render: (d, r) => L('------- SEARCH', ...d.lines.slice(r.i, r.j + 1), '=======', ...r.repl, '+++++++ REPLACE'),
    },
    'SEARCH/REPLACE (Roo, numbered lines)': {
      selected: false,
      render: (d, r) =>
        L('<<<<<<< SEARCH', `:start_line:${r.i + 1}`, '-------', ...d.lines.slice(r.i, r.j + 1).map((l, k) => `${r.i + 1 + k} | ${l}`), '=======', ...r.repl, '>>>>>>> REPLACE'),
    },
    'unified diff': {
      selected: false,
      render: (d, r) =>
        L(
          F + 'diff',
          `@@ -${r.i},${r.j - r.i + 3} +${r.i},${r.repl.length + 2} @@`,
          ` ${d.lines[r.i - 1]}`,
          ...d.lines.slice(r.i, r.j + 1).map(l => `-${l}`),
          ...r.repl.map(l => `+${l}`),
          ` ${d.lines[r.j + 1]}`,
          F,
        ),
    },
    'elided block': {
      selected: false,
      render: (d, r) =>
        L(F + 'ts', d.lines[0], '// ... existing code ...', d.lines[r.i - 1], ...r.repl, d.lines[r.j + 1], '// ... existing code ...', d.lines[d.lines.length - 1], F),
    },
    'numbered block': { selected: true, render: (_d, r) => L(F + 'ts', ...r.repl.map((l, k) => `${r.i + 1 + k}: ${l}`), F) },
    'smart quotes in SEARCH': { selected: false, render: (d, r) => sr(d.lines.slice(r.i, r.j + 1).map(curly), r.repl.map(curly)) },
    'whole file restated': {
      selected: true,
      render: (d, r) => L('The whole file:', F + 'ts', ...d.lines.slice(0, r.i), ...r.repl, ...d.lines.slice(r.j + 1), F),
    },
    'block labelled with this file': { selected: true, render: (_d, r) => L('**src/x.ts**', F + 'ts', '// filepath: src/x.ts', ...r.repl, F) },
    'reasoning draft, then the block': {
      selected: true,
      render: (_d, r) => `<think>\nMaybe:\n${F}ts\ndraft();\n${F}\n</think>\n\n${F}ts\n${r.repl.join('\n')}\n${F}\n`,
    },
  };

  for (const [shape, { selected, render }] of Object.entries(SHAPE_RENDERERS)) {
    test(`a random one-region edit written as ${shape} gives exactly the edited document`, () => {
      let runs = 0;
      for (let seed = 1; seed <= 250; seed++) {
        const next = prng(seed * 7919);
        const d = randomDoc(next, seed);
        const r = pickRegion(next, d, seed);
        if (!r) continue;
        const text = textOf(d, d.lines);
        const starts: number[] = [];
        let pos = 0;
        for (const l of d.lines) {
          starts.push(pos);
          pos += l.length + d.eol.length;
        }
        const selection = selected ? { start: starts[r.i], end: starts[r.j] + d.lines[r.j].length } : { start: 0, end: 0 };
        const expected = textOf(d, [...d.lines.slice(0, r.i), ...r.repl, ...d.lines.slice(r.j + 1)]);
        const input: ApplyInput = { documentText: text, selection, reply: render(d, r), languageId: 'typescript', path: 'src/x.ts', finishReason: 'stop' };
        const result = applyReply(input);
        assertSound(input, result);
        assert.strictEqual(result.newText, expected, `seed ${seed}: ${JSON.stringify(input)}`);
        runs++;
      }
      assert.ok(runs >= 120, `${runs} runs`);
    });
  }
});

suite('core/applyEdit: property, placeholders in documents full of repeated lines', () => {
  // Real code repeats `}`, `return y;` and blank lines at several depths: an anchor is told apart by its
  // indentation and its neighbours, and where it cannot be, the block must be refused, never misplaced.
  const WORDS = ['foo();', 'bar(x);', 'return y;', '}', 'if (a) {', 'let z = 1;', '', 'baz(1);', 'qux();'];

  test('with anchors that are unique lines, the merge is exactly the edit', () => {
    let runs = 0;
    for (let seed = 1; seed <= 3000; seed++) {
      const next = prng(seed);
      const n = 6 + Math.floor(next() * 12);
      const lines: string[] = [];
      let level = 0;
      for (let k = 0; k < n; k++) {
        level = Math.max(0, Math.min(3, level + Math.floor(next() * 3) - 1));
        const w = WORDS[Math.floor(next() * WORDS.length)];
        lines.push(w === '' ? '' : '  '.repeat(level) + w);
      }
      const i = 1 + Math.floor(next() * (n - 3));
      const j = Math.min(n - 2, i + Math.floor(next() * 3));
      const before = lines[i - 1];
      const after = lines[j + 1];
      if (before.trim() === '' || after.trim() === '' || lines.filter(l => l === before).length > 1 || lines.filter(l => l === after).length > 1) continue;
      const indent = /^\s*/.exec(lines[i])?.[0] ?? '';
      const repl = Array.from({ length: 1 + Math.floor(next() * 2) }, (_, k) => `${indent}changed_${seed}_${k}();`);
      const block = [...(i > 1 ? ['// ... existing code ...'] : []), before, ...repl, after, ...(j + 2 < n ? ['// ... existing code ...'] : [])];
      const eol = next() < 0.3 ? '\r\n' : '\n';
      const input: ApplyInput = { documentText: lines.join(eol) + eol, selection: { start: 0, end: 0 }, reply: `${F}ts\n${block.join('\n')}\n${F}\n`, languageId: 'typescript' };
      const r = applyReply(input);
      assertSound(input, r);
      assert.strictEqual(r.newText, [...lines.slice(0, i), ...repl, ...lines.slice(j + 1)].join(eol) + eol, `seed ${seed}: ${JSON.stringify(input)}`);
      runs++;
    }
    assert.ok(runs >= 500, `${runs} runs`);
  });

  test('the anchor line twice in a row in the file: refused, since either copy could be meant', () => {
    const doc = L('function f() {', '  if (a) {', '  if (a) {', '    go();', '  }', '}', '');
    const r = applyReply({ documentText: doc, selection: { start: 0, end: 0 }, reply: L(F + 'ts', '// ... existing code ...', '  if (a) {', '    stop();', '  }', '// ... existing code ...', F), languageId: 'typescript' });
    assert.ok(!r.ok && /twice in a row/.test(r.reason), r.ok ? r.newText : r.reason);
  });
});

suite('core/applyEdit: performance', () => {
  test('a 100,000-line document with a SEARCH/REPLACE near the end', () => {
    const lines = Array.from({ length: 100_000 }, (_, i) => `export function f${i}(x: number): number { return x + ${i}; }`);
    const doc = `${lines.join('\n')}\n`;
    const reply = L(
      'Change the 99,990th function:',
      '',
      F + 'ts',
      '<<<<<<< SEARCH',
      lines[99_990],
      '=======',
      'export function f99990(x: number): number { return x * 2; }',
      '>>>>>>> REPLACE',
      F,
    );
    const t0 = Date.now();
    const r = applyReply({ documentText: doc, selection: { start: 0, end: 0 }, reply, languageId: 'typescript' });
    const ms = Date.now() - t0;
    assert.ok(r.ok, r.ok ? '' : r.reason);
    assert.ok(r.newText.includes('return x * 2;') && !r.newText.includes('return x + 99990;'));
    assert.ok(ms < 15_000, `${ms} ms`);
  });

  test('a 100,000-line document: a quote that needs the approximate search, and a fenced block near the end', () => {
    // Every third line is `{`, so the approximate search has 33,000 places to look at.
    const token = (i: number): string => (Math.imul(i + 1, 2654435761) >>> 0).toString(16).padStart(8, '0');
    const lines = Array.from({ length: 100_000 }, (_, i) => (i % 3 === 0 ? '{' : i % 3 === 1 ? `  step("${token(i)}");` : '}'));
    const doc = `${lines.join('\n')}\n`;
    const quoted = `step( "${token(99997)}" );`;
    const fuzzy = L('<<<<<<< SEARCH', '{', `  ${quoted}`, '}', '=======', '{', `  step("${token(99997)}", true);`, '}', '>>>>>>> REPLACE');
    let t0 = Date.now();
    const r = applyReply({ documentText: doc, selection: { start: 0, end: 0 }, reply: fuzzy, languageId: 'typescript' });
    assert.ok(r.ok, r.ok ? '' : r.reason);
    assert.ok(r.newText.includes(`step("${token(99997)}", true);`) && !r.newText.includes(quoted));
    assert.ok(Date.now() - t0 < 15_000, `${Date.now() - t0} ms`);
    const line = `  step("${token(99994)}");`;
    const at = doc.indexOf(line);
    t0 = Date.now();
    const r2 = applyReply({ documentText: doc, selection: { start: at, end: at + line.length }, reply: `${F}ts\nstep("${token(99994)}", false);\n${F}`, languageId: 'typescript' });
    assert.ok(r2.ok, r2.ok ? '' : r2.reason);
    assert.strictEqual(r2.newText, doc.replace(line, `  step("${token(99994)}", false);`));
    assert.ok(Date.now() - t0 < 15_000, `${Date.now() - t0} ms`);
  });
  test('a 100,000-line document: the new reply shapes stay linear', () => {
    const lines = Array.from({ length: 100_000 }, (_, i) => (i % 4 === 3 ? '}' : i % 4 === 0 ? `function f${i}(x) {` : `  return x + ${i}; // 'n${i}'`));
    const doc = `${lines.join('\n')}\n`;
    const time = (name: string, input: Partial<ApplyInput> & { reply: string }, check: (r: ApplyResult) => void): void => {
      const t0 = Date.now();
      const r = applyReply({ documentText: doc, selection: { start: 0, end: 0 }, languageId: 'javascript', ...input });
      const ms = Date.now() - t0;
      check(r);
      assert.ok(ms < 15_000, `${name}: ${ms} ms`);
    };
    const near = 99_980;
    time('elided block near the end', { reply: L(F + 'js', '// ... existing code ...', lines[near], '  return x * 2;', '}', '// ... existing code ...', F) }, r => {
      assert.ok(r.ok, r.ok ? '' : r.reason);
      assert.ok(r.newText.includes(`${lines[near]}\n  return x * 2;\n}`));
    });
    time('smart quotes in SEARCH', { reply: L('<<<<<<< SEARCH', lines[near + 1].replace(/'/g, '’'), '=======', '  return 0;', '>>>>>>> REPLACE') }, r => assert.ok(r.ok, r.ok ? '' : r.reason));
    time('SEARCH that is nowhere: the closest region is named', { reply: L('<<<<<<< SEARCH', lines[near], '  return x - 1;', '  return x - 2;', '}', '=======', 'x', '>>>>>>> REPLACE') }, r => {
      assert.ok(!r.ok && /closest code/.test(r.reason), r.ok ? 'applied' : r.reason);
    });
    const cursor = doc.indexOf(lines[near + 1]) + 3;
    time('the enclosing function at the cursor', { selection: { start: cursor, end: cursor }, reply: L(F + 'js', lines[near], '  return x * 3;', '}', F) }, r => {
      assert.ok(r.ok && r.method === 'replace-enclosing', r.ok ? r.method : r.reason);
    });
    time('an unclosed fence checked for a cut', { selection: { start: cursor, end: cursor + 5 }, reply: L(F + 'js', '  return x + retu') }, r => {
      assert.ok(!r.ok && r.kind === 'cut-off', r.ok ? 'applied' : r.reason);
    });
  });
});
