// The chat webview bundle (dist/webview.js) in headless Chromium under the CSP VS Code gives it: what it
// renders from host messages, what it posts back, that streamed answers end up exactly as a one-shot
// render, that hostile answers run no script and load nothing, and the controls around the messages
// (conversation bar, message and code actions, context chips, history, setup card, Show more).
// Build first: node esbuild.js.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { ChatMessage, ContextChip, ConversationSummary, HostMessage, ViewState, WebviewMessage } from '../../src/protocol';
import { renderMarkdown } from '../../src/webview/markdown';
import { launchIsolated, ROOT, startServer, WebviewPage, type TestServer } from './webviewPage';
import { contrastFailures, measureContrast, measuredKinds } from './contrast';

const SHOTS = path.join(ROOT, 'test-results');
const fence = '```';

function state(
  conversationId: string,
  messages: ChatMessage[],
  streaming = false,
  model = 'openai · gpt-5-mini',
  extra: Partial<Omit<ViewState, 'conversation'>> & { title?: string } = {},
): HostMessage {
  const { title = 'Test', ...rest } = extra;
  const s: ViewState = { conversation: { id: conversationId, title, messages }, model, streaming, ...rest };
  return { type: 'state', state: s };
}

function user(id: string, text: string, extra: Partial<ChatMessage> = {}): ChatMessage {
  return { id, role: 'user', text, streaming: false, ...extra };
}

function assistant(id: string, text: string, extra: Partial<ChatMessage> = {}): ChatMessage {
  return { id, role: 'assistant', text, streaming: false, ...extra };
}

/** Answers with the constructs that make incremental rendering hard. */
const REPLIES: readonly string[] = [
  [
    '## What `average` does',
    '',
    'It adds up `values` and divides by their count, but the loop runs **one step too far**:',
    '',
    '1. `i <= values.length` reads past the end;',
    '2. so `sum` becomes `NaN`.',
    '',
    `${fence}ts`,
    'export function average(values: number[]): number {',
    '  let sum = 0;',
    '',
    '  for (let i = 0; i < values.length; i++) sum += values[i];',
    '',
    'return sum / values.length;',
    '}',
    fence,
    '',
    'See https://developer.mozilla.org/ for details.',
    '',
  ].join('\n'),
  [
    'Loose list:',
    '',
    '- first',
    '',
    '- second',
    '',
    '  continued paragraph of the second item',
    '',
    '  - nested tight',
    '  - nested two',
    '',
    '- third',
    '',
    'Indented code:',
    '',
    '    npm install',
    '',
    '    npm test',
    'lazy line',
    '',
    '10. ten',
    '11. eleven',
    '',
    'Done.',
  ].join('\n'),
  [
    '| Option | Default | Meaning |',
    '|:-------|:-------:|--------:|',
    '| `model` | `gpt-5-mini` | which model |',
    '| `maxTokens` | *none* | limit |',
    '',
    '> A quote with `code`',
    '> and a second line',
    '',
    `${fence}python`,
    'def f():',
    '    return 1',
    '',
    '',
    'class A:',
    '    pass',
    fence,
    '',
    '~~~~ json',
    '{ "a": 1 }',
    '~~~',
    '',
    'still json',
    '~~~~',
    '',
    '***',
    '',
    'Setext heading',
    '--------------',
    '',
    'The end.',
  ].join('\n'),
  [
    '1. Install:',
    '',
    `   ${fence}bash`,
    '   npm install',
    '',
    '   npm test',
    `   ${fence}`,
    '',
    '2. Run it:',
    '   ```sh',
    '   npm start',
    fence,
    '',
    'This line is inside the fence the closing line above opened.',
    '',
    fence,
    '',
    'After.',
  ].join('\n'),
  `Stopped in the middle of a fence:\n\n${fence}go\nfunc main() {\n\n\tfmt.Println("hi")\n`,
];

/** Replies for the streamed-equals-one-shot test: the above, one long enough for several chunks, one with CRLF. */
const STREAMED: readonly string[] = [
  ...REPLIES,
  Array.from({ length: 8 }, (_, i) => `# Part ${i + 1}\n\n${REPLIES.join('\n\n')}`).join('\n\n'),
  REPLIES[0].replace(/\n/g, '\r\n'),
];

/** Splits text into appends of 1, 3 and 17 characters and whole lines, in turn. */
function chunk(text: string): string[] {
  const chunks: string[] = [];
  let i = 0;
  let n = 0;
  while (i < text.length) {
    const kind = n++ % 4;
    let end: number;
    if (kind === 3) {
      const newline = text.indexOf('\n', i);
      end = newline < 0 ? text.length : newline + 1;
    } else {
      end = i + [1, 3, 17][kind];
    }
    chunks.push(text.slice(i, end));
    i = end;
  }
  return chunks;
}

/** Chunk indexes after which to wait for a frame: irregular, about 25 per answer. */
function pauses(count: number, seed: number): number[] {
  const every = Math.max(1, Math.floor(count / 25));
  const out: number[] = [];
  for (let i = 0; i < count; i++) if ((i * 7 + seed) % every === 0) out.push(i);
  return out;
}

const XSS = [
  '<script>window.__pwned = "script"</script>',
  '',
  '<img src=x onerror="window.__pwned = \'img\'">',
  '',
  '[x](javascript:window.__pwned=1) [quit](command:workbench.action.quit) [vs](vscode://file/etc/passwd)',
  '',
  '[data](data:text/html,<script>window.__pwned=1</script>) [file](file:///etc/passwd) [rel](./local.html)',
  '',
  '![remote](https://example.invalid/a.png) ![inline](data:image/png;base64,iVBORw0KGgo=)',
  '',
  '[![nested](https://example.invalid/n.png)](https://example.invalid/page)',
  '',
  '<svg onload="window.__pwned = \'svg\'"><circle r="1"/></svg>',
  '',
  '<math><mi xlink:href="javascript:window.__pwned=1">m</mi></math>',
  '',
  '<a href="https://example.invalid/" style="background:url(https://example.invalid/x)">styled</a>',
  '',
  '<iframe src="https://example.invalid/frame"></iframe><object data="https://example.invalid/o"></object>',
  '',
  '<style>body { background: url(https://example.invalid/bg) }</style>',
  '',
  '<form action="https://example.invalid/f"><input name="q" autofocus onfocus="window.__pwned=1"></form>',
  '',
  '<javascript:window.__pwned=1> <command:workbench.action.quit> <https://example.invalid/auto>',
  '',
  '`<img src=x onerror=window.__pwned=1>`',
  '',
  `${fence}html`,
  '<img src=x onerror="window.__pwned=1"><script>window.__pwned=1</script>',
  fence,
  '',
  '| a | b |',
  '|:-:|--:|',
  '| <img src=x onerror=window.__pwned=1> | [t](javascript:1) |',
].join('\n');

suite('Chat webview in Chromium', function () {
  this.timeout(60000);
  let server: TestServer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let view: WebviewPage;
  const requests: string[] = [];
  const dialogs: string[] = [];
  const errors: string[] = [];

  async function openPage(csp: boolean, theme: 'dark' | 'light' = 'dark'): Promise<WebviewPage> {
    const p = await context.newPage();
    p.on('dialog', d => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    p.on('pageerror', e => errors.push(e.message));
    const query = [csp ? '' : 'csp=off', theme === 'light' ? 'theme=light' : ''].filter(Boolean).join('&');
    await p.goto(`${server.origin}/${query ? `?${query}` : ''}`);
    await p.waitForSelector('#prompt');
    return new WebviewPage(p);
  }

  suiteSetup(async () => {
    assert.ok(fs.existsSync(path.join(ROOT, 'dist', 'webview.js')), 'dist/webview.js is missing: run node esbuild.js');
    server = await startServer();
    ({ browser, context } = await launchIsolated(server, requests));
    view = await openPage(true);
    page = view.page;
  });

  suiteTeardown(async () => {
    await browser?.close();
    await server?.close();
  });

  test('posts ready on load and shows the empty-state hint', async () => {
    assert.deepStrictEqual(await view.posted(), [{ type: 'ready' }]);
    assert.ok(await page.locator('.empty-state').isVisible());
    assert.match((await page.locator('.empty-state').textContent()) ?? '', /Explain Selection/);
    await view.send(state('c-empty', []));
    assert.ok(await page.locator('.empty-state').isVisible());
    assert.strictEqual(await page.locator('.message').count(), 0);
  });

  test('a state renders the question with its code and the answer as markdown', async () => {
    const answer = [
      '# Heading',
      '',
      'Some `inline code` and **bold**.',
      '',
      '- one',
      '- two',
      '',
      '| a | b |',
      '|---|--:|',
      '| 1 | 2 |',
      '',
      `${fence}typescript`,
      'const x: number = 1;',
      fence,
      '',
      `${fence}unknownlang`,
      'if <b>',
      fence,
    ].join('\n');
    await view.send(
      state('c-render', [
        user('u1', 'What does this do?', {
          context: { file: 'src/app.ts', language: 'typescript', startLine: 3, endLine: 7, code: 'function f() {\n  return 1;\n}' },
        }),
        assistant('a1', answer),
      ]),
    );
    assert.ok(await page.locator('.empty-state').isHidden());
    const u = page.locator('.message.user[data-id="u1"]');
    assert.strictEqual(await u.locator('.message-context').textContent(), 'src/app.ts · typescript · lines 3–7');
    assert.strictEqual(await u.locator('.message-text').textContent(), 'What does this do?');
    assert.strictEqual(await u.locator('pre code.hljs.language-typescript .hljs-keyword').first().textContent(), 'function');
    assert.strictEqual(await u.locator('.code-action').count(), 1, 'the question code offers Copy only');

    const a = page.locator('.message.assistant[data-id="a1"] .message-body');
    assert.strictEqual(await a.locator('h1').textContent(), 'Heading');
    assert.strictEqual(await a.locator('p code').textContent(), 'inline code');
    assert.strictEqual(await a.locator('ul > li').count(), 2);
    assert.strictEqual(await a.locator('table td.align-right').textContent(), '2');
    const ts = a.locator('pre code.hljs.language-typescript');
    assert.strictEqual(await ts.locator('.hljs-keyword').first().textContent(), 'const');
    assert.strictEqual(await ts.textContent(), 'const x: number = 1;');
    const plain = a.locator('pre code.language-unknownlang');
    assert.strictEqual(await plain.innerHTML(), 'if &lt;b&gt;');
    assert.strictEqual(await a.locator('.code-block').count(), 2);
    assert.strictEqual(await a.locator('.code-action').count(), 10, 'five actions per block');
    assert.deepStrictEqual(await a.locator('.code-block').first().locator('button:visible').allTextContents(), ['Copy', 'Insert at Cursor', '…']);
    assert.strictEqual(await page.locator('.model-label').textContent(), 'Model: openai · gpt-5-mini');
  });

  test('every code-block action posts codeAction with the raw code and the fence language', async () => {
    await view.clearPosted();
    const block = page.locator('.message[data-id="a1"] .code-block').first();
    const toggle = block.locator('.code-more-toggle');
    await block.locator('.code-action[data-action="copy"]').click();
    assert.strictEqual(await block.locator('.code-action[data-action="copy"]').textContent(), 'Copied');
    await block.locator('.code-action[data-action="insert"]').click();
    for (const action of ['replaceSelection', 'apply', 'newFile']) {
      assert.ok(await block.locator(`.code-action[data-action="${action}"]`).isHidden(), `${action} waits behind "…"`);
      await toggle.click();
      assert.strictEqual(await toggle.getAttribute('aria-expanded'), 'true');
      await block.locator(`.code-action[data-action="${action}"]`).click();
      assert.strictEqual(await toggle.getAttribute('aria-expanded'), 'false', 'an action closes the row');
    }
    const code = 'const x: number = 1;';
    assert.deepStrictEqual(await view.posted(), [
      { type: 'codeAction', action: 'copy', code, language: 'typescript', messageId: 'a1' },
      { type: 'codeAction', action: 'insert', code, language: 'typescript', messageId: 'a1' },
      { type: 'codeAction', action: 'replaceSelection', code, language: 'typescript', messageId: 'a1' },
      { type: 'codeAction', action: 'apply', code, language: 'typescript', messageId: 'a1' },
      { type: 'codeAction', action: 'newFile', code, language: 'typescript', messageId: 'a1' },
    ]);

    // With the keyboard: "…" opens the row and focuses its first action, Escape closes it again.
    await view.clearPosted();
    await toggle.focus();
    await page.keyboard.press('Enter');
    assert.strictEqual((await view.focused())?.text, 'Replace Selection');
    await page.keyboard.press('Escape');
    assert.ok(await block.locator('.code-more').isHidden());
    assert.strictEqual((await view.focused())?.className, 'code-more-toggle');

    // The language as the fence wrote it (the host maps names), the code with its markup characters.
    await page.locator('.message[data-id="a1"] .code-block').nth(1).locator('.code-action[data-action="insert"]').click();
    await page.locator('.message[data-id="u1"] .code-action[data-action="copy"]').click();
    assert.deepStrictEqual(await view.posted(), [
      { type: 'codeAction', action: 'insert', code: 'if <b>', language: 'unknownlang', messageId: 'a1' },
      { type: 'codeAction', action: 'copy', code: 'function f() {\n  return 1;\n}', language: 'typescript', messageId: 'u1' },
    ]);
    await view.send(state('c-fence', [assistant('f1', `${fence}js\nlet a = '<a>';\n${fence}\n\n    indented\n`)]));
    await view.clearPosted();
    const blocks = page.locator('.message[data-id="f1"] .code-block');
    await blocks.nth(0).locator('.code-action[data-action="insert"]').click();
    await blocks.nth(1).locator('.code-action[data-action="insert"]').click();
    assert.deepStrictEqual(await view.posted(), [
      { type: 'codeAction', action: 'insert', code: "let a = '<a>';", language: 'js', messageId: 'f1' },
      { type: 'codeAction', action: 'insert', code: 'indented', language: '', messageId: 'f1' },
    ]);
  });

  test('a streamed answer ends with exactly the DOM of a one-shot render', async () => {
    let chunked = 0;
    for (let r = 0; r < STREAMED.length; r++) {
      const text = STREAMED[r];
      const conversation = `c-stream-${r}`;
      await view.send(state(conversation, [user(`q${r}`, 'Explain'), assistant(`s${r}`, '', { streaming: true })], true));
      const chunks = chunk(text);
      await view.stream(conversation, `s${r}`, chunks, pauses(chunks.length, r));
      const stopped = r === REPLIES.length - 1;
      await view.send({ type: 'messageUpdated', conversationId: conversation, message: assistant(`s${r}`, text, { stopped }) });
      const streamed = await view.bodyHtml(`s${r}`);

      await view.send(state(`c-oneshot-${r}`, [assistant(`o${r}`, text, { stopped })]));
      const oneShot = await view.bodyHtml(`o${r}`);
      assert.strictEqual(streamed, oneShot, `reply ${r}`);
      assert.ok(oneShot.length > text.length / 2, `reply ${r} rendered`);
      chunked = Math.max(chunked, await page.locator(`.message[data-id="o${r}"] .md-chunk`).count());
    }
    assert.ok(chunked >= 3, `the long reply is in several chunks (${chunked})`);
  });

  test("an answer's DOM is the browser's own parse of the renderer's HTML (prose is built without a parser)", async () => {
    // sanitize.ts builds prose HTML node by node instead of parsing it: the result must be what the
    // browser's parser makes of the same HTML, once chunks and code-block toolbars are taken out.
    const { longReply } = require('../bench/reply') as { longReply(): string };
    const texts = [...REPLIES, longReply().slice(0, 30_000)];
    for (let r = 0; r < texts.length; r++) {
      await view.send(state(`c-parse-${r}`, [assistant(`p${r}`, texts[r])]));
      await view.bodyHtml(`p${r}`);
      const [shown, parsed] = await page.evaluate(([id, html]) => {
        type El = { innerHTML: string; querySelectorAll(s: string): El[]; replaceWith(...n: unknown[]): void; childNodes: unknown[];
          querySelector(s: string): El | null; removeAttribute(a: string): void; cloneNode(deep: boolean): El };
        const doc = (globalThis as unknown as { document: { querySelector(s: string): El | null; createElement(t: string): El } }).document;
        const body = doc.querySelector(`.message[data-id="${id}"] .message-body`);
        if (!body) throw new Error('no body');
        const copy = body.cloneNode(true);
        for (const block of copy.querySelectorAll('.code-block')) {
          const pre = block.querySelector('pre');
          pre?.removeAttribute('tabindex');
          block.replaceWith(pre);
        }
        for (const part of copy.querySelectorAll('.md-chunk, .md-tail')) part.replaceWith(...Array.from(part.childNodes));
        const reference = doc.createElement('div');
        reference.innerHTML = html;
        return [copy.innerHTML, reference.innerHTML];
      }, [`p${r}`, renderMarkdown(texts[r])] as const);
      assert.strictEqual(shown, parsed, `text ${r}`);
    }
  });

  test('while streaming, every frame shows exactly what a fresh render of the same text shows', async () => {
    // The tail is patched, not rebuilt, when words or elements are added at its end (textPatch.ts): after
    // each frame, the streamed body must equal the body of a new message made from the same text.
    const conversation = 'c-frames';
    let frames = 0;
    // The benchmark's answer has what the replies lack: tables with aligned columns, links, many lists.
    const { longReply } = require('../bench/reply') as { longReply(): string };
    const texts = [...REPLIES, longReply().slice(0, 2500)];
    for (let r = 0; r < texts.length; r++) {
      const text = texts[r];
      await view.send(state(conversation, [assistant(`sf${r}`, '', { streaming: true })], true));
      let sent = '';
      for (const piece of chunk(text)) {
        sent += piece;
        await view.stream(conversation, `sf${r}`, [piece], []);
        await view.send(state(conversation, [assistant(`sf${r}`, sent, { streaming: true }), assistant(`fresh${frames}`, sent, { streaming: true })], true));
        const streamed = await view.bodyHtml(`sf${r}`);
        assert.strictEqual(streamed, await view.bodyHtml(`fresh${frames}`), `reply ${r} after ${JSON.stringify(sent.slice(-80))}`);
        frames++;
      }
    }
    assert.ok(frames > 100, `${frames} frames compared`);
  });

  test('a finished block keeps its DOM node while later text streams in; code streams into its element', async () => {
    const conversation = 'c-keep';
    type Doc = { document: { querySelector(s: string): Record<string, unknown> | null } };
    const mark = (pairs: [string, string][]) => page.evaluate(list => {
      const doc = (globalThis as unknown as Doc).document;
      for (const [selector, name] of list) {
        const node = doc.querySelector(selector);
        if (!node) throw new Error(`missing: ${selector}`);
        node.__marker = name;
      }
    }, pairs);
    const marks = (selectors: string[]) => page.evaluate(list => {
      const doc = (globalThis as unknown as Doc).document;
      return list.map(selector => doc.querySelector(selector)?.__marker);
    }, selectors);
    const body = '.message[data-id="k1"] .message-body';
    await view.send(state(conversation, [assistant('k1', '', { streaming: true })], true));
    await view.stream(conversation, 'k1', ['# Title\n\nFirst para', 'graph.\n\nSec'], [0, 1]);
    await mark([[`${body} > .md-chunk > h1`, 'h1'], [`${body} > .md-chunk > p`, 'p']]);
    await view.stream(conversation, 'k1', ['ond paragraph.\n\n', '```js\nlet a = 1;\n\nlet b'], [0, 1]);
    // An open fence: later code only extends its text, in the same element, unhighlighted until it closes.
    await mark([[`${body} > .md-tail code`, 'code']]);
    await view.stream(conversation, 'k1', [' = 2;\n', '  ``', 'x\n'], [0, 1, 2]);
    assert.deepStrictEqual(await marks([`${body} > .md-tail code`]), ['code']);
    assert.strictEqual(await page.locator(`${body} > .md-tail code`).textContent(), 'let a = 1;\n\nlet b = 2;\n  ``x');
    assert.strictEqual(await page.locator(`${body} > .md-tail code .hljs-keyword`).count(), 0);
    await view.stream(conversation, 'k1', ['\n```\n\n- x\n'], [0]);
    assert.strictEqual(await page.locator(`${body} code.language-javascript .hljs-keyword`).count(), 2);
    const text = '# Title\n\nFirst paragraph.\n\nSecond paragraph.\n\n```js\nlet a = 1;\n\nlet b = 2;\n  ``x\n```\n\n- x\n';
    await view.send({ type: 'messageUpdated', conversationId: conversation, message: assistant('k1', text) });
    assert.deepStrictEqual(await marks([`${body} > .md-chunk > h1`, `${body} > .md-chunk > p`]), ['h1', 'p']);
    assert.strictEqual(await page.locator(`${body} > .md-chunk > p`).count(), 2);
    assert.strictEqual(await page.locator(`${body} > .md-tail`).count(), 0);
    assert.strictEqual(await page.locator(`${body} code.language-javascript .hljs-keyword`).count(), 2);
    assert.strictEqual(await page.locator(`${body} code.language-javascript`).textContent(), 'let a = 1;\n\nlet b = 2;\n  ``x');
  });

  test('words streaming into the last paragraph change only its text node; new structure renders anew', async () => {
    const conversation = 'c-words';
    const body = '.message[data-id="w1"] .message-body';
    await view.send(state(conversation, [assistant('w1', '', { streaming: true })], true));
    await view.stream(conversation, 'w1', ['- item one\n- item two is', ' growing'], [0, 1]);
    const markText = () => page.evaluate(sel => {
      const doc = (globalThis as unknown as { document: { querySelector(s: string): { lastChild: Record<string, unknown> | null } | null } }).document;
      const li = doc.querySelector(sel);
      if (!li?.lastChild) throw new Error('no item');
      li.lastChild.__marker = 'text';
    }, `${body} .md-tail li:last-child`);
    const marked = () => page.evaluate(sel => {
      const doc = (globalThis as unknown as { document: { querySelector(s: string): { lastChild: Record<string, unknown> | null } | null } }).document;
      return doc.querySelector(sel)?.lastChild?.__marker;
    }, `${body} .md-tail li:last-child`);
    await markText();
    await view.stream(conversation, 'w1', [' word', ' by', ' word'], [0, 1, 2]);
    assert.strictEqual(await marked(), 'text');
    assert.strictEqual(await page.locator(`${body} .md-tail li:last-child`).textContent(), 'item two is growing word by word');
    // Emphasis closes: the item gets new elements, rendered from the markdown, not patched.
    await view.stream(conversation, 'w1', [' *then', ' emphasis*', ' & more'], [0, 1, 2]);
    assert.strictEqual(await page.locator(`${body} .md-tail li:last-child em`).textContent(), 'then emphasis');
    assert.strictEqual(await page.locator(`${body} .md-tail li:last-child`).textContent(), 'item two is growing word by word then emphasis & more');
    const text = '- item one\n- item two is growing word by word *then emphasis* & more';
    await view.send({ type: 'messageUpdated', conversationId: conversation, message: assistant('w1', text) });
    const streamed = await view.bodyHtml('w1');
    await view.send(state('c-words-one', [assistant('w2', text)]));
    assert.strictEqual(streamed, await view.bodyHtml('w2'));
  });

  test('a repeated state keeps existing message elements; malformed host data is skipped', async () => {
    const messages = [user('m1', 'Q'), assistant('m2', '# A\n\nB')];
    await view.send(state('c-reuse', messages));
    await page.evaluate(() => {
      const doc = (globalThis as unknown as { document: { querySelector(s: string): Record<string, unknown> | null } }).document;
      const h1 = doc.querySelector('.message[data-id="m2"] h1');
      if (h1) h1.__marker = 'kept';
    });
    await view.send(state('c-reuse', [...messages, assistant('m3', 'more')]));
    const marker = await page.evaluate(() => {
      const doc = (globalThis as unknown as { document: { querySelector(s: string): Record<string, unknown> | null } }).document;
      return doc.querySelector('.message[data-id="m2"] h1')?.__marker;
    });
    assert.strictEqual(marker, 'kept');

    const raw = (m: unknown): HostMessage => m as HostMessage;
    await view.send(
      raw({ type: 'bogus' }),
      raw({ type: 'state', state: { conversation: { id: 'c-bad', messages: [{ id: 1 }, null, { id: 'x', role: 'system', text: '' }, user('ok', 'fine')] }, model: 7 } }),
      raw({ type: 'append', conversationId: 'c-bad', messageId: 'missing', text: 'x' }),
      raw({ type: 'messageUpdated', conversationId: 'c-bad', message: { id: 'ok' } }),
    );
    assert.deepStrictEqual(await page.locator('.message').evaluateAll(els => els.map(e => (e as unknown as { dataset: { id: string } }).dataset.id)), ['ok']);
    assert.strictEqual(await page.locator('.message-text').textContent(), 'fine');

    // Malformed summaries, setup and chips are dropped one by one.
    await view.send(
      raw({
        type: 'state',
        state: {
          conversation: { id: 'c-bad2', title: 'T', messages: [] },
          conversations: [{ id: 'good', title: 'Good', updatedAt: 1, messageCount: 1 }, { id: 'bad', title: 'Bad' }, 'x'],
          setup: { reason: 'somethingElse', detail: 'x' },
          chips: [{ id: 'c', kind: 'file', label: 'a.ts', detail: 'a.ts', tokens: 3 }, { id: 'd' }],
          model: 'm',
          streaming: false,
        },
      }),
    );
    assert.ok(await page.locator('.setup-card').isHidden());
    assert.deepStrictEqual(await page.locator('.chip-label').allTextContents(), ['a.ts']);
    await page.locator('#conversations').click();
    assert.deepStrictEqual(await page.locator('.conversation-name').allTextContents(), ['Good']);
    await page.keyboard.press('Escape');
  });

  test('a streaming answer keeps the view at its end until the user scrolls up, and again once back at the end', async () => {
    const conversation = 'c-follow';
    const scroller = page.locator('.conversation');
    const position = () => scroller.evaluate(e => ({ top: e.scrollTop, gap: e.scrollHeight - e.scrollTop - e.clientHeight }));
    /** Scrolls as the user would and resolves once the view's scroll listener has seen it (a frame later). */
    const scrollTo = (where: 'top' | 'end' | number) => scroller.evaluate((e, to) => new Promise<void>(resolve => {
      const target = to === 'top' ? 0 : to === 'end' ? e.scrollHeight - e.clientHeight : to;
      if (Math.abs(e.scrollTop - target) < 1) return resolve();
      e.addEventListener('scroll', () => requestAnimationFrame(() => resolve()), { once: true });
      e.scrollTop = target;
    }), where);
    await view.send(state(conversation, [user('f-q', 'Long answer please'), assistant('f-a', '', { streaming: true })], true));
    const paragraph = (i: number) => `Paragraph ${i}: ${'words that wrap over several lines of the narrow view '.repeat(4)}\n\n`;
    await view.stream(conversation, 'f-a', Array.from({ length: 30 }, (_, i) => paragraph(i)), [9, 19, 29]);
    let p = await position();
    assert.ok(p.top > 500 && p.gap <= 2, `followed the answer to its end: ${JSON.stringify(p)}`);

    // Scrolled up: new text arrives below and the view stays where the user put it.
    await scrollTo(100);
    await view.stream(conversation, 'f-a', Array.from({ length: 10 }, (_, i) => paragraph(30 + i)), [9]);
    p = await position();
    assert.strictEqual(p.top, 100);
    assert.ok(p.gap > 500, `the answer grew below: ${JSON.stringify(p)}`);

    // Back at the end: following again, also when the answer finishes.
    await scrollTo('end');
    const rest = Array.from({ length: 10 }, (_, i) => paragraph(40 + i));
    await view.stream(conversation, 'f-a', rest, [9]);
    p = await position();
    assert.ok(p.gap <= 2, `followed again: ${JSON.stringify(p)}`);
    const text = Array.from({ length: 50 }, (_, i) => paragraph(i)).join('') + '```js\nlet done = true;\n```\n';
    await view.send({ type: 'messageUpdated', conversationId: conversation, message: assistant('f-a', text, { usage: { promptTokens: 10, completionTokens: 900, estimated: false } }) });
    await page.evaluate(() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r))));
    p = await position();
    assert.ok(p.gap <= 2, `still at the end after the answer finished: ${JSON.stringify(p)}`);

    // Scrolled up, the user asks again: the new question and its answer are followed.
    await scrollTo('top');
    await page.locator('#prompt').fill('And then?');
    await page.keyboard.press('Enter');
    const messages = [user('f-q', 'Long answer please'), assistant('f-a', text), user('f-q2', 'And then?'), assistant('f-a2', '', { streaming: true })];
    await view.send(state(conversation, messages, true));
    await view.stream(conversation, 'f-a2', Array.from({ length: 10 }, (_, i) => paragraph(60 + i)), [9]);
    p = await position();
    assert.ok(p.gap <= 2, `followed the new question's answer: ${JSON.stringify(p)}`);
  });

  test('a long conversation opens at its end at once; earlier answers render when idle or when scrolled to', async () => {
    const conversation = 'c-history';
    const answer = (i: number) => `## Answer ${i}\n\n${'Some explanation that goes on for a while. '.repeat(30)}\n\n\`\`\`ts\nconst value${i} = ${i};\n\`\`\`\n`;
    const messages: ChatMessage[] = [];
    for (let i = 0; i < 60; i++) messages.push(user(`h-q${i}`, `Question ${i}`), assistant(`h-a${i}`, answer(i)));
    const pendingIn = (id: string) => page.locator(`.message[data-id="${id}"] .md-pending`).count();
    // The end of the conversation is rendered with the state; the beginning is not yet. Read in the task
    // that handled the state, before any idle time (on a slow machine the queue may drain while a test
    // waits for frames).
    /**
     * Delivers `msgs` one after another, reading after each (in the task that handled it, before any idle
     * time) which of `ids` still wait and their titles.
     */
    const deliver = (msgs: HostMessage[], ids: string[]) => page.evaluate(async ({ msgs, ids }) => {
      const w = globalThis as unknown as { postMessage(m: unknown, o: string): void; setTimeout(f: () => void, ms: number): void; document: { querySelector(s: string): { textContent: string | null } | null } };
      const q = (sel: string) => w.document.querySelector(sel);
      const readings = [];
      for (const msg of msgs) {
        w.postMessage(msg, '*');
        await new Promise<void>(r => w.setTimeout(r, 0));
        readings.push(ids.map(id => ({ id, waits: !!q(`.message[data-id="${id}"] .md-pending`), title: q(`.message[data-id="${id}"] h2`)?.textContent ?? null })));
      }
      return readings;
    }, { msgs, ids });
    assert.deepStrictEqual(await deliver([state(conversation, messages)], ['h-a59', 'h-a0']),
      [[{ id: 'h-a59', waits: false, title: 'Answer 59' }, { id: 'h-a0', waits: true, title: null }]], 'the last answer is shown at once; the first waits');
    // Scrolled to the top, the first answer renders on the next frames.
    await page.locator('.conversation').evaluate(e => { e.scrollTop = 0; });
    await page.waitForFunction(() => (globalThis as unknown as { document: { querySelector(s: string): { textContent: string } | null } }).document
      .querySelector('.message[data-id="h-a0"] h2')?.textContent === 'Answer 0', null, { timeout: 2000 });
    // The rest renders in idle time, each answer exactly as it would at once.
    await page.waitForFunction(() => !(globalThis as unknown as { document: { querySelector(s: string): unknown } }).document.querySelector('.md-pending'), null, { timeout: 10_000 });
    assert.strictEqual(await page.locator('.message.assistant .message-body h2').count(), 60);
    assert.strictEqual(await page.locator('.message.assistant code.language-typescript').count(), 60);
    assert.strictEqual(await page.locator('.message[data-id="h-a30"] .message-body [style]').count(), 0);
    const html30 = await view.bodyHtml('h-a30');
    await view.send(state('c-history-one', [assistant('h-one', answer(30))]));
    assert.strictEqual(await view.bodyHtml('h-one'), html30);

    // An answer still waiting in the queue that changes (regenerated) renders the new text, and only that.
    const [queued] = await deliver([state('c-history-2', messages), { type: 'messageUpdated', conversationId: 'c-history-2', message: assistant('h-a1', '', { streaming: true }) }], ['h-a1']);
    assert.strictEqual(queued[0].waits, true, 'the second answer waits when it is regenerated');
    await view.stream('c-history-2', 'h-a1', ['New ', 'answer ', 'text.'], [2]);
    await view.send({ type: 'messageUpdated', conversationId: 'c-history-2', message: assistant('h-a1', 'New answer text.') });
    assert.strictEqual(await pendingIn('h-a1'), 0);
    assert.strictEqual((await page.locator('.message[data-id="h-a1"] .message-body').textContent())?.trim(), 'New answer text.');
    assert.strictEqual(await page.locator('.message[data-id="h-a1"] .message-body[style], .message[data-id="h-a1"] .message-body.md-pending').count(), 0);
  });

  test('while streaming: typing indicator, busy state, Stop posts stop; then "Answer finished"', async () => {
    const conversation = 'c-stop';
    await view.send(state(conversation, [user('q', 'Hi'), assistant('r', 'Hel', { streaming: true })], true));
    const msg = page.locator('.message[data-id="r"]');
    assert.ok(await msg.locator('.typing-indicator').isVisible());
    assert.strictEqual(await msg.getAttribute('aria-busy'), 'true');
    assert.ok(await page.locator('#stop').isVisible());
    await view.clearPosted();
    await page.locator('#stop').click();
    assert.deepStrictEqual(await view.posted(), [{ type: 'stop' }]);

    await view.send({ type: 'messageUpdated', conversationId: conversation, message: assistant('r', 'Hello', { stopped: true }) });
    assert.ok(await page.locator('#stop').isHidden(), 'Stop hides when the last streaming answer ends');
    assert.strictEqual(await msg.locator('.message-stopped').textContent(), 'Stopped');
    assert.strictEqual(await msg.locator('.typing-indicator').count(), 0);
    assert.strictEqual(await msg.getAttribute('aria-busy'), null);

    await view.send(state(conversation, [user('q', 'Hi'), assistant('r', 'Hello'), assistant('r2', '', { streaming: true })], true));
    assert.ok(await page.locator('#stop').isVisible());
    // The dots pulse while the answer has no text, and stop once text streams (no restyle on every frame).
    const dots = page.locator('.message[data-id="r2"] .typing-dot').first();
    const animation = () => dots.evaluate(e => (globalThis as unknown as { getComputedStyle(e: unknown): { animationName: string } }).getComputedStyle(e).animationName);
    assert.strictEqual(await animation(), 'tandem-typing');
    await view.stream(conversation, 'r2', ['Do'], []);
    assert.ok(await page.locator('.message[data-id="r2"] .typing-indicator').isVisible());
    assert.strictEqual(await animation(), 'none');
    await view.send(state(conversation, [user('q', 'Hi'), assistant('r', 'Hello'), assistant('r2', 'Done.')], false));
    assert.ok(await page.locator('#stop').isHidden());
    await page.waitForFunction(() => {
      const doc = (globalThis as unknown as { document: { getElementById(id: string): { textContent: string | null } | null } }).document;
      return doc.getElementById('announcer')?.textContent === 'Answer finished';
    });
    assert.strictEqual(await page.locator('#announcer').getAttribute('aria-live'), 'polite');
    assert.strictEqual(await page.locator('#messages').getAttribute('role'), 'log');
  });

  test('error actions post errorAction for their message', async () => {
    const conversation = 'c-error';
    await view.send(
      state(conversation, [
        user('q', 'Hi'),
        assistant('e1', '', {
          error: { kind: 'missingKey', message: 'No API key is set for api.openai.com.', actions: ['setApiKey', 'openSettings', 'retry', 'showLog'] },
        }),
      ]),
    );
    const box = page.locator('.message[data-id="e1"] .message-error');
    assert.match((await box.textContent()) ?? '', /No API key is set/);
    const buttons = box.locator('button');
    assert.deepStrictEqual(await buttons.allTextContents(), ['Set API Key', 'Open Settings', 'Retry', 'Show Log']);
    await view.clearPosted();
    for (let i = 0; i < 4; i++) await buttons.nth(i).click();
    assert.deepStrictEqual(await view.posted(), [
      { type: 'errorAction', messageId: 'e1', action: 'setApiKey' },
      { type: 'errorAction', messageId: 'e1', action: 'openSettings' },
      { type: 'errorAction', messageId: 'e1', action: 'retry' },
      { type: 'errorAction', messageId: 'e1', action: 'showLog' },
    ]);
  });

  test('Enter sends the question, Shift+Enter adds a line, empty input sends nothing; focusInput focuses', async () => {
    await view.send(state('c-compose', []));
    await view.send({ type: 'focusInput' });
    assert.strictEqual(await page.evaluate(() => (globalThis as unknown as { document: { activeElement: { id: string } | null } }).document.activeElement?.id), 'prompt');
    await view.clearPosted();
    const prompt = page.locator('#prompt');
    await page.keyboard.press('Enter');
    await page.keyboard.type('   ');
    await page.keyboard.press('Enter');
    assert.deepStrictEqual(await view.posted(), []);
    await prompt.fill('');
    await page.keyboard.type('first line');
    await page.keyboard.press('Shift+Enter');
    await page.keyboard.type('second line');
    assert.deepStrictEqual(await view.posted(), []);
    assert.strictEqual(await prompt.inputValue(), 'first line\nsecond line');
    await page.keyboard.press('Enter');
    assert.deepStrictEqual(await view.posted(), [{ type: 'ask', text: 'first line\nsecond line' }]);
    assert.strictEqual(await prompt.inputValue(), '');
    await prompt.fill('via button');
    await page.locator('#send').click();
    assert.deepStrictEqual((await view.posted()).slice(1), [{ type: 'ask', text: 'via button' }]);
  });

  test('a question or an edit longer than the host takes is kept, not sent, and says why', async () => {
    const long = 'x'.repeat(1_000_001);
    await view.send(state('c-long-q', [user('lq1', 'Short question'), assistant('la1', 'Answer')]));
    await view.clearPosted();
    const prompt = page.locator('#prompt');
    await prompt.fill(long);
    await page.locator('#send').click();
    assert.deepStrictEqual(await view.posted(), []);
    assert.strictEqual((await prompt.inputValue()).length, long.length);
    assert.match((await page.locator('#token-estimate').textContent()) ?? '', /Too long to send: 1,000,001 characters, at most 1,000,000/);
    assert.strictEqual(await prompt.getAttribute('aria-invalid'), 'true');
    // Shortened, it goes.
    await prompt.fill('x'.repeat(1_000_000));
    await page.locator('#send').click();
    assert.deepStrictEqual((await view.posted()).map(m => m.type), ['ask']);
    assert.strictEqual(await prompt.getAttribute('aria-invalid'), null);

    await view.clearPosted();
    await page.locator('.message[data-id="lq1"] [data-message-action="edit"]').click();
    const box = page.locator('.message[data-id="lq1"] .edit-input');
    await box.fill(long);
    await page.locator('.message[data-id="lq1"] .edit-send').click();
    assert.deepStrictEqual(await view.posted(), []);
    assert.strictEqual((await box.inputValue()).length, long.length);
    assert.match((await page.locator('.message[data-id="lq1"] .edit-too-long').textContent()) ?? '', /Too long to send/);
  });

  test('an http link posts openLink; command:, mailto: and injected unsafe links post nothing', async () => {
    await view.send(
      state('c-links', [
        assistant('l1', 'Open [the site](https://example.com/docs?a=1) or [quit](command:workbench.action.quit) or [mail](mailto:a@example.com) or [top](#top).'),
      ]),
    );
    const body = page.locator('.message[data-id="l1"] .message-body');
    assert.deepStrictEqual(await body.locator('a').allTextContents(), ['the site', 'mail', 'top']);
    assert.match((await body.textContent()) ?? '', /\[quit\]\(command:workbench\.action\.quit\)/);
    const url = page.url();
    await view.clearPosted();
    await body.locator('a', { hasText: 'the site' }).click();
    assert.deepStrictEqual(await view.posted(), [{ type: 'openLink', href: 'https://example.com/docs?a=1' }]);
    await view.clearPosted();
    await body.locator('a', { hasText: 'mail' }).click();
    await body.locator('a', { hasText: 'top' }).click();
    await body.getByText('command:workbench').click();
    // An anchor that got past every rendering layer still does nothing.
    await page.evaluate(() => {
      const doc = (globalThis as unknown as {
        document: { createElement(t: string): { href: string; textContent: string; id: string }; querySelector(s: string): { append(n: unknown): void } | null };
      }).document;
      const a = doc.createElement('a');
      a.href = 'command:workbench.action.quit';
      a.textContent = 'injected';
      a.id = 'injected';
      doc.querySelector('.message[data-id="l1"] .message-body')?.append(a);
    });
    await page.locator('#injected').click();
    assert.deepStrictEqual(await view.posted(), []);
    assert.strictEqual(page.url(), url, 'the webview never navigates');
    assert.deepStrictEqual(await view.linkClicksReachingWindow(), [], 'no link click reaches VS Code\'s own handler');
  });

  test('every button is reachable with Tab and shows a focus outline', async () => {
    await view.send(
      state('c-keys', [
        user('q', 'Hi'),
        assistant('a', `Text\n\n${fence}js\nlet a;\n${fence}\n`, { error: { kind: 'server', message: 'Server error.', actions: ['retry'] } }),
      ], true),
    );
    const total = await page.evaluate(() => {
      const doc = (globalThis as unknown as { document: { querySelectorAll(s: string): ArrayLike<{ dataset: Record<string, string> }> } }).document;
      const buttons = doc.querySelectorAll('button');
      let visible = 0;
      for (let i = 0; i < buttons.length; i++) {
        const b = buttons[i] as unknown as { dataset: Record<string, string>; checkVisibility(): boolean };
        if (b.checkVisibility()) b.dataset.tabTest = String(visible++);
      }
      return visible;
    });
    // The conversation bar (Rename, Conversations, New, Export), Edit, the code block's Copy, Insert and
    // "…", Retry, the answer's Copy, Regenerate and Open in Editor, "+ File", the model picker, Stop and Send.
    assert.strictEqual(total, 16);
    await page.evaluate(() => {
      (globalThis as unknown as { document: { activeElement: { blur(): void } | null } }).document.activeElement?.blur();
    });
    const seen = new Set<string>();
    for (let i = 0; i < 40 && seen.size < total; i++) {
      await page.keyboard.press('Tab');
      const focused = await page.evaluate(() => {
        const doc = (globalThis as unknown as {
          document: { activeElement: { tagName: string; dataset: Record<string, string> } | null };
          getComputedStyle(e: unknown): { outlineStyle: string; outlineWidth: string };
        });
        const el = doc.document.activeElement;
        if (!el || el.tagName !== 'BUTTON') return undefined;
        const style = doc.getComputedStyle(el);
        return { id: el.dataset.tabTest, outline: style.outlineStyle !== 'none' && style.outlineWidth !== '0px' };
      });
      if (focused?.id !== undefined) {
        assert.ok(focused.outline, `button ${focused.id} has a visible focus outline`);
        seen.add(focused.id);
      }
    }
    assert.strictEqual(seen.size, total);
  });

  test('the conversation bar: list, open, delete, rename, new, export, and Clear All only after confirming', async () => {
    const now = Date.now();
    const conversations: ConversationSummary[] = [
      { id: 'c-bar', title: 'Current talk', updatedAt: now - 2 * 3_600_000 - 60_000, messageCount: 2 },
      { id: 'c-old', title: 'Older talk', updatedAt: now - 3 * 86_400_000, messageCount: 1 },
      { id: 'c-untitled', title: '', updatedAt: now - 8 * 86_400_000, messageCount: 12 },
    ];
    await view.send(state('c-bar', [user('q', 'Hi'), assistant('a', 'Hello')], false, undefined, { title: 'Current talk', conversations }));
    assert.strictEqual(await page.locator('#conversation-title').textContent(), 'Current talk');
    const panel = page.locator('#conversation-panel');
    const toggle = page.locator('#conversations');
    assert.ok(await panel.isHidden());

    await view.clearPosted();
    await toggle.click();
    assert.ok(await panel.isVisible());
    assert.strictEqual(await toggle.getAttribute('aria-expanded'), 'true');
    const rows = panel.locator('.conversation-row');
    assert.deepStrictEqual(await rows.locator('.conversation-name').allTextContents(), ['Current talk', 'Older talk', 'New conversation']);
    assert.deepStrictEqual(await rows.locator('.conversation-when').allTextContents().then(t => t.slice(0, 2)), ['2 h ago', '3 d ago']);
    assert.deepStrictEqual(await rows.locator('.conversation-count').allTextContents(), ['2 messages', '1 message', '12 messages']);
    assert.strictEqual(await rows.nth(0).locator('.conversation-open').getAttribute('aria-current'), 'true');
    assert.strictEqual(await rows.nth(1).locator('.conversation-delete').getAttribute('aria-label'), 'Delete “Older talk”');
    // The open conversation's row has focus; Tab walks the rows; Escape closes and returns to the toggle.
    assert.match((await view.focused())?.text ?? '', /^Current talk/);
    await page.keyboard.press('Tab');
    assert.strictEqual((await view.focused())?.label, 'Delete “Current talk”');
    await page.keyboard.press('Escape');
    assert.ok(await panel.isHidden());
    assert.strictEqual((await view.focused())?.id, 'conversations');
    assert.strictEqual(await toggle.getAttribute('aria-expanded'), 'false');

    // Open with the keyboard.
    await page.keyboard.press('Enter');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    assert.match((await view.focused())?.text ?? '', /^Older talk/);
    await page.keyboard.press('Enter');
    assert.ok(await panel.isHidden());
    assert.deepStrictEqual(await view.posted(), [{ type: 'openConversation', id: 'c-old' }]);

    // Delete, then the host's shorter list keeps focus in the list.
    await view.clearPosted();
    await toggle.click();
    await rows.nth(1).locator('.conversation-delete').click();
    assert.deepStrictEqual(await view.posted(), [{ type: 'deleteConversation', id: 'c-old' }]);
    await view.send(state('c-bar', [user('q', 'Hi'), assistant('a', 'Hello')], false, undefined, { title: 'Current talk', conversations: [conversations[0], conversations[2]] }));
    assert.strictEqual(await rows.count(), 2);
    assert.strictEqual((await view.focused())?.label, 'Delete “New conversation”');

    // Clear All asks first: the first click only arms it.
    await view.clearPosted();
    const clear = page.locator('#clear-conversations');
    await clear.click();
    assert.strictEqual(await clear.textContent(), 'Confirm Clear All');
    assert.deepStrictEqual(await view.posted(), []);
    await page.keyboard.press('Escape');
    await toggle.click();
    assert.strictEqual(await clear.textContent(), 'Clear All', 'closing the list disarms it');
    await clear.click();
    // The behaviour under test is a delay: a second click counts only 300 ms after the first armed it.
    // Waited on the page's own clock from the moment the button shows it is armed.
    await page.waitForSelector('#clear-conversations.armed');
    const armedAt = await page.evaluate(() => Date.now());
    await page.waitForFunction(t => Date.now() - t >= 320, armedAt, { timeout: 5000 });
    await clear.click();
    assert.deepStrictEqual(await view.posted(), [{ type: 'clearConversations' }]);
    assert.ok(await panel.isHidden());

    // Rename: Escape cancels, Enter saves; the title is a click target too.
    await view.clearPosted();
    await page.locator('#rename-conversation').click();
    const input = page.locator('#rename-input');
    assert.strictEqual(await input.inputValue(), 'Current talk');
    await input.fill('Not this');
    await page.keyboard.press('Escape');
    assert.strictEqual(await input.count(), 0);
    assert.strictEqual(await page.locator('#conversation-title').textContent(), 'Current talk');
    assert.strictEqual((await view.focused())?.id, 'rename-conversation');
    await page.locator('#conversation-title').click();
    await input.fill('Renamed talk');
    await page.keyboard.press('Enter');
    assert.strictEqual(await page.locator('#conversation-title').textContent(), 'Renamed talk');

    await page.locator('#new-conversation').click();
    await page.locator('#export-conversation').click();
    assert.deepStrictEqual(await view.posted(), [
      { type: 'renameConversation', id: 'c-bar', title: 'Renamed talk' },
      { type: 'newConversation' },
      { type: 'exportConversation', id: 'c-bar' },
    ]);
  });

  test('the conversation list shows each log\'s size, and a damaged one with its reason, Open File and Delete', async () => {
    const now = Date.now();
    const conversations: ConversationSummary[] = [
      { id: 'c-ok', title: 'Fine talk', updatedAt: now - 60_000, messageCount: 4, bytes: 12_800 },
      { id: 'c-big', title: 'Big talk', updatedAt: now - 120_000, messageCount: 40, bytes: 3_565_158 },
      { id: 'c-bad', title: 'c-bad', updatedAt: now - 180_000, messageCount: 0, bytes: 2048, damaged: 'no readable line (3 damaged)' },
    ];
    await view.send(state('c-ok', [user('q', 'Hi'), assistant('a', 'Hello')], false, undefined, { title: 'Fine talk', conversations }));
    await view.clearPosted();
    await page.locator('#conversations').click();
    const rows = page.locator('#conversation-panel .conversation-row');
    assert.deepStrictEqual(await rows.locator('.conversation-size').allTextContents(), ['13 KB', '3.4 MB']);
    const bad = rows.nth(2);
    assert.strictEqual(await bad.locator('.conversation-damaged').textContent(), 'Damaged: no readable line (3 damaged)');
    assert.ok(await bad.locator('.conversation-open').isDisabled(), 'a damaged conversation cannot be opened');
    await bad.locator('.conversation-file').click();
    await bad.locator('.conversation-delete').click();
    assert.deepStrictEqual(await view.posted(), [{ type: 'openConversationFile', id: 'c-bad' }, { type: 'deleteConversation', id: 'c-bad' }]);
    await page.keyboard.press('Escape');
  });

  test('message actions: Copy, Regenerate (last answer only), Open in Editor, Edit and resend', async () => {
    const messages = [user('q1', 'First'), assistant('a1', 'One'), user('q2', 'Second'), assistant('a2', 'Two')];
    await view.send(state('c-actions', messages));
    const actions = (id: string) => page.locator(`.message[data-id="${id}"] .message-actions button:visible`);
    assert.deepStrictEqual(await actions('a1').allTextContents(), ['Copy', 'Open in Editor']);
    assert.deepStrictEqual(await actions('a2').allTextContents(), ['Copy', 'Regenerate', 'Open in Editor']);
    assert.deepStrictEqual(await actions('q1').allTextContents(), ['Edit']);
    for (const b of await actions('a2').all()) {
      assert.ok(await b.getAttribute('aria-label'));
      assert.ok(await b.getAttribute('title'));
    }
    await view.clearPosted();
    await actions('a2').nth(1).click();
    await actions('a1').nth(0).click();
    await actions('a1').nth(1).click();
    assert.deepStrictEqual(await view.posted(), [
      { type: 'regenerate', messageId: 'a2' },
      { type: 'copyMessage', messageId: 'a1' },
      { type: 'openAnswerInEditor', messageId: 'a1' },
    ]);

    // Edit: Escape cancels; Send (or Enter) posts editAndResend with the new text.
    await view.clearPosted();
    const q1 = page.locator('.message[data-id="q1"]');
    await actions('q1').first().click();
    const box = q1.locator('.edit-input');
    assert.strictEqual(await box.inputValue(), 'First');
    assert.strictEqual((await view.focused())?.className, 'edit-input');
    assert.ok(await q1.locator('.message-text').isHidden());
    await box.fill('Changed');
    await page.keyboard.press('Escape');
    assert.strictEqual(await box.count(), 0);
    assert.strictEqual(await q1.locator('.message-text').textContent(), 'First');
    await actions('q1').first().click();
    await box.fill('First, edited\n');
    await q1.locator('.edit-send').click();
    await actions('q1').first().click();
    await box.fill('Again');
    await page.keyboard.press('Enter');
    assert.deepStrictEqual(await view.posted(), [
      { type: 'editAndResend', messageId: 'q1', text: 'First, edited' },
      { type: 'editAndResend', messageId: 'q1', text: 'Again' },
    ]);

    // No actions on an answer still streaming; Regenerate moves to the newest answer.
    await view.send(state('c-actions', [...messages, user('q3', 'Third'), assistant('a3', 'Thr', { streaming: true })], true));
    assert.ok(await page.locator('.message[data-id="a3"] .message-actions').isHidden());
    assert.deepStrictEqual(await actions('a2').allTextContents(), ['Copy', 'Open in Editor']);
    await view.send({ type: 'messageUpdated', conversationId: 'c-actions', message: assistant('a3', 'Three') });
    assert.deepStrictEqual(await actions('a3').allTextContents(), ['Copy', 'Regenerate', 'Open in Editor']);
  });

  test('context chips: shown with tooltips, × removes one, ask carries the rest; the token estimate follows', async () => {
    const chips: ContextChip[] = [
      { id: 'sel', kind: 'selection', label: 'sample.ts:2-8', detail: 'src/sample.ts, lines 2–8', tokens: 120 },
      { id: 'f1', kind: 'file', label: 'README.md', detail: 'README.md', tokens: 1000 },
    ];
    await view.send(state('c-chips', [], false, undefined, { chips }));
    const chip = page.locator('.chip');
    const estimate = page.locator('#token-estimate');
    const tokens = async (): Promise<number> => Number(/^≈([\d,]+) tokens$/.exec((await estimate.textContent()) ?? '')?.[1].replace(/,/g, '') ?? NaN);
    assert.deepStrictEqual(await chip.locator('.chip-label').allTextContents(), ['sample.ts:2-8', 'README.md']);
    assert.strictEqual(await chip.nth(0).locator('.chip-label').getAttribute('title'), 'src/sample.ts, lines 2–8\n≈120 tokens');
    assert.strictEqual(await chip.nth(1).locator('.chip-remove').getAttribute('aria-label'), 'Remove README.md from the context');
    assert.strictEqual(await estimate.textContent(), '≈1,120 tokens');

    const prompt = page.locator('#prompt');
    await prompt.focus();
    await page.keyboard.type('Why does this loop never end?');
    await view.send();
    const typed = await tokens();
    assert.ok(typed > 1120 && typed < 1140, `estimate with text: ${typed}`);

    await view.clearPosted();
    await chip.nth(1).locator('.chip-remove').click();
    assert.deepStrictEqual(await chip.locator('.chip-label').allTextContents(), ['sample.ts:2-8']);
    await view.send();
    assert.strictEqual(await tokens(), typed - 1000);
    await prompt.press('Enter');
    await page.locator('#add-file').click();
    assert.deepStrictEqual(await view.posted(), [
      { type: 'removeChip', id: 'f1' },
      { type: 'ask', text: 'Why does this loop never end?', chips: ['sel'] },
      { type: 'pickFile' },
    ]);
    await view.send();
    assert.strictEqual(await estimate.textContent(), '≈120 tokens');

    // The host's chips message replaces them (malformed chips are dropped).
    const raw = (m: unknown): HostMessage => m as HostMessage;
    await view.send(raw({ type: 'chips', chips: [...chips, { id: 'bad', kind: 'folder', label: 'x', detail: 'x', tokens: 5 }, { id: 'f2', kind: 'file', label: 'a.ts', detail: 'src/a.ts', tokens: 'many' }] }));
    assert.deepStrictEqual(await chip.locator('.chip-label').allTextContents(), ['sample.ts:2-8', 'README.md']);
    assert.strictEqual(await estimate.textContent(), '≈1,120 tokens');
    await view.send({ type: 'chips', chips: [] });
    assert.strictEqual(await chip.count(), 0);
    assert.ok(await estimate.isHidden(), 'nothing to estimate');
  });

  test('# mentions with the keyboard only: open, filter, choose, refused choices, chips with spoken names, remove one, send', async () => {
    const instructions: ContextChip = { id: 'instructions', kind: 'instructions', label: 'Instructions', detail: 'AGENTS.md at the workspace root, added to the system prompt', tokens: 300 };
    await view.send(state('c-mentions', [], false, undefined, { chips: [instructions] }));
    await view.clearPosted();
    const prompt = page.locator('#prompt');
    const options = page.locator('#mention-list [role="option"]');
    const status = page.locator('#mention-status');
    /** The last post of a type, once the view has made it (the picker asks the host after a short pause). */
    const lastPosted = async <T extends WebviewMessage['type']>(type: T, match: (m: Extract<WebviewMessage, { type: T }>) => boolean = () => true): Promise<Extract<WebviewMessage, { type: T }>> => {
      await page.waitForFunction(({ type }) => (globalThis as unknown as { __posted: { type: string }[] }).__posted.some(m => m.type === type), { type }, { timeout: 10_000 });
      for (const end = Date.now() + 10_000; Date.now() < end; await page.waitForTimeout(20)) {
        const found = (await view.posted()).filter((m): m is Extract<WebviewMessage, { type: T }> => m.type === type && match(m as Extract<WebviewMessage, { type: T }>)).pop();
        if (found) return found;
      }
      throw new Error(`no ${type} post matching`);
    };

    // The box is a combobox that owns the picker's listbox.
    assert.strictEqual(await prompt.getAttribute('role'), 'combobox');
    assert.strictEqual(await prompt.getAttribute('aria-expanded'), 'false');
    await prompt.focus();
    await page.keyboard.type('Why does #');
    assert.strictEqual(await prompt.getAttribute('aria-expanded'), 'true');
    assert.strictEqual(await prompt.getAttribute('aria-controls'), 'mention-list');
    assert.strictEqual(await page.locator('#mention-list').getAttribute('role'), 'listbox');
    assert.deepStrictEqual(await options.locator('.mention-label').allTextContents(), ['#file', '#symbol', '#problems', '#changes', '#terminal', '#selection']);
    assert.strictEqual(await prompt.getAttribute('aria-activedescendant'), 'mention-option-0');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    assert.strictEqual(await prompt.getAttribute('aria-activedescendant'), 'mention-option-2');
    assert.strictEqual(await options.nth(2).getAttribute('aria-selected'), 'true');
    await page.keyboard.press('ArrowUp');
    await page.keyboard.press('ArrowUp');
    await page.keyboard.press('ArrowUp'); // wraps to the last
    assert.strictEqual(await prompt.getAttribute('aria-activedescendant'), 'mention-option-5');

    // Filtered as the user types; Enter on #file moves on to the files.
    await page.keyboard.type('fi');
    assert.deepStrictEqual(await options.locator('.mention-label').allTextContents(), ['#file']);
    await page.keyboard.press('Enter');
    assert.strictEqual(await prompt.inputValue(), 'Why does #file:');
    await page.keyboard.type('smp');
    const q = await lastPosted('mentionQuery', m => m.query === 'smp');
    assert.strictEqual(q.kind, 'file');
    await view.send({ type: 'mentionItems', requestId: q.requestId, items: [
      { id: 'm1', label: 'sample.ts', detail: 'src/sample.ts' },
      { id: 'm2', label: 'sample.bin', detail: 'assets/sample.bin', disabled: 'a binary file; Tandem sends text only' },
    ] });
    assert.deepStrictEqual(await options.locator('.mention-label').allTextContents(), ['sample.ts', 'sample.bin']);
    assert.strictEqual(await options.nth(1).getAttribute('aria-disabled'), 'true');
    await page.screenshot({ path: path.join(SHOTS, 'webview-mention-picker.png') });
    // A refused file is not attached; the reason is said.
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    assert.strictEqual(await status.textContent(), 'Not available: a binary file; Tandem sends text only');
    assert.ok(!(await view.posted()).some(m => m.type === 'addMention'));
    await page.keyboard.press('ArrowUp');
    await page.keyboard.press('Enter');
    const add = await lastPosted('addMention');
    assert.deepStrictEqual({ ...add, requestId: 0 }, { type: 'addMention', requestId: 0, kind: 'file', item: 'm1' });
    assert.strictEqual(await prompt.inputValue(), 'Why does ', 'the typed mention gives way to the chip');
    assert.strictEqual(await prompt.getAttribute('aria-expanded'), 'false');
    const fileChip: ContextChip = { id: 'mention:1', kind: 'file', label: '#file sample.ts', detail: 'src/sample.ts, lines 1-12', tokens: 95, note: '1 secret(s) will be replaced with [REDACTED]' };
    await view.send({ type: 'mentionResult', requestId: add.requestId }, { type: 'chips', chips: [instructions, fileChip] });

    // A mention the host cannot attach says why, and what to do.
    await page.keyboard.type('#ch');
    await page.keyboard.press('Enter');
    const changes = await lastPosted('addMention', m => m.kind === 'changes');
    assert.strictEqual(changes.item, undefined);
    await view.send({ type: 'mentionResult', requestId: changes.requestId, error: 'Git is turned off in VS Code ("git.enabled" is false). Turn it on to use #changes.' });
    assert.match(await status.textContent() ?? '', /Git is turned off/);
    assert.ok(await status.isVisible());
    assert.strictEqual(await status.getAttribute('role'), 'status');

    // Escape closes the picker and leaves the text.
    await page.keyboard.type('#sel');
    assert.ok(await options.first().isVisible());
    await page.keyboard.press('Escape');
    assert.ok(await page.locator('#mention-list').isHidden());
    assert.strictEqual(await prompt.inputValue(), 'Why does #sel');
    await page.keyboard.press('Backspace');
    await page.keyboard.type('l');
    assert.strictEqual(await prompt.getAttribute('aria-expanded'), 'true', 'open again once the mention changes');
    await page.keyboard.press('Enter');
    const sel = await lastPosted('addMention', m => m.kind === 'selection');
    const selChip: ContextChip = { id: 'mention:2', kind: 'selection', label: '#selection sample.ts:10-12', detail: 'sample.ts, lines 10-12', tokens: 24 };
    await view.send({ type: 'mentionResult', requestId: sel.requestId }, { type: 'chips', chips: [instructions, fileChip, selChip] });

    // What a screen reader says for each chip and its controls.
    assert.ok(await page.getByRole('group', { name: '#file sample.ts, about 95 tokens. 1 secret(s) will be replaced with [REDACTED]', exact: true }).isVisible());
    assert.ok(await page.getByRole('group', { name: '#selection sample.ts:10-12, about 24 tokens', exact: true }).isVisible());
    assert.ok(await page.getByRole('group', { name: 'Project instructions, on, about 300 tokens', exact: true }).isVisible());
    assert.ok(await page.getByRole('button', { name: 'Turn off project instructions for this conversation', pressed: true }).isVisible());
    assert.ok(await page.getByRole('button', { name: 'Remove #file sample.ts from the context' }).isVisible());
    const estimate = Number(/^≈([\d,]+) tokens$/.exec(await page.locator('#token-estimate').textContent() ?? '')?.[1].replace(/,/g, ''));
    assert.ok(estimate > 419 && estimate < 430, `the chips' 419 tokens and the text: ${estimate}`);

    // Keyboard only: back from the box to the #file chip's ×, Delete removes it; focus stays in the chips.
    await view.clearPosted();
    await page.keyboard.press('Shift+Tab'); // + File
    await page.keyboard.press('Shift+Tab'); // the #selection chip's ×
    await page.keyboard.press('Shift+Tab'); // the #file chip's ×
    assert.strictEqual((await view.focused())?.label, 'Remove #file sample.ts from the context');
    await page.keyboard.press('Delete');
    assert.deepStrictEqual(await view.posted(), [{ type: 'removeChip', id: 'mention:1' }]);
    assert.strictEqual((await view.focused())?.label, 'Remove #selection sample.ts:10-12 from the context', 'focus moves to the chip now in its place');
    // The instructions chip toggles (Space on its button) rather than goes away.
    await page.keyboard.press('Shift+Tab');
    await page.keyboard.press('Space');
    assert.deepStrictEqual((await view.posted()).slice(1), [{ type: 'setInstructions', on: false }]);
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    assert.strictEqual((await view.focused())?.id, 'prompt');
    await page.keyboard.type('loop end?');
    await page.keyboard.press('Enter');
    assert.deepStrictEqual((await view.posted()).filter(m => m.type === 'ask'), [{ type: 'ask', text: 'Why does loop end?', chips: ['mention:2'] }], 'sent with the chip kept; the instructions are not a chip of the question');
    await page.screenshot({ path: path.join(SHOTS, 'webview-mentions.png') });

    // The question shows what went with it (as history does when the conversation is opened again).
    await view.send(state('c-mentions', [user('q1', 'Why does loop end?', { attachments: [
      { file: 'sample.ts', language: 'typescript', startLine: 10, endLine: 12, code: 'x', mention: 'selection' },
      { file: 'Working tree changes in repo', language: 'diff', startLine: 1, endLine: 900, code: 'y', mention: 'changes', notes: ['cut to the first 700 of 900 lines'] },
    ] })], false, undefined, { chips: [instructions] }));
    assert.deepStrictEqual(await page.locator('.message[data-id="q1"] .message-attachment').allTextContents(), [
      '#selection sample.ts · lines 10–12',
      '#changes Working tree changes in repo · cut to the first 700 of 900 lines',
    ]);
  });

  test('Up and Down walk through the questions sent, keeping the draft', async () => {
    // A page of its own: the history holds every question sent from the view.
    const fresh = await openPage(true);
    const page = fresh.page;
    await fresh.send(state('c-history', []));
    const prompt = page.locator('#prompt');
    await prompt.focus();
    for (const text of ['one', 'two\nlines']) {
      await prompt.fill(text);
      await page.keyboard.press('Enter');
    }
    await page.keyboard.type('draft');
    const expectAfter = async (key: string, value: string, message?: string): Promise<void> => {
      await page.keyboard.press(key);
      assert.strictEqual(await prompt.inputValue(), value, message);
    };
    await expectAfter('ArrowUp', 'two\nlines');
    await expectAfter('ArrowDown', 'two\nlines', 'Down on the first of two lines only moves the caret');
    await expectAfter('ArrowDown', 'draft', 'then it returns to what was being typed');
    await expectAfter('ArrowUp', 'two\nlines');
    await expectAfter('ArrowUp', 'one');
    await expectAfter('ArrowUp', 'one', 'the oldest stays');
    await expectAfter('ArrowDown', 'two\nlines');
    await expectAfter('ArrowUp', 'two\nlines', 'Up on the second line only moves the caret');
    await expectAfter('ArrowUp', 'one');
    await expectAfter('ArrowDown', 'two\nlines');
    await expectAfter('ArrowDown', 'draft');
    await expectAfter('ArrowDown', 'draft');
    assert.deepStrictEqual(await fresh.posted(), [{ type: 'ready' }, { type: 'ask', text: 'one' }, { type: 'ask', text: 'two\nlines' }]);
    assert.deepStrictEqual(await fresh.violations(), []);
    await page.close();
    // A page in the background gets no animation frames, which the view draws in.
    await view.page.bringToFront();
  });

  test('the setup card replaces the empty hint and posts setup steps', async () => {
    await view.clearPosted();
    await view.send(state('c-setup', [], false, undefined, { setup: { reason: 'missingKey', detail: 'OpenAI at https://api.openai.com' } }));
    const card = page.locator('.setup-card');
    assert.ok(await card.isVisible());
    assert.ok(await page.locator('.empty-title').isHidden());
    assert.match((await card.textContent()) ?? '', /OpenAI at https:\/\/api\.openai\.com/);
    const buttons = card.locator('button');
    assert.deepStrictEqual(await buttons.allTextContents(), ['Set API Key', 'Select Provider', 'Select Model', 'Test Connection']);
    for (let i = 0; i < 4; i++) await buttons.nth(i).click();
    assert.deepStrictEqual(await view.posted(), [
      { type: 'setup', step: 'setApiKey' },
      { type: 'setup', step: 'selectProvider' },
      { type: 'setup', step: 'selectModel' },
      { type: 'setup', step: 'testConnection' },
    ]);
    await view.send(state('c-setup', [user('q', 'Hi')], false, undefined, { setup: { reason: 'missingKey', detail: 'x' } }));
    assert.ok(await card.isHidden(), 'a conversation with messages shows them');
    await view.send(state('c-setup', []));
    assert.ok(await card.isHidden());
    assert.ok(await page.locator('.empty-title').isVisible());
    // The model name in the composer is the model picker.
    await view.clearPosted();
    await page.locator('.model-label').click();
    assert.deepStrictEqual(await view.posted(), [{ type: 'setup', step: 'selectModel' }]);
  });

  test('a very long finished message collapses behind Show more, never while streaming', async () => {
    const long = Array.from({ length: 120 }, (_, i) => `Paragraph ${i + 1} of a long answer.`).join('\n\n');
    const conversation = 'c-long';
    await view.send(state(conversation, [user('q', 'Hi'), assistant('l', long), assistant('s', 'Short.'), assistant('t', long.slice(0, 200), { streaming: true })], true));
    const msg = page.locator('.message[data-id="l"]');
    const more = msg.locator('.show-more');
    assert.ok(await msg.evaluate(e => (e as unknown as { classList: { contains(c: string): boolean } }).classList.contains('collapsed')));
    const height = () => msg.locator('.message-body').evaluate(e => (e as unknown as { clientHeight: number }).clientHeight);
    assert.ok((await height()) <= 480);
    assert.strictEqual(await more.textContent(), 'Show more');
    assert.strictEqual(await more.getAttribute('aria-expanded'), 'false');
    await more.click();
    assert.ok((await height()) > 1200);
    assert.strictEqual(await more.textContent(), 'Show less');
    assert.strictEqual(await more.getAttribute('aria-expanded'), 'true');
    await more.click();
    assert.ok((await height()) <= 480);
    assert.ok(await page.locator('.message[data-id="s"] .show-more').isHidden());

    // Streaming: never collapsed, however long; once finished it collapses.
    const t = page.locator('.message[data-id="t"]');
    await view.stream(conversation, 't', [long.slice(200)], []);
    assert.ok(await t.locator('.show-more').isHidden());
    assert.ok(!(await t.evaluate(e => (e as unknown as { classList: { contains(c: string): boolean } }).classList.contains('collapsed'))));
    await view.send({ type: 'messageUpdated', conversationId: conversation, message: assistant('t', long) });
    assert.ok(await t.locator('.show-more').isVisible());

    // Over 12,000 characters collapses by length alone (here, a pasted question).
    await view.send(state('c-long-text', [user('p', 'x'.repeat(12_001))]));
    assert.ok(await page.locator('.message[data-id="p"] .show-more').isVisible());
  });

  test('screenshots in a dark and a light theme: text and code contrast with their backgrounds, no CSP violation', async () => {
    const now = Date.now();
    const shot = state(
      'c-shot',
      [
        user('u1', 'Why does average return NaN?', {
          context: { file: 'src/stats.ts', language: 'typescript', startLine: 1, endLine: 5, code: 'export function average(values: number[]) {\n  let sum = 0;\n  for (let i = 0; i <= values.length; i++) sum += values[i];\n  return sum / values.length;\n}' },
        }),
        assistant('a1', REPLIES[0], { usage: { promptTokens: 412, completionTokens: 138, estimated: false, costUsd: 0.0004 } }),
      ],
      false,
      undefined,
      {
        title: 'Why does average return NaN?',
        conversations: [{ id: 'c-shot', title: 'Why does average return NaN?', updatedAt: now - 60_000, messageCount: 2 }],
        chips: [{ id: 'sel', kind: 'selection', label: 'stats.ts:1-5', detail: 'src/stats.ts, lines 1–5', tokens: 64 }],
        totals: { answers: 1, promptTokens: 412, completionTokens: 138, costUsd: 0.0004 },
      },
    );
    fs.mkdirSync(SHOTS, { recursive: true });
    for (const theme of ['dark', 'light'] as const) {
      const p = await openPage(true, theme);
      await p.send(shot);
      await p.page.waitForSelector('#messages .message.assistant pre code .hljs-keyword', { timeout: 10000 });
      await p.page.screenshot({ path: path.join(SHOTS, `webview-${theme}.png`), fullPage: false });
      const results = await measureContrast(p.page);
      const kinds = measuredKinds(results);
      for (const kind of ['answer prose', 'headings', 'inline code', 'code in code blocks', 'role labels', 'buttons']) {
        assert.ok(kinds.has(kind), `${theme}: some ${kind} was measured (${[...kinds].join(', ')})`);
      }
      assert.deepStrictEqual(contrastFailures(results), [], `${theme} theme`);
      assert.deepStrictEqual(await p.violations(), [], `${theme}: CSP violations`);
      await p.page.close();
    }
    await page.bringToFront();
  });

  test('the composer footer keeps the model name readable from 240 to 400 px, in both themes (screenshots)', async () => {
    const model = 'qwen2.5-coder:7b-instruct';
    const shot = state('c-footer', [user('f1', 'Why?'), assistant('f2', 'Because.')], false, model, {
      totals: { answers: 12, promptTokens: 48_213, completionTokens: 9_871, costUsd: 0.0312 },
      chips: [{ id: 'sel', kind: 'selection', label: 'stats.ts:1-5', detail: 'src/stats.ts, lines 1–5', tokens: 64 }],
    });
    fs.mkdirSync(SHOTS, { recursive: true });
    for (const theme of ['dark', 'light'] as const) {
      const p = await openPage(true, theme);
      await p.send(shot);
      for (const width of [240, 300, 400]) {
        await p.page.setViewportSize({ width, height: 520 });
        const m = await p.page.evaluate(() => {
          const doc = (globalThis as unknown as { document: { querySelector(s: string): { scrollWidth: number; clientWidth: number; textContent: string | null; getBoundingClientRect(): { right: number; width: number } } | null } }).document;
          const label = doc.querySelector('.model-label');
          const bar = doc.querySelector('.composer-bar');
          return label && bar ? { text: label.textContent ?? '', clipped: label.scrollWidth > label.clientWidth + 1, right: label.getBoundingClientRect().right, barRight: bar.getBoundingClientRect().right } : undefined;
        });
        assert.ok(m, 'the footer is there');
        assert.ok(m.text.includes(model), m.text);
        assert.strictEqual(m.clipped, false, `the model name is cut at ${width} px (${theme})`);
        assert.ok(m.right <= m.barRight + 1, 'inside the footer');
        await p.page.screenshot({ path: path.join(SHOTS, `composer-${theme}-${width}.png`) });
      }
      assert.deepStrictEqual(await p.violations(), []);
      await p.page.close();
    }
    await page.bringToFront();
  });

  for (const csp of [true, false]) {
    test(`hostile markdown runs nothing and loads nothing (${csp ? 'with the CSP' : 'sanitizer alone, no CSP'})`, async () => {
      const target = csp ? view : await openPage(false);
      const before = requests.length;
      const conversation = `c-xss-${csp}`;
      const hostile = '<img src=x onerror="window.__pwned=1">';
      await target.send(
        state(conversation, [
          user('q', hostile, {
            context: { file: '<img src=x onerror=window.__pwned=1>.ts', language: '<b>x', startLine: 1, endLine: 1, code: `</code></pre>${hostile}` },
            // Pasted-image thumbnails the view must not load: only data: PNG, JPEG or WebP ever become an <img>.
            images: [
              { id: 'i1', name: hostile, mime: 'image/png', width: 1, height: 1, bytes: 1, thumbnail: 'https://example.invalid/track.png' },
              { id: 'i2', name: 'x', mime: 'image/png', width: 1, height: 1, bytes: 1, thumbnail: 'javascript:window.__pwned=1' },
            ],
          }),
          assistant('x1', XSS, { error: { kind: 'unknown', message: hostile, actions: ['retry'] } }),
          assistant('x2', '', { streaming: true }),
        ], true, hostile),
      );
      const chunks = chunk(XSS);
      await target.stream(conversation, 'x2', chunks, pauses(chunks.length, 3));
      await target.send({ type: 'messageUpdated', conversationId: conversation, message: assistant('x2', XSS) });
      await target.bodyHtml('x1');
      await target.bodyHtml('x2');
      // A handler that slipped through would run only after its image failed to load, asynchronously:
      // a short window for that (ending at once if it ran), since nothing is meant to happen.
      await target.page.waitForFunction(() => (globalThis as unknown as { __pwned?: unknown }).__pwned !== undefined, undefined, { timeout: 300 }).catch(() => undefined);

      const report = await target.page.evaluate(() => {
        const g = globalThis as unknown as {
          __pwned?: unknown;
          document: { querySelectorAll(s: string): ArrayLike<{ tagName: string; attributes: ArrayLike<{ name: string; value: string }> }> };
        };
        const all = g.document.querySelectorAll('#messages *');
        const bad: string[] = [];
        for (let i = 0; i < all.length; i++) {
          const el = all[i];
          if (/^(SCRIPT|IMG|SVG|MATH|IFRAME|OBJECT|EMBED|STYLE|FORM|INPUT|LINK|META|BASE)$/i.test(el.tagName)) bad.push(el.tagName);
          for (let j = 0; j < el.attributes.length; j++) {
            const { name, value } = el.attributes[j];
            if (/^on/i.test(name) || name === 'style' || name === 'src') bad.push(`${el.tagName}[${name}]`);
            if (name === 'href' && !/^(https?:|mailto:|#)/i.test(value)) bad.push(`${el.tagName}[href=${value}]`);
          }
        }
        return { pwned: g.__pwned, bad, links: g.document.querySelectorAll('#messages a[href]').length };
      });
      assert.strictEqual(report.pwned, undefined);
      assert.deepStrictEqual(report.bad, []);
      assert.ok(report.links > 0, 'http(s) links survive as links');
      assert.deepStrictEqual(await target.bodyHtml('x2'), await target.bodyHtml('x1'));
      assert.deepStrictEqual(dialogs, []);
      const outside = requests.slice(before).filter(u => !u.startsWith(`${server.origin}/`));
      assert.deepStrictEqual(outside, []);
      if (!csp) await target.page.close();
    });
  }

  test('no script errors, no CSP violations, no requests outside the test server', async () => {
    assert.deepStrictEqual(errors, []);
    assert.deepStrictEqual(await view.violations(), []);
    assert.deepStrictEqual(dialogs, []);
    assert.deepStrictEqual(requests.filter(u => !u.startsWith(`${server.origin}/`)), []);
  });
});
