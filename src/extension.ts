// Activation (dist/extension.js): registers every contributed command, the chat view, the lightbulb,
// the status-bar item, the language-model provider and the @tandem chat participant, and returns the
// public API. It requires no Node built-in and none of Tandem's host code: the first command, the chat
// view's first resolve, VS Code's first question to the language-model provider, the first request to
// @tandem or an API call that needs the session requires dist/host.js (src/host/index.ts), which builds
// everything else and starts reading the history; dist/llm.js waits for the first request.
import vscode = require('vscode');
import type { ContextChip, ConversationState } from './protocol';
import type { Host } from './host/index';
import { CHAT_VIEW_ID, Commands, LM_VENDOR, PARTICIPANT_ID } from './host/ids';
import { FixCodeActionProvider } from './host/fixCodeActionProvider';
import { ModelStatusBar } from './host/statusBar';

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
  /** Resolves when every conversation change so far is on disk (or held back after a failed write). */
  flushHistory(): Promise<void>;
  /** Reads what other windows wrote to the history (done by itself when the window regains focus). */
  refreshHistory(): Promise<void>;
  /** Why conversations cannot be saved right now (they are held in memory meanwhile), or undefined. */
  historyWriteProblem(): string | undefined;
  /** Extension tests only (undefined in production): a chat view intent, handled as if the webview sent it. */
  viewIntent?(message: unknown): Promise<unknown>;
  /** Extension tests only (undefined in production): the @tandem participant's handler, as VS Code's Chat calls it. */
  participantRequest?: vscode.ChatRequestHandler;
  /** Extension tests only: the context chips the chat view shows now (what the next question carries). */
  viewChips?(): ContextChip[];
}

let host: Host | undefined;
/** Why the host could not be built, if it could not: every later use reports it rather than half-building it again. */
let hostFailure: Error | undefined;

export function activate(context: vscode.ExtensionContext): TandemApi {
  const statusBar = new ModelStatusBar();
  const conversationsChanged = new vscode.EventEmitter<void>();
  const modelsChanged = new vscode.EventEmitter<void>();
  hostFailure = undefined;
  const load = (): Host => {
    if (host) return host;
    if (hostFailure) throw hostFailure;
    try {
      host = (require('./host.js') as typeof import('./host/index')).startHost({ context, statusBar, conversationsChanged, modelsChanged });
    } catch (e) {
      const reason = e instanceof Error ? e.message : String(e);
      hostFailure = new Error(`Tandem could not start: ${reason}`);
      void vscode.window.showErrorMessage(`${hostFailure.message}. Reload the window; if it happens again, reinstall Tandem.`);
      throw hostFailure;
    }
    return host;
  };
  context.subscriptions.push(
    statusBar,
    conversationsChanged,
    ...Object.values(Commands).map(id => vscode.commands.registerCommand(id, (...args: unknown[]) => load().runCommand(id, args))),
    // The same options as the provider itself had when it was registered directly: none.
    vscode.window.registerWebviewViewProvider(CHAT_VIEW_ID, {
      resolveWebviewView: (view, resolveContext, token) => load().view.resolveWebviewView(view, resolveContext, token),
    }),
    vscode.languages.registerCodeActionsProvider('*', new FixCodeActionProvider(), { providedCodeActionKinds: FixCodeActionProvider.kinds }),
    modelsChanged,
  );
  // Tandem's models in VS Code's Chat: the host loads when VS Code first asks for the models, a
  // response or a token count. Editors built on VS Code without the API (forks) simply go without.
  if (typeof vscode.lm?.registerLanguageModelChatProvider === 'function') {
    context.subscriptions.push(vscode.lm.registerLanguageModelChatProvider(LM_VENDOR, {
      onDidChangeLanguageModelChatInformation: modelsChanged.event,
      provideLanguageModelChatInformation: (options, token) => load().models.provideLanguageModelChatInformation(options, token),
      provideLanguageModelChatResponse: (model, messages, options, progress, token) => load().models.provideLanguageModelChatResponse(model, messages, options, progress, token),
      provideTokenCount: (model, text) => load().models.provideTokenCount(model, text),
    }));
  }
  // @tandem in VS Code's Chat: the host loads with the first request to it.
  const participantRequest: vscode.ChatRequestHandler = (request, chatContext, stream, token) => load().participant.handle(request, chatContext, stream, token);
  if (typeof vscode.chat?.createChatParticipant === 'function') {
    const participant = vscode.chat.createChatParticipant(PARTICIPANT_ID, participantRequest);
    participant.iconPath = vscode.Uri.joinPath(context.extensionUri, 'media', 'icon.png');
    context.subscriptions.push(participant);
  }
  return {
    getConversations: () => load().getConversations(),
    onDidChangeConversations: conversationsChanged.event,
    // Without the host the view has not been resolved, so it cannot be ready; asking does not load it.
    isChatViewReady: () => host?.isChatViewReady() ?? false,
    whenRestored: () => load().whenRestored(),
    // Without the host nothing has changed, so nothing waits for the disk.
    flushHistory: () => host?.flushHistory() ?? Promise.resolve(),
    refreshHistory: () => load().refreshHistory(),
    historyWriteProblem: () => host?.historyWriteProblem(),
    viewIntent: context.extensionMode === vscode.ExtensionMode.Production ? undefined : message => load().viewIntent(message),
    participantRequest: context.extensionMode === vscode.ExtensionMode.Production ? undefined : participantRequest,
    viewChips: context.extensionMode === vscode.ExtensionMode.Production ? undefined : () => load().viewChips(),
  };
}

/** Everything else is in context.subscriptions; the history gets its last writes onto the disk first. */
export function deactivate(): Promise<void> | undefined {
  const loaded = host;
  host = undefined;
  return loaded?.flushHistory();
}
