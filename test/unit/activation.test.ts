// The shipped dist/extension.js, activated in plain Node against a stand-in for the `vscode` module:
// activation registers things and loads nothing heavy (not dist/llm.js, not the openai package).
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import Module = require('module');

const ROOT = path.resolve(__dirname, '..', '..');

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { standIn, vscodeStandIn } = require('../harness/vscodeStandIn.js') as {
  standIn(name: string, calls: string[]): unknown;
  vscodeStandIn(root: string, calls: string[]): Record<string, unknown>;
};

suite('activation of dist/extension.js', () => {
  test('registers the commands and the view, and does not load dist/llm.js or openai', () => {
    const calls: string[] = [];
    const fakeVscode = vscodeStandIn(ROOT, calls);
    const load = (Module as unknown as { _load: (r: string, ...a: unknown[]) => unknown })._load;
    (Module as unknown as { _load: typeof load })._load = function (request: string, ...rest: unknown[]) {
      if (request === 'vscode') return fakeVscode;
      return load.call(this, request, ...rest);
    };
    const before = new Set(Object.keys(require.cache));
    try {
      const entry = require.resolve(path.join(ROOT, 'dist', 'extension.js'));
      delete require.cache[entry];
      const ext = require(entry) as { activate(ctx: unknown): unknown };
      const subscriptions: unknown[] = [];
      const ctx = { subscriptions, extensionUri: standIn('uri', calls), globalStorageUri: standIn('storage', calls), secrets: standIn('secrets', calls), globalState: standIn('state', calls) };
      const api = ext.activate(ctx) as Record<string, unknown>;
      assert.strictEqual(typeof api.getConversations, 'function');
      assert.ok(subscriptions.length >= 10, `subscriptions: ${subscriptions.length}`);
      const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { contributes: { commands: unknown[] } };
      assert.strictEqual(calls.filter(c => c === 'vscode.commands.registerCommand').length, manifest.contributes.commands.length);
      assert.ok(calls.includes('vscode.window.registerWebviewViewProvider'));
      const loaded = Object.keys(require.cache).filter(k => !before.has(k));
      assert.deepStrictEqual(loaded.map(k => path.relative(ROOT, k)), ['dist/extension.js']);
    } finally {
      (Module as unknown as { _load: typeof load })._load = load;
    }
  });
});
