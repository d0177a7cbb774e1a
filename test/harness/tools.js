// Where the test tools live (a version-keyed cache outside the clone) and how to install them.
'use strict';
const path = require('path');
const os = require('os');
const fs = require('fs');
const { spawnSync } = require('child_process');

const CODE_SERVER_VERSION = process.env.CODE_SERVER_VERSION || '4.139.1';
const NODE24_VERSION = process.env.NODE24_VERSION || '24.21.0';
const TOOLS = process.env.TANDEM_TOOLS || path.join(os.homedir(), '.cache', 'tandem-test-tools');

const codeServerDir = path.join(TOOLS, `code-server-${CODE_SERVER_VERSION}`);
const node24Dir = path.join(TOOLS, `node-${NODE24_VERSION}`);
const paths = {
  tools: TOOLS,
  codeServer: process.env.CODE_SERVER_BIN || path.join(codeServerDir, 'node_modules', '.bin', 'code-server'),
  node24Bin: process.env.CODE_SERVER_NODE_DIR || path.join(node24Dir, 'node_modules', 'node', 'bin'),
  chromium: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
};

/** A tool folder counts only when the installer finished and checked it (its `.complete` marker). */
function installed(dir, overridden) {
  return overridden ? true : fs.existsSync(path.join(dir, '.complete'));
}

/**
 * Installs code-server, Node 24 and (unless browser is false) Chromium on first use; quick when they
 * are there. The installer cleans the calling npm's environment itself (see install-tools.sh).
 */
function ensureTools({ browser = true } = {}) {
  const have = installed(codeServerDir, process.env.CODE_SERVER_BIN) && installed(node24Dir, process.env.CODE_SERVER_NODE_DIR) &&
    (!browser || fs.existsSync(paths.chromium));
  if (have) return;
  const args = [path.join(__dirname, 'install-tools.sh'), ...(browser ? [] : ['--no-browser'])];
  const r = spawnSync('bash', args, { stdio: 'inherit', env: { ...process.env, TANDEM_TOOLS: TOOLS } });
  if (r.status !== 0) throw new Error('installing the tools failed (the reason is above)');
}

const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'];

module.exports = { paths, ensureTools, CHROMIUM_ARGS };

// `npm run tools [-- --no-browser]`: install (or check) the tools on their own.
if (require.main === module) {
  try {
    ensureTools({ browser: !process.argv.includes('--no-browser') });
  } catch (e) {
    console.error(`[tools] ${e.message}`);
    process.exit(1);
  }
}
