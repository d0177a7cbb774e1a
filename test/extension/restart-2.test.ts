// History survives a crash, second run on the same user-data folder: every file is valid, the
// conversation is back up to the last chunk written, marked as interrupted, and a new question works.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import { FakeOpenAI } from '../fixtures/fakeOpenAI';
import { lastMessage, newConversation, openWithSelection, resetSettings, setSettings, tandem } from './helpers';

/** Where VS Code keeps the extension's global storage for this user-data folder. */
const HISTORY_DIR = path.join(process.env.EXT_TEST_USER_DATA ?? '', 'User', 'globalStorage', 'tandem.tandem', 'conversations');

suite('History survives a crash (second run)', function () {
  this.timeout(150000); // a restored window on a busy 2-core machine has taken over a minute

  test('every file is valid, the answer is restored up to the last chunk written, and a new question works', async () => {
    const api = await tandem();
    await api.whenRestored();
    const marker = JSON.parse(fs.readFileSync(path.join(process.env.EXT_TEST_RUN_DIR ?? '', 'kill-now.json'), 'utf8')) as { prefix: string; full: string; chunkLength: number };
    // The chunk that was arriving when the marker was written may not have reached the disk.
    const certain = marker.prefix.slice(0, Math.max(0, marker.prefix.length - marker.chunkLength));
    const conversation = api.getConversations().find(c => c.messages.some(m => m.role === 'assistant' && m.text.startsWith(certain)));
    assert.ok(conversation, `restored: ${JSON.stringify(api.getConversations().map(c => c.messages.map(m => m.text.slice(0, 40))))}`);
    const question = conversation.messages[0];
    const answer = conversation.messages[1];
    assert.strictEqual(question.role, 'user');
    assert.strictEqual(question.context?.file, 'sample.ts', 'the question and its code are back');
    assert.ok(answer.text.length >= certain.length, `at most the chunk being written is lost: ${answer.text.length} of ${marker.prefix.length} characters`);
    assert.ok(marker.full.startsWith(answer.text), 'nothing is invented or garbled');
    assert.strictEqual(answer.streaming, false);
    assert.strictEqual(answer.error?.kind, 'cancelled', 'marked as interrupted');
    assert.ok(answer.error.actions.includes('continue'));

    const dir = HISTORY_DIR;
    assert.ok(fs.existsSync(dir), `the history folder ${dir} exists`);
    // Logs, the list's index and the presence folder; no temporary file or lock is left behind.
    const all = fs.readdirSync(dir);
    const files = all.filter(f => f.endsWith('.jsonl'));
    assert.ok(files.length >= 1 && all.every(f => f.endsWith('.jsonl') || f === 'index.json' || f === '.live'), JSON.stringify(all));
    for (const f of files) {
      for (const line of fs.readFileSync(path.join(dir, f), 'utf8').split('\n').filter(Boolean)) JSON.parse(line);
    }

    const fx = new FakeOpenAI();
    await fx.start();
    try {
      await setSettings({ baseUrl: fx.baseUrl, model: 'test-model' });
      fx.script({ text: 'A fresh answer after the crash.' });
      await newConversation();
      await openWithSelection('sample.ts', [9, 0], [11, 1]);
      await vscode.commands.executeCommand('tandem.explainSelection');
      assert.strictEqual(lastMessage(api)?.text, 'A fresh answer after the crash.');
      await api.flushHistory();
      assert.strictEqual(fs.readdirSync(dir).filter(f => f.endsWith('.jsonl')).length, files.length + 1, 'the new conversation is stored too');
    } finally {
      await resetSettings();
      await fx.stop();
    }
  });
});
