// Runs the mocha files of one folder (plain Node) and writes {passes, failures, pending, lines} to a file.
//   node test/harness/run-mocha.js <folder> <resultFile> [timeoutMs]
'use strict';
const fs = require('fs');
const path = require('path');
const Mocha = require('mocha');

const [dir, resultFile, timeout] = process.argv.slice(2);
const mocha = new Mocha({ ui: 'tdd', color: false, timeout: Number(timeout || 20000), reporter: 'spec' });
if (process.env.MOCHA_GREP) mocha.grep(new RegExp(process.env.MOCHA_GREP));
const files = fs.existsSync(dir) ? fs.readdirSync(dir).filter(f => f.endsWith('.test.js')).sort() : [];
for (const f of files) mocha.addFile(path.resolve(dir, f));
const lines = [];
// Tests of the test fixture itself (the fake server, driven by the bare SDK) are counted apart, so the
// total says how many tests are of Tandem.
const FIXTURE_FILES = /[\\/]fakeOpenAI\.test\.js$/;
let fixture = 0;
const runner = mocha.run(failures => {
  const stats = runner.stats || {};
  fs.writeFileSync(resultFile, JSON.stringify({ passes: stats.passes || 0, failures, pending: stats.pending || 0, fixture, lines }, null, 2));
  // Open handles (a browser, a server) must not keep a finished stage alive.
  setTimeout(() => process.exit(failures ? 1 : 0), 200);
});
runner.on('pass', t => {
  lines.push(`ok   - ${t.fullTitle()}`);
  if (FIXTURE_FILES.test(t.file || '')) fixture++;
});
runner.on('fail', (t, err) => lines.push(`FAIL - ${t.fullTitle()}: ${err && err.message}`));
