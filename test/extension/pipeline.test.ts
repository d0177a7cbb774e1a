// The one request pipeline, held on every entry point in the real VS Code: nothing Tandem scans for
// leaves the machine (the selection, the lines around it, the imports, the question), a placeholder the
// model repeats never reaches the file, edits are fitted like the chat, and answers are capped.
import * as assert from 'assert';
import * as fs from 'fs';
import * as vscode from 'vscode';
import { FakeOpenAI } from '../fixtures/fakeOpenAI';
import { lastConversation, previewOpen, setSettings, tandem, useFixture, waitFor, workspaceFile } from './helpers';

// Built at run time so this file does not trip secret scanners.
const S = {
  openai: ['sk', 'proj', 'Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4z'].join('-'),
  github: 'ghp' + '_' + '1a2B3c4D5e6F7g8H9i0J1k2L3m4N5o6P7q8R',
  azureStorage: 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq' + '/K1SZFPTOtr/KBHBeksoGMGw==',
  vendorKey: '0123456789abcdef' + 'fedcba9876543210',
  password: 'Hunter2x9',
  basic: 'dXNlcjpwYXNzd29yZA' + '==',
  slack: 'T00000000/B00000000/' + 'XXXXXXXXXXXXXXXXXXXXXXXX',
  discord: '123456789012345678/' + 'AbCdEfGhIjKlMnOpQrStUvWxYz0123456789',
  mysql: 'S3cret' + 'Pass',
  cli: 'abc123' + 'def456ghi',
  sendgrid: ['SG', 'aB3dE6gH9jK2mN5pQ8sT1v', 'wX4zA7cF0iL3oR6uY9bE2hK5nQ8tW1zC4fI7lO0rU3x'].join('.'),
  cookie: '8f14e45fceea167a' + '5a36dedd4bea2543',
  jwt: ['eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9', 'eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4ifQ', 'SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c'].join('.'),
};

/** A Python file with a secret of every kind: in the imports, before the selection, in it, and after it. */
const SEEDED = [
  `from vault import client  # api_key="${S.vendorKey}"`,
  'import os',
  '',
  `AZURE_STORAGE = "DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=${S.azureStorage};EndpointSuffix=core.windows.net"`,
  `SLACK_HOOK = "https://hooks.slack.com/services/${S.slack}"`,
  `OPENAI_KEY = "${S.openai}"`,
  'def connect():', // line 6: the selection starts here
  `    password = "${S.password}"`,
  `    headers = {"Authorization": "Basic ${S.basic}", "Cookie": "sessionid=${S.cookie}; theme=dark"}`,
  `    os.system("mysql -u root -p${S.mysql} shop && deploy --token ${S.cli}")`,
  `    return client(OPENAI_KEY, token="${S.github}", session="${S.jwt}")`, // line 10: the selection ends here
  '',
  `DISCORD_HOOK = "https://discord.com/api/webhooks/${S.discord}"`,
  `SENDGRID = "${S.sendgrid}"`,
  '',
].join('\n');


suite('One request pipeline', function () {
  this.timeout(60000);
  const fx = new FakeOpenAI({ models: ['test-model'] });
  let n = 0;

  async function seededEditor(content = SEEDED): Promise<vscode.TextEditor> {
    n += 1;
    const file = workspaceFile(`pipeline-${n}.py`);
    fs.writeFileSync(file.fsPath, content);
    const editor = await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(file));
    // The seeded file: lines 6-10; a small one: all of it.
    const doc = editor.document;
    editor.selection = content === SEEDED
      ? new vscode.Selection(6, 0, 10, doc.lineAt(10).text.length)
      : new vscode.Selection(new vscode.Position(0, 0), doc.positionAt(doc.getText().length));
    return editor;
  }

  function leaks(): string[] {
    const sent = fx.requests.map(r => `${r.path} ${JSON.stringify(r.headers)} ${JSON.stringify(r.body)}`).join('\n');
    return Object.entries(S).filter(([, v]) => sent.includes(v)).map(([k]) => k);
  }

  useFixture(fx);
  setup(async () => {
    fx.reset();
    await setSettings({ baseUrl: fx.baseUrl, model: 'test-model', maxAnswerCharacters: undefined, maxAnswerSeconds: undefined, contextWindow: undefined });
  });

  const tasks: { command: string; args?: unknown[]; reply: string }[] = [
    { command: 'tandem.explainSelection', reply: 'It connects.' },
    { command: 'tandem.askAboutSelection', args: [`Why is ${S.openai} here, and is ${S.password} safe?`], reply: 'It is a key.' },
    { command: 'tandem.fixSelection', reply: 'No change is needed.' },
    { command: 'tandem.improveSelection', reply: 'It is fine.' },
    { command: 'tandem.addDocs', reply: 'Nothing to add.' },
    { command: 'tandem.writeTests', reply: 'No tests.' },
  ];
  for (const t of tasks) {
    test(`${t.command}: no secret of any kind reaches the server, from the selection, around it or the imports`, async () => {
      const api = await tandem();
      await seededEditor();
      fx.script({ text: t.reply });
      await vscode.commands.executeCommand(t.command, ...(t.args ?? []));
      await fx.waitForRequests(1);
      assert.deepStrictEqual(leaks(), [], 'secrets that reached the server');
      const body = JSON.stringify(fx.chatRequests()[0].body);
      assert.match(body, /\[REDACTED\]/);
      assert.match(body, /def connect\(\)/, 'the code itself is sent');
      // The user is told what was replaced, where the answer shows.
      const notices = lastConversation(api).messages.flatMap(m => m.notices ?? []).join(' ');
      assert.match(notices, /secrets? \(.*\) replaced with \[REDACTED\] before sending/, notices);
      assert.match(notices, /api-key/);
      assert.match(notices, /webhook-url|password/);
    });
  }

  test('the chat: the whole current file as context, then a follow-up that sends it again as an earlier turn: no secret leaves', async () => {
    const api = await tandem();
    assert.ok(api.viewIntent, 'the test hook exists outside production');
    const editor = await seededEditor();
    editor.selection = new vscode.Selection(0, 0, 0, 0);
    await api.viewIntent({ type: 'newConversation' });
    fx.script({ text: 'It configures clients.' }, { text: 'They post to chat services.' });
    await api.viewIntent({ type: 'ask', text: 'What does this file do?', chips: [`file:${editor.document.uri.toString()}`] });
    await api.viewIntent({ type: 'ask', text: 'And the two hooks at the end?' });
    assert.strictEqual(fx.chatRequests().length, 2);
    const second = fx.chatRequests()[1].body as { messages: { role: string; content: string }[] };
    assert.deepStrictEqual(second.messages.map(m => m.role), ['system', 'user', 'assistant', 'user'], 'the earlier turn goes along');
    assert.match(second.messages[1].content, /def connect\(\)/, 'with the file it was about');
    assert.deepStrictEqual(leaks(), [], 'secrets that reached the server');
  });

  test('Continue after a cut-off answer appends to it; Trim and Retry sends less', async () => {
    const api = await tandem();
    await seededEditor();
    fx.script({ text: 'Part one, ', finishReason: 'length' }, { text: 'part two.' });
    await vscode.commands.executeCommand('tandem.explainSelection');
    const cut = lastConversation(api).messages.at(-1);
    assert.strictEqual(cut?.error?.kind, 'cutOff');
    assert.ok(api.viewIntent && cut);
    await api.viewIntent({ type: 'errorAction', messageId: cut.id, action: 'continue' });
    const continued = lastConversation(api).messages.at(-1);
    assert.strictEqual(continued?.text, 'Part one, part two.');
    assert.strictEqual(continued?.error, undefined);
    const again = fx.chatRequests()[1].body as { messages: { role: string; content: string }[] };
    assert.deepStrictEqual(again.messages.slice(-2).map(m => m.role), ['assistant', 'user']);
    assert.strictEqual(again.messages.at(-2)?.content, 'Part one, ');

    fx.reset();
    await setSettings({ contextWindow: 1200 });
    const big = Array.from({ length: 120 }, (_, i) => `value_${i} = compute(${i})`).join('\n');
    await seededEditor(big);
    fx.script({ status: 400, errorBody: { error: { message: 'This model\'s maximum context length is 100 tokens', type: 'invalid_request_error', code: 'context_length_exceeded' } } }, { text: 'Shorter.' });
    await vscode.commands.executeCommand('tandem.explainSelection');
    const failed = lastConversation(api).messages.at(-1);
    assert.strictEqual(failed?.error?.kind, 'contextLength');
    assert.ok(failed?.error?.actions.includes('trimAndRetry'));
    await api.viewIntent({ type: 'errorAction', messageId: failed.id, action: 'trimAndRetry' });
    assert.strictEqual(lastConversation(api).messages.at(-1)?.text, 'Shorter.');
    const [first, trimmed] = fx.chatRequests().map(r => JSON.stringify(r.body).length);
    assert.ok(trimmed < first, `the retry sent less: ${trimmed} < ${first}`);
  });

  test('Test Connection and Select Model send nothing from the code, and every request is checked', async () => {
    await seededEditor();
    fx.script({ text: 'OK' });
    await vscode.commands.executeCommand('tandem.testConnection', { quiet: true });
    assert.ok(fx.requests.length >= 2, 'the model list and a chat request');
    assert.deepStrictEqual(leaks(), []);
  });

  test('Fix on code with a secret, the model repeating the placeholder: accepting keeps the real value', async () => {
    const editor = await seededEditor(['def login(db):', `    password = "${S.password}"`, '    return db.connect(password)', ''].join('\n'));
    editor.selection = new vscode.Selection(0, 0, 2, 30);
    const fixed = ['def login(db):', '    password = "[REDACTED]"', '    return db.connect(password, timeout=5)'].join('\n');
    fx.script({ text: `Add a timeout:\n\n\`\`\`python\n${fixed}\n\`\`\`\n` });
    const running = vscode.commands.executeCommand<string>('tandem.fixSelection');
    await waitFor('the diff preview', () => previewOpen(), 20000);
    await vscode.commands.executeCommand('tandem.acceptEdit');
    assert.strictEqual(await running, 'accepted');
    const text = editor.document.getText();
    assert.ok(!text.includes('[REDACTED]'), text);
    assert.strictEqual(text, ['def login(db):', `    password = "${S.password}"`, '    return db.connect(password, timeout=5)', ''].join('\n'));
    assert.ok(!JSON.stringify(fx.chatRequests()[0].body).includes(S.password), 'the secret itself never left');
  });

  test('chat code blocks: Insert at Cursor and Apply to File map a repeated placeholder back too', async () => {
    const api = await tandem();
    assert.ok(api.viewIntent);
    const original = ['def login(db):', `    password = "${S.password}"`, '    return db.connect(password)', ''].join('\n');
    const editor = await seededEditor(original);
    editor.selection = new vscode.Selection(0, 0, 2, 30);
    const block = ['def login(db):', '    password = "[REDACTED]"', '    return db.connect(password, retries=3)'].join('\n');
    fx.script({ text: `Retry:\n\n\`\`\`python\n${block}\n\`\`\`` });
    await vscode.commands.executeCommand('tandem.explainSelection');
    const answer = lastConversation(api).messages.at(-1);
    assert.ok(answer && !JSON.stringify(fx.chatRequests()[0].body).includes(S.password));

    const applying = api.viewIntent({ type: 'codeAction', action: 'apply', code: block, language: 'python', messageId: answer.id });
    await waitFor('the diff preview', () => previewOpen(), 20000);
    await vscode.commands.executeCommand('tandem.acceptEdit');
    await applying;
    assert.strictEqual(editor.document.getText(), original.replace('db.connect(password)', 'db.connect(password, retries=3)'));

    await vscode.window.showTextDocument(editor.document);
    editor.selection = new vscode.Selection(3, 0, 3, 0);
    await api.viewIntent({ type: 'codeAction', action: 'insert', code: block, language: 'python', messageId: answer.id });
    assert.ok(!editor.document.getText().includes('[REDACTED]'), editor.document.getText());
    assert.strictEqual(editor.document.getText().split(`password = "${S.password}"`).length, 3, 'the inserted copy has the real value');
  });

  test('a placeholder that cannot be mapped back for certain: nothing is changed, and the chat says why', async () => {
    const api = await tandem();
    const original = ['def login(db):', `    password = "${S.password}"`, `    token = "${S.github}"`, '    return db.connect(password, token)', ''].join('\n');
    const editor = await seededEditor(original);
    editor.selection = new vscode.Selection(0, 0, 3, 36);
    const reply = ['def login(db):', '    secret = "[REDACTED]"', '    return db.connect(secret)'].join('\n');
    fx.script({ text: `\`\`\`python\n${reply}\n\`\`\`` });
    assert.strictEqual(await vscode.commands.executeCommand<string>('tandem.fixSelection'), 'inChat');
    assert.strictEqual(editor.document.getText(), original);
    const notices = lastConversation(api).messages.at(-1)?.notices?.join(' ') ?? '';
    assert.match(notices, /\[REDACTED\].*nothing was changed/, notices);
  });

  test('an edit of code too large for the model is refused before anything is sent, with the size and the limit', async () => {
    await setSettings({ contextWindow: 1000 });
    const big = Array.from({ length: 400 }, (_, i) => `value_${i} = compute(${i}) * ${i}`).join('\n');
    const editor = await seededEditor(big);
    editor.selection = new vscode.Selection(0, 0, 399, 40);
    const outcome = await vscode.commands.executeCommand<string>('tandem.fixSelection');
    assert.strictEqual(outcome, 'failed');
    assert.strictEqual(fx.chatRequests().length, 0, 'nothing was sent');
    assert.strictEqual(editor.document.getText(), big);
  });

  test('a 50 MB answer is cut at the size cap: the connection closes, history holds the cut answer, the next question works', async () => {
    const api = await tandem();
    await seededEditor('print("hi")\n');
    const chunk = 'x'.repeat(63) + '\n';
    fx.script({ chunks: Array.from({ length: 800 }, () => chunk.repeat(1024)) }, { text: 'Still here.' });
    await vscode.commands.executeCommand('tandem.explainSelection');
    const answer = lastConversation(api).messages.at(-1);
    assert.strictEqual(answer?.error?.kind, 'cutOff', JSON.stringify(answer?.error));
    assert.strictEqual(answer?.text.length, 1_000_000);
    assert.ok(answer?.error?.actions.includes('continue'));
    const [r] = fx.chatRequests();
    await fx.waitForClose(r, 10000);
    assert.ok(!r.completed, 'the server was not read to the end');
    await api.flushHistory();
    await vscode.commands.executeCommand('tandem.explainSelection');
    assert.strictEqual(lastConversation(api).messages.at(-1)?.text, 'Still here.', 'the next question is answered');
  });

  test('an editor task\'s answer is capped too: cut, never applied, kept in the chat', async () => {
    const api = await tandem();
    await setSettings({ maxAnswerCharacters: 1000 });
    const editor = await seededEditor('x = 1\n');
    fx.script({ chunks: Array.from({ length: 50 }, () => 'y'.repeat(100)) });
    assert.strictEqual(await vscode.commands.executeCommand<string>('tandem.fixSelection'), 'inChat');
    assert.strictEqual(editor.document.getText(), 'x = 1\n');
    const answer = lastConversation(api).messages.at(-1);
    assert.strictEqual(answer?.text.length, 1000);
    assert.ok(answer?.notices?.some(n => /maxAnswerCharacters/.test(n)), JSON.stringify(answer?.notices));
  });

  test('a never-ending stream is cut at the time cap and the connection closed', async () => {
    const api = await tandem();
    await setSettings({ maxAnswerSeconds: 10 });
    await seededEditor('print("hi")\n');
    fx.script({ chunks: ['Looping: '], endless: { piece: 'again and ', maxMs: 60000 }, delayMs: 20 });
    const started = Date.now();
    await vscode.commands.executeCommand('tandem.explainSelection');
    const answer = lastConversation(api).messages.at(-1);
    assert.strictEqual(answer?.error?.kind, 'cutOff', JSON.stringify(answer?.error));
    assert.match(answer?.error?.message ?? '', /maxAnswerSeconds/);
    assert.ok(answer?.text.startsWith('Looping: again and '));
    assert.ok(Date.now() - started < 40000, 'ended by the cap');
    await fx.waitForClose(fx.chatRequests()[0], 10000);
  });

  test('a legacy llama.cpp error line is shown with the server\'s words', async () => {
    const api = await tandem();
    await seededEditor('print("hi")\n');
    fx.script({ rawEvents: [], rawLines: ['error: {"code":400,"message":"the request exceeds the available context size, try increasing it"}', ''] });
    await vscode.commands.executeCommand('tandem.explainSelection');
    const answer = lastConversation(api).messages.at(-1);
    assert.match(answer?.error?.message ?? '', /exceeds the available context size/, JSON.stringify(lastConversation(api).messages.map(m => [m.role, m.text.slice(0, 60), m.error])));
  });

  test('settings that cannot be used name the setting, and nothing is sent', async () => {
    const api = await tandem();
    await seededEditor('print("hi")\n');
    await setSettings({ maxTokens: -5 });
    try {
      await vscode.commands.executeCommand('tandem.explainSelection');
      const answer = lastConversation(api).messages.at(-1);
      assert.match(answer?.error?.message ?? '', /"tandem\.maxTokens" is -5/, JSON.stringify(api.getConversations().map(c => c.messages.map(m => [m.role, m.text.slice(0, 60), m.error]))));
      assert.strictEqual(fx.chatRequests().length, 0);
    } finally {
      await setSettings({ maxTokens: undefined });
    }
  });
});
