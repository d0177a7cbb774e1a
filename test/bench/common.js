// Shared helpers of the benchmark: statistics, result rows, child processes (tracked, killed on exit,
// bounded in time) and esbuild builds into the run's temporary folder.
'use strict';
const { spawn } = require('child_process');
const path = require('path');

const ROOT = path.resolve(__dirname, '..', '..');
const MARK = '@@BENCH@@';

function sorted(xs) {
  return xs.filter(x => typeof x === 'number' && Number.isFinite(x)).sort((a, b) => a - b);
}

/** Linear-interpolated percentile (p in 0..100) of the finite numbers in xs; NaN when there are none. */
function percentile(xs, p) {
  const s = sorted(xs);
  if (s.length === 0) return NaN;
  const i = ((s.length - 1) * p) / 100;
  const lo = Math.floor(i);
  const hi = Math.ceil(i);
  return s[lo] + (s[hi] - s[lo]) * (i - lo);
}

function median(xs) {
  return percentile(xs, 50);
}

/**
 * One line of the table. `value` is a number (in `unit`) or a string. Budget: `max` (value must be
 * below it) or an explicit `pass`; `budgetText` overrides how the budget is shown. `baseline` is the
 * same measure of a baseline run in the same process; the ratio is value / baseline.
 */
function row(section, name, value, unit, opts = {}) {
  const r = { section, name, value, unit, detail: opts.detail || '' };
  if (opts.max !== undefined) r.budget = { max: opts.max, text: opts.budgetText || `< ${opts.max} ${unit}`.trim() };
  else if (opts.budgetText) r.budget = { text: opts.budgetText };
  if (opts.baseline !== undefined) {
    r.baseline = opts.baseline;
    r.baselineLabel = opts.baselineLabel || 'baseline';
    if (typeof value === 'number' && typeof opts.baseline === 'number' && opts.baseline !== 0) r.ratio = value / opts.baseline;
  }
  if (opts.status) r.status = opts.status;
  else if (opts.pass !== undefined) r.status = opts.pass ? 'ok' : 'OVER';
  else if (opts.max !== undefined) r.status = typeof value === 'number' && value < opts.max ? 'ok' : 'OVER';
  else r.status = '-';
  if (opts.decimals !== undefined) r.decimals = opts.decimals;
  return r;
}

/**
 * row() options for a budget relative to a floor measured in the same run: the value must stay below
 * factor x floor + plus. Budgets written as absolute times did not survive a change of the stream's
 * length or of the machine's load; a floor measured beside the value moves with both. The floor becomes
 * the row's baseline, so the ratio to it is shown beside the absolute figure. Without a floor (its
 * measurement failed) the row cannot be judged and says so instead of passing.
 */
function relativeBudget(floor, { factor = 1, plus = 0, unit, label, decimals = 0 }) {
  const what = `${factor !== 1 ? `${factor}x ` : ''}${label}${plus ? ` + ${plus} ${unit}` : ''}`;
  if (typeof floor !== 'number' || !Number.isFinite(floor)) return { budgetText: `< ${what} (floor not measured)`, status: 'FAILED' };
  const max = floor * factor + plus;
  const shown = max.toLocaleString('en-US', { minimumFractionDigits: decimals, maximumFractionDigits: decimals });
  return { max, budgetText: `< ${what} = ${shown} ${unit}`, baseline: floor, baselineLabel: `${label}, same run` };
}

function failedRow(section, name, err) {
  const message = err && err.message ? err.message : String(err);
  return { section, name, value: 'FAILED', unit: '', status: 'FAILED', detail: message.split('\n').slice(0, 3).join(' | ') };
}

const children = new Set();

function killChildren() {
  for (const c of children) {
    try {
      process.kill(-c.pid, 'SIGKILL');
    } catch {
      try { c.kill('SIGKILL'); } catch { /* gone */ }
    }
  }
  children.clear();
}

/**
 * Runs `node [nodeArgs] script args` in its own process group, bounded by timeoutMs, and resolves with
 * the JSON the child printed after the marker line.
 */
function runNode(script, args, { nodeArgs = [], timeoutMs = 60_000, env } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...nodeArgs, script, ...args], {
      cwd: ROOT,
      env: { ...(env || process.env) },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    children.add(child);
    let out = '';
    let err = '';
    child.stdout.on('data', d => { out += d; });
    child.stderr.on('data', d => { err += d; });
    const timer = setTimeout(() => {
      try { process.kill(-child.pid, 'SIGKILL'); } catch { /* gone */ }
      reject(new Error(`${path.basename(script)} ${args[0] || ''} took longer than ${timeoutMs} ms and was stopped`));
    }, timeoutMs);
    child.on('error', e => {
      clearTimeout(timer);
      children.delete(child);
      reject(e);
    });
    child.on('exit', code => {
      clearTimeout(timer);
      children.delete(child);
      const i = out.lastIndexOf(MARK);
      if (i < 0) {
        reject(new Error(`${path.basename(script)} exited with ${code} without a result: ${(err || out).trim().split('\n').slice(-4).join(' | ')}`));
        return;
      }
      try {
        const result = JSON.parse(out.slice(i + MARK.length).trim().split('\n')[0]);
        if (result && result.error) reject(new Error(result.error));
        else resolve(result);
      } catch (e) {
        reject(e);
      }
    });
  });
}

/** In a child: prints the result (or the error) after the marker, then exits. */
function reply(promiseOrValue) {
  Promise.resolve(promiseOrValue).then(
    result => {
      process.stdout.write(`\n${MARK}${JSON.stringify(result)}\n`, () => process.exit(0));
    },
    e => {
      process.stdout.write(`\n${MARK}${JSON.stringify({ error: e && e.stack ? e.stack : String(e) })}\n`, () => process.exit(1));
    },
  );
}

/** Bundles one entry point with esbuild into outfile. */
async function bundle(entry, outfile, opts = {}) {
  const esbuild = require('esbuild');
  await esbuild.build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    logLevel: 'silent',
    target: opts.platform === 'browser' ? 'es2022' : 'node20',
    platform: opts.platform || 'node',
    format: opts.platform === 'browser' ? 'iife' : 'cjs',
    minify: opts.minify !== false,
    absWorkingDir: ROOT,
    ...(opts.extra || {}),
  });
  return outfile;
}

const sleep = ms => new Promise(r => setTimeout(r, ms));

/** Rejects when promise has not settled after ms: nothing in the benchmark may wait forever. */
function withTimeout(promise, ms, what) {
  let timer;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what}: no answer after ${ms} ms`)), ms);
    }),
  ]);
}

module.exports = { ROOT, MARK, median, percentile, row, relativeBudget, failedRow, runNode, reply, bundle, killChildren, sleep, withTimeout };
