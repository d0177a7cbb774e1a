// What the buttons on a code block in an answer do. The webview names only the action, the code and the
// answer's id: the file comes from the question the host recorded, never from the webview.
import vscode = require('vscode');
import type { CodeAction, CodeContext } from '../protocol';
import type { ChatSession } from './session';
import type { DiffPreview } from './diffPreview';
import type { Log } from './log';
import { loadLlm } from './llmLoader';
import { offerOtherFile } from './otherFileApply';
import { fenceFor } from '../core/prompts';
import { languageIdForFence } from '../core/fenceLanguage';
import { restoreRedacted } from '../core/redactRestore';
import { readSettings } from './settings';
import { insertionFor } from './insertion';

export class CodeBlockActions {
  constructor(
    private readonly session: ChatSession,
    private readonly diff: DiffPreview,
    private readonly log: Log,
  ) {}

  async run(action: CodeAction, code: string, language: string, messageId: string): Promise<void> {
    const found = this.session.messageWithQuestion(messageId);
    // Only code that is in that answer reaches a document, whatever the webview says. Lines are compared
    // without their indentation: a fence inside a list item is indented in the answer's source.
    const squash = (t: string) => t.replace(/\r\n/g, '\n').split('\n').map(l => l.trimStart()).join('\n').trim();
    if (!found || !squash(found.message.text).includes(squash(code))) {
      this.log.warn('codeBlock', `refused ${action}: the code is not part of answer ${messageId}`);
      void vscode.window.showWarningMessage(vscode.l10n.t('Tandem did not use that code: it is not part of the answer it came from.'));
      return;
    }
    const context = found.question?.context;
    // What was sent with the question, where a secret replaced by [REDACTED] may have come from.
    const sent = [found.question?.text ?? '', context?.before ?? '', context?.code ?? '', context?.after ?? '',
      ...(found.question?.attachments ?? []).map(a => a.code)].join('\n');
    /** The code with repeated placeholders mapped back, or undefined (and the user told) when that is not certain. */
    const restored = (text: string, original: string): string | undefined => {
      if (!readSettings().redactCredentials) return text;
      const r = restoreRedacted(text, original, sent);
      if (r.ok) return r.text;
      void vscode.window.showWarningMessage(vscode.l10n.t('Tandem did not use that code: {0}', r.reason));
      return undefined;
    };
    switch (action) {
      case 'copy':
        await vscode.env.clipboard.writeText(code);
        return;
      case 'insert': {
        const editor = await this.targetEditor(context);
        const text = editor && restored(code, '');
        if (!editor || text === undefined) return;
        const at = insertionFor(editor.document, editor.selection.active, text);
        await editor.edit(b => b.insert(at.position, at.text));
        return;
      }
      case 'replaceSelection': {
        const editor = await this.targetEditor(context);
        if (!editor) return;
        const text = restored(code, editor.document.getText(editor.selection));
        if (text === undefined) return;
        await editor.edit(b => (editor.selection.isEmpty ? b.insert(editor.selection.active, text) : b.replace(editor.selection, text)));
        return;
      }
      case 'apply': {
        // The answer stopped inside this very block (it ends with the code, no closing fence after it):
        // the engine is given the block unclosed too, so it can tell unfinished code from finished.
        const text = found.message.text.trimEnd();
        const cut = squash(text).endsWith(squash(code)) && !/\n[ \t]*(`{3,}|~{3,})[ \t]*$/.test(text);
        await this.apply(code, language, context, restored, messageId, cut);
        return;
      }
      case 'newFile': {
        const text = restored(code, '');
        if (text === undefined) return;
        const doc = await vscode.workspace.openTextDocument({ language: languageIdForFence(language), content: text });
        await vscode.window.showTextDocument(doc, { preview: false });
        return;
      }
      default: {
        const unreachable: never = action;
        return unreachable;
      }
    }
  }

  /**
   * The editor the question came from, else (a question about no file) the active one. A closed one is
   * reopened with the code the question was about selected, where it is still found exactly once, so
   * Replace Selection replaces that code and Insert goes after it, as before it was closed. When the
   * file cannot be opened again the user is told, and no other file gets the code.
   */
  private async targetEditor(context: CodeContext | undefined): Promise<vscode.TextEditor | undefined> {
    if (context?.uri) {
      const visible = vscode.window.visibleTextEditors.find(e => e.document.uri.toString() === context.uri);
      if (visible) return vscode.window.showTextDocument(visible.document, { viewColumn: visible.viewColumn, selection: visible.selection });
      try {
        const doc = await vscode.workspace.openTextDocument(vscode.Uri.parse(context.uri, true));
        const text = doc.getText();
        const first = text.indexOf(context.code);
        const once = context.code !== '' && first >= 0 && text.indexOf(context.code, first + 1) < 0;
        const selection = once ? new vscode.Range(doc.positionAt(first), doc.positionAt(first + context.code.length)) : undefined;
        return await vscode.window.showTextDocument(doc, { preview: false, selection });
      } catch (e) {
        this.log.warn('codeBlock', `could not reopen ${context.file}: ${String(e)}`);
        void vscode.window.showWarningMessage(vscode.l10n.t('{0} could not be opened again (was it moved or deleted?). The code stays in the chat: Copy it, or use New File.', context.file));
        return undefined;
      }
    }
    const editor = vscode.window.activeTextEditor ?? vscode.window.visibleTextEditors[0];
    if (!editor) void vscode.window.showInformationMessage(vscode.l10n.t('Open a file and place the cursor where the code should go.'));
    return editor;
  }

  /** Applies the code to the file the question was about (its lines), with a diff to accept or reject. */
  private async apply(
    code: string,
    language: string,
    context: CodeContext | undefined,
    restored: (text: string, original: string) => string | undefined,
    messageId: string,
    cut: boolean,
  ): Promise<void> {
    const editor = await this.targetEditor(context);
    if (!editor) return;
    const doc = editor.document;
    let start = doc.offsetAt(editor.selection.start);
    let end = doc.offsetAt(editor.selection.end);
    if (context?.uri === doc.uri.toString()) {
      // The code the question was about, wherever it is now (lines above may have changed since).
      const text = doc.getText();
      const first = text.indexOf(context.code);
      if (first < 0 || text.indexOf(context.code, first + 1) >= 0) {
        void vscode.window.showWarningMessage(
          vscode.l10n.t('The code the question was about is no longer in {0} exactly once. Select where the code should go and use Replace Selection; the code stays in the chat.', context.file),
        );
        return;
      }
      start = first;
      end = first + context.code.length;
    }
    const fence = fenceFor(code);
    const reply = cut ? `${fence}${language}\n${code}\n` : `${fence}${language}\n${code}\n${fence}\n`;
    const path = doc.isUntitled ? undefined : vscode.workspace.asRelativePath(doc.uri, false);
    const result = loadLlm().applyReply({ documentText: doc.getText(), selection: { start, end }, reply, languageId: doc.languageId, path });
    if (!result.ok) {
      if (result.kind === 'other-file') {
        await offerOtherFile(result.file, path ?? doc.fileName, reply, this.diff, this.log, restored);
        return;
      }
      const more = vscode.l10n.t('Continue');
      const choice = await vscode.window.showWarningMessage(
        vscode.l10n.t('Tandem did not apply the code: {0} The code stays in the chat.', result.reason),
        ...(result.kind === 'cut-off' ? [more] : []),
      );
      if (choice === more) await this.session.continueAnswer(messageId);
      return;
    }
    const text = restored(result.edit.text, doc.getText().slice(result.edit.start, result.edit.end));
    if (text === undefined) return;
    const outcome = await this.diff.review(doc, { ...result.edit, text }, vscode.l10n.t('the code from the chat'));
    if (outcome === 'stale') void vscode.window.showWarningMessage(vscode.l10n.t('{0} changed while you reviewed, and the change could not be placed safely. Nothing was applied.', context?.file ?? 'The file'));
    this.log.info('codeBlock', `apply to ${doc.uri.toString()}: ${outcome} (${result.method})`);
  }
}
