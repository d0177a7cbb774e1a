// The code a command is about: the selection, or the current line when nothing is selected.
import * as vscode from 'vscode';
import type { CodeContext } from '../protocol';

export function codeContextFrom(editor: vscode.TextEditor): CodeContext | undefined {
  const doc = editor.document;
  let range: vscode.Range = editor.selection;
  if (editor.selection.isEmpty) {
    range = doc.lineAt(editor.selection.active.line).range;
  } else if (range.end.character === 0 && range.end.line > range.start.line) {
    // A selection of whole lines ends at column 0 of the next line: that line is not part of it.
    range = new vscode.Range(range.start, doc.lineAt(range.end.line - 1).range.end);
  }
  const code = doc.getText(range);
  if (code.trim() === '') return undefined;
  return {
    uri: doc.uri.toString(),
    file: vscode.workspace.asRelativePath(doc.uri, false),
    language: doc.languageId,
    startLine: range.start.line + 1,
    endLine: range.end.line + 1,
    code,
  };
}
