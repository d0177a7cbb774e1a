// Tandem's models through VS Code's language-model API (vscode.lm), as VS Code's Chat and any other
// extension use them, against the loopback server: the models listed with the windows the chat would
// use, text streamed, the pipeline's retry, error, cancellation and redaction rules, tool calls.
// Called from Tandem's own extension host (a second test extension would use the same API).
import * as assert from 'assert';
import * as vscode from 'vscode';
import { FakeOpenAI, type RecordedRequest } from '../fixtures/fakeOpenAI';
import { setSettings, sleep, useFixture } from './helpers';

const OLLAMA_MODEL = 'llama3.1:8b';
// Built at run time so this file does not trip secret scanners.
const SECRET_KEY = ['sk', 'proj', 'Zz3dEf6hIj9kLm2nOp5qRs8tUv1wXy4q'].join('-');
const PASSWORD = 'Hunter2x9' + 'q';

/** Polls selectChatModels until `check` accepts the list: VS Code re-asks the provider after a settings change. */
async function models(check: (m: vscode.LanguageModelChat[]) => boolean, what: string): Promise<vscode.LanguageModelChat[]> {
  let last: vscode.LanguageModelChat[] = [];
  for (const end = Date.now() + 15000; Date.now() < end; await sleep(100)) {
    last = await vscode.lm.selectChatModels({ vendor: 'tandem' });
    if (check(last)) return last;
  }
  throw new Error(`timed out waiting for ${what}; models: ${last.map(m => `${m.id} (${m.maxInputTokens})`).join(', ') || 'none'}`);
}

async function model(id: string): Promise<vscode.LanguageModelChat> {
  const [m] = await models(l => l.some(x => x.id === id), `model ${id}`);
  return (await vscode.lm.selectChatModels({ vendor: 'tandem', id }))[0] ?? m;
}

async function readAll(r: vscode.LanguageModelChatResponse): Promise<{ text: string; pieces: string[]; calls: vscode.LanguageModelToolCallPart[] }> {
  const pieces: string[] = [];
  const calls: vscode.LanguageModelToolCallPart[] = [];
  for await (const part of r.stream) {
    if (part instanceof vscode.LanguageModelTextPart) pieces.push(part.value);
    else if (part instanceof vscode.LanguageModelToolCallPart) calls.push(part);
  }
  return { text: pieces.join(''), pieces, calls };
}

function body(r: RecordedRequest): { model: string; messages: { role: string; content: unknown; tool_calls?: unknown; tool_call_id?: string }[]; tools?: unknown } {
  return r.body as ReturnType<typeof body>;
}

const user = (text: string) => vscode.LanguageModelChatMessage.User(text);

suite('VS Code language models (vendor tandem)', function () {
  this.timeout(60000);
  const fx = new FakeOpenAI({
    models: [OLLAMA_MODEL, 'qwen2.5-coder:7b'],
    routes: {
      // Ollama runs the model with num_ctx 8192; the model file says it could take 131072.
      'POST /api/show': { parameters: 'num_ctx                        8192\ntemperature 0.2', model_info: { 'general.architecture': 'llama', 'llama.context_length': 131072 } },
    },
  });
  useFixture(fx);
  setup(async () => {
    fx.reset();
    await setSettings({ provider: 'ollama', baseUrl: fx.baseUrl, model: OLLAMA_MODEL, maxTokens: 1024, contextWindow: undefined });
  });
  suiteTeardown(async () => {
    await setSettings({ maxTokens: undefined });
  });

  test('lists the server\'s models with the window the server runs them with (num_ctx 8192, not the file\'s 131072)', async () => {
    const list = await models(l => l.length === 2, 'the two models of the server');
    assert.deepStrictEqual(list.map(m => m.id).sort(), [OLLAMA_MODEL, 'qwen2.5-coder:7b']);
    for (const m of list) {
      assert.strictEqual(m.vendor, 'tandem');
      // 8192 tokens of context, 1024 of them kept for the answer (tandem.maxTokens).
      assert.strictEqual(m.maxInputTokens, 8192 - 1024, `${m.id}: ${m.maxInputTokens}`);
    }
    assert.ok(fx.requests.some(r => r.method === 'POST' && r.path === '/api/show'), 'Ollama was asked how it runs the model');
    // The user's override wins, as in the chat.
    await setSettings({ contextWindow: 32000 });
    await models(l => l.length === 2 && l.every(m => m.maxInputTokens === 32000 - 1024), 'the windows from tandem.contextWindow');
  });

  test('sendRequest streams the server\'s text as it arrives, with the model VS Code picked', async () => {
    const m = await model('qwen2.5-coder:7b');
    fx.script({ chunks: ['Hello ', 'from ', 'the '], hangAfterChunks: 3 });
    const cts = new vscode.CancellationTokenSource();
    const r = await m.sendRequest([user('Say hello.')], {}, cts.token);
    const it = r.text[Symbol.asyncIterator]();
    let text = '';
    while (text !== 'Hello from the ') {
      const next = await it.next();
      assert.ok(!next.done, `the stream ended early with ${JSON.stringify(text)}`);
      text += next.value;
    }
    const [req] = fx.chatRequests();
    assert.ok(!req.completed, 'the text arrived while the server was still answering');
    cts.cancel();
    const b = body(req);
    assert.strictEqual(b.model, 'qwen2.5-coder:7b');
    assert.deepStrictEqual(b.messages, [{ role: 'user', content: 'Say hello.' }]);

    fx.script({ text: 'A whole answer, in pieces.', chunkSize: 5 });
    const whole = await readAll(await m.sendRequest([user('Again.')], {}));
    assert.strictEqual(whole.text, 'A whole answer, in pieces.');
    assert.ok(whole.pieces.length > 1, `streamed in ${whole.pieces.length} piece(s)`);
  });

  test('a 429 with Retry-After: 1 is retried once, after the wait', async () => {
    const m = await model(OLLAMA_MODEL);
    fx.script({ status: 429, headers: { 'retry-after': '1' } }, { text: 'Answer after the retry.' });
    const r = await readAll(await m.sendRequest([user('Hi')], {}));
    assert.strictEqual(r.text, 'Answer after the retry.');
    const reqs = fx.chatRequests();
    assert.strictEqual(reqs.length, 2);
    assert.ok(reqs[1].receivedAt - reqs[0].receivedAt >= 900, `retried after ${reqs[1].receivedAt - reqs[0].receivedAt} ms`);
  });

  test('insufficient_quota is not retried and surfaces as a LanguageModelError with Tandem\'s message', async () => {
    const m = await model(OLLAMA_MODEL);
    fx.script({ status: 429, errorBody: { error: { message: 'You exceeded your current quota, please check your plan.', type: 'insufficient_quota', param: null, code: 'insufficient_quota' } } });
    let caught: unknown;
    try {
      await readAll(await m.sendRequest([user('Hi')], {}));
    } catch (e) {
      caught = e;
    }
    assert.ok(caught instanceof Error, `an error was thrown: ${String(caught)}`);
    assert.ok(caught instanceof vscode.LanguageModelError, `a LanguageModelError, not ${caught.constructor.name}: ${caught.message}`);
    assert.match(caught.message, /no quota left: this is a billing matter/);
    assert.match(caught.message, /You exceeded your current quota/);
    await sleep(300);
    assert.strictEqual(fx.chatRequests().length, 1, 'not retried');
  });

  test('cancelling closes the connection at once', async () => {
    const m = await model(OLLAMA_MODEL);
    fx.script({ text: 'start ', endless: { piece: 'more ', maxMs: 20000 }, delayMs: 20 });
    const cts = new vscode.CancellationTokenSource();
    const r = await m.sendRequest([user('Go on forever.')], {}, cts.token);
    const it = r.text[Symbol.asyncIterator]();
    await it.next();
    const [req] = await fx.waitForRequests(1);
    const t0 = Date.now();
    cts.cancel();
    await fx.waitForClose(req, 5000);
    const ms = (req.closedAt ?? Infinity) - t0;
    assert.ok(req.clientClosedEarly, 'the client closed it');
    // The speed is the benchmark's; here: closed by the cancel, not left to the server.
    assert.ok(ms < 5000, `closed ${ms} ms after the cancel`);
  });

  test('a secret in the messages never reaches the server', async () => {
    const m = await model(OLLAMA_MODEL);
    fx.script({ text: 'Noted.' });
    const code = `OPENAI_API_KEY = "${SECRET_KEY}"\ndb_password = "${PASSWORD}"\n`;
    await readAll(await m.sendRequest([
      vscode.LanguageModelChatMessage.User(`Why does this fail?\n\n${code}`),
      vscode.LanguageModelChatMessage.Assistant(`Is ${PASSWORD} your real password?`),
      user('Yes, it is.'),
    ], {}));
    const sent = fx.requests.map(r => JSON.stringify(r.headers) + JSON.stringify(r.body)).join('\n');
    assert.ok(!sent.includes(SECRET_KEY), 'the key was sent');
    assert.ok(!sent.includes(PASSWORD), 'the password was sent (the assistant turn repeats it)');
    assert.match(JSON.stringify(body(fx.chatRequests()[0]).messages), /\[REDACTED\]/);
  });

  test('a tool call split over many deltas arrives as one LanguageModelToolCallPart; its result goes back as a tool message', async () => {
    const m = await model(OLLAMA_MODEL);
    const args = JSON.stringify({ city: 'Zürich', days: 3, units: { temperature: 'celsius' } });
    const delta = (d: object) => JSON.stringify({ id: 'c1', object: 'chat.completion.chunk', created: 1, model: OLLAMA_MODEL, choices: [{ index: 0, delta: d, finish_reason: null }] });
    const pieces = args.match(/.{1,3}/gs) ?? [];
    fx.script({
      rawEvents: [
        delta({ role: 'assistant', content: 'Let me look. ' }),
        delta({ tool_calls: [{ index: 0, id: 'call_abc', type: 'function', function: { name: 'get_weather', arguments: '' } }] }),
        ...pieces.map(p => delta({ tool_calls: [{ index: 0, function: { arguments: p } }] })),
        delta({ tool_calls: [{ index: 1, id: 'call_def', type: 'function', function: { name: 'get_time', arguments: '{}' } }] }),
        JSON.stringify({ id: 'c1', object: 'chat.completion.chunk', created: 1, model: OLLAMA_MODEL, choices: [{ index: 0, delta: {}, finish_reason: 'tool_calls' }] }),
      ],
    });
    const tools: vscode.LanguageModelChatTool[] = [
      { name: 'get_weather', description: 'The forecast for a city.', inputSchema: { type: 'object', properties: { city: { type: 'string' } } } },
      { name: 'get_time', description: 'The time.', inputSchema: { type: 'object', properties: {} } },
    ];
    const r = await readAll(await m.sendRequest([user('Weather in Zürich?')], { tools }));
    assert.ok(pieces.length > 10, `${pieces.length} argument deltas`);
    assert.strictEqual(r.text, 'Let me look. ');
    assert.strictEqual(r.calls.length, 2, JSON.stringify(r.calls));
    assert.strictEqual(r.calls[0].callId, 'call_abc');
    assert.strictEqual(r.calls[0].name, 'get_weather');
    assert.deepStrictEqual(r.calls[0].input, JSON.parse(args));
    assert.deepStrictEqual([r.calls[1].callId, r.calls[1].name, r.calls[1].input], ['call_def', 'get_time', {}]);
    const sentTools = body(fx.chatRequests()[0]).tools as { type: string; function: { name: string; description: string; parameters: unknown } }[];
    assert.deepStrictEqual(sentTools.map(t => [t.type, t.function.name, t.function.description]), [['function', 'get_weather', 'The forecast for a city.'], ['function', 'get_time', 'The time.']]);
    assert.deepStrictEqual(sentTools[0].function.parameters, tools[0].inputSchema);

    // The caller runs the tool and sends the result back: a `tool` message right after the assistant's call.
    fx.script({ text: 'Sunny, 21 °C.' });
    const next = await readAll(await m.sendRequest([
      user('Weather in Zürich?'),
      vscode.LanguageModelChatMessage.Assistant([new vscode.LanguageModelTextPart('Let me look. '), new vscode.LanguageModelToolCallPart('call_abc', 'get_weather', JSON.parse(args) as object)]),
      vscode.LanguageModelChatMessage.User([new vscode.LanguageModelToolResultPart('call_abc', [new vscode.LanguageModelTextPart('{"forecast":"sunny","high":21}')])]),
    ], { tools }));
    assert.strictEqual(next.text, 'Sunny, 21 °C.');
    const sent = body(fx.chatRequests()[1]).messages;
    assert.deepStrictEqual(sent.map(x => x.role), ['user', 'assistant', 'tool']);
    assert.deepStrictEqual(sent[1].tool_calls, [{ id: 'call_abc', type: 'function', function: { name: 'get_weather', arguments: args } }]);
    assert.strictEqual(sent[2].tool_call_id, 'call_abc');
    assert.strictEqual(sent[2].content, '{"forecast":"sunny","high":21}');
  });

  test('tools are offered only where the server takes them: not to a generic server', async () => {
    await setSettings({ provider: 'custom' });
    const m = await model(OLLAMA_MODEL);
    fx.script({ text: 'Plain answer.' });
    const tools: vscode.LanguageModelChatTool[] = [{ name: 'get_time', description: 'The time.', inputSchema: { type: 'object', properties: {} } }];
    const r = await readAll(await m.sendRequest([user('Time?')], { tools }));
    assert.strictEqual(r.text, 'Plain answer.');
    assert.strictEqual(body(fx.chatRequests()[0]).tools, undefined, 'tools were sent to a server that may reject them');
  });

  test('Azure OpenAI: the model is the configured deployment, and requests are routed to it', async () => {
    await setSettings({ provider: 'azure', 'azure.deployment': 'team-gpt4o' });
    try {
      const list = await models(l => l.length === 1 && l[0].id === 'team-gpt4o', 'the Azure deployment as the only model');
      fx.script({ text: 'From the deployment.' });
      const r = await readAll(await list[0].sendRequest([user('Hi')], {}));
      assert.strictEqual(r.text, 'From the deployment.');
      assert.match(fx.chatRequests()[0].path, /\/openai\/deployments\/team-gpt4o\/chat\/completions\?api-version=/);
    } finally {
      await setSettings({ 'azure.deployment': undefined });
    }
  });
});
