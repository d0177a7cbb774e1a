// Section 7, in a real VS Code: a history of 500 conversations x 50 messages (each question carrying a
// 4 KB file, as the editor tasks do) in the user-data folder, the packaged VSIX in code-server, and
//   - first paint of the chat: from reloading the window (the chat view open) to the newest
//     conversation's last answer on screen; and in the first window, which builds the index, from a
//     click on Tandem's activity-bar icon to the same
//   - the extension host's memory (RSS of its process, read from /proc) once the chat has painted,
// each beside the same window with an empty history. The list comes from the index; only the open
// conversation's messages are read, so both should stay close to the empty baseline.
'use strict';
const fs = require('fs');
const path = require('path');
const { row } = require('./common');

const CONVERSATIONS = 500;
const MESSAGES = 50;
const MB = 1024 * 1024;
/** The paint with the history against the same paint without: wall-clock times on a shared machine move together. */
const PAINT_RATIO_BUDGET = 1.5;
const MEMORY_BUDGET_MB = 60;

/** Writes the history logs as Tandem stores them (one JSON-lines log per conversation). */
function writeHistory(dir) {
  fs.mkdirSync(dir, { recursive: true });
  const file = 'export function f(x: number): number {\n  return x * 2; // a line of the attached file\n}\n'.repeat(50).slice(0, 4096);
  const answer = 'This function doubles its argument. '.repeat(40);
  const now = Date.now();
  let bytes = 0;
  for (let c = 0; c < CONVERSATIONS; c++) {
    const id = `c-bench-${String(c).padStart(4, '0')}`;
    const at = now - (CONVERSATIONS - c) * 60_000;
    const lines = [JSON.stringify({ t: 'create', id, title: `Conversation ${c}`, createdAt: at, at })];
    for (let m = 0; m < MESSAGES; m++) {
      const user = m % 2 === 0;
      const message = user
        ? { id: `${id}-m${m}`, role: 'user', text: `Question ${m} of conversation ${c}: what does this do?`, streaming: false,
          context: { file: `src/file${m}.ts`, language: 'typescript', startLine: 1, endLine: 150, code: `${file}// ${c}/${m}\n` } }
        : { id: `${id}-m${m}`, role: 'assistant', text: `${answer}(answer ${m} of conversation ${c})`, streaming: false };
      lines.push(JSON.stringify({ t: 'message', message, at: at + m }));
    }
    const text = lines.join('\n') + '\n';
    bytes += Buffer.byteLength(text);
    fs.writeFileSync(path.join(dir, `${id}.jsonl`), text);
  }
  return bytes;
}

/** RSS of the extension host(s) in the server's process group. */
function extensionHostRss(pgid) {
  let rss = 0;
  for (const pid of fs.readdirSync('/proc').filter(p => /^\d+$/.test(p))) {
    try {
      const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[2]) !== pgid) continue;
      if (!/extensionHost/.test(fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8'))) continue;
      const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
      if (m) rss += Number(m[1]) * 1024;
    } catch {
      // gone
    }
  }
  return rss;
}

async function once(ctx, harness, tools, chromium, vsix, withHistory) {
  const dir = harness.makeRunDir(path.join(ctx.tmp, 'code-server'), withHistory ? 'history' : 'empty');
  const workspace = path.join(dir, 'workspace');
  harness.copyDir(path.join(ctx.root, 'test', 'fixtures', 'workspace'), workspace);
  harness.installVsix(dir, vsix);
  const bytes = withHistory ? writeHistory(path.join(dir, 'ud', 'User', 'globalStorage', 'tandem.tandem', 'conversations')) : 0;
  const server = await harness.startCodeServer({ dir, settings: { 'tandem.baseUrl': 'http://127.0.0.1:9/v1' } });
  let browser;
  try {
    browser = await chromium.launch({ executablePath: tools.paths.chromium, headless: true, env: server.env, args: tools.CHROMIUM_ARGS, timeout: 60_000 });
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await page.goto(server.url(workspace), { timeout: 60_000 });
    await page.waitForSelector('.monaco-workbench .activitybar', { timeout: 60_000 });
    await new Promise(r => setTimeout(r, 3000)); // onStartupFinished activation settles
    let t0 = Date.now();
    // The Tandem icon in the activity bar (the palette hides "Open Chat" while VS Code's own AI features are off).
    await page.locator('.activitybar [aria-label^="Tandem"]').first().click({ timeout: 60_000 });
    const cold = await chatPainted(page, withHistory, t0);
    // A reload is a new window and a new extension host; the chat view is open again by itself and the
    // index exists now: the usual start. Measured from the reload.
    t0 = Date.now();
    await page.reload({ timeout: 60_000 });
    const warm = await chatPainted(page, withHistory, t0);
    await new Promise(r => setTimeout(r, 2000));
    return { coldMs: cold, paintedMs: warm, rss: extensionHostRss(server.pid), bytes };
  } finally {
    await browser?.close().catch(() => undefined);
    await server.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** ms from t0 until the chat shows the newest conversation's last answer (or, without history, the chat). */
async function chatPainted(page, withHistory, t0) {
  const want = withHistory ? `(answer ${MESSAGES - 1} of conversation ${CONVERSATIONS - 1})` : undefined;
  for (const end = Date.now() + 90_000; Date.now() < end; await new Promise(r => setTimeout(r, 20))) {
    for (const f of page.frames()) {
      try {
        const ok = await f.evaluate(w => {
          const root = document.querySelector('#messages');
          if (!root) return false;
          if (w === undefined) return true;
          const last = root.querySelector('.message.assistant:last-of-type');
          return !!last && (last.textContent || '').includes(w);
        }, want);
        if (ok) return Date.now() - t0;
      } catch {
        // detached, or not the chat's frame
      }
    }
  }
  throw new Error(`the chat never showed the ${withHistory ? 'newest conversation' : 'view'}`);
}

async function run(ctx) {
  const harness = require('../harness/codeServer');
  const tools = require('../harness/tools');
  const { chromium } = require('playwright-core');
  const vsix = await require('./size').benchVsix(ctx);
  const empty = await once(ctx, harness, tools, chromium, vsix, false);
  const full = await once(ctx, harness, tools, chromium, vsix, true);
  const label = `${CONVERSATIONS} conversations x ${MESSAGES} messages (${(full.bytes / MB).toFixed(0)} MB of logs)`;
  const rows = [
    row('history', `${label}: first paint of the chat (window reload to the newest answer on screen)`, full.paintedMs, 'ms', {
      pass: full.paintedMs < empty.paintedMs * PAINT_RATIO_BUDGET, budgetText: `< x${PAINT_RATIO_BUDGET} the baseline`,
      baseline: empty.paintedMs, baselineLabel: 'the same reload with no history (the chat view painted)',
      detail: 'code-server with the VSIX, fresh user-data folder holding the logs; the list is read from the index, only the open conversation is loaded', decimals: 0,
    }),
    row('history', `${label}: first paint of the chat in the first window after the upgrade (the index is built from the logs)`, full.coldMs, 'ms', {
      baseline: empty.coldMs, baselineLabel: 'the same first window with no history', decimals: 0,
      detail: 'every log is read once to build the index; no budget (once per history)',
    }),
    row('history', `${label}: extension host memory (RSS) after the chat painted, above an empty history`, (full.rss - empty.rss) / MB, 'MB', {
      max: MEMORY_BUDGET_MB, baseline: empty.rss / MB, baselineLabel: 'extension host RSS with no history',
      detail: `RSS ${(empty.rss / MB).toFixed(0)} MB empty, ${(full.rss / MB).toFixed(0)} MB with the history (all extension host processes of the window, from /proc)`, decimals: 1,
    }),
  ];
  return { rows, data: { empty, full } };
}

module.exports = { run, writeHistory };
