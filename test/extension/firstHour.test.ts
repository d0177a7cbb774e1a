// What a new user tripped over in the first hour, each checked where it happened: which model a new
// custom server gets, editor commands that do not drag other files' turns along, and a fix that is
// recorded in the chat with its explanation and outcome.
import * as assert from 'assert';
import * as fs from 'fs';
import * as vscode from 'vscode';
import { ALTERNATION_ERROR, FakeOpenAI, alternationProblem } from '../fixtures/fakeOpenAI';
import { lastConversation, previewOpen, setSettings, tandem, useFixture, waitFor, workspaceFile } from './helpers';
import { insertionFor } from '../../src/host/insertion';

interface Body { model: string; messages: { role: string; content: string }[] }


suite('The first hour', function () {
  this.timeout(60000);
  const fx = new FakeOpenAI({ models: ['only-model'] });
  let n = 0;

  async function file(content: string): Promise<vscode.TextEditor> {
    n += 1;
    const uri = workspaceFile(`first-${n}.ts`);
    fs.writeFileSync(uri.fsPath, content);
    const editor = await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri));
    editor.selection = new vscode.Selection(0, 0, editor.document.lineCount - 1, editor.document.lineAt(editor.document.lineCount - 1).text.length);
    return editor;
  }

  useFixture(fx);
  setup(async () => {
    fx.reset();
    fx.setModels(['only-model']);
    await setSettings({ provider: 'custom', baseUrl: fx.baseUrl, model: undefined });
  });
  suiteTeardown(() => setSettings({ provider: undefined }));

  test('a custom server with one model and none chosen: that model is used, not an OpenAI default', async () => {
    await file('const a = 1;');
    fx.script({ text: 'A constant.' });
    await vscode.commands.executeCommand('tandem.explainSelection');
    assert.strictEqual((fx.chatRequests()[0].body as Body).model, 'only-model');
  });

  test('a custom server with several models and none chosen: nothing is sent, the user is asked to pick', async () => {
    fx.setModels(['model-a', 'model-b']);
    await setSettings({ baseUrl: fx.baseUrl.replace('127.0.0.1', 'localhost') }); // another origin: listed afresh
    const api = await tandem();
    await file('const b = 2;');
    await vscode.commands.executeCommand('tandem.explainSelection');
    assert.strictEqual(fx.chatRequests().length, 0);
    const all = api.getConversations();
    const answer = all[all.length - 1].messages.at(-1);
    assert.match(answer?.error?.message ?? '', /offers 2 models and none is chosen/);
    assert.ok(answer?.error?.actions.includes('selectModel'));
  });

  test('editor commands start their own conversation: a second Explain sends no earlier turns', async () => {
    const api = await tandem();
    await setSettings({ model: 'only-model' });
    await file('const c = 3;');
    fx.script({ text: 'First.' }, { text: 'Second.' });
    const before = api.getConversations().filter(c => c.messages.length > 0).length;
    await vscode.commands.executeCommand('tandem.explainSelection');
    await file('const d = 4;');
    await vscode.commands.executeCommand('tandem.explainSelection');
    const second = fx.chatRequests()[1].body as Body;
    assert.deepStrictEqual(second.messages.map(m => m.role), ['system', 'user'], 'only the new question');
    assert.ok(!JSON.stringify(second).includes('const c = 3'), 'nothing about the other file');
    assert.strictEqual(api.getConversations().filter(c => c.messages.length > 0).length, before + 2);
  });

  test('nothing selected, no language server: the enclosing function is found from indentation and taken whole', async () => {
    await setSettings({ model: 'only-model' });
    const doc = await vscode.workspace.openTextDocument({ language: 'python', content: 'import os\n\ndef load(path):\n    if not path:\n        return None\n    return open(path).read()\n\nprint(load("x"))\n' });
    const editor = await vscode.window.showTextDocument(doc);
    editor.selection = new vscode.Selection(4, 10, 4, 10);
    fx.script({ text: 'It reads a file.' });
    await vscode.commands.executeCommand('tandem.explainSelection');
    const user = (fx.chatRequests()[0].body as Body).messages.at(-1)?.content ?? '';
    assert.match(user, /\(lines 3-6\)/, user);
    assert.match(user, /def load\(path\):\n {4}if not path:\n {8}return None\n {4}return open\(path\)\.read\(\)\n```/);
    assert.strictEqual(editor.selection.start.line, 2, 'the function is selected so the user sees what was sent');
  });

  test('Insert at Cursor in the middle of a line puts a block on the next line, at that line\'s indentation', async () => {
    const doc = await vscode.workspace.openTextDocument({ language: 'typescript', content: 'function f() {\n    const x = compute();\n}\n' });
    const block = 'if (x) {\n  log(x);\n}';
    const mid = insertionFor(doc, new vscode.Position(1, 14), block);
    assert.deepStrictEqual([mid.position.line, mid.position.character], [1, doc.lineAt(1).text.length]);
    assert.strictEqual(mid.text, '\n    if (x) {\n      log(x);\n    }');
    // At the start of a line, or a single line: exactly where the cursor is.
    const start = insertionFor(doc, new vscode.Position(1, 4), block);
    assert.deepStrictEqual([start.position.character, start.text], [4, block]);
    const one = insertionFor(doc, new vscode.Position(1, 14), 'await ');
    assert.deepStrictEqual([one.position.character, one.text], [14, 'await ']);
  });

  test('an applied fix is recorded in the chat with the model\'s explanation and the outcome', async () => {
    const api = await tandem();
    await setSettings({ model: 'only-model' });
    const editor = await file('function inc(x: number) {\n  return x - 1;\n}');
    fx.script({ text: 'The sign was wrong:\n\n```ts\nfunction inc(x: number) {\n  return x + 1;\n}\n```\n\nIt now adds one.' });
    const running = vscode.commands.executeCommand<string>('tandem.fixSelection');
    await waitFor('the diff preview', () => previewOpen(), 20000);
    await vscode.commands.executeCommand('tandem.acceptEdit');
    assert.strictEqual(await running, 'accepted');
    assert.match(editor.document.getText(), /x \+ 1/);
    const all = api.getConversations();
    const last = all[all.length - 1];
    assert.strictEqual(last.messages.length, 2);
    assert.match(last.messages[1].text, /The sign was wrong/);
    assert.match(last.messages[1].text, /It now adds one/);
    assert.ok(last.messages[1].notices?.some(x => /^Applied to first-\d+\.ts/.test(x)), JSON.stringify(last.messages[1].notices));
  });

  test('a review waits for the decision: accepting later applies, closing the diff without deciding rejects', async () => {
    await setSettings({ model: 'only-model' });
    const editor = await file('function dec(x: number) {\n  return x + 1;\n}');
    const original = editor.document.getText();
    const reply = 'The sign was wrong:\n\n```ts\nfunction dec(x: number) {\n  return x - 1;\n}\n```';
    fx.script({ text: reply }, { text: reply });
    const running = vscode.commands.executeCommand<string>('tandem.fixSelection');
    await waitFor('the diff preview', () => previewOpen(), 20000);
    await vscode.commands.executeCommand('tandem.acceptEdit');
    assert.strictEqual(await running, 'accepted');
    assert.match(editor.document.getText(), /x - 1/);

    const back = new vscode.WorkspaceEdit();
    back.replace(editor.document.uri, new vscode.Range(0, 0, editor.document.lineCount, 0), original);
    await vscode.workspace.applyEdit(back);
    const shown = await vscode.window.showTextDocument(editor.document);
    shown.selection = new vscode.Selection(0, 0, 2, 1);
    const again = vscode.commands.executeCommand<string>('tandem.fixSelection');
    await waitFor('the diff preview', () => previewOpen(), 20000);
    const diffTab = vscode.window.tabGroups.all.flatMap(g => g.tabs).find(t => t.input instanceof vscode.TabInputTextDiff && t.input.modified.scheme === 'tandem-preview');
    assert.ok(diffTab);
    await vscode.window.tabGroups.close(diffTab);
    assert.strictEqual(await again, 'rejected', 'closing the diff without deciding is a Reject');
    assert.strictEqual(editor.document.getText(), original);
    assert.match(lastConversation(await tandem()).messages.at(-1)?.notices?.join(' ') ?? '', /^Rejected/);
  });

  test('failed turns (a 401, a 500) never break alternation: the next question and a regenerate pass a Mistral-style template', async () => {
    const api = await tandem();
    const intent = api.viewIntent;
    assert.ok(intent, 'the test hook exists outside production');
    await setSettings({ model: 'only-model' });
    fx.enforceAlternation();
    await intent({ type: 'newConversation' });
    // retry-after-ms: 0 lets the automatic retries of the 500 happen at once.
    const failing500 = { status: 500, headers: { 'retry-after-ms': '0' } };
    fx.script({ text: 'First answer.' }, { status: 401 }, { text: 'Third answer.' }, failing500, failing500, failing500, { text: 'Regenerated answer.' }, { text: 'Fifth answer.' });
    const answers = () => lastConversation(api).messages.filter(m => m.role === 'assistant');

    await intent({ type: 'ask', text: 'Question one' });
    await intent({ type: 'ask', text: 'Question two' });
    assert.ok(answers().at(-1)?.error, 'the 401 failed the second turn');
    await intent({ type: 'ask', text: 'Question three' });
    assert.strictEqual(answers().at(-1)?.text, 'Third answer.');
    assert.strictEqual(answers().at(-1)?.error, undefined);

    await intent({ type: 'ask', text: 'Question four' });
    const failed = answers().at(-1);
    assert.ok(failed?.error, 'the 500s failed the fourth turn');
    await intent({ type: 'regenerate', messageId: failed.id });
    assert.strictEqual(answers().at(-1)?.text, 'Regenerated answer.');
    await intent({ type: 'ask', text: 'Question five' });
    assert.strictEqual(answers().at(-1)?.text, 'Fifth answer.');

    const requests = fx.chatRequests();
    assert.strictEqual(requests.length, 8, 'no request was sent twice and none was left out');
    for (const r of requests) {
      const messages = (r.body as Body).messages;
      assert.strictEqual(alternationProblem(messages), undefined, `request #${r.index}: ${messages.map(m => m.role).join(', ')}`);
    }
    assert.ok(!JSON.stringify(lastConversation(api).messages).includes(ALTERNATION_ERROR), 'the server never refused the roles');
    // The answered turns go along; the failed ones do not, so the last question follows its answered history.
    const last = (requests.at(-1)?.body as Body).messages;
    assert.deepStrictEqual(last.filter(m => m.role === 'user').map(m => m.content.trim()), ['Question one', 'Question three', 'Question four', 'Question five']);
  });
});
