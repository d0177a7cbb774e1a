// The lightbulb: "Fix with Tandem" on each diagnostic, "Explain with Tandem" and "Improve with Tandem"
// on a selection. provideCodeActions does no network and no heavy work; the command re-reads the
// range and the diagnostic when it runs.
import * as vscode from 'vscode';
import { Commands, SETTINGS_SECTION } from './ids';
import { enclosingSymbol, wholeLines } from './editorContext';

const FUNCTION_KINDS: ReadonlySet<vscode.SymbolKind> = new Set([vscode.SymbolKind.Function, vscode.SymbolKind.Method]);

export class FixCodeActionProvider implements vscode.CodeActionProvider {
  static readonly kinds = [vscode.CodeActionKind.QuickFix, vscode.CodeActionKind.RefactorRewrite];

  provideCodeActions(document: vscode.TextDocument, range: vscode.Range | vscode.Selection, context: vscode.CodeActionContext): vscode.CodeAction[] {
    if (!vscode.workspace.getConfiguration(SETTINGS_SECTION).get<boolean>('codeActions.enabled', true)) return [];
    const actions: vscode.CodeAction[] = [];
    const wants = (kind: vscode.CodeActionKind) => !context.only || context.only.contains(kind) || kind.contains(context.only);
    if (wants(vscode.CodeActionKind.QuickFix)) {
      for (const d of context.diagnostics.slice(0, 5)) {
        const title = vscode.l10n.t('Fix with Tandem: {0}', d.message.split('\n')[0].slice(0, 80));
        const a = new vscode.CodeAction(title, vscode.CodeActionKind.QuickFix);
        a.diagnostics = [d];
        a.command = { command: Commands.fixDiagnostic, title, arguments: [document.uri.toString(), d.range.start.line, d.range.start.character, d.range.end.line, d.range.end.character, d.message] };
        actions.push(a);
      }
    }
    if (!range.isEmpty && wants(vscode.CodeActionKind.RefactorRewrite)) {
      const args = [document.uri.toString(), range.start.line, range.start.character, range.end.line, range.end.character];
      const explain = new vscode.CodeAction(vscode.l10n.t('Explain with Tandem'), vscode.CodeActionKind.RefactorRewrite);
      explain.command = { command: Commands.explainRange, title: explain.title, arguments: args };
      const improve = new vscode.CodeAction(vscode.l10n.t('Improve with Tandem'), vscode.CodeActionKind.RefactorRewrite);
      improve.command = { command: Commands.improveRange, title: improve.title, arguments: args };
      actions.push(explain, improve);
    }
    return actions;
  }
}

/** The range to fix for a diagnostic, re-read now: the diagnostic's whole lines, widened to the enclosing symbol when there is one. */
export async function fixRangeFor(uri: vscode.Uri, line: number, character: number, endLine: number, endCharacter: number): Promise<vscode.Range> {
  const doc = await vscode.workspace.openTextDocument(uri);
  const at = new vscode.Range(line, character, endLine, endCharacter);
  const current = vscode.languages.getDiagnostics(uri).find(d => d.range.intersection(at) !== undefined);
  const r = current?.range ?? at;
  const first = Math.min(r.start.line, doc.lineCount - 1);
  const last = Math.min(r.end.line, doc.lineCount - 1);
  const lines = wholeLines(doc, first, last);
  const s = await enclosingSymbol(uri, lines, FUNCTION_KINDS);
  // A whole function is worth the context; a whole class or file is not.
  return s && s.range.end.line - s.range.start.line <= 80 ? wholeLines(doc, s.range.start.line, s.range.end.line) : lines;
}

