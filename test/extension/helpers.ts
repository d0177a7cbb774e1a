// Shared by the extension tests: the extension's public API, settings, editors, waiting.
import * as vscode from 'vscode';
import * as fs from 'fs';
import * as path from 'path';
import type { TandemApi } from '../../src/extension';
import type { ChatMessage, ConversationState } from '../../src/protocol';

export async function tandem(): Promise<TandemApi> {
  const ext = vscode.extensions.getExtension<TandemApi>('tandem.tandem');
  if (!ext) throw new Error('extension tandem.tandem is not loaded');
  return ext.activate();
}

export async function setSettings(values: Record<string, unknown>): Promise<void> {
  const c = vscode.workspace.getConfiguration('tandem');
  for (const [k, v] of Object.entries(values)) await c.update(k, v, vscode.ConfigurationTarget.Global);
}

export async function resetSettings(): Promise<void> {
  await setSettings({ baseUrl: undefined, model: undefined, systemPrompt: undefined, temperature: undefined, maxTokens: undefined, provider: undefined });
}

/** For a suite: the fixture server runs and Tandem is active before its tests; settings go back after. */
export function useFixture(fx: { start(): Promise<unknown>; stop(): Promise<unknown> }): void {
  suiteSetup(async () => {
    await fx.start();
    await tandem();
  });
  suiteTeardown(async () => {
    await resetSettings();
    await fx.stop();
  });
}

export function workspaceFile(name: string): vscode.Uri {
  const root = process.env.EXT_TEST_WORKSPACE ?? vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? '';
  return vscode.Uri.file(path.join(root, name));
}

export async function openWithSelection(name: string, from: [number, number], to: [number, number]): Promise<vscode.TextEditor> {
  const doc = await vscode.workspace.openTextDocument(workspaceFile(name));
  const editor = await vscode.window.showTextDocument(doc);
  editor.selection = new vscode.Selection(from[0], from[1], to[0], to[1]);
  return editor;
}

export const sleep = (ms: number) => new Promise<void>(r => setTimeout(r, ms));

/** Polls until `check` returns a value (bounded); fails with `what` otherwise. */
export async function waitFor<T>(what: string, check: () => T | undefined | false, timeoutMs = 10000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = check();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(25);
  }
}

export function lastConversation(api: TandemApi): ConversationState {
  const all = api.getConversations();
  return all[all.length - 1];
}

export function lastMessage(api: TandemApi): ChatMessage | undefined {
  const c = lastConversation(api);
  return c.messages[c.messages.length - 1];
}

export async function newConversation(): Promise<void> {
  await vscode.commands.executeCommand('tandem.newConversation');
}

/** True while a Tandem diff review (its preview document on the right) is open. */
export function previewOpen(): boolean {
  return vscode.window.tabGroups.all.some(g => g.tabs.some(t => t.input instanceof vscode.TabInputTextDiff && t.input.modified.scheme === 'tandem-preview'));
}

let uiRequests = 0;

/**
 * Presses keys in the real workbench page (the harness does it with Playwright: see serveKeyboard in
 * run-extension-tests.js), once `waitFor` (a CSS selector, optionally containing `waitForText`) is
 * visible. Keys are Playwright key names (`Enter`, `Escape`, `ArrowDown`), `type:<text>` or
 * `hover:<CSS selector>` (the mouse over it). This is how a test answers a quick pick or an input box,
 * or reads a hover, the way a user does. Returns the text `waitFor` showed.
 */
export async function pressKeys(keys: string[], opts: { waitFor?: string; waitForText?: string; timeoutMs?: number } = {}): Promise<string> {
  const dir = process.env.EXT_TEST_RUN_DIR;
  if (!dir) throw new Error('pressKeys needs EXT_TEST_RUN_DIR (set by the extension-test harness)');
  // Unique across the test files (each bundles its own copy of this module, and of the counter).
  const n = `${Date.now()}${Math.floor(Math.random() * 1e6)}${++uiRequests}`;
  const request = path.join(dir, `ui-${n}.json`);
  const done = path.join(dir, `ui-${n}.done.json`);
  fs.rmSync(done, { force: true });
  fs.writeFileSync(`${request}.tmp`, JSON.stringify({ keys, ...opts }));
  fs.renameSync(`${request}.tmp`, request); // whole, or not yet there, when the harness looks
  await waitFor(`the workbench to press ${keys.join(' ')}`, () => fs.existsSync(done), (opts.timeoutMs ?? 15000) + 10000);
  const answer = JSON.parse(fs.readFileSync(done, 'utf8')) as { ok: boolean; error?: string; text?: string };
  fs.rmSync(request, { force: true });
  fs.rmSync(done, { force: true });
  if (!answer.ok) throw new Error(`pressing ${keys.join(' ')} failed: ${answer.error}`);
  return answer.text ?? '';
}

/** The workbench's quick input (a quick pick or an input box). */
export const QUICK_INPUT = '.quick-input-widget';
/** A notification toast in the workbench. */
export const NOTIFICATION = '.notifications-toasts .notification-toast';

/** Runs Tandem: Set API Key for the configured (non-OpenAI) server as a user would: Enter an API key, type it, Enter. */
export async function setApiKeyByHand(key: string): Promise<boolean | undefined> {
  await vscode.commands.executeCommand('workbench.action.closeQuickOpen'); // one a failed test may have left open
  const result = vscode.commands.executeCommand<boolean>('tandem.setApiKey');
  await pressKeys(['Enter'], { waitFor: QUICK_INPUT, waitForText: 'This server needs no key' });
  await pressKeys([`type:${key}`, 'Enter'], { waitFor: QUICK_INPUT, waitForText: 'secret storage' });
  return result;
}

/** Tandem's log file (the "Tandem" output channel) in this window's logs folder. */
export function tandemLogFile(): string {
  const logs = path.join(process.env.EXT_TEST_USER_DATA ?? '', 'logs');
  const found: string[] = [];
  const walk = (d: string) => {
    for (const e of fs.existsSync(d) ? fs.readdirSync(d, { withFileTypes: true }) : []) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name === 'Tandem.log' && path.basename(d) === 'tandem.tandem') found.push(p);
    }
  };
  walk(logs);
  const newest = found.sort((a, b) => fs.statSync(b).mtimeMs - fs.statSync(a).mtimeMs)[0];
  if (!newest) throw new Error(`no Tandem.log under ${logs}`);
  return newest;
}
