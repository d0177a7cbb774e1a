// What the chat view's buttons do on the host side, driven through the test-only `viewIntent` hook (the
// same handler the webview's messages reach): code-block actions (New File, Copy, Insert, Replace
// Selection and Apply after the source editor was closed), link confirmation, and rename, delete and
// clear-all reaching the history on disk. And the lightbulb's Explain and Improve really running.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import { FakeOpenAI } from '../fixtures/fakeOpenAI';
import { HistoryStore } from '../../src/host/historyStore';
import type { TandemApi } from '../../src/extension';
import { lastConversation, lastMessage, newConversation, previewOpen, tandemLogFile, setSettings, tandem, useFixture, waitFor, workspaceFile } from './helpers';

const ORIGINAL = 'def total(items):\n    return sum(items)\n\n\ndef other():\n    return 1\n';
const SELECTED = 'def total(items):\n    return sum(items)';
const BLOCK = 'def total(items):\n    return sum(i for i in items if i)';

/** The conversations on disk, as a new window would read them. */
async function onDisk(): Promise<{ id: string; title: string }[]> {
  const dir = path.join(process.env.EXT_TEST_USER_DATA ?? '', 'User', 'globalStorage', 'tandem.tandem', 'conversations');
  assert.ok(fs.existsSync(dir), `no history folder at ${dir}`);
  const store = new HistoryStore(dir, () => undefined);
  try {
    return (await store.list()).map(e => ({ id: e.id, title: e.title }));
  } finally {
    await store.dispose();
  }
}

suite('Chat view actions on the host', function () {
  this.timeout(60000);
  const fx = new FakeOpenAI({ models: ['test-model'] });
  let n = 0;
  useFixture(fx);
  setup(async () => {
    fx.reset();
    await setSettings({ provider: 'custom', baseUrl: fx.baseUrl, model: 'test-model' });
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });
  suiteTeardown(() => setSettings({ provider: undefined }));

  /** A fresh Python file with the function selected, explained with an answer holding BLOCK. */
  async function answered(api: TandemApi): Promise<{ file: vscode.Uri; messageId: string }> {
    n += 1;
    const file = workspaceFile(`actions-${n}.py`);
    fs.writeFileSync(file.fsPath, ORIGINAL);
    const editor = await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(file));
    editor.selection = new vscode.Selection(0, 0, 1, 21);
    await newConversation();
    fx.script({ text: `Skip empty items:\n\n\`\`\`python\n${BLOCK}\n\`\`\`\n` });
    await vscode.commands.executeCommand('tandem.explainSelection');
    const m = await waitFor('the answer', () => !lastMessage(api)?.streaming && lastMessage(api)?.text.includes('```') && lastMessage(api));
    return { file, messageId: m.id };
  }

  const act = (api: TandemApi, action: string, messageId: string, code = BLOCK) =>
    api.viewIntent?.({ type: 'codeAction', action, code, language: 'python', messageId });

  async function closeEditorsOf(file: vscode.Uri): Promise<void> {
    const tabs = vscode.window.tabGroups.all.flatMap(g => g.tabs).filter(t => t.input instanceof vscode.TabInputText && t.input.uri.toString() === file.toString());
    await vscode.window.tabGroups.close(tabs);
    assert.ok(!vscode.window.visibleTextEditors.some(e => e.document.uri.toString() === file.toString()), 'the source editor is closed');
  }

  test('New File opens a new document with the block, in the block\'s language', async () => {
    const api = await tandem();
    const { messageId } = await answered(api);
    await act(api, 'newFile', messageId);
    const doc = vscode.window.activeTextEditor?.document;
    assert.ok(doc?.isUntitled, doc?.uri.toString());
    assert.strictEqual(doc.languageId, 'python');
    assert.strictEqual(doc.getText(), BLOCK);
  });

  test('Copy puts the block on the clipboard', async () => {
    const api = await tandem();
    const { messageId } = await answered(api);
    await vscode.env.clipboard.writeText('before');
    await act(api, 'copy', messageId);
    assert.strictEqual(await vscode.env.clipboard.readText(), BLOCK);
  });

  test('Replace Selection after the source editor was closed: the file reopens and the code asked about is replaced', async () => {
    const api = await tandem();
    const { file, messageId } = await answered(api);
    await closeEditorsOf(file);
    await act(api, 'replaceSelection', messageId);
    const editor = vscode.window.activeTextEditor;
    assert.strictEqual(editor?.document.uri.toString(), file.toString(), 'the source file is open again');
    assert.strictEqual(editor.document.getText(), ORIGINAL.replace(SELECTED, BLOCK));
  });

  test('Insert after the source editor was closed: the file reopens and the block goes after the code asked about', async () => {
    const api = await tandem();
    const { file, messageId } = await answered(api);
    await closeEditorsOf(file);
    await act(api, 'insert', messageId);
    const editor = vscode.window.activeTextEditor;
    assert.strictEqual(editor?.document.uri.toString(), file.toString(), 'the source file is open again');
    const text = editor.document.getText();
    assert.ok(text.startsWith(SELECTED), text);
    // Insert at Cursor's placement: on the line after the cursor, at that line's indentation.
    const at = text.indexOf('return sum(i for i in items if i)');
    assert.ok(at > SELECTED.length && at < text.indexOf('def other'), text);
  });

  test('Apply after the source editor was closed: the file reopens with a diff of the change to the code asked about', async () => {
    const api = await tandem();
    const { file, messageId } = await answered(api);
    await closeEditorsOf(file);
    const applying = act(api, 'apply', messageId);
    await waitFor('the diff review', () => previewOpen());
    await vscode.commands.executeCommand('tandem.acceptEdit');
    await applying;
    const doc = vscode.workspace.textDocuments.find(d => d.uri.toString() === file.toString());
    assert.strictEqual(doc?.getText(), ORIGINAL.replace(SELECTED, BLOCK));
  });

  test('Insert when the source file is gone: no other file gets the code', async () => {
    const api = await tandem();
    const { file, messageId } = await answered(api);
    await closeEditorsOf(file);
    fs.rmSync(file.fsPath);
    const bystander = await vscode.window.showTextDocument(await vscode.workspace.openTextDocument({ language: 'python', content: 'x = 1\n' }));
    await act(api, 'insert', messageId);
    assert.strictEqual(bystander.document.getText(), 'x = 1\n', 'the code went into another file');
    assert.ok(!vscode.workspace.textDocuments.some(d => d.uri.toString() === file.toString() && d.getText().includes(BLOCK)));
  });

  test('the lightbulb\'s Explain and Improve run: the request carries the code, the answer lands', async () => {
    const api = await tandem();
    n += 1;
    const file = workspaceFile(`bulb-${n}.py`);
    fs.writeFileSync(file.fsPath, ORIGINAL);
    const editor = await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(file));
    editor.selection = new vscode.Selection(0, 0, 1, 21);
    const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', file, editor.selection);
    const find = (title: string) => {
      const a = actions.find(x => x.title === title);
      assert.ok(a?.command, `${title} in ${JSON.stringify(actions.map(x => x.title))}`);
      return a.command;
    };
    const explain = find('Explain with Tandem');
    fx.script({ text: 'It adds the items up.' });
    await vscode.commands.executeCommand(explain.command, ...(explain.arguments ?? []));
    await waitFor('the explanation', () => lastMessage(api)?.text === 'It adds the items up.' && !lastMessage(api)?.streaming);
    const asked = JSON.stringify(fx.chatRequests()[0].body);
    assert.ok(asked.includes('return sum(items)'), asked);

    const improve = find('Improve with Tandem');
    fx.script({ text: `\`\`\`python\n${BLOCK}\n\`\`\`\n` });
    const improving = vscode.commands.executeCommand(improve.command, ...(improve.arguments ?? []));
    await waitFor('the diff review', () => previewOpen());
    await vscode.commands.executeCommand('tandem.acceptEdit');
    assert.strictEqual(await improving, 'accepted');
    assert.strictEqual(editor.document.getText(), ORIGINAL.replace(SELECTED, BLOCK));
    assert.ok(JSON.stringify(fx.chatRequests()[1].body).includes('return sum(items)'));
  });

  test('a link from an answer is not opened without the confirmation, which shows the full URL; other schemes are refused unasked', async () => {
    // VS Code refuses modal dialogs while extension tests run (its DialogService throws, saying what it
    // would have shown), so the test sees what the host asked and that nothing opened without a yes.
    const api = await tandem();
    const href = `${fx.baseUrl.replace(/\/v1$/, '')}/link-${Date.now()}?q=1`;
    await api.viewIntent?.({ type: 'openLink', href });
    const log = await waitFor('the confirmation in the log', () => {
      const text = fs.readFileSync(tandemLogFile(), 'utf8');
      return text.includes(href) ? text : undefined;
    }, 15000);
    assert.match(log, /Open this link from the answer\?/);
    await api.viewIntent?.({ type: 'openLink', href: 'command:workbench.action.quit' });
    await waitFor('the refusal of a command: link', () => fs.readFileSync(tandemLogFile(), 'utf8').includes('refused to open a command: link'), 15000);
    assert.ok(!fx.requests.some(r => href.endsWith(r.path)), 'the link was opened without a confirmation');
  });

  test('rename, delete and clear-all are saved to the history on disk', async () => {
    const api = await tandem();
    await answered(api);
    const a = lastConversation(api).id;
    await answered(api);
    const b = lastConversation(api).id;
    await api.viewIntent?.({ type: 'renameConversation', id: a, title: 'Renamed by the test' });
    await api.flushHistory();
    assert.strictEqual((await onDisk()).find(e => e.id === a)?.title, 'Renamed by the test');

    await api.viewIntent?.({ type: 'deleteConversation', id: b });
    assert.ok(!api.getConversations().some(c => c.id === b), 'gone from the list at once');
    // The log stays for the Undo window, then goes.
    const gone = await (async () => {
      for (const end = Date.now() + 20000; Date.now() < end; await new Promise(r => setTimeout(r, 200))) {
        await api.flushHistory();
        if (!(await onDisk()).some(e => e.id === b)) return true;
      }
      return false;
    })();
    assert.ok(gone, 'the deleted conversation is still on disk');
    assert.ok((await onDisk()).some(e => e.id === a), 'the other one stays');

    await api.viewIntent?.({ type: 'clearConversations' });
    await api.flushHistory();
    assert.deepStrictEqual(await onDisk(), []);
  });
});
