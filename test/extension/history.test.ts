// Conversations as the user keeps them: export to Markdown, and the history on disk without secrets.
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as vscode from 'vscode';
import { FakeOpenAI } from '../fixtures/fakeOpenAI';
import { lastConversation, newConversation, openWithSelection, setSettings, tandem, useFixture, workspaceFile } from './helpers';

suite('Conversations: export and storage', function () {
  this.timeout(30000);
  const fx = new FakeOpenAI();

  useFixture(fx);

  test('Export writes the conversation as Markdown to the given path', async () => {
    const api = await tandem();
    await setSettings({ baseUrl: fx.baseUrl, model: 'test-model' });
    await newConversation();
    fx.script({ text: 'It greets **by name**.' });
    await openWithSelection('sample.ts', [9, 0], [11, 1]);
    await vscode.commands.executeCommand('tandem.explainSelection');
    const c = lastConversation(api);
    const file = workspaceFile(`export-${Date.now()}.md`).fsPath;
    const written = await vscode.commands.executeCommand<string>('tandem.exportConversation', { id: c.id, path: file });
    assert.strictEqual(written, file);
    const md = fs.readFileSync(file, 'utf8');
    const expected = [
      `# ${c.title}`,
      '',
      /^_Tandem conversation, started \d{4}-\d\d-\d\d \d\d:\d\d UTC\._$/,
      '',
      '## You',
      '',
      'Explain what this code does, step by step, and point out anything surprising or risky.',
      '',
      '`sample.ts`, lines 10-12 (typescript):',
      '',
      '```typescript',
      'export function greet(name: string): string {',
      '  return `Hello, ${name}!`;',
      '}',
      '```',
      '',
      '## Tandem',
      '',
      'It greets **by name**.',
    ];
    const lines = md.trimEnd().split('\n');
    assert.strictEqual(lines.length, expected.length, md);
    expected.forEach((e, i) => (typeof e === 'string' ? assert.strictEqual(lines[i], e) : assert.match(lines[i], e)));
  });

  test('Export refuses a path outside the workspace, an existing file and a file that is not Markdown', async () => {
    const api = await tandem();
    await setSettings({ baseUrl: fx.baseUrl, model: 'test-model' });
    await newConversation();
    fx.script({ text: 'Exported?' });
    await openWithSelection('sample.ts', [9, 0], [11, 1]);
    await vscode.commands.executeCommand('tandem.explainSelection');
    const id = lastConversation(api).id;
    const outside = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'tandem-export-')), 'out.md');
    const existing = workspaceFile('sample.ts').fsPath;
    const before = fs.readFileSync(existing, 'utf8');
    const notMarkdown = workspaceFile('new-file.ts').fsPath;
    for (const target of [outside, existing, notMarkdown, workspaceFile('../escape.md').fsPath]) {
      assert.strictEqual(await vscode.commands.executeCommand('tandem.exportConversation', { id, path: target }), undefined, target);
    }
    assert.ok(!fs.existsSync(outside));
    assert.ok(!fs.existsSync(notMarkdown));
    assert.strictEqual(fs.readFileSync(existing, 'utf8'), before, 'the workspace file is untouched');
  });

  test('the range commands read only open documents and workspace files', async () => {
    await setSettings({ baseUrl: fx.baseUrl, model: 'test-model' });
    const secret = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'tandem-outside-')), 'secret.txt');
    fs.writeFileSync(secret, 'password = "outside-the-workspace"\n');
    fx.reset();
    for (const cmd of ['tandem.explainRange', 'tandem.improveRange', 'tandem.fixDiagnostic']) {
      assert.strictEqual(await vscode.commands.executeCommand(cmd, vscode.Uri.file(secret).toString(), 0, 0, 0, 10), 'failed', cmd);
      assert.strictEqual(await vscode.commands.executeCommand(cmd, `${workspaceFile('sample.ts').toString()}/../../../../../../../..${secret}`, 0, 0, 0, 10), 'failed', `${cmd} with ..`);
    }
    assert.strictEqual(fx.chatRequests().length, 0, 'nothing was sent');
    assert.ok(!vscode.workspace.textDocuments.some(d => d.uri.fsPath === secret), 'the file was not even opened');
    // A workspace file works.
    fx.script({ text: 'Explained.' });
    assert.strictEqual(await vscode.commands.executeCommand('tandem.explainRange', workspaceFile('sample.ts').toString(), 1, 0, 7, 1), 'inChat');
    assert.strictEqual(fx.chatRequests().length, 1);
  });

  test('the stored history and the export never contain the API key', async () => {
    const api = await tandem();
    await setSettings({ baseUrl: fx.baseUrl, model: 'test-model' });
    await newConversation();
    // A server echoing a key-shaped string in an error: it is redacted before it is shown or stored.
    fx.script({ status: 401, errorBody: { error: { message: 'Incorrect API key provided: sk-proj-SECRETsecret0123456789abcd', code: 'invalid_api_key' } } });
    await openWithSelection('sample.ts', [1, 0], [7, 1]);
    await vscode.commands.executeCommand('tandem.explainSelection');
    await api.flushHistory();
    const c = lastConversation(api);
    assert.ok(!JSON.stringify(c).includes('SECRETsecret'));
    const file = workspaceFile(`export-key-${Date.now()}.md`).fsPath;
    await vscode.commands.executeCommand('tandem.exportConversation', { id: c.id, path: file });
    assert.ok(!fs.readFileSync(file, 'utf8').includes('SECRETsecret'));
    const storage = path.join(process.env.EXT_TEST_USER_DATA ?? '', 'User', 'globalStorage', 'tandem.tandem');
    const files: string[] = [];
    const walk = (dir: string) => {
      for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
        if (e.isDirectory()) walk(path.join(dir, e.name));
        else files.push(path.join(dir, e.name));
      }
    };
    walk(storage);
    assert.ok(files.some(f => f.endsWith('.jsonl')), `history files under ${storage}: ${JSON.stringify(files)}`);
    for (const f of files) assert.ok(!fs.readFileSync(f, 'utf8').includes('SECRETsecret'), f);
  });
});
