// The packaged VSIX in a real VS Code workbench (code-server) driven like a person would: open a file,
// select code, run "Tandem: Explain Selection" from the command palette, and read the streamed answer
// inside the chat webview's frame. Screenshots go to test-results/ (ignored by git).
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { chromium, type Browser, type Frame, type Page } from 'playwright-core';
import { FakeOpenAI } from '../fixtures/fakeOpenAI';
import { findFrame } from './frames';
import { png } from '../fixtures/images';
import { contrastFailures, measureContrast } from './contrast';
import { harness, ROOT, SHOTS, tools } from './workbenchKit';


async function runCommand(page: Page, title: string): Promise<void> {
  // A view taking the focus (a webview revealed by the previous command) closes the palette under the
  // typing: then open it again, a bounded number of times.
  for (let attempt = 1; ; attempt++) {
    await page.keyboard.press('F1');
    await page.waitForSelector('.quick-input-widget input', { state: 'visible' });
    await page.keyboard.type(title);
    try {
      await page.waitForSelector(`.quick-input-list .monaco-list-row[aria-label*="${title}"]`, { timeout: attempt < 3 ? 10000 : 30000 });
      break;
    } catch (e) {
      if (attempt >= 3) throw e;
      await page.keyboard.press('Escape');
    }
  }
  await page.keyboard.press('Enter');
}

suite('Workbench: Explain Selection from the command palette', function () {
  this.timeout(180000);
  // A long local model name, as Ollama's are: the composer must keep it readable in a narrow sidebar.
  const MODEL = 'qwen2.5-coder:7b-instruct';
  const fx = new FakeOpenAI({ models: [MODEL] });
  let browser: Browser | undefined;
  let page: Page;
  let server: { url(folder: string): string; stop(): Promise<void>; env: NodeJS.ProcessEnv } | undefined;
  let workspace: string;
  let runDir = '';
  let failed = false;

  const answer = [
    '## What `average` does',
    '',
    'It adds up `values` and divides by their count, but the loop runs **one step too far**:',
    '',
    '1. `i <= values.length` reads `values[values.length]`, which is `undefined`;',
    '2. so `sum` becomes `NaN`.',
    '',
    '```ts',
    'for (let i = 0; i < values.length; i++) {',
    '  sum += values[i];',
    '}',
    '```',
    '',
    'An empty array also divides by zero.',
  ].join('\n');

  /** Switches the colour theme from the command palette, as a user does, and waits until the workbench wears it. */
  async function setTheme(theme: 'light' | 'dark'): Promise<void> {
    const wanted = theme === 'light' ? '.monaco-workbench.vs' : '.monaco-workbench.vs-dark';
    if (await page.$(wanted)) return;
    const name = theme === 'light' ? 'Light Modern' : 'Dark Modern';
    await page.keyboard.press('F1');
    await page.waitForSelector('.quick-input-widget input', { state: 'visible' });
    await page.keyboard.type('Preferences: Color Theme');
    // Clicked by its exact label: "Browse Color Themes in Marketplace" matches the words too.
    await page.click('.quick-input-list .monaco-list-row[aria-label^="Preferences: Color Theme"]', { timeout: 30000 });
    await page.waitForSelector('.quick-input-list .monaco-list-row[aria-label^="Dark Modern"]', { timeout: 30000 });
    await page.keyboard.type(name);
    await page.click(`.quick-input-list .monaco-list-row[aria-label^="${name}"]`, { timeout: 30000 });
    await page.waitForSelector(wanted, { timeout: 30000 });
  }

  suiteSetup(async () => {
    const vsix = process.env.TANDEM_VSIX;
    assert.ok(vsix && fs.existsSync(vsix), `the VSIX to test (TANDEM_VSIX=${vsix})`);
    fs.mkdirSync(SHOTS, { recursive: true });
    const dir = harness.makeRunDir(path.join(ROOT, '.test-runs'), 'ui');
    runDir = dir;
    workspace = path.join(dir, 'workspace');
    harness.copyDir(path.join(ROOT, 'test', 'fixtures', 'workspace'), workspace);
    harness.installVsix(dir, vsix);
    await fx.start();
    fx.setDefault({ text: answer, chunkSize: 6, delayMs: 15 });
    server = await harness.startCodeServer({
      dir,
      settings: { 'tandem.baseUrl': fx.baseUrl, 'tandem.model': MODEL, 'workbench.colorTheme': 'Default Dark Modern' },
    });
    browser = await chromium.launch({ executablePath: tools.paths.chromium, headless: true, env: server.env, args: tools.CHROMIUM_ARGS });
    page = await browser.newPage({ viewport: { width: 1400, height: 850 } });
    await page.goto(server.url(workspace), { timeout: 180000 }); // a busy 2-core machine has taken over 30 s to serve the workbench
    await page.waitForSelector('.monaco-workbench', { timeout: 60000 });
    await page.waitForSelector('.activitybar', { timeout: 60000 });
    // Tandem's contributions are loaded (its commands are in the palette) once its activity-bar icon shows.
    await page.waitForSelector('.activitybar .action-item a[aria-label^="Tandem"]', { timeout: 60000 });
  });

  teardown(async function () {
    // A picture of the failure for a person to look at.
    if (this.currentTest?.state === 'failed') {
      failed = true;
      const name = (this.currentTest.title ?? 'failure').replace(/[^\w]+/g, '-').slice(0, 60);
      await page.screenshot({ path: path.join(SHOTS, `failed-${name}.png`) }).catch(() => undefined);
    }
  });

  suiteTeardown(async () => {
    await browser?.close().catch(() => undefined);
    await server?.stop();
    await fx.stop();
    // Kept for a person to look into when something failed.
    if (runDir && !failed && !process.env.E2E_KEEP_TMP) fs.rmSync(runDir, { recursive: true, force: true });
  });

  type Doc = { document: { querySelector(s: string): { textContent: string | null } | null; querySelectorAll(s: string): ArrayLike<{ textContent: string | null; classList: { contains(c: string): boolean } }> } };

  const sampleFile = () => path.join(workspace, 'sample.ts');

  /** Opens sample.ts (Quick Open) and puts the cursor in it. */
  async function openSample(): Promise<void> {
    await page.keyboard.press('Control+P');
    await page.waitForSelector('.quick-input-widget input', { state: 'visible' });
    await page.keyboard.type('sample.ts');
    await page.waitForSelector('.quick-input-list .monaco-list-row', { timeout: 30000 });
    await page.keyboard.press('Enter');
    await page.waitForSelector('.tab.active[data-resource-name="sample.ts"]', { timeout: 20000 });
    await page.waitForSelector('.monaco-editor .view-lines', { timeout: 20000 });
    await page.click('.monaco-editor .view-lines');
  }

  /** Selects lines `first`..`last` (1-based) of the editor that has the focus. */
  async function selectLines(first: number, last: number): Promise<void> {
    await page.keyboard.press('Control+Home');
    for (let i = 1; i < first; i++) await page.keyboard.press('ArrowDown');
    for (let i = first; i < last; i++) await page.keyboard.press('Shift+ArrowDown');
    await page.keyboard.press('Shift+End');
  }

  /** Waits (bounded) until sample.ts on disk passes `check`: the edit was made and saved. */
  async function waitForFile(what: string, check: (text: string) => boolean): Promise<string> {
    for (const end = Date.now() + 15000; ; ) {
      const text = fs.readFileSync(sampleFile(), 'utf8');
      if (check(text)) return text;
      if (Date.now() > end) assert.fail(`sample.ts never became ${what}:\n${text}`);
      await new Promise(r => setTimeout(r, 50)); // a poll interval, not a guess at how long anything takes
    }
  }

  /** Saves the editor (code-server may also auto-save) and returns the file once it differs from `before`. */
  async function saveAndRead(before: string): Promise<string> {
    await page.click('.monaco-editor .view-lines');
    await page.keyboard.press('Control+S');
    return waitForFile('saved with the change', t => t !== before);
  }

  const pristine = () => fs.readFileSync(path.join(ROOT, 'test', 'fixtures', 'workspace', 'sample.ts'), 'utf8');

  /** sample.ts as the fixture has it, on disk and in the editor, whatever an earlier test left. */
  async function resetSample(): Promise<string> {
    const original = pristine();
    await openSample();
    fs.writeFileSync(sampleFile(), original);
    await runCommand(page, 'File: Revert File');
    const lines = original.split('\n').length;
    await page.waitForFunction(([n, probe]) => {
      const doc = (globalThis as unknown as { document: { querySelectorAll(s: string): ArrayLike<{ textContent: string | null }> } }).document;
      const rendered = Array.from(doc.querySelectorAll('.monaco-editor .view-lines .view-line'), l => (l.textContent ?? '').replace(/\u00a0/g, ' '));
      return rendered.length === n && rendered.some(l => l.includes(probe));
    }, [lines, 'i <= values.length'] as const, { timeout: 15000 });
    await page.click('.monaco-editor .view-lines');
    return original;
  }

  /** A conversation of its own in the chat, nothing streaming or waiting in it, and a fresh server script. */
  async function freshChat(): Promise<Frame> {
    fx.reset();
    await runCommand(page, 'Tandem: New Conversation'); // shows the chat view too
    const frame = await chatFrame('#prompt');
    await frame.waitForFunction(() => (globalThis as unknown as Doc).document.querySelectorAll('#messages .message').length === 0, undefined, { timeout: 10000 });
    return frame;
  }

  async function chatFrame(selector = '#messages'): Promise<Frame> {
    return findFrame(page, selector, 30000);
  }

  /** Waits until the last answer in the view contains `text` and has finished streaming. */
  async function answerDone(frame: Frame, text: string): Promise<void> {
    await frame.waitForFunction((expected: string) => {
      const all = (globalThis as unknown as Doc).document.querySelectorAll('#messages .message.assistant');
      const last = all[all.length - 1];
      return !!last && (last.textContent ?? '').includes(expected) && !last.classList.contains('streaming');
    }, text, { timeout: 30000 });
  }

  /** Asks in the chat's composer as a user types it. */
  async function askInChat(frame: Frame, question: string): Promise<void> {
    await frame.click('#prompt');
    await frame.fill('#prompt', question);
    await frame.press('#prompt', 'Enter');
  }

  test('the answer streams into the sidebar chat next to the code it explains', async () => {
    fx.setDefault({ text: answer, chunkSize: 6, delayMs: 15 });
    await resetSample();
    await selectLines(2, 9); // the function average
    await runCommand(page, 'Tandem: Explain Selection');
    const frame = await chatFrame('#messages .message.assistant');
    await answerDone(frame, 'An empty array also divides by zero.');
    const text = await frame.innerText('#messages .message.assistant:last-of-type');
    assert.match(text, /What average does/);
    assert.ok(await frame.$('#messages .message.assistant:last-of-type h2'), 'the heading is rendered as markdown');
    assert.ok(await frame.$('#messages .message.assistant:last-of-type pre code'), 'the fence is rendered as code');
    const users = await frame.$$eval('#messages .message.user', els => els.map(e => e.textContent ?? ''));
    assert.match(users[users.length - 1], /sample\.ts/);
    assert.match(JSON.stringify(fx.chatRequests().at(-1)?.body), /export function average/);
    await page.screenshot({ path: path.join(SHOTS, 'ui-explain-dark.png') });
  });

  /** The answer's code block, its buttons, and the file on disk after saving. */
  const fixedLoop = 'for (let i = 0; i < values.length; i++) {\n  sum += values[i];\n}';

  /** An answer with the fixed loop in the chat, whatever ran before. */
  async function answerWithLoop(): Promise<Frame> {
    fx.setDefault({ text: answer, chunkSize: 60 });
    await resetSample();
    await selectLines(2, 9);
    await runCommand(page, 'Tandem: Explain Selection');
    const frame = await chatFrame('#messages .message.assistant pre code');
    await answerDone(frame, 'An empty array also divides by zero.');
    return frame;
  }

  async function codeButton(frame: Frame, action: string): Promise<void> {
    const last = frame.locator('#messages .message.assistant').last();
    const button = last.locator('[data-action="' + action + '"]').first();
    if (!(await button.isVisible())) await last.locator('.code-more-toggle').first().click();
    await button.click();
  }

  test('Insert at Cursor puts the code block at the cursor', async () => {
    const frame = await answerWithLoop();
    const original = pristine();
    await page.click('.monaco-editor .view-lines');
    await page.keyboard.press('Control+End');
    await codeButton(frame, 'insert');
    const text = await saveAndRead(original);
    assert.strictEqual(text, original + fixedLoop);
  });

  test('Replace Selection replaces the selected lines with the code block', async () => {
    const frame = await answerWithLoop();
    const original = pristine();
    await page.click('.monaco-editor .view-lines');
    await selectLines(4, 6); // the loop
    await codeButton(frame, 'replaceSelection');
    const text = await saveAndRead(original);
    const lines = original.split('\n');
    assert.strictEqual(text, [...lines.slice(0, 3), fixedLoop, ...lines.slice(6)].join('\n'));
  });

  const fixedFunction = ['export function average(values: number[]): number {', '  let sum = 0;', '  for (let i = 0; i < values.length; i++) {', '    sum += values[i];', '  }', '  return values.length ? sum / values.length : 0;', '}'];

  test('Apply to File shows a diff; accepting applies it to the lines the question was about', async () => {
    fx.setDefault({ text: ['Fixed:', '', '```ts', ...fixedFunction, '```'].join('\n') });
    const original = await resetSample();
    await selectLines(2, 8);
    await runCommand(page, 'Tandem: Explain Selection');
    const frame = await chatFrame('#messages .message.assistant');
    // Explain starts a conversation of its own: its answer is the view's last one.
    await answerDone(frame, 'sum / values.length : 0');
    await codeButton(frame, 'apply');
    // The diff has rendered its change.
    await page.waitForSelector('.monaco-diff-editor .line-insert, .monaco-diff-editor .char-insert', { timeout: 20000 });
    await page.screenshot({ path: path.join(SHOTS, 'ui-apply-diff.png') });
    await page.keyboard.press('Control+Alt+Shift+Y');
    await page.waitForSelector('.monaco-diff-editor', { state: 'detached', timeout: 10000 });
    const text = await saveAndRead(original);
    assert.ok(text.includes('return values.length ? sum / values.length : 0;'), text);
    assert.ok(text.includes('i < values.length'), text);
    assert.ok(text.includes('export function greet'), 'the rest of the file is untouched');
    assert.strictEqual(text.split('export function average').length, 2, 'applied once, in place');
  });

  test('Fix Selection: Accept and Reject stay in the diff\'s title bar and the status bar after the notification is gone', async () => {
    fx.setDefault({ text: ['The loop read one past the end:', '', '```ts', ...fixedFunction, '```'].join('\n') });
    const original = await resetSample();
    await selectLines(2, 8);
    await runCommand(page, 'Tandem: Fix Selection');
    await page.waitForSelector('.monaco-diff-editor .line-insert, .monaco-diff-editor .char-insert', { timeout: 30000 });
    const accept = '.editor-group-container.active .title .action-label[aria-label^="Accept Proposed Change"]';
    const reject = '.editor-group-container.active .title .action-label[aria-label^="Reject Proposed Change"]';
    await page.waitForSelector(accept, { timeout: 10000 });
    await page.waitForSelector(reject, { timeout: 10000 });
    const statusAccept = page.locator('.statusbar-item', { hasText: 'Accept the fix' });
    await statusAccept.waitFor({ timeout: 10000 });
    // Dismiss every notification, as the user closing it (or VS Code hiding it) would.
    await runCommand(page, 'Notifications: Clear All Notifications');
    await page.waitForSelector('.notifications-center .notification-list-item', { state: 'detached', timeout: 10000 });
    // Had the dismissal decided, the diff would now close; a short window (the extension host answers a
    // closed notification within milliseconds), since nothing is meant to happen.
    await page.waitForSelector('.monaco-diff-editor', { state: 'detached', timeout: 1500 }).then(
      () => assert.fail('the diff closed when its notification was dismissed'),
      () => undefined,
    );
    assert.ok(await page.isVisible(accept), 'Accept is still in the diff\'s title bar');
    assert.ok(await statusAccept.isVisible(), 'and in the status bar');
    await page.screenshot({ path: path.join(SHOTS, 'ui-review-buttons.png') });
    await page.click(accept);
    await page.waitForSelector('.monaco-diff-editor', { state: 'detached', timeout: 10000 });
    await statusAccept.waitFor({ state: 'hidden', timeout: 10000 });
    await page.waitForSelector(accept, { state: 'detached', timeout: 10000 }); // the buttons go with the review
    const text = await saveAndRead(original);
    assert.ok(text.includes('return values.length ? sum / values.length : 0;'), text);
    assert.strictEqual(text.split('export function average').length, 2);
  });

  test('a 429 with Retry-After shows the countdown with its cause in the chat; Retry Now sends at once', async () => {
    const frame = await freshChat();
    fx.script({ status: 429, headers: { 'retry-after': '50' } }, { text: 'Answered after Retry Now.' });
    await askInChat(frame, 'What is a monad?');
    const wait = frame.locator('.message-wait-text');
    await wait.waitFor({ timeout: 30000 });
    assert.match(await wait.innerText(), /^Rate limited by the server: retrying \(attempt 2\) in \d+ s$/);
    await page.screenshot({ path: path.join(SHOTS, 'ui-retry-countdown.png') });
    await frame.click('.wait-retry-now');
    await answerDone(frame, 'Answered after Retry Now.');
    assert.strictEqual(await frame.locator('.message-wait').count(), 0, 'the countdown is gone');
    assert.strictEqual(fx.chatRequests().length, 2);
  });

  test('the sidebar at 240, 300 and 400 px, light and dark: the composer keeps the model name readable, text contrasts (screenshots)', async () => {
    let frame = await freshChat();
    fx.setDefault({ text: answer, chunkSize: 60 });
    // An answer above the composer, and session totals in its footer, as after some use.
    await askInChat(frame, 'What does average do?');
    await answerDone(frame, 'An empty array also divides by zero.');
    for (const theme of ['light', 'dark'] as const) {
      await setTheme(theme);
      for (const width of [240, 300, 400]) {
        await resizeSidebar(width);
        frame = await chatFrame('.model-label');
        // The webview lays out again at the new width: wait until its footer fits the frame.
        await frame.waitForFunction(() => {
          const w = globalThis as unknown as { innerWidth: number; document: { querySelector(s: string): { getBoundingClientRect(): { right: number } } | null } };
          const bar = w.document.querySelector('.composer-bar');
          return !!bar && bar.getBoundingClientRect().right <= w.innerWidth;
        }, undefined, { timeout: 10000 });
        const m = await frame.evaluate(() => {
          const w = globalThis as unknown as { innerWidth: number; document: { querySelector(s: string): { scrollWidth: number; clientWidth: number; textContent: string | null; getBoundingClientRect(): { left: number; right: number } } | null } };
          const label = w.document.querySelector('.model-label');
          return label ? { text: label.textContent ?? '', clipped: label.scrollWidth > label.clientWidth + 1, left: label.getBoundingClientRect().left, right: label.getBoundingClientRect().right, viewport: w.innerWidth } : undefined;
        });
        assert.ok(m, 'the composer shows the model');
        assert.ok(m.text.includes(MODEL), `${theme} ${width}px: ${m.text}`);
        assert.strictEqual(m.clipped, false, `the model name is cut at ${width} px (${theme})`);
        assert.ok(m.left >= 0 && m.right <= m.viewport, `inside the view at ${width} px (${theme}): ${m.left}-${m.right} of ${m.viewport}`);
        await page.screenshot({ path: path.join(SHOTS, `workbench-${theme}-${width}.png`) });
      }
      // With VS Code's real theme colours, not the test page's copy of them.
      assert.deepStrictEqual(contrastFailures(await measureContrast(frame)), [], `${theme}: contrast in the workbench`);
    }
  });

  test('a link in an answer opens only after a dialog showed its full address and the user chose Open Link', async () => {
    const frame = await freshChat();
    const target = 'https://docs.example.com/guide?from=answer';
    // The new tab is served here, so nothing leaves the machine.
    await page.context().route('https://docs.example.com/**', route => route.fulfill({ contentType: 'text/html', body: '<title>The guide</title>' }));
    const opened: string[] = [];
    const onPage = (p: Page) => opened.push(p.url());
    page.context().on('page', onPage);
    try {
      fx.setDefault({ text: `Read [the guide](${target}) first.` });
      await askInChat(frame, 'Where are the docs?');
      await answerDone(frame, 'first.');
      const link = frame.locator('#messages .message.assistant').last().locator('a', { hasText: 'the guide' });
      const dialog = page.locator('.monaco-dialog-box');

      // Cancel: nothing opens.
      await link.click();
      await dialog.waitFor({ timeout: 30000 });
      assert.ok((await dialog.innerText()).includes(target), 'the dialog shows the whole address');
      await dialog.locator('.monaco-button', { hasText: /^Cancel$/ }).click();
      await dialog.waitFor({ state: 'detached', timeout: 10000 });

      // Open Link: the address opens in a new tab (VS Code's own link protection may ask once more).
      await link.click();
      await dialog.waitFor({ timeout: 30000 });
      const tab = page.context().waitForEvent('page', { timeout: 30000 });
      await dialog.locator('.monaco-button', { hasText: /^Open Link$/ }).click();
      const again = page.locator('.monaco-dialog-box .monaco-button', { hasText: /^Open$/ });
      const first = await Promise.race([tab.then(p => p), again.waitFor({ timeout: 30000 }).then(() => undefined)]);
      const newTab = first ?? (await again.click(), await tab);
      await newTab.waitForURL(u => u.href === target, { timeout: 30000 });
      assert.strictEqual(opened.length, 1, `only the confirmed click opened a tab: ${JSON.stringify(opened)}`);
      await newTab.close();
    } finally {
      page.context().off('page', onPage);
      await page.context().unroute('https://docs.example.com/**');
    }
  });

  test('a question being typed survives the chat view being hidden and shown again, and Up still recalls what was sent', async () => {
    let frame = await freshChat();
    fx.setDefault({ text: 'Noted.' });
    await askInChat(frame, 'The first question');
    await answerDone(frame, 'Noted.');
    const draft = 'A half-typed second question,\nover two lines';
    await frame.fill('#prompt', draft);
    // Another view in the side bar: VS Code tears the chat's page down.
    await page.locator('.activitybar .action-item a[aria-label^="Explorer"]').first().click();
    await frame.waitForSelector('#prompt', { state: 'detached', timeout: 30000 }).catch(() => undefined);
    await page.waitForSelector('.part.sidebar .explorer-folders-view, .part.sidebar .explorer-viewlet', { timeout: 30000 });
    await page.locator('.activitybar .action-item a[aria-label^="Tandem"]').first().click();
    frame = await chatFrame('#prompt');
    await frame.waitForFunction(d => (globalThis as unknown as { document: { getElementById(id: string): { value: string } | null } }).document.getElementById('prompt')?.value === d, draft, { timeout: 30000 });
    // Up on the first line shows the question sent before the view was hidden; Down brings the draft back.
    await frame.click('#prompt');
    await frame.press('#prompt', 'Control+Home');
    await frame.press('#prompt', 'ArrowUp');
    assert.strictEqual(await frame.inputValue('#prompt'), 'The first question');
    await frame.press('#prompt', 'Control+End');
    await frame.press('#prompt', 'ArrowDown');
    assert.strictEqual(await frame.inputValue('#prompt'), draft);
    await frame.fill('#prompt', '');
  });

  test('an image pasted into the chat reaches the server as an image part; after a window reload the question still shows it', async () => {
    fx.setDefault({ text: 'A gradient.' });
    const before = fx.chatRequests().length;
    const bytes = png(96, 64);
    // The chat is open after the tests above; alone, this test opens it from the activity bar.
    let frame = await findFrame(page, '#prompt', 3000).catch(async () => {
      await page.locator('.activitybar [aria-label^="Tandem"]').first().click();
      return findFrame(page, '#prompt', 60000);
    });
    // What Ctrl+V with a screenshot on the clipboard fires in the webview.
    await frame.evaluate(`(() => {
      const bin = atob(${JSON.stringify(bytes.toString('base64'))});
      const data = new Uint8Array(bin.length);
      for (let i = 0; i < bin.length; i++) data[i] = bin.charCodeAt(i);
      const dt = new DataTransfer();
      dt.items.add(new File([data], 'screenshot.png', { type: 'image/png' }));
      document.getElementById('prompt').dispatchEvent(new ClipboardEvent('paste', { clipboardData: dt, bubbles: true, cancelable: true }));
    })()`);
    await frame.waitForSelector('.image-chip img.image-thumb', { timeout: 20000 });
    await frame.locator('#prompt').fill('What does this screenshot show?');
    await frame.locator('#prompt').press('Enter');
    const reqs = await fx.waitForRequests(before + 1, 30000);
    const messages = (reqs[before].body as { messages: { role: string; content: unknown }[] }).messages;
    const content = messages[messages.length - 1].content as { type: string; text?: string; image_url?: { url: string } }[];
    assert.deepStrictEqual(content.map(p => p.type), ['text', 'image_url']);
    assert.ok(content[0].text?.startsWith('What does this screenshot show?'), content[0].text);
    assert.strictEqual(content[1].image_url?.url, `data:image/png;base64,${bytes.toString('base64')}`, 'the pasted bytes, unchanged');
    await frame.waitForSelector('#messages .message.user .message-images img', { timeout: 20000 });
    await page.waitForTimeout(300);
    await page.screenshot({ path: path.join(SHOTS, 'ui-image-question.png') });

    await runCommand(page, 'Developer: Reload Window');
    await page.waitForSelector('.monaco-workbench', { timeout: 60000 });
    frame = await findFrame(page, '#messages .message.user .message-images img', 60000);
    const shown = await frame.evaluate(() => {
      const doc = (globalThis as unknown as { document: { querySelector(s: string): { getAttribute(n: string): string | null; naturalWidth: number; complete: boolean } | null } }).document;
      const img = doc.querySelector('#messages .message.user .message-images img');
      return img ? { alt: img.getAttribute('alt'), src: img.getAttribute('src')?.slice(0, 22), loaded: img.complete && img.naturalWidth > 0 } : undefined;
    });
    assert.deepStrictEqual(shown, { alt: 'Image screenshot.png, 96×64', src: 'data:image/webp;base64', loaded: true });
  });

  /** Drags the sash between the side bar and the editor until the side bar is `width` px wide (±1). */
  async function resizeSidebar(width: number): Promise<void> {
    const sidebarWidth = async () => {
      const box = await (await page.waitForSelector('.part.sidebar', { state: 'visible' })).boundingBox();
      assert.ok(box);
      return box;
    };
    // The sash's grip and the side bar's edge may be a pixel or two apart: correct by what a drag did.
    for (let attempt = 0; attempt < 4; attempt++) {
      const box = await sidebarWidth();
      if (Math.abs(box.width - width) <= 1) break;
      let sash: { x: number; y: number } | undefined;
      for (const s of await page.$$('.monaco-sash.vertical')) {
        const b = await s.boundingBox();
        if (b && b.height > 100 && Math.abs(b.x + b.width / 2 - (box.x + box.width)) <= 4) sash = { x: b.x + b.width / 2, y: b.y + b.height / 2 };
      }
      assert.ok(sash, 'the side bar\'s sash');
      await page.mouse.move(sash.x, sash.y);
      await page.mouse.down();
      await page.mouse.move(sash.x + (width - box.width) / 2, sash.y, { steps: 3 });
      await page.mouse.move(sash.x + (width - box.width), sash.y, { steps: 3 });
      await page.mouse.up();
      // Off the sash, so its hover highlight is not in the screenshots.
      await page.mouse.move(sash.x + 300, sash.y);
      await page.waitForFunction(([w]) => {
        const el = (globalThis as unknown as { document: { querySelector(s: string): { getBoundingClientRect(): { width: number } } | null } }).document.querySelector('.part.sidebar');
        return !!el && el.getBoundingClientRect().width !== w;
      }, [box.width] as const, { timeout: 10000 });
    }
    const final = await sidebarWidth();
    assert.ok(Math.abs(final.width - width) <= 1, `the side bar is ${final.width} px, not ${width}`);
  }
});
