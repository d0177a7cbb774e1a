// The packaged VSIX in a real VS Code workbench (code-server) driven like a person would: open a file,
// select code, run "Tandem: Explain Selection" from the command palette, and read the streamed answer
// inside the chat webview's frame. Screenshots go to test-results/ (ignored by git).
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { chromium, type Browser, type Frame, type Page } from 'playwright-core';
import { FakeOpenAI } from '../fixtures/fakeOpenAI';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const harness = require('../harness/codeServer.js') as {
  startCodeServer(o: { dir: string; settings?: Record<string, unknown> }): Promise<{ url(folder: string): string; stop(): Promise<void>; env: NodeJS.ProcessEnv }>;
  makeRunDir(root: string, name: string): string;
  copyDir(a: string, b: string): void;
  installVsix(dir: string, vsix: string): void;
};
// eslint-disable-next-line @typescript-eslint/no-require-imports
const tools = require('../harness/tools.js') as { paths: { chromium: string }; CHROMIUM_ARGS: string[] };

const ROOT = path.resolve(__dirname, '..', '..');
const SHOTS = path.join(ROOT, 'test-results');

async function findFrame(page: Page, selector: string, timeoutMs = 30000): Promise<Frame> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    for (const f of page.frames()) {
      try {
        if (await f.$(selector)) return f;
      } catch {
        // the frame was detached while we looked
      }
    }
    await page.waitForTimeout(200);
  }
  throw new Error(`no frame has ${selector}`);
}

async function runCommand(page: Page, title: string): Promise<void> {
  await page.keyboard.press('F1');
  await page.waitForSelector('.quick-input-widget input', { state: 'visible' });
  await page.keyboard.type(title);
  await page.waitForSelector(`.quick-input-list .monaco-list-row[aria-label*="${title}"]`, { timeout: 10000 });
  await page.keyboard.press('Enter');
}

suite('Workbench: Explain Selection from the command palette', function () {
  this.timeout(180000);
  const fx = new FakeOpenAI({ models: ['test-model'] });
  let browser: Browser | undefined;
  let page: Page;
  let server: { url(folder: string): string; stop(): Promise<void>; env: NodeJS.ProcessEnv } | undefined;
  let workspace: string;

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
    await page.goto(server.url(workspace));
    await page.waitForSelector('.monaco-workbench', { timeout: 60000 });
    await page.waitForSelector('.activitybar', { timeout: 60000 });
  });

  suiteTeardown(async () => {
    await browser?.close().catch(() => undefined);
    await server?.stop();
    await fx.stop();
  });

  test('the answer streams into the sidebar chat next to the code it explains', async () => {
    await page.keyboard.press('Control+P');
    await page.waitForSelector('.quick-input-widget input', { state: 'visible' });
    await page.keyboard.type('sample.ts');
    await page.waitForSelector('.quick-input-list .monaco-list-row', { timeout: 10000 });
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
});
