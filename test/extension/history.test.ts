// Conversations as the user keeps them: export to Markdown, and the history on disk without secrets.
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as vscode from 'vscode';
import { FakeOpenAI } from '../fixtures/fakeOpenAI';
import { lastConversation, newConversation, openWithSelection, setSettings, tandem, useFixture } from './helpers';

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
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'tandem-export-')), 'out.md');
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
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'tandem-export-')), 'k.md');
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
