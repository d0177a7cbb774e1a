// The # mentions of the chat composer: what the picker offers for each kind (files as Quick Open finds
// them, workspace symbols, problems' scopes) and what a chosen mention attaches. Each mention is read
// once, when it is chosen, into a chip: its size and notes describe exactly what will be sent, and the
// webview only ever names items by the ids handed out here.
import vscode = require('vscode');
import type { CodeContext, ContextChip, MentionItem, MentionKind } from '../protocol';
import { attachmentMessage } from '../core/attachments';
import { enclosingBlock } from '../core/enclosingBlock';
import { fuzzyFilter } from '../core/fuzzy';
import { keepTail } from '../core/terminalText';
import { redactOutgoing } from '../core/secretScan';
import { estimateTokens, tokenFamily } from '../core/tokens';
import { codeContextFrom, wholeLines } from './editorContext';
import type { ContextChips } from './contextChips';
import type { TerminalCapture } from './terminalCapture';
import { readSettings } from './settings';
import type { Log } from './log';
import { gitChanges } from './gitChanges';

/** Files larger than this are refused (select the part you need and mention #selection). */
export const MAX_MENTION_FILE_BYTES = 512 * 1024;
/** Caps on what one mention attaches, before fitting: characters of a diff or of terminal output, problems listed. */
export const MAX_CHANGES_CHARS = 60_000;
export const MAX_TERMINAL_CHARS = 20_000;
const MAX_PROBLEMS = 200;
const MAX_ITEMS = 50;
/** Handles kept for the picker's recent lists. */
const MAX_HANDLES = 500;
/** How long the picker waits for the language servers' workspace symbols. */
const SYMBOL_WAIT_MS = 5000;
/** The file list is read again after this long (files come and go while the user types). */
const FILE_LIST_TTL_MS = 5000;
const FILE_EXCLUDE = '**/{node_modules,.git,dist,out}/**';
const BINARY_EXTENSIONS = /\.(png|jpe?g|gif|webp|bmp|ico|icns|pdf|zip|gz|tgz|bz2|xz|7z|rar|jar|war|class|exe|dll|so|dylib|o|a|wasm|woff2?|ttf|otf|eot|mp[34]|mov|avi|mkv|webm|wav|flac|ogg|sqlite|db|bin|vsix|pyc|node)$/i;

type Handle =
  | { kind: 'file'; uri: vscode.Uri; size: number }
  | { kind: 'symbol'; symbol: vscode.SymbolInformation }
  | { kind: 'problems'; scope: 'file' | 'workspace' };

/** A mention that could not be attached, with what to do about it (shown under the composer). */
class Refusal extends Error {}

export class Mentions {
  private readonly handles = new Map<string, Handle>();
  private nextHandle = 0;
  private nextChip = 0;
  private files: { at: number; list: Promise<vscode.Uri[]> } | undefined;

  constructor(private readonly chips: ContextChips, private readonly terminals: TerminalCapture, private readonly log: Log) {}

  async query(kind: MentionKind, query: string): Promise<MentionItem[]> {
    switch (kind) {
      case 'file':
        return this.fileItems(query);
      case 'symbol':
        return this.symbolItems(query);
      case 'problems':
        return this.problemItems();
      default:
        return [];
    }
  }

  /** Attaches a mention as a chip; resolves to why not, in words with a next step, when it cannot. */
  async add(kind: MentionKind, item: string | undefined): Promise<string | undefined> {
    try {
      const handle = item === undefined ? undefined : this.handles.get(item);
      if (item !== undefined && (!handle || handle.kind !== kind)) throw new Refusal(vscode.l10n.t('That choice is no longer offered. Type # again to pick from an up-to-date list.'));
      const context = await this.read(kind, handle);
      const symbol = handle?.kind === 'symbol' ? handle.symbol.name : undefined;
      const { chip, notes } = this.chipFor(context, symbol);
      // The question lists its attachments with the same notes (secrets redacted, cut to a cap).
      this.chips.addMention(chip, notes.length ? { ...context, notes } : context);
      return undefined;
    } catch (e) {
      if (e instanceof Refusal) return e.message;
      this.log.error('mentions', `#${kind} failed: ${String(e)}`);
      return vscode.l10n.t('#{0} could not be attached: {1}', kind, e instanceof Error ? e.message : String(e));
    }
  }

  private handle(h: Handle): string {
    const id = `m${++this.nextHandle}`;
    this.handles.set(id, h);
    // A list shown a moment ago can still be chosen from while the next one is on its way; older ones go.
    for (const key of this.handles.keys()) {
      if (this.handles.size <= MAX_HANDLES) break;
      this.handles.delete(key);
    }
    return id;
  }

  private chipFor(context: CodeContext, symbol?: string): { chip: ContextChip; notes: string[] } {
    const s = readSettings();
    const sent = attachmentMessage(context);
    const notes = [...(context.notes ?? [])];
    if (s.redactCredentials) {
      const found = redactOutgoing(sent).findings.length;
      if (found > 0) notes.push(vscode.l10n.t('{0} secret(s) will be replaced with [REDACTED]', found));
    }
    const lines = context.startLine === context.endLine ? `${context.startLine}` : `${context.startLine}-${context.endLine}`;
    const label = context.mention === 'symbol' || context.mention === 'file' || context.mention === 'selection'
      ? `#${context.mention} ${context.file.split('/').pop() ?? context.file}${context.mention === 'file' ? '' : `:${lines}`}`
      : `#${context.mention} ${context.file}`;
    const chip: ContextChip = {
      id: `mention:${++this.nextChip}`,
      kind: context.mention ?? 'file',
      label: symbol ? `#symbol ${symbol}` : label,
      detail: context.mention === 'problems' || context.mention === 'changes' || context.mention === 'terminal' ? context.file : `${context.file}, lines ${lines}`,
      tokens: estimateTokens(sent, tokenFamily(s.model)),
      note: notes.length ? notes.join('; ') : undefined,
    };
    return { chip, notes };
  }

  // ---- what the picker offers ----

  private fileList(): Promise<vscode.Uri[]> {
    if (!this.files || Date.now() - this.files.at > FILE_LIST_TTL_MS) {
      this.files = { at: Date.now(), list: Promise.resolve(vscode.workspace.findFiles('**/*', FILE_EXCLUDE, 20000)) };
    }
    return this.files.list;
  }

  private async fileItems(query: string): Promise<MentionItem[]> {
    const files = (await this.fileList()).map(uri => ({ uri, rel: vscode.workspace.asRelativePath(uri, false) }));
    if (query.trim() === '') files.sort((a, b) => a.rel.length - b.rel.length || a.rel.localeCompare(b.rel));
    const best = fuzzyFilter(query, files, f => f.rel, MAX_ITEMS);
    return Promise.all(best.map(async f => {
      const size = await vscode.workspace.fs.stat(f.uri).then(s => s.size, () => 0);
      const name = f.rel.split('/').pop() ?? f.rel;
      const item: MentionItem = { id: this.handle({ kind: 'file', uri: f.uri, size }), label: name, detail: f.rel };
      const why = refuseFile(f.rel, size);
      if (why) item.disabled = why;
      return item;
    }));
  }

  private async symbolItems(query: string): Promise<MentionItem[]> {
    if (query.trim() === '') return [];
    const found = await withTimeout(
      vscode.commands.executeCommand<vscode.SymbolInformation[] | undefined>('vscode.executeWorkspaceSymbolProvider', query),
      SYMBOL_WAIT_MS,
    ).catch(() => []);
    if (found === undefined) {
      // One slow server holds up all the answers: say so rather than show "No match".
      return [{ id: '', label: vscode.l10n.t('The language servers did not answer in time'), disabled: vscode.l10n.t('they may still be starting; type again in a moment') }];
    }
    return found.slice(0, MAX_ITEMS).map(symbol => ({
      id: this.handle({ kind: 'symbol', symbol }),
      label: symbol.name,
      detail: `${vscode.SymbolKind[symbol.kind] ?? ''}${symbol.containerName ? ` in ${symbol.containerName}` : ''} · ${vscode.workspace.asRelativePath(symbol.location.uri, false)}:${symbol.location.range.start.line + 1}`,
    }));
  }

  private problemItems(): MentionItem[] {
    const items: MentionItem[] = [];
    const doc = vscode.window.activeTextEditor?.document;
    if (doc) {
      const n = vscode.languages.getDiagnostics(doc.uri).length;
      items.push({ id: this.handle({ kind: 'problems', scope: 'file' }), label: vscode.l10n.t('Current file: {0}', vscode.workspace.asRelativePath(doc.uri, false)), detail: problemCount(n) });
    }
    const all = vscode.languages.getDiagnostics().filter(([, d]) => d.length > 0);
    const total = all.reduce((sum, [, d]) => sum + d.length, 0);
    items.push({ id: this.handle({ kind: 'problems', scope: 'workspace' }), label: vscode.l10n.t('Whole workspace'), detail: `${problemCount(total)}, ${all.length} ${all.length === 1 ? 'file' : 'files'}` });
    return items;
  }

  // ---- what a mention attaches ----

  private async read(kind: MentionKind, handle: Handle | undefined): Promise<CodeContext> {
    switch (kind) {
      case 'file':
        if (handle?.kind !== 'file') throw new Refusal(vscode.l10n.t('Choose a file after #file:.'));
        return this.readFile(handle.uri);
      case 'symbol':
        if (handle?.kind !== 'symbol') throw new Refusal(vscode.l10n.t('Type a name after #symbol: and choose a symbol.'));
        return this.readSymbol(handle.symbol);
      case 'problems':
        return this.readProblems(handle?.kind === 'problems' ? handle.scope : 'file');
      case 'changes':
        return this.readChanges();
      case 'terminal':
        return this.readTerminal();
      case 'selection':
        return this.readSelection();
      default: {
        const unreachable: never = kind;
        return unreachable;
      }
    }
  }

  private async readFile(uri: vscode.Uri): Promise<CodeContext> {
    const rel = vscode.workspace.asRelativePath(uri, false);
    const stat = await vscode.workspace.fs.stat(uri);
    const why = refuseFile(rel, stat.size);
    if (why) throw new Refusal(vscode.l10n.t('{0} was not attached: {1}', rel, why));
    const bytes = await vscode.workspace.fs.readFile(uri);
    if (bytes.subarray(0, 8000).includes(0)) {
      throw new Refusal(vscode.l10n.t('{0} was not attached: it is a binary file, and Tandem sends text only.', rel));
    }
    // The editor's text when the file is open (unsaved changes included), else the file's.
    const doc = await vscode.workspace.openTextDocument(uri);
    const code = doc.getText();
    if (code.trim() === '') throw new Refusal(vscode.l10n.t('{0} is empty: there is nothing to attach.', rel));
    return { uri: uri.toString(), file: rel, language: doc.languageId, startLine: 1, endLine: doc.lineCount, code, mention: 'file' };
  }

  private async readSymbol(symbol: vscode.SymbolInformation): Promise<CodeContext> {
    const uri = symbol.location.uri;
    const doc = await vscode.workspace.openTextDocument(uri);
    const at = symbol.location.range;
    // Workspace symbols often locate only the name: the document's symbols give the whole definition.
    const outline = await withTimeout(
      vscode.commands.executeCommand<(vscode.DocumentSymbol | vscode.SymbolInformation)[] | undefined>('vscode.executeDocumentSymbolProvider', uri),
      3000,
    ).catch(() => undefined);
    let best: vscode.Range | undefined;
    const visit = (list: readonly (vscode.DocumentSymbol | vscode.SymbolInformation)[]) => {
      for (const s of list) {
        const range = 'range' in s ? s.range : s.location.range;
        if (s.name === symbol.name && range.contains(at.start) && (!best || best.contains(range))) best = range;
        if ('children' in s) visit(s.children);
      }
    };
    visit(outline ?? []);
    let range = best ?? at;
    if (range.isSingleLine) {
      // No outline with the definition: the block that starts on its line, found from indentation and brackets.
      const from = range.start.line;
      const lines: string[] = [];
      for (let i = from; i < Math.min(doc.lineCount, from + 400); i++) lines.push(doc.lineAt(i).text);
      const block = enclosingBlock(lines, 0);
      range = block ? new vscode.Range(from + block.start, 0, from + block.end, 0) : range;
    }
    const whole = wholeLines(doc, range.start.line, range.end.line);
    return {
      uri: uri.toString(), file: vscode.workspace.asRelativePath(uri, false), language: doc.languageId,
      startLine: whole.start.line + 1, endLine: whole.end.line + 1, code: doc.getText(whole), mention: 'symbol',
    };
  }

  private async readProblems(scope: 'file' | 'workspace'): Promise<CodeContext> {
    const doc = vscode.window.activeTextEditor?.document;
    if (scope === 'file' && !doc) throw new Refusal(vscode.l10n.t('No file is open in an editor. Open one, or choose "Whole workspace" after #problems:.'));
    const entries = scope === 'file' && doc
      ? [[doc.uri, vscode.languages.getDiagnostics(doc.uri)] as const]
      : vscode.languages.getDiagnostics().filter(([, d]) => d.length > 0);
    const all = entries.flatMap(([uri, list]) => list.map(d => ({ uri, d })));
    const where = scope === 'file' && doc ? vscode.workspace.asRelativePath(doc.uri, false) : vscode.l10n.t('the workspace');
    if (all.length === 0) throw new Refusal(vscode.l10n.t('VS Code reports no problems in {0}.', where));
    all.sort((a, b) => a.d.severity - b.d.severity || a.uri.toString().localeCompare(b.uri.toString()) || a.d.range.start.line - b.d.range.start.line);
    const shown = all.slice(0, MAX_PROBLEMS);
    const lines: string[] = [];
    const docs = new Map<string, vscode.TextDocument | undefined>();
    for (const { uri, d } of shown) {
      const key = uri.toString();
      if (!docs.has(key)) docs.set(key, await vscode.workspace.openTextDocument(uri).then(x => x, () => undefined));
      const text = docs.get(key);
      const line = d.range.start.line;
      const code = typeof d.code === 'object' ? String(d.code.value) : d.code === undefined ? '' : String(d.code);
      const source = [d.source, code].filter(Boolean).join(' ');
      lines.push(`${vscode.workspace.asRelativePath(uri, false)}:${line + 1}:${d.range.start.character + 1} ${SEVERITY[d.severity]}: ${d.message}${source ? ` (${source})` : ''}`);
      if (text && line < text.lineCount) lines.push(`    ${line + 1} | ${text.lineAt(line).text.trim()}`);
    }
    const notes = all.length > shown.length ? [vscode.l10n.t('the first {0} of {1} problems', shown.length, all.length)] : undefined;
    const title = vscode.l10n.t('Problems in {0}', where);
    return { file: title, language: 'text', startLine: 1, endLine: lines.length, code: lines.join('\n'), mention: 'problems', notes };
  }

  private async readChanges(): Promise<CodeContext> {
    const active = vscode.window.activeTextEditor?.document.uri;
    const changes = await gitChanges(active);
    if ('problem' in changes) throw new Refusal(changes.problem);
    let code = changes.diff;
    const notes: string[] = [];
    if (code.length > MAX_CHANGES_CHARS) {
      const cutAt = code.lastIndexOf('\n', MAX_CHANGES_CHARS);
      const total = code.split('\n').length;
      code = code.slice(0, cutAt > 0 ? cutAt : MAX_CHANGES_CHARS);
      const kept = code.split('\n').length;
      code += `\n… (cut: ${total - kept} more lines of the diff not sent)`;
      notes.push(vscode.l10n.t('cut to the first {0} of {1} lines ({2} characters at most)', kept, total, MAX_CHANGES_CHARS.toLocaleString('en-US')));
    }
    return { file: vscode.l10n.t('Working tree changes in {0}', changes.root), language: 'diff', startLine: 1, endLine: code.split('\n').length, code, mention: 'changes', notes: notes.length ? notes : undefined };
  }

  private async readTerminal(): Promise<CodeContext> {
    const terminal = vscode.window.activeTerminal;
    if (!terminal) throw new Refusal(vscode.l10n.t('No terminal is open. Run the command in a terminal, then mention #terminal.'));
    const last = this.terminals.lastCommand(terminal);
    if (last) {
      const tail = keepTail(last.output, MAX_TERMINAL_CHARS);
      const notes: string[] = [];
      if (tail.dropped > 0 || last.dropped > 0) notes.push(vscode.l10n.t('the last {0} characters of the output', tail.text.length.toLocaleString('en-US')));
      // VS Code gives the output from when Tandem starts reading: a command over within milliseconds may show none.
      if (tail.text === '') notes.push(vscode.l10n.t('no output was captured'));
      const exit = last.exitCode === undefined ? '' : ` (exit code ${last.exitCode})`;
      const code = `$ ${last.commandLine}${exit}\n${tail.dropped > 0 || last.dropped > 0 ? '… (earlier output not sent)\n' : ''}${tail.text}`;
      return { file: vscode.l10n.t('Last command in terminal "{0}"', terminal.name), language: 'shell', startLine: 1, endLine: code.split('\n').length, code, mention: 'terminal', notes: notes.length ? notes : undefined };
    }
    const selected = await terminalSelection();
    if (selected) {
      const tail = keepTail(selected, MAX_TERMINAL_CHARS);
      const notes = tail.dropped > 0 ? [vscode.l10n.t('the last {0} characters of the selection', tail.text.length.toLocaleString('en-US'))] : undefined;
      return { file: vscode.l10n.t('Text selected in terminal "{0}"', terminal.name), language: 'shell', startLine: 1, endLine: tail.text.split('\n').length, code: tail.text, mention: 'terminal', notes };
    }
    throw new Refusal(vscode.l10n.t('Tandem has no command from terminal "{0}": shell integration is not active there, or no command finished since Tandem started. Turn on "terminal.integrated.shellIntegration.enabled" (bash, zsh, fish, PowerShell), open a new terminal and run the command again; or select the output in the terminal and mention #terminal again.', terminal.name));
  }

  private readSelection(): CodeContext {
    const editor = vscode.window.activeTextEditor;
    const ctx = editor && !editor.selection.isEmpty ? codeContextFrom(editor) : undefined;
    if (!ctx) throw new Refusal(vscode.l10n.t('Nothing is selected in an editor. Select the code, then mention #selection.'));
    return { ...ctx, mention: 'selection' };
  }
}

const SEVERITY: Record<vscode.DiagnosticSeverity, string> = { 0: 'error', 1: 'warning', 2: 'info', 3: 'hint' };

function problemCount(n: number): string {
  return `${n} ${n === 1 ? 'problem' : 'problems'}`;
}

function refuseFile(rel: string, size: number): string | undefined {
  if (BINARY_EXTENSIONS.test(rel)) return vscode.l10n.t('a binary file; Tandem sends text only');
  if (size > MAX_MENTION_FILE_BYTES) {
    return vscode.l10n.t('{0} KB, larger than the {1} KB Tandem attaches; select the part you need and mention #selection', Math.round(size / 1024).toLocaleString('en-US'), MAX_MENTION_FILE_BYTES / 1024);
  }
  return undefined;
}

function withTimeout<T>(p: Thenable<T>, ms: number): Promise<T | undefined> {
  return Promise.race([Promise.resolve(p), new Promise<undefined>(r => setTimeout(() => r(undefined), ms))]);
}

/**
 * The active terminal's selection. The API has no getter for it: it is copied through the clipboard,
 * which is put back as it was.
 */
async function terminalSelection(): Promise<string | undefined> {
  const before = await vscode.env.clipboard.readText().then(t => t, () => undefined);
  if (before === undefined) return undefined; // the clipboard cannot be read here, so it could not be put back either
  const marker = `tandem-no-selection-${Date.now()}`;
  try {
    await vscode.env.clipboard.writeText(marker);
    await vscode.commands.executeCommand('workbench.action.terminal.copySelection');
    const copied = await vscode.env.clipboard.readText();
    return copied !== marker && copied.trim() !== '' ? copied : undefined;
  } catch {
    return undefined;
  } finally {
    await vscode.env.clipboard.writeText(before).then(undefined, () => undefined);
  }
}
