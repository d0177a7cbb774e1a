// Shows a proposed change as a diff (the file against a virtual document with the change) and applies it
// only when the user accepts, as one undoable edit, and only if the file still says what it said.
//
// The decision stays on offer for as long as the diff is open: a notification (which VS Code hides after
// a while, and the user may dismiss), Accept and Reject buttons in the diff's title bar (the manifest
// shows them only on a Tandem preview), two status-bar items while any review is open, and the
// keybindings. Dismissing the notification decides nothing; closing the diff rejects the change.
import vscode = require('vscode');
import { Commands } from './ids';

export interface ProposedEdit {
  /** Offsets into the document text the edit was computed for. */
  start: number;
  end: number;
  text: string;
}

export type ReviewOutcome = 'accepted' | 'rejected' | 'stale';

/** The preview's scheme; the manifest's `editor/title` buttons test `resourceScheme` against it. */
export const PREVIEW_SCHEME = 'tandem-preview';
const SCHEME = PREVIEW_SCHEME;
export const REVIEW_CONTEXT_KEY = 'tandem.reviewingEdit';

export class DiffPreview implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly contents = new Map<string, string>();
  private decide: ((accept: boolean) => void) | undefined;
  private counter = 0;
  private readonly registration = vscode.workspace.registerTextDocumentContentProvider(SCHEME, this);
  /** Shown while a review waits: they stay when the notification is gone and the diff is not in front. */
  private readonly acceptItem = vscode.window.createStatusBarItem('tandem.review.accept', vscode.StatusBarAlignment.Left, 1000);
  private readonly rejectItem = vscode.window.createStatusBarItem('tandem.review.reject', vscode.StatusBarAlignment.Left, 999);

  constructor() {
    this.acceptItem.name = vscode.l10n.t('Tandem: Accept Proposed Change');
    this.acceptItem.command = Commands.acceptEdit;
    this.acceptItem.backgroundColor = new vscode.ThemeColor('statusBarItem.warningBackground');
    this.rejectItem.name = vscode.l10n.t('Tandem: Reject Proposed Change');
    this.rejectItem.command = Commands.rejectEdit;
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.contents.get(uri.toString()) ?? '';
  }

  /** Accept or reject the change being reviewed (buttons, keybindings, commands). */
  resolve(accept: boolean): boolean {
    const d = this.decide;
    this.decide = undefined;
    d?.(accept);
    return d !== undefined;
  }

  get reviewing(): boolean {
    return this.decide !== undefined;
  }

  /** `computedFor`: the document text and version the edit's offsets refer to (default: as it is now). */
  async review(doc: vscode.TextDocument, edit: ProposedEdit, what: string, computedFor?: { version: number; text: string }): Promise<ReviewOutcome> {
    this.resolve(false); // one review at a time: a new one rejects the old
    const original = computedFor?.text ?? doc.getText();
    const version = computedFor?.version ?? doc.version;
    if (doc.version !== version) {
      // Typed since the edit was computed: preview it where it lands now, or not at all.
      const moved = this.relocate(doc, edit, original);
      if (!moved) return 'stale';
      return this.review(doc, moved, what);
    }
    const proposed = original.slice(0, edit.start) + edit.text + original.slice(edit.end);
    this.counter += 1;
    const previewUri = vscode.Uri.from({ scheme: SCHEME, path: doc.uri.path, query: `r${this.counter}` });
    this.contents.set(previewUri.toString(), proposed);
    const name = doc.uri.path.split('/').pop() ?? 'file';
    // Ready for a decision before the diff shows: Accept can come as soon as the user sees it.
    const decided = new Promise<boolean>(r => (this.decide = r));
    const mine = this.decide;
    // Closing the diff without deciding is a Reject, so nothing waits forever.
    const closed = vscode.window.tabGroups.onDidChangeTabs(e => {
      if (e.closed.some(t => t.input instanceof vscode.TabInputTextDiff && t.input.modified.toString() === previewUri.toString()) && this.decide === mine) this.resolve(false);
    });
    await vscode.commands.executeCommand('setContext', REVIEW_CONTEXT_KEY, true);
    await vscode.commands.executeCommand('vscode.diff', doc.uri, previewUri, vscode.l10n.t('{0} ↔ {1} by Tandem', name, what), { preview: true, preserveFocus: false });
    const accept = vscode.l10n.t('Accept');
    const reject = vscode.l10n.t('Reject');
    const mod = process.platform === 'darwin' ? 'Cmd' : 'Ctrl';
    this.showItems(what, name, mod);
    void vscode.window
      .showInformationMessage(vscode.l10n.t('Apply {0} to {1}? ({2}+Alt+Shift+Y accepts, {2}+Alt+Shift+R rejects; the buttons in the diff\'s title bar and the status bar stay until you decide)', what, name, mod), accept, reject)
      // A notification answers only its own review, never a later one; dismissed, it leaves the review open.
      .then(p => (p === undefined || this.decide !== mine ? undefined : this.resolve(p === accept)));
    const ok = await decided;
    closed.dispose();
    // A newer review may already be showing its own items and context (it rejected this one to start).
    if (!this.reviewing) this.hideItems();
    if (!this.reviewing) await vscode.commands.executeCommand('setContext', REVIEW_CONTEXT_KEY, false);
    await this.closePreview(previewUri);
    this.contents.delete(previewUri.toString());
    if (!ok) return 'rejected';
    return this.apply(doc, edit, original, version);
  }

  /** Where an edit computed for `original` lands in the document as it is now; undefined if not unique. */
  private relocate(doc: vscode.TextDocument, edit: ProposedEdit, original: string): ProposedEdit | undefined {
    const now = doc.getText();
    const unique = (needle: string): number | undefined => {
      const first = now.indexOf(needle);
      return first >= 0 && now.indexOf(needle, first + 1) < 0 ? first : undefined;
    };
    const target = original.slice(edit.start, edit.end);
    if (target !== '') {
      const at = unique(target);
      return at === undefined ? undefined : { ...edit, start: at, end: at + target.length };
    }
    const before = original.slice(Math.max(0, edit.start - 200), edit.start);
    const at = before === '' ? undefined : unique(before);
    return at === undefined ? undefined : { ...edit, start: at + before.length, end: at + before.length };
  }

  /** Applies as one edit; if the user typed meanwhile, re-locates the target or refuses. */
  async apply(doc: vscode.TextDocument, edit: ProposedEdit, original: string, version: number): Promise<ReviewOutcome> {
    const target = doc.version === version ? edit : this.relocate(doc, edit, original);
    if (!target) return 'stale';
    const we = new vscode.WorkspaceEdit();
    we.replace(doc.uri, new vscode.Range(doc.positionAt(target.start), doc.positionAt(target.end)), target.text);
    return (await vscode.workspace.applyEdit(we)) ? 'accepted' : 'stale';
  }

  private showItems(what: string, file: string, mod: string): void {
    this.acceptItem.text = `$(check) ${vscode.l10n.t('Accept {0}', what)}`;
    this.acceptItem.tooltip = vscode.l10n.t('Apply {0} to {1} ({2}+Alt+Shift+Y)', what, file, mod);
    this.rejectItem.text = `$(close) ${vscode.l10n.t('Reject')}`;
    this.rejectItem.tooltip = vscode.l10n.t('Leave {0} as it is ({1}+Alt+Shift+R)', file, mod);
    this.acceptItem.show();
    this.rejectItem.show();
  }

  private hideItems(): void {
    this.acceptItem.hide();
    this.rejectItem.hide();
  }

  private async closePreview(previewUri: vscode.Uri): Promise<void> {
    for (const group of vscode.window.tabGroups.all) {
      for (const tab of group.tabs) {
        const input = tab.input;
        if (input instanceof vscode.TabInputTextDiff && input.modified.toString() === previewUri.toString()) {
          await vscode.window.tabGroups.close(tab);
        }
      }
    }
  }

  dispose(): void {
    this.resolve(false);
    this.registration.dispose();
    this.acceptItem.dispose();
    this.rejectItem.dispose();
  }
}
