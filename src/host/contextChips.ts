// The context chips above the composer: what will be sent with the next question. The current
// selection (or, with none, the current file) and files the user picked; each can be removed.
import vscode = require('vscode');
import type { CodeContext, ContextChip } from '../protocol';
import { codeContextFrom } from './editorContext';
import { estimateTokens } from '../core/tokens';

/** Bigger files are offered but cut to this many characters when sent. */
const MAX_FILE_CHARS = 200_000;

interface ChipSource {
  chip: ContextChip;
  resolve(): Promise<CodeContext | undefined>;
}

export class ContextChips implements vscode.Disposable {
  private readonly picked = new Map<string, vscode.Uri>();
  private readonly removed = new Set<string>();
  private current: ChipSource[] = [];
  /** # mentions, read when they were chosen, sent with the next question only. */
  private mentioned: ChipSource[] = [];
  private timer: ReturnType<typeof setTimeout> | undefined;
  private readonly disposables: vscode.Disposable[] = [];
  private readonly changed = new vscode.EventEmitter<ContextChip[]>();
  readonly onDidChange = this.changed.event;

  constructor() {
    const soon = () => {
      if (this.timer) clearTimeout(this.timer);
      this.timer = setTimeout(() => this.refresh(), 150);
    };
    this.disposables.push(vscode.window.onDidChangeActiveTextEditor(soon), vscode.window.onDidChangeTextEditorSelection(soon));
    this.refresh(false);
  }

  chips(): ContextChip[] {
    return [...this.current, ...this.mentioned].map(s => s.chip).filter(c => !this.removed.has(c.id));
  }

  /** Adds a # mention's chip; what it attaches was read when it was mentioned and is sent as it is. */
  addMention(chip: ContextChip, context: CodeContext): void {
    this.mentioned.push({ chip, resolve: async () => context });
    this.changed.fire(this.chips());
  }

  private refresh(fire = true): void {
    const sources: ChipSource[] = [];
    const editor = vscode.window.activeTextEditor;
    if (editor && editor.document.uri.scheme !== 'output') {
      const doc = editor.document;
      const rel = vscode.workspace.asRelativePath(doc.uri, false);
      if (!editor.selection.isEmpty) {
        const ctx = codeContextFrom(editor);
        if (ctx) {
          const range = ctx.startLine === ctx.endLine ? `${ctx.startLine}` : `${ctx.startLine}-${ctx.endLine}`;
          sources.push({
            chip: { id: `sel:${doc.uri.toString()}:${range}`, kind: 'selection', label: `${rel.split('/').pop()}:${range}`, detail: `${rel}, lines ${range}`, tokens: estimateTokens(ctx.code, 'o200k') },
            resolve: async () => ctx,
          });
        }
      } else if (doc.lineCount > 0 && !doc.isUntitled) {
        sources.push(this.fileSource(doc.uri, doc.getText(), doc.languageId));
      }
    }
    for (const uri of this.picked.values()) {
      if (!sources.some(s => s.chip.id === `file:${uri.toString()}`)) sources.push(this.fileSource(uri));
    }
    // A chip the user removed comes back only when what it stands for changes.
    for (const id of [...this.removed]) if (!sources.some(s => s.chip.id === id)) this.removed.delete(id);
    this.current = sources;
    if (fire) this.changed.fire(this.chips());
  }

  private fileSource(uri: vscode.Uri, text?: string, language?: string): ChipSource {
    const rel = vscode.workspace.asRelativePath(uri, false);
    return {
      chip: { id: `file:${uri.toString()}`, kind: 'file', label: rel.split('/').pop() ?? rel, detail: rel, tokens: text === undefined ? 0 : estimateTokens(text.slice(0, MAX_FILE_CHARS), 'o200k') },
      resolve: async () => {
        const doc = await vscode.workspace.openTextDocument(uri);
        const code = doc.getText().slice(0, MAX_FILE_CHARS);
        if (code.trim() === '') return undefined;
        return { uri: uri.toString(), file: rel, language: language ?? doc.languageId, startLine: 1, endLine: doc.lineCount, code };
      },
    };
  }

  remove(id: string): void {
    this.removed.add(id);
    this.mentioned = this.mentioned.filter(s => s.chip.id !== id);
    for (const [key, uri] of this.picked) if (`file:${uri.toString()}` === id) this.picked.delete(key);
    this.changed.fire(this.chips());
  }

  async pickFile(): Promise<void> {
    const files = await vscode.workspace.findFiles('**/*', '**/{node_modules,.git,dist,out}/**', 5000);
    const items = files
      .map(uri => ({ label: vscode.workspace.asRelativePath(uri, false), uri }))
      .sort((a, b) => a.label.localeCompare(b.label));
    const pick = await vscode.window.showQuickPick(items, { title: vscode.l10n.t('Attach a file to the next question'), matchOnDescription: true });
    if (!pick) return;
    this.picked.set(pick.uri.toString(), pick.uri);
    this.removed.delete(`file:${pick.uri.toString()}`);
    const doc = await vscode.workspace.openTextDocument(pick.uri);
    this.current = this.current.filter(s => s.chip.id !== `file:${pick.uri.toString()}`);
    this.current.push(this.fileSource(pick.uri, doc.getText(), doc.languageId));
    this.changed.fire(this.chips());
  }

  /** The contexts for the chip ids the user kept, in chip order. Picked files are used once. */
  async resolve(ids: readonly string[]): Promise<CodeContext[]> {
    // The list refreshes 150 ms after the editor changes: an id from a newer state (a question sent
    // right after the cursor moved) is looked up in a list read now.
    if (ids.some(id => !this.current.some(s => s.chip.id === id) && !this.mentioned.some(s => s.chip.id === id))) {
      if (this.timer) clearTimeout(this.timer);
      this.timer = undefined;
      this.refresh(false);
    }
    const out: CodeContext[] = [];
    for (const s of [...this.current, ...this.mentioned]) {
      if (!ids.includes(s.chip.id) || this.removed.has(s.chip.id)) continue;
      const ctx = await s.resolve().catch(() => undefined);
      if (ctx) out.push(ctx);
    }
    this.picked.clear();
    this.mentioned = [];
    this.refresh();
    return out;
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    this.disposables.forEach(d => d.dispose());
    this.changed.dispose();
  }
}
