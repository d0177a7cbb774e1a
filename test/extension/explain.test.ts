// Explain Selection end to end in a real VS Code: the request the server receives, the streamed
// snapshots, Stop, and the missing-key path. Driven only through commands, settings, documents and
// the public API, against the loopback fixture server.
import * as assert from 'assert';
import * as vscode from 'vscode';
import { FakeOpenAI, type RecordedRequest } from '../fixtures/fakeOpenAI';
import { lastMessage, newConversation, openWithSelection, setSettings, sleep, tandem, useFixture, waitFor } from './helpers';

interface Body {
  model: string;
  stream: boolean;
  messages: { role: string; content: string }[];
  temperature?: number;
  max_tokens?: number;
  max_completion_tokens?: number;
  stream_options?: { include_usage?: boolean };
}

suite('Explain Selection against the fixture server', () => {
  const fx = new FakeOpenAI({ models: ['test-model'] });

  useFixture(fx);
  setup(async () => {
    fx.reset();
    await setSettings({ baseUrl: fx.baseUrl, model: 'test-model', systemPrompt: undefined, temperature: undefined, maxTokens: undefined });
    await newConversation();
  });

  test('sends the selection with file name, language and the system prompt, and streams the exact answer', async () => {
    const api = await tandem();
    await setSettings({ systemPrompt: 'SYSTEM-PROMPT-MARKER: answer briefly.' });
    const answer = 'The loop reads **one past the end**:\n\n```ts\nfor (let i = 0; i < values.length; i++) {}\n```\n';
    fx.script({ text: answer, chunkSize: 7 });
    await openWithSelection('sample.ts', [1, 0], [7, 1]);
    await vscode.commands.executeCommand('tandem.explainSelection');

    const [req] = fx.chatRequests();
    assert.strictEqual(fx.chatRequests().length, 1);
    const body = req.body as Body;
    assert.strictEqual(body.model, 'test-model');
    assert.strictEqual(body.stream, true);
    assert.deepStrictEqual(body.stream_options, { include_usage: true });
    assert.strictEqual(body.temperature, undefined, 'temperature is not sent when unset');
    assert.strictEqual(body.max_tokens, undefined, 'max_tokens is not sent when unset');
    assert.strictEqual(body.messages[0].role, 'system');
    assert.strictEqual(body.messages[0].content, 'SYSTEM-PROMPT-MARKER: answer briefly.');
    const user = body.messages[1];
    assert.strictEqual(user.role, 'user');
    assert.match(user.content, /sample\.ts/);
    assert.match(user.content, /lines 2-8/);
    assert.match(user.content, /language: typescript/);
    assert.match(user.content, /```typescript\nexport function average\(values: number\[\]\): number \{\n[\s\S]*return sum \/ values\.length;\n\}\n```/);

    const m = lastMessage(api);
    assert.ok(m);
    assert.strictEqual(m.role, 'assistant');
    assert.strictEqual(m.text, answer);
    assert.strictEqual(m.streaming, false);
    assert.strictEqual(m.error, undefined);
    const q = api.getConversations().at(-1)?.messages.at(-2);
    assert.strictEqual(q?.context?.file, 'sample.ts');
    assert.strictEqual(q?.context?.language, 'typescript');
  });

  test('with no selection, explains the enclosing function (and shows which range it took)', async () => {
    const api = await tandem();
    fx.script({ text: 'It greets.' });
    const editor = await openWithSelection('sample.ts', [10, 4], [10, 4]);
    await vscode.commands.executeCommand('tandem.explainSelection');
    const body = fx.chatRequests()[0].body as Body;
    assert.match(body.messages[1].content, /lines 10-12\b/);
    assert.match(body.messages[1].content, /```typescript\nexport function greet\(name: string\): string \{\n {2}return `Hello, \$\{name\}!`;\n\}\n```/);
    assert.deepStrictEqual([editor.selection.start.line, editor.selection.end.line], [9, 11], 'the range taken is selected');
    assert.strictEqual(lastMessage(api)?.text, 'It greets.');
  });

  test('with no selection and no symbols, explains the current line', async () => {
    fx.script({ text: 'A note.' });
    const doc = await vscode.workspace.openTextDocument({ language: 'plaintext', content: 'first line\nsecond line\nthird line' });
    const editor = await vscode.window.showTextDocument(doc);
    editor.selection = new vscode.Selection(1, 3, 1, 3);
    await vscode.commands.executeCommand('tandem.explainSelection');
    const body = fx.chatRequests()[0].body as Body;
    assert.match(body.messages[1].content, /\(line 2\)/);
    assert.match(body.messages[1].content, /```plaintext\nsecond line\n```/);
  });

  test('the context sent has the surrounding lines, the imports and the problems in the range', async () => {
    fx.script({ text: 'ok' });
    const doc = await vscode.workspace.openTextDocument({ language: 'python', content: 'import os\nfrom sys import argv\n\ndef a():\n    return 1\n\ndef b():\n    return os.getcwd()\n' });
    const editor = await vscode.window.showTextDocument(doc);
    editor.selection = new vscode.Selection(6, 0, 7, 22);
    await vscode.commands.executeCommand('tandem.explainSelection');
    const user = (fx.chatRequests()[0].body as Body).messages[1].content;
    assert.match(user, /The file imports:\n```python\nimport os\nfrom sys import argv\n```/);
    assert.match(user, /Just before the selected code:\n```python\ndef a\(\):\n {4}return 1\n\n```/);
    assert.match(user, /The selected code:\n```python\ndef b\(\):\n {4}return os\.getcwd\(\)\n```/);
  });

  test('shows at least three growing partial answers while the server pauses between chunks', async () => {
    const api = await tandem();
    const chunks = ['Alpha ', 'beta ', 'gamma ', 'delta ', 'epsilon.'];
    fx.script({ chunks, delayMs: 120 });
    const partials: string[] = [];
    const sub = api.onDidChangeConversations(() => {
      const m = lastMessage(api);
      if (m?.role === 'assistant' && m.streaming && m.text && partials.at(-1) !== m.text) partials.push(m.text);
    });
    try {
      await openWithSelection('sample.ts', [9, 0], [11, 1]);
      await vscode.commands.executeCommand('tandem.explainSelection');
    } finally {
      sub.dispose();
    }
    assert.ok(partials.length >= 3, `partials seen: ${JSON.stringify(partials)}`);
    for (let i = 1; i < partials.length; i++) {
      assert.ok(partials[i].startsWith(partials[i - 1]) && partials[i].length > partials[i - 1].length, `not growing: ${JSON.stringify(partials)}`);
    }
    assert.strictEqual(lastMessage(api)?.text, chunks.join(''));
  });

  test('Stop closes the connection before the last chunk and keeps the partial text', async () => {
    const api = await tandem();
    const chunks = Array.from({ length: 20 }, (_, i) => `part${i} `);
    fx.script({ chunks, delayMs: 150 });
    await openWithSelection('sample.ts', [1, 0], [7, 1]);
    const running = vscode.commands.executeCommand('tandem.explainSelection');
    const [req] = await fx.waitForRequests(1);
    await waitFor('two chunks', () => (lastMessage(api)?.text.length ?? 0) >= 'part0 part1 '.length);
    const stoppedAt = Date.now();
    await vscode.commands.executeCommand('tandem.stopGenerating');
    const closed: RecordedRequest = await fx.waitForClose(req, 2000);
    await running;
    assert.strictEqual(closed.clientClosedEarly, true, 'the client closed the connection');
    assert.strictEqual(closed.completed, false);
    assert.ok(closed.chunksSent < chunks.length, `chunks sent: ${closed.chunksSent}`);
    // How fast is `npm run bench`'s (Stop until the server sees the close); here: not left to the server.
    assert.ok((closed.closedAt ?? Infinity) - stoppedAt < 5000, 'closed soon after Stop');
    const m = lastMessage(api);
    assert.ok(m);
    assert.strictEqual(m.streaming, false);
    assert.strictEqual(m.stopped, true);
    assert.strictEqual(m.error, undefined);
    assert.ok(m.text.length > 0 && chunks.join('').startsWith(m.text), `partial kept: ${JSON.stringify(m.text)}`);
    const kept = m.text;
    await sleep(400);
    assert.strictEqual(lastMessage(api)?.text, kept, 'nothing arrives after Stop');
  });

  test('a server that needs a key gets no request when none is stored, and the chat says why', async () => {
    const api = await tandem();
    await setSettings({ baseUrl: 'https://api.openai.com/v1' });
    await openWithSelection('sample.ts', [1, 0], [7, 1]);
    await vscode.commands.executeCommand('tandem.explainSelection');
    const m = lastMessage(api);
    assert.strictEqual(m?.error?.kind, 'missingKey', JSON.stringify(m));
    assert.match(m.error.message, /No API key is set for https:\/\/api\.openai\.com/);
    assert.ok(m.error.actions.includes('setApiKey'));
    assert.strictEqual(m.text, '');
    assert.strictEqual(fx.chatRequests().length, 0);
  });

  test('the environment\'s OPENAI_* variables never reach the server', async () => {
    const api = await tandem();
    const saved = { ...process.env };
    process.env.OPENAI_API_KEY = 'sk-envleak0123456789abcdef';
    process.env.OPENAI_ORG_ID = 'org-envleak';
    process.env.OPENAI_PROJECT_ID = 'proj-envleak';
    process.env.OPENAI_CUSTOM_HEADERS = 'X-Env-Leak: yes';
    process.env.OPENAI_BASE_URL = 'http://127.0.0.1:9/v1';
    try {
      fx.script({ text: 'ok' });
      await openWithSelection('sample.ts', [10, 0], [10, 5]);
      await vscode.commands.executeCommand('tandem.explainSelection');
    } finally {
      for (const k of ['OPENAI_API_KEY', 'OPENAI_ORG_ID', 'OPENAI_PROJECT_ID', 'OPENAI_CUSTOM_HEADERS', 'OPENAI_BASE_URL']) {
        if (saved[k] === undefined) delete process.env[k];
        else process.env[k] = saved[k];
      }
    }
    assert.strictEqual(lastMessage(api)?.text, 'ok');
    const h = fx.chatRequests()[0].headers;
    assert.strictEqual(h.authorization, undefined, 'a loopback server without a stored key gets no Authorization header');
    assert.strictEqual(h['openai-organization'], undefined);
    assert.strictEqual(h['openai-project'], undefined);
    assert.strictEqual(h['x-env-leak'], undefined);
  });

  test('a server error is shown on the message with its kind and text, and the question stays', async () => {
    const api = await tandem();
    fx.script({ status: 401, errorBody: { error: { message: 'Incorrect API key provided: sk-abc...xyz', type: 'invalid_request_error', code: 'invalid_api_key' } } });
    await openWithSelection('sample.ts', [1, 0], [7, 1]);
    await vscode.commands.executeCommand('tandem.explainSelection');
    const c = api.getConversations().at(-1);
    const m = c?.messages.at(-1);
    assert.strictEqual(m?.error?.kind, 'auth', JSON.stringify(m));
    assert.match(m.error.message, /Incorrect API key provided/);
    assert.ok(m.error.actions.includes('setApiKey'));
    assert.strictEqual(c?.messages.at(-2)?.context?.file, 'sample.ts', 'the question is kept');
  });
});
