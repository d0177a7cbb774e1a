#!/usr/bin/env node
// `npm test`: checks types (both tsconfigs), installs what the tests need on first use, builds, then runs
// the three stages
//   unit       mocha in plain Node (everything that does not import vscode, the webview in Chromium)
//   extension  mocha inside the extension host of a real VS Code (code-server)
//   ui         Playwright + Chromium driving the workbench with the packaged VSIX installed
// and prints one `N passed, N failed` line for all of them. A stage that ran no test fails the run.
//   node test/harness/run-all.js [unit|extension|ui ...]
'use strict';
const fs = require('fs');
const path = require('path');
const { spawnSync } = require('child_process');
const { ensureTools } = require('./tools');
const { runExtensionTests } = require('./run-extension-tests');

const ROOT = path.resolve(__dirname, '..', '..');
const ALL = ['unit', 'extension', 'ui'];
const stages = process.argv.slice(2).filter(a => ALL.includes(a));
const selected = stages.length ? stages : ALL;
const t0 = Date.now();
const say = m => console.log(`[test ${((Date.now() - t0) / 1000).toFixed(0)}s] ${m}`);

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { cwd: ROOT, stdio: 'inherit', ...opts });
  return r.status === 0;
}

function mochaStage(name, timeoutMs, env = {}) {
  const resultFile = path.join(ROOT, 'out', `${name}-result.json`);
  fs.rmSync(resultFile, { force: true });
  run(process.execPath, [path.join(__dirname, 'run-mocha.js'), path.join(ROOT, 'out', name), resultFile, String(timeoutMs)],
    { env: { ...process.env, ...env }, timeout: 30 * 60 * 1000 });
  if (!fs.existsSync(resultFile)) return { passes: 0, failures: 1, lines: [`FAIL - the ${name} stage crashed before reporting`] };
  return JSON.parse(fs.readFileSync(resultFile, 'utf8'));
}

async function main() {
  const results = {};
  // esbuild strips types without checking them: the compiler is the only thing that does.
  say('checking types (npm run check)');
  if (!run('npm', ['run', '--silent', 'check'])) {
    console.log('\nType errors (above): fix them, then run npm test again.');
    console.log('0 passed, 1 failed');
    process.exit(1);
  }
  const needsVsCode = selected.some(s => s !== 'unit');
  if (needsVsCode || selected.includes('unit')) {
    say('installing test tools if missing');
    ensureTools(); // the unit stage renders the webview in Chromium too
  }
  say('building dist/ (production) and the VSIX');
  if (!run('npm', ['run', '--silent', 'package'])) throw new Error('build or packaging failed');
  say('building tests into out/');
  if (!run(process.execPath, ['esbuild.js', '--tests'])) throw new Error('building the tests failed');

  const vsix = fs.readdirSync(ROOT).find(f => /^tandem-.*\.vsix$/.test(f));
  for (const stage of selected) {
    say(`stage ${stage}`);
    try {
      if (stage === 'unit') results.unit = mochaStage('unit', 30000);
      else if (stage === 'extension') results.extension = await runExtensionTests();
      else results.ui = mochaStage('ui', 180000, { TANDEM_VSIX: vsix ? path.join(ROOT, vsix) : '' });
    } catch (e) {
      // A stage whose harness broke counts as one failure; the other stages still run and report.
      console.error(e && e.stack ? e.stack : e);
      results[stage] = { passes: 0, failures: 1, pending: 0, lines: [`FAIL - the ${stage} stage stopped: ${e && e.message ? e.message.split('\n')[0] : e}`] };
    }
  }

  let passed = 0;
  let failed = 0;
  console.log('');
  for (const [stage, r] of Object.entries(results)) {
    for (const l of r.lines.filter(x => x.startsWith('FAIL'))) console.log(`  [${stage}] ${l}`);
    const ran = r.passes + r.failures;
    console.log(`  ${stage}: ${r.passes} passed${r.fixture ? ` (${r.fixture} of them test the fixture server)` : ''}, ${r.failures} failed${r.pending ? `, ${r.pending} skipped` : ''}${ran === 0 ? '  <- no test ran' : ''}`);
    passed += r.passes;
    failed += r.failures + (ran === 0 ? 1 : 0);
  }
  say(`done in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed > 0 || passed === 0 ? 1 : 0);
}

main().catch(e => {
  console.error(e && e.stack ? e.stack : e);
  console.log('0 passed, 1 failed');
  process.exit(1);
});
