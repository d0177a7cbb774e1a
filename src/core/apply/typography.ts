// Typographic drift: chat front ends and some models turn quotes into smart quotes, spaces into
// non-breaking spaces, `--` into dashes, `...` into an ellipsis, and slip in zero-width characters.
// Code is matched through the plain forms, and the text written keeps the document's own characters.

const PLAIN: Readonly<Record<string, string>> = {
  '\u2018': "'", '\u2019': "'", '\u201A': "'", '\u201B': "'", '\u2032': "'",
  '\u201C': '"', '\u201D': '"', '\u201E': '"', '\u201F': '"', '\u2033': '"',
  '\u00A0': ' ', '\u2002': ' ', '\u2003': ' ', '\u2007': ' ', '\u2009': ' ', '\u200A': ' ', '\u202F': ' ',
  '\u2013': '-', '\u2014': '-', '\u2212': '-',
  '\u2026': '...',
  '\u200B': '', '\u200C': '', '\u200D': '', '\u2060': '', '\uFEFF': '',
};
const ANY = new RegExp(`[${Object.keys(PLAIN).join('')}]`, 'g');
/** Characters that change only how text looks; in prose documents dashes, quotes and ellipses are the author's choice. */
const INVISIBLE = new Set(['\u00A0', '\u2002', '\u2003', '\u2007', '\u2009', '\u200A', '\u202F', '\u200B', '\u200C', '\u200D', '\u2060', '\uFEFF']);

export function hasTypography(text: string): boolean {
  ANY.lastIndex = 0;
  return ANY.test(text);
}

/** The text with every typographic character in its plain form. */
export function plainTypography(text: string): string {
  return text.replace(ANY, c => PLAIN[c] ?? c);
}

/**
 * The answer's lines with the typographic characters the document never uses turned into their plain
 * forms: the document's own style is kept, and a character it does use (a real ’ in a string) stays.
 */
export function adoptDocumentTypography(lines: readonly string[], docText: string, prose: boolean): { lines: string[]; changed: boolean } {
  const used = new Set(docText.match(ANY) ?? []);
  let changed = false;
  const out = lines.map(line =>
    line.replace(ANY, c => {
      if (used.has(c) || (prose && !INVISIBLE.has(c))) return c;
      // 'Don’t' and "a “quote”": beside straight quotes of its kind, a curly one is the string's content.
      const plain = PLAIN[c] ?? c;
      if ((plain === "'" || plain === '"') && line.includes(plain)) return c;
      changed = true;
      return plain;
    }),
  );
  return { lines: out, changed };
}
