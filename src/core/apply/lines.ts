// A document cut into lines with their exact offsets. The apply engine matches code line by line;
// this index maps every match back to UTF-16 offsets in the original text, whatever line endings it uses.

export interface LineIndex {
  readonly text: string;
  /** Each line's content, without its line ending. */
  readonly lines: readonly string[];
  /** Offset of each line's first character. */
  readonly starts: readonly number[];
  /** Offset just after each line's content, before its line ending. */
  readonly ends: readonly number[];
  /** The line ending inserted text gets: the one the document uses most. */
  readonly eol: '\n' | '\r\n';
}

export function indexLines(text: string): LineIndex {
  // The native split is several times faster than an indexOf loop on large files.
  const lines = text.split('\n');
  const starts = new Array<number>(lines.length);
  const ends = new Array<number>(lines.length);
  let crlf = 0;
  let pos = 0;
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i];
    starts[i] = pos;
    const cr = i < lines.length - 1 && raw.length > 0 && raw.charCodeAt(raw.length - 1) === 13;
    if (cr) {
      crlf++;
      lines[i] = raw.slice(0, -1);
    }
    ends[i] = pos + lines[i].length;
    pos += raw.length + 1;
  }
  const lf = lines.length - 1 - crlf;
  return { text, lines, starts, ends, eol: crlf > lf ? '\r\n' : '\n' };
}

/** The line that contains `offset` (an offset inside a line ending belongs to that line). */
export function lineOf(index: LineIndex, offset: number): number {
  let lo = 0;
  let hi = index.starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (index.starts[mid] <= offset) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** Model output arrives with any line ending; the engine works on \n and converts on the way out. */
export function toLf(text: string): string {
  return text.replace(/\r\n?/g, '\n');
}

export function isBlank(line: string): boolean {
  return line.trim() === '';
}

/** Drops blank lines at both ends; the ends of a code block carry no meaning for the edit. */
export function trimBlankLines(lines: readonly string[]): string[] {
  let a = 0;
  let b = lines.length;
  while (a < b && isBlank(lines[a])) a++;
  while (b > a && isBlank(lines[b - 1])) b--;
  return lines.slice(a, b);
}

/** A line that carries content worth counting when deciding how much of the file a block restates. */
export function isSignificant(line: string): boolean {
  const t = line.trim();
  return t.length >= 4 && /[\p{L}\p{N}]/u.test(t);
}

const trimmedCache = new WeakMap<LineIndex, readonly string[]>();

/** Each line trimmed, computed once per document: several matching steps compare trimmed lines. */
export function trimmedLines(doc: LineIndex): readonly string[] {
  let t = trimmedCache.get(doc);
  if (!t) {
    t = doc.lines.map(l => l.trim());
    trimmedCache.set(doc, t);
  }
  return t;
}

const significantCache = new WeakMap<LineIndex, { readonly flags: Uint8Array; readonly total: number }>();

/** Which lines are significant, and how many, computed once per document. */
export function significantLines(doc: LineIndex): { readonly flags: Uint8Array; readonly total: number } {
  let s = significantCache.get(doc);
  if (!s) {
    const flags = new Uint8Array(doc.lines.length);
    let total = 0;
    doc.lines.forEach((l, i) => {
      if (isSignificant(l)) {
        flags[i] = 1;
        total++;
      }
    });
    s = { flags, total };
    significantCache.set(doc, s);
  }
  return s;
}
