// Shared by the extension tests: the extension's public API, settings, editors, waiting.
import * as vscode from 'vscode';
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
