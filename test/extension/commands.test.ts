// The commands as a user runs them, quick picks and input boxes answered with the keyboard in the real
// workbench (pressKeys): Set / Clear API Key, Select Provider, Select Model, Improve, Add Docs, Ask
// About Selection, tandem.choices, tandem.taskPrompts, finish_reason "error", estimated (≈) usage.
import * as assert from 'assert';
import * as fs from 'fs';
import * as vscode from 'vscode';
import { FakeOpenAI } from '../fixtures/fakeOpenAI';
import { QUICK_INPUT, lastMessage, newConversation, pressKeys, previewOpen, setApiKeyByHand, setSettings, tandem, useFixture, waitFor, workspaceFile } from './helpers';

const KEY = ['tandem', 'cmd', 'Kp4Rw8Ty2'].join('-');
const ORIGINAL = 'def total(items):\n    return sum(items)\n';

interface Body { n?: number; messages: { role: string; content: string }[] }

suite('Commands', function () {
  this.timeout(60000);
  const fx = new FakeOpenAI({ models: ['test-model', 'other-model'] });
  let n = 0;
  useFixture(fx);
  setup(async () => {
    fx.reset();
    await setSettings({ provider: 'custom', baseUrl: fx.baseUrl, model: 'test-model', choices: undefined, taskPrompts: undefined });
    // A quick input a failed test left open would take the keys meant for the next one.
    await vscode.commands.executeCommand('workbench.action.closeQuickOpen');
  });
  suiteTeardown(async () => {
    await vscode.commands.executeCommand('tandem.clearApiKey');
    await setSettings({ provider: undefined, choices: undefined, taskPrompts: undefined });
  });

  async function selected(): Promise<vscode.TextEditor> {
    n += 1;
    const file = workspaceFile(`commands-${n}.py`);
    fs.writeFileSync(file.fsPath, ORIGINAL);
    const editor = await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(file));
    editor.selection = new vscode.Selection(0, 0, 1, 21);
    return editor;
  }

  const body = (i: number) => fx.chatRequests()[i].body as Body;

  test('Set API Key stores a key for the server, requests carry it; Clear API Key removes it', async () => {
    const api = await tandem();
    assert.strictEqual(await setApiKeyByHand(KEY), true);
    await newConversation();
    const ask = async (text: string, answer: string) => {
      const before = fx.chatRequests().length;
      fx.script({ text: answer });
      await api.viewIntent?.({ type: 'ask', text });
      const m = await waitFor('the answer', () => fx.chatRequests().length > before && !lastMessage(api)?.streaming && lastMessage(api));
      assert.strictEqual(m.text, answer, JSON.stringify(m.error));
      return fx.chatRequests()[before].headers.authorization;
    };
    assert.strictEqual(await ask('Hello?', 'With a key.'), `Bearer ${KEY}`);
    await vscode.commands.executeCommand('tandem.clearApiKey');
    assert.strictEqual(await ask('And now?', 'Without.'), undefined, 'the cleared key was sent');
  });

  test('Select Provider: the picked provider and the typed address are saved', async () => {
    await setSettings({ provider: 'openai', baseUrl: undefined });
    const running = vscode.commands.executeCommand('tandem.selectProvider');
    await pressKeys(['type:llama.cpp', 'Enter'], { waitFor: QUICK_INPUT, waitForText: 'Ollama' });
    await pressKeys(['Control+A', `type:${fx.baseUrl}/chat/completions`, 'Enter'], { waitFor: QUICK_INPUT, waitForText: 'API base URL' });
    const c = () => vscode.workspace.getConfiguration('tandem');
    await waitFor('the settings', () => c().get('provider') === 'llamacpp');
    await waitFor('the base URL, cleaned up', () => c().get('baseUrl') === fx.baseUrl);
    // The confirmation waits for the user; dismissing it ends the command.
    await vscode.commands.executeCommand('notifications.clearAll');
    void running;
  });

  test('Select Model lists the server\'s models and saves the one picked', async () => {
    const running = vscode.commands.executeCommand<string | undefined>('tandem.selectModel');
    // 'current' marks the configured model once the server's list is in.
    await pressKeys(['type:other-model'], { waitFor: `${QUICK_INPUT} .monaco-list-row`, waitForText: 'current' });
    // Enter once the filtered list has the model in focus (the list is refreshed as the value changes).
    await pressKeys(['Enter'], { waitFor: `${QUICK_INPUT} .monaco-list-row.focused`, waitForText: 'other-model' });
    assert.strictEqual(await running, 'other-model');
    assert.strictEqual(vscode.workspace.getConfiguration('tandem').get('model'), 'other-model');
    assert.ok(fx.requests.some(r => r.method === 'GET' && r.path === '/v1/models'), 'the list came from the server');
  });

  test('Improve and Add Docs: the task\'s request, a diff, the edit applied', async () => {
    await tandem();
    let editor = await selected();
    fx.script({ text: '```python\ndef total(items):\n    return sum(i for i in items)\n```' });
    let running = vscode.commands.executeCommand('tandem.improveSelection');
    await waitFor('the diff', () => previewOpen());
    await vscode.commands.executeCommand('tandem.acceptEdit');
    assert.strictEqual(await running, 'accepted');
    assert.strictEqual(editor.document.getText(), 'def total(items):\n    return sum(i for i in items)\n');
    assert.match(body(0).messages.at(-1)?.content ?? '', /Improve/i);

    editor = await selected();
    fx.script({ text: '```python\ndef total(items):\n    """Adds the items up."""\n    return sum(items)\n```' });
    running = vscode.commands.executeCommand('tandem.addDocs');
    await waitFor('the diff', () => previewOpen());
    await vscode.commands.executeCommand('tandem.acceptEdit');
    assert.strictEqual(await running, 'accepted');
    assert.strictEqual(editor.document.getText(), 'def total(items):\n    """Adds the items up."""\n    return sum(items)\n');
    assert.match(body(1).messages.at(-1)?.content ?? '', /doc/i);
  });

  test('Ask About Selection asks for the question, sends it with the code, answers in the chat', async () => {
    const api = await tandem();
    await selected();
    fx.script({ text: 'Because it sums.' });
    const running = vscode.commands.executeCommand('tandem.askAboutSelection');
    await pressKeys(['type:Why sum here?', 'Enter'], { waitFor: QUICK_INPUT, waitForText: 'Your question' });
    assert.strictEqual(await running, 'inChat');
    await waitFor('the answer', () => lastMessage(api)?.text === 'Because it sums.' && !lastMessage(api)?.streaming);
    const sent = body(0).messages.at(-1)?.content ?? '';
    assert.ok(sent.includes('Why sum here?') && sent.includes('return sum(items)'), sent);
  });

  test('tandem.choices: n alternatives are asked for, offered, and the one picked is applied', async () => {
    await tandem();
    await setSettings({ choices: 2 });
    const editor = await selected();
    const delta = (index: number, content: string) => JSON.stringify({ id: 'c', object: 'chat.completion.chunk', created: 0, model: 'test-model', choices: [{ index, delta: { content }, finish_reason: null }] });
    fx.script({ rawEvents: [delta(0, '```python\ndef total(items):\n    return sum(items) + 0\n```'), delta(1, '```python\ndef total(items):\n    return sum(items) + 1\n```')] });
    const running = vscode.commands.executeCommand('tandem.improveSelection');
    await pressKeys(['ArrowDown', 'Enter'], { waitFor: QUICK_INPUT, waitForText: 'Alternative 2' });
    await waitFor('the diff', () => previewOpen());
    await vscode.commands.executeCommand('tandem.acceptEdit');
    assert.strictEqual(await running, 'accepted');
    assert.strictEqual(body(0).n, 2);
    assert.strictEqual(editor.document.getText(), 'def total(items):\n    return sum(items) + 1\n');
  });

  test('tandem.taskPrompts replaces a task\'s question in the request', async () => {
    const api = await tandem();
    await setSettings({ taskPrompts: { explain: 'Explain this {language} code to a beginner, in one short paragraph.' } });
    await selected();
    fx.script({ text: 'Simply put.' });
    await vscode.commands.executeCommand('tandem.explainSelection');
    await waitFor('the answer', () => lastMessage(api)?.text === 'Simply put.' && !lastMessage(api)?.streaming);
    const sent = body(0).messages.at(-1)?.content ?? '';
    assert.ok(sent.includes('Explain this python code to a beginner, in one short paragraph.'), sent);
    assert.ok(!sent.includes('step by step'), 'the default question was sent too');
  });

  test('finish_reason "error" in a 200 stream: a clear error, the partial answer kept', async () => {
    const api = await tandem();
    await newConversation();
    fx.script({ text: 'Partial ans', finishReason: 'error' });
    await api.viewIntent?.({ type: 'ask', text: 'Go.' });
    const m = await waitFor('the error', () => !lastMessage(api)?.streaming && lastMessage(api)?.error && lastMessage(api));
    assert.strictEqual(m.text, 'Partial ans');
    assert.match(m.error?.message ?? '', /error/i);
    assert.ok((m.error?.actions ?? []).includes('retry'), JSON.stringify(m.error));
  });

  test('no usage from the server: the answer\'s tokens are estimated and marked so', async () => {
    const api = await tandem();
    await newConversation();
    fx.script({ text: 'An answer without usage.', usage: false });
    await api.viewIntent?.({ type: 'ask', text: 'Count?' });
    const m = await waitFor('the answer', () => !lastMessage(api)?.streaming && lastMessage(api)?.usage && lastMessage(api));
    assert.strictEqual(m.usage?.estimated, true);
    assert.ok((m.usage?.completionTokens ?? 0) > 0 && (m.usage?.promptTokens ?? 0) > 0, JSON.stringify(m.usage));
    fx.script({ text: 'With usage.', usage: { prompt_tokens: 11, completion_tokens: 3 } });
    await api.viewIntent?.({ type: 'ask', text: 'And now?' });
    const u = await waitFor('the answer', () => lastMessage(api)?.text === 'With usage.' && !lastMessage(api)?.streaming && lastMessage(api)?.usage);
    assert.deepStrictEqual([u.estimated, u.promptTokens, u.completionTokens], [false, 11, 3]);
  });

  test('the status bar\'s tooltip adds each answer\'s tokens to the session\'s totals', async () => {
    const api = await tandem();
    const item = '[id="tandem.tandem.tandem.model"]';
    /** [prompt, completion] tokens of the session, as the tooltip says (0, 0 before any answer). */
    const totals = async (): Promise<number[]> => {
      // The mouse leaves first: a hover shows again only when the mouse comes back.
      await pressKeys(['Escape', 'hover:.part.editor', `hover:${item}`], { waitFor: item, waitForText: 'test-model' });
      const tip = await pressKeys([], { waitFor: '.monaco-hover', waitForText: 'Click to switch the model' });
      const m = /(\d+) prompt \+ (\d+) completion tokens/.exec(tip);
      return m ? [Number(m[1]), Number(m[2])] : [0, 0];
    };
    const before = await totals();
    await newConversation();
    fx.script({ text: 'Counted.', usage: { prompt_tokens: 1234, completion_tokens: 56 } });
    await api.viewIntent?.({ type: 'ask', text: 'Count this.' });
    await waitFor('the answer', () => lastMessage(api)?.text === 'Counted.' && !lastMessage(api)?.streaming);
    assert.deepStrictEqual(await totals(), [before[0] + 1234, before[1] + 56]);
  });

  test('the walkthrough opens with its steps', async () => {
    await vscode.commands.executeCommand('workbench.action.openWalkthrough', 'tandem.tandem#tandem.start', false);
    await pressKeys([], { waitFor: '.gettingStartedContainer', waitForText: 'Get started with Tandem' });
    await pressKeys([], { waitFor: '.gettingStartedContainer', waitForText: 'Choose where answers come from' });
  });
});
