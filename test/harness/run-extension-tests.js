// Runs out/extension/index.js (mocha) inside the extension host of a real VS Code: code-server, its
// workbench opened in Debian's Chromium by playwright-core. Returns {passes, failures, lines}.
'use strict';
const fs = require('fs');
const path = require('path');
const util = require('util');
const { paths, CHROMIUM_ARGS } = require('./tools');
const { startCodeServer, makeRunDir, copyDir, sleep } = require('./codeServer');

const ROOT = path.resolve(__dirname, '..', '..');

async function runExtensionTests({ timeoutMs = 15 * 60 * 1000, keep = false } = {}) {
  const { chromium } = require('playwright-core');
  const dir = makeRunDir(path.join(ROOT, '.test-runs'), 'extension');
  copyDir(path.join(ROOT, 'test', 'fixtures', 'workspace'), path.join(dir, 'workspace'));
  const resultFile = path.join(dir, 'result.json');
  const testEnv = { EXT_TEST_RESULT_FILE: resultFile, EXT_TEST_WORKSPACE: path.join(dir, 'workspace'), MOCHA_GREP: process.env.MOCHA_GREP || '',
    TANDEM_TEST_OUT: path.join(ROOT, 'test-results') };
  const server = await startCodeServer({ dir, smokeTestDriver: true });
  let browser;
  let result = { passes: 0, failures: 1, lines: ['FAIL - extension tests produced no result'] };
  try {
    const remote = p => `vscode-remote://${server.host}${p}`;
    const payload = [
      ['extensionDevelopmentPath', remote(ROOT)],
      ['extensionTestsPath', remote(path.join(ROOT, 'out', 'extension', 'index.js'))],
      ['extensionEnvironment', JSON.stringify(testEnv)],
      ['skipWelcome', 'true'],
    ];
    browser = await chromium.launch({ executablePath: paths.chromium, headless: true, env: server.env, args: CHROMIUM_ARGS });
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    let onExit;
    const exited = new Promise(r => { onExit = r; });
    await page.exposeFunction('codeAutomationExit', code => onExit({ via: 'exit', code }));
    await page.exposeFunction('codeAutomationLog', (type, args) => {
      const line = util.format(...(args || []));
      if (!process.env.E2E_VERBOSE && /\/static\/out\/vs\//.test(line)) return; // workbench-internal stack noise
      console.log(line);
    });
    page.on('pageerror', e => { if (process.env.E2E_VERBOSE) console.log('[workbench] pageerror:', e.message); });
    await page.goto(server.url(testEnv.EXT_TEST_WORKSPACE, payload));
    const outcome = await Promise.race([exited, sleep(timeoutMs).then(() => ({ via: 'timeout', code: 2 }))]);
    if (outcome.via === 'timeout') console.log(`[extension] timed out after ${timeoutMs} ms`);
    if (fs.existsSync(resultFile)) result = JSON.parse(fs.readFileSync(resultFile, 'utf8'));
    else console.log(`[extension] no result file; see ${server.logFile}`);
    return result;
  } finally {
    if (browser) await browser.close().catch(() => {});
    await server.stop();
    if (keep || process.env.E2E_KEEP_TMP || result.failures > 0) console.log(`[extension] run folder kept: ${dir}`);
    else fs.rmSync(dir, { recursive: true, force: true });
  }
}

module.exports = { runExtensionTests };
