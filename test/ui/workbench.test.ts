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
const harness = require('../harness/codeServer.js') as {
  startCodeServer(o: { dir: string; settings?: Record<string, unknown> }): Promise<{ url(folder: string): string; stop(): Promise<void>; env: NodeJS.ProcessEnv }>;
  makeRunDir(root: string, name: string): string;
  copyDir(a: string, b: string): void;
  installVsix(dir: string, vsix: string): void;
};
const tools = require('../harness/tools.js') as { paths: { chromium: string }; CHROMIUM_ARGS: string[] };

const ROOT = path.resolve(__dirname, '..', '..');
const SHOTS = path.join(ROOT, 'test-results');


async function runCommand(page: Page, title: string): Promise<void> {
  await page.keyboard.press('F1');
  await page.waitForSelector('.quick-input-widget input', { state: 'visible' });
  await page.keyboard.type(title);
  await page.waitForSelector(`.quick-input-list .monaco-list-row[aria-label*="${title}"]`, { timeout: 30000 });
  await page.keyboard.press('Enter');
}

suite('Workbench: Explain Selection from the command palette', function () {
  this.timeout(180000);
  const fx = new FakeOpenAI({ models: ['test-model'] });
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
      settings: { 'tandem.baseUrl': fx.baseUrl, 'tandem.model': 'test-model', 'workbench.colorTheme': 'Default Dark Modern' },
    });
    browser = await chromium.launch({ executablePath: tools.paths.chromium, headless: true, env: server.env, args: tools.CHROMIUM_ARGS });
    page = await browser.newPage({ viewport: { width: 1400, height: 850 } });
    await page.goto(server.url(workspace), { timeout: 180000 }); // a busy 2-core machine has taken over 30 s to serve the workbench
    await page.waitForSelector('.monaco-workbench', { timeout: 60000 });
    await page.waitForSelector('.activitybar', { timeout: 60000 });
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

  test('the answer streams into the sidebar chat next to the code it explains', async () => {
    await page.keyboard.press('Control+P');
    await page.waitForSelector('.quick-input-widget input', { state: 'visible' });
    await page.keyboard.type('sample.ts');
    await page.waitForSelector('.quick-input-list .monaco-list-row', { timeout: 30000 });
    await page.keyboard.press('Enter');
    await page.waitForSelector('.monaco-editor .view-lines', { timeout: 20000 });
    await page.click('.monaco-editor .view-lines');
    // Select the function average (lines 2-8).
    await page.keyboard.press('Control+Home');
    await page.keyboard.press('ArrowDown');
    for (let i = 0; i < 7; i++) await page.keyboard.press('Shift+ArrowDown');
    await page.keyboard.press('Shift+End');

    await runCommand(page, 'Tandem: Explain Selection');
    const frame = await findFrame(page, '#messages .message.assistant', 30000);
    await frame.waitForFunction(
      (expected: string) => {
        const doc = (globalThis as unknown as { document: { querySelector(s: string): { textContent: string | null } | null } }).document;
        const el = doc.querySelector('#messages .message.assistant:last-of-type');
        return !!el && (el.textContent ?? '').includes(expected);
      },
      'An empty array also divides by zero.',
      { timeout: 30000 },
    );
    const text = await frame.innerText('#messages .message.assistant');
    assert.match(text, /What average does/);
    assert.ok(await frame.$('#messages .message.assistant h2'), 'the heading is rendered as markdown');
    assert.ok(await frame.$('#messages .message.assistant pre code'), 'the fence is rendered as code');
    const user = await frame.innerText('#messages .message.user');
    assert.match(user, /sample\.ts/);
    const [req] = fx.chatRequests();
    assert.match(JSON.stringify(req.body), /export function average/);
    await page.waitForTimeout(300);
    await page.screenshot({ path: path.join(SHOTS, 'ui-explain-dark.png') });
  });

  /** The answer's code block, its buttons, and the file on disk after saving. */
  const fixedLoop = 'for (let i = 0; i < values.length; i++) {\n  sum += values[i];\n}';
  const sampleFile = () => path.join(workspace, 'sample.ts');
  async function chatFrame(): Promise<Frame> {
    return findFrame(page, '#messages .message.assistant pre code', 20000);
  }
  async function codeButton(action: string): Promise<void> {
    const frame = await chatFrame();
    const block = frame.locator('#messages .message.assistant').last().locator('[data-action="' + action + '"]').first();
    if (!(await block.isVisible())) {
      await frame.locator('#messages .message.assistant').last().locator('.code-more-toggle').first().click();
    }
    await block.click();
  }
  async function focusEditor(): Promise<void> {
    await page.click('.monaco-editor .view-lines');
  }
  /** Saves with Ctrl+S and reads the file once it differs from `before` (bounded). */
  async function saveAndRead(before: string): Promise<string> {
    await page.keyboard.press('Control+S');
    for (const end = Date.now() + 10000; Date.now() < end; await page.waitForTimeout(100)) {
      const text = fs.readFileSync(sampleFile(), 'utf8');
      if (text !== before) return text;
    }
    return fs.readFileSync(sampleFile(), 'utf8');
  }

  test('Insert at Cursor puts the code block at the cursor', async () => {
    const original = fs.readFileSync(sampleFile(), 'utf8');
    await focusEditor();
    await page.keyboard.press('Control+End');
    await codeButton('insert');
    await page.waitForSelector('.tab.active.dirty, .tab.active .codicon-close', { timeout: 5000 }).catch(() => undefined);
    await page.waitForTimeout(300);
    const text = await saveAndRead(original);
    assert.strictEqual(text, original + fixedLoop);
    fs.writeFileSync(sampleFile(), original);
    await runCommand(page, 'File: Revert File');
  });

  test('Replace Selection replaces the selected lines with the code block', async () => {
    const original = fs.readFileSync(sampleFile(), 'utf8');
    await focusEditor();
    // Select lines 4-6 (the loop).
    await page.keyboard.press('Control+Home');
    for (let i = 0; i < 3; i++) await page.keyboard.press('ArrowDown');
    for (let i = 0; i < 2; i++) await page.keyboard.press('Shift+ArrowDown');
    await page.keyboard.press('Shift+End');
    await codeButton('replaceSelection');
    await page.waitForTimeout(300);
    const text = await saveAndRead(original);
    const lines = original.split('\n');
    const expected = [...lines.slice(0, 3), fixedLoop, ...lines.slice(6)].join('\n');
    assert.strictEqual(text, expected);
    fs.writeFileSync(sampleFile(), original);
    await runCommand(page, 'File: Revert File');
  });

  test('Apply to File shows a diff; accepting applies it to the lines the question was about', async () => {
    fx.setDefault({ text: ['Fixed:', '', '```ts', 'export function average(values: number[]): number {', '  let sum = 0;', '  for (let i = 0; i < values.length; i++) {', '    sum += values[i];', '  }', '  return values.length ? sum / values.length : 0;', '}', '```'].join('\n') });
    const original = fs.readFileSync(sampleFile(), 'utf8');
    // Ask again so the answer's code is the whole function.
    await focusEditor();
    await page.keyboard.press('Control+Home');
    await page.keyboard.press('ArrowDown');
    for (let i = 0; i < 6; i++) await page.keyboard.press('Shift+ArrowDown');
    await page.keyboard.press('Shift+End');
    await runCommand(page, 'Tandem: Explain Selection');
    const frame = await chatFrame();
    await frame.waitForFunction(() => {
      const doc = (globalThis as unknown as { document: { querySelectorAll(s: string): ArrayLike<{ textContent: string | null }> } }).document;
      const all = doc.querySelectorAll('#messages .message.assistant');
      // Explain starts a conversation of its own: its answer is the view's last one.
      return all.length >= 1 && (all[all.length - 1].textContent ?? '').includes('sum / values.length : 0');
    }, undefined, { timeout: 30000 });
    await codeButton('apply');
    await page.waitForSelector('.monaco-diff-editor', { timeout: 20000 });
    await page.waitForTimeout(500);
    await page.screenshot({ path: path.join(SHOTS, 'ui-apply-diff.png') });
    await page.keyboard.press('Control+Alt+Shift+Y');
    await page.waitForFunction(() => !(globalThis as unknown as { document: { querySelector(s: string): unknown } }).document.querySelector('.monaco-diff-editor'), undefined, { timeout: 10000 });
    await page.waitForTimeout(300);
    const text = await saveAndRead(original);
    assert.ok(text.includes('return values.length ? sum / values.length : 0;'), text);
    assert.ok(text.includes('i < values.length'), text);
    assert.ok(text.includes('export function greet'), 'the rest of the file is untouched');
    assert.strictEqual(text.split('export function average').length, 2, 'applied once, in place');
    fs.writeFileSync(sampleFile(), original);
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

});
