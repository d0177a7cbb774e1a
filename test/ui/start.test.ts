// The README's first command, as a newcomer runs it: `npm start` (through npm, so the tool install and
// the packaging see npm's environment) prints a URL, that URL serves a VS Code workbench with Tandem
// in it and the sample workspace trusted, and Ctrl+C stops everything. The profile goes into a fresh
// folder so a developer's own .test-runs/start is left alone.
import * as assert from 'assert';
import { spawn, type ChildProcess } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import { chromium, type Browser } from 'playwright-core';
import { findFrame } from './frames';
const tools = require('../harness/tools.js') as { paths: { chromium: string }; CHROMIUM_ARGS: string[] };

const ROOT = path.resolve(__dirname, '..', '..');
const SHOTS = path.join(ROOT, 'test-results');

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer().once('error', reject).listen(0, '127.0.0.1', () => {
      const a = s.address();
      const port = typeof a === 'object' && a ? a.port : 0;
      s.close(() => resolve(port));
    });
  });
}

function portIsFree(port: number): Promise<boolean> {
  return new Promise(resolve => {
    const s = net.createServer().once('error', () => resolve(false)).listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}


suite('npm start: the README command on this machine', function () {
  this.timeout(300000);
  let child: ChildProcess | undefined;
  let output = '';
  let browser: Browser | undefined;
  let dir = '';
  let port = 0;

  /** Resolves with the first match of re in npm start's output, or fails when it exits or time runs out. */
  function waitForOutput(re: RegExp, timeoutMs: number): Promise<RegExpMatchArray> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const m = output.match(re);
        if (m) { done(); resolve(m); }
      };
      const onExit = (code: number | null) => { done(); reject(new Error(`npm start exited (${code}) before printing ${re}:\n${output}`)); };
      const timer = setTimeout(() => { done(); reject(new Error(`npm start printed no ${re} in ${timeoutMs} ms:\n${output}`)); }, timeoutMs);
      const done = () => { clearTimeout(timer); child?.stdout?.off('data', check); child?.off('exit', onExit); };
      child?.stdout?.on('data', check);
      child?.once('exit', onExit);
      check();
    });
  }

  suiteSetup(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tandem-start-'));
    port = await freePort();
    const env: NodeJS.ProcessEnv = { ...process.env, PORT: String(port), TANDEM_START_DIR: dir };
    delete env.TANDEM_WORKSPACE;
    child = spawn('npm', ['start'], { cwd: ROOT, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout?.on('data', (d: Buffer) => { output += d.toString(); });
    child.stderr?.on('data', (d: Buffer) => { output += d.toString(); });
  });

  suiteTeardown(async () => {
    await browser?.close().catch(() => undefined);
    if (child?.pid && child.exitCode === null) {
      try { process.kill(-child.pid, 'SIGKILL'); } catch { /* gone */ }
    }
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  test('prints a URL that serves the workbench with Tandem installed and the sample workspace trusted', async () => {
    const m = await waitForOutput(/Tandem is running in VS Code at\s+(http:\/\/127\.0\.0\.1:(\d+)\/\S+)/, 240000);
    assert.strictEqual(Number(m[2]), port, 'PORT chooses the port');
    // The lines after the URL may arrive in a later chunk of output.
    await waitForOutput(/Press Ctrl\+C to stop/, 10000);
    assert.match(output, /Tandem: Select Provider/, 'says how to point Tandem at a server');
    assert.match(output, /Tandem: Set API Key/);
    browser = await chromium.launch({ executablePath: tools.paths.chromium, headless: true, args: tools.CHROMIUM_ARGS });
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await page.goto(m[1], { timeout: 180000 });
    await page.waitForSelector('.monaco-workbench .activitybar', { timeout: 60000 });
    // Tandem's view container in the activity bar, then its chat view with the setup card (no server yet).
    const tandem = await page.waitForSelector('.activitybar .action-item a[aria-label^="Tandem"]', { timeout: 60000 });
    await tandem.click();
    const frame = await findFrame(page, '.setup-card:not([hidden])', 60000);
    assert.match(await frame.innerText('.setup-card'), /\S/, 'the setup card says what to do');
    // Trusted: VS Code shows no Restricted Mode indicator for the sample workspace.
    assert.strictEqual(await page.$('.statusbar-item[id*="restricted" i], .statusbar-item[aria-label*="Restricted Mode"]'), null,
      'the sample workspace opens trusted');
    fs.mkdirSync(SHOTS, { recursive: true });
    await page.screenshot({ path: path.join(SHOTS, 'npm-start.png') });
  });

  test('Ctrl+C stops code-server and frees the port', async () => {
    assert.ok(child?.pid, 'npm start is running');
    const exited = new Promise<number | null>(r => child?.once('exit', c => r(c)));
    process.kill(-child.pid, 'SIGINT'); // what the terminal sends to the whole foreground group
    const code = await Promise.race([exited, new Promise<'timeout'>(r => setTimeout(() => r('timeout'), 20000))]);
    assert.notStrictEqual(code, 'timeout', 'npm start ends within 20 s of Ctrl+C');
    const end = Date.now() + 10000;
    while (!(await portIsFree(port)) && Date.now() < end) await new Promise(r => setTimeout(r, 200));
    assert.ok(await portIsFree(port), `port ${port} is free again`);
  });
});
