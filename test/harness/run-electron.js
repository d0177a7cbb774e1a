#!/usr/bin/env node
// `npm run test:electron`: the same extension suite through @vscode/test-electron, which downloads a
// desktop VS Code. Only for machines with internet access and a display (or xvfb-run).
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');
const { runTests } = require('@vscode/test-electron');

const ROOT = path.resolve(__dirname, '..', '..');

(async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tandem-electron-'));
  const workspace = path.join(dir, 'workspace');
  fs.cpSync(path.join(ROOT, 'test', 'fixtures', 'workspace'), workspace, { recursive: true });
  const resultFile = path.join(dir, 'result.json');
  const env = { EXT_TEST_RESULT_FILE: resultFile, EXT_TEST_WORKSPACE: workspace, MOCHA_GREP: process.env.MOCHA_GREP || '' };
  let code = 1;
  try {
    code = await runTests({
      extensionDevelopmentPath: ROOT,
      extensionTestsPath: path.join(ROOT, 'out', 'extension', 'index.js'),
      extensionTestsEnv: env,
      launchArgs: [workspace, '--disable-extensions', `--user-data-dir=${path.join(dir, 'ud')}`],
    });
  } catch (e) {
    console.error(e);
  }
  const r = fs.existsSync(resultFile) ? JSON.parse(fs.readFileSync(resultFile, 'utf8')) : { passes: 0, failures: 1 };
  console.log(`${r.passes} passed, ${r.failures} failed`);
  process.exit(r.passes + r.failures > 0 && r.failures === 0 && code === 0 ? 0 : 1);
})();
