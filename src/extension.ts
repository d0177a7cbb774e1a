// Composition root: builds the objects, registers everything, returns the public API. Nothing heavy
// runs here: the openai client (dist/llm.js) loads on the first request.
import * as vscode from 'vscode';
import type { ConversationState } from './protocol';
import { CHAT_VIEW_ID } from './host/ids';
import { Log } from './host/log';
import { KeyStore } from './host/keyStore';
import { ChatSession } from './host/session';
import { ChatViewProvider } from './host/chatViewProvider';
import { offerEnvKeyImport, registerCommands } from './host/commands';
import { ModelStatusBar } from './host/statusBar';

/** What other extensions and tests get from `activate()`. Snapshots are copies: changing them changes nothing. */
export interface TandemApi {
  /** Every conversation with its messages (role, text, error kind and text, streaming flag). */
  getConversations(): ConversationState[];
  /** Fires when any conversation changes, at most about once per frame while an answer streams. */
  readonly onDidChangeConversations: vscode.Event<void>;
  /** True when the chat view is visible and its page has reported ready. */
  isChatViewReady(): boolean;
}

export function activate(context: vscode.ExtensionContext): TandemApi {
  const log = new Log();
  const keys = new KeyStore(context.secrets, context.globalState);
  const deps = { keys, log, state: context.globalState } as const;
  const session: ChatSession = new ChatSession(keys, log, (provider, origin, messageId) => {
    void offerEnvKeyImport({ ...deps, session }, provider, origin, messageId);
  });
  const view = new ChatViewProvider(context.extensionUri, session, log);
  context.subscriptions.push(
    log,
    session,
    view,
    new ModelStatusBar(session),
    vscode.window.registerWebviewViewProvider(CHAT_VIEW_ID, view),
    ...registerCommands({ ...deps, session, view }),
  );
  return {
    getConversations: () => session.getConversations(),
    onDidChangeConversations: session.onDidChange,
    isChatViewReady: () => view.isReady,
  };
}

export function deactivate(): void {
  // Everything is in context.subscriptions.
}
