// An answer whose change is labelled for another file than the one it was asked about (a path before
// the block, a `// filepath:` line, a diff's +++ path): the engine refuses it for this document and
// names the file. Here that file is found in the workspace, opened after the user agrees, and the same
// answer goes through the same engine and the same diff review there. A path from a model is
// untrusted: only a file inside an open workspace folder is ever opened, and nothing is written
// without the review.
import vscode = require('vscode');
import type { DiffPreview, ReviewOutcome } from './diffPreview';
import type { Log } from './log';
import { loadLlm } from './llmLoader';

/** The workspace file a label names, when exactly one file fits it. */
async function resolveLabel(label: string): Promise<vscode.Uri | undefined> {
  const clean = label.replace(/\\/g, '/').replace(/^(\.\/)+/, '');
  if (clean.split('/').includes('..')) return undefined;
  const folders = vscode.workspace.workspaceFolders ?? [];
  if (clean.startsWith('/')) {
    const uri = vscode.Uri.file(clean);
    return vscode.workspace.getWorkspaceFolder(uri) ? uri : undefined;
  }
  const direct: vscode.Uri[] = [];
  for (const folder of folders) {
    const uri = vscode.Uri.joinPath(folder.uri, clean);
    try {
      await vscode.workspace.fs.stat(uri);
      direct.push(uri);
    } catch {
      // Not at the root of this folder; searched for below.
    }
  }
  if (direct.length === 1) return direct[0];
  if (direct.length > 1) return undefined;
  // Labels are often relative to a package or repository root inside the workspace.
  const found = await vscode.workspace.findFiles(`**/${clean}`, '**/{node_modules,.git}/**', 2);
  return found.length === 1 ? found[0] : undefined;
}

/**
 * Offers to open `label` and apply `reply` there. `from` is the file the answer was asked about, for the
 * message. `restore` maps [REDACTED] placeholders the model repeated back to their values, or returns
 * undefined (having told the user) when that is not certain. Returns the review's outcome, or undefined
 * when nothing was reviewed.
 */
export async function offerOtherFile(
  label: string,
  from: string,
  reply: string,
  diff: DiffPreview,
  log: Log,
  restore: (text: string, original: string) => string | undefined,
): Promise<ReviewOutcome | undefined> {
  const uri = await resolveLabel(label);
  if (!uri) {
    void vscode.window.showWarningMessage(
      vscode.l10n.t('The answer changes {0}, not {1}, and no single file in the workspace matches that name. Nothing was applied; the answer is in the chat.', label, from),
    );
    return undefined;
  }
  const rel = vscode.workspace.asRelativePath(uri, false);
  const open = vscode.l10n.t('Open {0} and Review', rel);
  const choice = await vscode.window.showInformationMessage(vscode.l10n.t('The answer changes {0}, not {1}. Nothing was applied to {1}.', rel, from), open);
  if (choice !== open) return undefined;
  const doc = await vscode.workspace.openTextDocument(uri);
  await vscode.window.showTextDocument(doc, { preview: false });
  const result = loadLlm().applyReply({ documentText: doc.getText(), selection: { start: 0, end: 0 }, reply, languageId: doc.languageId, path: rel });
  if (!result.ok) {
    void vscode.window.showWarningMessage(vscode.l10n.t('Tandem did not change {0}: {1}', rel, result.reason));
    log.info('apply', `other file ${rel}: refused (${result.kind})`);
    return undefined;
  }
  // Without a selection there, a plain snippet would only be inserted at the top of the file.
  if (result.method === 'replace-selection') {
    void vscode.window.showWarningMessage(vscode.l10n.t('The answer has code for {0} but does not say where in it the code goes. Select the code to replace there and use Apply from the chat.', rel));
    return undefined;
  }
  const computedFor = { version: doc.version, text: doc.getText() };
  const text = restore(result.edit.text, computedFor.text.slice(result.edit.start, result.edit.end));
  if (text === undefined) return undefined;
  const outcome = await diff.review(doc, { ...result.edit, text }, vscode.l10n.t('the change for {0}', rel), computedFor);
  log.info('apply', `other file ${rel}: ${outcome} (${result.method})`);
  return outcome;
}
