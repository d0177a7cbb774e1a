// Indentation: which style a text uses, and how to move a snippet's lines to another base indentation
// and style while keeping their indentation relative to each other (which is what Python needs).
import { isBlank } from './lines';

export type IndentStyle =
  | { readonly kind: 'tabs' }
  | { readonly kind: 'spaces'; readonly unit: number }
  /** No indented line to learn from: whatever the snippet uses is kept. */
  | { readonly kind: 'unknown' };

export function leadingWhitespace(line: string): string {
  let i = 0;
  while (i < line.length && (line[i] === ' ' || line[i] === '\t')) i++;
  return line.slice(0, i);
}

/**
 * The style most indented lines use. The space unit is the most frequent increase from one line to
 * the next (as editors guess it), because the greatest common divisor is thrown off by aligned
 * continuation lines.
 */
export function detectIndentStyle(lines: readonly string[], limit = 20000): IndentStyle {
  let tabs = 0;
  let spaces = 0;
  let minSpaces = Infinity;
  const increases = new Map<number, number>();
  let prev = -1;
  const widths: number[] = [];
  const n = Math.min(lines.length, limit);
  for (let i = 0; i < n; i++) {
    const line = lines[i];
    if (isBlank(line)) continue;
    const ws = leadingWhitespace(line);
    if (ws.includes('\t')) {
      if (ws[0] === '\t') tabs++;
      prev = -1;
      continue;
    }
    // ` * ` continuation lines of block comments sit one column off the grid.
    if (ws.length % 2 === 1 && line.trimStart().startsWith('*')) continue;
    if (ws.length >= 2) {
      spaces++;
      widths.push(ws.length);
      minSpaces = Math.min(minSpaces, ws.length);
    }
    if (prev >= 0 && ws.length > prev) {
      const d = ws.length - prev;
      if (d >= 2 && d <= 8) increases.set(d, (increases.get(d) ?? 0) + 1);
    }
    prev = ws.length;
  }
  if (tabs === 0 && spaces === 0) return { kind: 'unknown' };
  if (tabs > spaces) return { kind: 'tabs' };
  let unit = 0;
  let best = 0;
  for (const [d, count] of increases) {
    if (count > best || (count === best && d < unit)) {
      unit = d;
      best = count;
    }
  }
  if (unit === 0) unit = minSpaces >= 2 && minSpaces <= 8 ? minSpaces : 4;
  // A snippet that only jumps two levels at a time still counts in fours.
  if (unit === 8 && widths.every(w => w % 4 === 0)) unit = 4;
  return { kind: 'spaces', unit };
}

/**
 * The width a tab stands for when converting: one snippet level must become one document level, so
 * a 4-space snippet going into a tab document counts a tab as 4, and a tab snippet going into a
 * 2-space document counts a tab as 2.
 */
export function tabWidthFor(snippet: IndentStyle, target: IndentStyle): number {
  if (target.kind === 'spaces') return target.unit;
  if (snippet.kind === 'spaces') return snippet.unit;
  return 4;
}

export function indentColumns(ws: string, tabWidth: number): number {
  let col = 0;
  for (const ch of ws) col = ch === '\t' ? col + tabWidth - (col % tabWidth) : col + 1;
  return col;
}

/**
 * Maps a snippet line's indentation to the target's: the snippet's base goes to the target's base, and
 * each line keeps its distance from the base, rendered in the target's style.
 */
export function makeReindenter(
  snippetStyle: IndentStyle,
  targetStyle: IndentStyle,
  snippetBase: string,
  targetBase: string,
): (ws: string) => string {
  const sameStyle = targetStyle.kind === 'unknown' || snippetStyle.kind === 'unknown' || snippetStyle.kind === targetStyle.kind;
  // Same style, same base: returning the text untouched guarantees unchanged lines stay byte-identical.
  if (sameStyle && snippetBase === targetBase) return ws => ws;
  const tab = tabWidthFor(snippetStyle, targetStyle);
  const from = indentColumns(snippetBase, tab);
  const to = indentColumns(targetBase, tab);
  const useTabs = targetStyle.kind === 'tabs' || (targetStyle.kind === 'unknown' && (snippetStyle.kind === 'tabs' || targetBase.includes('\t')));
  return ws => {
    const cols = Math.max(0, to + indentColumns(ws, tab) - from);
    return useTabs ? '\t'.repeat(Math.floor(cols / tab)) + ' '.repeat(cols % tab) : ' '.repeat(cols);
  };
}

/** The indentation of the least indented non-blank line (as text), measured with `tab`. */
export function baseIndent(lines: readonly string[], tab: number): string {
  let best: string | undefined;
  let bestCols = Infinity;
  for (const line of lines) {
    if (isBlank(line)) continue;
    const ws = leadingWhitespace(line);
    const cols = indentColumns(ws, tab);
    if (cols < bestCols) {
      bestCols = cols;
      best = ws;
    }
  }
  return best ?? '';
}
