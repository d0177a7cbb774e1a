// Section 1, in a real VS Code: the packaged VSIX installed into code-server, the workbench opened in
// headless Chromium on a folder, and the activation time VS Code's extension host reports for Tandem
// (code loading + activate() call, as "Developer: Show Running Extensions" shows it), read from that
// view. Each run is a fresh user-data folder and server; built-in extensions activated in the same
// window are reported beside it for scale. Tandem activates on onStartupFinished.
'use strict';
const fs = require('fs');
const path = require('path');
const { median, row } = require('./common');

const RUNS = 3;
const SECTION_BUDGET_MS = 5 * 60 * 1000;

async function runCommand(page, title) {
  await page.keyboard.press('F1');
  await page.waitForSelector('.quick-input-widget input', { state: 'visible', timeout: 20_000 });
  await page.keyboard.type(title);
  await page.waitForSelector(`.quick-input-list .monaco-list-row[aria-label*="${title}"]`, { timeout: 20_000 });
  await page.keyboard.press('Enter');
}

/**
 * The rows of the Running Extensions editor: name and activation text ("Activation: 12ms"). The list
 * only has the rows in view in its DOM, so it is scrolled through (bounded) and the rows collected.
 */
async function runningExtensions(page) {
  return page.evaluate(async () => {
    const rows = new Map();
    const scroller = document.querySelector('.runtime-extensions-editor .monaco-scrollable-element');
    for (let i = 0; i < 20; i++) {
      for (const e of document.querySelectorAll('.runtime-extensions-editor .extension')) {
        const name = (e.querySelector('.name') || {}).textContent || '';
        if (name) rows.set(name, { name, activation: (e.querySelector('.activation-time') || {}).textContent || '' });
      }
      if (!scroller) break;
      const before = scroller.scrollTop;
      scroller.dispatchEvent(new WheelEvent('wheel', { deltaY: 600, bubbles: true }));
      await new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));
      if (scroller.scrollTop === before && i > 0) break;
    }
    return [...rows.values()];
  });
}

function ms(text) {
  const m = /(\d+(?:\.\d+)?)\s*ms/.exec(text);
  return m ? Number(m[1]) : NaN;
}

async function once(ctx, harness, tools, chromium, vsix, displayName) {
  const dir = harness.makeRunDir(path.join(ctx.tmp, 'code-server'), 'activation');
  const workspace = path.join(dir, 'workspace');
  harness.copyDir(path.join(ctx.root, 'test', 'fixtures', 'workspace'), workspace);
  harness.installVsix(dir, vsix);
  const server = await harness.startCodeServer({ dir, settings: { 'tandem.baseUrl': 'http://127.0.0.1:9/v1' } });
  let browser;
  try {
    browser = await chromium.launch({ executablePath: tools.paths.chromium, headless: true, env: server.env, args: tools.CHROMIUM_ARGS, timeout: 60_000 });
    // Tall, so the Running Extensions list has most of its rows in view.
    const page = await browser.newPage({ viewport: { width: 1400, height: 2400 } });
    await page.goto(server.url(workspace), { timeout: 60_000 });
    await page.waitForSelector('.monaco-workbench .activitybar', { timeout: 60_000 });
    await runCommand(page, 'Developer: Show Running Extensions');
    // The view follows extensions as they activate; Tandem's row gets its time once onStartupFinished ran.
    let rows = [];
    for (const end = Date.now() + 60_000; Date.now() < end; await new Promise(r => setTimeout(r, 250))) {
      rows = await runningExtensions(page);
      if (rows.some(r => r.name === displayName && /\d\s*ms/.test(r.activation))) break;
    }
    const mine = rows.find(r => r.name === displayName);
    if (!mine) throw new Error(`Tandem is not among the running extensions: ${rows.map(r => r.name).join(', ') || 'none listed'}`);
    return {
      ms: ms(mine.activation),
      text: mine.activation,
      others: rows.filter(r => r !== mine).map(r => ({ name: r.name, ms: ms(r.activation) })).filter(r => Number.isFinite(r.ms)),
    };
  } finally {
    await browser?.close().catch(() => undefined);
    await server.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function run(ctx) {
  const harness = require('../harness/codeServer');
  const tools = require('../harness/tools');
  const { chromium } = require('playwright-core');
  const manifest = JSON.parse(fs.readFileSync(path.join(ctx.shipped, 'package.json'), 'utf8'));
  const vsix = await require('./size').benchVsix(ctx);
  const samples = [];
  for (let i = 0; i < RUNS && Date.now() - ctx.t0Section < SECTION_BUDGET_MS; i++) {
    samples.push(await once(ctx, harness, tools, chromium, vsix, manifest.displayName));
  }
  const values = samples.map(s => s.ms);
  const others = samples.flatMap(s => s.others.map(o => o.ms));
  const names = [...new Set(samples.flatMap(s => s.others.map(o => o.name)))];
  const rows = [row('activation', `in code-server: activation time the extension host reports (code loading + activate()), median of ${samples.length} fresh windows`, median(values), 'ms', {
    baseline: others.length ? median(others) : undefined,
    baselineLabel: 'median of the built-in extensions activated in the same windows',
    detail: `each run: VSIX installed into a fresh code-server, workbench opened on the fixture folder, Tandem activated by onStartupFinished; read from Developer: Show Running Extensions ` +
      `(${samples.map(s => s.text).join(', ')}); built-in extensions in the same windows: ${names.join(', ') || 'none'}; ` +
      'wall-clock time in an extension host that activates the onStartupFinished extensions together, so mostly waiting, as the built-ins show; ' +
      'no budget of its own (the budget is the harness row)',
    decimals: 0,
  })];
  return { rows, data: { samples } };
}

module.exports = { run };
