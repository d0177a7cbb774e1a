// Every failure the API layer handles, one test each, through the loopback fixture in a real VS Code:
// the error kind in the public snapshot, how many requests the server saw, and that nothing typed or
// already received is lost.
import * as assert from 'assert';
import * as net from 'net';
import * as vscode from 'vscode';
import { FakeOpenAI, type Script } from '../fixtures/fakeOpenAI';
import type { ChatMessage } from '../../src/protocol';
import type { TandemApi } from '../../src/extension';
import { lastConversation, newConversation, openWithSelection, resetSettings, setSettings, tandem } from './helpers';

interface Body {
  stream_options?: unknown;
  messages: { role: string; content: string }[];
}

suite('API faults against the fixture server', function () {
  this.timeout(30000);
  const fx = new FakeOpenAI({ models: ['test-model', 'gpt-4o-mini'] });
  let api: TandemApi;

  suiteSetup(async () => {
    await fx.start();
    api = await tandem();
  });
  suiteTeardown(async () => {
    await resetSettings();
    await setSettings({ firstTokenTimeoutSeconds: undefined, idleTimeoutSeconds: undefined, contextWindow: undefined, 'azure.deployment': undefined });
    await fx.stop();
  });
  setup(async () => {
    fx.reset();
    await setSettings({ provider: 'openai', baseUrl: fx.baseUrl, model: 'test-model', firstTokenTimeoutSeconds: 10, idleTimeoutSeconds: 10, contextWindow: undefined });
    await newConversation();
  });

  /** Explains sample.ts lines 2-8 with the scripted answers; returns the question and the answer. */
  async function explain(...scripts: Script[]): Promise<{ question: ChatMessage; answer: ChatMessage }> {
    if (scripts.length) fx.script(...scripts);
    await openWithSelection('sample.ts', [1, 0], [7, 1]);
    await vscode.commands.executeCommand('tandem.explainSelection');
    const c = lastConversation(api);
    const question = c.messages.at(-2);
    const answer = c.messages.at(-1);
    assert.ok(question && answer, 'a question and an answer');
    assert.strictEqual(question.context?.file, 'sample.ts', 'the question and its code are kept');
    assert.strictEqual(answer.streaming, false);
    return { question, answer };
  }

  const err = (status: number, message: string, code?: string, type?: string) => ({ status, errorBody: { error: { message, type: type ?? 'invalid_request_error', code: code ?? null } } });

  test('401: auth, with Set API Key; one request', async () => {
    const { answer } = await explain(err(401, 'Incorrect API key provided', 'invalid_api_key'));
    assert.strictEqual(answer.error?.kind, 'auth');
    assert.ok(answer.error.actions.includes('setApiKey'));
    assert.strictEqual(fx.chatRequests().length, 1);
    // The loopback server got no key (none is stored): the message says so instead of "rejected".
    assert.match(answer.error.message, /none is stored for it, so none was sent/);
    assert.doesNotMatch(answer.error.message, /rejected the API key/);
  });

  test('403: permission; one request', async () => {
    const { answer } = await explain(err(403, 'You are not allowed to sample from this model', undefined, 'permission_error'));
    assert.strictEqual(answer.error?.kind, 'permission');
    assert.match(answer.error.message, /not allowed to sample/);
    assert.strictEqual(fx.chatRequests().length, 1);
  });

  test('404 model: names the model and the URL, offers Select Model', async () => {
    await setSettings({ model: 'no-such-model' });
    const { answer } = await explain(err(404, 'The model `no-such-model` does not exist', 'model_not_found'));
    assert.strictEqual(answer.error?.kind, 'notFound');
    assert.match(answer.error.message, /no-such-model/);
    assert.ok(answer.error.message.includes(fx.baseUrl));
    assert.ok(answer.error.actions.includes('selectModel'));
    assert.strictEqual(fx.chatRequests().length, 1);
  });

  test('429 with Retry-After: waits visibly, retries once, answers', async () => {
    const waits: number[] = [];
    const causes = new Set<string | undefined>();
    const sub = api.onDidChangeConversations(() => {
      const w = lastConversation(api).messages.at(-1)?.wait;
      if (w) waits.push(w.until);
      if (w) causes.add(w.cause);
    });
    const started = Date.now();
    let answer: ChatMessage;
    try {
      ({ answer } = await explain({ ...err(429, 'Rate limit reached for requests', 'rate_limit_exceeded', 'requests'), headers: { 'retry-after': '1' } }, { text: 'Second time lucky.' }));
    } finally {
      sub.dispose();
    }
    assert.strictEqual(fx.chatRequests().length, 2);
    assert.strictEqual(answer.text, 'Second time lucky.');
    assert.strictEqual(answer.error, undefined);
    assert.strictEqual(answer.wait, undefined);
    assert.ok(waits.length > 0, 'the wait was shown');
    assert.deepStrictEqual([...causes], ['rateLimited'], 'the wait says why: the server rate-limited');
    assert.ok(Date.now() - started >= 900, 'it waited for Retry-After');
  });

  test('429 with a long Retry-After: no automatic retry, says when', async () => {
    const { answer } = await explain({ ...err(429, 'Rate limit reached for tokens', 'rate_limit_exceeded', 'tokens'), headers: { 'retry-after': '300' } });
    assert.strictEqual(fx.chatRequests().length, 1);
    assert.strictEqual(answer.error?.kind, 'rateLimited');
    assert.match(answer.error.message, /wait until/);
    assert.ok(answer.error.actions.includes('retry'));
  });

  test('insufficient_quota: never retried, a billing matter', async () => {
    const { answer } = await explain(err(429, 'You exceeded your current quota, please check your plan and billing details.', 'insufficient_quota', 'insufficient_quota'));
    assert.strictEqual(fx.chatRequests().length, 1);
    assert.strictEqual(answer.error?.kind, 'quota');
    assert.match(answer.error.message, /billing/);
    assert.ok(answer.error.actions.includes('openUsage'));
    assert.ok(!answer.error.actions.includes('retry'));
  });

  test('context_length_exceeded: offers Trim and Retry', async () => {
    const { answer } = await explain(err(400, "This model's maximum context length is 8192 tokens.", 'context_length_exceeded'));
    assert.strictEqual(answer.error?.kind, 'contextLength');
    assert.ok(answer.error.actions.includes('trimAndRetry'));
    assert.strictEqual(fx.chatRequests().length, 1);
  });

  test('500 three times: retried twice with backoff, then a server error', async () => {
    const { answer } = await explain(err(500, 'boom 1', undefined, 'server_error'), err(500, 'boom 2'), err(500, 'boom 3'));
    assert.strictEqual(fx.chatRequests().length, 3);
    assert.strictEqual(answer.error?.kind, 'server');
    assert.match(answer.error.message, /boom 3/);
  });

  test('503 once: retried, answers', async () => {
    const { answer } = await explain(err(503, 'overloaded'), { text: 'Back again.' });
    assert.strictEqual(fx.chatRequests().length, 2);
    assert.strictEqual(answer.text, 'Back again.');
  });

  test('connection refused: a connection error that says so', async () => {
    const port = await new Promise<number>(resolve => {
      const s = net.createServer().listen(0, '127.0.0.1', () => {
        const p = (s.address() as net.AddressInfo).port;
        s.close(() => resolve(p));
      });
    });
    await setSettings({ baseUrl: `http://127.0.0.1:${port}/v1` });
    const { answer } = await explain();
    assert.strictEqual(answer.error?.kind, 'connection');
    assert.match(answer.error.message, /refused/);
    assert.ok(answer.error.actions.includes('testConnection'));
  });

  test('slow first token: a timeout, not retried', async () => {
    await setSettings({ firstTokenTimeoutSeconds: 0.5 });
    const { answer } = await explain({ text: 'late', firstChunkDelayMs: 3000 });
    assert.strictEqual(answer.error?.kind, 'timeout');
    assert.strictEqual(fx.chatRequests().length, 1);
    const closed = await fx.waitForClose(fx.chatRequests()[0], 2000);
    assert.strictEqual(closed.clientClosedEarly, true, 'the connection was closed');
  });

  test('stall mid-stream: the partial answer stays, with Continue', async () => {
    await setSettings({ idleTimeoutSeconds: 0.5 });
    const { answer } = await explain({ chunks: ['First part, ', 'second part, ', 'never'], hangAfterChunks: 2 });
    assert.strictEqual(answer.error?.kind, 'timeout');
    assert.strictEqual(answer.text, 'First part, second part, ');
    assert.deepStrictEqual(answer.error.actions.slice(0, 1), ['continue']);
    assert.strictEqual(fx.chatRequests().length, 1, 'never re-sent after tokens arrived');
  });

  test('reset mid-stream: the partial answer stays; not re-sent', async () => {
    const { answer } = await explain({ chunks: ['Alpha ', 'beta ', 'gamma'], resetAfterChunks: 2 });
    assert.ok(answer.error, 'an error is shown');
    assert.notStrictEqual(answer.error.kind, 'cancelled');
    assert.strictEqual(answer.text, 'Alpha beta ');
    assert.ok(answer.error.actions.includes('continue'));
    assert.strictEqual(fx.chatRequests().length, 1);
  });

  test('a malformed JSON chunk: malformed stream, text so far kept', async () => {
    const { answer } = await explain({ rawEvents: ['{"id":"x","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":"Good start"}}]}', '{"id": oops'] });
    assert.strictEqual(answer.error?.kind, 'malformedStream');
    assert.strictEqual(answer.text, 'Good start');
  });

  test('an error event inside the stream: the server\'s text, not an empty answer', async () => {
    const { answer } = await explain({ rawEvents: ['{"error":{"message":"The server had an error while processing your request.","type":"server_error"}}'] });
    assert.strictEqual(answer.error?.kind, 'server');
    assert.match(answer.error.message, /had an error while processing/);
  });

  test('finish_reason length: the text stays, with Continue, which appends', async () => {
    const { answer } = await explain({ text: 'The answer is cut', finishReason: 'length' }, { text: ' off no more.' });
    assert.strictEqual(answer.text, 'The answer is cut');
    assert.deepStrictEqual(answer.error?.actions, ['continue']);
  });

  test('finish_reason content_filter: says the answer was filtered', async () => {
    const { answer } = await explain({ text: 'Partial', finishReason: 'content_filter' });
    assert.strictEqual(answer.error?.kind, 'contentFilter');
    assert.match(answer.error.message, /filter/);
    assert.strictEqual(answer.text, 'Partial');
  });

  test('a server that rejects stream_options: retried without, and remembered', async () => {
    // A server of its own: what Tandem remembers is per origin and must not leak into other tests.
    const old = new FakeOpenAI();
    await old.start();
    try {
      await setSettings({ baseUrl: old.baseUrl });
      old.script(err(400, 'Unrecognized request argument supplied: stream_options'), { text: 'ok without usage' }, { text: 'still ok' });
      const { answer } = await explain();
      assert.strictEqual(answer.text, 'ok without usage');
      await newConversation();
      const second = await explain();
      assert.strictEqual(second.answer.text, 'still ok');
      const bodies = old.chatRequests().map(r => r.body as Body);
      assert.strictEqual(bodies.length, 3);
      assert.ok(bodies[0].stream_options);
      assert.strictEqual(bodies[1].stream_options, undefined);
      assert.strictEqual(bodies[2].stream_options, undefined, 'remembered for the next request');
    } finally {
      await old.stop();
    }
  });

  test('usage from the server is shown with the answer, and cost for a priced model', async () => {
    await setSettings({ model: 'gpt-4o-mini' });
    const { answer } = await explain({ text: 'Priced.', usage: { prompt_tokens: 1000, completion_tokens: 500 } });
    assert.deepStrictEqual({ ...answer.usage }, { promptTokens: 1000, completionTokens: 500, estimated: false, costUsd: (1000 * 0.15 + 500 * 0.6) / 1e6 });
  });

  test('secrets in the selected code are redacted before sending, and the chat says so', async () => {
    fx.script({ text: 'It configures the service.' });
    await openWithSelection('config.ts', [0, 0], [5, 2]);
    await vscode.commands.executeCommand('tandem.explainSelection');
    const body = fx.chatRequests()[0].body as Body;
    const sent = JSON.stringify(body);
    assert.ok(!sent.includes('FAKEfake0123456789'), 'the key did not leave');
    assert.match(sent, /\[REDACTED\]/);
    const answer = lastConversation(api).messages.at(-1);
    assert.ok(answer?.notices?.some(n => /REDACTED/.test(n)), JSON.stringify(answer?.notices));
    const question = lastConversation(api).messages.at(-2);
    assert.match(question?.context?.code ?? '', /FAKEfake/, 'the user\'s own copy is untouched');
  });

  test('a selection larger than the context window is truncated with a visible notice', async () => {
    await setSettings({ contextWindow: 400 });
    const doc = await vscode.workspace.openTextDocument({ language: 'python', content: Array.from({ length: 300 }, (_, i) => `value_${i} = compute(${i}) * ${i}`).join('\n') });
    const editor = await vscode.window.showTextDocument(doc);
    editor.selection = new vscode.Selection(0, 0, 299, 40);
    fx.script({ text: 'Long.' });
    await vscode.commands.executeCommand('tandem.explainSelection');
    const user = (fx.chatRequests()[0].body as Body).messages.at(-1)?.content ?? '';
    assert.match(user, /truncated: \d+ more lines not sent/);
    assert.ok(!user.includes('value_299'));
    const answer = lastConversation(api).messages.at(-1);
    assert.ok(answer?.notices?.some(n => /selected lines were sent/.test(n)), JSON.stringify(answer?.notices));
  });

  test('Azure OpenAI: deployment path, api-version, no Authorization header', async () => {
    await setSettings({ provider: 'azure', baseUrl: fx.baseUrl.replace(/\/v1$/, ''), 'azure.deployment': 'my-deploy' });
    const { answer } = await explain({ text: 'From Azure.' });
    assert.strictEqual(answer.text, 'From Azure.');
    const r = fx.chatRequests()[0];
    assert.strictEqual(r.path, '/openai/deployments/my-deploy/chat/completions?api-version=2024-10-21');
    assert.strictEqual(r.headers.authorization, undefined);
  });

  test('Test Connection reports each step against a working server, and the failing step against a bad key', async () => {
    fx.script({ text: 'OK' });
    const good = await vscode.commands.executeCommand<{ ok: boolean; steps: { name: string; status: string }[] }>('tandem.testConnection', { quiet: true });
    assert.ok(good.ok, JSON.stringify(good));
    assert.deepStrictEqual(good.steps.map(s => s.name), ['URL', 'API key', 'Models', 'Streaming']);
    fx.setDefault({ kind: 'json', status: 401, body: { error: { message: 'Invalid key', type: 'invalid_request_error', code: 'invalid_api_key' } } });
    const bad = await vscode.commands.executeCommand<{ ok: boolean; steps: { name: string; status: string }[] }>('tandem.testConnection', { quiet: true });
    assert.strictEqual(bad.ok, false);
    assert.deepStrictEqual(bad.steps.at(-1), { ...bad.steps.at(-1), status: 'fail' });
  });
});
