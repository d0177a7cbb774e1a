// The manifest and the view, as VS Code sees them.
import * as assert from 'assert';
import * as vscode from 'vscode';
import { tandem, waitFor } from './helpers';

interface Contributes {
  commands: { command: string }[];
}

suite('Tandem is installed and wired', () => {
  test('every contributed command is registered', async () => {
    await tandem();
    const ext = vscode.extensions.getExtension('tandem.tandem');
    const contributed = (ext?.packageJSON as { contributes: Contributes }).contributes.commands.map(c => c.command);
    assert.ok(contributed.length >= 7);
    const all = new Set(await vscode.commands.getCommands(true));
    const missing = contributed.filter(c => !all.has(c));
    assert.deepStrictEqual(missing, []);
  });

  test('the chat view resolves and its page reports ready', async () => {
    const api = await tandem();
    await vscode.commands.executeCommand('tandem.chatView.focus');
    await waitFor('the chat view to report ready', () => api.isChatViewReady(), 20000);
  });

  test('the public API returns copies, not the host\'s state', async () => {
    const api = await tandem();
    const a = api.getConversations();
    assert.ok(a.length >= 1);
    a[0].title = 'changed by a caller';
    a[0].messages.push({ id: 'x', role: 'user', text: 'injected', streaming: false });
    const b = api.getConversations();
    assert.notStrictEqual(b[0].title, 'changed by a caller');
    assert.ok(!b[0].messages.some(m => m.id === 'x'));
  });
});
