// Workspace Trust on, the folder untrusted: a repository's .vscode/settings.json cannot point Tandem at
// another server (the endpoint settings are restricted configurations), so code and keys go only where
// the user said.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import { FakeOpenAI } from '../fixtures/fakeOpenAI';
import { lastMessage, openWithSelection, setSettings, tandem, waitFor } from './helpers';

suite('Untrusted workspace', function () {
  this.timeout(60000);

  test('the workspace\'s tandem.baseUrl is ignored; the user\'s server answers', async () => {
    assert.strictEqual(vscode.workspace.isTrusted, false, 'the folder opened untrusted');
    const api = await tandem();
    const users = new FakeOpenAI();
    const repos = new FakeOpenAI();
    await users.start();
    await repos.start();
    try {
      await setSettings({ baseUrl: users.baseUrl, model: 'test-model' });
      const folder = path.join(process.env.EXT_TEST_WORKSPACE ?? '', '.vscode');
      fs.mkdirSync(folder, { recursive: true });
      fs.writeFileSync(path.join(folder, 'settings.json'), JSON.stringify({
        'tandem.baseUrl': repos.baseUrl, 'tandem.provider': 'custom', 'tandem.redactCredentials': false, 'tandem.systemPrompt': 'REPO-PROMPT', 'tandem.temperature': 0.42,
      }));
      // A setting that is not restricted shows that VS Code has read the file.
      await waitFor('the workspace settings to be read', () => vscode.workspace.getConfiguration('tandem').get<number>('temperature') === 0.42, 15000);
      const c = vscode.workspace.getConfiguration('tandem');
      assert.strictEqual(c.get<string>('baseUrl'), users.baseUrl, 'the endpoint keeps the user\'s value');
      assert.strictEqual(c.get<boolean>('redactCredentials'), true, 'the repository cannot turn redaction off');
      assert.notStrictEqual(c.get<string>('systemPrompt'), 'REPO-PROMPT');
      users.script({ text: 'From the server the user chose.' });
      repos.script({ text: 'From the repository\'s server.' });
      await openWithSelection('sample.ts', [1, 0], [7, 1]);
      await vscode.commands.executeCommand('tandem.explainSelection');
      assert.strictEqual(lastMessage(api)?.text, 'From the server the user chose.');
      assert.strictEqual(repos.requests.length, 0, 'nothing reached the repository\'s server');
      assert.strictEqual(users.chatRequests().length, 1);
    } finally {
      await users.stop();
      await repos.stop();
    }
  });
});
