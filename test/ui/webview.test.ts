// The chat webview bundle (dist/webview.js) in headless Chromium under the CSP VS Code gives it: what it
// renders from host messages, what it posts back, that streamed answers end up exactly as a one-shot
// render, and that hostile answers run no script and load nothing. Build first: node esbuild.js.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import type { ChatMessage, HostMessage, ViewState } from '../../src/protocol';
import { ROOT, startServer, WebviewPage, type TestServer } from './webviewPage';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SHOTS = path.join(ROOT, 'test-results');
const fence = '```';

function state(conversationId: string, messages: ChatMessage[], streaming = false, model = 'openai · gpt-5-mini'): HostMessage {
  const s: ViewState = { conversation: { id: conversationId, title: 'Test', messages }, model, streaming };
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

  async function openPage(csp: boolean): Promise<WebviewPage> {
    const p = await context.newPage();
    p.on('dialog', d => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    p.on('pageerror', e => errors.push(e.message));
    await p.goto(`${server.origin}/${csp ? '' : '?csp=off'}`);
    await p.waitForSelector('#prompt');
    return new WebviewPage(p);
  }

  suiteSetup(async () => {
    assert.ok(fs.existsSync(path.join(ROOT, 'dist', 'webview.js')), 'dist/webview.js is missing: run node esbuild.js');
    server = await startServer();
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
        '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
    });
    context = await browser.newContext({ viewport: { width: 420, height: 760 } });
    // Every request is recorded; none leaves the loopback server.
    await context.route('**/*', route => {
      const url = route.request().url();
      requests.push(url);
      if (url.startsWith(`${server.origin}/`)) void route.continue();
      else void route.abort();
    });
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
    assert.strictEqual(await a.locator('.code-action').count(), 4);
    assert.strictEqual(await page.locator('.model-label').textContent(), 'Model: openai · gpt-5-mini');

    fs.mkdirSync(SHOTS, { recursive: true });
    await page.screenshot({ path: path.join(SHOTS, 'webview.png'), fullPage: false });
  });

  test('Copy and Insert at Cursor post the raw code', async () => {
    await view.clearPosted();
    const block = page.locator('.message[data-id="a1"] .code-block').first();
    await block.locator('.code-action[data-action="copy"]').click();
    await block.locator('.code-action[data-action="insert"]').click();
    assert.deepStrictEqual(await view.posted(), [
      { type: 'copyCode', code: 'const x: number = 1;' },
      { type: 'insertCode', code: 'const x: number = 1;' },
    ]);
  });

  test('a streamed answer ends with exactly the DOM of a one-shot render', async () => {
    for (let r = 0; r < REPLIES.length; r++) {
      const text = REPLIES[r];
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
    }
  });

  test('a finished block keeps its DOM node while later text streams in', async () => {
    const conversation = 'c-keep';
    await view.send(state(conversation, [assistant('k1', '', { streaming: true })], true));
    await view.stream(conversation, 'k1', ['# Title\n\nFirst para', 'graph.\n\nSec'], [0, 1]);
    await page.evaluate(() => {
      const doc = (globalThis as unknown as { document: { querySelector(s: string): Record<string, unknown> | null } }).document;
      const first = doc.querySelector('.message[data-id="k1"] .message-body > h1');
      const second = doc.querySelector('.message[data-id="k1"] .message-body > p');
      if (!first || !second) throw new Error('blocks missing');
      first.__marker = 'h1';
      second.__marker = 'p';
    });
    await view.stream(conversation, 'k1', ['ond paragraph.\n\n', '```js\nlet a = 1;\n\nlet b', ' = 2;\n```\n\n- x\n'], [0, 1, 2]);
    await view.send({ type: 'messageUpdated', conversationId: conversation, message: assistant('k1', '# Title\n\nFirst paragraph.\n\nSecond paragraph.\n\n```js\nlet a = 1;\n\nlet b = 2;\n```\n\n- x\n') });
    const markers = await page.evaluate(() => {
      const doc = (globalThis as unknown as { document: { querySelector(s: string): Record<string, unknown> | null } }).document;
      return [
        doc.querySelector('.message[data-id="k1"] .message-body > h1')?.__marker,
        doc.querySelector('.message[data-id="k1"] .message-body > p')?.__marker,
      ];
    });
    assert.deepStrictEqual(markers, ['h1', 'p']);
    assert.strictEqual(await page.locator('.message[data-id="k1"] .message-body > p').count(), 2);
    assert.strictEqual(await page.locator('.message[data-id="k1"] code.language-javascript .hljs-keyword').count(), 2);
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
      for (let i = 0; i < buttons.length; i++) buttons[i].dataset.tabTest = String(i);
      return buttons.length;
    });
    assert.strictEqual(total, 5, 'Copy, Insert, Retry, Stop and Send');
    await page.evaluate(() => {
      (globalThis as unknown as { document: { activeElement: { blur(): void } | null } }).document.activeElement?.blur();
    });
    const seen = new Set<string>();
    for (let i = 0; i < 20 && seen.size < total; i++) {
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

  for (const csp of [true, false]) {
    test(`hostile markdown runs nothing and loads nothing (${csp ? 'with the CSP' : 'sanitizer alone, no CSP'})`, async () => {
      const target = csp ? view : await openPage(false);
      const before = requests.length;
      const conversation = `c-xss-${csp}`;
      const hostile = '<img src=x onerror="window.__pwned=1">';
      await target.send(
        state(conversation, [
          user('q', hostile, { context: { file: '<img src=x onerror=window.__pwned=1>.ts', language: '<b>x', startLine: 1, endLine: 1, code: `</code></pre>${hostile}` } }),
          assistant('x1', XSS, { error: { kind: 'unknown', message: hostile, actions: ['retry'] } }),
          assistant('x2', '', { streaming: true }),
        ], true, hostile),
      );
      const chunks = chunk(XSS);
      await target.stream(conversation, 'x2', chunks, pauses(chunks.length, 3));
      await target.send({ type: 'messageUpdated', conversationId: conversation, message: assistant('x2', XSS) });
      await target.page.waitForTimeout(300);

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
