#!/usr/bin/env node
// `npm start`: builds Tandem, packages the VSIX, installs it into a private extensions folder and opens
// code-server (a real VS Code in the browser) on 127.0.0.1 with a small sample workspace. Not in
// smoke-test-driver mode, so notifications show as they would for a user. Ctrl+C stops it.
//   PORT=8080 npm start          pick the port (default: a free one)
//   TANDEM_WORKSPACE=/path npm start   open another folder
'use strict';
const fs = require('fs');
const path = require('path');
const { spawnSync } = require('child_process');
const { ensureTools } = require('./tools');
const { startCodeServer, installVsix, copyDir } = require('./codeServer');

const ROOT = path.resolve(__dirname, '..', '..');

async function main() {
  ensureTools();
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
  console.log('[start] building and packaging Tandem');
  const r = spawnSync('npm', ['run', '--silent', 'package'], { cwd: ROOT, stdio: 'inherit' });
  if (r.status !== 0) throw new Error('packaging failed');
  const vsix = path.join(ROOT, `tandem-${pkg.version}.vsix`);

  // One persistent folder, so settings, history and the secret storage of the page survive restarts.
  const dir = path.join(ROOT, '.test-runs', 'start');
  for (const d of ['ud/User', 'ext', 'xdg', 'home', 'tmp']) fs.mkdirSync(path.join(dir, d), { recursive: true });
  let workspace = process.env.TANDEM_WORKSPACE;
  if (!workspace) {
    workspace = path.join(dir, 'workspace');
    if (!fs.existsSync(workspace)) copyDir(path.join(ROOT, 'test', 'fixtures', 'workspace'), workspace);
  }
  const settingsFile = path.join(dir, 'ud', 'User', 'settings.json');
  let settings = {};
  try { settings = JSON.parse(fs.readFileSync(settingsFile, 'utf8')); } catch { /* first start */ }
  console.log('[start] installing the VSIX into', path.join(dir, 'ext'));
  installVsix(dir, vsix);
  // Workspace Trust stays on, as for a user: Tandem's endpoint settings are restricted in untrusted folders.
  const server = await startCodeServer({ dir, settings, trust: true, port: process.env.PORT ? Number(process.env.PORT) : undefined });
  console.log('');
  console.log(`  Tandem is running in VS Code at  ${server.url(workspace)}`);
  console.log('  Open "Tandem" in the activity bar, or select code and run "Tandem: Explain Selection" (F1).');
  console.log('  Press Ctrl+C to stop.');
  console.log('');
  const stop = async () => { await server.stop(); process.exit(0); };
  process.removeAllListeners('SIGINT');
  process.removeAllListeners('SIGTERM');
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  await new Promise(() => undefined);
}

main().catch(e => {
  console.error('[start]', e.message || e);
  process.exit(1);
});
