// The extensionTestsPath module (same contract under code-server and @vscode/test-electron): VS Code
// requires it in the extension host and awaits run(); a rejection marks the run failed.
import * as fs from 'fs';
import * as path from 'path';
import Mocha from 'mocha';

export function run(): Promise<void> {
  const mocha = new Mocha({ ui: 'tdd', color: false, timeout: 30000, reporter: 'spec' });
  if (process.env.MOCHA_GREP) mocha.grep(new RegExp(process.env.MOCHA_GREP));
  // EXT_TEST_FILES / EXT_TEST_EXCLUDE: comma-separated name prefixes, so one host can run a subset.
  const only = (process.env.EXT_TEST_FILES ?? '').split(',').filter(Boolean);
  const skip = (process.env.EXT_TEST_EXCLUDE ?? '').split(',').filter(Boolean);
  for (const f of fs.readdirSync(__dirname).sort()) {
    if (!f.endsWith('.test.js')) continue;
    if (only.length && !only.some(p => f.startsWith(p))) continue;
    if (skip.some(p => f.startsWith(p))) continue;
    mocha.addFile(path.join(__dirname, f));
  }
  const resultFile = process.env.EXT_TEST_RESULT_FILE; // read back by the runner outside VS Code
  const lines: string[] = [];
  return new Promise((resolve, reject) => {
    const runner = mocha.run(failures => {
      const summary = { passes: runner.stats?.passes ?? 0, failures, pending: runner.stats?.pending ?? 0, lines };
      if (resultFile) fs.writeFileSync(resultFile, JSON.stringify(summary, null, 2));
      if (failures > 0) reject(new Error(`${failures} test(s) failed.`));
      else resolve();
    });
    runner.on('pass', t => lines.push(`ok   - ${t.fullTitle()}`));
    runner.on('fail', (t, err: Error) => lines.push(`FAIL - ${t.fullTitle()}: ${err && err.message}`));
  });
}
