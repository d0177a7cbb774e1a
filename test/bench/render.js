// Sections 4 and 5 (webview side): the shipped dist/webview.js in headless Chromium, in an iframe of a
// test page as in VS Code. The iframe is on another site (http://localhost:PORT inside a page of
// http://127.0.0.1:PORT, one server bound to 127.0.0.1), so Chromium gives it its own renderer process
// and main thread, which is what CDP measures (Performance.getMetrics on the frame's own session, a
// trace of that thread for the longest task, a longtask observer in the frame as a cross-check).
//
// The test page plays the host: it posts `state`, then one `append` per token, each stamped with its send
// time. A probe in the frame (loaded before the bundle) notes when each delta arrives and, through a
// MutationObserver, when the DOM changed after it; the "delta-to-DOM" time is taken at the first task
// after that mutation, so it includes the style, layout and paint of that frame. The page's and the
// frame's clocks (performance.timeOrigin + now(), different processes) are aligned by ping-pong.
//
// Deliveries: (1) every token as fast as the page posts them; (2) 100 tokens per second, for two windows
// of 1,250 tokens, the start of the answer and its end (the middle delivered at full speed in between,
// not measured), extrapolated to the whole answer: once with one append per token, once batched as the
// host batches (ChatSession sends at most one append per 16 ms). The baseline is a naive page
// (naivePage.js) that re-renders the whole text per delta: run on a prefix, its cost curve measured by
// full renders at lengths up to the whole text, and extrapolated. Two floors take the same appends in the
// same run: a page that only receives them, and one that shows them as plain text (FLOOR_JS), so a row
// can be read against what the browser itself costs on this machine. The time budgets are relative to
// those floors (BUDGET): an absolute time fits one stream length on one machine at one load, a ratio to
// a floor measured minutes apart under the same load does not need rewriting when any of them changes.
// The naive page's figures stay in the details, as the scale of what incremental rendering saves.
//
// A conversation opened from history renders its end at once and the rest in idle time (renderQueue.ts):
// those rows report the time until the end is shown and until everything is, and the heap once all of
// it is rendered, then again after scrolling through it.
//
// Main-thread totals and task lengths with a budget are thread CPU time (the trace's tdur): on a shared
// machine other processes stretch wall-clock task durations (CDP TaskDuration) by 2-10x; those are in
// each row's details. Delta-to-DOM and first-sent-to-last-painted are wall-clock by nature.
'use strict';
const crypto = require('crypto');
const os = require('os');
const fs = require('fs');
const http = require('http');
const path = require('path');
const { median, percentile, row, relativeBudget, failedRow, bundle, sleep, withTimeout } = require('./common');
const { longReply, tokenize, describe, section, prng } = require('./reply');

const PACED_RATE = 100; // tokens per second
const PACED_WINDOW = 1250; // tokens per paced window; two windows = 25 s
const HOST_FLUSH_MS = 16; // ChatSession's FLUSH_MS: the host sends at most one append per 16 ms
const NAIVE_MAX_MS = 20_000;
const NAIVE_MAX_TOKENS = 6000;
const NAIVE_BATCH = 20;
const STATE_MESSAGES = 200;
const VIEWPORT = { width: 420, height: 900 };
// The budgets, relative to floors measured in the same run (see the floor pages below): what the browser
// itself costs to receive and show the same messages on this machine, under this run's load.
const BUDGET = {
  // Main-thread CPU, paced: at most this many times the plain-text floor's, same delivery.
  pacedCpuFactor: 1.5,
  // All at once, first sent -> last painted: at most this many times the receive-only floor's.
  floodFactor: 1.3,
  // Delta-to-paint p95: at most the plain-text floor's p95 plus this (ms), same delivery.
  paintPlusMs: 10,
  // Longest main-thread task (CPU), paced: a frame's work plus its share of a long task stays unnoticed.
  longestTaskMs: 50,
};

const THEME_CSS = `:root {
  --vscode-font-family: system-ui, sans-serif; --vscode-font-size: 13px; --vscode-font-weight: normal;
  --vscode-editor-font-family: monospace; --vscode-editor-font-size: 13px;
  --vscode-foreground: #cccccc; --vscode-descriptionForeground: #9d9d9d; --vscode-errorForeground: #f85149;
  --vscode-sideBar-background: #181818; --vscode-editor-background: #1f1f1f; --vscode-panel-border: #2b2b2b;
  --vscode-widget-border: #313131; --vscode-focusBorder: #0078d4; --vscode-textLink-foreground: #4daafc;
  --vscode-textCodeBlock-background: #2b2b2b; --vscode-textPreformat-foreground: #d0d0d0;
  --vscode-textBlockQuote-background: #2b2b2b; --vscode-textBlockQuote-border: #616161;
  --vscode-button-background: #0078d4; --vscode-button-foreground: #ffffff; --vscode-button-secondaryBackground: #313131;
  --vscode-button-secondaryForeground: #cccccc; --vscode-input-background: #313131; --vscode-input-foreground: #cccccc;
  --vscode-input-border: #3c3c3c; --vscode-symbolIcon-keywordForeground: #569cd6; --vscode-symbolIcon-functionForeground: #dcdcaa;
  --vscode-debugTokenExpression-string: #ce9178; --vscode-debugTokenExpression-number: #b5cea8;
}`;

// Runs in the test page: the host side. Posts to the frame, aligns clocks.
const DRIVER_JS = `(() => {
  const clock = () => performance.timeOrigin + performance.now();
  const wv = () => document.getElementById('wv').contentWindow;
  let onPong;
  window.addEventListener('message', e => {
    if (e.data && e.data.__bench === 'pong' && onPong) onPong({ ...e.data, t2: clock() });
  });
  const d = window.__driver = {
    tokens: [], conversationId: 'bench', messageId: 'a1',
    post(m) { wv().postMessage(m, '*'); },
    postToken(i) {
      wv().postMessage({ type: 'append', conversationId: d.conversationId, messageId: d.messageId, text: d.tokens[i], __seq: i, __sentAt: clock() }, '*');
    },
    async syncClock(n) {
      const samples = [];
      for (let i = 0; i < n; i++) {
        const pong = await new Promise(resolve => {
          const timer = setTimeout(() => resolve(undefined), 1000);
          onPong = p => { clearTimeout(timer); resolve(p); };
          wv().postMessage({ __bench: 'ping', t0: clock() }, '*');
        });
        if (pong) samples.push({ rtt: pong.t2 - pong.t0, offset: pong.t1 - (pong.t0 + pong.t2) / 2 });
        await new Promise(r => setTimeout(r, 5));
      }
      samples.sort((a, b) => a.rtt - b.rtt);
      const best = samples.slice(0, Math.max(1, Math.floor(samples.length / 4)));
      best.sort((a, b) => a.offset - b.offset);
      return { offset: best[Math.floor(best.length / 2)].offset, rtt: best[0].rtt, samples: samples.length };
    },
    burst(from, to) {
      for (let i = from; i < to; i++) d.postToken(i);
    },
    // As ChatSession sends them: tokens arrive at perSecond; the first of a batch starts a flushMs timer,
    // and when it fires everything received since goes out as one append.
    pacedHost(from, to, perSecond, flushMs) {
      return new Promise(resolve => {
        const start = clock();
        let next = from;
        let batchFrom = from;
        let timer;
        const flush = () => {
          timer = undefined;
          if (next > batchFrom) {
            wv().postMessage({ type: 'append', conversationId: d.conversationId, messageId: d.messageId, text: d.tokens.slice(batchFrom, next).join(''),
              __seqFrom: batchFrom, __seq: next - 1, __sentAt: clock() }, '*');
            batchFrom = next;
          }
          if (next >= to) resolve(clock() - start);
        };
        const step = () => {
          const due = from + Math.floor(((clock() - start) * perSecond) / 1000) + 1;
          while (next < to && next < due) {
            next++;
            if (timer === undefined) timer = setTimeout(flush, flushMs);
          }
          if (next < to) setTimeout(step, Math.max(0, start + ((next - from) * 1000) / perSecond - clock()));
        };
        step();
      });
    },
    paced(from, to, perSecond) {
      return new Promise(resolve => {
        const start = clock();
        let i = from;
        const step = () => {
          const due = from + Math.floor(((clock() - start) * perSecond) / 1000) + 1;
          while (i < to && i < due) d.postToken(i++);
          if (i >= to) { resolve(clock() - start); return; }
          setTimeout(step, Math.max(0, start + ((i - from) * 1000) / perSecond - clock()));
        };
        step();
      });
    },
  };
})();`;

// Runs in the frame before the bundle: stands in for acquireVsCodeApi and stamps every delta.
const PROBE_JS = `(() => {
  const clock = () => performance.timeOrigin + performance.now();
  window.__posted = [];
  let acquired = false;
  window.acquireVsCodeApi = () => {
    if (acquired) throw new Error('acquireVsCodeApi called twice');
    acquired = true;
    return { postMessage: m => { window.__posted.push(JSON.parse(JSON.stringify(m))); }, getState: () => undefined, setState: () => undefined };
  };
  const P = window.__probe = { sentAt: null, recvAt: null, domAt: null, paintAt: null, hi: -1, shown: -1, painted: -1, waiters: [], longTasks: [], errors: [] };
  window.addEventListener('error', e => P.errors.push(String(e.message)));
  P.reset = (n, from) => {
    for (const k of ['sentAt', 'recvAt', 'domAt', 'paintAt']) P[k] = new Float64Array(n).fill(NaN);
    P.hi = P.shown = P.painted = from - 1;
    P.longTasks = [];
  };
  P.check = () => {
    P.waiters = P.waiters.filter(w => {
      if (P.painted < w.seq) return true;
      clearTimeout(w.timer);
      w.resolve(true);
      return false;
    });
  };
  P.waitPainted = (seq, timeoutMs) => new Promise(resolve => {
    const w = { seq, resolve };
    w.timer = setTimeout(() => { P.waiters = P.waiters.filter(x => x !== w); resolve(false); }, timeoutMs);
    P.waiters.push(w);
    P.check();
  });
  P.slice = (from, to) => ({
    sentAt: Array.from(P.sentAt.subarray(from, to)), recvAt: Array.from(P.recvAt.subarray(from, to)),
    domAt: Array.from(P.domAt.subarray(from, to)), paintAt: Array.from(P.paintAt.subarray(from, to)),
  });
  window.addEventListener('message', e => {
    const d = e.data;
    if (!d || typeof d !== 'object') return;
    if (d.__bench === 'ping') { parent.postMessage({ __bench: 'pong', t0: d.t0, t1: clock() }, '*'); return; }
    if (d.type === 'append' && typeof d.__seq === 'number' && P.sentAt) {
      const t = clock();
      for (let i = typeof d.__seqFrom === 'number' ? d.__seqFrom : d.__seq; i <= d.__seq; i++) {
        P.sentAt[i] = d.__sentAt;
        P.recvAt[i] = t;
      }
      if (d.__seq > P.hi) P.hi = d.__seq;
    }
  });
  // The view draws in requestAnimationFrame (the naive page synchronously): a mutation means every delta
  // received so far is in the DOM. The next task runs after that frame's style, layout and paint.
  new MutationObserver(() => {
    if (!P.sentAt || P.hi <= P.shown) return;
    const t = clock();
    const from = P.shown + 1;
    const to = P.hi;
    for (let i = from; i <= to; i++) P.domAt[i] = t;
    P.shown = to;
    const ch = new MessageChannel();
    ch.port1.onmessage = () => {
      const tp = clock();
      for (let i = from; i <= to; i++) P.paintAt[i] = tp;
      if (to > P.painted) P.painted = to;
      ch.port1.close();
      P.check();
    };
    ch.port2.postMessage(0);
  }).observe(document.body, { childList: true, subtree: true, characterData: true });
  try {
    new PerformanceObserver(list => { for (const e of list.getEntries()) P.longTasks.push(e.duration); }).observe({ type: 'longtask' });
  } catch { /* no longtask support */ }
})();`;

// The floors of the paced rows: pages that take the same appends and do the least possible with them.
// "receive" only keeps the text; "plain" also shows it, adding each frame's new text to a text node (a new
// block every 2,000 characters, so no line box grows without end) and following the end as Tandem does.
const FLOOR_JS = `(() => {
  const kind = new URLSearchParams(location.search).get('kind');
  const root = document.getElementById('app');
  root.classList.add('chat');
  const scroller = document.createElement('div');
  scroller.className = 'conversation';
  const body = document.createElement('div');
  body.className = 'message-body';
  scroller.append(body);
  root.append(scroller);
  new ResizeObserver(() => { scroller.scrollTop = scroller.scrollHeight; }).observe(body);
  let text = '';
  let pending = '';
  let frame = false;
  let node;
  let nodeChars = 0;
  const draw = () => {
    frame = false;
    if (!node || nodeChars > 2000) {
      const block = document.createElement('div');
      block.className = 'message-text';
      node = document.createTextNode('');
      block.append(node);
      body.append(block);
      nodeChars = 0;
    }
    node.appendData(pending);
    nodeChars += pending.length;
    pending = '';
  };
  window.addEventListener('message', e => {
    const m = e.data;
    if (!m || typeof m !== 'object' || m.type !== 'append' || typeof m.text !== 'string') return;
    text += m.text;
    if (kind !== 'plain') return;
    pending += m.text;
    if (!frame) { frame = true; requestAnimationFrame(draw); }
  });
  acquireVsCodeApi().postMessage({ type: 'ready' });
})();`;

const KINDS = ['tandem', 'naive', 'plain', 'receive'];

function hostHtml(frameOrigin, kind) {
  return `<!DOCTYPE html><html><head><meta charset="UTF-8"><title>bench host</title>
<style>html,body{margin:0;height:100%;background:#181818}iframe{border:0;width:100%;height:100%;display:block}</style></head>
<body><iframe id="wv" src="${frameOrigin}/frame.html?kind=${kind}"></iframe><script src="/driver.js"></script></body></html>`;
}

function frameHtml(origin, kind) {
  const nonce = crypto.randomBytes(18).toString('base64');
  const csp = [`default-src 'none'`, `script-src 'nonce-${nonce}'`, `style-src ${origin}`, `img-src ${origin} data:`, `font-src ${origin}`,
    `form-action 'none'`, `base-uri 'none'`].join('; ');
  const bundle = { naive: '/naive.js', plain: '/floor.js', receive: '/floor.js' }[kind] || '/dist/webview.js';
  return `<!DOCTYPE html><html lang="en"><head><meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${origin}/theme.css"><link rel="stylesheet" href="${origin}/media/chat.css"><title>Tandem</title></head>
<body class="vscode-dark"><div id="app"></div>
<script nonce="${nonce}" src="${origin}/probe.js"></script>
<script nonce="${nonce}" src="${origin}${bundle}"></script>
</body></html>`;
}

async function startServer(root, naiveBundle) {
  let port = 0;
  const files = {
    '/driver.js': ['text/javascript', () => DRIVER_JS],
    '/probe.js': ['text/javascript', () => PROBE_JS],
    '/theme.css': ['text/css', () => THEME_CSS],
    '/media/chat.css': ['text/css', () => fs.readFileSync(path.join(root, 'media', 'chat.css'))],
    '/dist/webview.js': ['text/javascript', () => fs.readFileSync(path.join(root, 'dist', 'webview.js'))],
    '/naive.js': ['text/javascript', () => fs.readFileSync(naiveBundle)],
    '/floor.js': ['text/javascript', () => FLOOR_JS],
  };
  const server = http.createServer((req, res) => {
    const url = new URL(req.url || '/', 'http://127.0.0.1');
    const kind = KINDS.includes(url.searchParams.get('kind')) ? url.searchParams.get('kind') : 'tandem';
    const send = (type, body) => {
      res.writeHead(200, { 'content-type': `${type}; charset=utf-8`, 'cache-control': 'no-store' });
      res.end(body);
    };
    if (url.pathname === '/host.html') return send('text/html', hostHtml(`http://localhost:${port}`, kind));
    if (url.pathname === '/frame.html') return send('text/html', frameHtml(`http://localhost:${port}`, kind));
    const f = files[url.pathname];
    if (!f) {
      res.writeHead(404).end();
      return undefined;
    }
    return send(f[0], f[1]());
  });
  await new Promise((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', resolve));
  port = server.address().port;
  return {
    origin: `http://127.0.0.1:${port}`,
    close: () => new Promise(resolve => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

async function metrics(cdp) {
  const { metrics: list } = await cdp.send('Performance.getMetrics');
  return Object.fromEntries(list.map(m => [m.name, m.value]));
}

/** Main-thread time between two Performance.getMetrics snapshots, without DevTools' own commands (ms). */
function mainThreadMs(m0, m1) {
  const d = k => ((m1[k] || 0) - (m0[k] || 0)) * 1000;
  return {
    taskMs: d('TaskDuration') - d('DevToolsCommandDuration'),
    scriptMs: d('ScriptDuration'),
    layoutMs: d('LayoutDuration'),
    styleMs: d('RecalcStyleDuration'),
  };
}

/** The frame's main thread in a trace: marks name it; returns the longest task and the tasks over 50 ms. */
function analyzeTrace(buffer, label, endMark = `bench:end:${label}`) {
  const events = JSON.parse(buffer.toString('utf8')).traceEvents || [];
  const start = events.find(e => e.name === `bench:start:${label}`);
  const end = events.find(e => e.name === endMark);
  if (!start || !end) return { error: 'marks not found in the trace' };
  const tasks = events.filter(e => e.ph === 'X' && e.pid === start.pid && e.tid === start.tid && e.ts >= start.ts && e.ts + (e.dur || 0) <= end.ts
    && e.name === 'ThreadControllerImpl::RunTask');
  const durs = tasks.map(e => (e.dur || 0) / 1000);
  const longest = tasks.reduce((a, e) => (!a || e.dur > a.dur ? e : a), undefined);
  const longestCpu = tasks.reduce((a, e) => (!a || (e.tdur || 0) > (a.tdur || 0) ? e : a), undefined);
  return {
    tasks: durs.length,
    // By wall time (what a user would feel, inflated when other processes take the CPU) and by thread time.
    longestMs: longest ? longest.dur / 1000 : 0,
    longestCpuMs: longestCpu && longestCpu.tdur !== undefined ? longestCpu.tdur / 1000 : NaN,
    longestCpuWallMs: longestCpu ? longestCpu.dur / 1000 : NaN,
    over50: durs.filter(d => d > 50).length,
    wallMs: durs.reduce((a, b) => a + b, 0),
    // Thread time: what the tasks cost in CPU, which other processes on a shared machine do not inflate.
    cpuMs: tasks.reduce((a, e) => a + (e.tdur || 0), 0) / 1000,
  };
}

function stateMessage(messages, streaming = true) {
  return { type: 'state', state: { conversation: { id: 'bench', title: 'Bench', messages }, model: 'openai · gpt-5-mini', streaming } };
}

const QUESTION = { id: 'u1', role: 'user', text: 'Walk me through the change, step by step, with code.', streaming: false };

async function openView(browser, server, kind, tokens) {
  const context = await browser.newContext({ viewport: VIEWPORT });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', e => errors.push(e.message));
  await page.goto(`${server.origin}/host.html?kind=${kind}`, { waitUntil: 'load', timeout: 30_000 });
  const frame = page.frames().find(f => f.url().includes('/frame.html'));
  if (!frame) throw new Error('the webview frame did not load');
  await frame.waitForFunction(() => window.__posted && window.__posted.some(m => m.type === 'ready'), null, { timeout: 20_000 });
  let cdp;
  try {
    cdp = await context.newCDPSession(frame);
  } catch (e) {
    throw new Error(`the webview frame has no process of its own (no out-of-process iframe): ${e.message}`);
  }
  await cdp.send('Performance.enable');
  const clock = await page.evaluate(n => window.__driver.syncClock(n), 40);
  if (tokens) await page.evaluate(t => { window.__driver.tokens = t; }, tokens);
  const nextFrame = () => withTimeout(frame.evaluate(() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(r, 0))))), 20_000, 'two frames');
  return { context, page, frame, cdp, clock, errors, nextFrame, close: () => context.close() };
}

/** Runs fn between trace marks with tracing on and metrics before and after. */
async function measured(browser, view, label, fn) {
  await browser.startTracing(undefined, { categories: ['toplevel', 'blink.user_timing'] });
  try {
    await view.frame.evaluate(l => performance.mark(`bench:start:${l}`), label);
    const m0 = await metrics(view.cdp);
    const result = await fn();
    const m1 = await metrics(view.cdp);
    await view.frame.evaluate(l => performance.mark(`bench:end:${l}`), label);
    const buffer = await browser.stopTracing();
    return { result, main: mainThreadMs(m0, m1), trace: analyzeTrace(buffer, label), m1, buffer };
  } catch (e) {
    await browser.stopTracing().catch(() => undefined);
    throw e;
  }
}

/** Delta-to-DOM times (ms, in the page's clock) of seqs [from, to). */
async function deltaTimes(view, from, to) {
  const s = await view.frame.evaluate(([a, b]) => window.__probe.slice(a, b), [from, to]);
  const off = view.clock.offset;
  const dom = [];
  const paint = [];
  for (let i = 0; i < s.sentAt.length; i++) {
    dom.push(s.domAt[i] - off - s.sentAt[i]);
    paint.push(s.paintAt[i] - off - s.sentAt[i]);
  }
  return { dom, paint, first: s.sentAt[0], lastPaint: s.paintAt[s.paintAt.length - 1] - off };
}

async function answerStats(frame) {
  return frame.evaluate(() => {
    const body = document.querySelector('.message.assistant .message-body') || document.querySelector('.message-body');
    return { codeBlocks: body ? body.querySelectorAll('pre').length : 0, textLength: body ? body.textContent.length : 0, nodes: document.getElementsByTagName('*').length };
  });
}

/** Least-squares line through (x, y) points. */
function fitLine(points) {
  const n = points.length;
  const mx = points.reduce((a, p) => a + p[0], 0) / n;
  const my = points.reduce((a, p) => a + p[1], 0) / n;
  let sxy = 0;
  let sxx = 0;
  for (const [x, y] of points) {
    sxy += (x - mx) * (y - my);
    sxx += (x - mx) * (x - mx);
  }
  const b = sxx > 0 ? sxy / sxx : 0;
  return { a: my - b * mx, b };
}

/** The 200-message conversation for the heap measurement: questions and long answers, all finished. */
function longConversation() {
  const rand = prng(99);
  const messages = [];
  for (let i = 0; i < STATE_MESSAGES / 2; i++) {
    messages.push({ id: `u${i}`, role: 'user', text: `Question ${i}: why does this fail, and how do I fix it?`, streaming: false });
    const parts = [];
    for (let k = 0; k < 3; k++) parts.push(section(rand, i * 3 + k));
    messages.push({ id: `a${i}`, role: 'assistant', text: parts.join('\n\n'), streaming: false, usage: { promptTokens: 1200, completionTokens: 900, estimated: false } });
  }
  return messages;
}

/**
 * Streams tokens into a fresh view of `kind`: everything before a window at full speed, each window at
 * PACED_RATE (one append per token, or batched as the host does when flushMs is set), each measured.
 */
async function pacedRun(browser, server, kind, tokens, windows, flushMs) {
  const N = tokens.length;
  const view = await openView(browser, server, kind, tokens);
  try {
    await view.page.evaluate(m => window.__driver.post(m), stateMessage([QUESTION, { id: 'a1', role: 'assistant', text: '', streaming: true }]));
    await view.nextFrame();
    await view.frame.evaluate(n => window.__probe.reset(n, 0), N);
    const painting = kind !== 'receive';
    let done = 0;
    const out = [];
    for (const [label, from, to] of windows) {
      if (from > done) {
        await view.page.evaluate(([x, y]) => window.__driver.burst(x, y), [done, from]);
        if (painting && !(await view.frame.evaluate(s => window.__probe.waitPainted(s, 90_000), from - 1))) throw new Error(`delta ${from - 1} never showed`);
        await view.nextFrame();
        await sleep(500);
      }
      const m = await measured(browser, view, label, async () => {
        await view.page.evaluate(([a, b, r, f]) => (f ? window.__driver.pacedHost(a, b, r, f) : window.__driver.paced(a, b, r)), [from, to, PACED_RATE, flushMs || 0]);
        if (!painting) await sleep(200);
        else if (!(await view.frame.evaluate(s => window.__probe.waitPainted(s, 10_000), to - 1))) throw new Error(`delta ${to - 1} never showed`);
      });
      out.push({ label, m, times: painting ? await deltaTimes(view, from, to) : { paint: [], dom: [] } });
      done = to;
    }
    return {
      windows: out,
      stats: await answerStats(view.frame),
      longTasks: await view.frame.evaluate(() => window.__probe.longTasks.slice()),
      clock: view.clock,
      errors: view.errors,
    };
  } finally {
    await view.close();
  }
}

const fmt = (v, d = 0) => (Number.isFinite(v) ? v.toFixed(d) : String(v));
const load = () => os.loadavg()[0].toFixed(1);

async function run(ctx) {
  const rows = [];
  const data = {};
  const { chromium } = require('playwright-core');
  const { CHROMIUM_ARGS, paths } = require('../harness/tools');
  const naive = await bundle(path.join(__dirname, 'naivePage.js'), path.join(ctx.tmp, 'naive.js'), { platform: 'browser' });
  const text = longReply();
  const tokens = tokenize(text);
  const N = tokens.length;
  const shape = describe(text);
  data.reply = { ...shape, tokens: N };
  const replyDesc = `${(shape.chars / 1000).toFixed(1)}k chars, ${N} tokens, ${shape.codeBlocks} code blocks in ${shape.languages.length} languages, lists, tables`;
  const server = await startServer(ctx.shipped, naive);
  const browser = await chromium.launch({ executablePath: paths.chromium, args: CHROMIUM_ARGS, timeout: 60_000 });
  ctx.onCleanup(async () => {
    await browser.close().catch(() => undefined);
    await server.close().catch(() => undefined);
  });
  data.chromium = browser.version();
  const say = m => ctx.log(`  render: ${m} (load average ${load()})`);
  const streamingState = () => stateMessage([QUESTION, { id: 'a1', role: 'assistant', text: '', streaming: true }]);

  // ---- the naive baseline first: its cost curve feeds the baseline column of the rows below
  let naiveModel;
  try {
    say('naive full re-render per delta (baseline)');
    const view = await openView(browser, server, 'naive', tokens);
    await view.page.evaluate(m => window.__driver.post(m), streamingState());
    await view.nextFrame();
    await view.frame.evaluate(n => window.__probe.reset(n, 0), N);
    const started = Date.now();
    const m = await measured(browser, view, 'naive', async () => {
      let i = 0;
      while (i < Math.min(N, NAIVE_MAX_TOKENS) && Date.now() - started < NAIVE_MAX_MS) {
        const to = Math.min(i + NAIVE_BATCH, N);
        await view.page.evaluate(([a, b]) => window.__driver.burst(a, b), [i, to]);
        if (!(await view.frame.evaluate(s => window.__probe.waitPainted(s, 20_000), to - 1))) throw new Error(`naive page did not render delta ${to - 1}`);
        i = to;
      }
      return i;
    });
    const prefix = m.result;
    // The cost curve: full renders at lengths across the whole answer, 3 times each (script time).
    const curve = [];
    for (const f of [0.02, 0.05, 0.1, 0.2, 0.4, 0.6, 0.8, 1]) {
      const slice = tokens.slice(0, Math.max(1, Math.round(N * f))).join('');
      const times = await view.frame.evaluate(([s, n]) => window.__naive.timeRender(s, n), [slice, 3]);
      curve.push([slice.length, median(times)]);
    }
    // The whole answer in one message, measured like Tandem's below (main thread including two frames).
    const one = await measured(browser, view, 'naiveOneState', async () => {
      await view.page.evaluate(msg => window.__driver.post(msg), stateMessage([QUESTION, { id: 'a2', role: 'assistant', text, streaming: false }], false));
      await view.nextFrame();
    });
    const fit = fitLine(curve);
    let len = 0;
    let sumAll = 0;
    let sumPrefix = 0;
    for (let i = 0; i < N; i++) {
      len += tokens[i].length;
      const t = Math.max(0, fit.a + fit.b * len);
      sumAll += t;
      if (i < prefix) sumPrefix += t;
    }
    // What the prefix really cost on the main thread over what the fit predicts for it: layout, style,
    // message dispatch; in wall time (comparable with "first sent -> last on screen") and in CPU time.
    const kWall = sumPrefix > 0 ? m.main.taskMs / sumPrefix : 1;
    const kCpu = sumPrefix > 0 ? m.trace.cpuMs / sumPrefix : 1;
    naiveModel = {
      prefix,
      prefixChars: tokens.slice(0, prefix).join('').length,
      prefixWallMs: m.main.taskMs,
      prefixCpuMs: m.trace.cpuMs,
      curve,
      fit,
      kWall,
      kCpu,
      totalWallMs: sumAll * kWall,
      totalCpuMs: sumAll * kCpu,
      fullRenderMs: curve[curve.length - 1][1],
      oneStateCpuMs: one.trace.cpuMs,
      oneStateTaskMs: one.main.taskMs,
      perDeltaAtEndCpuMs: Math.max(0, fit.a + fit.b * text.length) * kCpu,
      load: load(),
    };
    data.naive = naiveModel;
    await view.close();
  } catch (e) {
    rows.push(failedRow('render', 'naive baseline (full re-render per delta)', e));
  }
  const nb = key => (naiveModel ? naiveModel[key] : undefined);
  const naiveNote = naiveModel
    ? `naive baseline: ${naiveModel.prefix} deltas (${(naiveModel.prefixChars / 1000).toFixed(1)}k chars) measured (${fmt(naiveModel.prefixWallMs)} ms main thread, ${fmt(naiveModel.prefixCpuMs)} ms CPU), ` +
      `full renders up to the whole ${(text.length / 1000).toFixed(0)}k chars (${fmt(naiveModel.fullRenderMs, 1)} ms), fitted ${fmt(naiveModel.fit.a, 2)} ms + ${fmt(naiveModel.fit.b * 1000, 3)} ms per 1k chars per render, summed over all ${N} deltas`
    : 'naive baseline failed';

  // ---- (1) every token as its own message, as fast as the page posts them; first the floor pages
  const burstFloors = {};
  for (const kind of ['receive', 'plain']) {
    try {
      say(`floor "${kind}": all ${N} tokens as fast as the page takes them`);
      const view = await openView(browser, server, kind, tokens);
      await view.frame.evaluate(n => window.__probe.reset(n, 0), N);
      const m = await measured(browser, view, `floor-${kind}`, async () => {
        await view.page.evaluate(([a, b]) => window.__driver.burst(a, b), [0, N]);
        if (kind === 'plain' && !(await view.frame.evaluate(s => window.__probe.waitPainted(s, 90_000), N - 1))) throw new Error('the last delta never showed');
        if (kind === 'receive') await view.frame.waitForFunction(n => window.__probe.hi >= n - 1, N, { timeout: 90_000, polling: 20 });
      });
      const s0 = await view.frame.evaluate(([a, b]) => window.__probe.slice(a, b), [N - 1, N]);
      const first = (await view.frame.evaluate(() => window.__probe.slice(0, 1))).sentAt[0];
      const last = (kind === 'plain' ? s0.paintAt[0] : s0.recvAt[0]) - view.clock.offset;
      burstFloors[kind] = { totalMs: last - first, cpuMs: m.trace.cpuMs };
      await view.close();
    } catch (e) {
      rows.push(failedRow('render', `floor page "${kind}", all at once`, e));
    }
  }
  data.burstFloors = burstFloors;
  const burstFloorNote = ['receive', 'plain'].filter(k => burstFloors[k]).map(k => `${k === 'receive' ? 'a page that only receives them: first sent -> last received' : 'a page that shows them as plain text: first sent -> last painted'} ` +
    `${fmt(burstFloors[k].totalMs)} ms (${fmt(burstFloors[k].cpuMs)} ms CPU)`).join('; ');
  try {
    say(`all ${N} tokens as fast as the page takes them`);
    const view = await openView(browser, server, 'tandem', tokens);
    await view.page.evaluate(m => window.__driver.post(m), streamingState());
    await view.nextFrame();
    await view.frame.evaluate(n => window.__probe.reset(n, 0), N);
    const m = await measured(browser, view, 'fast', async () => {
      await view.page.evaluate(([a, b]) => window.__driver.burst(a, b), [0, N]);
      if (!(await view.frame.evaluate(s => window.__probe.waitPainted(s, 90_000), N - 1))) throw new Error('the last delta never showed');
    });
    const times = await deltaTimes(view, 0, N);
    const totalMs = times.lastPaint - times.first;
    const stats = await answerStats(view.frame);
    const longTasks = await view.frame.evaluate(() => window.__probe.longTasks.slice());
    data.fast = { totalMs, main: m.main, trace: m.trace, stats, longTasks, clock: view.clock, errors: view.errors, load: load() };
    if (stats.codeBlocks !== shape.codeBlocks) throw new Error(`the answer shows ${stats.codeBlocks} code blocks, expected ${shape.codeBlocks}`);
    const receiveFloor = burstFloors.receive && burstFloors.receive.totalMs;
    rows.push(row('render', `all at once: ${N.toLocaleString('en-US')} one-token append messages back to back, first sent -> last painted`, totalMs, 'ms', {
      ...relativeBudget(receiveFloor, { factor: BUDGET.floodFactor, unit: 'ms', label: 'receive-only floor' }),
      detail: `${replyDesc}; main thread ${fmt(m.main.taskMs)} ms (script ${fmt(m.main.scriptMs)}, layout ${fmt(m.main.layoutMs)}, style ${fmt(m.main.styleMs)}), ` +
        `${fmt(m.trace.cpuMs)} ms CPU; ${m.trace.tasks} tasks (one per message plus frames); floors in the same run: ${burstFloorNote || 'failed'}` +
        (burstFloors.plain ? ` (Tandem: x${fmt(totalMs / burstFloors.plain.totalMs, 2)} the plain-text floor)` : '') +
        `; naive re-render per delta, extrapolated: ${fmt(nb('totalWallMs'))} ms (Tandem x${fmt(totalMs / nb('totalWallMs'), 4)}); load average ${data.fast.load}; ${naiveNote}`,
      decimals: 0,
    }));
    rows.push(row('render', 'all at once: longest main-thread task (CPU time)', m.trace.longestCpuMs, 'ms', {
      baseline: nb('perDeltaAtEndCpuMs'),
      baselineLabel: 'naive: one delta at the end of the answer',
      detail: `longest by wall time ${fmt(m.trace.longestMs, 1)} ms; ${m.trace.over50} tasks over 50 ms wall (longtask observer: ${longTasks.length}); ` +
        'no budget of its own: the host sends at most one message per 16 ms, so 21k messages at once only happen here',
      decimals: 1,
    }));

    // The finished answer in one message: a conversation opened from history, or a server that does not stream.
    const finished = { id: 'a2', role: 'assistant', text, streaming: false };
    const one = await measured(browser, view, 'oneState', async () => {
      // Another conversation id: the view builds everything anew, as when a conversation is opened.
      const msg = { type: 'state', state: { conversation: { id: 'bench-2', title: 'Bench', messages: [QUESTION, finished] }, model: 'openai · gpt-5-mini', streaming: false } };
      await view.page.evaluate(m => window.__driver.post(m), msg);
      await view.nextFrame();
      await view.frame.evaluate(() => performance.mark('bench:shown:oneState'));
      // The rest of the answer renders in idle time (renderQueue.ts): wait for all of it.
      await view.frame.waitForFunction(() => !document.querySelector('.md-pending'), null, { timeout: 30_000, polling: 50 });
      await view.nextFrame();
    });
    const shown = analyzeTrace(one.buffer, 'oneState', 'bench:shown:oneState');
    const allStats = await answerStats(view.frame);
    data.oneState = { main: one.main, trace: one.trace, shown };
    if (allStats.codeBlocks !== shape.codeBlocks) throw new Error(`the answer opened whole shows ${allStats.codeBlocks} code blocks, expected ${shape.codeBlocks}`);
    rows.push(row('render', `the whole answer in one state message (opened from history): CPU time until its end is shown`, shown.cpuMs, 'ms', {
      baseline: nb('oneStateCpuMs'),
      baselineLabel: 'naive page, same message',
      detail: `main thread from the message to two frames later; longest task ${fmt(shown.longestCpuMs, 1)} ms CPU; no budget (once, when a finished answer opens); ` +
        `the rest renders in idle time: until all of it is in the DOM ${fmt(one.trace.cpuMs)} ms CPU (CDP task time ${fmt(one.main.taskMs)} ms, naive ${fmt(nb('oneStateTaskMs'))} ms), ` +
        `longest task ${fmt(one.trace.longestCpuMs, 1)} ms CPU; Tandem adds code-block toolbars the naive page has not`,
      decimals: 0,
    }));
    await view.close();
  } catch (e) {
    rows.push(failedRow('render', 'all at once', e));
  }

  // ---- (2) paced at 100 tokens per second: the first and the last 1,250 tokens; one append per token, then
  // as the host sends them (one append per 16 ms); and two floors on the first window: the same appends to
  // a page that only receives them, and to one that adds each frame's text to the DOM as plain text.
  const W = Math.min(PACED_WINDOW, Math.floor(N / 2));
  const streamS = N / PACED_RATE;
  data.floors = {};
  for (const flushMs of [undefined, HOST_FLUSH_MS]) {
    const what = flushMs ? `paced ${PACED_RATE} tok/s as the host sends (one append per ${flushMs} ms)` : `paced ${PACED_RATE} tok/s, one append per token`;
    // The floors, with the same delivery, on the first window.
    const floors = {};
    for (const kind of ['receive', 'plain']) {
      try {
        say(`floor "${kind}", ${what}: tokens 1-${W}`);
        const r = await pacedRun(browser, server, kind, tokens, [['floor', 0, W]], flushMs);
        floors[kind] = { cpuPerToken: r.windows[0].m.trace.cpuMs / W, p50: median(r.windows[0].times.paint), p95: percentile(r.windows[0].times.paint, 95), load: load() };
      } catch (e) {
        rows.push(failedRow('render', `floor page "${kind}", ${what}`, e));
      }
    }
    data.floors[flushMs ? 'host' : 'perToken'] = floors;
    const floorNote = ['receive', 'plain'].filter(k => floors[k]).map(k => `${k === 'receive' ? 'a page that only receives the appends' : 'a page that adds each frame\'s text as plain text'} ` +
      `${fmt(floors[k].cpuPerToken, 2)} ms CPU per token (${fmt((floors[k].cpuPerToken * N) / 1000, 1)} s for the stream)`).join('; ');
    try {
      say(`${what}: tokens 1-${W} and ${N - W + 1}-${N} (${((2 * W) / PACED_RATE).toFixed(0)} s), the middle at full speed`);
      const r = await pacedRun(browser, server, 'tandem', tokens, [['pacedStart', 0, W], ['pacedEnd', N - W, N]], flushMs);
      const [a, b] = r.windows;
      const paint = [...a.times.paint, ...b.times.paint];
      const dom = [...a.times.dom, ...b.times.dom];
      const cpuPerToken = (a.m.trace.cpuMs + b.m.trace.cpuMs) / (2 * W);
      const wallPerToken = (a.m.main.taskMs + b.m.main.taskMs) / (2 * W);
      const longest = Math.max(a.m.trace.longestCpuMs, b.m.trace.longestCpuMs);
      const key = flushMs ? 'pacedHost' : 'paced';
      data[key] = { W, rate: PACED_RATE, flushMs, start: { main: a.m.main, trace: a.m.trace }, end: { main: b.m.main, trace: b.m.trace },
        extrapolatedCpuMs: cpuPerToken * N, extrapolatedTaskMs: wallPerToken * N,
        deltaToDom: { p50: median(dom), p95: percentile(dom, 95) }, deltaToPaint: { p50: median(paint), p95: percentile(paint, 95), max: Math.max(...paint) },
        stats: r.stats, longTasks: r.longTasks, clock: r.clock, errors: r.errors, load: load() };
      if (r.stats.codeBlocks !== shape.codeBlocks) throw new Error(`the answer shows ${r.stats.codeBlocks} code blocks, expected ${shape.codeBlocks}`);
      rows.push(row('render', `${what}: main-thread CPU time, whole ${streamS.toFixed(0)} s stream (extrapolated)`, (cpuPerToken * N) / 1000, 's', {
        ...relativeBudget(floors.plain && (floors.plain.cpuPerToken * N) / 1000, { factor: BUDGET.pacedCpuFactor, unit: 's', label: 'plain-text floor', decimals: 1 }),
        detail: `measured at ${PACED_RATE} tok/s: tokens 1-${W} ${fmt(a.m.trace.cpuMs)} ms CPU (${fmt(a.m.main.taskMs)} ms task time), tokens ${N - W + 1}-${N} ${fmt(b.m.trace.cpuMs)} ms CPU (${fmt(b.m.main.taskMs)} ms task time); ` +
          `${fmt(cpuPerToken, 2)} ms CPU per token x ${N} tokens = ${fmt((cpuPerToken * N * 100) / 1000 / streamS, 1)}% of the stream's duration ` +
          `(by CDP TaskDuration: ${fmt((wallPerToken * N) / 1000, 1)} s); ` +
          `floors on tokens 1-${W} in the same run, same delivery: ${floorNote || 'failed'}` +
          (floors.plain ? ` (Tandem: x${fmt(cpuPerToken / floors.plain.cpuPerToken, 2)} the plain-text floor)` : '') +
          (naiveModel ? `; naive re-render per delta, extrapolated: ${fmt(naiveModel.totalCpuMs / 1000, 1)} s (Tandem x${fmt((cpuPerToken * N) / naiveModel.totalCpuMs, 4)})` : '') +
          `; load average ${data[key].load}`,
        decimals: 2,
      }));
      rows.push(row('render', `${flushMs ? 'paced as the host sends' : 'paced per token'}: longest main-thread task (CPU time)`, longest, 'ms', {
        max: BUDGET.longestTaskMs,
        baseline: nb('perDeltaAtEndCpuMs'),
        baselineLabel: 'naive: one delta at the end of the answer',
        detail: `by CPU: start window ${fmt(a.m.trace.longestCpuMs, 1)} ms, end window ${fmt(b.m.trace.longestCpuMs, 1)} ms; by wall time: start ${fmt(a.m.trace.longestMs, 1)} ms, end ${fmt(b.m.trace.longestMs, 1)} ms, ` +
          `${a.m.trace.over50 + b.m.trace.over50} tasks over 50 ms wall in the two windows (trace of the frame's main thread); longtask observer: ${r.longTasks.length} over 50 ms wall in the whole run`,
        decimals: 1,
      }));
      rows.push(row('render', `${flushMs ? 'paced as the host sends' : 'paced per token'}: delta-to-DOM p95 (${flushMs ? 'append' : 'token'} sent -> in the DOM and painted)`, percentile(paint, 95), 'ms', {
        ...relativeBudget(floors.plain && floors.plain.p95, { plus: BUDGET.paintPlusMs, unit: 'ms', label: 'plain-text floor p95', decimals: 1 }),
        detail: `p50 ${fmt(median(paint), 1)} ms, max ${fmt(Math.max(...paint), 1)} ms; to the DOM mutation alone p50 ${fmt(median(dom), 1)} / p95 ${fmt(percentile(dom, 95), 1)} ms; ` +
          `start window p95 ${fmt(percentile(a.times.paint, 95), 1)} ms, end window p95 ${fmt(percentile(b.times.paint, 95), 1)} ms; page and frame clocks aligned within ${fmt(r.clock.rtt / 2, 2)} ms` +
          (flushMs ? `; the host's own wait for its ${flushMs} ms batch comes before this` : '') +
          (floors.plain ? `; floor page (plain text): p50 ${fmt(floors.plain.p50, 1)} ms, p95 ${fmt(floors.plain.p95, 1)} ms` : ''),
        decimals: 1,
      }));
    } catch (e) {
      rows.push(failedRow('render', what, e));
    }
  }

  // ---- (5) webview heap with a 200-message conversation open
  try {
    say(`webview heap with ${STATE_MESSAGES} messages`);
    const view = await openView(browser, server, 'tandem');
    const heap = () => withTimeout((async () => {
      await view.cdp.send('HeapProfiler.collectGarbage');
      await view.cdp.send('HeapProfiler.collectGarbage');
      const h = await view.cdp.send('Runtime.getHeapUsage');
      return { js: h.usedSize, embedder: h.embedderHeapUsedSize || 0 };
    })(), 30_000, 'heap usage after GC');
    await view.page.evaluate(m => window.__driver.post(m), stateMessage([], false));
    await view.nextFrame();
    const before = await heap();
    const messages = longConversation();
    const chars = messages.reduce((a, m) => a + m.text.length, 0);
    const m0 = await metrics(view.cdp);
    const t0 = Date.now();
    await view.page.evaluate(m => window.__driver.post(m), stateMessage(messages, false));
    await view.nextFrame();
    const shownMs = Date.now() - t0;
    const m1 = await metrics(view.cdp);
    const opened = await heap();
    // The rest renders in idle time (renderQueue.ts); the heap is measured once all of it is in the DOM.
    await view.frame.waitForFunction(() => !document.querySelector('.md-pending'), null, { timeout: 60_000, polling: 100 });
    await view.nextFrame();
    const renderMs = Date.now() - t0;
    const m2 = await metrics(view.cdp);
    const after = await heap();
    const stats = await view.frame.evaluate(() => ({ messages: document.querySelectorAll('.message').length, pre: document.querySelectorAll('pre').length, nodes: document.getElementsByTagName('*').length }));
    if (stats.messages !== STATE_MESSAGES) throw new Error(`the view shows ${stats.messages} messages, expected ${STATE_MESSAGES}`);
    if (stats.pre !== messages.reduce((n, m) => n + (m.text.match(/^```\w/gm) || []).length, 0)) throw new Error(`the view shows ${stats.pre} code blocks, not every one the conversation has`);
    // Scrolled through from the top to the end: every chunk laid out and painted once (what a user who
    // reads the whole conversation leaves behind), bounded in steps.
    const steps = await withTimeout(view.frame.evaluate(async () => {
      const s = document.querySelector('.conversation');
      const t0 = performance.now();
      let n = 0;
      for (let y = 0; y < s.scrollHeight && n < 2000 && performance.now() - t0 < 60_000; y += s.clientHeight, n++) {
        s.scrollTop = y;
        await new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));
      }
      return n;
    }), 90_000, 'scrolling through the conversation');
    const scrolled = await heap();
    const MB = 1024 * 1024;
    const mb = h => (h.js + h.embedder) / MB;
    data.webviewHeap = { before, opened, after, scrolled, steps, chars, stats, shownMs, renderMs, main: mainThreadMs(m0, m1), mainAll: mainThreadMs(m0, m2) };
    rows.push(row('memory', `webview heap with ${STATE_MESSAGES} messages open (JS + DOM), all rendered`, mb(after), 'MB', {
      max: 50,
      detail: `JS heap ${fmt(after.js / MB, 1)} MB + Blink/DOM heap ${fmt(after.embedder / MB, 1)} MB after GC (CDP Runtime.getHeapUsage); empty view ${fmt(mb(before), 1)} MB; ` +
        `right after opening (before the idle rendering) ${fmt(mb(opened), 1)} MB; ` +
        `100 questions and 100 answers, ${(chars / 1000).toFixed(0)}k chars of markdown, ${stats.pre} code blocks, ${stats.nodes} elements; ` +
        'chunks off screen are never styled or laid out (content-visibility), which is most of the saving',
      decimals: 1,
    }));
    rows.push(row('memory', `webview heap after scrolling through all ${STATE_MESSAGES} messages`, mb(scrolled), 'MB', {
      max: 50,
      detail: `${steps} screens from the top to the end, two frames each, then GC; JS ${fmt(scrolled.js / MB, 1)} MB + Blink/DOM ${fmt(scrolled.embedder / MB, 1)} MB; every chunk has been styled, laid out and painted once`,
      decimals: 1,
    }));
    rows.push(row('memory', `webview: open that ${STATE_MESSAGES}-message state, task time until its end is shown`, mainThreadMs(m0, m1).taskMs, 'ms', {
      detail: `CDP task time of the state message and two frames, wall ${shownMs} ms; no budget (once, when a conversation opens); ` +
        `until every message is rendered (idle time, newest first): task time ${fmt(mainThreadMs(m0, m2).taskMs)} ms, wall ${renderMs} ms`,
      decimals: 0,
    }));
    await view.close();
  } catch (e) {
    rows.push(failedRow('memory', 'webview heap', e));
  }
  return { rows, data };
}

// internals: for one-off profiling scripts that drive a single delivery without the whole section.
module.exports = { run, fitLine, internals: { startServer, openView, measured, stateMessage, QUESTION, deltaTimes, longConversation, metrics, mainThreadMs } };
