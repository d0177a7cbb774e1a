// The history on disk as the user's VS Code writes it: a torn last line, a folder that becomes read-only
// while an answer streams, and a delete that can be undone for a few seconds.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import type { TandemApi } from '../../src/extension';
import { replay } from '../../src/host/historyStore';
import { FakeOpenAI } from '../fixtures/fakeOpenAI';
import { setWritable } from '../fixtures/writable';
import { lastConversation, lastMessage, newConversation, openWithSelection, setSettings, tandem, useFixture, waitFor } from './helpers';

const HISTORY_DIR = path.join(process.env.EXT_TEST_USER_DATA ?? '', 'User', 'globalStorage', 'tandem.tandem', 'conversations');

suite('History on disk', function () {
  this.timeout(60000);
  const fx = new FakeOpenAI();
  let api: TandemApi;

  useFixture(fx);
  setup(async () => {
    api = await tandem();
    await api.whenRestored();
    fx.reset();
    await setSettings({ baseUrl: fx.baseUrl, model: 'test-model' });
    await newConversation();
  });

  async function explain(): Promise<void> {
    await openWithSelection('sample.ts', [1, 0], [7, 1]);
    await vscode.commands.executeCommand('tandem.explainSelection');
  }

  const logOf = (id: string) => path.join(HISTORY_DIR, `${id}.jsonl`);
  const onDisk = (id: string) => replay(id, fs.readFileSync(logOf(id), 'utf8'), 0);

  test('a torn last line followed by a new answer: the answer survives', async () => {
    fx.script({ text: 'First answer.' });
    await explain();
    await api.flushHistory();
    const c = lastConversation(api);
    const answer = c.messages[1];
    // What a crash mid-write leaves behind.
    fs.appendFileSync(logOf(c.id), `{"t":"append","id":"${answer.id}","text":"torn in the mid`);
    fx.script({ text: 'The answer after the torn line.' });
    assert.ok(api.viewIntent, 'the test hook exists outside production');
    await api.viewIntent({ type: 'regenerate', messageId: answer.id });
    await api.flushHistory();
    const r = onDisk(c.id);
    assert.strictEqual(r.bad, 1, 'only the torn line is lost');
    assert.deepStrictEqual(r.conversation.messages.map(m => m.role), ['user', 'assistant']);
    assert.strictEqual(r.conversation.messages[1].text, 'The answer after the torn line.');
    assert.strictEqual(r.conversation.messages[1].streaming, false);
  });

  test('a history folder made read-only mid-stream: a warning, nothing lost, written once it is writable again', async () => {
    const chunks = Array.from({ length: 40 }, (_, i) => `part${i} `);
    fx.script({ chunks, delayMs: 60 });
    await openWithSelection('sample.ts', [1, 0], [7, 1]);
    const asking = vscode.commands.executeCommand('tandem.explainSelection');
    await waitFor('some chunks', () => (lastMessage(api)?.text.length ?? 0) > 30, 15000);
    await api.flushHistory();
    const id = lastConversation(api).id;
    setWritable(HISTORY_DIR, false);
    try {
      await asking;
      await api.flushHistory();
      const problem = await waitFor('the warning', () => api.historyWriteProblem(), 10000);
      assert.match(problem, /not writable/);
      assert.strictEqual(lastMessage(api)?.text, chunks.join(''), 'the whole answer is shown');
      assert.notStrictEqual(onDisk(id).conversation.messages[1]?.text, chunks.join(''), 'and not yet on disk');
    } finally {
      setWritable(HISTORY_DIR, true);
    }
    await waitFor('the held-back writes to be made', () => api.historyWriteProblem() === undefined, 15000);
    await api.flushHistory();
    const stored = onDisk(id).conversation.messages;
    assert.strictEqual(stored[1].text, chunks.join(''));
    assert.strictEqual(stored[1].streaming, false);
    assert.strictEqual(stored[1].error, undefined);
  });

  test('a deleted conversation leaves the list at once and its log only after the Undo period', async () => {
    fx.script({ text: 'To be deleted.' });
    await explain();
    await api.flushHistory();
    const id = lastConversation(api).id;
    assert.ok(fs.existsSync(logOf(id)));
    await api.viewIntent?.({ type: 'deleteConversation', id });
    await waitFor('the conversation to leave the list', () => !api.getConversations().some(c => c.id === id));
    assert.ok(fs.existsSync(logOf(id)), 'kept while Undo is offered');
    await waitFor('the log to be removed', () => !fs.existsSync(logOf(id)), 15000);
  });
});
