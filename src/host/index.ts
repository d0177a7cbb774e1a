// The host bundle's entry (dist/host.js): builds the session, the history store, the chat view, the diff
// preview and the commands. dist/extension.js requires it on first use (a command, the chat view, the
// public API), not at activation. Objects both bundles use (the context, the status bar, the API's event)
// are made by dist/extension.js and passed in here, so there is one of each.
import vscode = require('vscode');
import * as path from 'path';
import type { ContextChip, ConversationState } from '../protocol';
import { Log } from './log';
import { KeyStore } from './keyStore';
import { ChatSession } from './session';
import { ChatViewProvider } from './chatViewProvider';
import { commandHandlers, offerEnvKeyImport, type CommandId } from './commands';
import type { ModelStatusBar } from './statusBar';
import { HistoryStore } from './historyStore';
import { ContextChips } from './contextChips';
import { DiffPreview } from './diffPreview';
import { CodeBlockActions } from './codeBlockActions';
import { EndpointResolver } from './endpoint';
import { AnswerRunner } from './answerRunner';
import { ChatModelProvider } from './lmProvider';
import { TandemParticipant } from './chatParticipant';
import { Mentions } from './mentions';
import { TerminalCapture } from './terminalCapture';
import { ProjectInstructions } from './instructions';

export interface HostShared {
  context: vscode.ExtensionContext;
  statusBar: ModelStatusBar;
  /** The public API's onDidChangeConversations, which exists before the host does. */
  conversationsChanged: vscode.EventEmitter<void>;
  /** The language-model provider's onDidChangeLanguageModelChatInformation, registered at activation. */
  modelsChanged: vscode.EventEmitter<void>;
}

export interface Host {
  runCommand(id: CommandId, args: unknown[]): unknown;
  readonly view: vscode.WebviewViewProvider;
  /** Tandem's models for VS Code's Chat and other extensions. */
  readonly models: ChatModelProvider;
  /** @tandem in VS Code's Chat. */
  readonly participant: TandemParticipant;
  isChatViewReady(): boolean;
  getConversations(): ConversationState[];
  whenRestored(): Promise<void>;
  flushHistory(): Promise<void>;
  refreshHistory(): Promise<void>;
  historyWriteProblem(): string | undefined;
  /** A chat view intent, handled as if the webview sent it. */
  viewIntent(message: unknown): Promise<unknown>;
  /** The chips the chat view shows now. */
  viewChips(): ContextChip[];
}

export function startHost({ context, statusBar, conversationsChanged, modelsChanged }: HostShared): Host {
  const log = new Log();
  const keys = new KeyStore(context.secrets, context.globalState);
  const endpoints = new EndpointResolver(keys, log, context.globalState);
  const answers = new AnswerRunner(log);
  const deps = { keys, log, state: context.globalState, endpoints, answers } as const;
  const storage = context.globalStorageUri;
  const showLog = vscode.l10n.t('Show Log');
  const store = storage.scheme === 'file'
    ? new HistoryStore(path.join(storage.fsPath, 'conversations'), {
      log: (level, line) => log[level]('history', line),
      onWriteError: reason => {
        void vscode.window.showWarningMessage(
          vscode.l10n.t('Tandem cannot save conversations: {0}. Nothing is lost while this window stays open; they are saved as soon as writing works again.', reason),
          showLog,
        ).then(pick => pick === showLog && log.show());
      },
      onWriteRecovered: () => void vscode.window.showInformationMessage(vscode.l10n.t('Tandem saved the conversations it held back.')),
    })
    : undefined;
  const instructions = new ProjectInstructions(context.workspaceState);
  if (!store) log.warn('history', `conversations are not kept: storage is at ${storage.toString()}, not on disk`);
  const session: ChatSession = new ChatSession(
    endpoints,
    answers,
    log,
    (provider, origin, messageId) => void offerEnvKeyImport({ ...deps, session }, provider, origin, messageId),
    store,
    instructions,
  );
  const chips = new ContextChips();
  const terminals = new TerminalCapture();
  const diff = new DiffPreview();
  const view = new ChatViewProvider(context.extensionUri, session, log, keys, chips, new CodeBlockActions(session, diff, log), new Mentions(chips, terminals, log), instructions);
  const participant = new TandemParticipant({ diff, answers, log });
  const handlers = commandHandlers({ ...deps, session, view, diff, participant, instructions });
  const models = new ChatModelProvider(endpoints, answers, log, modelsChanged, context.secrets);
  statusBar.follow(session);
  context.subscriptions.push(
    log, answers, session, chips, terminals, instructions, diff, view, models, session.onDidChange(() => conversationsChanged.fire()),
    // Answers for VS Code's Chat change the totals without a conversation of Tandem's changing.
    answers.onDidChangeTotals(() => statusBar.update()),
    // Another window may have written to the same conversations: read them when this one is used again.
    vscode.window.onDidChangeWindowState(s => {
      if (s.focused) void session.refreshFromDisk().catch(e => log.warn('history', `refresh failed: ${String(e)}`));
    }),
    { dispose: () => void store?.dispose() },
  );
  // Not awaited: the view and the API see the history once it is read.
  const restored = session.restore();
  log.info('host', 'loaded');
  return {
    runCommand: (id, args) => handlers[id](...(args as never[])),
    view,
    models,
    participant,
    isChatViewReady: () => view.isReady,
    getConversations: () => session.getConversations(),
    whenRestored: () => restored,
    flushHistory: () => session.flushHistory(),
    refreshHistory: () => session.refreshFromDisk(),
    historyWriteProblem: () => store?.writeFailing,
    viewIntent: message => view.intent(message),
    viewChips: () => view.currentChips(),
  };
}
