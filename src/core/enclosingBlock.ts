// The function (or other block) around a line, found from the text alone: used when no language server
// supplies symbols, so "nothing selected -> the enclosing function" works in any language. Two shapes:
// brace blocks (a header line, `{`, the matching `}`), and indentation blocks (a header ending in `:`
// and the lines indented under it, as in Python). Brackets inside strings and comments are not parsed;
// a block that does not close is not taken.

export interface LineRange {
  /** 0-based, inclusive. */
  start: number;
  end: number;
}

/** Lines that start a function-like block in common languages. */
const HEADER = /^\s*(?!(?:if|else|for|foreach|while|do|switch|case|catch|try|finally|with|return|elif|except|match|when|unless|until|loop|await|yield|throw|new)\b)(?:export\s+|public\s+|private\s+|protected\s+|internal\s+|static\s+|async\s+|override\s+|final\s+|abstract\s+|pub(?:\(\w+\))?\s+|default\s+)*(?:function\b|def\b|fn\b|func\b|fun\b|sub\b|class\b|struct\b|impl\b|interface\b|enum\b|trait\b|module\b|object\b|(?:[\w<>[\],.?*&:]+\s+)+[\w$]+\s*\(|[\w$]+\s*\([^)]*\)\s*(?::\s*[^={]+)?\s*\{|(?:const|let|var)\s+[\w$]+\s*=\s*(?:async\s*)?(?:function\b|\([^)]*\)\s*(?::\s*[^=]+)?=>|[\w$]+\s*=>))/;

const indentOf = (line: string): number => {
  let n = 0;
  for (const ch of line) {
    if (ch === ' ') n += 1;
    else if (ch === '\t') n += 4;
    else break;
  }
  return n;
};

const blank = (line: string): boolean => line.trim() === '';

/** Braces opened minus closed on a line, ignoring those in // comments. */
function braceDelta(line: string): number {
  const code = line.replace(/\/\/.*$/, '');
  let d = 0;
  for (const ch of code) {
    if (ch === '{') d++;
    else if (ch === '}') d--;
  }
  return d;
}

/** The brace block whose header is at `header` (the `{` on that line or the next), if it closes. */
function braceBlock(lines: readonly string[], header: number): LineRange | undefined {
  let depth = 0;
  let opened = false;
  for (let i = header; i < lines.length && i < header + 5000; i++) {
    depth += braceDelta(lines[i]);
    if (!opened) {
      if (lines[i].includes('{')) opened = true;
      else if (i > header + 1) return undefined; // the header's brace is on its own line at the latest
    }
    if (opened && depth <= 0) return { start: header, end: i };
  }
  return undefined;
}

/** The indentation block under a header ending in `:` (Python and the like). */
function indentBlock(lines: readonly string[], header: number): LineRange | undefined {
  const base = indentOf(lines[header]);
  let end = header;
  for (let i = header + 1; i < lines.length; i++) {
    if (blank(lines[i])) continue;
    if (indentOf(lines[i]) <= base) break;
    end = i;
  }
  return end > header ? { start: header, end } : undefined;
}

/**
 * The innermost function-like block that contains `line` (0-based), as whole lines, or undefined.
 * Headers are looked for upwards from the line, each one at a smaller indentation than the last.
 */
export function enclosingBlock(lines: readonly string[], line: number, maxLines = 400): LineRange | undefined {
  if (line < 0 || line >= lines.length) return undefined;
  let limit = blank(lines[line]) ? Infinity : indentOf(lines[line]) + 1;
  for (let i = line; i >= 0 && line - i < maxLines; i--) {
    const text = lines[i];
    // Blank lines and lines of only brackets (a brace on its own line) say nothing about nesting.
    if (blank(text) || /^[{}()[\];,]+$/.test(text.trim())) continue;
    const indent = indentOf(text);
    if (indent >= limit && i !== line) continue;
    limit = Math.min(limit, indent + (i === line ? 1 : 0));
    if (!HEADER.test(text)) continue;
    const block = /:\s*(?:#.*)?$/.test(text) && !text.includes('{') ? indentBlock(lines, i) : braceBlock(lines, i);
    if (block && block.end >= line && block.end - block.start < maxLines) return block;
  }
  return undefined;
}
