// Insert at Cursor's placement, apart from the code-block actions so it can be tested on its own.
import vscode = require('vscode');

/**
 * Where a block goes for Insert at Cursor: at the cursor, unless the cursor is in the middle of a line
 * of code and the block has several lines; then on the next line, at the current line's indentation
 * (a block pasted mid-line would split that line and keep the answer's own indentation).
 */
export function insertionFor(doc: vscode.TextDocument, pos: vscode.Position, code: string): { position: vscode.Position; text: string } {
  const line = doc.lineAt(pos.line);
  if (!code.includes('\n') || line.text.slice(0, pos.character).trim() === '') return { position: pos, text: code };
  const indent = /^[ \t]*/.exec(line.text)?.[0] ?? '';
  const lines = code.replace(/\r\n/g, '\n').replace(/\n$/, '').split('\n');
  const common = Math.min(...lines.filter(l => l.trim() !== '').map(l => /^[ \t]*/.exec(l)?.[0].length ?? 0));
  const eol = doc.eol === vscode.EndOfLine.CRLF ? '\r\n' : '\n';
  const body = lines.map(l => (l.trim() === '' ? '' : indent + l.slice(common))).join(eol);
  return { position: line.range.end, text: eol + body };
}
