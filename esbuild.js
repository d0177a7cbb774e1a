// Builds the four shipped bundles into dist/ (node esbuild.js [--production] [--watch]) or the tests
// into out/ (node esbuild.js --tests), which never ships. esbuild cannot split cjs output, so each lazy
// part is its own bundle, external to the one that requires it:
//   dist/extension.js  activation: registrations, the lightbulb, the status bar; no Node built-ins;
//                      requires ./host.js on the first command, view resolve or API call
//   dist/host.js       the rest of the VS Code side (session, history, chat view, commands);
//                      requires ./llm.js on the first request
//   dist/llm.js        the openai client and everything behind it
//   dist/webview.js    the chat view (browser, iife)
// src/ imports vscode as `import vscode = require('vscode')`: for `import * as vscode` esbuild's interop
// copies the module's ~190 properties once per importing file, about 0.3 ms each (test/unit/activation).
'use strict';
const esbuild = require('esbuild');
const fs = require('fs');
const path = require('path');

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');
const tests = process.argv.includes('--tests');

const pkg = JSON.parse(fs.readFileSync(path.join(__dirname, 'package.json'), 'utf8'));

const common = {
  bundle: true,
  define: { __TANDEM_VERSION__: JSON.stringify(pkg.version) },
  minify: production,
  sourcemap: production ? false : 'linked',
  sourcesContent: false,
  logLevel: 'warning',
  legalComments: 'none',
  target: 'es2022',
};

const node = { ...common, platform: 'node', format: 'cjs', target: 'node20', external: ['vscode'] };

function shipped() {
  return [
    { ...node, entryPoints: ['src/extension.ts'], outfile: 'dist/extension.js', external: ['vscode', './host.js'] },
    { ...node, entryPoints: ['src/host/index.ts'], outfile: 'dist/host.js', external: ['vscode', './llm.js'] },
    { ...node, entryPoints: ['src/llm/index.ts'], outfile: 'dist/llm.js' },
    { ...common, platform: 'browser', format: 'iife', entryPoints: ['src/webview/main.ts'], outfile: 'dist/webview.js' },
  ];
}

function list(dir, re) {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir).filter(f => re.test(f)).map(f => path.join(dir, f));
}

// Tests keep their npm packages external (resolved from node_modules at run time) and vscode external,
// so a unit test that reaches vscode fails in plain Node.
function testBuilds() {
  const t = { ...common, sourcemap: 'inline', platform: 'node', format: 'cjs', target: 'node20', packages: 'external', external: ['vscode'] };
  return [
    { ...t, entryPoints: list('test/unit', /\.test\.ts$/), outdir: 'out/unit' },
    { ...t, entryPoints: [...list('test/extension', /\.ts$/)], outdir: 'out/extension' },
    { ...t, entryPoints: list('test/ui', /\.ts$/), outdir: 'out/ui' },
    { ...t, entryPoints: list('test/fixtures', /\.ts$/), outdir: 'out/fixtures' },
  ].filter(b => b.entryPoints.length > 0);
}

/** VS Code's icon font for the chat view's buttons, shipped beside the bundle (the CSS finds the font next to it). */
function copyCodicons() {
  const from = path.join('node_modules', '@vscode', 'codicons', 'dist');
  fs.mkdirSync('dist', { recursive: true });
  for (const f of ['codicon.css', 'codicon.ttf']) fs.copyFileSync(path.join(from, f), path.join('dist', f));
}

async function main() {
  const builds = tests ? testBuilds() : shipped();
  if (tests) fs.rmSync('out', { recursive: true, force: true });
  else {
    fs.rmSync('dist', { recursive: true, force: true });
    copyCodicons();
  }
  if (watch) {
    for (const b of builds) await (await esbuild.context(b)).watch();
    return;
  }
  await Promise.all(builds.map(b => esbuild.build(b)));
}

main().catch(e => {
  console.error(e.message || e);
  process.exit(1);
});
