import * as assert from 'assert';
import OpenAI from 'openai';
import { ALTERNATION_ERROR, FakeOpenAI, RecordedRequest, alternationProblem } from '../fixtures/fakeOpenAI';

type ChatChunk = OpenAI.Chat.Completions.ChatCompletionChunk;

const MESSAGES: OpenAI.Chat.Completions.ChatCompletionMessageParam[] = [
  { role: 'system', content: 'You are terse.' },
  { role: 'user', content: 'Say hello.' },
];

suite('FakeOpenAI fixture', () => {
  const fake = new FakeOpenAI({ models: ['gpt-5-mini', 'llama3.1:8b'] });
  let baseURL = '';
  let client: OpenAI;

  function clientFor(url: string): OpenAI {
    return new OpenAI({ apiKey: 'sk-test', baseURL: url, maxRetries: 0, organization: null, project: null });
  }

  function streamRequest(signal?: AbortSignal) {
    return client.chat.completions.create(
      { model: 'gpt-5-mini', messages: MESSAGES, stream: true, stream_options: { include_usage: true } },
      signal ? { signal } : undefined,
    );
  }

  async function collect(signal?: AbortSignal): Promise<{ text: string; chunks: ChatChunk[]; times: number[] }> {
    const stream = await streamRequest(signal);
    const chunks: ChatChunk[] = [];
    const times: number[] = [];
    let text = '';
    for await (const c of stream) {
      chunks.push(c);
      times.push(Date.now());
      text += c.choices[0]?.delta.content ?? '';
    }
    return { text, chunks, times };
  }

  function origin(): string {
    return baseURL.replace(/\/v1$/, '');
  }

  suiteSetup(async () => {
    baseURL = await fake.start();
    client = clientFor(baseURL);
  });

  suiteTeardown(async () => {
    await fake.stop();
  });

  setup(() => {
    fake.reset();
  });

  test('listens on 127.0.0.1 with a free port and exposes the /v1 base URL', () => {
    assert.match(baseURL, /^http:\/\/127\.0\.0\.1:\d+\/v1$/);
    assert.strictEqual(fake.baseUrl, baseURL);
    assert.ok(fake.port > 0);
    assert.strictEqual(baseURL, `http://127.0.0.1:${fake.port}/v1`);
  });

  test('streams the scripted text through the openai package, with finish_reason and a usage chunk', async () => {
    fake.script({ text: 'The quick brown fox jumps.', chunkSize: 3 });
    const { text, chunks } = await collect();
    assert.strictEqual(text, 'The quick brown fox jumps.');

    const content = chunks.filter(c => c.choices.length > 0 && c.choices[0].delta.content !== undefined);
    assert.strictEqual(content.length, Math.ceil('The quick brown fox jumps.'.length / 3));
    assert.strictEqual(content[0].choices[0].delta.role, 'assistant');
    assert.strictEqual(content[1].choices[0].delta.role, undefined);
    for (const c of chunks) {
      assert.strictEqual(c.object, 'chat.completion.chunk');
      assert.strictEqual(c.model, 'gpt-5-mini');
      assert.match(c.id, /^chatcmpl-fixture-\d+$/);
    }

    const finish = chunks.filter(c => c.choices[0]?.finish_reason);
    assert.strictEqual(finish.length, 1);
    assert.strictEqual(finish[0].choices[0].finish_reason, 'stop');
    assert.deepStrictEqual(finish[0].choices[0].delta, {});

    const last = chunks[chunks.length - 1];
    assert.deepStrictEqual(last.choices, []);
    assert.ok(last.usage);
    assert.ok(last.usage.prompt_tokens > 0);
    assert.ok(last.usage.completion_tokens > 0);
    assert.strictEqual(last.usage.total_tokens, last.usage.prompt_tokens + last.usage.completion_tokens);
  });

  test('explicit chunks, a scripted usage and finish_reason are sent as given', async () => {
    fake.script({ chunks: ['ab', '', 'ç😀d'], usage: { prompt_tokens: 11, completion_tokens: 3 }, finishReason: 'length' });
    const { text, chunks } = await collect();
    assert.strictEqual(text, 'abç😀d');
    assert.strictEqual(chunks.find(c => c.choices[0]?.finish_reason)?.choices[0].finish_reason, 'length');
    assert.deepStrictEqual(chunks[chunks.length - 1].usage, { prompt_tokens: 11, completion_tokens: 3, total_tokens: 14 });
  });

  test('usage: false never sends the usage chunk', async () => {
    fake.script({ text: 'no usage', usage: false });
    const { text, chunks } = await collect();
    assert.strictEqual(text, 'no usage');
    assert.ok(chunks.every(c => c.choices.length === 1 && !c.usage));
  });

  test('records the request body, path, method and headers (Authorization)', async () => {
    await collect();
    const [rec] = await fake.waitForRequests(1);
    assert.strictEqual(rec.index, 0);
    assert.strictEqual(rec.method, 'POST');
    assert.strictEqual(rec.path, '/v1/chat/completions');
    assert.strictEqual(rec.headers.authorization, 'Bearer sk-test');
    assert.match(String(rec.headers['content-type']), /application\/json/);
    assert.deepStrictEqual(rec.body, {
      model: 'gpt-5-mini',
      messages: MESSAGES,
      stream: true,
      stream_options: { include_usage: true },
    });
    assert.ok(rec.receivedAt <= Date.now());
    assert.strictEqual(fake.requests.length, 1);
    assert.deepStrictEqual(fake.chatRequests(), [rec]);
  });

  test('the default answer, then the queue in order, then the default again; reset restores the default', async () => {
    fake.script({ text: 'first' }, { text: 'second' });
    assert.strictEqual((await collect()).text, 'first');
    assert.strictEqual((await collect()).text, 'second');
    assert.strictEqual((await collect()).text, 'Hello from the fixture.');
    fake.setDefault({ text: 'new default' });
    assert.strictEqual((await collect()).text, 'new default');
    assert.deepStrictEqual(fake.chatRequests().map(r => r.index), [0, 1, 2, 3]);
    fake.reset();
    assert.strictEqual(fake.requests.length, 0);
    assert.strictEqual((await collect()).text, 'Hello from the fixture.');
  });

  test('chunks arrive separately with the scripted delays', async () => {
    fake.script({ chunks: ['a', 'b', 'c', 'd'], delayMs: 60, firstChunkDelayMs: 30 });
    const started = Date.now();
    const stream = await streamRequest();
    const times: number[] = [];
    let text = '';
    for await (const c of stream) {
      const d = c.choices[0]?.delta.content;
      if (d) {
        times.push(Date.now());
        text += d;
      }
    }
    assert.strictEqual(text, 'abcd');
    assert.strictEqual(times.length, 4);
    assert.ok(times[0] - started >= 25, `first chunk after ${times[0] - started} ms`);
    for (let i = 1; i < times.length; i++) {
      assert.ok(times[i] - times[i - 1] >= 45, `gap ${i}: ${times[i] - times[i - 1]} ms`);
    }
    const [rec] = fake.chatRequests();
    assert.strictEqual(rec.chunksSent, 4);
  });

  test('headers come before the first chunk: firstChunkDelayMs does not delay the response', async () => {
    fake.script({ text: 'late', firstChunkDelayMs: 3000 });
    const started = Date.now();
    const stream = await streamRequest();
    const headersAfter = Date.now() - started;
    assert.ok(headersAfter < 2500, `headers after ${headersAfter} ms`);
    let text = '';
    for await (const c of stream) text += c.choices[0]?.delta.content ?? '';
    assert.strictEqual(text, 'late');
    assert.ok(Date.now() - started >= 2900);
  });

  test('firstByteDelayMs delays the status line', async () => {
    fake.script({ text: 'x', firstByteDelayMs: 120 });
    const started = Date.now();
    await streamRequest();
    assert.ok(Date.now() - started >= 100);
  });

  test('a full stream is completed and not closed early by the client', async () => {
    fake.script({ text: 'complete answer' });
    await collect();
    const [rec] = fake.chatRequests();
    const closed = await fake.waitForClose(rec, 2000);
    assert.strictEqual(closed, rec);
    assert.strictEqual(rec.completed, true);
    assert.strictEqual(rec.clientClosedEarly, false);
    assert.ok(rec.closedAt !== undefined && rec.closedAt >= rec.receivedAt);
    assert.strictEqual(rec.chunksSent, 4);
  });

  test('aborting mid-stream with an AbortController is recorded as closed early by the client', async () => {
    fake.script({ text: 'one two three four five six', chunkSize: 4, hangAfterChunks: 2 });
    const controller = new AbortController();
    const stream = await streamRequest(controller.signal);
    let text = '';
    let n = 0;
    for await (const c of stream) {
      text += c.choices[0]?.delta.content ?? '';
      if (++n === 2) controller.abort();
    }
    assert.strictEqual(text, 'one two ');
    const [rec] = fake.chatRequests();
    await fake.waitForClose(rec, 2000);
    assert.strictEqual(rec.clientClosedEarly, true);
    assert.strictEqual(rec.completed, false);
    assert.strictEqual(rec.chunksSent, 2);
    assert.ok(rec.closedAt !== undefined);
  });

  test('aborting a slow stream between delayed chunks stops the server writing', async () => {
    fake.script({ chunks: ['1', '2', '3', '4', '5', '6'], delayMs: 80 });
    const controller = new AbortController();
    const stream = await streamRequest(controller.signal);
    for await (const c of stream) {
      if (c.choices[0]?.delta.content === '1') controller.abort();
    }
    const [rec] = fake.chatRequests();
    await fake.waitForClose(rec, 2000);
    assert.strictEqual(rec.clientClosedEarly, true);
    assert.strictEqual(rec.completed, false);
    await new Promise(r => setTimeout(r, 200));
    assert.ok(rec.chunksSent <= 2, `server kept writing: ${rec.chunksSent} chunks`);
  });

  test('a non-200 status gives an OpenAI.APIError with that status and the scripted headers', async () => {
    fake.script({ status: 429, headers: { 'Retry-After': '7', 'x-request-id': 'req_scripted' } });
    const err = await streamRequest().then(
      () => assert.fail('expected an error'),
      (e: unknown) => e,
    );
    assert.ok(err instanceof OpenAI.APIError, String(err));
    assert.ok(err instanceof OpenAI.RateLimitError);
    assert.strictEqual(err.status, 429);
    assert.strictEqual(err.headers?.get('retry-after'), '7');
    assert.strictEqual(err.requestID, 'req_scripted');
    assert.match(err.message, /429/);
    assert.strictEqual(err.code, 'rate_limit_exceeded');
    const [rec] = fake.chatRequests();
    assert.strictEqual(rec.completed, true);
  });

  test('a scripted errorBody is sent as the error', async () => {
    fake.script({
      status: 401,
      errorBody: { error: { message: 'Incorrect API key provided: sk-test.', type: 'invalid_request_error', param: null, code: 'invalid_api_key' } },
    });
    const err = await client.chat.completions.create({ model: 'gpt-5-mini', messages: MESSAGES }).then(
      () => assert.fail('expected an error'),
      (e: unknown) => e,
    );
    assert.ok(err instanceof OpenAI.AuthenticationError, String(err));
    assert.strictEqual(err.status, 401);
    assert.match(err.message, /Incorrect API key provided/);
    assert.match(String(err.requestID), /^req_fixture_\d+$/);
  });

  test('GET /v1/models lists the models', async () => {
    const ids: string[] = [];
    for await (const m of client.models.list()) ids.push(m.id);
    assert.deepStrictEqual(ids, ['gpt-5-mini', 'llama3.1:8b']);
    const one = await client.models.retrieve('llama3.1:8b');
    assert.strictEqual(one.owned_by, 'fixture');
    assert.strictEqual(fake.requests.length, 2);
    assert.strictEqual(fake.requests[0].path, '/v1/models');
    assert.strictEqual(fake.chatRequests().length, 0);
  });

  test('unknown routes answer 404 with an OpenAI-shaped error', async () => {
    const res = await fetch(`${baseURL}/nope`, { method: 'POST', body: '{}' });
    assert.strictEqual(res.status, 404);
    const body = (await res.json()) as { error: { message: string; type: string; param: unknown; code: string } };
    assert.strictEqual(body.error.type, 'invalid_request_error');
    assert.strictEqual(body.error.code, 'not_found');
    assert.strictEqual(body.error.param, null);
    assert.match(body.error.message, /\/v1\/nope/);
    assert.strictEqual(fake.requests[0].path, '/v1/nope');
  });

  test('a hanging request can be aborted by the client', async () => {
    fake.script({ kind: 'hang' });
    const controller = new AbortController();
    const pending = streamRequest(controller.signal).then(
      () => assert.fail('expected an abort'),
      (e: unknown) => e,
    );
    const [rec] = await fake.waitForRequests(1, 2000);
    assert.strictEqual(rec.closedAt, undefined);
    controller.abort();
    const err = await pending;
    assert.ok(err instanceof OpenAI.APIUserAbortError, String(err));
    await fake.waitForClose(rec, 2000);
    assert.strictEqual(rec.clientClosedEarly, true);
    assert.strictEqual(rec.completed, false);
  });

  test('resetAfterChunks destroys the socket and the client sees an error', async () => {
    fake.script({ text: 'abcdefghij', chunkSize: 2, resetAfterChunks: 2 });
    const stream = await streamRequest();
    let text = '';
    const err = await (async () => {
      for await (const c of stream) text += c.choices[0]?.delta.content ?? '';
    })().then(
      () => assert.fail('expected a stream error'),
      (e: unknown) => e,
    );
    assert.ok(err instanceof Error);
    assert.strictEqual(text, 'abcd');
    const [rec] = fake.chatRequests();
    await fake.waitForClose(rec, 2000);
    assert.strictEqual(rec.chunksSent, 2);
    assert.strictEqual(rec.completed, false);
    assert.strictEqual(rec.clientClosedEarly, false);
  });

  test('rawEvents are sent verbatim, with [DONE] unless noDone', async () => {
    fake.script({ rawEvents: ['{"x":1}', 'not json'] }, { rawEvents: ['{"y":2}'], noDone: true });
    const init = { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: 'm', messages: [], stream: true }) };
    const a = await fetch(`${baseURL}/chat/completions`, init);
    assert.strictEqual(a.headers.get('content-type'), 'text/event-stream');
    assert.strictEqual(a.headers.get('cache-control'), 'no-cache');
    assert.match(String(a.headers.get('x-request-id')), /^req_fixture_0$/);
    assert.strictEqual(await a.text(), 'data: {"x":1}\n\ndata: not json\n\ndata: [DONE]\n\n');
    const b = await fetch(`${baseURL}/chat/completions`, init);
    assert.strictEqual(await b.text(), 'data: {"y":2}\n\n');
    assert.strictEqual(fake.chatRequests()[0].chunksSent, 2);
  });

  test('an error event in the stream surfaces as an OpenAI.APIError', async () => {
    fake.script({ rawEvents: ['{"error":{"message":"The server had an error mid-stream","type":"server_error","param":null,"code":null}}'] });
    const stream = await streamRequest();
    const err = await (async () => {
      for await (const c of stream) void c;
    })().then(
      () => assert.fail('expected an error'),
      (e: unknown) => e,
    );
    assert.ok(err instanceof OpenAI.APIError, String(err));
    assert.match(err.message, /mid-stream/);
  });

  test('a non-stream request gets a chat.completion object', async () => {
    fake.script({ text: 'Plain answer.', usage: { prompt_tokens: 5, completion_tokens: 2 } });
    const res = await client.chat.completions.create({ model: 'gpt-4.1-mini', messages: MESSAGES });
    assert.strictEqual(res.object, 'chat.completion');
    assert.strictEqual(res.model, 'gpt-4.1-mini');
    assert.strictEqual(res.choices[0].message.role, 'assistant');
    assert.strictEqual(res.choices[0].message.content, 'Plain answer.');
    assert.strictEqual(res.choices[0].finish_reason, 'stop');
    assert.deepStrictEqual(res.usage, { prompt_tokens: 5, completion_tokens: 2, total_tokens: 7 });
    const [rec] = fake.chatRequests();
    assert.strictEqual((rec.body as { stream?: unknown }).stream, undefined);
  });

  test('a json script answers with its body and status', async () => {
    fake.script({ kind: 'json', status: 200, body: { hello: 'world' }, headers: { 'x-extra': 'yes' }, delayMs: 20 });
    const res = await fetch(`${baseURL}/chat/completions`, { method: 'POST', body: JSON.stringify({ model: 'm', messages: [], stream: true }) });
    assert.strictEqual(res.status, 200);
    assert.strictEqual(res.headers.get('x-extra'), 'yes');
    assert.match(String(res.headers.get('content-type')), /application\/json/);
    assert.deepStrictEqual(await res.json(), { hello: 'world' });
  });

  test('enforceAlternation: roles that do not alternate after the system message get the template\'s 400 and use no script', async () => {
    const ok: OpenAI.Chat.Completions.ChatCompletionMessageParam[][] = [
      [{ role: 'user', content: 'a' }],
      [{ role: 'system', content: 's' }, { role: 'user', content: 'a' }, { role: 'assistant', content: 'b' }, { role: 'user', content: 'c' }],
    ];
    const bad: OpenAI.Chat.Completions.ChatCompletionMessageParam[][] = [
      [{ role: 'system', content: 's' }, { role: 'user', content: 'a' }, { role: 'user', content: 'b' }],
      [{ role: 'system', content: 's' }, { role: 'user', content: 'a' }, { role: 'assistant', content: 'b' }, { role: 'assistant', content: 'c' }, { role: 'user', content: 'd' }],
      [{ role: 'system', content: 's' }, { role: 'assistant', content: 'a' }, { role: 'user', content: 'b' }],
      [{ role: 'user', content: 'a' }, { role: 'assistant', content: 'b' }],
      [{ role: 'user', content: 'a' }, { role: 'system', content: 's' }, { role: 'user', content: 'b' }],
    ];
    for (const m of ok) assert.strictEqual(alternationProblem(m), undefined, JSON.stringify(m));
    for (const m of bad) assert.ok(alternationProblem(m), JSON.stringify(m));
    fake.enforceAlternation();
    fake.script({ text: 'Scripted.' });
    await assert.rejects(client.chat.completions.create({ model: 'gpt-5-mini', messages: bad[0] }), (e: unknown) => e instanceof OpenAI.APIError && e.status === 400 && e.message.includes(ALTERNATION_ERROR));
    const answer = await client.chat.completions.create({ model: 'gpt-5-mini', messages: ok[1] });
    assert.strictEqual(answer.choices[0].message.content, 'Scripted.', 'the rejected request used no script');
    fake.reset();
    assert.strictEqual((await client.chat.completions.create({ model: 'gpt-5-mini', messages: bad[0] })).choices[0].message.content, 'Hello from the fixture.', 'reset makes roles lenient again');
  });

  test('a body that is not JSON is recorded raw and answered 400', async () => {
    const res = await fetch(`${baseURL}/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{oops' });
    assert.strictEqual(res.status, 400);
    const body = (await res.json()) as { error: { type: string } };
    assert.strictEqual(body.error.type, 'invalid_request_error');
    const [rec] = fake.chatRequests();
    assert.strictEqual(rec.body, '{oops');
  });

  test('Azure-style paths ending in /chat/completions are chat requests', async () => {
    fake.script({ text: 'azure' });
    const azure = clientFor(`${origin()}/openai/deployments/my-dep`);
    const res = await azure.chat.completions.create({ model: 'my-dep', messages: MESSAGES }, { query: { 'api-version': '2024-10-21' } });
    assert.strictEqual(res.choices[0].message.content, 'azure');
    const [rec] = fake.chatRequests();
    assert.strictEqual(rec.path, '/openai/deployments/my-dep/chat/completions?api-version=2024-10-21');
  });

  test('waitForRequests rejects on timeout with a clear message', async () => {
    await assert.rejects(fake.waitForRequests(1, 50), /timed out after 50 ms waiting for 1 chat request/);
  });

  test('stop() ends hanging and mid-stream connections, and the server can start again', async () => {
    const other = new FakeOpenAI();
    const url = await other.start();
    const c = clientFor(url);
    other.script({ kind: 'hang' }, { text: 'abcdefgh', chunkSize: 2, hangAfterChunks: 1 });
    const hung = c.chat.completions.create({ model: 'm', messages: MESSAGES, stream: true }).then(
      () => undefined,
      (e: unknown) => e,
    );
    await other.waitForRequests(1, 2000);
    const midStream = await c.chat.completions.create({ model: 'm', messages: MESSAGES, stream: true });
    const reading = (async () => {
      let text = '';
      for await (const ch of midStream) text += ch.choices[0]?.delta.content ?? '';
      return text;
    })().catch((e: unknown) => e);
    const reqs = await other.waitForRequests(2, 2000);
    await new Promise(r => setTimeout(r, 30));
    const waitingForThird = other.waitForRequests(3, 5000);
    await other.stop();
    await assert.rejects(waitingForThird, /stopped/);
    for (const r of reqs) {
      const rec: RecordedRequest = await other.waitForClose(r, 100);
      assert.ok(rec.closedAt !== undefined);
      assert.strictEqual(rec.completed, false);
      assert.strictEqual(rec.clientClosedEarly, false);
    }
    assert.ok((await hung) instanceof Error);
    assert.ok((await reading) instanceof Error);
    assert.strictEqual(reqs[1].chunksSent, 1);

    await other.stop(); // idempotent
    const again = await other.start();
    assert.match(again, /^http:\/\/127\.0\.0\.1:\d+\/v1$/);
    assert.strictEqual(await clientFor(again).chat.completions.create({ model: 'm', messages: MESSAGES }).then(r => r.choices[0].message.content), 'Hello from the fixture.');
    await other.stop();
  });
});
