// README promises checked where they can break: Test Connection names the step that failed, each made
// to fail in turn, and the lightbulb setting really removes Tandem's actions.
import * as assert from 'assert';
import * as net from 'net';
import * as vscode from 'vscode';
import { FakeOpenAI } from '../fixtures/fakeOpenAI';
import { openWithSelection, setSettings, useFixture } from './helpers';

interface Report { ok: boolean; steps: { name: string; status: string; detail: string }[] }

const test_ = (): Thenable<Report> => vscode.commands.executeCommand<Report>('tandem.testConnection', { quiet: true });

function closedPort(): Promise<number> {
  return new Promise(resolve => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(p));
    });
  });
}

suite('README promises', function () {
  this.timeout(60000);
  const fx = new FakeOpenAI({ models: ['test-model'] });
  useFixture(fx);
  setup(async () => {
    fx.reset();
    await setSettings({ provider: 'custom', baseUrl: fx.baseUrl, model: 'test-model', 'codeActions.enabled': undefined });
  });
  suiteTeardown(() => setSettings({ provider: undefined, 'codeActions.enabled': undefined }));

  test('Test Connection names the step that failed: the URL, the key, the model list, the streaming call', async () => {
    const failing = (r: Report) => r.steps.find(s => s.status === 'fail');

    await setSettings({ baseUrl: 'ftp://not-a-server' });
    let r = await test_();
    assert.strictEqual(r.ok, false);
    assert.strictEqual(failing(r)?.name, 'URL', JSON.stringify(r));

    // Not this machine and no key stored: the key step fails before anything is sent.
    await setSettings({ baseUrl: 'https://tandem-test.invalid/v1' });
    r = await test_();
    assert.strictEqual(failing(r)?.name, 'API key', JSON.stringify(r));

    await setSettings({ baseUrl: `http://127.0.0.1:${await closedPort()}/v1` });
    r = await test_();
    assert.strictEqual(failing(r)?.name, 'Models', JSON.stringify(r));
    assert.match(failing(r)?.detail ?? '', /refused/);

    await setSettings({ baseUrl: fx.baseUrl });
    fx.script({ status: 404, errorBody: { error: { message: 'The model `test-model` does not exist', type: 'invalid_request_error', code: 'model_not_found' } } });
    r = await test_();
    assert.deepStrictEqual(r.steps.map(s => [s.name, s.status]).slice(0, 3), [['URL', 'pass'], ['API key', 'pass'], ['Models', 'pass']]);
    assert.strictEqual(failing(r)?.name, 'Streaming', JSON.stringify(r));
  });

  test('tandem.codeActions.enabled false removes Tandem from the lightbulb', async () => {
    const editor = await openWithSelection('sample.ts', [1, 0], [7, 1]);
    const titles = async () => (await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', editor.document.uri, editor.selection)).map(a => a.title);
    assert.ok((await titles()).includes('Explain with Tandem'));
    await setSettings({ 'codeActions.enabled': false });
    const off = await titles();
    assert.ok(!off.some(t => /Tandem/.test(t)), JSON.stringify(off));
  });
});
