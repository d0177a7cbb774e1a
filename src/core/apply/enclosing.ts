// With only a cursor inside a function, models answer with the whole function (or class) changed.
// Inserting that at the cursor would leave two copies; the function around the cursor whose signature
// the block starts with (same declared name) is replaced instead.
import { indentColumns, leadingWhitespace } from './indent';
import { isBlank, trimmedLines, type LineIndex } from './lines';
import { similarity } from './similarity';

const KEYWORD_DECL = /\b(?:function\*?|def|class|fn|fun|func|sub|interface|struct|enum|trait|impl|module|object|record|procedure|defp?)\s+(?:\([^)]*\)\s*)?([A-Za-z_$][\w$]*[?!]?)/;
const BOUND_DECL = /\b([A-Za-z_$][\w$]*)\s*[:=]\s*(?:async\s+)?(?:function\b|\([^)]*\)\s*(?::[^=]+)?=>|[A-Za-z_$][\w$]*\s*=>)/;
/** `name(params) {`; a string as the first argument makes it a call (`test('a', function () {`), not a declaration. */
const METHOD_DECL = /^(?:[\w$<>[\],.?*&@:\s]+\s)?([A-Za-z_$][\w$]*)\s*(?:<[^>]*>)?\s*\((?!\s*['"`])[^;]*\)[^;=]*\{\s*$/;
const CONTROL = new Set(['if', 'for', 'while', 'switch', 'catch', 'with', 'return', 'else', 'do', 'try', 'foreach', 'using', 'lock', 'synchronized']);
/** A line that closes a unit at the unit's own indentation. */
const CLOSER = /^(\}|\)|\]|end\b|<\/|fi\b|done\b|esac\b)/;

/** The name a line declares (function, method, class), or undefined for any other line. */
export function declaredName(line: string): string | undefined {
  const t = line.trim();
  if (/^(\/\/|#(?!\[)|\*|\/\*|--)/.test(t)) return undefined;
  const name = KEYWORD_DECL.exec(t)?.[1] ?? BOUND_DECL.exec(t)?.[1] ?? METHOD_DECL.exec(t)?.[1];
  return name !== undefined && !CONTROL.has(name) ? name : undefined;
}

/** The last line of the unit that starts at `first`: up to the next line at its indentation or less. */
export function unitEnd(doc: LineIndex, first: number, tab: number): number {
  const base = indentColumns(leadingWhitespace(doc.lines[first]), tab);
  let lastCode = first;
  for (let j = first + 1; j < doc.lines.length; j++) {
    const line = doc.lines[j];
    if (isBlank(line)) continue;
    if (indentColumns(leadingWhitespace(line), tab) <= base) return CLOSER.test(line.trim()) ? j : lastCode;
    lastCode = j;
  }
  return lastCode;
}

export interface EnclosingUnit {
  /** Document lines replaced, inclusive. */
  readonly first: number;
  readonly last: number;
  /** The block line that is the unit's signature, and the document line it restates. */
  readonly signature: number;
  readonly docSignature: number;
}

/**
 * The unit around `cursorLine` that the block restates: the block's signature (one of its first lines)
 * declares the same name as a document line at or above the cursor, whose unit reaches the cursor.
 * Comment lines the block repeats above the signature extend the replaced range upward.
 */
export function enclosingUnit(doc: LineIndex, cursorLine: number, block: readonly string[], tab: number): EnclosingUnit | undefined {
  const trimmed = trimmedLines(doc);
  const limit = Math.min(block.length, 12);
  for (let s = 0; s < limit; s++) {
    const name = declaredName(block[s]);
    if (name === undefined) continue;
    const sig = block[s].trim();
    for (let d = Math.min(cursorLine, doc.lines.length - 1); d >= 0 && cursorLine - d <= 5000; d--) {
      if (declaredName(doc.lines[d]) !== name || similarity(sig, trimmed[d], 0.5) < 0.5) continue;
      const last = unitEnd(doc, d, tab);
      if (last < cursorLine) continue;
      let first = d;
      for (let k = s - 1; k >= 0 && first > 0 && !isBlank(block[k]) && block[k].trim() === trimmed[first - 1]; k--) first--;
      return { first, last, signature: s, docSignature: d };
    }
    return undefined;
  }
  return undefined;
}
