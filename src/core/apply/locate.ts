// Finds where a quoted snippet (a SEARCH part, a diff hunk's old lines) is in the document, trying the
// strictest reading first: the exact lines; the lines ignoring indentation and trailing whitespace;
// the exact text inside a line; then an anchored approximate match. A stricter level that finds
// several places never falls through to a looser one: the answer is ambiguous, not absent.
import { isBlank, trimmedLines, type LineIndex } from './lines';
import { lcsLength, lcsPairs, similarity } from './similarity';
import { hasTypography, plainTypography } from './typography';

/** Approximate matches must be at least this similar (1 - normalized edit distance of the trimmed lines). */
export const FUZZY_THRESHOLD = 0.85;
/** An approximate match may span this share of lines more or fewer than the snippet (a dropped or added line). */
const FUZZY_LINE_SLACK = 0.15;
/** Character comparisons the approximate search may spend, so anchors like `{` and `}` cannot make it slow. */
const FUZZY_BUDGET = 50_000_000;

export type MatchKind = 'exact' | 'whitespace' | 'typographic' | 'substring' | 'fuzzy';

export interface Match {
  readonly kind: MatchKind;
  /** Offsets in the document text: for line matches, from the first line's start to the last line's content end. */
  readonly start: number;
  readonly end: number;
  /** Line matches: first and last document line (inclusive). */
  readonly firstLine: number;
  readonly lastLine: number;
  /** For each snippet line, the document line it corresponds to, when it has one. */
  readonly lineMap: readonly (number | undefined)[];
  /** 1 for exact and whitespace matches, the similarity for approximate ones. */
  readonly score: number;
}

export interface LocateOptions {
  readonly selection: { readonly start: number; readonly end: number };
  /** 0-based line the model said the snippet starts at (a diff header); used only to break ties. */
  readonly hintLine?: number;
  /** Ranges already claimed by other changes in the same answer. */
  readonly claimed: readonly { readonly start: number; readonly end: number }[];
}

export type Located =
  | { readonly ok: true; readonly match: Match; readonly note?: string }
  | { readonly ok: false; readonly why: 'absent' }
  | { readonly ok: false; readonly why: 'ambiguous'; readonly candidates: readonly Match[] };

function lineMatch(doc: LineIndex, kind: MatchKind, first: number, last: number, lineMap: (number | undefined)[], score: number): Match {
  return { kind, start: doc.starts[first], end: doc.ends[last], firstLine: first, lastLine: last, lineMap, score };
}

function identityMap(first: number, count: number): number[] {
  return Array.from({ length: count }, (_, i) => first + i);
}

/** `snippet` has no blank first or last line (the caller trims them). */
export function locate(doc: LineIndex, snippet: readonly string[], opts: LocateOptions): Located {
  const levels: Array<() => Match[]> = [
    () => exactLines(doc, snippet),
    () => whitespaceLines(doc, snippet),
    () => typographicLines(doc, snippet),
    () => substring(doc, snippet),
    () => fuzzyLines(doc, snippet),
  ];
  for (const level of levels) {
    const found = level().filter(m => !opts.claimed.some(c => m.start < c.end && c.start < m.end));
    if (found.length === 0) continue;
    return choose(found, opts);
  }
  return { ok: false, why: 'absent' };
}

function choose(found: Match[], opts: LocateOptions): Located {
  if (found.length === 1) return { ok: true, match: found[0] };
  const { start, end } = opts.selection;
  const inSelection = found.filter(m => (start === end ? m.start <= start && start <= m.end : m.start < end && start < m.end));
  if (inSelection.length === 1) {
    return { ok: true, match: inSelection[0], note: `The code appears in ${found.length} places; changed the one in the selection.` };
  }
  const pool = inSelection.length > 0 ? inSelection : found;
  if (opts.hintLine !== undefined) {
    const atHint = pool.filter(m => m.firstLine === opts.hintLine);
    if (atHint.length === 1) {
      return { ok: true, match: atHint[0], note: `The code appears in ${found.length} places; changed the one at the line the answer names.` };
    }
  }
  // Approximate matches of clearly different quality are not a tie.
  const ranked = [...pool].sort((a, b) => b.score - a.score);
  if (ranked[0].kind === 'fuzzy' && ranked[0].score - ranked[1].score >= 0.05) return { ok: true, match: ranked[0] };
  return { ok: false, why: 'ambiguous', candidates: pool };
}

function exactLines(doc: LineIndex, s: readonly string[]): Match[] {
  const out: Match[] = [];
  const lines = doc.lines;
  const k = s.length;
  for (let i = 0; i + k <= lines.length; i++) {
    if (lines[i] !== s[0]) continue;
    let j = 1;
    while (j < k && lines[i + j] === s[j]) j++;
    if (j === k) out.push(lineMatch(doc, 'exact', i, i + k - 1, identityMap(i, k), 1));
  }
  return out;
}

function whitespaceLines(doc: LineIndex, s: readonly string[]): Match[] {
  const out: Match[] = [];
  const t = trimmedLines(doc);
  const st = s.map(l => l.trim());
  const k = st.length;
  for (let i = 0; i + k <= t.length; i++) {
    if (t[i] !== st[0]) continue;
    let j = 1;
    while (j < k && t[i + j] === st[j]) j++;
    if (j === k) out.push(lineMatch(doc, 'whitespace', i, i + k - 1, identityMap(i, k), 1));
  }
  return out;
}

/** Lines equal once smart quotes, dashes, ellipses and odd spaces are plain: the drift of chat front ends. */
function typographicLines(doc: LineIndex, s: readonly string[]): Match[] {
  if (!s.some(hasTypography) && !hasTypography(doc.text)) return [];
  const t = trimmedLines(doc);
  const st = s.map(l => plainTypography(l).trim());
  const k = st.length;
  const plain: (string | undefined)[] = new Array<string | undefined>(t.length);
  const at = (i: number): string => (plain[i] ??= plainTypography(t[i]).trim());
  const out: Match[] = [];
  for (let i = 0; i + k <= t.length; i++) {
    if (at(i) !== st[0]) continue;
    let j = 1;
    while (j < k && at(i + j) === st[j]) j++;
    if (j === k) out.push(lineMatch(doc, 'typographic', i, i + k - 1, identityMap(i, k), 1));
  }
  return out;
}

/** The region most like a snippet that was not found, to show the user: the start most of its lines agree on. */
export function closestRegion(doc: LineIndex, snippet: readonly string[]): { first: number; last: number; score: number } | undefined {
  const st = snippet.map(l => l.trim());
  const want = new Map<string, number[]>();
  st.forEach((l, i) => {
    if (l.length < 4) return;
    const list = want.get(l);
    if (list) list.push(i);
    else want.set(l, [i]);
  });
  if (want.size === 0) return undefined;
  const votes = new Map<number, number>();
  const t = trimmedLines(doc);
  for (let d = 0; d < t.length; d++) {
    const idx = want.get(t[d]);
    if (!idx) continue;
    for (const i of idx) if (d - i >= 0) votes.set(d - i, (votes.get(d - i) ?? 0) + 1);
  }
  let best: number | undefined;
  let most = 0;
  for (const [start, n] of votes) {
    if (n > most || (n === most && best !== undefined && start < best)) {
      best = start;
      most = n;
    }
  }
  if (best === undefined) return undefined;
  const last = Math.min(t.length - 1, best + st.length - 1);
  const a = st.filter(l => l !== '');
  const b = t.slice(best, last + 1).filter(l => l !== '');
  const aText = a.join('\n');
  const bText = b.join('\n');
  // Characters for a snippet of ordinary size; lines for a long one, whose character distance would be slow.
  const score = aText.length * bText.length <= 4_000_000 ? similarity(aText, bText, 0) : (2 * lcsLength(a, b)) / Math.max(1, a.length + b.length);
  return { first: best, last, score };
}

/**
 * The snippet as a piece of a line (or lines), for models that quote only the part they change.
 * Word boundaries are required so `x = 1` is not found inside `max = 10`.
 */
function substring(doc: LineIndex, s: readonly string[]): Match[] {
  const needle = s.join(doc.eol);
  if (needle.trim().length < 3) return [];
  const text = doc.text;
  const out: Match[] = [];
  const word = /[\p{L}\p{N}_$]/u;
  for (let at = text.indexOf(needle); at >= 0 && out.length < 100; at = text.indexOf(needle, at + 1)) {
    const end = at + needle.length;
    if (word.test(needle[0]) && at > 0 && word.test(text[at - 1])) continue;
    if (word.test(needle[needle.length - 1]) && end < text.length && word.test(text[end])) continue;
    out.push({ kind: 'substring', start: at, end, firstLine: -1, lastLine: -1, lineMap: [], score: 1 });
  }
  return out;
}

/**
 * First and last lines must match (trimmed); the lines between may differ a little, and there may be
 * a few more or fewer of them. Needs at least three lines: with fewer, the anchors are the whole snippet.
 */
function fuzzyLines(doc: LineIndex, s: readonly string[]): Match[] {
  const k = s.length;
  if (k < 3) return [];
  const t = trimmedLines(doc);
  const st = s.map(l => l.trim());
  const first = st[0];
  const last = st[k - 1];
  const slack = Math.max(1, Math.ceil(k * FUZZY_LINE_SLACK));
  const want = st.filter(l => l !== '').join('\n');
  const out: Match[] = [];
  let budget = FUZZY_BUDGET;
  for (let i = 0; i < t.length && budget > 0; i++) {
    if (t[i] !== first) continue;
    let best: { last: number; score: number } | undefined;
    for (let len = Math.max(2, k - slack); len <= k + slack && i + len <= t.length; len++) {
      const j = i + len - 1;
      if (t[j] !== last) continue;
      const got = t.slice(i, j + 1).filter(l => l !== '').join('\n');
      budget -= Math.min(want.length, got.length) * (2 * Math.floor((1 - FUZZY_THRESHOLD) * Math.max(want.length, got.length)) + 1);
      const score = similarity(want, got, FUZZY_THRESHOLD);
      if (score >= FUZZY_THRESHOLD && (!best || score > best.score)) best = { last: j, score };
    }
    if (!best) continue;
    out.push(lineMatch(doc, 'fuzzy', i, best.last, fuzzyLineMap(st, t.slice(i, best.last + 1), i), best.score));
  }
  return out;
}

/**
 * Which document line each snippet line stands for: equal lines pair up (LCS), and between two pairs a
 * run of as many snippet lines as document lines pairs up in order, since those are the lines the
 * model quoted with slips. A REPLACE line copying such a line then keeps the document's real text.
 */
function fuzzyLineMap(snippet: readonly string[], window: readonly string[], offset: number): (number | undefined)[] {
  const map = new Array<number | undefined>(snippet.length).fill(undefined);
  const pairs: Array<[number, number]> = [[-1, -1], ...lcsPairs(snippet, window), [snippet.length, window.length]];
  for (let p = 0; p + 1 < pairs.length; p++) {
    const [a0, b0] = pairs[p];
    const [a1, b1] = pairs[p + 1];
    if (a1 < snippet.length) map[a1] = offset + b1;
    if (a1 - a0 === b1 - b0) for (let x = 1; x < a1 - a0; x++) map[a0 + x] = offset + b0 + x;
  }
  return map.map((d, a) => (d !== undefined && isBlank(snippet[a]) && !isBlank(window[d - offset]) ? undefined : d));
}
