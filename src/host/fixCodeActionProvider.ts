// The lightbulb: "Fix with Tandem" on each diagnostic, "Explain with Tandem" and "Improve with Tandem"
// on a selection. VS Code asks often, so this is part of the activation bundle and stays cheap: no
// network, no heavy work. The commands it names run in the host bundle and re-read the range and the
// diagnostic then (editorContext.fixRangeFor).
import vscode = require('vscode');
import { Commands, SETTINGS_SECTION } from './ids';

export class FixCodeActionProvider implements vscode.CodeActionProvider {
  /** Explaining changes nothing, so it is not a refactoring: its own kind lists it apart from "Rewrite". */
  static readonly explainKind = vscode.CodeActionKind.Empty.append('tandem').append('explain');
  static readonly kinds = [vscode.CodeActionKind.QuickFix, vscode.CodeActionKind.RefactorRewrite, FixCodeActionProvider.explainKind];

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
    if (!range.isEmpty && (wants(vscode.CodeActionKind.RefactorRewrite) || wants(FixCodeActionProvider.explainKind))) {
      const args = [document.uri.toString(), range.start.line, range.start.character, range.end.line, range.end.character];
      const explain = new vscode.CodeAction(vscode.l10n.t('Explain with Tandem'), FixCodeActionProvider.explainKind);
      explain.command = { command: Commands.explainRange, title: explain.title, arguments: args };
      const improve = new vscode.CodeAction(vscode.l10n.t('Improve with Tandem'), vscode.CodeActionKind.RefactorRewrite);
      improve.command = { command: Commands.improveRange, title: improve.title, arguments: args };
      if (wants(FixCodeActionProvider.explainKind)) actions.push(explain);
      if (wants(vscode.CodeActionKind.RefactorRewrite)) actions.push(improve);
    }
    return actions;
  }
}
