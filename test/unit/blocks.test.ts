// The block splitter's guarantee (src/webview/blocks.ts), checked against the markdown renderer the
// webview really uses: whatever prefix of an answer has arrived, the blocks it calls finished render
// the same alone as inside the whole answer, so rendering them once while streaming is safe.

import * as assert from 'assert';
import { splitBlocks } from '../../src/webview/blocks';
import { blockParser, parseStreaming, renderMarkdown, renderOpenTail } from '../../src/webview/markdown';

const fence = '```';

/** Answers shaped like real ones, plus the constructs that make splitting hard. */
const CORPUS: readonly string[] = [
  `# Explanation\n\nThe function **parses** the \`config\` file.\n\n## Steps\n\n1. Read the file.\n2. Parse it.\n\n- a\n- b\n\nDone.\n`,
  `Here is a fix:\n\n${fence}ts\nfunction f(x: number) {\n  return x + 1;\n}\n\nconst y = f(2);\n\nexport default y;\n${fence}\n\nAnd some text after.\n\n${fence}python\ndef g():\n    pass\n\n\nclass A:\n    pass\n${fence}\n\nEnd.`,
  `Loose list:\n\n- first\n\n- second\n\n  continued paragraph\n\n- third\n\nAfter the list.\n\n1. one\n\n2. two\n\n10. ten\n\nText.\n`,
  `Nested:\n\n- outer\n  - inner\n\n    inner paragraph\n\n  - inner 2\n- outer 2\n\n      indented code in item\n\nPlain.\n`,
  `Indented code:\n\n    line 1\n\n    line 2\nafter\n\n    code again\n\n\n    more code\n\nText.\n`,
  `| a | b |\n|:--|--:|\n| 1 | 2 |\n| 3 | 4 |\n\nText after table.\n\n| x |\n|:-:|\n| y |\n`,
  `> quote\n> more\n\n> second quote\n\n> ${fence}\n> in quote\n>\n> still\n> ${fence}\n\nafter\n`,
  `1. Install:\n\n   ${fence}bash\n   npm i\n\n   npm test\n   ${fence}\n\n2. Run:\n\n   ${fence}\n   run\n${fence}\n\nthis is inside the fence opened above\n\n${fence}\n\nText.\n`,
  `- a\n  ${fence}\n  code\n${fence}\n\nfoo\n\n${fence}\n\nbar\n`,
  `~~~~ js\nlet a = 1;\n~~~\n\nstill code\n~~~~\n\nText with ${fence}inline${fence} code.\n\n${fence}a\`b\n\nparagraph\n`,
  `Setext\n======\n\nAnother\n---\n\n***\n\n___\n\n- - -\n\nText\n`,
  `Unclosed fence:\n\n${fence}js\nconsole.log(1);\n\nconsole.log(2);\n`,
  `Links: https://example.com and [x](https://example.com/a) and [bad](javascript:alert(1)).\n\n![img](https://example.invalid/a.png)\n\n[ref]: https://example.com\n\n[use][ref]\n`,
  `CRLF text\r\n\r\n- a\r\n\r\n- b\r\n\r\nEnd\r\n`,
  `Tabs:\n\n\tcode with tab\n\nText\n\n-\ta\n\n\tcontinued\n\nEnd`,
  `* star list\n\n+ plus list\n\n- minus list\n\n3) paren list\n\n4) more\n\nText\n`,
  `Para\n\n    \n\nAfter whitespace-only line\n\n#\n\n# Heading\n\nText`,
];

/** A deterministic pseudo-random generator, so failures reproduce. */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const PIECES: readonly string[] = [
  'Paragraph text.', 'more text', '# Heading', '- item', '* item', '+ item', '1. item', '2) item', '  - nested',
  '    indented', '   indented three', '\tindented tab', fence, `${fence}ts`, `  ${fence}`, `   ${fence}py`, '~~~',
  '> quote', '>', '| a | b |', '|---|---|', '| 1 | 2 |', '***', '---', '===', '', '', '', '12', '[r]: https://x.y',
  '[a][r]', 'text `code` text', 'https://example.com', '  continued', '      deep',
];

function generated(count: number, seed: number): string[] {
  const next = random(seed);
  const docs: string[] = [];
  for (let d = 0; d < count; d++) {
    const lines: string[] = [];
    const length = 5 + Math.floor(next() * 30);
    for (let i = 0; i < length; i++) lines.push(PIECES[Math.floor(next() * PIECES.length)]);
    docs.push(lines.join('\n') + (next() < 0.5 ? '\n' : ''));
  }
  return docs;
}

function renderSplit(blocks: readonly string[], tail: string): string {
  return blocks.map(b => renderMarkdown(b)).join('') + renderMarkdown(tail);
}

function checkPrefixes(text: string): void {
  const whole = renderMarkdown(text);
  let previous = 0;
  for (let length = 0; length <= text.length; length++) {
    const prefix = text.slice(0, length);
    const { blocks, tail } = splitBlocks(prefix, blockParser);
    const finished = blocks.join('');
    assert.strictEqual(finished + tail, prefix, 'blocks and tail must concatenate to the input');
    assert.ok(blocks.every(b => b.length > 0), 'no empty blocks');
    assert.ok(finished.length >= previous, `finished part shrank at ${length} in ${JSON.stringify(text)}`);
    previous = finished.length;
    // A boundary found in a prefix must be a boundary of the whole text.
    assert.strictEqual(
      renderMarkdown(finished) + renderMarkdown(text.slice(finished.length)),
      whole,
      `boundary ${finished.length} found at prefix ${length} of ${JSON.stringify(text)}`,
    );
  }
  const { blocks, tail } = splitBlocks(text, blockParser);
  assert.strictEqual(renderSplit(blocks, tail), whole, JSON.stringify(text));
}

/** The view splits only the text after its last boundary; this replays that with uneven chunks. */
function checkStreaming(text: string, seed: number): void {
  const next = random(seed);
  let received = '';
  let finished = 0;
  const rendered: string[] = [];
  while (received.length < text.length) {
    const size = [1, 3, 17, 40][Math.floor(next() * 4)];
    received = text.slice(0, received.length + size);
    const { blocks } = splitBlocks(received.slice(finished), blockParser);
    for (const block of blocks) {
      rendered.push(renderMarkdown(block));
      finished += block.length;
    }
  }
  rendered.push(renderMarkdown(text.slice(finished)));
  assert.strictEqual(rendered.join(''), renderMarkdown(text), JSON.stringify(text));
}

/** parseStreaming renders each part from one parse: the same HTML as parsing each part alone. */
function checkOneParse(text: string): void {
  for (let length = 0; length <= text.length; length++) {
    const prefix = text.slice(0, length);
    const split = splitBlocks(prefix, blockParser);
    for (const finished of [false, true]) {
      const parsed = parseStreaming(prefix, finished);
      const blocks = finished && split.tail !== '' ? [...split.blocks, split.tail] : split.blocks;
      const where = `${JSON.stringify(prefix)}${finished ? ' (finished)' : ''}`;
      assert.deepStrictEqual(parsed.blocks, blocks, where);
      assert.strictEqual(parsed.tail, finished ? '' : split.tail, where);
      assert.strictEqual(parsed.blocksHtml(0, blocks.length), renderMarkdown(blocks.join('')), where);
      for (let i = 0; i < blocks.length; i++) assert.strictEqual(parsed.blocksHtml(i, i + 1), renderMarkdown(blocks[i]), `block ${i} of ${where}`);
      if (!finished) assert.deepStrictEqual(parsed.renderTail(), renderOpenTail(split.tail), `tail of ${where}`);
    }
  }
}

suite('webview block splitter', () => {
  test('one parse renders the blocks and the tail as parsing each alone does, for every prefix', () => {
    for (const text of [...CORPUS, ...generated(10, 5)]) checkOneParse(text);
  });

  test('every prefix of the corpus splits at boundaries of the whole text', () => {
    for (const text of CORPUS) checkPrefixes(text);
  });

  test('every prefix of generated documents splits at boundaries of the whole text', () => {
    for (const text of generated(40, 7)) checkPrefixes(text);
  });

  test('streaming in uneven chunks renders the same as the whole text', () => {
    const docs = [...CORPUS, ...generated(80, 11)];
    docs.forEach((text, i) => checkStreaming(text, i + 1));
  });

  test('finished blocks are found while streaming', () => {
    const { blocks, tail } = splitBlocks('# Title\n\nFirst paragraph.\n\nSecond', blockParser);
    assert.deepStrictEqual(blocks, ['# Title\n\n', 'First paragraph.\n\n']);
    assert.strictEqual(tail, 'Second');
  });

  test('nothing inside an open fence is finished', () => {
    const text = `Intro\n\n${fence}py\ndef f():\n    pass\n\nx = 1\n\ny = 2\n`;
    const { blocks, tail } = splitBlocks(text, blockParser);
    assert.deepStrictEqual(blocks, ['Intro\n\n']);
    assert.strictEqual(tail, text.slice('Intro\n\n'.length));
    const closed = splitBlocks(`${text}${fence}\n\nAfter`, blockParser);
    assert.deepStrictEqual(closed.blocks, ['Intro\n\n', `${fence}py\ndef f():\n    pass\n\nx = 1\n\ny = 2\n${fence}\n\n`]);
  });

  test('a list stays open while the next line could continue it', () => {
    assert.deepStrictEqual(splitBlocks('1. a\n\n2', blockParser).blocks, []);
    assert.deepStrictEqual(splitBlocks('- a\n\n  b', blockParser).blocks, []);
    assert.deepStrictEqual(splitBlocks('- a\n\nb', blockParser).blocks, ['- a\n\n']);
  });

  test('a fence keeps its language as written for the code buttons; other info strings do not', () => {
    assert.ok(renderMarkdown(`${fence}TS\nlet a;\n${fence}`).includes('<code class="hljs language-typescript" data-lang="TS">'));
    assert.ok(renderMarkdown(`${fence}foo-lang\nx\n${fence}`).includes('<code class="language-foo-lang" data-lang="foo-lang">'));
    for (const info of ['"><b>x</b>', '{.python}', '']) {
      assert.ok(renderMarkdown(`${fence}${info}\nx\n${fence}`).includes('<pre><code>x</code></pre>'), info);
    }
  });

  test('images become links and never <img>; unsafe link targets stay text', () => {
    const html = renderMarkdown('![alt](https://example.invalid/a.png) [x](javascript:alert(1)) [y](command:foo)');
    assert.ok(!html.includes('<img'), html);
    assert.ok(html.includes('<a href="https://example.invalid/a.png">[image: alt]</a>'), html);
    assert.ok(!/href="(?:javascript|command)/.test(html), html);
  });
});
