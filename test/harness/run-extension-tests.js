// Runs out/extension/index.js (mocha) inside the extension host of a real VS Code: code-server, its
// workbench opened in Debian's Chromium by playwright-core. Returns {passes, failures, lines}.
// Runs: the main suite; "history survives a crash" (a first host asks, is killed with SIGKILL
// mid-stream, and a second host on the same user-data folder checks what it finds); two windows at once
// on one user-data folder, then a third that checks what they wrote; and a host with Workspace Trust
// on, where the folder is untrusted.
'use strict';
const fs = require('fs');
const path = require('path');
const util = require('util');
const { paths, CHROMIUM_ARGS } = require('./tools');
const { startCodeServer, makeRunDir, copyDir, sleep } = require('./codeServer');

const ROOT = path.resolve(__dirname, '..', '..');
const NO_RESULT = { passes: 0, failures: 1, pending: 0, lines: ['FAIL - the extension tests produced no result'] };

/** The environment the tests see in one extension host. */
function testEnvFor(dir, { files, exclude, resultFile, extra = {} }) {
  return { EXT_TEST_RESULT_FILE: resultFile, EXT_TEST_WORKSPACE: path.join(dir, 'workspace'), EXT_TEST_USER_DATA: path.join(dir, 'ud'),
    EXT_TEST_RUN_DIR: dir, EXT_TEST_FILES: files || '', EXT_TEST_EXCLUDE: exclude || '', MOCHA_GREP: process.env.MOCHA_GREP || '', ...extra };
}

/** Opens one workbench window (its own extension host) that runs the tests; resolves `exited` when they end. */
async function openTestWindow(browser, server, testEnv, prefix = '') {
  const remote = p => `vscode-remote://${server.host}${p}`;
  const payload = [
    ['extensionDevelopmentPath', remote(ROOT)],
    ['extensionTestsPath', remote(path.join(ROOT, 'out', 'extension', 'index.js'))],
    ['extensionEnvironment', JSON.stringify(testEnv)],
    ['skipWelcome', 'true'],
  ];
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  let onExit;
  const exited = new Promise(r => { onExit = r; });
  await page.exposeFunction('codeAutomationExit', code => onExit({ via: 'exit', code }));
  await page.exposeFunction('codeAutomationLog', (type, args) => {
    const line = util.format(...(args || []));
    if (!process.env.E2E_VERBOSE && /\/static\/out\/vs\/|^\[(AgentHost|AccountPolicyGate|Service Worker|reconnection-grace-time)|^(Resolving|Resolved) connection token|^Creating a socket|^Updating additional builtin/.test(line)) return;
    console.log(prefix + line);
  });
  // The extension host starts with the page; 'load' waits for every workbench script, which a busy
  // 2-core machine has taken over 30 s (Playwright's default) to serve.
  await page.goto(server.url(testEnv.EXT_TEST_WORKSPACE, payload), { waitUntil: 'domcontentloaded', timeout: 180000 });
  return { page, exited };
}

function readResult(resultFile, label, logFile) {
  if (fs.existsSync(resultFile)) return JSON.parse(fs.readFileSync(resultFile, 'utf8'));
  console.log(`[extension] ${label}: no result file; see ${logFile}`);
  return { ...NO_RESULT, lines: [`FAIL - ${label}: no result (see ${logFile})`] };
}

/**
 * Several windows of one code-server on one user-data folder at the same time, each with its own
 * extension host running `files` (EXT_TEST_WINDOW tells them apart; they meet through files in the run
 * folder). Bounded by timeoutMs.
 */
async function runWindows({ dir, files, names, timeoutMs, label }) {
  const { chromium } = require('playwright-core');
  const server = await startCodeServer({ dir, smokeTestDriver: true });
  let browser;
  try {
    browser = await chromium.launch({ executablePath: paths.chromium, headless: true, env: server.env, args: CHROMIUM_ARGS });
    const windows = [];
    for (const name of names) {
      const resultFile = path.join(dir, `result-${label}-${name}.json`);
      fs.rmSync(resultFile, { force: true });
      const env = testEnvFor(dir, { files, resultFile, extra: { EXT_TEST_WINDOW: name, EXT_TEST_WINDOWS: names.join(',') } });
      windows.push({ name, resultFile, ...(await openTestWindow(browser, server, env, `[${name}] `)) });
    }
    const deadline = sleep(timeoutMs).then(() => ({ via: 'timeout' }));
    const total = { passes: 0, failures: 0, pending: 0, lines: [] };
    for (const w of windows) {
      const outcome = await Promise.race([w.exited, deadline]);
      if (outcome.via === 'timeout') console.log(`[extension] ${label} ${w.name}: timed out after ${timeoutMs} ms`);
      add(total, readResult(w.resultFile, `${label} ${w.name}`, server.logFile), `${label} ${w.name}`);
    }
    return total;
  } finally {
    if (browser) await browser.close().catch(() => {});
    await server.stop();
  }
}

/**
 * One code-server session running the selected test files. `killMarker`: a file the tests write when
 * they want the whole VS Code killed with SIGKILL (then the run counts as one pass).
 */
async function runHost({ dir, files, exclude, killMarker, timeoutMs, label, trust = false }) {
  const { chromium } = require('playwright-core');
  const resultFile = path.join(dir, `result-${label}.json`);
  fs.rmSync(resultFile, { force: true });
  const testEnv = testEnvFor(dir, { files, exclude, resultFile });
  const server = await startCodeServer({ dir, smokeTestDriver: true, trust });
  let browser;
  try {
    browser = await chromium.launch({ executablePath: paths.chromium, headless: true, env: server.env, args: CHROMIUM_ARGS });
    const { exited } = await openTestWindow(browser, server, testEnv);
    const waits = [exited, sleep(timeoutMs).then(() => ({ via: 'timeout', code: 2 }))];
    if (killMarker) {
      waits.push((async () => {
        for (const end = Date.now() + timeoutMs; Date.now() < end; await sleep(50)) if (fs.existsSync(killMarker)) return { via: 'marker' };
        return { via: 'timeout' };
      })());
    }
    const outcome = await Promise.race(waits);
    if (outcome.via === 'marker') {
      // The crash under test: no shutdown, no flush, the whole process group at once.
      try { process.kill(-server.pid, 'SIGKILL'); } catch { /* gone */ }
      // A setup step, not a test: what it set up is checked by the run after it.
      console.log(`[extension] ${label}: killed VS Code with SIGKILL mid-stream`);
      return { passes: 0, failures: 0, pending: 0, setupOnly: true, lines: [] };
    }
    if (outcome.via === 'timeout') console.log(`[extension] ${label}: timed out after ${timeoutMs} ms`);
    return readResult(resultFile, label, server.logFile);
  } finally {
    if (browser) await browser.close().catch(() => {});
    await server.stop();
  }
}

/** Adds one run's result; a run that was meant to test something and ran no test is a failure. */
function add(total, r, label) {
  if (r.passes + r.failures === 0) r = { ...r, failures: 1, lines: [...r.lines, `FAIL - ${label}: ran no test (did its files match nothing?)`] };
  total.passes += r.passes;
  total.failures += r.failures;
  total.pending += r.pending || 0;
  total.lines.push(...r.lines);
}

/** Runs one VS Code run; a run whose harness broke (a browser or server step threw) is one failure, not the stage's end. */
async function guarded(label, run) {
  try {
    return await run();
  } catch (e) {
    console.error(e && e.stack ? e.stack : e);
    return { ...NO_RESULT, failures: 1, lines: [`FAIL - ${label}: the run stopped: ${e && e.message ? e.message.split('\n')[0] : e}`] };
  }
}

async function runExtensionTests({ timeoutMs = 15 * 60 * 1000 } = {}) {
  const total = { passes: 0, failures: 0, pending: 0, lines: [] };
  const runs = [];
  // EXT_RUNS (comma-separated: main, restart, windows, trust) narrows the stage to some of its runs.
  const want = name => !process.env.EXT_RUNS || process.env.EXT_RUNS.split(',').includes(name);
  if (want('main')) {
    const main = makeRunDir(path.join(ROOT, '.test-runs'), 'extension');
    copyDir(path.join(ROOT, 'test', 'fixtures', 'workspace'), path.join(main, 'workspace'));
    runs.push(main);
    add(total, await guarded('main', () => runHost({ dir: main, exclude: 'restart-,trust-,windows-', timeoutMs, label: 'main' })), 'main');
  }

  if (!process.env.MOCHA_GREP && want('restart')) {
    const crash = makeRunDir(path.join(ROOT, '.test-runs'), 'restart');
    copyDir(path.join(ROOT, 'test', 'fixtures', 'workspace'), path.join(crash, 'workspace'));
    runs.push(crash);
    const marker = path.join(crash, 'kill-now.json');
    const first = await guarded('restart, first run', () => runHost({ dir: crash, files: 'restart-1', killMarker: marker, timeoutMs: 120000, label: 'restart, first run' }));
    // The first run must end by being killed mid-stream; the second one's tests check what survived.
    if (first.setupOnly) add(total, await guarded('restart, second run', () => runHost({ dir: crash, files: 'restart-2', timeoutMs: 240000, label: 'restart, second run' })), 'restart, second run');
    else add(total, { ...first, failures: first.failures + 1, lines: [...first.lines, 'FAIL - restart, first run: VS Code was never killed mid-stream'] }, 'restart, first run');
  }

  if (!process.env.MOCHA_GREP && want('windows')) {
    // Two windows (two extension hosts) on one user-data folder write the same conversation; then a
    // third window, as after a reload, checks what they left.
    const shared = makeRunDir(path.join(ROOT, '.test-runs'), 'windows');
    copyDir(path.join(ROOT, 'test', 'fixtures', 'workspace'), path.join(shared, 'workspace'));
    runs.push(shared);
    const both = await guarded('two windows', () => runWindows({ dir: shared, files: 'windows-1', names: ['A', 'B'], timeoutMs: 180000, label: 'two windows' }));
    add(total, both, 'two windows');
    if (both.failures === 0) add(total, await guarded('two windows, after reload', () => runHost({ dir: shared, files: 'windows-2', timeoutMs: 120000, label: 'two windows, after reload' })), 'two windows, after reload');
  }

  if (want('trust')) {
    // Workspace Trust on: the folder opens untrusted.
    const untrusted = makeRunDir(path.join(ROOT, '.test-runs'), 'trust');
    copyDir(path.join(ROOT, 'test', 'fixtures', 'workspace'), path.join(untrusted, 'workspace'));
    runs.push(untrusted);
    add(total, await guarded('untrusted workspace', () => runHost({ dir: untrusted, files: 'trust-', trust: true, timeoutMs: 300000, label: 'untrusted workspace' })), 'untrusted workspace');
  }
  for (const dir of runs) {
    if (total.failures > 0 || process.env.E2E_KEEP_TMP) console.log(`[extension] run folder kept: ${dir}`);
    else fs.rmSync(dir, { recursive: true, force: true });
  }
  return total;
}

module.exports = { runExtensionTests };
