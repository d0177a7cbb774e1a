// Composition root: builds the objects, registers everything, returns the public API. Nothing heavy
// runs here: the openai client (dist/llm.js) loads on the first request, history loads in the background.
import * as vscode from 'vscode';
import * as path from 'path';
import type { ConversationState } from './protocol';
import { CHAT_VIEW_ID } from './host/ids';
import { Log } from './host/log';
import { KeyStore } from './host/keyStore';
import { ChatSession } from './host/session';
import { ChatViewProvider } from './host/chatViewProvider';
import { offerEnvKeyImport, registerCommands } from './host/commands';
import { ModelStatusBar } from './host/statusBar';
import { HistoryStore } from './host/historyStore';
import { ContextChips } from './host/contextChips';
import { DiffPreview } from './host/diffPreview';
import { CodeBlockActions } from './host/codeBlockActions';

/** What other extensions and tests get from `activate()`. Snapshots are copies: changing them changes nothing. */
export interface TandemApi {
  /** Every conversation with its messages (role, text, error kind and text, streaming flag). */
  getConversations(): ConversationState[];
  /** Fires when any conversation changes, at most about once per frame while an answer streams. */
  readonly onDidChangeConversations: vscode.Event<void>;
  /** True when the chat view is visible and its page has reported ready. */
  isChatViewReady(): boolean;
  /** Resolves when stored conversations have been loaded. */
  whenRestored(): Promise<void>;
  /** Resolves when every conversation change so far is on disk. */
  flushHistory(): Promise<void>;
}

export function activate(context: vscode.ExtensionContext): TandemApi {
  const log = new Log();
  const keys = new KeyStore(context.secrets, context.globalState);
  const deps = { keys, log, state: context.globalState } as const;
  const storage = context.globalStorageUri;
  const store = storage.scheme === 'file'
    ? new HistoryStore(path.join(storage.fsPath, 'conversations'), (level, line) => log[level]('history', line))
    : undefined;
  if (!store) log.warn('history', `conversations are not kept: storage is at ${storage.toString()}, not on disk`);
  const session: ChatSession = new ChatSession(
    keys,
    log,
    (provider, origin, messageId) => void offerEnvKeyImport({ ...deps, session }, provider, origin, messageId),
    store,
  );
  const chips = new ContextChips();
  const diff = new DiffPreview();
  const view = new ChatViewProvider(context.extensionUri, session, log, keys, chips, new CodeBlockActions(session, diff, log));
  context.subscriptions.push(
    log,
    session,
    chips,
    diff,
    view,
    new ModelStatusBar(session),
    vscode.window.registerWebviewViewProvider(CHAT_VIEW_ID, view),
    ...registerCommands({ ...deps, session, view, diff }),
  );
  flushOnExit = () => session.flushHistory();
  // Not awaited: activation only registers; the view and the API see the history once it is read.
  const restored = session.restore();
  return {
    getConversations: () => session.getConversations(),
    onDidChangeConversations: session.onDidChange,
    isChatViewReady: () => view.isReady,
    whenRestored: () => restored,
    flushHistory: () => session.flushHistory(),
  };
}

let flushOnExit: (() => Promise<void>) | undefined;

/** Everything else is in context.subscriptions; the history gets its last writes onto the disk first. */
export function deactivate(): Promise<void> | undefined {
  return flushOnExit?.();
}
