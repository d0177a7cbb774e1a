// The status-bar item: which provider and model answer, the session's tokens and cost; a click switches the model.
import * as vscode from 'vscode';
import { Commands, SETTINGS_SECTION } from './ids';
import { readSettings } from './settings';
import { formatCost } from '../core/pricing';
import type { ChatSession } from './session';

export class ModelStatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('tandem.model', vscode.StatusBarAlignment.Right, 100);
  private readonly disposables: vscode.Disposable[] = [];

  constructor(private readonly session: ChatSession) {
    this.item.name = 'Tandem Model';
    this.item.command = Commands.selectModel;
    this.disposables.push(
      vscode.workspace.onDidChangeConfiguration(e => {
        if (e.affectsConfiguration(SETTINGS_SECTION)) this.update();
      }),
      session.onDidUpdateMessage(() => this.update()),
    );
    this.update();
    this.item.show();
  }

  update(): void {
    const s = readSettings();
    const t = this.session.getTotals();
    this.item.text = `$(sparkle) ${s.model || vscode.l10n.t('no model')}`;
    const tip = new vscode.MarkdownString(undefined, true);
    tip.appendMarkdown(`**Tandem**: ${s.preset.label} · \`${s.model || '-'}\`\n\n`);
    tip.appendText(s.baseUrl ?? s.baseUrlError ?? '');
    if (t.answers > 0) {
      tip.appendMarkdown(`\n\n${vscode.l10n.t('This session: {0} answers, {1} prompt + {2} completion tokens', t.answers, t.promptTokens, t.completionTokens)}`);
      if (t.costUsd > 0) tip.appendMarkdown(`, ${formatCost(t.costUsd)}`);
    }
    tip.appendMarkdown(`\n\n${vscode.l10n.t('Click to switch the model.')}`);
    this.item.tooltip = tip;
    this.item.backgroundColor = s.baseUrl ? undefined : new vscode.ThemeColor('statusBarItem.warningBackground');
  }

  dispose(): void {
    this.disposables.forEach(d => d.dispose());
    this.item.dispose();
  }
}
