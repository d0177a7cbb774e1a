import * as assert from 'assert';
import { answerReserve, fitContext, truncationMarker, type FitInput } from '../../src/core/fitContext';

// One token per word keeps the arithmetic in the tests visible.
const words = (text: string): number => (text.match(/\S+/g) ?? []).length;

function turns(n: number, wordsEach: number): FitInput['history'] {
  const out: FitInput['history'] = [];
  for (let i = 0; i < n; i++) {
    out.push({ role: 'user', content: `q${i} ` + 'w '.repeat(wordsEach - 1) });
    out.push({ role: 'assistant', content: `a${i} ` + 'w '.repeat(wordsEach - 1) });
  }
  return out;
}

function codeLines(n: number, wordsEach: number): string {
  return Array.from({ length: n }, (_, i) => `line${i} ` + 'x '.repeat(wordsEach - 1).trim()).join('\n');
}

function input(over: Partial<FitInput>): FitInput {
  return { system: 'be helpful', history: [], question: 'explain this', contextWindow: 10_000, reserveForAnswer: 1_000, count: words, ...over };
}

suite('core/fitContext', () => {
  test('everything fits: nothing changes', () => {
    const history = turns(2, 10);
    const r = fitContext(input({ history, code: codeLines(5, 4) }));
    assert.strictEqual(r.fits, true);
    assert.deepStrictEqual(r.history, history);
    assert.strictEqual(r.code, codeLines(5, 4));
    assert.strictEqual(r.droppedTurns, 0);
    assert.strictEqual(r.truncatedCode, undefined);
    assert.ok(r.promptTokens > 2 + 2 + 40 + 20 && r.promptTokens < 10_000 - 1_000);
  });

  test('the oldest exchanges go first, whole', () => {
    const history = turns(10, 100); // 20 messages of 100 "tokens"
    const r = fitContext(input({ history, contextWindow: 1_500, reserveForAnswer: 500 }));
    assert.strictEqual(r.fits, true);
    assert.ok(r.promptTokens <= 1_000, String(r.promptTokens));
    assert.ok(r.droppedTurns > 0 && r.droppedTurns < 10, String(r.droppedTurns));
    assert.deepStrictEqual(r.history, history.slice(2 * r.droppedTurns));
    assert.strictEqual(r.history[0].role, 'user', 'never an answer without its question');
    assert.ok(r.history[0].content.startsWith(`q${r.droppedTurns} `));
    // Keeping one more exchange would not have fitted.
    const more = fitContext(input({ history: history.slice(2 * (r.droppedTurns - 1)), contextWindow: 1_500, reserveForAnswer: 500 }));
    assert.strictEqual(more.droppedTurns, 1);
  });

  test('an exchange with several answers, or a history that starts with an answer, goes as a unit', () => {
    const history: FitInput['history'] = [
      { role: 'assistant', content: 'w '.repeat(50) },
      { role: 'user', content: 'w '.repeat(50) },
      { role: 'assistant', content: 'w '.repeat(50) },
      { role: 'assistant', content: 'w '.repeat(50) },
      { role: 'user', content: 'last question' },
      { role: 'assistant', content: 'last answer' },
    ];
    const r = fitContext(input({ history, contextWindow: 200, reserveForAnswer: 100 }));
    assert.strictEqual(r.fits, true);
    assert.strictEqual(r.droppedTurns, 2);
    assert.deepStrictEqual(r.history, history.slice(4));
  });

  test('history goes before code is cut', () => {
    const code = codeLines(20, 5); // 100 tokens
    const history = turns(3, 100);
    const r = fitContext(input({ history, code, contextWindow: 400, reserveForAnswer: 100 }));
    assert.strictEqual(r.fits, true);
    assert.strictEqual(r.code, code, 'the code is whole');
    assert.strictEqual(r.truncatedCode, undefined);
    assert.strictEqual(r.droppedTurns, 3);
    assert.deepStrictEqual(r.history, []);
  });

  test('huge code keeps its head and ends with a marker', () => {
    const code = codeLines(1_000, 10); // 10,000 tokens
    const r = fitContext(input({ history: turns(2, 10), code, contextWindow: 2_000, reserveForAnswer: 500 }));
    assert.strictEqual(r.fits, true);
    assert.deepStrictEqual(r.history, []);
    assert.strictEqual(r.droppedTurns, 2);
    assert.ok(r.truncatedCode);
    const { keptLines, totalLines } = r.truncatedCode;
    assert.strictEqual(totalLines, 1_000);
    assert.ok(keptLines > 100 && keptLines < 150, String(keptLines));
    assert.ok(r.code);
    const lines = r.code.split('\n');
    assert.strictEqual(lines.length, keptLines + 1);
    assert.deepStrictEqual(lines.slice(0, keptLines), code.split('\n').slice(0, keptLines));
    assert.strictEqual(lines[keptLines], truncationMarker(1_000 - keptLines));
    assert.strictEqual(lines[keptLines], `… (truncated: ${1_000 - keptLines} more lines not sent)`);
    assert.ok(r.promptTokens <= 1_500, String(r.promptTokens));
    // As much as fits: one more line would not.
    const oneMore = `${code.split('\n').slice(0, keptLines + 1).join('\n')}\n${truncationMarker(1_000 - keptLines - 1)}`;
    const base = r.promptTokens - words(r.code);
    assert.ok(base + words(oneMore) > 1_500);
  });

  test('CRLF code is cut at a line end without a stray carriage return', () => {
    const code = codeLines(100, 10).replace(/\n/g, '\r\n');
    const r = fitContext(input({ code, contextWindow: 800, reserveForAnswer: 300 }));
    assert.ok(r.code && r.truncatedCode);
    const head = r.code.slice(0, r.code.lastIndexOf('\n'));
    assert.ok(!head.endsWith('\r'));
    assert.ok(code.startsWith(head));
  });

  test('a trailing newline does not count as a line', () => {
    const r = fitContext(input({ code: 'a\nb\nc\n' + 'x '.repeat(5_000), contextWindow: 200, reserveForAnswer: 50 }));
    assert.deepStrictEqual(r.truncatedCode, { keptLines: 3, totalLines: 4 });
    assert.strictEqual(r.code, 'a\nb\nc\n' + truncationMarker(1));
  });

  test('an empty first line is kept as a line', () => {
    const r = fitContext(input({ code: '\nb\n' + 'x '.repeat(5_000), contextWindow: 200, reserveForAnswer: 50 }));
    assert.deepStrictEqual(r.truncatedCode, { keptLines: 2, totalLines: 3 });
    assert.strictEqual(r.code, '\nb\n' + truncationMarker(1));
  });

  test('when system and question alone do not fit, say so and cut nothing of them', () => {
    const r = fitContext(input({ system: 'w '.repeat(900), question: 'w '.repeat(200), history: turns(2, 5), code: 'x', contextWindow: 1_000, reserveForAnswer: 100 }));
    assert.strictEqual(r.fits, false);
    assert.deepStrictEqual(r.history, []);
    assert.strictEqual(r.code, undefined);
    assert.strictEqual(r.droppedTurns, 2);
    assert.ok(r.promptTokens > 900);
    // A reserve larger than the window cannot fit anything either.
    assert.strictEqual(fitContext(input({ contextWindow: 100, reserveForAnswer: 200 })).fits, false);
  });

  test('when even the marker does not fit, the code is left out but the question goes', () => {
    const base = fitContext(input({})).promptTokens;
    const r = fitContext(input({ code: codeLines(10, 10), contextWindow: base + 10 + 1, reserveForAnswer: 1 }));
    assert.strictEqual(r.fits, true);
    assert.strictEqual(r.code, undefined);
    assert.deepStrictEqual(r.truncatedCode, { keptLines: 0, totalLines: 10 });
  });

  test('a huge selection is fitted with few counts', function () {
    this.timeout(10_000);
    const code = codeLines(200_000, 5);
    let calls = 0;
    const count = (t: string): number => {
      calls++;
      return words(t);
    };
    const r = fitContext(input({ code, count, contextWindow: 128_000, reserveForAnswer: 8_192 }));
    assert.ok(r.truncatedCode && r.truncatedCode.keptLines > 20_000);
    assert.ok(calls < 60, String(calls));
  });

  test('the answer reserve', () => {
    assert.strictEqual(answerReserve(128_000), 8_192);
    assert.strictEqual(answerReserve(8_192), 2_048);
    assert.strictEqual(answerReserve(128_000, 1_000), 1_000);
    assert.strictEqual(answerReserve(4_096, 10_000), 4_096);
  });
});
