// Line numbers copied from a numbered view of the file (Roo Code's `12 | code`, `12: code`, `cat -n`'s
// `    12\tcode`, aligned `  12  code`). They are stripped only when every line of the part carries one
// and the numbers count up by one, and only when the numbered lines are not the document's own text
// (a file that really starts its lines with numbers keeps them).

const FORMATS: readonly RegExp[] = [
  /^[ \t]*(\d+)[ \t]?\|(?: |$)/,
  /^[ \t]*(\d+):(?: |$)/,
  /^[ \t]*(\d+)\t/,
  /^[ \t]*(\d+) {2}/,
];
/** A numbered blank line: the number alone, or with its separator. */
const BLANK = /^[ \t]*(\d+)[ \t]*[|:]?[ \t]*$/;

/**
 * `docLines`: numbers beyond the document's length (plus what an edit could add) are not line numbers
 * of it. `expectFirst`: the line the part should start at (Roo's :start_line:, the selection's first
 * line); a single numbered line is stripped only when its number is that one.
 */
export function stripLineNumbers(
  lines: readonly string[],
  inDoc: (line: string) => boolean,
  docLines: number,
  expectFirst?: number,
): { lines: string[]; stripped: boolean } {
  const unchanged = { lines: [...lines], stripped: false };
  if (lines.length === 0) return unchanged;
  for (const format of FORMATS) {
    const out: string[] = [];
    let expect: number | undefined;
    let ok = true;
    for (const line of lines) {
      const m = format.exec(line) ?? BLANK.exec(line);
      if (!m) {
        ok = false;
        break;
      }
      const n = Number(m[1]);
      if ((expect !== undefined && n !== expect) || (expect === undefined && (n < 1 || n > docLines + 1))) {
        ok = false;
        break;
      }
      expect = n + 1;
      out.push(line.slice(m[0].length));
    }
    if (!ok) continue;
    if (lines.length === 1 && Number(/\d+/.exec(lines[0])?.[0]) !== expectFirst) continue;
    const nonBlank = lines.filter(l => l.trim() !== '');
    if (nonBlank.filter(inDoc).length * 2 >= nonBlank.length) return unchanged;
    return { lines: out, stripped: true };
  }
  return unchanged;
}
