// The sidebar chat: a view of the session. Posts the state when the view is ready or shown again, then
// deltas; turns the webview's intents (parsed at the boundary) into actions.
import vscode = require('vscode');
import * as crypto from 'crypto';
import { parseWebviewMessage, type ContextChip, type ErrorAction, type HostMessage, type SetupState, type SetupStep, type WebviewMessage } from '../protocol';
import { readSettings } from './settings';
import type { KeyStore } from './keyStore';
import type { ContextChips } from './contextChips';
import type { CodeBlockActions } from './codeBlockActions';
import { answerMarkdown } from '../core/exportMarkdown';
import { chatViewCsp } from '../core/webviewCsp';
import { CHAT_VIEW_ID, Commands, SETTINGS_SECTION } from './ids';
import { UNDO_DELETE_MS, type ChatSession } from './session';
import { intakeImages } from './imageIntake';
import type { Log } from './log';
import type { Mentions } from './mentions';
import type { ProjectInstructions } from './instructions';

export class ChatViewProvider implements vscode.WebviewViewProvider, vscode.Disposable {
  private view: vscode.WebviewView | undefined;
  private ready = false;
  private readonly disposables: vscode.Disposable[] = [];
  private readonly readyEmitter = new vscode.EventEmitter<void>();
  readonly onDidBecomeReady = this.readyEmitter.event;

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly session: ChatSession,
    private readonly log: Log,
    private readonly keys: KeyStore,
    private readonly chips: ContextChips,
    private readonly codeActions: CodeBlockActions,
    private readonly mentions?: Mentions,
    private readonly instructions?: ProjectInstructions,
  ) {
    this.disposables.push(
      ...(instructions ? [instructions.onDidChange(() => this.post({ type: 'chips', chips: this.allChips() }))] : []),
      session.onDidAppend(e => this.post({ type: 'append', ...e })),
      session.onDidUpdateMessage(e => this.post({ type: 'messageUpdated', conversationId: e.conversationId, message: e.message })),
      session.onDidReset(() => this.postState()),
      chips.onDidChange(() => this.post({ type: 'chips', chips: this.allChips() })),
      vscode.workspace.onDidChangeConfiguration(e => {
        if (e.affectsConfiguration(SETTINGS_SECTION)) this.postState();
      }),
    );
  }

  get isReady(): boolean {
    return this.ready && this.view?.visible === true;
  }

  resolveWebviewView(view: vscode.WebviewView): void {
    this.view = view;
    this.ready = false;
    const roots = [vscode.Uri.joinPath(this.extensionUri, 'dist'), vscode.Uri.joinPath(this.extensionUri, 'media')];
    view.webview.options = { enableScripts: true, enableCommandUris: false, localResourceRoots: roots };
    view.webview.html = this.html(view.webview);
    const subs = [
      view.webview.onDidReceiveMessage(raw => this.receive(raw)),
      // Without retainContextWhenHidden the page is torn down when hidden; it posts `ready` again when shown.
      view.onDidChangeVisibility(() => {
        if (!view.visible) this.ready = false;
      }),
    ];
    view.onDidDispose(() => {
      subs.forEach(d => d.dispose());
      if (this.view === view) {
        this.view = undefined;
        this.ready = false;
      }
    });
  }

  /** Shows the chat without taking focus from the editor when it is already resolved. */
  async reveal(focusInput = false): Promise<void> {
    if (this.view) this.view.show(!focusInput);
    else await vscode.commands.executeCommand(`${CHAT_VIEW_ID}.focus`);
    if (focusInput) this.post({ type: 'focusInput' });
  }

  private post(message: HostMessage): void {
    if (!this.view || !this.ready || !this.view.visible) return;
    void this.view.webview.postMessage(message);
  }

  private postState(): void {
    if (!this.view || !this.ready) return;
    void this.setupState().then(setup => this.post({ type: 'state', state: { ...this.session.viewState(), setup, chips: this.allChips() } }));
  }

  /** The project's instructions for the active conversation, then what goes with the next question. */
  private allChips(): ContextChip[] {
    const instructions = this.instructions?.chip(this.session.activeConversationId);
    return [...(instructions ? [instructions] : []), ...this.chips.chips()];
  }

  /** Why Tandem cannot send yet, if it cannot: shown as a setup card in an empty conversation. */
  private async setupState(): Promise<SetupState | undefined> {
    const s = readSettings();
    if (!s.baseUrl) return { reason: 'badEndpoint', detail: s.baseUrlError ?? vscode.l10n.t('The base URL is not set.') };
    const key = await this.keys.lookup(s.provider, s.baseUrl);
    if (key.kind === 'missing') return { reason: 'missingKey', detail: vscode.l10n.t('{0} at {1} needs an API key. It is kept in VS Code\'s secret storage and sent only there.', s.preset.label, key.origin) };
    return undefined;
  }

  private receive(raw: unknown): void {
    void this.intent(raw);
  }

  /**
   * Handles one message as if the webview sent it (the tests drive the view's intents through here);
   * resolves to the message posted back in answer, for the intents that have one (mentions).
   */
  async intent(raw: unknown): Promise<HostMessage | undefined> {
    const msg = parseWebviewMessage(raw);
    if (!msg) {
      this.log.warn('chatView', `dropped a malformed message from the webview: ${JSON.stringify(raw).slice(0, 200)}`);
      return undefined;
    }
    return this.handle(msg).catch(e => {
      this.log.error('chatView', `${msg.type} failed: ${String(e)}`);
      return undefined;
    });
  }

  /** The chips the view shows now (extension tests). */
  currentChips(): ContextChip[] {
    return this.allChips();
  }

  /** Deletes at once and offers Undo while the log is kept (UNDO_DELETE_MS). */
  private async deleteWithUndo(id: string): Promise<void> {
    const title = await this.session.deleteConversation(id);
    if (title === undefined) return;
    const undo = vscode.l10n.t('Undo');
    const pick = await vscode.window.showInformationMessage(vscode.l10n.t('Deleted "{0}".', title), undo);
    if (pick === undo && !this.session.undoDelete(id)) {
      void vscode.window.showInformationMessage(vscode.l10n.t('"{0}" can no longer be restored: Undo is offered for {1} seconds.', title, UNDO_DELETE_MS / 1000));
    }
  }

  private async handle(msg: WebviewMessage): Promise<HostMessage | undefined> {
    switch (msg.type) {
      case 'ready':
        this.ready = true;
        this.postState();
        this.readyEmitter.fire();
        return;
      case 'ask': {
        const contexts = msg.chips ? await this.chips.resolve(msg.chips) : [];
        const pasted = intakeImages(msg.images ?? []);
        if (pasted.refused.length) {
          // The composer checks the same rules first: this is a stale or tampered view. The question goes on.
          this.log.warn('chatView', `images left out: ${pasted.refused.join('; ')}`);
          void vscode.window.showWarningMessage(vscode.l10n.t('Tandem left out an image it cannot send: {0}', pasted.refused.join('; ')));
        }
        // The selection or current file is the question's code; # mentions go after it as attachments.
        const main = contexts.find(c => !c.mention);
        await this.session.ask(msg.text, main, contexts.filter(c => c !== main), false, pasted.images);
        return;
      }
      case 'stop':
        this.session.stop();
        return;
      case 'newConversation':
        this.session.newConversation();
        return;
      case 'openConversation':
        this.session.openConversation(msg.id);
        return;
      case 'deleteConversation':
        // Not awaited: the notification stays until the user answers or dismisses it.
        void this.deleteWithUndo(msg.id);
        return;
      case 'openConversationFile': {
        const file = this.session.historyFile(msg.id);
        if (file) await vscode.window.showTextDocument(vscode.Uri.file(file), { preview: true });
        return;
      }
      case 'renameConversation':
        this.session.renameConversation(msg.id, msg.title);
        return;
      case 'clearConversations':
        await this.session.clearConversations();
        return;
      case 'exportConversation':
        await vscode.commands.executeCommand(Commands.exportConversation, { id: msg.id });
        return;
      case 'regenerate':
        await this.session.retry(msg.messageId);
        return;
      case 'editAndResend':
        await this.session.editAndResend(msg.messageId, msg.text);
        return;
      case 'copyMessage': {
        const m = this.session.messageWithQuestion(msg.messageId)?.message;
        if (m) await vscode.env.clipboard.writeText(m.text);
        return;
      }
      case 'openAnswerInEditor': {
        const m = this.session.messageWithQuestion(msg.messageId)?.message;
        if (!m) return;
        const doc = await vscode.workspace.openTextDocument({ language: 'markdown', content: answerMarkdown(m) });
        await vscode.window.showTextDocument(doc, { preview: false });
        return;
      }
      case 'setup':
        await this.setupStep(msg.step);
        this.postState();
        return;
      case 'pickFile':
        await this.chips.pickFile();
        return;
      case 'removeChip':
        this.chips.remove(msg.id);
        return;
      case 'mentionQuery': {
        const items = (await this.mentions?.query(msg.kind, msg.query)) ?? [];
        const reply: HostMessage = { type: 'mentionItems', requestId: msg.requestId, items };
        this.post(reply);
        return reply;
      }
      case 'addMention': {
        const error = this.mentions ? await this.mentions.add(msg.kind, msg.item) : vscode.l10n.t('Mentions are not available.');
        const reply: HostMessage = error ? { type: 'mentionResult', requestId: msg.requestId, error } : { type: 'mentionResult', requestId: msg.requestId };
        this.post(reply);
        return reply;
      }
      case 'setInstructions':
        await this.instructions?.setOn(this.session.activeConversationId, msg.on);
        return;
      case 'codeAction':
        await this.codeActions.run(msg.action, msg.code, msg.language, msg.messageId);
        return;
      case 'retryNow':
        this.session.retryNow();
        return;
      case 'errorAction':
        await this.errorAction(msg.messageId, msg.action);
        return;
      case 'openLink':
        await this.openLink(msg.href);
        return;
      default: {
        const unreachable: never = msg;
        return unreachable;
      }
    }
  }

  private async setupStep(step: SetupStep): Promise<void> {
    const command = { setApiKey: Commands.setApiKey, selectProvider: Commands.selectProvider, selectModel: Commands.selectModel, testConnection: Commands.testConnection }[step];
    await vscode.commands.executeCommand(command);
  }

  private async errorAction(messageId: string, action: ErrorAction): Promise<void> {
    switch (action) {
      case 'retry':
        return this.session.retry(messageId);
      case 'trimAndRetry':
        return this.session.retry(messageId, 'trim');
      case 'removeImagesAndRetry':
        return this.session.retryWithoutImages(messageId);
      case 'continue':
        return this.session.continueAnswer(messageId);
      case 'setApiKey':
        // With a key stored, the question that failed for want of one is asked again.
        if ((await vscode.commands.executeCommand<boolean>(Commands.setApiKey)) === true) return this.session.retry(messageId);
        return;
      case 'selectModel':
        await vscode.commands.executeCommand(Commands.selectModel);
        return;
      case 'testConnection':
        await vscode.commands.executeCommand(Commands.testConnection);
        return;
      case 'openSettings':
        await vscode.commands.executeCommand('workbench.action.openSettings', 'tandem.');
        return;
      case 'openUsage': {
        const url = readSettings().preset.usageUrl;
        if (url) await vscode.env.openExternal(vscode.Uri.parse(url));
        return;
      }
      case 'showLog':
        this.log.show();
        return;
      default: {
        const unreachable: never = action;
        return unreachable;
      }
    }
  }

  /** Model output is untrusted: only http(s), and only after the user saw the full URL. */
  private async openLink(href: string): Promise<void> {
    let uri: URL;
    try {
      uri = new URL(href);
    } catch {
      return;
    }
    if (uri.protocol !== 'http:' && uri.protocol !== 'https:') {
      this.log.warn('chatView', `refused to open a ${uri.protocol} link from an answer`);
      return;
    }
    const open = vscode.l10n.t('Open Link');
    const pick = await vscode.window.showWarningMessage(vscode.l10n.t('Open this link from the answer?\n{0}', uri.href), { modal: true }, open);
    if (pick === open) await vscode.env.openExternal(vscode.Uri.parse(uri.href, true));
  }

  private html(webview: vscode.Webview): string {
    const nonce = crypto.randomBytes(18).toString('base64');
    const script = webview.asWebviewUri(vscode.Uri.joinPath(this.extensionUri, 'dist', 'webview.js'));
    const css = webview.asWebviewUri(vscode.Uri.joinPath(this.extensionUri, 'media', 'chat.css'));
    const codicons = webview.asWebviewUri(vscode.Uri.joinPath(this.extensionUri, 'dist', 'codicon.css'));
    const csp = chatViewCsp(webview.cspSource, nonce);
    return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${codicons.toString()}">
<link rel="stylesheet" href="${css.toString()}">
<title>Tandem</title>
</head>
<body>
<div id="app"></div>
<script nonce="${nonce}" src="${script.toString()}"></script>
</body>
</html>`;
  }

  dispose(): void {
    this.disposables.forEach(d => d.dispose());
    this.readyEmitter.dispose();
  }
}
