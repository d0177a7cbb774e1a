#!/usr/bin/env node
// `npm start`: builds Tandem, packages the VSIX, installs it into a private extensions folder and opens
// code-server (a real VS Code in the browser) on 127.0.0.1 with a small sample workspace. Not in
// smoke-test-driver mode, so notifications show as they would for a user. Ctrl+C stops it.
//   PORT=8736 npm start                  another port (default 8735, the same every time)
//   TANDEM_WORKSPACE=/path npm start     open another folder (opened with Workspace Trust on, as for a user)
//   TANDEM_START_DIR=/path npm start     keep the VS Code profile elsewhere (default .test-runs/start)
'use strict';
const fs = require('fs');
const net = require('net');
const path = require('path');
const { spawnSync } = require('child_process');
const { ensureTools } = require('./tools');
const { startCodeServer, installVsix, copyDir } = require('./codeServer');

const ROOT = path.resolve(__dirname, '..', '..');
const DEFAULT_PORT = 8735;
const say = m => console.log(`[start] ${m}`);

class StartError extends Error {}

/** Resolves when 127.0.0.1:port can be bound, else fails with what to do instead. */
function checkPort(port) {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', e => reject(new StartError(e.code === 'EADDRINUSE'
      ? `port ${port} on 127.0.0.1 is in use (another npm start?). Stop that one, or pick another port:  PORT=${port + 1} npm start`
      : `cannot listen on 127.0.0.1:${port} (${e.code || e.message}). Pick another port:  PORT=${port + 1} npm start`)));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve()));
  });
}

function portFromEnv() {
  if (!process.env.PORT) return DEFAULT_PORT;
  const port = Number(process.env.PORT);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new StartError(`PORT=${process.env.PORT} is not a port number (1-65535)`);
  return port;
}

async function main() {
  const port = portFromEnv();
  await checkPort(port);
  try {
    ensureTools({ browser: false }); // you bring the browser; tests use Debian's Chromium
  } catch (e) {
    throw new StartError(e.message);
  }
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
  say('building and packaging Tandem (about 10-20 s)');
  const r = spawnSync('npm', ['run', '--silent', 'package'], { cwd: ROOT, stdio: 'inherit' });
  if (r.status !== 0) throw new StartError('building or packaging Tandem failed (the reason is above); fix it and run npm start again');
  const vsix = path.join(ROOT, `tandem-${pkg.version}.vsix`);

  // One persistent folder, so settings, history and the secret storage of the page survive restarts.
  const dir = path.resolve(process.env.TANDEM_START_DIR || path.join(ROOT, '.test-runs', 'start'));
  for (const d of ['ud/User', 'ext', 'xdg', 'home', 'tmp']) fs.mkdirSync(path.join(dir, d), { recursive: true });
  let workspace = process.env.TANDEM_WORKSPACE;
  const sample = !workspace;
  if (sample) {
    workspace = path.join(dir, 'workspace');
    if (!fs.existsSync(workspace)) copyDir(path.join(ROOT, 'test', 'fixtures', 'workspace'), workspace);
  } else if (!fs.existsSync(workspace)) {
    throw new StartError(`TANDEM_WORKSPACE=${workspace} does not exist`);
  }
  const settingsFile = path.join(dir, 'ud', 'User', 'settings.json');
  let settings = {};
  try { settings = JSON.parse(fs.readFileSync(settingsFile, 'utf8')); } catch { /* first start */ }
  say(`installing the VSIX into ${path.join(dir, 'ext')}`);
  installVsix(dir, vsix);
  // The sample workspace is Tandem's own, so it opens trusted (no Restricted Mode banner on a first
  // start); a folder of yours opens with Workspace Trust on, as it would for any user.
  say(`starting code-server on 127.0.0.1:${port}`);
  const server = await startCodeServer({ dir, settings, trust: !sample, port });
  console.log('');
  console.log(`  Tandem is running in VS Code at  ${server.url(workspace)}`);
  console.log('');
  console.log('  Point Tandem at a model (the Tandem icon in the activity bar shows a setup card):');
  console.log('    a local Ollama:   F1 > "Tandem: Select Provider" > Ollama (http://127.0.0.1:11434)');
  console.log('    an OpenAI key:    F1 > "Tandem: Set API Key"');
  console.log('    any other server: F1 > "Tandem: Select Provider" > Other OpenAI-compatible server');
  console.log('  Then select code and run "Tandem: Explain Selection", or ask in the chat.');
  console.log(`  Press Ctrl+C to stop. Another port: PORT=${port + 1} npm start. The profile is kept in ${dir}.`);
  console.log('');
  const stop = async () => { await server.stop(); process.exit(0); };
  process.removeAllListeners('SIGINT');
  process.removeAllListeners('SIGTERM');
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  await new Promise(() => undefined);
}

main().catch(e => {
  if (e instanceof StartError) console.error(`[start] ${e.message}`);
  else console.error('[start]', e && e.stack ? e.stack : e);
  process.exit(1);
});
