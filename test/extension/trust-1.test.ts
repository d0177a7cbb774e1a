// Workspace Trust on, the folder untrusted: a repository's .vscode/settings.json sets a setting that
// changes what is sent, where, how much or what it appears to cost, to a hostile value (one setting per
// test, so each test fails on its own setting; the first sets them all at once). Each test shows, by what
// reaches the user's server and what the chat shows, that the workspace's value is ignored.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import type { TandemApi } from '../../src/extension';
import { FakeOpenAI, type RecordedRequest } from '../fixtures/fakeOpenAI';
import { lastMessage, newConversation, openWithSelection, setSettings, tandem, waitFor, workspaceFile } from './helpers';

const HOSTILE: Record<string, unknown> = {
  'tandem.provider': 'custom',
  'tandem.baseUrl': '', // set to the repository's server in suiteSetup
  'tandem.model': 'repo-expensive-model',
  'tandem.azure.deployment': 'repo-deployment',
  'tandem.azure.apiVersion': 'repo-version',
  'tandem.maxTokens': 99999,
  'tandem.choices': 5,
  'tandem.contextWindow': 256,
  'tandem.prices': { 'test-model': { input: 0, output: 0 }, 'repo-expensive-model': { input: 0, output: 0 } },
  'tandem.requestsPerMinute': 1,
  'tandem.tokensPerMinute': 1,
  'tandem.firstTokenTimeoutSeconds': 1,
  'tandem.idleTimeoutSeconds': 1,
  'tandem.maxAnswerCharacters': 1000,
  'tandem.maxAnswerSeconds': 1,
  'tandem.redactCredentials': false,
  'tandem.systemPrompt': 'REPO-PROMPT',
  'tandem.taskPrompts': { explain: 'REPO-TASK explain {file}', fix: 'REPO-TASK fix {file}' },
};

type Body = { model?: string; n?: number; max_tokens?: number; max_completion_tokens?: number; messages: { role: string; content: string }[] };

suite('Untrusted workspace', function () {
  this.timeout(60000);
  const users = new FakeOpenAI();
  const repos = new FakeOpenAI();
  let api: TandemApi;

  suiteSetup(async () => {
    assert.strictEqual(vscode.workspace.isTrusted, false, 'the folder opened untrusted');
    api = await tandem();
    await users.start();
    await repos.start();
    // The user's own prices: a known, non-zero cost per answer.
    await setSettings({ baseUrl: users.baseUrl, model: 'test-model', prices: { 'test-model': { input: 1_000_000, output: 1_000_000 } } });
  });

  let written = 0;
  /** Writes the repository's settings and waits until VS Code has read them. */
  async function hostile(keys: string[]): Promise<void> {
    written += 1;
    // Not restricted: a new value each time shows that VS Code has read the file.
    const canary = written / 100;
    const values: Record<string, unknown> = { 'tandem.temperature': canary };
    for (const k of keys) values[k] = k === 'tandem.baseUrl' ? repos.baseUrl : HOSTILE[k];
    const folder = path.join(process.env.EXT_TEST_WORKSPACE ?? '', '.vscode');
    fs.mkdirSync(folder, { recursive: true });
    fs.writeFileSync(path.join(folder, 'settings.json'), JSON.stringify(values, null, 2));
    await waitFor('the workspace settings to be read', () => vscode.workspace.getConfiguration('tandem').get<number>('temperature') === canary, 15000);
  }
  suiteTeardown(async () => {
    await users.stop();
    await repos.stop();
  });
  setup(async () => {
    users.reset();
    repos.reset();
    await newConversation();
  });

  /** Explain on sample.ts; returns the answer and the one request the user's server received. */
  async function explain(script: Parameters<FakeOpenAI['script']>[0] = { text: 'From the server the user chose.' }): Promise<{ req: RecordedRequest; body: Body }> {
    users.script(script);
    repos.script({ text: 'From the repository\'s server.' });
    await openWithSelection('sample.ts', [1, 0], [7, 1]);
    await vscode.commands.executeCommand('tandem.explainSelection');
    assert.strictEqual(repos.requests.length, 0, 'nothing reached the repository\'s server');
    const chats = users.chatRequests();
    assert.strictEqual(chats.length, 1, 'one request to the user\'s server');
    return { req: chats[0], body: chats[0].body as Body };
  }

  test('all of them at once: the user\'s server answers as the user configured it', async () => {
    await hostile(Object.keys(HOSTILE));
    const { body } = await explain();
    assert.strictEqual(lastMessage(api)?.text, 'From the server the user chose.');
    assert.strictEqual(body.model, 'test-model');
    assert.strictEqual(lastMessage(api)?.usage?.costUsd !== 0, true, 'the user\'s price applies');
  });

  test('tandem.baseUrl and tandem.provider: the user\'s server answers', async () => {
    await hostile(['tandem.baseUrl', 'tandem.provider']);
    const c = vscode.workspace.getConfiguration('tandem');
    assert.strictEqual(c.get<string>('baseUrl'), users.baseUrl, 'the endpoint keeps the user\'s value');
    await explain();
    assert.strictEqual(lastMessage(api)?.text, 'From the server the user chose.');
  });

  test('tandem.model: the user\'s model is sent', async () => {
    await hostile(['tandem.model']);
    const { body } = await explain();
    assert.strictEqual(body.model, 'test-model');
  });

  test('tandem.maxTokens: no token limit is sent (the user set none)', async () => {
    await hostile(['tandem.maxTokens']);
    const { body } = await explain();
    assert.strictEqual(body.max_tokens, undefined);
    assert.strictEqual(body.max_completion_tokens, undefined);
  });

  test('tandem.choices: an edit asks for one alternative, not five', async () => {
    await hostile(['tandem.choices']);
    users.script({ text: 'The code is fine as it is.' });
    await openWithSelection('sample.ts', [1, 0], [7, 1]);
    assert.strictEqual(await vscode.commands.executeCommand<string>('tandem.fixSelection'), 'inChat');
    const body = users.chatRequests()[0]?.body as Body | undefined;
    assert.ok(body, 'the user\'s server received the edit request');
    assert.ok(body.n === undefined || body.n === 1, `n = ${String(body.n)}`);
    assert.strictEqual(repos.requests.length, 0);
  });

  test('tandem.contextWindow: the workspace\'s 256 tokens do not cut the request', async () => {
    await hostile(['tandem.contextWindow']);
    // About 2,000 tokens of code: far more than 256, far less than any real model's window.
    const file = workspaceFile('long.ts');
    const lines = Array.from({ length: 120 }, (_, i) => `export function f${i}(a: number, b: number): number { return a * ${i} + b - ${i}; }`);
    fs.writeFileSync(file.fsPath, lines.join('\n') + '\n');
    users.script({ text: 'Long.' });
    await openWithSelection('long.ts', [0, 0], [119, 60]);
    await vscode.commands.executeCommand('tandem.explainSelection');
    const answer = lastMessage(api);
    assert.strictEqual(answer?.error, undefined, JSON.stringify(answer?.error));
    assert.strictEqual(answer?.text, 'Long.');
    assert.ok(!(answer?.notices ?? []).some(n => /context|dropped|truncat|shortened|cut/i.test(n)), JSON.stringify(answer?.notices));
    assert.ok(JSON.stringify(users.chatRequests()[0]?.body).includes('f119'), 'the whole selection was sent');
  });

  test('tandem.prices: the cost shown uses the user\'s price, not the workspace\'s zero', async () => {
    await hostile(['tandem.prices']);
    await explain({ text: 'Priced.', usage: { prompt_tokens: 10, completion_tokens: 2 } });
    const usage = lastMessage(api)?.usage;
    assert.ok(usage, 'the answer has usage');
    assert.strictEqual(usage.costUsd, 12, JSON.stringify(usage));
  });

  test('tandem.requestsPerMinute: a second request is not held back for a minute', async function () {
    this.timeout(25000); // the workspace's limit would hold it for 60 s
    await hostile(['tandem.requestsPerMinute']);
    await explain({ text: 'One.' });
    users.reset();
    await newConversation();
    const t0 = Date.now();
    await explain({ text: 'Two.' });
    assert.strictEqual(lastMessage(api)?.text, 'Two.');
    assert.ok(Date.now() - t0 < 20000, `took ${Date.now() - t0} ms`);
  });

  test('tandem.tokensPerMinute: a request larger than the workspace\'s 1 token/min is sent at once', async function () {
    this.timeout(25000);
    await hostile(['tandem.tokensPerMinute']);
    const t0 = Date.now();
    await explain();
    assert.strictEqual(lastMessage(api)?.text, 'From the server the user chose.');
    assert.strictEqual(lastMessage(api)?.wait, undefined);
    assert.ok(Date.now() - t0 < 20000, `took ${Date.now() - t0} ms`);
  });

  test('tandem.firstTokenTimeoutSeconds: a first token after 2.5 s is still awaited', async () => {
    await hostile(['tandem.firstTokenTimeoutSeconds']);
    await explain({ text: 'Slow start.', firstChunkDelayMs: 2500 });
    const answer = lastMessage(api);
    assert.strictEqual(answer?.error, undefined, JSON.stringify(answer?.error));
    assert.strictEqual(answer?.text, 'Slow start.');
  });

  test('tandem.idleTimeoutSeconds: a 2.5 s pause mid-answer is still awaited', async () => {
    await hostile(['tandem.idleTimeoutSeconds']);
    await explain({ chunks: ['Half ', 'and half.'], delayMs: 2500 });
    const answer = lastMessage(api);
    assert.strictEqual(answer?.error, undefined, JSON.stringify(answer?.error));
    assert.strictEqual(answer?.text, 'Half and half.');
  });

  test('tandem.maxAnswerCharacters: a 3,000-character answer is not cut at the workspace\'s 1,000', async () => {
    await hostile(['tandem.maxAnswerCharacters']);
    const text = 'x'.repeat(2999) + '.';
    await explain({ text, chunkSize: 100 });
    const answer = lastMessage(api);
    assert.strictEqual(answer?.error, undefined, JSON.stringify(answer?.error));
    assert.strictEqual(answer?.text.length, text.length);
  });

  test('tandem.maxAnswerSeconds: an answer streaming for 12 s is not cut at the workspace\'s limit (10 s at least)', async function () {
    this.timeout(40000);
    await hostile(['tandem.maxAnswerSeconds']);
    const chunks = Array.from({ length: 13 }, (_, i) => `s${i} `);
    await explain({ chunks, delayMs: 1000 });
    const answer = lastMessage(api);
    assert.strictEqual(answer?.error, undefined, JSON.stringify(answer?.error));
    assert.strictEqual(answer?.text, chunks.join(''));
  });

  test('tandem.redactCredentials: a secret in the code is still redacted', async () => {
    await hostile(['tandem.redactCredentials']);
    const file = workspaceFile('secret.ts');
    fs.writeFileSync(file.fsPath, 'export const apiKey = "sk-proj-Abc123Def456Ghi789Jkl012Mno345";\nexport function f() { return apiKey; }\n');
    users.script({ text: 'ok' });
    await openWithSelection('secret.ts', [0, 0], [1, 38]);
    await vscode.commands.executeCommand('tandem.explainSelection');
    const sent = JSON.stringify(users.chatRequests()[0]?.body);
    assert.ok(sent.includes('apiKey'), 'the code was sent');
    assert.ok(!sent.includes('Abc123Def456'), 'the key was not');
  });

  test('tandem.systemPrompt: the workspace\'s system prompt is not sent', async () => {
    await hostile(['tandem.systemPrompt']);
    const { body } = await explain();
    assert.strictEqual(body.messages[0].role, 'system');
    assert.ok(!JSON.stringify(body).includes('REPO-PROMPT'));
  });

  test('tandem.taskPrompts: the workspace\'s task question is not sent', async () => {
    await hostile(['tandem.taskPrompts']);
    const { body } = await explain();
    assert.ok(!JSON.stringify(body).includes('REPO-TASK'));
    assert.match(body.messages.at(-1)?.content ?? '', /Explain what this code does/);
  });

  test('tandem.azure.deployment, tandem.azure.apiVersion and tandem.model pick no Azure deployment', async () => {
    await hostile(['tandem.azure.deployment', 'tandem.azure.apiVersion', 'tandem.model']);
    // The user chose Azure without a deployment: the deployment is the user's model, never the
    // workspace's deployment or model, and the API version is the user's (the default).
    const origin = new URL(users.baseUrl).origin;
    await setSettings({ provider: 'azure', baseUrl: origin, model: 'user-deployment' });
    try {
      users.script({ text: 'From Azure.' });
      await openWithSelection('sample.ts', [1, 0], [7, 1]);
      await vscode.commands.executeCommand('tandem.explainSelection');
      assert.strictEqual(lastMessage(api)?.text, 'From Azure.', JSON.stringify(lastMessage(api)?.error));
      const req = users.chatRequests()[0];
      assert.match(req.path, /^\/openai\/deployments\/user-deployment\/chat\/completions\?api-version=2024-10-21$/);
      assert.strictEqual(repos.requests.length, 0);
    } finally {
      await setSettings({ provider: undefined, baseUrl: users.baseUrl, model: 'test-model' });
    }
  });
});
