#!/usr/bin/env node
// `npm run bench` (after `node esbuild.js --production`): measures the shipped dist/ bundles against their
// budgets and prints one table; writes test/bench/results.json and test/bench/RESULTS.md.
//   node test/bench/run.js [activation|size|workbench|latency|render|compute|history ...]   (a subset writes no result files)
//   node test/bench/run.js render --merge   (a subset whose rows replace that section's rows in the result
//                                            files; every other row is kept and marked with its own date)
//
// Times on a shared machine are noisy, so every time is a median, every loop is bounded in count and in
// time, and where a baseline runs in the same process the ratio to it is the number to compare between
// runs. A row over its budget says OVER; a section that breaks gives a FAILED row and the others still
// run. The exit code is 0 unless the harness itself crashed: budgets are reported, not enforced.
// Servers listen on 127.0.0.1 only; temporary files, child processes and the browser are cleaned up.
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');
const { ROOT, bundle, failedRow, killChildren, withTimeout } = require('./common');

const SECTION_LIMIT_MS = 15 * 60 * 1000;
const SECTIONS = {
  activation: { title: '1. activation', module: './activation' },
  size: { title: '2. size', module: './size' },
  latency: { title: '3. latency (and 5. host memory)', module: './llmBench' },
  render: { title: '4. rendering (and 5. webview memory)', module: './render' },
  compute: { title: '6. token counting and apply engine', module: './compute' },
  history: { title: '7. a large history in code-server (500 conversations x 50 messages)', module: './history' },
  // Last: code-server and its extension host load the machine for a while after they stop.
  workbench: { title: '1b. activation in code-server (with the VSIX from 2)', module: './workbench' },
};

const t0 = Date.now();
let maxLoad = 0;
const log = m => {
  maxLoad = Math.max(maxLoad, os.loadavg()[0]);
  console.log(`[bench ${((Date.now() - t0) / 1000).toFixed(0)}s] ${m}`);
};
const cleanups = [];
let tmp;

async function cleanup() {
  for (const f of cleanups.splice(0).reverse()) {
    try {
      await f();
    } catch {
      /* best effort */
    }
  }
  killChildren();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  tmp = undefined;
}

for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.once(sig, () => {
    cleanup().finally(() => process.exit(130));
  });
}
process.once('exit', () => {
  killChildren();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

function fmtNumber(v, decimals) {
  if (typeof v !== 'number') return String(v);
  if (!Number.isFinite(v)) return String(v);
  return v.toLocaleString('en-US', { minimumFractionDigits: decimals, maximumFractionDigits: decimals });
}

function cells(r) {
  const d = r.decimals ?? 2;
  const value = typeof r.value === 'number' ? `${fmtNumber(r.value, d)} ${r.unit}`.trim() : String(r.value);
  const budget = r.budget ? r.budget.text : '';
  const baseline = typeof r.baseline === 'number' ? `${fmtNumber(r.baseline, d)} ${r.unit}`.trim() : r.baseline !== undefined ? String(r.baseline) : '';
  const ratio = typeof r.ratio === 'number' ? `x${r.ratio >= 10 ? r.ratio.toFixed(0) : r.ratio >= 0.1 ? r.ratio.toFixed(2) : r.ratio.toFixed(4)}` : '';
  return { value, budget, baseline, ratio, status: r.status };
}

function consoleTable(rows) {
  const head = ['#', 'section', 'measure', 'value', 'budget', 'baseline', 'ratio', 'status'];
  const body = rows.map((r, i) => {
    const c = cells(r);
    return [String(i + 1), r.section, r.name, c.value, c.budget, c.baseline, c.ratio, c.status === 'OVER' ? '** OVER **' : c.status];
  });
  const widths = head.map((h, i) => Math.min(i === 2 ? 96 : 40, Math.max(h.length, ...body.map(b => b[i].length))));
  const fit = (s, w) => (s.length > w ? `${s.slice(0, w - 1)}…` : s.padEnd(w));
  const line = cols => cols.map((c, i) => fit(c, widths[i])).join(' | ');
  const out = [line(head), widths.map(w => '-'.repeat(w)).join('-+-'), ...body.map(line)];
  return out.join('\n');
}

/**
 * Copies what the VSIX ships (dist/, media/, the manifest and documents) into dir, so that a rebuild of
 * dist/ by someone else during the run cannot mix two builds in one set of results.
 */
function snapshot(dir) {
  const warnings = [];
  fs.mkdirSync(path.join(dir, 'dist'), { recursive: true });
  for (const f of ['extension.js', 'host.js', 'llm.js', 'webview.js']) {
    const from = path.join(ROOT, 'dist', f);
    if (!fs.existsSync(from)) throw new Error(`dist/${f} is missing: run \`npm run bench\`, which builds dist/ first`);
    const text = fs.readFileSync(from, 'utf8');
    if (/sourceMappingURL=/.test(text.slice(-300))) warnings.push(`dist/${f} is not a production build (it links a source map): run \`npm run bench\`, which builds with --production`);
    fs.writeFileSync(path.join(dir, 'dist', f), text);
  }
  // The icon font ships beside the bundles (esbuild.js copies it).
  for (const f of ['codicon.css', 'codicon.ttf']) {
    const from = path.join(ROOT, 'dist', f);
    if (!fs.existsSync(from)) throw new Error(`dist/${f} is missing: run \`npm run bench\`, which builds dist/ first`);
    fs.copyFileSync(from, path.join(dir, 'dist', f));
  }
  fs.cpSync(path.join(ROOT, 'media'), path.join(dir, 'media'), { recursive: true });
  for (const f of ['package.json', 'README.md', 'CHANGELOG.md', 'LICENSE', '.vscodeignore']) {
    if (fs.existsSync(path.join(ROOT, f))) fs.copyFileSync(path.join(ROOT, f), path.join(dir, f));
  }
  return { dir, warnings };
}

function gitCommit() {
  try {
    const { execFileSync } = require('child_process');
    const git = args => execFileSync('git', args, { cwd: ROOT, encoding: 'utf8', timeout: 10_000, stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    return `${git(['rev-parse', '--short', 'HEAD'])}${git(['status', '--porcelain', '--untracked-files=no']) ? ' + uncommitted changes' : ''}`;
  } catch {
    return 'unknown';
  }
}

function machine(extra) {
  const cpus = os.cpus();
  return {
    cpu: cpus[0] ? cpus[0].model.trim() : 'unknown',
    cores: cpus.length,
    memoryGiB: +(os.totalmem() / 1024 ** 3).toFixed(1),
    node: process.version,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    date: new Date().toISOString(),
    commit: gitCommit(),
    ...extra,
  };
}

function markdown(rows, m, durationS) {
  const esc = s => String(s).replace(/\|/g, '\\|');
  const out = [
    '# Tandem benchmark results',
    '',
    `Measured by \`${m.sections ? `node test/bench/run.js ${m.sections.join(' ')} --merge` : 'npm run bench'}\` on ${m.date.slice(0, 10)} (commit ${m.commit}): ${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB memory, Node ${m.node}` +
      `${m.chromium ? `, Chromium ${m.chromium}` : ''}, ${m.os}.${m.warnings.length ? ` **Warnings: ${m.warnings.join('; ')}.**` : ''} The whole run took ${durationS.toFixed(0)} s; the 1-minute load average was ` +
      `${m.loadAverage.start} at the start, ${m.loadAverage.max} at most and ${m.loadAverage.end} at the end (other work on the machine inflates wall-clock times).`,
    'Times are medians; on a shared machine compare the ratio to the baseline measured in the same run, not absolute times between runs.',
    ...(m.sections ? ['', `This run measured only ${m.sections.join(', ')}; every other row is from an earlier run and says so in its section column (date, commit).`] : []),
    '',
    '| # | Section | Measure | Value | Budget | Baseline | Ratio | Status |',
    '|---|---|---|---:|---|---:|---:|---|',
  ];
  rows.forEach((r, i) => {
    const c = cells(r);
    const baseline = c.baseline ? `${c.baseline}${r.baselineLabel ? ` (${r.baselineLabel})` : ''}` : '';
    const section = r.measured ? `${r.section} (${r.measured.date}, ${r.measured.commit})` : r.section;
    out.push(`| ${i + 1} | ${esc(section)} | ${esc(r.name)} | ${esc(c.value)} | ${esc(c.budget)} | ${esc(baseline)} | ${c.ratio} | ${c.status === 'OVER' ? '**OVER**' : c.status} |`);
  });
  out.push('', '## Details', '');
  rows.forEach((r, i) => {
    if (r.detail) out.push(`${i + 1}. ${r.detail}`);
  });
  out.push('');
  return out.join('\n');
}

/**
 * The previous results with the rows of `sections` replaced by this run's (in their place), every kept
 * row marked with the date and commit of the run that measured it, since a table mixing runs must say so.
 */
function mergeResults(previous, current, sections) {
  const oldRows = previous.rows || [];
  const untagged = oldRows.filter(r => !r.module).length;
  if (untagged) throw new Error(`results.json has ${untagged} rows without the section that measured them: run the whole benchmark once`);
  const stamp = { date: previous.machine.date.slice(0, 10), commit: previous.machine.commit };
  const rows = [];
  const placed = new Set();
  for (const r of oldRows) {
    if (!sections.includes(r.module)) {
      rows.push(r.measured ? r : { ...r, measured: stamp });
    } else if (!placed.has(r.module)) {
      placed.add(r.module);
      rows.push(...current.rows.filter(n => n.module === r.module));
    }
  }
  for (const name of sections) if (!placed.has(name)) rows.push(...current.rows.filter(n => n.module === name));
  const machine = { ...current.machine, sections, warnings: current.machine.warnings };
  return { machine, durationS: current.durationS, rows, data: { ...(previous.data || {}), ...current.data } };
}

async function main() {
  const wanted = process.argv.slice(2).filter(a => SECTIONS[a]);
  const merge = process.argv.includes('--merge');
  const selected = wanted.length ? wanted : Object.keys(SECTIONS);
  const full = selected.length === Object.keys(SECTIONS).length;
  const load0 = +os.loadavg()[0].toFixed(2);
  // Chromium and code-server, installed as `npm test` installs them if they are missing.
  if (selected.some(s => s === 'render' || s === 'workbench')) require('../harness/tools').ensureTools();
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tandem-bench-'));
  const { dir: shipped, warnings } = snapshot(path.join(tmp, 'shipped'));
  for (const w of warnings) log(`WARNING: ${w}`);
  log(`measuring a copy of the shipped files in ${shipped}; building the fixture server`);
  const fixture = await bundle(path.join(ROOT, 'test', 'fixtures', 'fakeOpenAI.ts'), path.join(tmp, 'fakeOpenAI.js'), { minify: false });
  const ctx = {
    root: ROOT,
    shipped,
    tmp,
    fixture,
    log,
    onCleanup: f => cleanups.push(f),
    t0Section: Date.now(),
  };
  const rows = [];
  const data = {};
  for (const name of selected) {
    const s = SECTIONS[name];
    log(`section ${s.title}`);
    ctx.t0Section = Date.now();
    try {
      // A section that hangs fails after SECTION_LIMIT_MS instead of holding the run forever.
      const result = await withTimeout(require(s.module).run(ctx), SECTION_LIMIT_MS, s.title);
      // Each row names the section that measured it, so that a later --merge replaces exactly those.
      rows.push(...result.rows.map(r => ({ ...r, module: name })));
      data[name] = result.data;
    } catch (e) {
      rows.push({ ...failedRow(name, `${s.title}: the section failed`, e), module: name });
      data[name] = { error: e && e.stack ? e.stack : String(e) };
    }
    // Sections with a browser close it now, not at the end.
    for (const f of cleanups.splice(0).reverse()) {
      try {
        await f();
      } catch {
        /* best effort */
      }
    }
    log(`section ${s.title} done in ${((Date.now() - ctx.t0Section) / 1000).toFixed(1)} s (load average ${os.loadavg()[0].toFixed(1)})`);
  }
  let chromium = data.render && data.render.chromium;
  if (!chromium) try {
    const { execFileSync } = require('child_process');
    const { paths } = require('../harness/tools');
    chromium = execFileSync(paths.chromium, ['--version'], { encoding: 'utf8', timeout: 10_000, stdio: ['ignore', 'pipe', 'ignore'] }).trim().replace(/^Chromium\s+/, '').split(' ')[0];
  } catch {
    chromium = undefined;
  }
  maxLoad = Math.max(maxLoad, os.loadavg()[0]);
  if (maxLoad > os.cpus().length) {
    warnings.push(`the machine was busy with other work (1-minute load average up to ${maxLoad.toFixed(1)} on ${os.cpus().length} cores): ` +
      'wall-clock rows (latency, first-to-last, delta-to-DOM, task time) are inflated, CPU-time rows much less');
  }
  const m = machine({ chromium, warnings, loadAverage: { start: load0, end: +os.loadavg()[0].toFixed(2), max: +maxLoad.toFixed(2) } });
  const durationS = (Date.now() - t0) / 1000;
  console.log('');
  console.log(consoleTable(rows));
  console.log('');
  rows.forEach((r, i) => {
    if (r.detail || r.baselineLabel) console.log(`  ${i + 1}. ${r.baselineLabel ? `[baseline: ${r.baselineLabel}] ` : ''}${r.detail}`);
  });
  console.log('');
  console.log(`machine: ${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB, Node ${m.node}${chromium ? `, Chromium ${chromium}` : ''}; ` +
    `load average ${m.loadAverage.start} at the start, ${m.loadAverage.end} at the end; ${durationS.toFixed(0)} s`);
  if (full) {
    fs.writeFileSync(path.join(__dirname, 'results.json'), `${JSON.stringify({ machine: m, durationS, rows, data }, null, 2)}\n`);
    fs.writeFileSync(path.join(__dirname, 'RESULTS.md'), markdown(rows, m, durationS));
    console.log('wrote test/bench/results.json and test/bench/RESULTS.md');
  } else if (merge) {
    const file = path.join(__dirname, 'results.json');
    const merged = mergeResults(JSON.parse(fs.readFileSync(file, 'utf8')), { machine: m, durationS, rows, data }, selected);
    fs.writeFileSync(file, `${JSON.stringify(merged, null, 2)}\n`);
    fs.writeFileSync(path.join(__dirname, 'RESULTS.md'), markdown(merged.rows, merged.machine, merged.durationS));
    console.log(`merged the rows of ${selected.join(', ')} into test/bench/results.json and RESULTS.md; the other rows are kept with their dates`);
  } else {
    const partial = path.join(os.tmpdir(), 'tandem-bench-partial.json');
    fs.writeFileSync(partial, `${JSON.stringify({ machine: m, durationS, rows, data }, null, 2)}\n`);
    console.log(`a subset of the sections ran: test/bench/results.json and RESULTS.md were left as they were; this run's data is in ${partial}`);
  }
  for (const w of warnings) console.log(`WARNING: ${w}`);
  const over = rows.filter(r => r.status === 'OVER').length;
  const failed = rows.filter(r => r.status === 'FAILED').length;
  if (failed) console.log(`bench: ${failed} rows failed to measure (see FAILED above)`);
  console.log(`bench: ${rows.length} rows, ${over} over budget`);
}

if (require.main === module) {
  main()
    .then(() => cleanup())
    .then(() => process.exit(0))
    .catch(async e => {
      console.error(e && e.stack ? e.stack : e);
      await cleanup();
      process.exit(1);
    });
}

module.exports = { consoleTable, markdown, mergeResults };
