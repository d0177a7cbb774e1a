// The shipped dist/extension.js, activated in plain Node against a stand-in for the `vscode` module:
// activation registers every contributed command, the view, the lightbulb and the status bar, and loads
// nothing else: not dist/host.js, not dist/llm.js, not the openai package, no Node built-in. The first
// command or API call then loads dist/host.js (once) and does what it says.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import Module = require('module');

const ROOT = path.resolve(__dirname, '..', '..');

const { standIn, vscodeStandIn } = require('../harness/vscodeStandIn.js') as {
  standIn(name: string, calls: string[]): unknown;
  vscodeStandIn(root: string, calls: string[]): Record<string, unknown>;
};

type Handler = (...args: unknown[]) => unknown;

/** A working EventEmitter (the stand-in's would swallow events), so forwarding can be observed. */
class Emitter<T> {
  private readonly listeners = new Set<(e: T) => void>();
  readonly event = (f: (e: T) => void) => {
    this.listeners.add(f);
    return { dispose: () => this.listeners.delete(f) };
  };
  fire(e: T): void {
    for (const f of [...this.listeners]) f(e);
  }
  dispose(): void {
    this.listeners.clear();
  }
}
type Load = (request: string, parent: { filename?: string } | undefined, ...rest: unknown[]) => unknown;

interface Activated {
  ext: { activate(ctx: unknown): unknown; deactivate(): unknown };
  api: Record<string, unknown>;
  calls: string[];
  commands: Map<string, Handler>;
  viewProvider: { resolveWebviewView(...args: unknown[]): unknown } | undefined;
  /** What was registered with vscode.lm.registerLanguageModelChatProvider, by vendor. */
  lmProviders: Map<string, Record<string, unknown>>;
  /** The handlers given to vscode.chat.createChatParticipant, by participant id. */
  participants: Map<string, Handler>;
  subscriptions: unknown[];
  /** What each of Tandem's files asked `require` for, by file (relative to the root). */
  requests: Map<string, string[]>;
  /** Files that entered the require cache since the start. */
  loaded(): string[];
  restore(): void;
}

/** Requires dist/extension.js afresh and activates it; commands registered go to `commands`. */
function activate(options: { hostFails?: boolean } = {}): Activated {
  const calls: string[] = [];
  const commands = new Map<string, Handler>();
  const fakeVscode = vscodeStandIn(ROOT, calls);
  fakeVscode.EventEmitter = Emitter;
  fakeVscode.commands = new Proxy(fakeVscode.commands as object, {
    get: (t, p) => (p === 'registerCommand'
      ? (id: string, fn: Handler) => {
        calls.push('vscode.commands.registerCommand');
        assert.ok(!commands.has(id), `${id} registered twice`);
        commands.set(id, fn);
        return { dispose: () => commands.delete(id) };
      }
      : Reflect.get(t, p)),
  });
  let viewProvider: Activated['viewProvider'];
  fakeVscode.window = new Proxy(fakeVscode.window as object, {
    get: (t, p) => (p === 'registerWebviewViewProvider'
      ? (_id: string, provider: Activated['viewProvider']) => {
        calls.push('vscode.window.registerWebviewViewProvider');
        viewProvider = provider;
        return { dispose: () => undefined };
      }
      : Reflect.get(t, p)),
  });
  const lmProviders = new Map<string, Record<string, unknown>>();
  fakeVscode.lm = new Proxy(fakeVscode.lm as object, {
    get: (t, p) => (p === 'registerLanguageModelChatProvider'
      ? (vendor: string, provider: Record<string, unknown>) => {
        calls.push('vscode.lm.registerLanguageModelChatProvider');
        lmProviders.set(vendor, provider);
        return { dispose: () => lmProviders.delete(vendor) };
      }
      : Reflect.get(t, p)),
  });
  const participants = new Map<string, Handler>();
  fakeVscode.chat = new Proxy(fakeVscode.chat as object, {
    get: (t, p) => (p === 'createChatParticipant'
      ? (id: string, handler: Handler) => {
        calls.push('vscode.chat.createChatParticipant');
        participants.set(id, handler);
        return { iconPath: undefined, dispose: () => participants.delete(id) };
      }
      : Reflect.get(t, p)),
  });
  const requests = new Map<string, string[]>();
  const mod = Module as unknown as { _load: Load };
  const load = mod._load;
  mod._load = function (request, parent, ...rest) {
    const from = parent?.filename ? path.relative(ROOT, parent.filename) : '';
    if (from.startsWith('dist')) requests.set(from, [...(requests.get(from) ?? []), request]);
    if (request === 'vscode') return fakeVscode;
    if (options.hostFails && request === './host.js') throw new Error('Cannot find module \'./host.js\'');
    return load.call(this, request, parent, ...rest);
  };
  for (const f of ['extension.js', 'host.js', 'llm.js']) delete require.cache[path.join(ROOT, 'dist', f)];
  const before = new Set(Object.keys(require.cache));
  try {
    const ext = require(path.join(ROOT, 'dist', 'extension.js')) as Activated['ext'];
    const subscriptions: unknown[] = [];
    const ctx = { subscriptions, extensionUri: standIn('uri', calls), globalStorageUri: standIn('storage', calls), secrets: standIn('secrets', calls), globalState: standIn('state', calls) };
    const api = ext.activate(ctx) as Record<string, unknown>;
    return {
      ext, api, calls, commands, viewProvider, lmProviders, participants, subscriptions, requests,
      loaded: () => Object.keys(require.cache).filter(k => !before.has(k)).map(k => path.relative(ROOT, k)),
      restore: () => {
        mod._load = load;
      },
    };
  } catch (e) {
    mod._load = load;
    throw e;
  }
}

const manifestCommands = (): string[] =>
  (JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { contributes: { commands: { command: string }[] } }).contributes.commands.map(c => c.command);

suite('activation of dist/extension.js', () => {
  test('registers every contributed command, the view, the lightbulb and the status bar', () => {
    const a = activate();
    try {
      assert.deepStrictEqual([...a.commands.keys()].sort(), manifestCommands().sort());
      assert.ok(a.calls.includes('vscode.window.registerWebviewViewProvider'));
      assert.ok(a.calls.includes('vscode.languages.registerCodeActionsProvider'));
      assert.ok(a.calls.includes('vscode.window.createStatusBarItem'));
      assert.ok(a.calls.includes('vscode.window.createStatusBarItem().show'));
      assert.ok(a.subscriptions.length >= manifestCommands().length + 3, `subscriptions: ${a.subscriptions.length}`);
      for (const m of ['getConversations', 'isChatViewReady', 'whenRestored', 'flushHistory']) assert.strictEqual(typeof a.api[m], 'function', m);
      assert.strictEqual(typeof a.api.onDidChangeConversations, 'function');
    } finally {
      a.restore();
    }
  });

  test('the bundles take vscode as it is, not through esbuild\'s interop copy', () => {
    // `import * as vscode` makes esbuild copy the module's ~190 properties once per importing file
    // (about 0.3 ms each); `import vscode = require('vscode')` does not.
    for (const f of ['extension.js', 'host.js']) {
      const text = fs.readFileSync(path.join(ROOT, 'dist', f), 'utf8');
      assert.ok(text.includes('require("vscode")'), `dist/${f} requires vscode`);
      assert.doesNotMatch(text, /[\w$]\(require\("vscode"\)\)/, `dist/${f} wraps require("vscode")`);
    }
  });

  test('loads nothing but itself: not dist/host.js, not dist/llm.js or openai, no Node built-in', async () => {
    const a = activate();
    try {
      assert.deepStrictEqual(a.loaded(), [path.join('dist', 'extension.js')]);
      assert.deepStrictEqual([...a.requests.keys()], [path.join('dist', 'extension.js')]);
      assert.deepStrictEqual([...new Set(a.requests.get(path.join('dist', 'extension.js')))], ['vscode']);
      // Asking whether the view is ready, flushing and deactivating do not need the host either.
      assert.strictEqual((a.api.isChatViewReady as () => boolean)(), false);
      await (a.api.flushHistory as () => Promise<void>)();
      assert.strictEqual(a.ext.deactivate(), undefined);
      assert.deepStrictEqual(a.loaded(), [path.join('dist', 'extension.js')]);
    } finally {
      a.restore();
    }
  });

  test('the first command loads dist/host.js once, and the command runs', async () => {
    const a = activate();
    try {
      a.calls.length = 0;
      await a.commands.get('tandem.showLog')?.();
      assert.deepStrictEqual(a.loaded().sort(), [path.join('dist', 'extension.js'), path.join('dist', 'host.js')].sort());
      assert.ok(a.calls.includes('vscode.window.createOutputChannel().show'), a.calls.join('\n'));
      assert.ok(!a.loaded().some(f => f.endsWith('llm.js') || /node_modules[\\/]openai/.test(f)), 'dist/llm.js waits for the first request');
      // Later commands and the API use the same host: no second output channel, no second session.
      a.calls.length = 0;
      await a.commands.get('tandem.showLog')?.();
      assert.ok(!a.calls.includes('vscode.window.createOutputChannel'));
      assert.strictEqual((a.api.getConversations as () => unknown[])().length, 1);
      await (a.api.whenRestored as () => Promise<void>)();
      assert.ok(!a.calls.includes('vscode.window.createOutputChannel'));
      await a.ext.deactivate();
    } finally {
      a.restore();
    }
  });

  test('a host that cannot load is reported once, and every later use says why instead of half-building it again', async () => {
    const a = activate({ hostFails: true });
    try {
      await assert.rejects(async () => a.commands.get('tandem.showLog')?.(), /Tandem could not start: Cannot find module '\.\/host\.js'/);
      assert.strictEqual(a.calls.filter(c => c === 'vscode.window.showErrorMessage').length, 1);
      await assert.rejects(async () => a.commands.get('tandem.openChat')?.(), /Tandem could not start/);
      assert.throws(() => (a.api.getConversations as () => unknown)(), /Tandem could not start/);
      assert.strictEqual(a.calls.filter(c => c === 'vscode.window.showErrorMessage').length, 1);
      assert.strictEqual(a.requests.get(path.join('dist', 'extension.js'))?.filter(r => r === './host.js').length, 1);
    } finally {
      a.restore();
    }
  });

  test('the chat view\'s first resolve loads dist/host.js, and conversation changes reach onDidChangeConversations', async () => {
    const a = activate();
    try {
      let fired = 0;
      (a.api.onDidChangeConversations as (f: () => void) => unknown)(() => fired++);
      assert.ok(a.viewProvider, 'a webview view provider is registered');
      assert.deepStrictEqual(a.loaded(), [path.join('dist', 'extension.js')]);
      let receive: ((m: unknown) => void) | undefined;
      const webview = new Proxy(standIn('view.webview', a.calls) as object, {
        get: (t, p) => (p === 'onDidReceiveMessage' ? (f: (m: unknown) => void) => ((receive = f), { dispose: () => undefined }) : Reflect.get(t, p)),
      });
      const none = () => ({ dispose: () => undefined });
      a.viewProvider.resolveWebviewView({ webview, visible: true, onDidChangeVisibility: none, onDidDispose: none, show: () => undefined }, {}, {});
      assert.ok(a.loaded().includes(path.join('dist', 'host.js')));
      assert.ok(receive, 'the host listens to the page');
      const [conversation] = (a.api.getConversations as () => { id: string; title: string }[])();
      receive({ type: 'renameConversation', id: conversation.id, title: 'renamed' });
      await new Promise(r => setImmediate(r));
      assert.strictEqual((a.api.getConversations as () => { title: string }[])()[0].title, 'renamed');
      assert.ok(fired > 0, 'the session\'s change reached the event the API handed out before the host loaded');
    } finally {
      a.restore();
    }
  });

  test('the language-model provider (vendor tandem, as contributed) registers at activation and loads dist/host.js on VS Code\'s first question, not before', async () => {
    const a = activate();
    try {
      const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { contributes: { languageModelChatProviders: { vendor: string; managementCommand: string }[] } };
      const [contributed] = manifest.contributes.languageModelChatProviders;
      assert.deepStrictEqual([...a.lmProviders.keys()], [contributed.vendor]);
      assert.ok(manifestCommands().includes(contributed.managementCommand), 'the management command is one of Tandem\'s commands');
      const provider = a.lmProviders.get('tandem') as Record<string, (...args: unknown[]) => unknown>;
      for (const m of ['provideLanguageModelChatInformation', 'provideLanguageModelChatResponse', 'provideTokenCount']) assert.strictEqual(typeof provider[m], 'function', m);
      assert.strictEqual(typeof provider.onDidChangeLanguageModelChatInformation, 'function', 'the change event exists before the host');
      assert.deepStrictEqual(a.loaded(), [path.join('dist', 'extension.js')]);
      const count = await provider.provideTokenCount({ id: 'gpt-4o' }, 'Hello, world', {});
      assert.ok(typeof count === 'number' && count > 1 && count < 10, `token count ${String(count)}`);
      assert.ok(a.loaded().includes(path.join('dist', 'host.js')), 'the first question loads the host');
      assert.ok(!a.loaded().some(f => f.endsWith('llm.js') || /node_modules[\\/]openai/.test(f)), 'a token count needs no dist/llm.js');
    } finally {
      a.restore();
    }
  });

  test('the @tandem chat participant (as contributed) registers at activation and loads dist/host.js with its first request, not before', async () => {
    const a = activate();
    try {
      const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { contributes: { chatParticipants: { id: string; name: string; commands: { name: string }[] }[] } };
      const [contributed] = manifest.contributes.chatParticipants;
      assert.deepStrictEqual([...a.participants.keys()], [contributed.id]);
      assert.strictEqual(contributed.name, 'tandem');
      assert.deepStrictEqual(contributed.commands.map(c => c.name), ['explain', 'fix', 'tests', 'docs']);
      assert.deepStrictEqual(a.loaded(), [path.join('dist', 'extension.js')]);
      const handler = a.participants.get(contributed.id) as Handler;
      const said: string[] = [];
      const stream = { markdown: (m: string) => said.push(m) };
      await handler({ prompt: '', command: 'nonsense', references: [] }, { history: [] }, stream, { isCancellationRequested: false });
      assert.strictEqual(said.length, 1, 'the participant answered (the stand-in has no l10n, so the words are not checked here)');
      assert.ok(a.loaded().includes(path.join('dist', 'host.js')), 'the first request loads the host');
      assert.ok(!a.loaded().some(f => f.endsWith('llm.js') || /node_modules[\\/]openai/.test(f)), 'a request that sends nothing needs no dist/llm.js');
    } finally {
      a.restore();
    }
  });
});
