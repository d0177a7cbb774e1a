// Section 1: activation. Each measurement is a fresh Node process (a cold module cache, as in a new
// extension host) that stands in for the `vscode` module, then times require('dist/extension.js') and
// activate(). It also reports whether dist/llm.js or the openai package got loaded (they must not), and,
// for comparison only, what requiring dist/llm.js costs, which activation defers to the first request.
'use strict';
const path = require('path');
const { performance } = require('perf_hooks');
const { runNode, median, percentile, row } = require('./common');
const { standIn, vscodeStandIn } = require('../harness/vscodeStandIn');

const RUNS = 25;

function child(root, shipped) {
  const Module = require('module');
  const calls = [];
  // A plain object at the top (esbuild's interop copies the module's own properties) with every value the
  // API declares, so new uses of the API do not break the benchmark.
  const vscode = vscodeStandIn(root, calls);
  const load = Module._load;
  Module._load = function (request, ...rest) {
    if (request === 'vscode') return vscode;
    return load.call(this, request, ...rest);
  };
  const entry = path.join(shipped, 'dist', 'extension.js');
  const llm = path.join(shipped, 'dist', 'llm.js');
  // The Node built-ins the bundle requires, loaded first and timed apart: a VS Code extension host has
  // most of them loaded already, a fresh process has not. The total counts them (the cold case).
  const fs = require('fs');
  const builtins = [...new Set([...fs.readFileSync(entry, 'utf8').matchAll(/require\("([^"]+)"\)/g)].map(m => m[1]))]
    .filter(n => Module.isBuiltin ? Module.isBuiltin(n) : Module.builtinModules.includes(n.replace(/^node:/, '')));
  const before = new Set(Object.keys(require.cache));
  const c0 = process.cpuUsage();
  const tb = performance.now();
  for (const b of builtins) require(b);
  const t0 = performance.now();
  const ext = require(entry);
  const t1 = performance.now();
  const subscriptions = [];
  const ctx = { subscriptions, extensionUri: standIn('uri', calls), extensionPath: root, secrets: standIn('secrets', calls),
    globalState: standIn('globalState', calls), workspaceState: standIn('workspaceState', calls),
    globalStorageUri: standIn('globalStorageUri', calls), storageUri: standIn('storageUri', calls), extensionMode: 1, logUri: standIn('logUri', calls) };
  const api = ext.activate(ctx);
  const t2 = performance.now();
  const c1 = process.cpuUsage(c0);
  const loaded = Object.keys(require.cache).filter(k => !before.has(k)).map(k => path.relative(shipped, k));
  // For comparison only: the cost activation avoids by loading the client on the first request.
  const t3 = performance.now();
  require(llm);
  const t4 = performance.now();
  return {
    builtins,
    builtinsMs: t0 - tb,
    requireMs: t1 - t0,
    activateMs: t2 - t1,
    totalMs: t2 - tb,
    cpuMs: (c1.user + c1.system) / 1000,
    llmRequireMs: t4 - t3,
    subscriptions: subscriptions.length,
    registeredCommands: calls.filter(c => c === 'vscode.commands.registerCommand').length,
    apiOk: typeof api?.getConversations === 'function',
    loaded,
    llmLoaded: loaded.some(f => f === path.join('dist', 'llm.js')),
    openaiLoaded: loaded.some(f => /node_modules[\\/]openai[\\/]/.test(f)),
  };
}

async function run(ctx) {
  const samples = [];
  for (let i = 0; i < RUNS && Date.now() - ctx.t0Section < 60_000; i++) {
    samples.push(await runNode(__filename, ['--child', ctx.root, ctx.shipped], { timeoutMs: 20_000 }));
  }
  const total = samples.map(s => s.totalMs);
  const llm = samples.map(s => s.llmRequireMs);
  const first = samples[0];
  const anyLlm = samples.some(s => s.llmLoaded || s.openaiLoaded);
  const rows = [
    row('activation', `require + activate() dist/extension.js, median of ${samples.length} fresh processes`, median(total), 'ms', {
      max: 10,
      baseline: median(llm),
      baselineLabel: 'require dist/llm.js',
      detail: `medians: Node built-ins it requires (${first.builtins.join(', ')}) ${median(samples.map(s => s.builtinsMs)).toFixed(2)} ms, ` +
        `require (compile and run the bundle's top level) ${median(samples.map(s => s.requireMs)).toFixed(2)} ms, activate() ${median(samples.map(s => s.activateMs)).toFixed(2)} ms; ` +
        `without the built-ins (an extension host has loaded most) ${median(samples.map(s => s.requireMs + s.activateMs)).toFixed(2)} ms; ` +
        `CPU time (process.cpuUsage, all threads) median ${median(samples.map(s => s.cpuMs)).toFixed(2)} ms; min ${Math.min(...total).toFixed(2)} ms; ` +
        `p90 ${percentile(total, 90).toFixed(2)} ms; ${first.subscriptions} subscriptions, ${first.registeredCommands} commands; ` +
        `baseline = requiring dist/llm.js (deferred to the first request), measured after activation in the same process`,
    }),
    row('activation', 'dist/llm.js or openai loaded by activation', anyLlm ? 'yes' : 'no', '', {
      pass: !anyLlm,
      budgetText: 'no',
      detail: `modules loaded by activation: ${first.loaded.join(', ')}`,
    }),
  ];
  return { rows, data: { samples } };
}

module.exports = { run, standIn };

if (require.main === module && process.argv[2] === '--child') {
  const result = child(process.argv[3], process.argv[4]);
  process.stdout.write(`\n@@BENCH@@${JSON.stringify(result)}\n`);
}
