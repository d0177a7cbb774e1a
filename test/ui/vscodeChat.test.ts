// Tandem in VS Code's own Chat (built into code-server 4.139), driven like a person would, with no
// GitHub sign-in and the AI features switched on (`chat.disableAIFeatures: false`): Tandem's model in
// the Language Models editor and the Chat's model picker, `@tandem /explain` on the editor's selection
// streamed from the loopback server into the Chat view, `@tandem /fix` with its "Review the Fix" button
// opening Tandem's diff review, and the Chat's own Ask mode answering with Tandem's model. Screenshots go
// to test-results/.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { FakeOpenAI } from '../fixtures/fakeOpenAI';
import { FIXED_AVERAGE } from '../fixtures/averageFix';
import { harness, ROOT, SHOTS, tools } from './workbenchKit';
const MODEL = 'test-model';

const EXPLANATION = [
  '`average` adds up the values and divides by their count.',
  '',
  'The loop runs **one step too far**: `i <= values.length` reads past the end, so the sum becomes `NaN`.',
  '',
  'An empty array also divides by zero.',
].join('\n');


async function runCommand(page: Page, title: string): Promise<void> {
  await page.keyboard.press('F1');
  await page.waitForSelector('.quick-input-widget input', { state: 'visible' });
  await page.keyboard.type(title);
  await page.waitForSelector(`.quick-input-list .monaco-list-row[aria-label^="${title}"]`, { timeout: 30000 });
  await page.keyboard.press('Enter');
}

suite('VS Code\'s Chat: Tandem\'s models and @tandem', function () {
  this.timeout(240000);
  const fx = new FakeOpenAI({ models: [MODEL] });
  let browser: Browser | undefined;
  let page: Page;
  let server: { url(folder: string): string; stop(): Promise<void>; env: NodeJS.ProcessEnv } | undefined;
  let workspace = '';
  let runDir = '';
  let failed = false;
  const sampleFile = () => path.join(workspace, 'sample.ts');
  const chat = () => page.locator('.interactive-session');
  const lastResponse = () => chat().locator('.interactive-item-container.interactive-response').last();

  /** Selects lines 2-8 of sample.ts (the function average), whole lines. */
  async function selectAverage(): Promise<void> {
    await page.click('.monaco-editor[data-uri$="sample.ts"] .view-lines');
    await page.keyboard.press('Control+Home');
    await page.keyboard.press('ArrowDown');
    for (let i = 0; i < 7; i++) await page.keyboard.press('Shift+ArrowDown');
  }

  /** Types into the Chat's input and submits (once the completion list for @ and / is closed, so Enter sends). */
  async function send(text: string): Promise<void> {
    const input = chat().locator('.interactive-input-part .monaco-editor');
    await input.click();
    await page.keyboard.press('Control+A');
    await page.keyboard.press('Delete');
    await page.keyboard.type(`${text} `);
    await page.locator('.interactive-input-part .suggest-widget.visible').waitFor({ state: 'hidden', timeout: 10000 }).catch(() => undefined);
    await page.keyboard.press('Enter');
    // Sent once the question shows as a request in the list (the list recycles its rows, so their count
    // says nothing) and has left the input.
    const sent = (timeout: number) => page.waitForFunction(q => {
      const doc = (globalThis as unknown as { document: { querySelectorAll(s: string): ArrayLike<{ textContent: string | null }>; querySelector(s: string): { textContent: string | null } | null } }).document;
      const bare = (t: string | null | undefined) => (t ?? '').replace(/\s+/g, '');
      const asked = Array.from(doc.querySelectorAll('.interactive-session .interactive-item-container.interactive-request')).some(r => bare(r.textContent).includes(q));
      return asked && !bare(doc.querySelector('.interactive-input-part .monaco-editor .view-lines')?.textContent).includes(q);
    }, text.replace(/\s+/g, ''), { timeout });
    // Enter can land while the input still settles (a suggestion closing, the model list loading, as
    // seen once on a busy machine): then the question is still in the box, and Send sends it.
    await sent(15000).catch(async () => {
      await chat().locator('.interactive-input-part .action-label[aria-label^="Send"]').first().click({ timeout: 10000 });
      await sent(30000);
    });
  }

  suiteSetup(async () => {
    const vsix = process.env.TANDEM_VSIX;
    assert.ok(vsix && fs.existsSync(vsix), `the VSIX to test (TANDEM_VSIX=${vsix})`);
    fs.mkdirSync(SHOTS, { recursive: true });
    runDir = harness.makeRunDir(path.join(ROOT, '.test-runs'), 'ui-vscode-chat');
    workspace = path.join(runDir, 'workspace');
    harness.copyDir(path.join(ROOT, 'test', 'fixtures', 'workspace'), workspace);
    harness.installVsix(runDir, vsix);
    await fx.start();
    server = await harness.startCodeServer({
      dir: runDir,
      settings: {
        'tandem.provider': 'custom', 'tandem.baseUrl': fx.baseUrl, 'tandem.model': MODEL,
        // The harness switches VS Code's AI features off for every other test; this one is about them.
        'chat.disableAIFeatures': false,
        'workbench.colorTheme': 'Default Dark Modern',
      },
    });
    browser = await chromium.launch({ executablePath: tools.paths.chromium, headless: true, env: server.env, args: tools.CHROMIUM_ARGS });
    page = await browser.newPage({ viewport: { width: 1400, height: 850 } });
    await page.goto(server.url(workspace), { timeout: 120000 });
    await page.waitForSelector('.monaco-workbench', { timeout: 60000 });
    await page.waitForSelector('.activitybar', { timeout: 60000 });
    await page.keyboard.press('Control+P');
    await page.waitForSelector('.quick-input-widget input', { state: 'visible' });
    await page.keyboard.type('sample.ts');
    await page.waitForSelector('.quick-input-list .monaco-list-row', { timeout: 30000 });
    await page.keyboard.press('Enter');
    await page.waitForSelector('.monaco-editor[data-uri$="sample.ts"] .view-lines', { timeout: 20000 });
  });

  teardown(async function () {
    if (this.currentTest?.state === 'failed') {
      failed = true;
      const name = (this.currentTest.title ?? 'failure').replace(/[^\w]+/g, '-').slice(0, 60);
      await page.screenshot({ path: path.join(SHOTS, `failed-vscode-chat-${name}.png`) }).catch(() => undefined);
      // A modal left open (Language Models, a picker) would block the next test's clicks.
      await page.keyboard.press('Escape').catch(() => undefined);
    }
  });

  suiteTeardown(async () => {
    await browser?.close().catch(() => undefined);
    await server?.stop();
    await fx.stop();
    if (runDir && !failed && !process.env.E2E_KEEP_TMP) fs.rmSync(runDir, { recursive: true, force: true });
  });

  test('without a sign-in, Tandem\'s model is listed in Language Models and becomes the Chat\'s model', async () => {
    await runCommand(page, 'Chat: Open Chat (Ask)');
    await chat().locator('.interactive-input-part').waitFor({ timeout: 30000 });
    // VS Code asks a provider for its models when a list needs them: the Language Models editor does.
    // On a busy machine the editor can open before the models arrive and not refresh: then it is opened again (bounded).
    const row = page.locator('.monaco-list-row', { hasText: MODEL }).first();
    for (let attempt = 1; ; attempt++) {
      await runCommand(page, 'Chat: Manage Language Models');
      if (await row.waitFor({ timeout: 30000 }).then(() => true, () => false)) break;
      assert.ok(attempt < 5, `Tandem's model never appeared in Language Models; requests: ${fx.requests.map(r => `${r.method} ${r.path}`).join(', ')}`);
      await page.keyboard.press('Escape');
    }
    assert.ok(fx.requests.some(r => r.method === 'GET' && r.path === '/v1/models'), 'Tandem asked the server for its models');
    await page.screenshot({ path: path.join(SHOTS, 'vscode-chat-language-models.png') });
    await page.keyboard.press('Escape');
    // With no other model available (no Copilot sign-in), the Chat picks Tandem's.
    await chat().locator('.interactive-input-part .chat-input-toolbars', { hasText: MODEL }).waitFor({ timeout: 30000 });
  });

  test('@tandem /explain streams the answer from the loopback server into the Chat view, about the selected code', async () => {
    fx.setDefault({ text: EXPLANATION, chunkSize: 5, delayMs: 30 });
    await selectAverage();
    await send('@tandem /explain');
    const response = lastResponse();
    // Seen while it streams: the start of the answer without its end.
    await page.waitForFunction(() => {
      const doc = (globalThis as unknown as { document: { querySelectorAll(s: string): ArrayLike<{ textContent: string | null }> } }).document;
      const all = doc.querySelectorAll('.interactive-session .interactive-item-container.interactive-response');
      const t = all[all.length - 1]?.textContent ?? '';
      return t.includes('adds up') && !t.includes('divides by zero');
    }, undefined, { timeout: 60000, polling: 'raf' });
    await response.getByText('An empty array also divides by zero.').waitFor({ timeout: 60000 });
    const text = await response.innerText();
    assert.match(text, /Tandem/, 'answered by @tandem');
    assert.ok(await response.locator('strong', { hasText: 'one step too far' }).count(), 'rendered as markdown');
    const [req] = fx.chatRequests();
    const body = req.body as { model: string; messages: { role: string; content: string }[] };
    assert.strictEqual(body.model, MODEL);
    const sent = body.messages.map(m => m.content).join('\n');
    assert.match(sent, /Explain what this code does/);
    assert.match(sent, /for \(let i = 0; i <= values\.length; i\+\+\)/, 'the selected code was sent');
    assert.match(sent, /sample\.ts \(lines 2-8\)/);
    await page.screenshot({ path: path.join(SHOTS, 'vscode-chat-tandem-explain.png') });
  });

  test('the Chat\'s model picker lists Tandem\'s model with its provider', async () => {
    await chat().locator('.interactive-input-part .chat-input-toolbars').getByText(MODEL).click();
    const item = page.locator('.action-widget .monaco-list-row', { hasText: MODEL });
    await item.waitFor({ timeout: 30000 });
    assert.match(await item.innerText(), /Other OpenAI-compatible server/, 'the detail names Tandem\'s provider');
    await page.screenshot({ path: path.join(SHOTS, 'vscode-chat-model-picker.png') });
    await page.keyboard.press('Escape');
  });

  test('@tandem /fix offers "Review the Fix": it opens Tandem\'s diff review, and accepting changes exactly the selected lines', async () => {
    fx.setDefault({ text: `Fixed:\n\n\`\`\`typescript\n${FIXED_AVERAGE}\n\`\`\`\n\nThe loop stopped one element too late.`, chunkSize: 12, delayMs: 5 });
    const original = fs.readFileSync(sampleFile(), 'utf8');
    await selectAverage();
    await send('@tandem /fix');
    const button = lastResponse().getByRole('button', { name: 'Review the Fix' });
    await button.waitFor({ timeout: 60000 });
    await page.screenshot({ path: path.join(SHOTS, 'vscode-chat-tandem-fix.png') });
    await button.click();
    // Tandem's review: the file against the proposal, titled like Fix Selection's.
    await page.locator('.tab', { hasText: 'sample.ts ↔ the fix by Tandem' }).waitFor({ timeout: 30000 });
    await page.locator('.monaco-diff-editor .modified', { hasText: 'if (values.length === 0) return 0;' }).waitFor({ timeout: 30000 });
    await page.screenshot({ path: path.join(SHOTS, 'vscode-chat-tandem-fix-review.png') });
    await runCommand(page, 'Tandem: Accept Proposed Change');
    await page.locator('.tab', { hasText: 'the fix by Tandem' }).waitFor({ state: 'detached', timeout: 30000 });
    await page.click('.monaco-editor[data-uri$="sample.ts"] .view-lines');
    await page.keyboard.press('Control+S');
    const lines = original.split('\n');
    const expected = [...lines.slice(0, 1), FIXED_AVERAGE, ...lines.slice(8)].join('\n');
    let text = original;
    for (const end = Date.now() + 15000; text !== expected && Date.now() < end; await page.waitForTimeout(100)) text = fs.readFileSync(sampleFile(), 'utf8');
    assert.strictEqual(text, expected);
  });

  test('the Chat\'s own Ask mode answers with Tandem\'s model too', async () => {
    fx.setDefault({ text: 'Hello from Tandem\'s server, through VS Code\'s Chat.', chunkSize: 6, delayMs: 10 });
    const before = fx.chatRequests().length;
    await send('Say hello');
    await lastResponse().getByText('Hello from Tandem\'s server, through VS Code\'s Chat.').waitFor({ timeout: 90000 });
    const asked = fx.chatRequests().slice(before);
    assert.ok(asked.some(r => JSON.stringify(r.body).includes('Say hello')), 'the question reached the loopback server');
    assert.ok(asked.every(r => (r.body as { model: string }).model === MODEL));
    await page.screenshot({ path: path.join(SHOTS, 'vscode-chat-ask-mode.png') });
  });
});
