// The apply engine (src/core/applyEdit.ts) against answers shaped like real ones: every accepted
// answer must give exactly the expected document through one edit that leaves the rest untouched;
// every refused one must say why.
import * as assert from 'assert';
import { applyReply, EDIT_FORMAT_INSTRUCTIONS, type ApplyInput, type ApplyResult } from '../../src/core/applyEdit';
import { diffHunks, fencedBlocks, searchReplaceBlocks } from '../../src/core/editParse';
import { detectIndentStyle } from '../../src/core/editIndent';
import { mergeEdits } from '../../src/core/editPlan';
import { similarity } from '../../src/core/editSimilarity';
import { CORPUS, L, type Case } from './applyEditCorpus';
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
  const input: ApplyInput = { documentText: text, selection: { start, end }, reply: c.reply, languageId: c.lang };
  return { input, result: applyReply(input) };
}

suite('core/applyEdit: corpus of real-world answers', () => {
  test('the corpus is large enough to mean something', () => {
    assert.ok(CORPUS.length >= 40, `${CORPUS.length} cases`);
    assert.strictEqual(new Set(CORPUS.map(c => c.name)).size, CORPUS.length, 'case names are unique');
  });

  for (const c of CORPUS) {
    test(c.name, () => {
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
      }
    });
  }
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
    assert.ok(ms < 3000, `${ms} ms`);
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
    assert.ok(Date.now() - t0 < 3000, `${Date.now() - t0} ms`);
    const line = `  step("${token(99994)}");`;
    const at = doc.indexOf(line);
    t0 = Date.now();
    const r2 = applyReply({ documentText: doc, selection: { start: at, end: at + line.length }, reply: `${F}ts\nstep("${token(99994)}", false);\n${F}`, languageId: 'typescript' });
    assert.ok(r2.ok, r2.ok ? '' : r2.reason);
    assert.strictEqual(r2.newText, doc.replace(line, `  step("${token(99994)}", false);`));
    assert.ok(Date.now() - t0 < 3000, `${Date.now() - t0} ms`);
  });
});
