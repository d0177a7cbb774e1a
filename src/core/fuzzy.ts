// Matching as Quick Open does it: the query's characters in order anywhere in the path, ranked by
// where they fall (in the file name, at the start of a word, one after another). Pure, for the # picker.

const SEPARATORS = new Set(['/', '\\', '.', '_', '-', ' ']);

/** Points for matching `query` in `text` as a subsequence; undefined when it is not one. */
function subsequenceScore(query: string, text: string): number | undefined {
  const lower = text.toLowerCase();
  let score = 0;
  let at = -1;
  let previous = -2;
  for (const ch of query) {
    at = lower.indexOf(ch, at + 1);
    if (at < 0) return undefined;
    score += 1;
    if (at === previous + 1) score += 5; // one after another
    const before = at === 0 ? '/' : text[at - 1];
    if (SEPARATORS.has(before) || (text[at] !== lower[at] && before === lower[at - 1])) score += 8; // starts a word
    previous = at;
  }
  return score;
}

/**
 * How well `query` matches a workspace-relative path, higher is better; undefined when it does not.
 * A match in the file name beats one spread over the folders; a shorter path wins a tie.
 */
export function fuzzyScore(query: string, path: string): number | undefined {
  const q = query.trim().toLowerCase().replace(/\s+/g, '');
  if (q === '') return 0;
  const name = path.slice(path.lastIndexOf('/') + 1);
  const inName = subsequenceScore(q, name);
  if (inName !== undefined) {
    const prefix = name.toLowerCase().startsWith(q) ? 40 : 0;
    return 1000 + inName + prefix - path.length / 1000;
  }
  const inPath = subsequenceScore(q, path);
  return inPath === undefined ? undefined : inPath - path.length / 1000;
}

/** The best `limit` items for `query`, best first (ties keep their order). */
export function fuzzyFilter<T>(query: string, items: readonly T[], key: (item: T) => string, limit: number): T[] {
  const scored: { item: T; score: number; index: number }[] = [];
  items.forEach((item, index) => {
    const score = fuzzyScore(query, key(item));
    if (score !== undefined) scored.push({ item, score, index });
  });
  scored.sort((a, b) => b.score - a.score || a.index - b.index);
  return scored.slice(0, limit).map(s => s.item);
}
