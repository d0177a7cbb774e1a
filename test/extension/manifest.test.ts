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

suite('Keybindings', () => {
  const norm = (k: string) => k.split(' ').map(part => part.split('+').sort().join('+')).join(' ');

  test('no Tandem keybinding collides with a VS Code default, and none uses keys a browser keeps', async () => {
    await tandem();
    await vscode.commands.executeCommand('workbench.action.openDefaultKeybindingsFile');
    const doc = await waitFor('the default keybindings document', () => {
      const d = vscode.window.activeTextEditor?.document;
      return d && /"key":/.test(d.getText()) ? d : undefined;
    });
    const pairs = [...doc.getText().matchAll(/"key":\s*"([^"]+)",\s*"command":\s*"([^"]+)"/g)].map(m => ({ key: norm(m[1]), command: m[2] }));
    assert.ok(pairs.length > 200, `parsed ${pairs.length} default keybindings`);
    const ext = vscode.extensions.getExtension('tandem.tandem');
    const ours = (ext?.packageJSON as { contributes: { keybindings: { key: string; command: string }[] } }).contributes.keybindings;
    assert.ok(ours.length >= 3);
    for (const kb of ours) {
      const clash = pairs.filter(p => p.key === norm(kb.key) && !p.command.startsWith('tandem.') && !p.command.startsWith('-'));
      assert.deepStrictEqual(clash, [], `${kb.key} (${kb.command}) collides`);
      assert.ok(!/^(ctrl|cmd)\+[wtnl]$/.test(kb.key), `${kb.key} belongs to the browser or is Ctrl+L`);
    }
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
  });
});
