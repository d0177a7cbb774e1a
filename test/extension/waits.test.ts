// Waits the user sees in the chat and can cut short: a retry after a 429 that says when to come back,
// and client-side pacing (from tandem.requestsPerMinute, or from the server's x-ratelimit-* headers).
// Driven through the view's intents (Retry Now posts `retryNow`, Cancel posts `stop`) and read from the
// conversation state the view renders, against the loopback server.
import * as assert from 'assert';
import type { TandemApi } from '../../src/extension';
import type { ChatMessage } from '../../src/protocol';
import { FakeOpenAI } from '../fixtures/fakeOpenAI';
import { lastConversation, setSettings, tandem, waitFor } from './helpers';

interface Body { messages: { role: string; content: string }[] }

suite('Retry and pacing waits in the chat', function () {
  this.timeout(60000);
  // A server of its own for each test: pacing is kept per server origin (a port here), so the requests
  // of one test never count against the next one's window.
  let fx = new FakeOpenAI();

  setup(async () => {
    fx = new FakeOpenAI({ models: ['wait-model'] });
    await fx.start();
    await setSettings({ provider: 'custom', baseUrl: fx.baseUrl, model: 'wait-model', requestsPerMinute: undefined });
    const api = await tandem();
    await api.viewIntent?.({ type: 'newConversation' });
  });
  teardown(() => fx.stop());
  suiteTeardown(() => setSettings({ provider: undefined, baseUrl: undefined, model: undefined, requestsPerMinute: undefined }));

  function intent(api: TandemApi): (m: unknown) => Promise<unknown> {
    assert.ok(api.viewIntent, 'the test hook exists outside production');
    return api.viewIntent;
  }
  const lastAnswer = (api: TandemApi): ChatMessage | undefined => lastConversation(api).messages.at(-1);
  /** The wait the view shows on the answer being prepared, once there is one. */
  const waitShown = (api: TandemApi, reason: 'retry' | 'pacing') => waitFor(`a ${reason} wait on the answer`, () => {
    const m = lastAnswer(api);
    return m?.role === 'assistant' && m.wait?.reason === reason ? m.wait : undefined;
  }, 20000);

  test('a 429 with Retry-After: the answer shows the countdown and its cause; Retry Now sends at once', async () => {
    const api = await tandem();
    fx.script({ status: 429, headers: { 'retry-after': '40' } }, { text: 'Answered after the retry.' });
    const asked = intent(api)({ type: 'ask', text: 'Why is the sky blue?' });
    const wait = await waitShown(api, 'retry');
    assert.strictEqual(wait.cause, 'rateLimited');
    assert.strictEqual(wait.attempt, 1);
    const shownAt = Date.now();
    assert.ok(wait.until - shownAt > 30000, `counts down from the server's 40 s (${wait.until - shownAt} ms left)`);
    await intent(api)({ type: 'retryNow' });
    const [, retried] = await fx.waitForRequests(2);
    assert.ok(retried.receivedAt < wait.until, 'the retry went before the Retry-After ran out');
    await asked;
    const answer = lastAnswer(api);
    assert.strictEqual(answer?.text, 'Answered after the retry.');
    assert.strictEqual(answer?.wait, undefined, 'the countdown is gone');
    assert.strictEqual(answer?.error, undefined);
  });

  test('Cancel during a retry wait stops it: nothing more is sent and the question stays', async () => {
    const api = await tandem();
    fx.script({ status: 429, headers: { 'retry-after': '40' } }, { text: 'The next question.' });
    const asked = intent(api)({ type: 'ask', text: 'A question worth keeping' });
    await waitShown(api, 'retry');
    await intent(api)({ type: 'stop' });
    await asked; // the answer is settled: no retry is pending any more
    const c = lastConversation(api);
    const question = c.messages.at(-2);
    assert.strictEqual(question?.role, 'user');
    assert.strictEqual(question?.text, 'A question worth keeping');
    const answer = c.messages.at(-1);
    assert.strictEqual(answer?.wait, undefined);
    assert.strictEqual(answer?.streaming, false);
    assert.ok(answer?.stopped || answer?.error, 'the answer says it was stopped');
    // Had the retry survived the Cancel, the chat would still be busy and this question would not go next.
    await intent(api)({ type: 'ask', text: 'Another question' });
    const requests = fx.chatRequests();
    assert.strictEqual(requests.length, 2, 'the cancelled retry was never sent');
    assert.strictEqual((requests[1].body as Body).messages.at(-1)?.content, 'Another question');
    assert.strictEqual(lastAnswer(api)?.text, 'The next question.');
  });

  test('pacing from tandem.requestsPerMinute shows as a pacing wait; Send Now sends at once', async () => {
    const api = await tandem();
    await setSettings({ requestsPerMinute: 1 });
    fx.script({ text: 'First.' }, { text: 'Second, without waiting a minute.' });
    await intent(api)({ type: 'ask', text: 'One' });
    const asked = intent(api)({ type: 'ask', text: 'Two' });
    const wait = await waitShown(api, 'pacing');
    assert.ok(wait.until - Date.now() > 30000, 'one request a minute: the next waits most of a minute');
    assert.strictEqual(fx.chatRequests().length, 1, 'not sent while it waits');
    await intent(api)({ type: 'retryNow' });
    await asked;
    assert.strictEqual(lastAnswer(api)?.text, 'Second, without waiting a minute.');
    assert.strictEqual(lastAnswer(api)?.wait, undefined);
    assert.strictEqual(fx.chatRequests().length, 2);
  });

  test('x-ratelimit-remaining-requests: 0 paces the next request until the reset, shown as a pacing wait', async () => {
    const api = await tandem();
    fx.script(
      { text: 'First.', headers: { 'x-ratelimit-remaining-requests': '0', 'x-ratelimit-reset-requests': '45s' } },
      { text: 'Second.' },
    );
    await intent(api)({ type: 'ask', text: 'One' });
    const asked = intent(api)({ type: 'ask', text: 'Two' });
    const wait = await waitShown(api, 'pacing');
    assert.ok(wait.until - Date.now() > 30000, `waits for the server's reset (${wait.until - Date.now()} ms)`);
    assert.strictEqual(fx.chatRequests().length, 1, 'not sent while the server says none are left');
    // Cancel leaves the question and sends nothing.
    await intent(api)({ type: 'stop' });
    await asked;
    assert.strictEqual(fx.chatRequests().length, 1);
    assert.strictEqual(lastConversation(api).messages.at(-2)?.text, 'Two');
    assert.strictEqual(lastAnswer(api)?.wait, undefined);
  });
});
