// The status-bar item: which provider and model answer, the session's tokens and cost; a click switches the model.
// Part of the activation bundle, so it shows at startup from the settings alone; the host, once loaded,
// hands it the session (follow) and the tooltip gains the session's totals.
import vscode = require('vscode');
import { Commands, SETTINGS_SECTION } from './ids';
import { readSettings } from './settings';
import { formatCost } from '../core/pricing';
import type { SessionTotals } from '../protocol';

/** What the status bar needs from the session (kept structural so this file does not pull the session in). */
export interface TotalsSource {
  getTotals(): SessionTotals;
  readonly onDidUpdateMessage: vscode.Event<unknown>;
}

export class ModelStatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('tandem.model', vscode.StatusBarAlignment.Right, 100);
  private readonly disposables: vscode.Disposable[] = [];
  private session: TotalsSource | undefined;

  constructor() {
    this.item.name = 'Tandem Model';
    this.item.command = Commands.selectModel;
    this.disposables.push(
      vscode.workspace.onDidChangeConfiguration(e => {
        if (e.affectsConfiguration(SETTINGS_SECTION)) this.update();
      }),
    );
    this.update();
    this.item.show();
  }

  /** From now on the tooltip shows this session's totals, updated as answers finish. */
  follow(session: TotalsSource): void {
    this.session = session;
    this.disposables.push(session.onDidUpdateMessage(() => this.update()));
    this.update();
  }

  update(): void {
    const s = readSettings();
    const t = this.session?.getTotals();
    this.item.text = `$(sparkle) ${s.model || vscode.l10n.t('no model')}`;
    const tip = new vscode.MarkdownString(undefined, true);
    tip.appendMarkdown(`**Tandem**: ${s.preset.label} · \`${s.model || '-'}\`\n\n`);
    tip.appendText(s.baseUrl ?? s.baseUrlError ?? '');
    if (t && t.answers > 0) {
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
