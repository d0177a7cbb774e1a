// History survives a crash, first run: ask, let some chunks arrive and reach the disk, then ask the
// runner to kill the whole VS Code with SIGKILL (it watches for the marker file) while the answer streams.
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import { FakeOpenAI } from '../fixtures/fakeOpenAI';
import { lastMessage, openWithSelection, setSettings, sleep, tandem, waitFor } from './helpers';

suite('History survives a crash (first run)', function () {
  this.timeout(120000);

  test('asks, streams, and is killed mid-stream', async () => {
    const fx = new FakeOpenAI();
    await fx.start();
    const api = await tandem();
    await api.whenRestored();
    await setSettings({ baseUrl: fx.baseUrl, model: 'test-model' });
    const chunks = Array.from({ length: 80 }, (_, i) => `chunk${i} `);
    fx.script({ chunks, delayMs: 150 });
    await openWithSelection('sample.ts', [1, 0], [7, 1]);
    void vscode.commands.executeCommand('tandem.explainSelection');
    await waitFor('five chunks', () => (lastMessage(api)?.text.length ?? 0) >= chunks.slice(0, 5).join('').length, 30000);
    await api.flushHistory();
    const prefix = lastMessage(api)?.text ?? '';
    const runDir = process.env.EXT_TEST_RUN_DIR ?? '';
    const marker = path.join(runDir, 'kill-now.json');
    fs.writeFileSync(`${marker}.tmp`, JSON.stringify({ prefix, full: chunks.join('') }));
    fs.renameSync(`${marker}.tmp`, marker);
    await sleep(100000); // the runner kills VS Code before this ends
  });
});
