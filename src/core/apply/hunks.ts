// Applies quoted-context changes (SEARCH/REPLACE blocks and unified-diff hunks): find each quoted part
// in the document, then replace it, keeping the document's own text for lines the change leaves alone.
import { detectIndentStyle, leadingWhitespace, makeReindenter, type IndentStyle } from './indent';
import { isBlank, type LineIndex } from './lines';
import { closestRegion, FUZZY_THRESHOLD, locate, type Match } from './locate';
import type { ApplyMethod, Edit, Plan } from './plan';
import { refusal } from './plan';
import { lcsPairs } from './similarity';

export interface Hunk {
  /** What the document has now (SEARCH part, or a hunk's context and removed lines). */
  readonly search: readonly string[];
  /** What it should have instead. */
  readonly replace: readonly string[];
  /** 0-based line the model says `search` starts at; only breaks ties between equal matches. */
  readonly hintLine?: number;
}

export interface HunkContext {
  readonly doc: LineIndex;
  readonly selection: { readonly start: number; readonly end: number };
  readonly docStyle: IndentStyle;
}

const NOTE_FOR: Record<Match['kind'], string | undefined> = {
  exact: undefined,
  whitespace: 'Found the quoted code ignoring differences in indentation and trailing spaces; re-indented the change to match.',
  typographic: "Found the quoted code after reading its smart quotes, dashes and special spaces as plain ones; kept the file's own characters.",
  substring: 'Found the quoted code inside a line.',
  fuzzy: undefined,
};

export function planHunks(ctx: HunkContext, hunks: readonly Hunk[], method: Extract<ApplyMethod, 'search-replace' | 'unified-diff'>): Plan {
  const what = method === 'search-replace' ? 'SEARCH text' : 'diff hunk';
  const trimmed = hunks.map(trimHunk).filter(h => !sameLines(h.search, h.replace));
  if (trimmed.length === 0) return refusal(`The answer's ${what} does not change anything.`);
  const edits: Edit[] = [];
  const notes: string[] = [];
  const claimed: { start: number; end: number }[] = [];
  const assigned = new Map<number, Match>();
  for (let i = 0; i < trimmed.length; i++) {
    const h = trimmed[i];
    if (h.search.length === 0) {
      if (ctx.doc.text.trim() === '') {
        edits.push({ start: 0, end: ctx.doc.text.length, text: h.replace.join(ctx.doc.eol) });
        continue;
      }
      if (method === 'unified-diff') return refusal('A diff hunk in the answer only adds lines and quotes no surrounding lines, so there is no way to tell where they go.', h.replace.join('\n'));
      return refusal('A SEARCH/REPLACE block in the answer has an empty SEARCH part, so there is no way to tell where its code goes.', h.replace.join('\n'));
    }
    let match = assigned.get(i);
    if (!match) {
      const found = locate(ctx.doc, h.search, { selection: ctx.selection, hintLine: h.hintLine, claimed });
      if (!found.ok && found.why === 'absent') {
        const near = closestRegion(ctx.doc, h.search);
        const closest =
          near && near.score > 0.3
            ? ` The closest code is at lines ${near.first + 1}-${near.last + 1} (${Math.floor(near.score * 100)}% similar, below the ${Math.round(FUZZY_THRESHOLD * 100)}% needed to change it safely).`
            : '';
        return refusal(
          `Could not find the code to change: the ${what} starting ${quote(h.search)} is not in the document (it may have changed since the answer was written).${closest} Select the code to change and ask again.`,
          h.replace.join('\n'),
        );
      }
      if (!found.ok) {
        // The same quote given once per occurrence (a model fixing every copy) pairs up in document order.
        const key = h.search.join('\n');
        const group = trimmed.map((g, j) => (g.search.join('\n') === key ? j : -1)).filter(j => j >= i);
        const places = [...found.candidates].sort((a, b) => a.start - b.start);
        const disjoint = places.every((p, j) => j === 0 || places[j - 1].end <= p.start);
        if (group.length !== places.length || !disjoint) {
          return refusal(
            `ambiguous: found ${found.candidates.length} places matching the ${what} starting ${quote(h.search)}. Select the one to change and try again.`,
            h.replace.join('\n'),
          );
        }
        group.forEach((j, n) => assigned.set(j, places[n]));
        match = places[0];
      } else {
        match = found.match;
        if (found.note) notes.push(found.note);
      }
    }
    if (match.kind === 'fuzzy') notes.push(`Found the quoted code approximately (${Math.round(match.score * 100)}% similar); check the result.`);
    const note = NOTE_FOR[match.kind];
    if (note) notes.push(note);
    claimed.push({ start: match.start, end: match.end });
    edits.push(hunkEdit(ctx, h, match));
  }
  return { ok: true, edits, method, notes: [...new Set(notes)] };
}

function quote(lines: readonly string[]): string {
  const first = lines.find(l => !isBlank(l))?.trim() ?? '';
  return `"${first.length > 60 ? `${first.slice(0, 57)}...` : first}"`;
}

function sameLines(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((l, i) => l === b[i]);
}

/**
 * Blank lines at the ends of the quote are dropped (they only make matching brittle); the same number
 * is dropped from the replacement where it has them, so blank lines the model adds are kept.
 */
function trimHunk(h: Hunk): Hunk {
  const lead = (x: readonly string[]): number => {
    let n = 0;
    while (n < x.length && isBlank(x[n])) n++;
    return n;
  };
  const trail = (x: readonly string[], from: number): number => {
    let n = 0;
    while (n < x.length - from && isBlank(x[x.length - 1 - n])) n++;
    return n;
  };
  const sl = lead(h.search);
  const st = trail(h.search, sl);
  const rl = lead(h.replace);
  const rt = trail(h.replace, rl);
  const hintShift = sl;
  return {
    search: h.search.slice(sl, h.search.length - st),
    replace: h.replace.slice(Math.min(sl, rl), h.replace.length - Math.min(st, rt)),
    hintLine: h.hintLine === undefined ? undefined : h.hintLine + hintShift,
  };
}

function hunkEdit(ctx: HunkContext, h: Hunk, m: Match): Edit {
  const { doc } = ctx;
  if (m.kind === 'substring') return { start: m.start, end: m.end, text: h.replace.join(doc.eol) };
  const lines = m.kind === 'exact' ? [...h.replace] : renderReplacement(ctx, h, m);
  if (lines.length > 0) return { start: m.start, end: m.end, text: lines.join(doc.eol) };
  // Deleting whole lines takes a line ending with them, or an empty line would stay behind.
  if (m.lastLine + 1 < doc.lines.length) return { start: m.start, end: doc.starts[m.lastLine + 1], text: '' };
  if (m.firstLine > 0) return { start: doc.ends[m.firstLine - 1], end: m.end, text: '' };
  return { start: m.start, end: m.end, text: '' };
}

/**
 * For a match that was not exact: lines the replacement keeps from the quote take the document's own
 * text (its exact whitespace); new or changed lines move by the indentation shift seen between the
 * quote and the document, converted to the document's tabs or spaces.
 */
function renderReplacement(ctx: HunkContext, h: Hunk, m: Match): string[] {
  const { doc } = ctx;
  const snippetStyle = detectIndentStyle([...h.search, ...h.replace]);
  const anchor = h.search.findIndex((l, i) => !isBlank(l) && m.lineMap[i] !== undefined);
  const docLine = anchor >= 0 ? m.lineMap[anchor] : undefined;
  const reindent =
    anchor >= 0 && docLine !== undefined
      ? makeReindenter(snippetStyle, ctx.docStyle, leadingWhitespace(h.search[anchor]), leadingWhitespace(doc.lines[docLine]))
      : (ws: string) => ws;
  const kept = new Map<number, number>();
  for (const [r, s] of lcsPairs(h.replace, h.search)) kept.set(r, s);
  return h.replace.map((line, r) => {
    const s = kept.get(r);
    const d = s === undefined ? undefined : m.lineMap[s];
    if (d !== undefined && !isBlank(line)) return doc.lines[d];
    if (isBlank(line)) return '';
    const ws = leadingWhitespace(line);
    return reindent(ws) + line.slice(ws.length);
  });
}
