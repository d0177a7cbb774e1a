// Where the test tools live (a version-keyed cache outside the clone) and how to install them.
'use strict';
const path = require('path');
const os = require('os');
const fs = require('fs');
const { spawnSync } = require('child_process');

const CODE_SERVER_VERSION = process.env.CODE_SERVER_VERSION || '4.139.1';
const NODE24_VERSION = process.env.NODE24_VERSION || '24.21.0';
const TOOLS = process.env.TANDEM_TOOLS || path.join(os.homedir(), '.cache', 'tandem-test-tools');

const paths = {
  tools: TOOLS,
  codeServer: process.env.CODE_SERVER_BIN || path.join(TOOLS, `code-server-${CODE_SERVER_VERSION}`, 'node_modules', '.bin', 'code-server'),
  node24Bin: process.env.CODE_SERVER_NODE_DIR || path.join(TOOLS, `node-${NODE24_VERSION}`, 'node_modules', 'node', 'bin'),
  chromium: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
};

/** Installs code-server, Node 24 and Chromium on first use; quick when they are there. */
function ensureTools() {
  if (fs.existsSync(paths.codeServer) && fs.existsSync(path.join(paths.node24Bin, 'node')) && fs.existsSync(paths.chromium)) return;
  const r = spawnSync('bash', [path.join(__dirname, 'install-tools.sh')], { stdio: 'inherit', env: { ...process.env, TANDEM_TOOLS: TOOLS } });
  if (r.status !== 0) throw new Error('installing the test tools failed (see above)');
}

const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'];

module.exports = { paths, ensureTools, CHROMIUM_ARGS };
