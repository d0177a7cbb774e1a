// An answer that stopped before it was finished: applying it would replace whole code with half of it.
// A fence that never closed is the sign; the code in it confirms it when it opens brackets it does not
// close (beyond what the selected code leaves open), or stops at a continuation or in the middle of a word.

/** Opening minus closing brackets, skipping strings and line comments well enough for the comparison. */
export function bracketBalance(text: string): number {
  let depth = 0;
  let quote: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quote !== undefined) {
      if (ch === '\\') i++;
      else if (ch === quote || (ch === '\n' && quote !== '`')) quote = undefined;
      continue;
    }
    if (ch === '"' || ch === '`') quote = ch;
    else if (ch === "'" && !/[\p{L}\p{N}]/u.test(text[i - 1] ?? '')) quote = ch; // not the apostrophe in "don't"
    else if (ch === '/' && text[i + 1] === '/') {
      const nl = text.indexOf('\n', i);
      i = nl < 0 ? text.length : nl;
    } else if (ch === '(' || ch === '[' || ch === '{') depth++;
    else if (ch === ')' || ch === ']' || ch === '}') depth--;
  }
  return depth;
}

const CONTINUATION = /(?:[,([{=+*/%&|^?:\\.]|\b(?:and|or|not|await|new|in|of))$/;
const COMMENT = /^(\/\/|#|--|\/\*|\*|<!--|;|%)/;

function lastLine(text: string): string {
  const lines = text.split('\n').map(l => l.trim()).filter(l => l !== '');
  return lines[lines.length - 1] ?? '';
}

/**
 * Why an unclosed block looks cut off, or undefined when it looks complete. `selected` is the code
 * it replaces ('' for a cursor), `context` the document, whose words a cut-off word would be the start of.
 */
export function cutOffSign(code: string, selected: string, context: string, prose = false): string | undefined {
  // Prose ends sentences with colons and leaves parentheses open in lists; only code is judged.
  if (prose) return undefined;
  if (bracketBalance(code) > Math.max(0, bracketBalance(selected))) return 'its brackets are left open';
  const last = lastLine(code);
  const selLast = lastLine(selected);
  if (last === '' || COMMENT.test(last)) return undefined;
  if (last.endsWith('*/') || last.endsWith('-->')) return undefined;
  if (CONTINUATION.test(last) && !(selLast !== '' && CONTINUATION.exec(last)?.[0] === CONTINUATION.exec(selLast)?.[0])) return 'it stops in the middle of a statement';
  const quotes = (last.match(/(?<!\\)"/g) ?? []).length;
  if (quotes % 2 === 1 && (selLast.match(/(?<!\\)"/g) ?? []).length % 2 === 0) return 'it stops inside a string';
  const word = /([A-Za-z_$][\w$]{1,})$/.exec(last)?.[1];
  if (word) {
    const before = code.slice(0, code.lastIndexOf(word));
    const words = new Set(`${context}\n${before}`.match(/[A-Za-z_$][\w$]*/g) ?? []);
    if (!words.has(word) && [...words].some(w => w.length > word.length && w.startsWith(word))) return 'it stops in the middle of a word';
  }
  return undefined;
}
