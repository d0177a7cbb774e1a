// History survives a crash, first run: ask, let some chunks arrive, then ask the runner to kill the
// whole VS Code with SIGKILL (it watches for the marker file) while the answer streams. Nothing is
// flushed by hand first: what the second run finds is what Tandem's own writes while streaming put on
// disk, and the promise is that a crash loses at most the chunk being written.
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
    const prefix = lastMessage(api)?.text ?? '';
    const runDir = process.env.EXT_TEST_RUN_DIR ?? '';
    const marker = path.join(runDir, 'kill-now.json');
    fs.writeFileSync(`${marker}.tmp`, JSON.stringify({ prefix, full: chunks.join(''), chunkLength: Math.max(...chunks.map(c => c.length)) }));
    fs.renameSync(`${marker}.tmp`, marker);
    await sleep(100000); // the runner kills VS Code before this ends
  });
});
