// dist/llm.js's logic in plain Node against the loopback fixture: streaming, cancellation, headers,
// parameters, and the error taxonomy.
import * as assert from 'assert';
import * as net from 'net';
import { FakeOpenAI } from '../fixtures/fakeOpenAI';
import { streamChat, requestBody, isReasoningModel } from '../../src/llm/stream';
import { describeError } from '../../src/llm/errors';
import type { ChatRequest, LlmFailure } from '../../src/llm/types';

suite('llm: streaming against the fixture server', () => {
  const fx = new FakeOpenAI();
  suiteSetup(() => fx.start().then(() => undefined));
  suiteTeardown(() => fx.stop());
  setup(() => fx.reset());

  const req = (over: Partial<ChatRequest> = {}): ChatRequest => ({
    baseUrl: fx.baseUrl,
    apiKey: undefined,
    model: 'gpt-4.1-mini',
    messages: [{ role: 'system', content: 'S' }, { role: 'user', content: 'Q' }],
    ...over,
  });

  async function collect(r: ChatRequest, signal = new AbortController().signal) {
    const deltas: string[] = [];
    const result = await streamChat(r, { onDelta: d => deltas.push(d) }, signal);
    return { deltas, result };
  }

  /** The deltas that arrived and what was thrown (undefined when the stream ended normally). */
  async function untilError(r: ChatRequest): Promise<{ deltas: string[]; err: unknown }> {
    const deltas: string[] = [];
    try {
      await streamChat(r, { onDelta: d => deltas.push(d) }, new AbortController().signal);
      return { deltas, err: undefined };
    } catch (err) {
      return { deltas, err };
    }
  }

  async function failure(r: ChatRequest): Promise<LlmFailure> {
    try {
      await collect(r);
    } catch (e) {
      return describeError(e, r);
    }
    throw new Error('expected the request to fail');
  }

  test('deltas arrive in order and add up to the answer, with usage and request id', async () => {
    fx.script({ text: 'Hello, wörld 👋 with `code`.', chunkSize: 3 });
    const { deltas, result } = await collect(req());
    assert.strictEqual(deltas.join(''), 'Hello, wörld 👋 with `code`.');
    assert.ok(deltas.length > 5);
    assert.strictEqual(result.finishReason, 'stop');
    assert.ok(result.usage && result.usage.completionTokens > 0);
    assert.strictEqual(result.requestId, 'req_fixture_0');
  });

  test('the User-Agent names Tandem and its version, and the SDK', async () => {
    fx.script({ text: 'a' });
    await collect(req());
    const ua = String(fx.chatRequests()[0].headers['user-agent']);
    const version = (JSON.parse(require('fs').readFileSync(require('path').join(__dirname, '..', '..', 'package.json'), 'utf8')) as { version: string }).version;
    assert.match(ua, new RegExp(`^Tandem/${version.replace(/\./g, '\\.')} OpenAI/JS \\d+\\.\\d+\\.\\d+$`), ua);
  });

  test('no key: no Authorization header at all; a key: Bearer to that server only', async () => {
    fx.script({ text: 'a' }, { text: 'b' });
    await collect(req());
    await collect(req({ apiKey: 'sk-test-1234567890' }));
    const [a, b] = fx.chatRequests();
    assert.strictEqual(a.headers.authorization, undefined);
    assert.strictEqual(b.headers.authorization, 'Bearer sk-test-1234567890');
  });

  test('only the parameters the user set are sent; reasoning models get max_completion_tokens and no temperature', () => {
    const plain = requestBody(req());
    assert.ok(!('temperature' in plain) && !('max_tokens' in plain) && !('max_completion_tokens' in plain));
    const set = requestBody(req({ temperature: 0.2, maxTokens: 100 }));
    assert.strictEqual(set.temperature, 0.2);
    assert.strictEqual(set.max_tokens, 100);
    const reasoning = requestBody(req({ model: 'gpt-5-mini', temperature: 0.2, maxTokens: 100 }));
    assert.ok(!('temperature' in reasoning) && !('max_tokens' in reasoning));
    assert.strictEqual(reasoning.max_completion_tokens, 100);
    assert.ok(isReasoningModel('o3-mini') && isReasoningModel('o1') && isReasoningModel('gpt-5') && isReasoningModel('openai/gpt-5-mini'));
    assert.ok(!isReasoningModel('gpt-4.1-mini') && !isReasoningModel('gpt-4o') && !isReasoningModel('gpt-5-chat-latest') && !isReasoningModel('llama3.1:8b'));
  });

  test('abort closes the connection at once and nothing is delivered after it', async () => {
    fx.script({ chunks: ['one ', 'two ', 'three ', 'four ', 'five '], delayMs: 100 });
    const ctrl = new AbortController();
    const deltas: string[] = [];
    const running = streamChat(req(), { onDelta: d => {
      deltas.push(d);
      if (deltas.length === 2) ctrl.abort();
    } }, ctrl.signal).catch((e: unknown) => e);
    const [r] = await fx.waitForRequests(1);
    const closed = await fx.waitForClose(r, 2000);
    const outcome = await running;
    assert.strictEqual(closed.clientClosedEarly, true);
    assert.ok(closed.chunksSent < 5);
    assert.deepStrictEqual(deltas, ['one ', 'two ']);
    // Either the stream ends quietly as cancelled, or what it throws is described as cancelled.
    if (outcome instanceof Error) assert.strictEqual(describeError(outcome, req()).kind, 'cancelled');
    else assert.strictEqual((outcome as { finishReason: string }).finishReason, 'cancelled');
  });

  test('finish_reason length and content_filter come back to the caller', async () => {
    fx.script({ text: 'cut', finishReason: 'length' }, { text: 'x', finishReason: 'content_filter' });
    assert.strictEqual((await collect(req())).result.finishReason, 'length');
    assert.strictEqual((await collect(req())).result.finishReason, 'content_filter');
  });

  test('HTTP errors map to kinds with the server\'s message and request id', async () => {
    const cases: [number, unknown, string][] = [
      [401, { error: { message: 'Incorrect API key provided', type: 'invalid_request_error', code: 'invalid_api_key' } }, 'auth'],
      [403, { error: { message: 'Country not supported', type: 'permission_error' } }, 'permission'],
      [404, { error: { message: 'The model `nope` does not exist', code: 'model_not_found' } }, 'notFound'],
      [429, { error: { message: 'You exceeded your current quota', type: 'insufficient_quota', code: 'insufficient_quota' } }, 'quota'],
      [429, { error: { message: 'Rate limit reached', type: 'requests', code: 'rate_limit_exceeded' } }, 'rateLimited'],
      [400, { error: { message: 'maximum context length is 8192 tokens', code: 'context_length_exceeded' } }, 'contextLength'],
      [400, { error: { message: 'Unrecognized request argument' } }, 'badRequest'],
      [500, { error: { message: 'boom' } }, 'server'],
      [503, { error: { message: 'overloaded' } }, 'server'],
    ];
    for (const [status, errorBody, kind] of cases) {
      fx.script({ status, errorBody, headers: { 'x-request-id': `req_${status}_${kind}` } });
      const f = await failure(req());
      assert.strictEqual(f.kind, kind, `${status} ${JSON.stringify(errorBody)} -> ${JSON.stringify(f)}`);
      const serverMsg = (errorBody as { error: { message: string } }).error.message;
      assert.ok(f.message.includes(serverMsg), f.message);
      assert.strictEqual(f.requestId, `req_${status}_${kind}`);
    }
  });

  test('a 404 names the model and the URL', async () => {
    fx.script({ status: 404 });
    const f = await failure(req({ model: 'no-such-model' }));
    assert.match(f.message, /no-such-model/);
    assert.ok(f.message.includes(fx.baseUrl));
  });

  test('an error event inside a 200 stream is an error with the server\'s text, never an empty answer', async () => {
    fx.script({ rawEvents: ['{"error":{"message":"The engine is currently overloaded","type":"server_error"}}'] });
    const f = await failure(req());
    assert.match(f.message, /overloaded/);
    assert.notStrictEqual(f.kind, 'cancelled');
  });

  test('legacy llama.cpp `error:` lines in a 200 stream are the error, with the server\'s text and the partial text kept', async () => {
    fx.script({ chunks: ['Partial ', 'answer'], rawLines: ['error: {"code":400,"message":"the request exceeds the available context size, try increasing it","type":"invalid_request_error"}', ''], finishReason: null });
    const { deltas, err } = await untilError(req());
    assert.strictEqual(deltas.join(''), 'Partial answer');
    assert.ok(err, 'the error line is not dropped');
    assert.match(describeError(err, req()).message, /exceeds the available context size/);
    // Alone, before any content (the usual case), split over many small writes.
    fx.script({ rawEvents: [], rawLines: ['error: {"code":400,"message":"context size exceeded"}', ''], noDone: false });
    const f = await failure(req());
    assert.match(f.message, /context size exceeded/);
  });

  test('the legacy error rewrite passes every other byte through, whatever the chunking', async () => {
    const { legacyErrorLines } = await import('../../src/llm/client');
    const input = 'data: {"a":1}\n\nerr: no\nerror: {"code":1,"message":"m"}\r\ndata: [DONE]\n\n: comment\nerrors: x\n';
    const expected = 'data: {"a":1}\n\nerr: no\ndata: {"error":{"code":1,"message":"m"}}\n\ndata: [DONE]\n\n: comment\nerrors: x\n';
    for (const size of [1, 2, 3, 5, 7, 1000]) {
      const bytes = new TextEncoder().encode(input);
      const parts: Uint8Array[] = [];
      for (let i = 0; i < bytes.length; i += size) parts.push(bytes.slice(i, i + size));
      const out = await new Response(new ReadableStream({ start(c) { for (const p of parts) c.enqueue(p); c.close(); } }).pipeThrough(legacyErrorLines())).text();
      assert.strictEqual(out, expected, `chunks of ${size}`);
    }
  });

  test('an answer is cut at the size cap: the text up to it, the connection closed, the result says so', async () => {
    fx.script({ chunks: Array.from({ length: 200 }, () => 'x'.repeat(1000)), delayMs: 2 });
    let text = '';
    const result = await streamChat(req(), { onDelta: d => { text += d; } }, new AbortController().signal, { maxChars: 50_500 });
    assert.strictEqual(result.cut, 'size');
    assert.strictEqual(text.length, 50_500);
    const [r] = fx.chatRequests();
    await fx.waitForClose(r, 5000);
    assert.ok(r.chunksSent < 200 && !r.completed, `${r.chunksSent} chunks sent`);
  });

  test('a never-ending stream is cut at the time cap and the connection closed', async () => {
    fx.script({ chunks: ['start'], endless: { piece: 'again ', maxMs: 30_000 }, delayMs: 5 });
    let text = '';
    const started = Date.now();
    const result = await streamChat(req(), { onDelta: d => { text += d; } }, new AbortController().signal, { maxMs: 600 });
    assert.strictEqual(result.cut, 'time');
    assert.ok(text.startsWith('startagain '));
    assert.ok(Date.now() - started < 10_000, 'ended by the cap, not by the server');
    const [r] = fx.chatRequests();
    await fx.waitForClose(r, 5000);
  });

  test('a stream that ends with no choice at all is a malformed stream', async () => {
    fx.script({ rawEvents: ['{"id":"x","object":"chat.completion.chunk","choices":[]}'] });
    assert.strictEqual((await failure(req())).kind, 'malformedStream');
  });

  test('a chunk that is not JSON is a malformed stream', async () => {
    fx.script({ rawEvents: ['{"id":"x","choices":[{"delta":{"content":"a"}}]}', '{not json'] });
    assert.strictEqual((await failure(req())).kind, 'malformedStream');
  });

  test('a refused loopback connection asks whether the local server runs', async () => {
    const port = await new Promise<number>(resolve => {
      const s = net.createServer().listen(0, '127.0.0.1', () => {
        const p = (s.address() as net.AddressInfo).port;
        s.close(() => resolve(p));
      });
    });
    const f = await failure(req({ baseUrl: `http://127.0.0.1:${port}/v1` }));
    assert.strictEqual(f.kind, 'connection');
    assert.match(f.message, /refused/);
    assert.match(f.message, /running/);
  });

  test('a reset mid-stream is an error, after the deltas that did arrive', async () => {
    fx.script({ chunks: ['a', 'b', 'c', 'd'], resetAfterChunks: 2 });
    const { deltas, err } = await untilError(req());
    assert.deepStrictEqual(deltas, ['a', 'b']);
    assert.ok(err, 'the reset is reported');
    assert.notStrictEqual(describeError(err, req()).kind, 'cancelled');
  });

  test('key-shaped strings in server messages are redacted', async () => {
    fx.script({ status: 401, errorBody: { error: { message: 'Incorrect API key provided: sk-proj-ABCDEFGHIJKLMNOP1234' } } });
    const f = await failure(req());
    assert.ok(!f.message.includes('ABCDEFGHIJKLMNOP1234'), f.message);
  });
});

suite('llm: redirects are never followed', () => {
  // A server that answers everything with a 302 to a second server, which counts what reaches it.
  const http = require('http') as typeof import('http');
  let hits = 0;
  let target: import('http').Server;
  let redirector: import('http').Server;
  let base = '';
  const listen = (s: import('http').Server) => new Promise<number>(r => s.listen(0, '127.0.0.1', () => r((s.address() as net.AddressInfo).port)));
  suiteSetup(async () => {
    target = http.createServer((_req, res) => { hits++; res.writeHead(200, { 'content-type': 'application/json' }); res.end('{"data":[]}'); });
    const targetPort = await listen(target);
    redirector = http.createServer((req, res) => { res.writeHead(302, { location: `http://127.0.0.1:${targetPort}${req.url}` }); res.end(); });
    base = `http://127.0.0.1:${await listen(redirector)}/v1`;
  });
  suiteTeardown(() => { target.close(); redirector.close(); });
  setup(() => { hits = 0; });

  test('a chat request: nothing reaches the other server, and the error says why', async () => {
    const r: ChatRequest = { baseUrl: base, apiKey: 'sk-test-redirect-0123456789', model: 'm', messages: [{ role: 'user', content: 'q' }] };
    let err: unknown;
    try {
      await streamChat(r, { onDelta: () => undefined }, new AbortController().signal);
    } catch (e) {
      err = e;
    }
    const f = describeError(err, r);
    assert.strictEqual(f.kind, 'connection');
    assert.match(f.message, /redirect.*never follows one/);
    assert.strictEqual(hits, 0);
  });

  test('the model list and every context probe: nothing reaches the other server', async () => {
    const { listModels, fetchServerContext } = await import('../../src/llm/models');
    const server = { baseUrl: base, apiKey: 'sk-test-redirect-0123456789', azure: undefined };
    let err: unknown;
    try {
      await listModels(server, {}, new AbortController().signal);
    } catch (e) {
      err = e;
    }
    assert.match(describeError(err, { baseUrl: base, model: 'm' }).message, /redirect/);
    const lines: string[] = [];
    for (const probe of ['ollama-show', 'llamacpp-props', 'models-list'] as const) {
      assert.strictEqual(await fetchServerContext(probe, server, 'm', new AbortController().signal, { onLog: (_l, line) => lines.push(line) }), undefined);
    }
    assert.strictEqual(hits, 0, 'no request followed the redirect');
    assert.ok(lines.some(l => /context-window probe/.test(l)), 'the probes are logged');
  });

  test('Azure: a stored key goes in api-key, never in Authorization', async () => {
    const fx = new FakeOpenAI();
    await fx.start();
    try {
      fx.script({ text: 'ok' });
      const key = 'azure-key-0123456789abcdef';
      await streamChat({ baseUrl: fx.baseUrl.replace(/\/v1$/, ''), apiKey: key, model: 'm', messages: [{ role: 'user', content: 'q' }], azure: { deployment: 'dep', apiVersion: '2024-10-21' } },
        { onDelta: () => undefined }, new AbortController().signal);
      const [r] = fx.chatRequests();
      assert.strictEqual(r.headers['api-key'], key);
      assert.strictEqual(r.headers.authorization, undefined);
      assert.match(r.path, /\/openai\/deployments\/dep\/chat\/completions\?api-version=2024-10-21/);
    } finally {
      await fx.stop();
    }
  });
});
