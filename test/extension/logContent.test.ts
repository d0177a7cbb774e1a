// The log's content, read from the file behind the "Tandem" output channel: no key and nothing
// key-shaped at any level (a stored key, a key in the code that was sent, an Authorization header a
// server echoes back in its error), and the content of a request only at trace level.
import * as assert from 'assert';
import * as fs from 'fs';
import * as vscode from 'vscode';
import { FakeOpenAI } from '../fixtures/fakeOpenAI';
import { lastMessage, newConversation, openWithSelection, setApiKeyByHand, setSettings, tandem, tandemLogFile, useFixture, waitFor, workspaceFile } from './helpers';

// Built at run time so this file does not trip secret scanners.
const STORED_KEY = ['tandem', 'stored', 'Zq81Xv02Lm'].join('-'); // not key-shaped: only "a key Tandem holds" covers it
const CODE_KEY = ['sk', 'proj', 'Lg4hQ9wPz2Rt7Yb1Nc6Vd3Kx8Jm5Fs0'].join('-');

const setLogLevel = (level: string) => vscode.commands.executeCommand('_extensionTests.setLogLevel', level);

function logText(): string {
  return fs.readFileSync(tandemLogFile(), 'utf8');
}

/** The log once `line` is in it (the channel writes its file asynchronously). */
function logWith(what: string, line: RegExp): Promise<string> {
  return waitFor(what, () => {
    const text = logText();
    return line.test(text) ? text : undefined;
  }, 15000);
}

suite('The log', function () {
  this.timeout(90000);
  const fx = new FakeOpenAI({ models: ['test-model'] });
  useFixture(fx);
  setup(async () => {
    fx.reset();
    await setSettings({ provider: 'custom', baseUrl: fx.baseUrl, model: 'test-model' });
  });
  suiteTeardown(async () => {
    await setLogLevel('info');
    await vscode.commands.executeCommand('tandem.clearApiKey');
    await setSettings({ provider: undefined });
  });

  test('no key and nothing key-shaped at any level: a stored key, a key in the code, an Authorization header echoed by the server', async () => {
    await tandem();
    await setLogLevel('trace');
    assert.strictEqual(await setApiKeyByHand(STORED_KEY), true, 'the key was stored');

    // A request that sends code with a key in it (trace level logs what is sent), and an answer that
    // fails with a server error quoting the key and the header it came in.
    const marker = `marker${Date.now()}`;
    const file = 'log-secret.py';
    fs.writeFileSync(workspaceFile(file).fsPath, `def ${marker}():\n    return "${CODE_KEY}"\n`);
    await openWithSelection(file, [0, 0], [1, 30]);
    fx.script({ status: 401, errorBody: { error: { message: `Incorrect API key provided: ${STORED_KEY}. Sent as "Authorization: Bearer ${STORED_KEY}"; also seen: ${CODE_KEY}; the project of ${STORED_KEY} is inactive`, type: 'invalid_request_error', code: 'invalid_api_key' } } });
    await vscode.commands.executeCommand('tandem.explainSelection');
    const api = await tandem();
    await waitFor('the error in the chat', () => lastMessage(api)?.error);
    assert.strictEqual(fx.chatRequests()[0].headers.authorization, `Bearer ${STORED_KEY}`, 'the stored key was really used');

    await logWith('the failed answer in the log', /answer failed: auth/);
    // The stored key typed into a question (not key-shaped: only "a key Tandem holds" catches it), logged at trace level.
    fx.script({ text: 'Noted.' });
    await api.viewIntent?.({ type: 'ask', text: `Is ${STORED_KEY} the ${marker}x value?` });
    const log = await logWith('the question in the log', new RegExp(`request content: .*${marker}x`));
    assert.match(log, new RegExp(`request content: .*${marker}`), 'trace level logs the content sent');
    assert.ok(log.includes('Incorrect API key provided'), 'the server\'s words are logged');
    for (const [name, value] of [['stored key', STORED_KEY], ['key in the code', CODE_KEY], ['Authorization header', `Bearer ${STORED_KEY}`]]) {
      assert.ok(!log.includes(value), `the ${name} is in the log:\n${log.split('\n').filter(l => l.includes(value)).join('\n')}`);
    }
    assert.ok(!/\bsk-[A-Za-z0-9_-]{16,}/.test(log), 'a key-shaped string is in the log');
    // What the user sees is held to the same rule.
    const shown = lastMessage(api)?.error?.message ?? '';
    assert.ok(!shown.includes(STORED_KEY) && !shown.includes(CODE_KEY), shown);
  });

  test('the content of a request only at trace level', async () => {
    const api = await tandem();
    await setLogLevel('info');
    await newConversation();
    const marker = `question${Date.now()}`;
    const before = (logText().match(/chat\/completions -> 200/g) ?? []).length;
    fx.script({ text: 'An answer.' });
    await api.viewIntent?.({ type: 'ask', text: `What does ${marker} mean?` });
    await waitFor('the answer', () => lastMessage(api)?.text === 'An answer.' && !lastMessage(api)?.streaming);
    const log = await waitFor('the request in the log', () => {
      const text = logText();
      return (text.match(/chat\/completions -> 200/g) ?? []).length > before ? text : undefined;
    }, 15000);
    assert.ok(!log.includes(marker), 'the question is in the log at info level');
    // The same request at trace level does log it: the check above can fail.
    await setLogLevel('trace');
    fx.script({ text: 'Another answer.' });
    await api.viewIntent?.({ type: 'ask', text: `And ${marker}2?` });
    await logWith('the content at trace level', new RegExp(`request content: .*${marker}2`));
  });
});
