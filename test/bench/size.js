// Section 2: size of the shipped bundles (bytes and gzip) and of the VSIX that `vsce package` builds from
// them (bytes and number of files).
'use strict';
const fs = require('fs');
const path = require('path');
const zlib = require('zlib');
const { spawn } = require('child_process');
const { row } = require('./common');
const { zipEntries } = require('../harness/zipEntries');

const VSIX_MAX_BYTES = 600 * 1024;
const VSIX_MAX_FILES = 40;

function vscePackage(root, dir, out) {
  return new Promise((resolve, reject) => {
    const bin = path.join(root, 'node_modules', '@vscode', 'vsce', 'vsce');
    const child = spawn(process.execPath, [bin, 'package', '--no-dependencies', '--out', out], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    let log = '';
    child.stdout.on('data', d => { log += d; });
    child.stderr.on('data', d => { log += d; });
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
    child.on('error', reject);
    child.on('exit', code => {
      clearTimeout(timer);
      if (code === 0 && fs.existsSync(out)) resolve(log);
      else reject(new Error(`vsce package failed (${code}): ${log.trim().split('\n').slice(-3).join(' | ')}`));
    });
  });
}

async function run(ctx) {
  const rows = [];
  const data = { bundles: {} };
  for (const name of ['extension.js', 'host.js', 'llm.js', 'webview.js']) {
    const file = path.join(ctx.shipped, 'dist', name);
    const buf = fs.readFileSync(file);
    const gz = zlib.gzipSync(buf, { level: 9 }).length;
    data.bundles[name] = { bytes: buf.length, gzip: gz };
    rows.push(row('size', `dist/${name}`, buf.length / 1024, 'KiB', { detail: `${buf.length} bytes, gzip -9 ${(gz / 1024).toFixed(1)} KiB (${gz} bytes)`, decimals: 1 }));
  }
  const version = JSON.parse(fs.readFileSync(path.join(ctx.shipped, 'package.json'), 'utf8')).version;
  const vsix = path.join(ctx.tmp, `tandem-${version}.vsix`);
  // Packaged from the run's copy of the shipped files (dist/ as measured above), with the project's vsce.
  await vscePackage(ctx.root, ctx.shipped, vsix);
  ctx.vsix = vsix;
  const bytes = fs.statSync(vsix).size;
  const entries = zipEntries(vsix);
  data.vsix = { bytes, files: entries.map(e => `${e.name} (${e.size})`) };
  rows.push(row('size', `VSIX tandem-${version}.vsix (vsce package --no-dependencies)`, bytes / 1024, 'KiB', {
    max: VSIX_MAX_BYTES / 1024,
    budgetText: '< 600 KiB',
    detail: `${bytes} bytes`,
    decimals: 1,
  }));
  rows.push(row('size', 'VSIX files', entries.length, 'files', {
    max: VSIX_MAX_FILES,
    budgetText: '< 40 files',
    detail: entries.map(e => e.name).join(', '),
    decimals: 0,
  }));
  return { rows, data };
}

/** The VSIX the bench measures: the one given (ctx.vsix), else one packaged from the shipped files once. */
async function benchVsix(ctx) {
  if (ctx.vsix) return ctx.vsix;
  const manifest = JSON.parse(fs.readFileSync(path.join(ctx.shipped, 'package.json'), 'utf8'));
  const out = path.join(ctx.tmp, `tandem-${manifest.version}.vsix`);
  if (!fs.existsSync(out)) await vscePackage(ctx.root, ctx.shipped, out);
  return out;
}

module.exports = { run, zipEntries, vscePackage, benchVsix };
