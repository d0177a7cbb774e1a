// What models add to code that is not code: line numbers copied from a numbered view, and typographic
// characters where the file has plain ones. Removed from a block (or a SEARCH or REPLACE part) before
// it is matched against the document.
import { stripLineNumbers } from './lineNumbers';
import { trimmedLines, type LineIndex } from './lines';
import { adoptDocumentTypography, hasTypography } from './typography';

/** Languages where any line may be prose (and `#` starts a heading), whose dashes and quotes are the author's choice. */
export const PROSE = new Set(['markdown', 'plaintext', 'text', 'log', 'restructuredtext', 'asciidoc', 'latex']);

export interface Cleaned {
  readonly lines: string[];
  readonly notes: readonly string[];
}

/** `expectFirst`: the 1-based line the lines should start at, when known (see stripLineNumbers). */
export function cleanLines(doc: LineIndex, languageId: string, input: readonly string[], expectFirst?: number): Cleaned {
  const notes: string[] = [];
  let lines = [...input];
  const numbered = stripLineNumbers(lines, l => docLineSet(doc).has(l.trim()), doc.lines.length, expectFirst);
  if (numbered.stripped) {
    lines = numbered.lines;
    notes.push('Removed the line numbers the answer copied along with the code.');
  }
  if (lines.some(hasTypography)) {
    const typo = adoptDocumentTypography(lines, doc.text, PROSE.has(languageId));
    if (typo.changed) {
      lines = typo.lines;
      notes.push("Replaced typographic characters in the answer (smart quotes, dashes, non-breaking or zero-width spaces) with the file's plain ones.");
    }
  }
  return { lines, notes };
}

const setCache = new WeakMap<LineIndex, ReadonlySet<string>>();

function docLineSet(doc: LineIndex): ReadonlySet<string> {
  let s = setCache.get(doc);
  if (!s) {
    s = new Set(trimmedLines(doc));
    setCache.set(doc, s);
  }
  return s;
}
