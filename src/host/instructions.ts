// Project instructions: the first of AGENTS.md, .github/copilot-instructions.md and
// .tandem/instructions.md at the workspace root goes into the system prompt of the chat, where the
// request pipeline redacts it and counts it like the rest. Never read in an untrusted workspace (a
// repository must not steer the model without the user's trust); off with "tandem.projectInstructions",
// or per conversation from its chip.
import vscode = require('vscode');
import type { ContextChip } from '../protocol';
import { estimateTokens, tokenFamily } from '../core/tokens';
import { readSettings } from './settings';
import { SETTINGS_SECTION } from './ids';

export const INSTRUCTION_FILES = ['AGENTS.md', '.github/copilot-instructions.md', '.tandem/instructions.md'] as const;
/** Characters of instructions sent at most; the rest is left out with a notice. */
export const MAX_INSTRUCTIONS_CHARS = 16_000;
export const INSTRUCTIONS_CHIP_ID = 'instructions';
const OFF_KEY = 'tandem.instructionsOff';
const MAX_REMEMBERED = 500;

type Found =
  | { kind: 'none' }
  | { kind: 'disabled' }
  | { kind: 'untrusted'; file: string }
  | { kind: 'read'; file: string; text: string; total: number };

export class ProjectInstructions implements vscode.Disposable {
  private found: Found = { kind: 'none' };
  private loading: Promise<Found> | undefined;
  private readonly disposables: vscode.Disposable[] = [];
  private readonly changed = new vscode.EventEmitter<void>();
  /** What the chip shows changed (a file appeared or changed, trust was granted, the setting changed). */
  readonly onDidChange = this.changed.event;

  constructor(private readonly state: vscode.Memento) {
    const again = () => void this.load();
    for (const name of INSTRUCTION_FILES) {
      const watcher = vscode.workspace.createFileSystemWatcher(`**/${name}`);
      this.disposables.push(watcher, watcher.onDidCreate(again), watcher.onDidChange(again), watcher.onDidDelete(again));
    }
    this.disposables.push(
      vscode.workspace.onDidGrantWorkspaceTrust(again),
      vscode.workspace.onDidChangeWorkspaceFolders(again),
      vscode.workspace.onDidChangeConfiguration(e => {
        if (e.affectsConfiguration(`${SETTINGS_SECTION}.projectInstructions`)) again();
      }),
    );
    again();
  }

  /** Reads the instructions as they are now (the file may have changed since the chip was drawn). */
  load(): Promise<Found> {
    const run = (async (): Promise<Found> => {
      const root = vscode.workspace.workspaceFolders?.[0]?.uri;
      if (!readSettings().projectInstructions) return { kind: 'disabled' };
      if (!root) return { kind: 'none' };
      for (const name of INSTRUCTION_FILES) {
        const uri = vscode.Uri.joinPath(root, name);
        // While untrusted, whether the file exists is all that is looked at: its content is not read.
        const exists = await vscode.workspace.fs.stat(uri).then(s => (s.type & vscode.FileType.File) !== 0, () => false);
        if (!exists) continue;
        if (!vscode.workspace.isTrusted) return { kind: 'untrusted', file: name };
        const text = new TextDecoder().decode(await vscode.workspace.fs.readFile(uri)).replace(/^\uFEFF/, '').trim();
        if (text === '') continue;
        return { kind: 'read', file: name, text: text.slice(0, MAX_INSTRUCTIONS_CHARS), total: text.length };
      }
      return { kind: 'none' };
    })().catch((): Found => ({ kind: 'none' }));
    this.loading = run;
    void run.then(found => {
      if (this.loading !== run) return; // a newer read is under way
      const before = JSON.stringify(this.chipFor(this.found, false));
      this.found = found;
      if (JSON.stringify(this.chipFor(found, false)) !== before) this.changed.fire();
    });
    return run;
  }

  private isOff(conversationId: string): boolean {
    return this.state.get<string[]>(OFF_KEY, []).includes(conversationId);
  }

  /** Turns the instructions on or off for one conversation (remembered for this workspace). */
  async setOn(conversationId: string, on: boolean): Promise<void> {
    const off = this.state.get<string[]>(OFF_KEY, []).filter(id => id !== conversationId);
    if (!on) off.push(conversationId);
    await this.state.update(OFF_KEY, off.slice(-MAX_REMEMBERED));
    this.changed.fire();
  }

  /** The chip above the composer for the conversation, or none when there is nothing to show. */
  chip(conversationId: string): ContextChip | undefined {
    return this.chipFor(this.found, this.isOff(conversationId));
  }

  private chipFor(found: Found, off: boolean): ContextChip | undefined {
    const label = vscode.l10n.t('Instructions');
    if (found.kind === 'untrusted') {
      return {
        id: INSTRUCTIONS_CHIP_ID, kind: 'instructions', label, tokens: 0, off: true, locked: true,
        detail: vscode.l10n.t('{0} at the workspace root', found.file),
        note: vscode.l10n.t('Not read: this workspace is not trusted. A repository\'s instructions reach the model only after you trust the workspace.'),
      };
    }
    if (found.kind !== 'read') return undefined;
    return {
      id: INSTRUCTIONS_CHIP_ID, kind: 'instructions', label,
      detail: vscode.l10n.t('{0} at the workspace root, added to the system prompt', found.file),
      tokens: off ? 0 : estimateTokens(this.systemText(found), tokenFamily(readSettings().model)),
      off: off || undefined,
      note: found.total > found.text.length ? this.cutNotice(found) : undefined,
    };
  }

  private cutNotice(found: Extract<Found, { kind: 'read' }>): string {
    return vscode.l10n.t('{0} is {1} characters long: only its first {2} are sent.', found.file, found.total.toLocaleString('en-US'), MAX_INSTRUCTIONS_CHARS.toLocaleString('en-US'));
  }

  private systemText(found: Extract<Found, { kind: 'read' }>): string {
    return `The project's instructions (${found.file} at the workspace root). Follow them unless the user asks otherwise:\n\n${found.text}`;
  }

  /** What goes after the system prompt for a conversation's request, with notices for the answer. */
  async forConversation(conversationId: string): Promise<{ text: string; notices: string[] } | undefined> {
    const found = await this.load();
    if (found.kind !== 'read' || this.isOff(conversationId)) return undefined;
    return { text: this.systemText(found), notices: found.total > found.text.length ? [this.cutNotice(found)] : [] };
  }

  dispose(): void {
    this.disposables.forEach(d => d.dispose());
    this.changed.dispose();
  }
}
