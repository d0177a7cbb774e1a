// Code from a reply into the file: Fix Selection with the diff accepted and rejected, one Undo restoring
// the file, typing during a pending fix, the lightbulb's "Fix with Tandem" on a real diagnostic, a reply
// that cannot be applied going to the chat, and Write Tests.
import * as assert from 'assert';
import * as fs from 'fs';
import * as vscode from 'vscode';
import { FakeOpenAI } from '../fixtures/fakeOpenAI';
import { FIX_REPLY, FIXED_AVERAGE } from '../fixtures/averageFix';
import { lastConversation, previewOpen, setSettings, sleep, tandem, useFixture, waitFor, workspaceFile } from './helpers';

const BUGGY = [
  '// Sums values.',
  'export function average(values: number[]): number {',
  '  let sum = 0;',
  '  for (let i = 0; i <= values.length; i++) {',
  '    sum += values[i];',
  '  }',
  '  return sum / values.length;',
  '}',
  '',
].join('\n');

suite('Edits from replies', function () {
  this.timeout(90000); // the first test of a run also waits for a busy extension host to settle
  const fx = new FakeOpenAI();
  let n = 0;

  async function freshFile(content: string, ext = 'ts'): Promise<vscode.TextEditor> {
    n += 1;
    const file = workspaceFile(`edit-${n}.${ext}`);
    fs.writeFileSync(file.fsPath, content);
    const doc = await vscode.workspace.openTextDocument(file);
    return vscode.window.showTextDocument(doc);
  }

  useFixture(fx);
  setup(async () => {
    fx.reset();
    await setSettings({ baseUrl: fx.baseUrl, model: 'test-model' });
  });

  test('Fix Selection, preview accepted: the file becomes the fix, and one Undo restores it', async () => {
    const editor = await freshFile(BUGGY);
    editor.selection = new vscode.Selection(1, 0, 7, 1);
    fx.script({ text: FIX_REPLY });
    const running = vscode.commands.executeCommand<string>('tandem.fixSelection');
    await waitFor('the diff preview', () => previewOpen(), 45000);
    await vscode.commands.executeCommand('tandem.acceptEdit');
    assert.strictEqual(await running, 'accepted');
    const doc = editor.document;
    assert.strictEqual(doc.getText(), BUGGY.replace(BUGGY.split('\n').slice(1, 8).join('\n'), FIXED_AVERAGE));
    assert.ok(!previewOpen(), 'the preview is closed');
    await vscode.window.showTextDocument(doc);
    await vscode.commands.executeCommand('undo');
    assert.strictEqual(doc.getText(), BUGGY, 'one undo restores the file');
    const body = fx.chatRequests()[0].body as { messages: { role: string; content: string }[] };
    assert.match(body.messages[0].content, /SEARCH\/REPLACE/, 'the edit format is asked for');
  });

  test('Fix Selection, preview rejected: nothing changes', async () => {
    const editor = await freshFile(BUGGY);
    editor.selection = new vscode.Selection(1, 0, 7, 1);
    fx.script({ text: FIX_REPLY });
    const running = vscode.commands.executeCommand<string>('tandem.fixSelection');
    await waitFor('the diff preview', () => previewOpen(), 45000);
    await vscode.commands.executeCommand('tandem.rejectEdit');
    assert.strictEqual(await running, 'rejected');
    assert.strictEqual(editor.document.getText(), BUGGY);
    assert.strictEqual(editor.document.isDirty, false);
  });

  test('typing while the fix is pending: the fix lands on the same code and the typing is kept', async () => {
    const editor = await freshFile(BUGGY);
    editor.selection = new vscode.Selection(1, 0, 7, 1);
    fx.script({ text: FIX_REPLY, firstChunkDelayMs: 1200 });
    const running = vscode.commands.executeCommand<string>('tandem.fixSelection');
    await fx.waitForRequests(1);
    await editor.edit(b => b.insert(new vscode.Position(0, 0), '// typed meanwhile\n'));
    await waitFor('the diff preview', () => previewOpen(), 45000);
    await vscode.commands.executeCommand('tandem.acceptEdit');
    assert.strictEqual(await running, 'accepted');
    assert.strictEqual(editor.document.getText(), `// typed meanwhile\n${BUGGY.replace(BUGGY.split('\n').slice(1, 8).join('\n'), FIXED_AVERAGE)}`);
  });

  test('a reply with no code is not applied: the answer goes to the chat with the reason', async () => {
    const api = await tandem();
    const editor = await freshFile(BUGGY);
    editor.selection = new vscode.Selection(1, 0, 7, 1);
    fx.script({ text: 'I think the code is fine as it is.' });
    assert.strictEqual(await vscode.commands.executeCommand<string>('tandem.fixSelection'), 'inChat');
    assert.strictEqual(editor.document.getText(), BUGGY);
    const answer = lastConversation(api).messages.at(-1);
    assert.strictEqual(answer?.text, 'I think the code is fine as it is.');
    assert.ok(answer?.notices?.some(x => /Not applied/.test(x)), JSON.stringify(answer?.notices));
  });

  test('the lightbulb offers "Fix with Tandem" on a real JSON syntax error; running it fixes the file, Undo restores it', async () => {
    const file = workspaceFile('broken.json');
    const original = fs.readFileSync(file.fsPath, 'utf8');
    const doc = await vscode.workspace.openTextDocument(file);
    await vscode.window.showTextDocument(doc);
    const diag = await waitFor('a diagnostic from the JSON language service', () => vscode.languages.getDiagnostics(file)[0], 20000);
    const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', file, diag.range);
    const fix = actions.find(a => a.title.startsWith('Fix with Tandem'));
    assert.ok(fix?.command, `offered: ${JSON.stringify(actions.map(a => a.title))}`);
    const fixed = '{\n  "name": "sample",\n  "retries": 3\n}\n';
    fx.script({ text: `The trailing comma is not allowed in JSON:\n\n\`\`\`json\n${fixed}\`\`\`` });
    const running = vscode.commands.executeCommand<string>(fix.command.command, ...(fix.command.arguments ?? []));
    await waitFor('the diff preview', () => previewOpen(), 45000);
    await vscode.commands.executeCommand('tandem.acceptEdit');
    assert.strictEqual(await running, 'accepted');
    assert.strictEqual(doc.getText(), fixed);
    const sent = (fx.chatRequests()[0].body as { messages: { content: string }[] }).messages[1].content;
    assert.match(sent, /Problems VS Code reports/, 'the diagnostic was sent');
    await vscode.window.showTextDocument(doc);
    await vscode.commands.executeCommand('undo');
    assert.strictEqual(doc.getText(), original);
    await vscode.commands.executeCommand('workbench.action.files.revert');
  });

  test('selections get "Explain with Tandem" and "Improve with Tandem"; no network while offering them', async () => {
    const editor = await freshFile(BUGGY);
    const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', editor.document.uri, new vscode.Range(1, 0, 7, 1));
    const titles = actions.map(a => a.title);
    assert.ok(titles.includes('Explain with Tandem') && titles.includes('Improve with Tandem'), JSON.stringify(titles));
    // Explaining is not a rewrite: it is not listed under the lightbulb's "Rewrite" group.
    assert.ok(!actions.find(a => a.title === 'Explain with Tandem')?.kind?.value.startsWith('refactor'));
    assert.strictEqual(actions.find(a => a.title === 'Improve with Tandem')?.kind?.value, 'refactor.rewrite');
    await sleep(100);
    assert.strictEqual(fx.requests.length, 0);
  });

  test('Write Tests opens the tests in a new editor beside', async () => {
    const editor = await freshFile(BUGGY);
    editor.selection = new vscode.Selection(1, 0, 7, 1);
    const tests = "import { average } from './edit';\n\ntest('average', () => {\n  expect(average([1, 2, 3])).toBe(2);\n});";
    fx.script({ text: `\`\`\`typescript\n${tests}\n\`\`\`` });
    assert.strictEqual(await vscode.commands.executeCommand<string>('tandem.writeTests'), 'opened');
    const active = vscode.window.activeTextEditor;
    assert.strictEqual(active?.document.getText(), tests);
    assert.strictEqual(active?.document.languageId, 'typescript');
    assert.notStrictEqual(active?.viewColumn, editor.viewColumn);
  });
});
