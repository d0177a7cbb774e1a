// Starts code-server (a real VS Code: workbench in the browser, Node extension host) on 127.0.0.1 in a
// private run folder, and stops its whole process group however the caller ends.
'use strict';
const { spawn } = require('child_process');
const fs = require('fs');
const net = require('net');
const path = require('path');
const { paths } = require('./tools');

const sleep = ms => new Promise(r => setTimeout(r, ms));

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer().once('error', reject).listen(0, '127.0.0.1', () => {
      const p = s.address().port;
      s.close(() => resolve(p));
    });
  });
}

/** A fresh folder for one run: user data, extensions, HOME, TMPDIR and XDG dirs of its own. */
function makeRunDir(root, name = 'run') {
  fs.mkdirSync(root, { recursive: true });
  const dir = fs.mkdtempSync(path.join(root, `${name}-`));
  for (const d of ['ud/User', 'ext', 'xdg', 'home', 'tmp', 'workspace']) fs.mkdirSync(path.join(dir, d), { recursive: true });
  return dir;
}

function copyDir(from, to) {
  fs.cpSync(from, to, { recursive: true });
}

/** The environment for code-server and Chromium: everything they write stays in the run folder, no OPENAI_* leaks in. */
function isolatedEnv(dir, extra = {}) {
  const env = { ...process.env };
  for (const k of Object.keys(env)) if (k.startsWith('OPENAI_')) delete env[k];
  return { ...env, PATH: `${paths.node24Bin}:${process.env.PATH}`, HOME: path.join(dir, 'home'), TMPDIR: path.join(dir, 'tmp'),
    XDG_CONFIG_HOME: path.join(dir, 'xdg'), XDG_DATA_HOME: path.join(dir, 'xdg'), XDG_CACHE_HOME: path.join(dir, 'xdg'), ...extra };
}

const live = new Set();
function killAll() {
  for (const pid of live) { try { process.kill(-pid, 'SIGKILL'); } catch { /* gone */ } }
  live.clear();
}
process.once('exit', killAll);
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.once(sig, () => { killAll(); process.exit(130); });

/**
 * opts: { dir, settings, smokeTestDriver, trust (default false: --disable-workspace-trust), env, log }
 * returns { host, url(folder, payload), stop(), env }
 */
async function startCodeServer(opts) {
  const dir = opts.dir;
  fs.writeFileSync(path.join(dir, 'config.yaml'), 'auth: none\ncert: false\n');
  fs.writeFileSync(path.join(dir, 'ud/User/settings.json'), JSON.stringify({
    'workbench.startupEditor': 'none', 'chat.disableAIFeatures': true, 'extensions.autoCheckUpdates': false,
    'extensions.autoUpdate': false, 'telemetry.telemetryLevel': 'off', 'update.mode': 'none',
    'workbench.enableExperiments': false, 'git.enabled': false, 'workbench.tips.enabled': false,
    'security.workspace.trust.enabled': opts.trust === true, 'workbench.secondarySideBar.defaultVisibility': 'hidden',
    // With trust on, a folder opens untrusted (restricted mode) without the startup question.
    ...(opts.trust === true ? { 'security.workspace.trust.startupPrompt': 'never' } : {}),
    ...(opts.settings || {}),
  }, null, 2));
  const host = `127.0.0.1:${opts.port || await freePort()}`;
  const args = ['--config', path.join(dir, 'config.yaml'), '--bind-addr', host, '--auth', 'none',
    '--disable-telemetry', '--disable-update-check', '--disable-getting-started-override',
    '--user-data-dir', path.join(dir, 'ud'), '--extensions-dir', path.join(dir, 'ext')];
  if (opts.trust !== true) args.push('--disable-workspace-trust');
  // Without this the built web workbench ignores extensionDevelopmentPath/extensionTestsPath.
  if (opts.smokeTestDriver) args.push('--vscode-option', 'enable-smoke-test-driver');
  const env = isolatedEnv(dir, opts.env);
  const logFile = path.join(dir, 'code-server.log');
  const out = fs.openSync(logFile, 'a');
  if (!fs.existsSync(paths.codeServer)) throw new Error(`code-server is not installed at ${paths.codeServer}: run 'bash test/harness/install-tools.sh'`);
  const child = spawn(paths.codeServer, args, { env, stdio: ['ignore', out, out], detached: true });
  live.add(child.pid);
  let spawnError;
  child.once('error', e => { spawnError = e; });
  const exited = new Promise(r => { child.once('exit', r); child.once('error', r); });
  const killGroup = sig => { try { process.kill(-child.pid, sig); } catch { /* gone */ } };
  const stop = async () => {
    killGroup('SIGTERM');
    const t = setTimeout(() => killGroup('SIGKILL'), 5000);
    await exited;
    clearTimeout(t);
    await sleep(300);
    killGroup('SIGKILL'); // stragglers of the group (file watcher, extension host)
    live.delete(child.pid);
  };
  for (const end = Date.now() + 60000; ; await sleep(200)) {
    try { if ((await fetch(`http://${host}/healthz`)).ok) break; } catch { /* not up yet */ }
    if (spawnError) { await stop(); throw new Error(`cannot start ${paths.codeServer}: ${spawnError.message}`); }
    if (Date.now() > end || child.exitCode !== null) { await stop(); throw new Error(`code-server did not start; see ${logFile}`); }
  }
  const url = (folder, payload) => `http://${host}/?folder=${encodeURIComponent(folder)}` +
    (payload ? `&payload=${encodeURIComponent(JSON.stringify(payload))}` : '');
  return { host, url, stop, env, logFile, pid: child.pid };
}

/** Installs a VSIX into the run's private extensions folder with code-server's own CLI. */
function installVsix(dir, vsix) {
  const { spawnSync } = require('child_process');
  const r = spawnSync(paths.codeServer, ['--extensions-dir', path.join(dir, 'ext'), '--user-data-dir', path.join(dir, 'ud'), '--install-extension', vsix, '--force'],
    { env: isolatedEnv(dir), encoding: 'utf8', timeout: 120000 });
  if (r.status !== 0) throw new Error(`installing ${vsix} failed: ${r.stdout}\n${r.stderr}`);
}

module.exports = { startCodeServer, makeRunDir, copyDir, freePort, installVsix, isolatedEnv, sleep };
