// The streaming tail's text fast path (src/webview/textPatch.ts): when it says the new HTML differs from
// the old only inside the last text run, replacing that run must give exactly the new HTML. Checked on
// every step of answers streamed a few characters at a time, with the renderer the webview uses.

import * as assert from 'assert';
import { endChange, inertAppend, innerChange, lastTextRunChange } from '../../src/webview/textPatch';
import { renderMarkdown } from '../../src/webview/markdown';

const fence = '```';

const ANSWERS: readonly string[] = [
  `# Explanation\n\nThe function **parses** the \`config\` file and returns a value when the input is valid.\n\n## Steps\n\n1. Read the file, line by line.\n2. Parse it with *care* (see https://example.com/docs/parse).\n\n- a < b && c > d\n- "quoted" text\n\nDone, mostly.\n`,
  `Here is a fix:\n\n${fence}ts\nfunction f(x: number) {\n  return x + 1;\n}\n${fence}\n\nAnd some text after it, with \`code\` and a [link](https://example.com) in it.\n\n> A quote that goes on\n> over two lines.\n\n| a | b |\n|---|:-:|\n| one | two |\n| three | four |\n`,
  `Words words words. Then a line  \nbreak and a soft\nbreak, then ~~struck~~ text and an email user@example.com and **bold _nested_ text**.\n\n3. starts at three\n4. four\n`,
];

suite('Text fast path for the streaming tail', () => {
  test('replacing the last text run gives exactly the new HTML, for every step of streamed answers', () => {
    let steps = 0;
    let fast = 0;
    for (const answer of ANSWERS) {
      for (const size of [1, 2, 5]) {
        let previous = renderMarkdown('', true);
        for (let end = size; end <= answer.length + size - 1; end += size) {
          const next = renderMarkdown(answer.slice(0, Math.min(end, answer.length)), true);
          const change = lastTextRunChange(previous, next);
          steps++;
          if (change) {
            fast++;
            assert.strictEqual(previous.slice(change.start, change.start + change.before.length), change.before);
            const patched = previous.slice(0, change.start) + change.after + previous.slice(change.start + change.before.length);
            assert.strictEqual(patched, next, `${JSON.stringify(answer.slice(0, end))}`);
          }
          previous = next;
        }
      }
    }
    // Most steps of prose only add words: the fast path must be the common case, not a rarity.
    assert.ok(fast > steps * 0.4, `fast path on ${fast} of ${steps} steps`);
  });

  test('refuses changes to tags, attributes, entities and anything but the last run', () => {
    const cases: [string, string][] = [
      ['<p>a</p>\n', '<p>a<em>b</em></p>\n'],
      ['<p><a href="https://x.co/do">https://x.co/do</a></p>\n', '<p><a href="https://x.co/docs">https://x.co/docs</a></p>\n'],
      ['<p>a &amp; b</p>\n', '<p>a &amp; bc</p>\n'],
      ['<p>first</p>\n<p>last</p>\n', '<p>first!</p>\n<p>last</p>\n'],
      ['<p>a</p>\n', '<p>a</p>\n<p>b</p>\n'],
      ['<p>same</p>\n', '<p>same</p>\n'],
    ];
    for (const [before, after] of cases) assert.strictEqual(lastTextRunChange(before, after), undefined, `${before} -> ${after}`);
    assert.deepStrictEqual(lastTextRunChange('<ul>\n<li>one tw</li>\n</ul>\n', '<ul>\n<li>one two</li>\n</ul>\n'), { start: 9, before: 'one tw', after: 'one two' });
  });

  test('an end change (text cut, elements added at the end) rebuilds exactly the new HTML, for every step of streamed answers', () => {
    // The benchmark's long answer (a plain JS module, hence require): every kind of block, streamed by
    // token and in runs of seven tokens, as a frame of a fast stream gets them.
    const { longReply, tokenize } = require('../bench/reply') as { longReply(): string; tokenize(text: string): string[] };
    const tokens = tokenize(longReply()).slice(0, 1500);
    const streams: string[][] = [...ANSWERS.map(a => Array.from(a)), tokens, tokens.map((_, i) => (i % 7 === 6 ? tokens.slice(i - 6, i + 1).join('') : '')).filter(t => t !== '')];
    let steps = 0;
    let text = 0;
    let end = 0;
    let inner = 0;
    for (const chunks of streams) {
      let src = '';
      let previous = renderMarkdown('', true);
      for (const chunk of chunks) {
        src += chunk;
        const next = renderMarkdown(src, true);
        steps++;
        if (lastTextRunChange(previous, next)) {
          text++;
        } else {
          const change = endChange(previous, next);
          if (change) {
            end++;
            assert.strictEqual(previous.slice(change.start, change.start + change.removedText.length), change.removedText);
            const rebuilt = previous.slice(0, change.start) + change.html + previous.slice(change.start + change.removedText.length);
            assert.strictEqual(rebuilt, next, JSON.stringify(src.slice(-200)));
            assert.ok(!/[<&]/.test(change.removedText), `removed text is plain: ${JSON.stringify(change.removedText)}`);
          } else {
            const within = innerChange(previous, next);
            if (within) {
              inner++;
              assert.strictEqual(previous.slice(0, within.start) + within.html + previous.slice(within.end), next, JSON.stringify(src.slice(-200)));
              assert.ok(within.path.length > 0);
            }
          }
        }
        previous = next;
      }
    }
    // With the text fast path, the end change must take most of the steps that change the HTML's tags,
    // and a change inside one element most of the rest.
    assert.ok(text + end > steps * 0.8, `text fast path on ${text}, end change on ${end} of ${steps} steps`);
    assert.ok(text + end + inner > steps * 0.85, `text fast path on ${text}, end change on ${end}, inner change on ${inner} of ${steps} steps`);
  });

  test('inner changes: the smallest element holding every difference, by child index', () => {
    const table = (cell: string) => `<table>\n<tbody>\n<tr>\n<td>${cell}</td>\n<td class="align-right"></td>\n</tr>\n</tbody>\n</table>\n`;
    assert.deepStrictEqual(innerChange(table('0.'), table('0.1')), {
      path: [{ tag: 'table', index: 0 }, { tag: 'tbody', index: 1 }, { tag: 'tr', index: 1 }, { tag: 'td', index: 1 }],
      children: 1, html: '0.1', start: table('').indexOf('<td>') + 4, end: table('').indexOf('<td>') + 6,
    });
    const link = (url: string) => `<p>see <a href="${url}">${url}</a></p>\n`;
    assert.deepStrictEqual(innerChange(link('https://x.co'), link('https://x.co/a')), {
      path: [{ tag: 'p', index: 0 }], children: 2, html: 'see <a href="https://x.co/a">https://x.co/a</a>', start: 3, end: link('https://x.co').indexOf('</p>'),
    });
    assert.strictEqual(innerChange('<p>a</p>\n<p>b</p>\n', '<p>c</p>\n<p>d</p>\n'), undefined, 'the root is not an element to patch');
    assert.strictEqual(innerChange('<p>a</b>\n', '<p>ab</b>\n'), undefined, 'not well formed');
  });

  test('inert appends: plain words after a plain word only extend the last text run', () => {
    // The property: for every step of streamed answers where inertAppend accepts the appended text,
    // the renderer's new HTML is the old one with exactly the shown text added at the end of the last run.
    const { longReply, tokenize } = require('../bench/reply') as { longReply(): string; tokenize(text: string): string[] };
    const streams = [...ANSWERS.map(a => Array.from(a)), tokenize(longReply()).slice(0, 1500)];
    let taken = 0;
    let steps = 0;
    for (const chunks of streams) {
      let src = '';
      let previous = renderMarkdown('', true);
      for (const chunk of chunks) {
        const inert = inertAppend(src, chunk, previous);
        const next = renderMarkdown(src + chunk, true);
        steps++;
        if (inert !== undefined) {
          taken++;
          assert.strictEqual(inert.html, next, JSON.stringify((src + chunk).slice(-120)));
        }
        src += chunk;
        previous = next;
      }
    }
    assert.ok(taken > steps * 0.3, `inert on ${taken} of ${steps} steps`);
    const cases: [string, string][] = [['see https://x.co/a', 'b'], ['# Ti', 'tle'], ['```ts', 'x'], ['~~~ js', 'on'], ['| a | b', ' c'], ['word\n', 'next'],
      ['a_b_', 'c'], ['x', '.'], ['x', 'a\nb'], ['- item\n\n      code', ' more'], ['1. ```js', 'on'], ['> ~~~ ts', 'x']];
    for (const [tail, added] of cases) {
      const inert = inertAppend(tail, added, renderMarkdown(tail, true));
      assert.strictEqual(inert?.shown, tail === '# Ti' ? 'tle' : undefined, `${JSON.stringify(tail)} + ${JSON.stringify(added)}`);
    }
    assert.strictEqual(inertAppend('one two  ', 'three ', renderMarkdown('one two  ', true))?.shown, '  three');
  });

  test('end changes: what is taken and what is refused', () => {
    assert.deepStrictEqual(endChange('<p>a `co</p>\n', '<p>a <code>co</code></p>\n'), { start: 5, path: ['p'], removedText: '`co', html: '<code>co</code>' });
    assert.deepStrictEqual(endChange('<ul>\n<li>one</li>\n</ul>\n', '<ul>\n<li>one</li>\n<li>two</li>\n</ul>\n'), { start: 18, path: ['ul'], removedText: '', html: '<li>two</li>\n' });
    assert.deepStrictEqual(endChange('<p>a</p>\n', '<p>a</p>\n<p>b</p>\n'), { start: 9, path: [], removedText: '', html: '<p>b</p>\n' });
    const refused: [string, string][] = [
      ['<p>first</p>\n<p>last</p>\n', '<p>first!</p>\n<p>last</p>\n'],
      ['<ul>\n<li>a</li>\n<li>b</li>\n</ul>\n', '<ul>\n<li>\n<p>a</p>\n</li>\n<li>\n<p>b</p>\n</li>\n</ul>\n'],
      ['<p>a &amp; b</p>\n', '<p>a &lt; b</p>\n'],
      ['<p>a &am</p>\n', '<p>a &amp;</p>\n'],
      ['<p><a href="https://x.co/do">x</a></p>\n', '<p><a href="https://x.co/docs">x</a></p>\n'],
      ['<p>a</p>\n', '<p>a</p>\n'],
    ];
    for (const [before, after] of refused) assert.strictEqual(endChange(before, after), undefined, `${before} -> ${after}`);
  });
});
