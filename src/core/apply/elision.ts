// "Lazy" code blocks: a block that keeps unchanged code as a placeholder comment (`// ... existing
// code ...`, `# ... rest unchanged ...`, `{/* ... */}`, `<!-- ... -->`, `...`). The placeholder is never
// written to the file: each one stands for the document's own lines between the unchanged line the
// block shows before it and the one it shows after it. Those anchors must be found, in order, in one
// way only; otherwise the block is refused, because guessing would delete or duplicate code.
import { detectIndentStyle, indentColumns, leadingWhitespace, makeReindenter, tabWidthFor, type IndentStyle } from './indent';
import { isBlank, lineOf, trimBlankLines, trimmedLines, type LineIndex } from './lines';
import { minimalEdit, refusal, type Plan } from './plan';
import { declaredName, unitEnd } from './enclosing';
import { lcsPairs, similarity } from './similarity';

const ELISION_COMMENT = /^(?:\{\s*\/\*+\s*(.*?)\s*\*+\/\s*\}|(?:\/\/+|#+|--|\/\*+|<!--|;+|%|\*)\s*(.*))$/;
/** Phrases of placeholders, not of documentation: "the rest of the list" or "returns unchanged input" do not count. */
const ELISION_WORDS = new RegExp(
  [
    '^(\\.\\.\\.|…|\\[\\.\\.\\.\\]|\\(\\.\\.\\.\\))',
    '\\b(rest|remainder) of (the )?(code|file|function|class|methods?|component|implementation|body|module|properties|logic|page|template|markup|styles|rules|section|config|tests)\\b',
    '^(other|remaining) (methods|functions|fields|properties|imports|routes|cases|styles|rules|components|tests|code)( (go )?here| (are |remain )?unchanged| omitted)?\\s*(\\.\\.\\.|…)?$',
    '\\bexisting (code|methods|logic|implementation|imports|properties|functions)\\b',
    '\\b(code|everything else|the rest|rest|methods|implementation|logic) (remains?|stays?|is|are) (unchanged|the same|as (is|before))\\b',
    '\\b(rest|remainder) unchanged\\b',
    '\\bunchanged\\s*(\\.\\.\\.|…|\\)|$)',
    '\\bsame as (before|above)\\b',
    '\\bfor brevity\\b',
  ].join('|'),
  'i',
);

/** Whether a line is a placeholder for left-out code (and not a comment the document itself has). */
export function isElision(line: string, languageId: string, inDoc: (line: string) => boolean): boolean {
  const t = line.trim();
  const c = ELISION_COMMENT.exec(t);
  const words = c ? (c[1] ?? c[2] ?? '') : '';
  // `...` is Python's Ellipsis, a real statement there.
  const looksElided = ((t === '...' || t === '…') && languageId !== 'python') || (c !== null && ELISION_WORDS.test(words));
  return looksElided && !inDoc(t);
}

interface Segment {
  /** The block's lines, blank lines at the ends removed. */
  readonly lines: readonly string[];
  /** A placeholder stands before (after) it, so its first (last) line must be an unchanged line of the document. */
  readonly elidedBefore: boolean;
  readonly elidedAfter: boolean;
}

export interface ElisionContext {
  readonly doc: LineIndex;
  readonly selection: { readonly start: number; readonly end: number };
  readonly docStyle: IndentStyle;
}

/** Cells the alignments may compute before the block is declared too ambiguous to place. */
const BUDGET = 20_000_000;

interface Span {
  readonly a: number;
  readonly b: number;
  readonly cost: number;
  /** Columns the kept lines move from the block to the document (0: the block is at the file's indentation). */
  readonly shift: number;
  /** Block line -> document line, for the lines the alignment keeps. */
  readonly pairs: ReadonlyMap<number, number>;
}

/** The block split at its placeholders, or undefined when it has none. */
function segmentsOf(lines: readonly string[], isPlaceholder: (l: string) => boolean): Segment[] | undefined {
  const raw: { lines: string[]; before: boolean; after: boolean }[] = [];
  let cur: string[] = [];
  let pending = false;
  let any = false;
  for (const line of lines) {
    if (isPlaceholder(line)) {
      any = true;
      const t = trimBlankLines(cur);
      if (t.length > 0) raw.push({ lines: t, before: pending, after: true });
      else if (raw.length > 0) raw[raw.length - 1].after = true;
      pending = true;
      cur = [];
    } else cur.push(line);
  }
  if (!any) return undefined;
  const t = trimBlankLines(cur);
  if (t.length > 0) raw.push({ lines: t, before: pending, after: false });
  return raw.map(r => ({ lines: r.lines, elidedBefore: r.before, elidedAfter: r.after }));
}

export function planElided(ctx: ElisionContext, lines: readonly string[], languageId: string, inDoc: (l: string) => boolean, code: string): Plan | undefined {
  const placeholder = lines.find(l => isElision(l, languageId, inDoc))?.trim();
  if (placeholder === undefined) return undefined;
  const segments = segmentsOf(lines, l => isElision(l, languageId, inDoc)) ?? [];
  const cannot = (why: string): Plan =>
    refusal(`The code block leaves part of the code out ("${placeholder}"), and ${why}, so it is not clear what the placeholder stands for; nothing was applied. Copy the parts you want instead.`, code);
  if (segments.length === 0) return cannot('it has no code around the placeholder');
  const { doc } = ctx;
  const docT = trimmedLines(doc);
  const positions = new Map<string, number[]>();
  const wanted = new Set(segments.flatMap(s => s.lines.map(l => l.trim())));
  docT.forEach((t, i) => {
    if (t === '' || !wanted.has(t)) return;
    const list = positions.get(t);
    if (list) list.push(i);
    else positions.set(t, [i]);
  });
  const lastNonBlank = (() => {
    let i = docT.length - 1;
    while (i > 0 && docT[i] === '') i--;
    return i;
  })();
  const firstNonBlank = Math.max(0, docT.findIndex(t => t !== ''));
  const selFirst = lineOf(doc, ctx.selection.start);
  const selLast = lineOf(doc, Math.max(ctx.selection.start, ctx.selection.end - 1));
  const selected = doc.text.slice(ctx.selection.start, ctx.selection.end).trim() !== '';
  // The selection's first and last lines with code, where a block for the selection starts and ends.
  let sf = selFirst;
  let sl = selLast;
  while (sf < sl && docT[sf] === '') sf++;
  while (sl > sf && docT[sl] === '') sl--;
  const sel = selected ? { first: sf, last: sl } : undefined;
  const budget = { left: BUDGET };
  const spans: Span[] = [];
  let after = -1;
  for (let k = 0; k < segments.length; k++) {
    const seg = segments[k];
    const found = placeSegment(seg, doc, positions, after, { first: firstNonBlank, last: lastNonBlank }, sel, budget, tabWidthFor(detectIndentStyle(seg.lines), ctx.docStyle));
    if (found === 'budget') return cannot('too many places in the file look alike');
    if (found.length === 0) {
      const edge = seg.elidedBefore ? seg.lines[0] : seg.lines[seg.lines.length - 1];
      return cannot(`the line "${edge.trim().slice(0, 60)}" next to it is not in the file (or not in that order), and no line of the file is clearly the one it changes`);
    }
    // Places where the kept lines sit exactly as the block has them (or, after the first segment, moved as
    // the first segment's are) are stronger evidence than places that need a shift: a block is dedented as a whole.
    const wanted = spans.length > 0 ? spans[0].shift : 0;
    const sameFrame = found.filter(sp => sp.shift === wanted);
    const pool = sameFrame.length > 0 ? sameFrame : found;
    const edge = !seg.elidedBefore && k === 0 ? { at: firstNonBlank, side: 'a' as const } : !seg.elidedAfter && k === segments.length - 1 ? { at: lastNonBlank, side: 'b' as const } : undefined;
    const best = pickUnique(pool, selFirst, selLast, selected, edge);
    if (!best) return cannot(`the code next to it matches ${pool.length} places in the file`);
    // The line next to a placeholder twice in a row in the file (`}` `}`): either copy can be the one the
    // block shows, and the two readings keep different code.
    const twin = (d: number, e: number): boolean => e >= 0 && e < doc.lines.length && e > after && doc.lines[e] === doc.lines[d] && !isBlank(doc.lines[d]);
    const headTwin = best.pairs.get(0) === best.a && twin(best.a, best.a - 1);
    const tailTwin = best.pairs.get(seg.lines.length - 1) === best.b && twin(best.b, best.b + 1);
    if (headTwin || tailTwin) {
      return cannot(`the line "${doc.lines[headTwin ? best.a : best.b].trim().slice(0, 60)}" at its edge is twice in a row in the file`);
    }
    spans.push(best);
    after = best.b;
  }

  // The new text: each segment in the document's indentation (its unchanged lines byte for byte), and
  // between segments the document's own lines that each placeholder stands for.
  const firstSpan = spans[0];
  const lastSpan = spans[spans.length - 1];
  const from = firstSpan.a;
  const to = lastSpan.b;
  const out: string[] = [];
  for (let k = 0; k < segments.length; k++) {
    if (k > 0) for (let d = spans[k - 1].b + 1; d < spans[k].a; d++) out.push(doc.lines[d]);
    out.push(...renderSegment(ctx, segments[k], spans[k]));
  }
  const start = doc.starts[from];
  const end = doc.ends[to];
  const newText = doc.text.slice(0, start) + out.join(doc.eol) + doc.text.slice(end);
  const edit = minimalEdit(doc.text, newText);
  const count = segments.reduce((n, s) => n + (s.elidedAfter ? 1 : 0), segments[0].elidedBefore ? 1 : 0);
  return {
    ok: true,
    edits: [edit],
    method: 'merged-elisions',
    notes: [`The answer left unchanged code out (${count === 1 ? 'one placeholder' : `${count} placeholders`} such as "${placeholder}"); kept the file's own code there.`],
    code,
  };
}

/**
 * Every place the segment can stand, after line `after`. An edge next to a placeholder is one of the
 * document's lines: the same line, or the one line clearly most like it when the answer changed it. A
 * free edge is the same line too, or the selection's edge, or new lines at the very top or bottom of
 * the file (an import added above the first line). Between its edges the segment is aligned with the
 * document's lines: the cost counts the lines it drops and the lines it adds, so the tightest fit wins.
 */
function placeSegment(
  seg: Segment,
  doc: LineIndex,
  positions: ReadonlyMap<string, number[]>,
  after: number,
  bounds: { first: number; last: number },
  sel: { first: number; last: number } | undefined,
  budget: { left: number },
  tab: number,
): Span[] | 'budget' {
  const docT = trimmedLines(doc);
  const t = seg.lines.map(l => l.trim());
  const n = t.length;
  const head = 0;
  const tail = n - 1;
  let headPos = (positions.get(t[head]) ?? []).filter(p => p > after);
  let tailPos: readonly number[] = positions.get(t[tail]) ?? [];
  // A free edge (no placeholder beside it) whose line the answer changed: it stands at the selection's
  // edge (the block replaces the selection), or at the file's first or last line, where it may only
  // rewrite as many lines as it brings (an import added above the first line, a changed last line).
  let headPaired = true;
  let tailPaired = true;
  let rewriteOnly = false;
  if (!seg.elidedBefore && headPos.length === 0) {
    const at = sel ? sel.first : after < 0 ? bounds.first : -1;
    if (at > after) {
      headPos = [at];
      headPaired = false;
      rewriteOnly ||= !sel;
    }
  }
  if (!seg.elidedAfter && tailPos.length === 0) {
    tailPos = [sel ? sel.last : bounds.last];
    tailPaired = false;
    rewriteOnly ||= !sel;
  }
  const own = new Set(t);
  const maxSpan = 3 * (tail - head + 1) + 10;
  if (seg.elidedBefore && headPos.length === 0) {
    // A selection says where to look first: the line rewritten is the one in it.
    if (sel && sel.last > after) headPos = similarPositions(t[head], docT, { from: Math.max(after + 1, sel.first), to: sel.last }, own, budget);
    if (headPos.length === 0) headPos = similarPositions(t[head], docT, { from: after + 1, to: docT.length - 1 }, own, budget);
  }
  // The line before a placeholder was changed: the line it rewrites is looked for after each head, within
  // the head's own function or class when the head declares one (the `return` of this function, not the next).
  const fuzzyTail = seg.elidedAfter && tailPos.length === 0;
  const out: Span[] = [];
  for (const a of headPos) {
    let tails = tailPos;
    if (fuzzyTail) {
      const to = declaredName(doc.lines[a]) !== undefined ? unitEnd(doc, a, tab) : Math.min(docT.length - 1, a + maxSpan);
      tails = similarPositions(t[tail], docT, { from: a, to }, own, budget);
    }
    if (budget.left < 0) return 'budget';
    // Positions are in document order: only the tails within reach of this head are looked at.
    for (let q = lowerBound(tails, a); q < tails.length && tails[q] - a <= maxSpan; q++) {
      const b = tails[q];
      if (headPaired && tailPaired && (head === tail) !== (a === b)) continue;
      // Paired edges are fixed; the lines between them are aligned (LCS of trimmed, non-blank lines).
      const segIdx: number[] = [];
      for (let i = headPaired ? head + 1 : head; i <= (tailPaired ? tail - 1 : tail); i++) if (t[i] !== '') segIdx.push(i);
      const docIdx: number[] = [];
      for (let d = headPaired ? a + 1 : a; d <= (tailPaired ? b - 1 : b); d++) if (docT[d] !== '') docIdx.push(d);
      budget.left -= segIdx.length * docIdx.length;
      if (budget.left < 0) return 'budget';
      const pairs = lcsPairs(segIdx.map(i => t[i]), docIdx.map(d => docT[d]));
      const map = new Map<number, number>();
      for (const [i, j] of pairs) map.set(segIdx[i], docIdx[j]);
      let changedEdges = 0;
      let edges = 0;
      if (headPaired) {
        map.set(head, a);
        edges++;
        if (docT[a] !== t[head]) changedEdges++;
      }
      if (tailPaired && !(head === tail && headPaired)) {
        map.set(tail, b);
        edges++;
        if (docT[b] !== t[tail]) changedEdges++;
      }
      // Kept lines must sit at one indentation shift from the block's: `  x;` is not the `    x;` of a deeper level.
      const shift = sameShift(doc, seg.lines, map, tab);
      if (shift === undefined) continue;
      const kept = pairs.length + edges - changedEdges;
      const segCount = segIdx.length + edges;
      const docCount = docIdx.length + edges;
      if (rewriteOnly && docCount - kept > segCount - kept) continue;
      out.push({ a, b, cost: segCount + docCount - 2 * kept, shift, pairs: map });
    }
  }
  return out;
}

/** The one number of columns every kept line (same text) moves from the block to the document, or undefined when they differ. */
function sameShift(doc: LineIndex, lines: readonly string[], map: ReadonlyMap<number, number>, tab: number): number | undefined {
  let shift: number | undefined;
  for (const [i, d] of map) {
    const line = lines[i];
    if (isBlank(line) || line.trim() !== doc.lines[d].trim()) continue;
    const delta = indentColumns(leadingWhitespace(doc.lines[d]), tab) - indentColumns(leadingWhitespace(line), tab);
    if (shift === undefined) shift = delta;
    else if (delta !== shift) return undefined;
  }
  return shift ?? 0;
}

/** Lowest similarity at which a changed line next to a placeholder can still stand for a document line. */
const REWRITTEN_ANCHOR = 0.4;

/**
 * The line next to a placeholder was changed by the answer (`<h2>` given a class): the document line it
 * rewrites is the one clearly most like it (the same declared name, if it declares one), within `range`.
 * Lines the segment keeps word for word (`own`) are not candidates: they are already accounted for.
 */
function similarPositions(line: string, docT: readonly string[], range: { from: number; to: number }, own: ReadonlySet<string>, budget: { left: number }): number[] {
  const name = declaredName(line);
  const scored: { d: number; score: number }[] = [];
  for (let d = range.from; d <= range.to; d++) {
    const other = docT[d];
    if (other === '' || own.has(other)) continue;
    budget.left -= Math.min(line.length, other.length);
    if (budget.left < 0) return [];
    const score = similarity(line, other, REWRITTEN_ANCHOR);
    if (score >= REWRITTEN_ANCHOR && (name === undefined || declaredName(other) === name)) scored.push({ d, score });
  }
  if (scored.length === 0) return [];
  const best = Math.max(...scored.map(x => x.score));
  const near = scored.filter(x => x.score >= best - 0.1);
  // Two lines almost as much like it: no way to tell which one the answer rewrote.
  return near.length === 1 ? [near[0].d] : [];
}

function lowerBound(sorted: readonly number[], x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * The cheapest place, if no other is as cheap. Among equals: the one place in the selection; else, for
 * a block that starts (ends) without a placeholder, the place at the file's first (last) line, since
 * such a block shows the file's own edge (`}` closing the class at the end of the file).
 */
function pickUnique(
  found: readonly Span[],
  selFirst: number,
  selLast: number,
  hasSelection: boolean,
  edge: { at: number; side: 'a' | 'b' } | undefined,
): Span | undefined {
  const min = Math.min(...found.map(s => s.cost));
  const best = found.filter(s => s.cost === min);
  if (best.length === 1) return best[0];
  if (hasSelection) {
    const inSel = best.filter(s => s.a <= selLast && selFirst <= s.b);
    return inSel.length === 1 ? inSel[0] : undefined;
  }
  if (!edge) return undefined;
  const atEdge = best.filter(s => s[edge.side] === edge.at);
  return atEdge.length === 1 ? atEdge[0] : undefined;
}

/** The segment's lines at the document's indentation; lines it keeps are the document's own text. */
function renderSegment(ctx: ElisionContext, seg: Segment, span: Span): string[] {
  const { doc } = ctx;
  const anchor = [...span.pairs.entries()][0];
  const style = detectIndentStyle(seg.lines);
  const reindent = anchor
    ? makeReindenter(style, ctx.docStyle, leadingWhitespace(seg.lines[anchor[0]]), leadingWhitespace(doc.lines[anchor[1]]))
    : (ws: string) => ws;
  return seg.lines.map((line, i) => {
    const d = span.pairs.get(i);
    if (d !== undefined && doc.lines[d].trim() === line.trim()) return doc.lines[d];
    if (isBlank(line)) return '';
    const ws = leadingWhitespace(line);
    return reindent(ws) + line.slice(ws.length);
  });
}
