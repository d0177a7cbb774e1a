// Sections 3 and 5 (host side): the shipped dist/llm.js against the loopback fixture server
// (test/fixtures/fakeOpenAI.ts, bundled into the run's temporary folder), each in a child process.
//   latency  3a: run() called -> the request arrives at the server; 3b: the server writes the first SSE
//            event -> onDelta delivers the first token; 3c: Stop (abort) -> the server sees the
//            connection close. Each against a bare `openai` client doing the same in the same process,
//            iterations interleaved (Tandem, SDK, SDK, Tandem, ...) so drift hits both alike.
//   memory   50 conversations of 3 long answers each streamed through ChatRunner, heap before, with the
//            conversations held (as the session holds them) and after they are dropped, after global.gc().
// Timing is performance.now() in one process: the fixture's own http server is wrapped with listeners
// (request, first `data:` write, close) that stamp it; its receivedAt has only millisecond resolution.
'use strict';
const path = require('path');
const { performance } = require('perf_hooks');
const { runNode, reply, median, percentile, row, failedRow, sleep, withTimeout } = require('./common');

const LATENCY_ITERATIONS = 40;
const STOP_ITERATIONS = 30;
const WARMUP = 5;
const ITERATION_TIMEOUT_MS = 5000;
const SECTION_BUDGET_MS = 90_000;
const CONVERSATIONS = 50;
const TURNS = 3;
const ANSWER_CHARS = 16_000;

/** Starts the fixture and stamps its requests with performance.now(). */
async function instrumentedFixture(fixturePath) {
  const { FakeOpenAI } = require(fixturePath);
  const fake = new FakeOpenAI();
  const baseUrl = await fake.start();
  // A private field of the fixture, reachable in JS: the listeners below run before its own handler.
  const server = fake.server;
  const state = { current: undefined, waiters: [] };
  server.prependListener('request', (req, res) => {
    if (req.method !== 'POST') return;
    const rec = { requestAt: performance.now(), firstDataAt: undefined, closedAt: undefined, onClose: [] };
    state.current = rec;
    const write = res.write;
    res.write = function (chunk, ...rest) {
      if (rec.firstDataAt === undefined && typeof chunk === 'string' && chunk.startsWith('data: ')) rec.firstDataAt = performance.now();
      return write.call(this, chunk, ...rest);
    };
    res.on('close', () => {
      rec.closedAt = performance.now();
      for (const f of rec.onClose) f();
    });
    for (const w of state.waiters.splice(0)) w(rec);
  });
  const nextRequest = () => new Promise(resolve => state.waiters.push(resolve));
  const closed = rec => (rec.closedAt !== undefined ? Promise.resolve() : new Promise(resolve => rec.onClose.push(resolve)));
  return { fake, baseUrl, nextRequest, closed };
}

const MESSAGES = [
  { role: 'system', content: 'You are a programming assistant inside VS Code. Answer in Markdown.' },
  { role: 'user', content: 'Explain this code:\n```ts\nexport function add(a: number, b: number) { return a + b; }\n```' },
];
const MODEL = 'gpt-4.1-mini';
const RUN_OPTS = { estimatedTokens: 400, firstTokenTimeoutMs: 120_000, idleTimeoutMs: 60_000 };

async function latencyChild(root, shipped, fixturePath) {
  for (const k of Object.keys(process.env)) if (k.startsWith('OPENAI_')) delete process.env[k];
  const llm = require(path.join(shipped, 'dist', 'llm.js'));
  const OpenAI = require(require.resolve('openai', { paths: [root] }));
  const fx = await instrumentedFixture(fixturePath);
  const runner = new llm.ChatRunner();
  let logLines = 0;
  const onLog = (level, line) => { logLines += line.length > 0 ? 1 : 0; };

  // One answer through Tandem's path or the bare SDK; resolves with the stamps of this request.
  async function once(kind, { stopAfterFirst }) {
    const ac = new AbortController();
    let firstDeltaAt;
    let gotFirst;
    const first = new Promise(r => { gotFirst = r; });
    const arrived = fx.nextRequest();
    const t0 = performance.now();
    let done;
    if (kind === 'tandem') {
      done = runner.run({ baseUrl: fx.baseUrl, apiKey: 'sk-bench-not-a-key', model: MODEL, messages: MESSAGES }, {
        onDelta: () => {
          if (firstDeltaAt === undefined) {
            firstDeltaAt = performance.now();
            gotFirst();
          }
        },
        onLog,
      }, ac.signal, RUN_OPTS);
    } else {
      done = (async () => {
        const client = new OpenAI({ apiKey: 'sk-bench-not-a-key', baseURL: fx.baseUrl, maxRetries: 0 });
        const stream = await client.chat.completions.create(
          { model: MODEL, messages: MESSAGES, stream: true, stream_options: { include_usage: true } },
          { signal: ac.signal },
        );
        for await (const chunk of stream) {
          if (firstDeltaAt === undefined && chunk.choices?.[0]?.delta?.content) {
            firstDeltaAt = performance.now();
            gotFirst();
          }
        }
      })();
    }
    done = done.then(() => 'done', e => (ac.signal.aborted ? 'aborted' : Promise.reject(e)));
    const rec = await withTimeout(arrived, ITERATION_TIMEOUT_MS, `${kind}: request to arrive`);
    if (!stopAfterFirst) {
      await withTimeout(done, ITERATION_TIMEOUT_MS, `${kind}: answer`);
      return { requestMs: rec.requestAt - t0, firstTokenMs: firstDeltaAt - rec.firstDataAt };
    }
    await withTimeout(first, ITERATION_TIMEOUT_MS, `${kind}: first token`);
    await sleep(20); // the server is now silent with the connection open, as a model that is thinking
    const stopAt = performance.now();
    ac.abort();
    await withTimeout(fx.closed(rec), ITERATION_TIMEOUT_MS, `${kind}: server to see the connection close after Stop`);
    await withTimeout(done, ITERATION_TIMEOUT_MS, `${kind}: settle after Stop`);
    return { stopMs: rec.closedAt - stopAt };
  }

  const started = Date.now();
  const res = { tandem: { requestMs: [], firstTokenMs: [], stopMs: [] }, sdk: { requestMs: [], firstTokenMs: [], stopMs: [] } };
  const answer = 'The function adds two numbers and returns the sum. '.repeat(6);
  // 3a and 3b: a short answer whose first event comes 10 ms after the headers, as a model's first token does.
  fx.fake.setDefault({ text: answer, chunkSize: 4, firstChunkDelayMs: 10 });
  for (let i = 0; i < WARMUP; i++) {
    await once('tandem', {});
    await once('sdk', {});
  }
  for (let i = 0; i < LATENCY_ITERATIONS && Date.now() - started < SECTION_BUDGET_MS / 2; i++) {
    for (const kind of i % 2 === 0 ? ['tandem', 'sdk'] : ['sdk', 'tandem']) {
      const r = await once(kind, {});
      res[kind].requestMs.push(r.requestMs);
      res[kind].firstTokenMs.push(r.firstTokenMs);
    }
  }
  // 3c: the server sends three chunks, then keeps the connection open without sending.
  fx.fake.setDefault({ text: answer, chunkSize: 4, hangAfterChunks: 3 });
  for (let i = 0; i < 2; i++) {
    await once('tandem', { stopAfterFirst: true });
    await once('sdk', { stopAfterFirst: true });
  }
  for (let i = 0; i < STOP_ITERATIONS && Date.now() - started < SECTION_BUDGET_MS; i++) {
    for (const kind of i % 2 === 0 ? ['tandem', 'sdk'] : ['sdk', 'tandem']) {
      res[kind].stopMs.push((await once(kind, { stopAfterFirst: true })).stopMs);
    }
  }
  runner.dispose();
  await fx.fake.stop();
  return { ...res, logLines };
}

async function memoryChild(root, shipped, fixturePath) {
  if (typeof global.gc !== 'function') throw new Error('run with --expose-gc');
  for (const k of Object.keys(process.env)) if (k.startsWith('OPENAI_')) delete process.env[k];
  const { longReply } = require('./reply');
  const llm = require(path.join(shipped, 'dist', 'llm.js'));
  const fx = await instrumentedFixture(fixturePath);
  const answerText = longReply({ seed: 7, blocks: 12, chars: ANSWER_CHARS }).slice(0, ANSWER_CHARS);
  fx.fake.setDefault({ text: answerText, chunkSize: 16 });
  const runner = new llm.ChatRunner();
  const gc = async () => {
    for (let i = 0; i < 3; i++) {
      global.gc();
      await sleep(20);
    }
    return process.memoryUsage();
  };

  // A conversation as the session keeps it: messages whose answer text grows by += per delta.
  async function conversation(i) {
    const conv = { id: `c${i}`, messages: [] };
    for (let t = 0; t < TURNS; t++) {
      conv.messages.push({ role: 'user', content: `Question ${t} of conversation ${i}: explain the code above and fix it.` });
      const answer = { role: 'assistant', content: '' };
      const request = { baseUrl: fx.baseUrl, apiKey: 'sk-bench-not-a-key', model: MODEL, messages: [MESSAGES[0], ...conv.messages.map(m => ({ ...m }))] };
      conv.messages.push(answer);
      await withTimeout(
        runner.run(request, { onDelta: d => { answer.content += d; }, onLog: () => undefined }, new AbortController().signal, RUN_OPTS),
        30_000,
        'a long answer',
      );
    }
    fx.fake.reset(); // the fixture records every request body; keep its memory out of the measurement
    fx.fake.setDefault({ text: answerText, chunkSize: 16 });
    return conv;
  }

  for (let i = 0; i < 3; i++) await conversation(-1 - i); // warm up: the SDK's lazy parts, JIT, sockets
  const before = await gc();
  const t0 = Date.now();
  let held = [];
  for (let i = 0; i < CONVERSATIONS; i++) held.push(await conversation(i));
  const streamMs = Date.now() - t0;
  const withHeld = await gc();
  let textChars = 0;
  for (const c of held) for (const m of c.messages) textChars += m.content.length;
  held = [];
  const after = await gc();
  runner.dispose();
  await fx.fake.stop();
  return { before, withHeld, after, textChars, streamMs, answers: CONVERSATIONS * TURNS, chunksPerAnswer: Math.ceil(ANSWER_CHARS / 16) };
}

const MB = 1024 * 1024;

async function run(ctx) {
  const rows = [];
  const data = {};
  try {
    const l = await runNode(__filename, ['--child', 'latency', ctx.root, ctx.shipped, ctx.fixture], { timeoutMs: 150_000 });
    data.latency = l;
    const m = (kind, key) => median(l[kind][key]);
    const n = l.tandem.requestMs.length;
    const added = (key, label, detail) => {
      const t = m('tandem', key);
      const s = m('sdk', key);
      rows.push(row('latency', label, t, 'ms', {
        pass: t - s < 5,
        budgetText: '< SDK + 5 ms',
        baseline: s,
        baselineLabel: 'bare openai SDK',
        detail: `added ${(t - s).toFixed(2)} ms (median Tandem − median SDK); p90 Tandem ${percentile(l.tandem[key], 90).toFixed(2)} ms, SDK ${percentile(l.sdk[key], 90).toFixed(2)} ms; ${detail}`,
        decimals: 2,
      }));
    };
    added('requestMs', `3a run() called -> request at the server, median of ${n}`, 'Tandem: ChatRunner.run (pacing check, new client, fetch wrapper, logging); SDK: new OpenAI + create()');
    added('firstTokenMs', `3b first SSE event written -> first token delivered, median of ${n}`, 'Tandem: onDelta; SDK: first chunk of for await');
    const stopT = m('tandem', 'stopMs');
    const stopS = m('sdk', 'stopMs');
    rows.push(row('latency', `3c Stop (abort) -> server sees the connection close, median of ${l.tandem.stopMs.length}`, stopT, 'ms', {
      max: 100,
      baseline: stopS,
      baselineLabel: 'bare openai SDK + AbortController',
      detail: `added ${(stopT - stopS).toFixed(2)} ms; p90 Tandem ${percentile(l.tandem.stopMs, 90).toFixed(2)} ms, SDK ${percentile(l.sdk.stopMs, 90).toFixed(2)} ms`,
      decimals: 2,
    }));
  } catch (e) {
    rows.push(failedRow('latency', '3a-3c latency against the fixture', e));
  }
  try {
    const r = await runNode(__filename, ['--child', 'memory', ctx.root, ctx.shipped, ctx.fixture], { nodeArgs: ['--expose-gc'], timeoutMs: 180_000 });
    data.memory = r;
    const held = (r.withHeld.heapUsed - r.before.heapUsed) / MB;
    const leaked = (r.after.heapUsed - r.before.heapUsed) / MB;
    const textMb = r.textChars / MB;
    rows.push(row('memory', `host heap growth, ${CONVERSATIONS} conversations x ${TURNS} answers of ${ANSWER_CHARS / 1000}k chars, held`, held, 'MB', {
      max: 25,
      baseline: textMb,
      baselineLabel: 'text held, 1 byte per char',
      detail: `${r.answers} answers streamed through ChatRunner in ${(r.streamMs / 1000).toFixed(1)} s (${r.chunksPerAnswer} SSE chunks each); ` +
        `heapUsed ${(r.before.heapUsed / MB).toFixed(1)} -> ${(r.withHeld.heapUsed / MB).toFixed(1)} MB, rss ${(r.before.rss / MB).toFixed(0)} -> ${(r.withHeld.rss / MB).toFixed(0)} MB`,
      decimals: 2,
    }));
    rows.push(row('memory', 'host heap left after dropping them (leak)', leaked, 'MB', {
      max: 2,
      detail: `heapUsed after gc ${(r.after.heapUsed / MB).toFixed(2)} MB vs ${(r.before.heapUsed / MB).toFixed(2)} MB before; external ${(r.before.external / MB).toFixed(1)} -> ${(r.after.external / MB).toFixed(1)} MB`,
      decimals: 2,
    }));
  } catch (e) {
    rows.push(failedRow('memory', 'host heap after 50 conversations', e));
  }
  return { rows, data };
}

module.exports = { run };

if (require.main === module && process.argv[2] === '--child') {
  const [task, root, shipped, fixture] = process.argv.slice(3);
  reply(task === 'latency' ? latencyChild(root, shipped, fixture) : memoryChild(root, shipped, fixture));
}
