// Pasted images in the real VS Code, driven through the chat view's intents (what the webview posts)
// against the loopback server: the image reaches the server as an image part with its exact bytes, the
// text beside it is still redacted, a server without image support gets Tandem's error with Remove Image
// and Retry (which sends the same text without it), and history keeps each image once with its thumbnail.
import * as assert from 'assert';
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import type { TandemApi } from '../../src/extension';
import type { ChatMessage, OutgoingImage } from '../../src/protocol';
import { HistoryStore, replay } from '../../src/host/historyStore';
import { FakeOpenAI, type RecordedRequest } from '../fixtures/fakeOpenAI';
import { png } from '../fixtures/images';
import { lastConversation, lastMessage, newConversation, setSettings, tandem, useFixture, waitFor } from './helpers';

const HISTORY_DIR = path.join(process.env.EXT_TEST_USER_DATA ?? '', 'User', 'globalStorage', 'tandem.tandem', 'conversations');
// Built at run time so this file does not trip secret scanners.
const KEY = ['sk', 'proj', 'Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4z'].join('-');

interface WirePart {
  type: string;
  text?: string;
  image_url?: { url: string };
}

function lastUser(req: RecordedRequest): { content: string | WirePart[] } {
  const messages = (req.body as { messages: { role: string; content: string | WirePart[] }[] }).messages;
  const users = messages.filter(m => m.role === 'user');
  return users[users.length - 1];
}

suite('Pasted images (real VS Code, loopback server)', function () {
  this.timeout(60000);
  const fx = new FakeOpenAI();
  let api: TandemApi;
  const bytes = png(64, 48);
  const thumbnail = `data:image/png;base64,${png(16, 12).toString('base64')}`;
  const pasted: OutgoingImage = { name: 'dialog.png', data: bytes.toString('base64'), thumbnail };

  useFixture(fx);
  setup(async () => {
    api = await tandem();
    await api.whenRestored();
    fx.reset();
    await setSettings({ baseUrl: fx.baseUrl, model: 'test-model' });
    await newConversation();
  });

  async function ask(text: string, images: OutgoingImage[] = [pasted]): Promise<ChatMessage> {
    assert.ok(api.viewIntent, 'the test hook exists outside production');
    await api.viewIntent({ type: 'ask', text, images });
    return waitFor('the answer to end', () => {
      const m = lastMessage(api);
      return m && m.role === 'assistant' && !m.streaming ? m : undefined;
    });
  }

  test('an image question arrives as an image part with the exact bytes; the text beside it is still redacted', async () => {
    const answer = await ask(`What is wrong in this dialog? The key is ${KEY}`);
    assert.strictEqual(answer.error, undefined, answer.error?.message);
    const [req] = await fx.waitForRequests(1);
    const content = lastUser(req).content;
    assert.ok(Array.isArray(content), 'the question is sent as parts');
    assert.deepStrictEqual(content.map(p => p.type), ['text', 'image_url']);
    assert.ok(content[0].text?.startsWith('What is wrong in this dialog?'));
    assert.ok(!JSON.stringify(req.body).includes(KEY), 'the key in the text did not leave');
    const url = content[1].image_url?.url ?? '';
    assert.ok(url.startsWith('data:image/png;base64,'), url.slice(0, 40));
    assert.ok(Buffer.from(url.slice(url.indexOf(',') + 1), 'base64').equals(bytes), 'byte for byte');
    const question = lastConversation(api).messages[0];
    assert.deepStrictEqual(question.images?.map(i => [i.id, i.name, i.width, i.height, i.bytes]), [[createHash('sha256').update(bytes).digest('hex'), 'dialog.png', 64, 48, bytes.length]]);
  });

  test('an image whose bytes are not an image is left out with a warning; the question is still asked', async () => {
    const answer = await ask('And this one?', [{ name: 'fake.png', data: Buffer.from('GIF? no, text').toString('base64'), thumbnail: '' }]);
    assert.strictEqual(answer.error, undefined);
    const [req] = await fx.waitForRequests(1);
    assert.strictEqual(lastUser(req).content, 'And this one?', 'sent as plain text');
    assert.strictEqual(lastConversation(api).messages[0].images, undefined);
  });

  for (const server of [
    { name: 'llama.cpp without a projector (400)', status: 400, body: { error: { code: 400, message: 'image input is not supported - hint: if this is unexpected, you may need to provide the mmproj', type: 'invalid_request_error' } } },
    { name: 'Ollama with a text-only model (500)', status: 500, body: { error: { message: 'this model is missing data required for image input', type: 'api_error' } } },
  ]) {
    test(`a server that takes no images (${server.name}): Tandem's error with Remove Image and Retry, which sends the same text without it`, async () => {
      fx.rejectImages({ status: server.status, body: server.body });
      const text = 'Why is the OK button disabled?';
      const failed = await ask(text);
      assert.strictEqual(failed.error?.kind, 'imagesUnsupported', failed.error?.message);
      assert.match(failed.error?.message ?? '', /did not accept the image/);
      assert.strictEqual(failed.error?.actions[0], 'removeImagesAndRetry');
      const first = await fx.waitForRequests(1);
      assert.strictEqual(first.length, 1, 'a refusal of the image is not retried by itself');

      await api.viewIntent?.({ type: 'errorAction', messageId: failed.id, action: 'removeImagesAndRetry' });
      const answer = await waitFor('the retried answer', () => {
        const m = lastMessage(api);
        return m && m.id !== failed.id && !m.streaming ? m : undefined;
      });
      assert.strictEqual(answer.error, undefined, answer.error?.message);
      assert.strictEqual(answer.text, 'Hello from the fixture.');
      const reqs = await fx.waitForRequests(2);
      assert.strictEqual(lastUser(reqs[1]).content, text, 'the same question, as text only');
      assert.ok(!JSON.stringify(reqs[1].body).includes('image_url'));
      const c = lastConversation(api);
      assert.deepStrictEqual(c.messages.map(m => m.role), ['user', 'assistant'], 'the answer was replaced, not added');
      assert.strictEqual(c.messages[0].text, text, 'nothing typed is lost');
      assert.strictEqual(c.messages[0].images, undefined);
    });
  }

  test('history stores the image once (edit, regenerate) and a reload from disk keeps its thumbnail', async () => {
    await ask('What does this show?');
    let c = lastConversation(api);
    await api.viewIntent?.({ type: 'editAndResend', messageId: c.messages[0].id, text: 'What does this dialog show?' });
    await waitFor('the second answer', () => fx.chatRequests().length >= 2 && lastMessage(api)?.streaming === false);
    c = lastConversation(api);
    await api.viewIntent?.({ type: 'regenerate', messageId: c.messages[1].id });
    await waitFor('the third answer', () => fx.chatRequests().length >= 3 && lastMessage(api)?.streaming === false);
    await api.flushHistory();
    const reqs = fx.chatRequests();
    for (const r of reqs) assert.ok(JSON.stringify(r.body).includes(pasted.data), `request ${r.index} carried the image`);

    const log = fs.readFileSync(path.join(HISTORY_DIR, `${c.id}.jsonl`), 'utf8');
    assert.strictEqual(log.split(pasted.data).length - 1, 1, 'the bytes are in the log once');
    assert.strictEqual(log.split(thumbnail).length - 1, 1, 'the thumbnail too');
    assert.ok(replay(c.id, log, 0).conversation.messages[0].images?.[0].data === pasted.data);

    // What a new window does when it opens the conversation.
    const reloaded = await new HistoryStore(HISTORY_DIR, () => undefined).load(c.id, { compact: false });
    const question = reloaded.messages[0];
    assert.strictEqual(question.text, 'What does this dialog show?');
    assert.deepStrictEqual(question.images?.map(i => [i.name, i.thumbnail, i.data]), [['dialog.png', thumbnail, pasted.data]]);
  });
});
