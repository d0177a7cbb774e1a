// The code a command is about and what is sent with it: the selection, else the enclosing function or
// symbol, else the current line; a few lines around it, the problems VS Code reports in it, the imports.
import vscode = require('vscode');
import type { CodeContext } from '../protocol';
import { enclosingBlock } from '../core/enclosingBlock';

const SURROUNDING_LINES = 3;
const MAX_IMPORTS = 40;
const IMPORT_LINE = /^\s*(import\s|from\s+\S+\s+import\s|export\s+\*\s+from\s|#include\s|using\s+[\w.]+\s*;|require\(|(?:const|let|var)\s+[\w{}\s,]+=\s*require\(|use\s+[\w:]+|package\s+[\w.]+;?$)/;

/** What a command takes when nothing is selected, in the order it is tried. */
export type TargetKind = 'selection' | 'symbol' | 'line';

const SYMBOL_KINDS = new Set([
  vscode.SymbolKind.Function, vscode.SymbolKind.Method, vscode.SymbolKind.Constructor, vscode.SymbolKind.Class,
  vscode.SymbolKind.Interface, vscode.SymbolKind.Enum, vscode.SymbolKind.Struct, vscode.SymbolKind.Module, vscode.SymbolKind.Namespace,
]);

/** A selection of whole lines ends at column 0 of the next line: that line is not part of it. */
export function trimSelection(doc: vscode.TextDocument, range: vscode.Range): vscode.Range {
  if (range.end.character === 0 && range.end.line > range.start.line) return new vscode.Range(range.start, doc.lineAt(range.end.line - 1).range.end);
  return range;
}

/** The whole lines from startLine to endLine (0-based). */
export function wholeLines(doc: vscode.TextDocument, startLine: number, endLine: number): vscode.Range {
  return new vscode.Range(startLine, 0, endLine, doc.lineAt(endLine).text.length);
}

/** The innermost symbol of one of `kinds` containing `target`; undefined without a symbol provider (bounded wait). */
export async function enclosingSymbol(uri: vscode.Uri, target: vscode.Range | vscode.Position, kinds: ReadonlySet<vscode.SymbolKind>): Promise<vscode.DocumentSymbol | undefined> {
  let symbols: vscode.DocumentSymbol[] | undefined;
  try {
    symbols = await Promise.race([
      vscode.commands.executeCommand<vscode.DocumentSymbol[] | undefined>('vscode.executeDocumentSymbolProvider', uri),
      new Promise<undefined>(r => setTimeout(() => r(undefined), 1500)),
    ]);
  } catch {
    return undefined; // no symbol provider for this language
  }
  const inner = (list: readonly vscode.DocumentSymbol[]): vscode.DocumentSymbol | undefined => {
    for (const s of list) {
      // Providers may answer with SymbolInformation (no children, no range of their own): not usable here.
      if (!('children' in s) || !s.range.contains(target)) continue;
      return inner(s.children) ?? (kinds.has(s.kind) ? s : undefined);
    }
    return undefined;
  };
  return inner(symbols ?? []);
}

const FUNCTION_KINDS: ReadonlySet<vscode.SymbolKind> = new Set([vscode.SymbolKind.Function, vscode.SymbolKind.Method]);

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

/** The range a code command works on, and how it was chosen (so the user can be shown). */
export async function targetRange(editor: vscode.TextEditor): Promise<{ range: vscode.Range; kind: TargetKind }> {
  const doc = editor.document;
  if (!editor.selection.isEmpty) return { range: trimSelection(doc, editor.selection), kind: 'selection' };
  const pos = editor.selection.active;
  const s = await enclosingSymbol(doc.uri, pos, SYMBOL_KINDS);
  if (s) return { range: wholeLines(doc, s.range.start.line, s.range.end.line), kind: 'symbol' };
  // No language server for this file: the enclosing block found from indentation and brackets.
  const from = Math.max(0, pos.line - 400);
  const lines: string[] = [];
  for (let i = from; i < Math.min(doc.lineCount, pos.line + 400); i++) lines.push(doc.lineAt(i).text);
  const b = enclosingBlock(lines, pos.line - from);
  if (b) return { range: wholeLines(doc, from + b.start, from + b.end), kind: 'symbol' };
  return { range: doc.lineAt(pos.line).range, kind: 'line' };
}

/** The code of a range with what surrounds it; undefined when the range holds only whitespace. */
export function gatherContext(doc: vscode.TextDocument, range: vscode.Range, extras = true): CodeContext | undefined {
  const code = doc.getText(range);
  if (code.trim() === '') return undefined;
  const ctx: CodeContext = {
    uri: doc.uri.toString(),
    file: vscode.workspace.asRelativePath(doc.uri, false),
    language: doc.languageId,
    startLine: range.start.line + 1,
    endLine: range.end.line + 1,
    code,
  };
  if (!extras) return ctx;
  const firstBefore = Math.max(0, range.start.line - SURROUNDING_LINES);
  if (firstBefore < range.start.line) ctx.before = doc.getText(new vscode.Range(firstBefore, 0, range.start.line, 0)).replace(/\r?\n$/, '');
  const lastAfter = Math.min(doc.lineCount - 1, range.end.line + SURROUNDING_LINES);
  if (lastAfter > range.end.line) ctx.after = doc.getText(new vscode.Range(range.end.line + 1, 0, lastAfter, doc.lineAt(lastAfter).text.length));
  if (ctx.before?.trim() === '') delete ctx.before;
  if (ctx.after?.trim() === '') delete ctx.after;
  const imports: string[] = [];
  for (let i = 0; i < Math.min(doc.lineCount, 300) && imports.length < MAX_IMPORTS; i++) {
    if (i >= range.start.line && i <= range.end.line) continue;
    const text = doc.lineAt(i).text;
    if (IMPORT_LINE.test(text)) imports.push(text.trim());
  }
  if (imports.length) ctx.imports = imports;
  const diagnostics = vscode.languages
    .getDiagnostics(doc.uri)
    .filter(d => d.range.intersection(range) !== undefined)
    .slice(0, 20)
    .map(d => ({
      line: d.range.start.line + 1,
      message: d.message,
      source: d.source,
      code: typeof d.code === 'object' ? String(d.code.value) : d.code === undefined ? undefined : String(d.code),
    }));
  if (diagnostics.length) ctx.diagnostics = diagnostics;
  return ctx;
}

/** The selection, or the current line when nothing is selected (chat chips and quick questions). */
export function codeContextFrom(editor: vscode.TextEditor): CodeContext | undefined {
  const doc = editor.document;
  const range = editor.selection.isEmpty ? doc.lineAt(editor.selection.active.line).range : trimSelection(doc, editor.selection);
  return gatherContext(doc, range, false);
}
