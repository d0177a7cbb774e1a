// Shows a proposed change as a diff (the file against a virtual document with the change) and applies it
// only when the user accepts, as one undoable edit, and only if the file still says what it said.
import * as vscode from 'vscode';

export interface ProposedEdit {
  /** Offsets into the document text the edit was computed for. */
  start: number;
  end: number;
  text: string;
}

export type ReviewOutcome = 'accepted' | 'rejected' | 'stale';

const SCHEME = 'tandem-preview';
export const REVIEW_CONTEXT_KEY = 'tandem.reviewingEdit';

export class DiffPreview implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly contents = new Map<string, string>();
  private decide: ((accept: boolean) => void) | undefined;
  private counter = 0;
  private readonly registration = vscode.workspace.registerTextDocumentContentProvider(SCHEME, this);

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

  async review(doc: vscode.TextDocument, edit: ProposedEdit, what: string): Promise<ReviewOutcome> {
    this.resolve(false); // one review at a time: a new one rejects the old
    const original = doc.getText();
    const version = doc.version;
    const proposed = original.slice(0, edit.start) + edit.text + original.slice(edit.end);
    this.counter += 1;
    const previewUri = vscode.Uri.from({ scheme: SCHEME, path: doc.uri.path, query: `r${this.counter}` });
    this.contents.set(previewUri.toString(), proposed);
    const name = doc.uri.path.split('/').pop() ?? 'file';
    // Ready for a decision before the diff shows: Accept can come as soon as the user sees it.
    const decided = new Promise<boolean>(r => (this.decide = r));
    await vscode.commands.executeCommand('setContext', REVIEW_CONTEXT_KEY, true);
    await vscode.commands.executeCommand('vscode.diff', doc.uri, previewUri, vscode.l10n.t('{0} ↔ {1} by Tandem', name, what), { preview: true, preserveFocus: false });
    const accept = vscode.l10n.t('Accept');
    const reject = vscode.l10n.t('Reject');
    void vscode.window
      .showInformationMessage(vscode.l10n.t('Apply {0} to {1}? (Ctrl+Alt+Shift+Y accepts, Ctrl+Alt+Shift+R rejects)', what, name), accept, reject)
      .then(p => (p === undefined ? undefined : this.resolve(p === accept)));
    const ok = await decided;
    await vscode.commands.executeCommand('setContext', REVIEW_CONTEXT_KEY, false);
    await this.closePreview(previewUri);
    this.contents.delete(previewUri.toString());
    if (!ok) return 'rejected';
    return this.apply(doc, edit, original, version);
  }

  /** Applies as one edit; if the user typed meanwhile, re-locates the target or refuses. */
  async apply(doc: vscode.TextDocument, edit: ProposedEdit, original: string, version: number): Promise<ReviewOutcome> {
    let { start, end } = edit;
    if (doc.version !== version) {
      const target = original.slice(start, end);
      const now = doc.getText();
      const first = now.indexOf(target);
      const unique = first >= 0 && now.indexOf(target, first + 1) < 0;
      const before = original.slice(Math.max(0, start - 200), start);
      if (target === '' ? !now.includes(before) || before === '' : !unique) return 'stale';
      if (target === '') {
        start = now.indexOf(before) + before.length;
        end = start;
      } else {
        start = first;
        end = first + target.length;
      }
    }
    const we = new vscode.WorkspaceEdit();
    we.replace(doc.uri, new vscode.Range(doc.positionAt(start), doc.positionAt(end)), edit.text);
    return (await vscode.workspace.applyEdit(we)) ? 'accepted' : 'stale';
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
  }
}
