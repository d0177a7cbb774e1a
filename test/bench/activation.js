// Section 1: activation. Each measurement is a fresh Node process (a cold module cache, as in a new
// extension host) that stands in for the `vscode` module, then times require('dist/extension.js') and
// activate(). It also reports whether dist/host.js, dist/llm.js or the openai package got loaded (they
// must not), and, for information, what activation defers: the first use (a command, the chat view, an
// API call) loading dist/host.js, and requiring dist/llm.js, which waits for the first request.
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
  const host = path.join(shipped, 'dist', 'host.js');
  const llm = path.join(shipped, 'dist', 'llm.js');
  // The Node built-ins a bundle requires, loaded first and timed apart: a VS Code extension host has
  // most of them loaded already, a fresh process has not. The totals count them (the cold case).
  const fs = require('fs');
  const builtinsOf = file => [...new Set([...fs.readFileSync(file, 'utf8').matchAll(/require\("([^"]+)"\)/g)].map(m => m[1]))]
    .filter(n => Module.isBuiltin ? Module.isBuiltin(n) : Module.builtinModules.includes(n.replace(/^node:/, '')));
  const builtins = builtinsOf(entry);
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
  const subscriptionsAtActivation = subscriptions.length;
  const c1 = process.cpuUsage(c0);
  const loaded = Object.keys(require.cache).filter(k => !before.has(k)).map(k => path.relative(shipped, k));
  // For information: what the first use costs. getConversations() requires dist/host.js and builds the
  // host (session, view provider, commands; the history read starts, without a disk here).
  const hostBuiltins = builtinsOf(host).filter(b => !builtins.includes(b));
  const h0 = performance.now();
  for (const b of hostBuiltins) require(b);
  const h1 = performance.now();
  const conversations = api.getConversations();
  const h2 = performance.now();
  const hostLoadedByFirstUse = Object.keys(require.cache).some(k => path.relative(shipped, k) === path.join('dist', 'host.js'));
  // For comparison only: the cost the host avoids by loading the client on the first request.
  const t3 = performance.now();
  require(llm);
  const t4 = performance.now();
  return {
    builtins,
    hostBuiltins,
    hostBuiltinsMs: h1 - h0,
    hostLoadMs: h2 - h1,
    hostTotalMs: h2 - h0,
    hostOk: hostLoadedByFirstUse && Array.isArray(conversations) && conversations.length === 1,
    builtinsMs: t0 - tb,
    requireMs: t1 - t0,
    activateMs: t2 - t1,
    totalMs: t2 - tb,
    cpuMs: (c1.user + c1.system) / 1000,
    llmRequireMs: t4 - t3,
    subscriptions: subscriptionsAtActivation,
    registeredCommands: calls.filter(c => c === 'vscode.commands.registerCommand').length,
    apiOk: typeof api?.getConversations === 'function',
    loaded,
    hostLoaded: loaded.some(f => f === path.join('dist', 'host.js')),
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
  const anyLazy = samples.some(s => s.hostLoaded || s.llmLoaded || s.openaiLoaded);
  const hostTotal = samples.map(s => s.hostTotalMs);
  const rows = [
    row('activation', `require + activate() dist/extension.js, median of ${samples.length} fresh processes`, median(total), 'ms', {
      max: 10,
      baseline: median(llm),
      baselineLabel: 'require dist/llm.js',
      detail: `medians: Node built-ins it requires (${first.builtins.join(', ') || 'none'}) ${median(samples.map(s => s.builtinsMs)).toFixed(2)} ms, ` +
        `require (compile and run the bundle's top level) ${median(samples.map(s => s.requireMs)).toFixed(2)} ms, activate() ${median(samples.map(s => s.activateMs)).toFixed(2)} ms; ` +
        `without the built-ins (an extension host has loaded most) ${median(samples.map(s => s.requireMs + s.activateMs)).toFixed(2)} ms; ` +
        `CPU time (process.cpuUsage, all threads) median ${median(samples.map(s => s.cpuMs)).toFixed(2)} ms; min ${Math.min(...total).toFixed(2)} ms; ` +
        `p90 ${percentile(total, 90).toFixed(2)} ms; ${first.subscriptions} subscriptions, ${first.registeredCommands} commands; ` +
        `baseline = requiring dist/llm.js (deferred to the first request), measured after the host loaded in the same process`,
    }),
    row('activation', 'dist/host.js, dist/llm.js or openai loaded by activation', anyLazy ? 'yes' : 'no', '', {
      pass: !anyLazy,
      budgetText: 'no',
      detail: `modules loaded by activation: ${first.loaded.join(', ')}; Node built-ins it requires: ${first.builtins.join(', ') || 'none'}`,
    }),
    // No budget: this is what activation defers, paid once by the first command, view or API call.
    row('activation', 'first use: load dist/host.js and build the host (api.getConversations()), after activation', median(hostTotal), 'ms', {
      status: samples.every(s => s.hostOk) ? '-' : 'FAILED',
      detail: `medians: Node built-ins it adds (${first.hostBuiltins.join(', ') || 'none'}) ${median(samples.map(s => s.hostBuiltinsMs)).toFixed(2)} ms, ` +
        `require dist/host.js and build the host ${median(samples.map(s => s.hostLoadMs)).toFixed(2)} ms; min ${Math.min(...hostTotal).toFixed(2)} ms; ` +
        `p90 ${percentile(hostTotal, 90).toFixed(2)} ms; informational (no budget): the cost activation moved to the first use`,
    }),
  ];
  return { rows, data: { samples } };
}

module.exports = { run, standIn };

if (require.main === module && process.argv[2] === '--child') {
  const result = child(process.argv[3], process.argv[4]);
  process.stdout.write(`\n@@BENCH@@${JSON.stringify(result)}\n`);
}
