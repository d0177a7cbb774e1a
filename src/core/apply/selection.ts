// Applies one code block to the selection: the strict format Tandem asks for, and what models send
// instead (dedented or re-tabbed code, repeated surrounding lines, the whole line for a part of it,
// the whole file for a part of it).
import { baseIndent, detectIndentStyle, indentColumns, leadingWhitespace, makeReindenter, tabWidthFor, type IndentStyle } from './indent';
import { isBlank, isSignificant, lineOf, significantLines, trimBlankLines, trimmedLines, type LineIndex } from './lines';
import type { FencedBlock } from './parse';
import { PROSE } from './cleanup';
import { cutOffSign } from './cutoff';
import { planElided } from './elision';
import { enclosingUnit, type EnclosingUnit } from './enclosing';
import { labelComment } from './fileLabel';
import { cutOff, minimalEdit, refusal, type Plan } from './plan';
import { lcsLength, lcsPairs, similarity } from './similarity';

export interface SelectionContext {
  readonly doc: LineIndex;
  readonly selection: { readonly start: number; readonly end: number };
  readonly docStyle: IndentStyle;
  readonly languageId: string;
}

/** How many lines before and after the selection a reply may repeat and still have them recognised. */
const MAX_CONTEXT_LINES = 200;

/** The selected code without the whitespace around it; the extent an edit replaces. */
interface Core {
  readonly start: number;
  readonly end: number;
  readonly firstLine: number;
  readonly lastLine: number;
  /** Code before the selection on its first line (it stays). */
  readonly partialFirst: boolean;
  /** Code after the selection on its last line (it stays). */
  readonly partialLast: boolean;
}

const WS = /[ \t\r\n\f\v]/;

/**
 * Blank lines and spaces at the edges of the selection are left where they are, so a selection of
 * whole lines keeps its final line ending and a file without a final newline keeps none. A first line
 * selected from its first character or from inside its indentation is taken whole, indentation included.
 */
function selectionCore(doc: LineIndex, sel: { start: number; end: number }): Core | undefined {
  const text = doc.text;
  let s = sel.start;
  let e = sel.end;
  while (s < e && WS.test(text[s])) s++;
  while (e > s && WS.test(text[e - 1])) e--;
  if (s === e) return undefined;
  const firstLine = lineOf(doc, s);
  const lastLine = lineOf(doc, e - 1);
  const partialFirst = text.slice(doc.starts[firstLine], s).trim() !== '';
  if (!partialFirst) s = doc.starts[firstLine];
  const partialLast = text.slice(e, doc.ends[lastLine]).trim() !== '';
  return { start: s, end: e, firstLine, lastLine, partialFirst, partialLast };
}

export function planBlock(ctx: SelectionContext, block: FencedBlock): Plan {
  const { doc } = ctx;
  const notes: string[] = [];
  let lines = trimBlankLines(block.content.split('\n'));
  if (lines.length === 0) return refusal('The code block in the answer is empty.');
  if (!block.closed) {
    const sign = cutOffSign(lines.join('\n'), doc.text.slice(ctx.selection.start, ctx.selection.end), doc.text, PROSE.has(ctx.languageId));
    if (sign) {
      return cutOff(`The answer was cut off: its code block never closed and ${sign}. Nothing was applied; use Continue to get the rest of the answer, or ask again.`, block.content);
    }
    notes.push('The code block in the answer was not closed, so the answer may have been cut off; check the end of the change.');
  }
  const inDoc = (line: string): boolean => trimmedLines(doc).includes(line.trim());
  // Models label a block with its file name in a comment; it is not part of the code.
  if (lines.length > 1 && labelComment(lines[0]) !== undefined && !inDoc(lines[0])) {
    lines = trimBlankLines(lines.slice(1));
  }
  const elided = planElided(ctx, lines, ctx.languageId, inDoc, block.content);
  if (elided) return elided.ok ? { ...elided, notes: [...notes, ...elided.notes] } : elided;
  const core = selectionCore(doc, ctx.selection);
  if (!core) {
    if (wholeFileFit(doc, lines, undefined, ctx.selection.start)) return planWholeFile(ctx, lines, notes, block.content);
    const unit = lines.length > 1 ? enclosingUnit(doc, lineOf(doc, ctx.selection.start), lines, tabWidthFor(detectIndentStyle(lines), ctx.docStyle)) : undefined;
    if (unit) return planEnclosing(ctx, lines, unit, notes, block.content);
    return planInsert(ctx, lines, ctx.selection.start, notes, block.content);
  }
  if (wholeFileFit(doc, lines, core, 0)) return planWholeFile(ctx, lines, notes, block.content);

  let c = core;
  if (c.partialFirst || c.partialLast) {
    const echo = partialEcho(doc, c, lines);
    if (echo.wholeLines) {
      c = { ...c, start: doc.starts[c.firstLine], end: doc.ends[c.lastLine], partialFirst: false, partialLast: false };
    } else {
      lines = echo.lines;
      if (lines.length === 0) return refusal('The code block only repeats the code around the selection.', block.content);
    }
  }

  if (!c.partialFirst && !c.partialLast) {
    const stripped = stripContext(ctx, c, lines);
    if (stripped.dropped > 0) notes.push(`Left out ${stripped.dropped} unchanged line${stripped.dropped === 1 ? '' : 's'} the answer repeated from around the selection.`);
    lines = stripped.lines;
  }
  if (restatesOutside(doc, c, lines)) {
    return refusal(
      'The code block contains much more of the file than the selection, and it does not line up with the file, so it is not clear what to replace. Select all the code it covers, or copy it.',
      block.content,
    );
  }

  if (!c.partialFirst && !c.partialLast) {
    const selLines = doc.lines.slice(c.firstLine, c.lastLine + 1);
    if (!PROSE.has(ctx.languageId) && commentOnly(lines) && !commentOnly(selLines)) {
      return refusal(
        'The code block holds only comments; applying it would replace the selected code with them. Copy the comment to where it belongs instead.',
        block.content,
      );
    }
    const excerpt = excerptOf(selLines, lines);
    if (excerpt) {
      return refusal(
        `The code block looks like an excerpt of the selection (${excerpt.block} of its ${excerpt.selection} lines); applying it would delete the rest. Copy the part you want instead.`,
        block.content,
      );
    }
  }

  const { text, reindented } = renderForSelection(ctx, c, lines);
  if (reindented) notes.push('Re-indented the code to match the selection.');
  return { ok: true, edits: [{ start: c.start, end: c.end, text }], method: 'replace-selection', notes, code: block.content };
}

const COMMENT_LINE = /^(\/\/|\/\*|\*|--|<!--|;|%|#(?!(include|define|undef|if|ifdef|ifndef|elif|else|endif|pragma|import|error|warning|line|region|endregion)\b|\[|!))/;

/** Only comments (or one docstring): an "Add Docs" answer that sent the documentation without the code. */
function commentOnly(lines: readonly string[]): boolean {
  const nb = lines.map(l => l.trim()).filter(l => l !== '');
  if (nb.length === 0) return false;
  const joined = nb.join('\n');
  const doc = /^("""|''')[\s\S]*("""|''')$/.exec(joined);
  if (doc && joined.split(doc[1]).length === 3) return true;
  return nb.every(l => COMMENT_LINE.test(l));
}

/**
 * A short block quoting lines from the middle of a long selection, not starting like it: the model
 * showed the lines it changed, not a replacement for everything selected.
 */
function excerptOf(selLines: readonly string[], lines: readonly string[]): { block: number; selection: number } | undefined {
  const sel = selLines.map(l => l.trim()).filter(l => l !== '');
  const blk = lines.map(l => l.trim()).filter(l => l !== '');
  if (sel.length < 6 || blk.length * 3 > sel.length) return undefined;
  if (similarity(blk[0], sel[0], 0.8) >= 0.8) return undefined;
  const inner = new Set(sel.slice(1));
  return blk.some(l => inner.has(l) && isSignificant(l)) ? { block: blk.length, selection: sel.length } : undefined;
}

/**
 * For a selection that starts or ends inside a line: models often answer with the whole line. When
 * every cut side is echoed, the selection is widened to whole lines; otherwise the echoed piece is
 * removed from the block so it is not doubled.
 */
function partialEcho(doc: LineIndex, c: Core, lines: string[]): { wholeLines: boolean; lines: string[] } {
  const prefix = c.partialFirst ? doc.text.slice(doc.starts[c.firstLine], c.start).trim() : '';
  const suffix = c.partialLast ? doc.text.slice(c.end, doc.ends[c.lastLine]).trim() : '';
  const firstT = lines[0].trim();
  const lastT = lines[lines.length - 1].trim();
  const echoFirst = prefix !== '' && (firstT.startsWith(prefix) || (prefix.length >= 3 && lines.some(l => l.trim().startsWith(prefix))));
  const echoLast = suffix !== '' && (lastT.endsWith(suffix) || (suffix.length >= 3 && lines.some(l => l.trim().endsWith(suffix))));
  if ((!c.partialFirst || echoFirst) && (!c.partialLast || echoLast)) return { wholeLines: true, lines };
  const out = [...lines];
  if (prefix !== '' && firstT.startsWith(prefix)) out[0] = firstT.slice(prefix.length).trimStart();
  if (suffix !== '') {
    const last = out[out.length - 1].trimEnd();
    // A partly repeated tail (`;` of `; // note`) is removed only when it holds no bracket: `)` may be the model's own.
    let k = 0;
    for (let n = suffix.length; n >= 1; n--) {
      const piece = suffix.slice(0, n);
      if (last.endsWith(piece) && (n === suffix.length || !/[()[\]{}<>]/.test(piece))) {
        k = n;
        break;
      }
    }
    if (k > 0) out[out.length - 1] = last.slice(0, last.length - k).trimEnd();
  }
  return { wholeLines: false, lines: trimBlankLines(out) };
}

/**
 * Lines at the start (end) of the block that repeat the lines just before (after) the selection are
 * context the model was shown, not part of the replacement. A candidate split is accepted only if the
 * repeated lines sit at the indentation the rest implies, and the block still covers the selection as
 * well as it did; a `}` that closes the block's own code is not the `}` after the selection.
 */
function stripContext(ctx: SelectionContext, c: Core, lines: string[]): { lines: string[]; dropped: number } {
  const { doc } = ctx;
  const n = lines.length;
  const maxK = Math.min(MAX_CONTEXT_LINES, n - 1);
  const trimmed = lines.map(l => l.trim());
  const docTrimmed = trimmedLines(doc);
  const docT = (i: number): string => docTrimmed[i];
  const lead: number[] = [0];
  for (let k = 1; k <= maxK && c.firstLine - k >= 0; k++) {
    let ok = true;
    for (let i = 0; i < k && ok; i++) ok = trimmed[i] === docT(c.firstLine - k + i);
    if (ok) lead.push(k);
  }
  const trail: number[] = [0];
  for (let k = 1; k <= maxK && c.lastLine + k < doc.lines.length; k++) {
    let ok = true;
    for (let i = 0; i < k && ok; i++) ok = trimmed[n - k + i] === docT(c.lastLine + 1 + i);
    if (ok) trail.push(k);
  }
  if (lead.length === 1 && trail.length === 1) return { lines, dropped: 0 };

  const selLines = doc.lines.slice(c.firstLine, c.lastLine + 1);
  const sel = selLines.map(l => l.trim()).filter(l => l !== '');
  const nonBlank = (from: number, to: number): string[] => trimmed.slice(from, to).filter(l => l !== '');
  const tab = tabWidthFor(detectIndentStyle(lines), ctx.docStyle);
  const cols = (l: string): number => indentColumns(leadingWhitespace(l), tab);
  // A loop, not Math.min(...): a selection can have more lines than a call has room for arguments.
  const minCols = (ls: readonly string[]): number => ls.reduce((m, l) => (isBlank(l) ? m : Math.min(m, cols(l))), Infinity);
  const selBase = minCols(selLines);
  let best = { kl: 0, kt: 0, score: lcsLength(nonBlank(0, n), sel) };
  for (const kl of lead) {
    for (const kt of trail) {
      if (kl + kt === 0 || kl + kt >= n) continue;
      const middle = lines.slice(kl, n - kt);
      if (middle.every(isBlank)) continue;
      let delta: number | undefined;
      let consistent = true;
      const pair = (blockLine: string, docLine: string): void => {
        if (isBlank(blockLine)) return;
        const d = cols(docLine) - cols(blockLine);
        if (delta === undefined) delta = d;
        else if (d !== delta) consistent = false;
      };
      for (let i = 0; i < kl; i++) pair(lines[i], doc.lines[c.firstLine - kl + i]);
      for (let i = 0; i < kt; i++) pair(lines[n - kt + i], doc.lines[c.lastLine + 1 + i]);
      if (!consistent || delta === undefined) continue;
      const middleBase = minCols(middle);
      if (middleBase + delta !== selBase) continue;
      const score = lcsLength(nonBlank(kl, n - kt), sel);
      if (score > best.score || (score === best.score && kl + kt > best.kl + best.kt)) best = { kl, kt, score };
    }
  }
  return { lines: lines.slice(best.kl, n - best.kt), dropped: best.kl + best.kt };
}

/**
 * Significant lines of `block` that are not in the selection but are elsewhere in the document.
 * Gives up early (gain 0) when the block is too short to reach `minShare` of the lines outside.
 */
function outsideGain(
  doc: LineIndex,
  block: readonly string[],
  sel: { first: number; last: number },
  minShare: number,
): { gain: number; outside: number } {
  const { flags, total } = significantLines(doc);
  let inSelection = 0;
  for (let i = sel.first; i <= sel.last; i++) inSelection += flags[i];
  const outside = total - inSelection;
  const blockSignificant = block.filter(isSignificant);
  if (outside === 0 || blockSignificant.length < minShare * outside) return { gain: 0, outside };
  const trimmed = trimmedLines(doc);
  const selCounts = new Map<string, number>();
  const outCounts = new Map<string, number>();
  for (let i = 0; i < trimmed.length; i++) {
    if (!flags[i]) continue;
    const counts = i >= sel.first && i <= sel.last ? selCounts : outCounts;
    counts.set(trimmed[i], (counts.get(trimmed[i]) ?? 0) + 1);
  }
  let gain = 0;
  for (const l of blockSignificant) {
    const t = l.trim();
    const inSel = selCounts.get(t) ?? 0;
    if (inSel > 0) {
      selCounts.set(t, inSel - 1);
      continue;
    }
    const out = outCounts.get(t) ?? 0;
    if (out > 0) {
      outCounts.set(t, out - 1);
      gain++;
    }
  }
  return { gain, outside };
}

/** A run of this many lines (this many of them significant) copied from elsewhere in the file is a restatement, not new code. */
const RESTATED_RUN = { lines: 5, significant: 3 };

/**
 * After context is stripped, a block that still restates the file outside the selection is not a
 * replacement for it: half of the rest of a small file, or a run of consecutive lines found elsewhere
 * (the whole class sent back for one method, with more around the method than context stripping
 * recognises). Applying it would duplicate that code.
 */
function restatesOutside(doc: LineIndex, c: Core, lines: readonly string[]): boolean {
  const { gain, outside } = outsideGain(doc, lines, { first: c.firstLine, last: c.lastLine }, 0.5);
  if (gain >= 3 && gain >= 0.5 * outside) return true;
  const run = longestRestatedRun(doc, c, lines);
  return run.lines >= RESTATED_RUN.lines && run.significant >= RESTATED_RUN.significant;
}

/** The longest run of the block's non-blank lines equal, in order, to non-blank lines outside the selection. */
function longestRestatedRun(doc: LineIndex, c: Core, lines: readonly string[]): { lines: number; significant: number } {
  const trimmed = trimmedLines(doc);
  const mid = lines.map(l => l.trim()).filter(l => l !== '');
  const keys = new Set(mid);
  const seq: number[] = [];
  const at = new Map<string, number[]>();
  for (let i = 0; i < trimmed.length; i++) {
    if (trimmed[i] === '') continue;
    if (i < c.firstLine || i > c.lastLine) {
      const t = trimmed[i];
      if (keys.has(t)) {
        const list = at.get(t);
        if (list) list.push(seq.length);
        else at.set(t, [seq.length]);
      }
    }
    seq.push(i);
  }
  const outside = (p: number): boolean => seq[p] < c.firstLine || seq[p] > c.lastLine;
  let best = { lines: 0, significant: 0 };
  let budget = 5_000_000;
  for (let i = 0; i < mid.length && budget > 0; i++) {
    for (const p of at.get(mid[i]) ?? []) {
      if (--budget <= 0) break;
      // Only runs that start here: one starting earlier was already measured.
      if (i > 0 && p > 0 && outside(p - 1) && trimmed[seq[p - 1]] === mid[i - 1]) continue;
      let k = 0;
      let significant = 0;
      while (i + k < mid.length && p + k < seq.length && outside(p + k) && trimmed[seq[p + k]] === mid[i + k]) {
        if (isSignificant(mid[i + k])) significant++;
        k++;
        budget--;
      }
      if (significant > best.significant || (significant === best.significant && k > best.lines)) best = { lines: k, significant };
    }
  }
  return best;
}

/** Share of the lines outside the selection a whole-file answer may delete between lines it keeps. */
const WHOLE_FILE_MAX_DELETED = 0.25;
/** A first or last line the answer changed still counts as that line when this similar. */
const CHANGED_LINE_SIMILARITY = 0.6;

/**
 * Whether the block is the entire document with changes. Its significant lines are aligned with the
 * document's (LCS; braces and blank lines would anchor anywhere). Between two aligned lines, lines the
 * answer rewrote pair up one for one (similar, same count, on their side of the selection). Every
 * significant line outside the selection must be kept or rewritten, except a few deleted between kept
 * lines; a line missing beyond the first or last aligned line means the model repeated some context
 * and stopped, which context stripping handles without deleting anything outside the selection.
 */
function wholeFileFit(doc: LineIndex, block: readonly string[], c: Core | undefined, cursor: number): boolean {
  const selFirst = c ? c.firstLine : lineOf(doc, cursor);
  const selLast = c ? c.lastLine : selFirst - 1;
  const { flags, total } = significantLines(doc);
  let inSelection = 0;
  for (let i = selFirst; i <= selLast; i++) inSelection += flags[i];
  const outside = total - inSelection;
  const blockKeys = block.filter(isSignificant).map(l => l.trim());
  if (outside < 2 || blockKeys.length < (1 - WHOLE_FILE_MAX_DELETED) * outside) return false;
  const trimmed = trimmedLines(doc);
  const docLines: number[] = [];
  for (let i = 0; i < flags.length; i++) if (flags[i]) docLines.push(i);
  const docKeys = docLines.map(i => trimmed[i]);
  const pairs = lcsPairs(blockKeys, docKeys);
  if (pairs.length === 0) return false;
  const isOutside = (d: number): boolean => docLines[d] < selFirst || docLines[d] > selLast;
  const similar = (b: string, d: number): boolean => similarity(b, docKeys[d], CHANGED_LINE_SIMILARITY) >= CHANGED_LINE_SIMILARITY;
  let kept = 0;
  let deleted = 0;
  const bounds: Array<[number, number]> = [[-1, -1], ...pairs, [blockKeys.length, docKeys.length]];
  for (let g = 0; g + 1 < bounds.length; g++) {
    const [b0, d0] = bounds[g];
    const [b1, d1] = bounds[g + 1];
    if (g > 0 && isOutside(d0)) kept++;
    const gapBlock = blockKeys.slice(b0 + 1, b1);
    const gapDoc: number[] = [];
    for (let d = d0 + 1; d < d1; d++) gapDoc.push(d);
    const before = gapDoc.filter(d => docLines[d] < selFirst);
    const after = gapDoc.filter(d => docLines[d] > selLast);
    const holdsSelection = before.length + after.length < gapDoc.length;
    // Rewritten lines: one for one in a gap without selected lines; around the selection's replacement otherwise.
    const rewritten = new Set<number>();
    if (holdsSelection ? gapBlock.length >= before.length + after.length : gapBlock.length === gapDoc.length) {
      before.forEach((d, k) => similar(gapBlock[k], d) && rewritten.add(d));
      after.forEach((d, k) => similar(gapBlock[gapBlock.length - after.length + k], d) && rewritten.add(d));
    }
    const atEnd = g === 0 || g + 1 === bounds.length - 1;
    for (const d of [...before, ...after]) {
      if (rewritten.has(d)) kept++;
      else if (atEnd) return false;
      else deleted++;
    }
  }
  return kept >= 2 && deleted <= WHOLE_FILE_MAX_DELETED * outside;
}

/**
 * The block replaces the file's code (its leading and trailing blank text stays), but the edit is only
 * the span that differs, so undo, markers and the cursor elsewhere are disturbed as little as possible.
 */
function planWholeFile(ctx: SelectionContext, lines: readonly string[], notes: string[], code: string): Plan {
  const { doc } = ctx;
  const text = doc.text;
  const firstNB = doc.lines.findIndex(l => !isBlank(l));
  let lastNB = doc.lines.length - 1;
  while (lastNB >= 0 && isBlank(doc.lines[lastNB])) lastNB--;
  const head = firstNB >= 0 ? text.slice(0, doc.starts[firstNB]) : '';
  const tail = lastNB >= 0 ? text.slice(doc.ends[lastNB]) : text;
  const snippetStyle = detectIndentStyle(lines);
  const tab = tabWidthFor(snippetStyle, ctx.docStyle);
  const reindent = makeReindenter(snippetStyle, ctx.docStyle, baseIndent(lines, tab), baseIndent(doc.lines, tab));
  const body = lines.map(l => (isBlank(l) ? '' : reindent(leadingWhitespace(l)) + l.slice(leadingWhitespace(l).length)));
  const newText = head + body.join(doc.eol) + tail;
  notes.push('The answer restates the whole file; applied the parts that differ.');
  return { ok: true, edits: [minimalEdit(text, newText)], method: 'whole-file', notes, code };
}

/** The function (or class) around the cursor replaced by the block, which restates it; only what differs is edited. */
function planEnclosing(ctx: SelectionContext, lines: readonly string[], unit: EnclosingUnit, notes: string[], code: string): Plan {
  const { doc } = ctx;
  const snippetStyle = detectIndentStyle(lines);
  const reindent = makeReindenter(snippetStyle, ctx.docStyle, leadingWhitespace(lines[unit.signature]), leadingWhitespace(doc.lines[unit.docSignature]));
  const body = lines.map(l => (isBlank(l) ? '' : reindent(leadingWhitespace(l)) + l.slice(leadingWhitespace(l).length)));
  const start = doc.starts[unit.first];
  const end = doc.ends[unit.last];
  const newText = doc.text.slice(0, start) + body.join(doc.eol) + doc.text.slice(end);
  notes.push(`Nothing was selected and the answer restates the code around the cursor (lines ${unit.first + 1}-${unit.last + 1}); replaced it instead of inserting a second copy.`);
  return { ok: true, edits: [minimalEdit(doc.text, newText)], method: 'replace-enclosing', notes, code };
}

/** A cursor, or a selection of only whitespace: the block goes in at that point, indented like the line. */
function planInsert(ctx: SelectionContext, lines: readonly string[], at: number, notes: string[], code: string): Plan {
  const { doc } = ctx;
  const line = lineOf(doc, at);
  const before = doc.text.slice(doc.starts[line], at);
  const after = doc.text.slice(at, doc.ends[line]);
  const atIndent = before.trim() === '';
  const target = atIndent ? before : leadingWhitespace(doc.lines[line]);
  const snippetStyle = detectIndentStyle(lines);
  const tab = tabWidthFor(snippetStyle, ctx.docStyle);
  const reindent = makeReindenter(snippetStyle, ctx.docStyle, baseIndent(lines, tab), target);
  const out = lines.map(l => (isBlank(l) ? '' : reindent(leadingWhitespace(l)) + l.slice(leadingWhitespace(l).length)));
  // The cursor already stands after the first line's indentation (or after code).
  out[0] = atIndent && out[0].startsWith(before) ? out[0].slice(before.length) : out[0].trimStart();
  let text = out.join(doc.eol);
  // Inserting in front of code on the same line pushes that code to a line of its own.
  if (atIndent && after.trim() !== '' && lines.length > 1) text += doc.eol + before;
  return { ok: true, edits: [{ start: at, end: at, text }], method: 'replace-selection', notes, code };
}

/** The block's lines moved to the selection's indentation and style, joined with the document's line ending. */
function renderForSelection(ctx: SelectionContext, c: Core, lines: readonly string[]): { text: string; reindented: boolean } {
  const { doc } = ctx;
  const snippetStyle = detectIndentStyle(lines);
  const tab = tabWidthFor(snippetStyle, ctx.docStyle);
  const selLines = doc.lines.slice(c.firstLine, c.lastLine + 1);
  // The first line's indentation says nothing when the selection starts inside the line, or when the
  // model echoed a selection that started after the indentation: first line at column 0, the rest at
  // their absolute indentation. Then the other lines decide the shift, and the first keeps the document's.
  const echo = !c.partialFirst && echoedFromColumnZero(lines, selLines, tab);
  const skipFirst = lines.length > 1 && selLines.length > 1 && (c.partialFirst || echo);
  const from = baseIndent(skipFirst ? lines.slice(1) : lines, tab);
  const to = baseIndent(skipFirst ? selLines.slice(1) : selLines, tab);
  const reindent = makeReindenter(snippetStyle, ctx.docStyle, from, to);
  let reindented = false;
  const out = lines.map((l, i) => {
    if (isBlank(l)) return '';
    const ws = leadingWhitespace(l);
    const rest = l.slice(ws.length);
    if (i === 0 && c.partialFirst) return rest;
    if (i === 0 && echo) return leadingWhitespace(selLines[0]) + rest;
    const mapped = reindent(ws);
    if (mapped !== ws) reindented = true;
    return mapped + rest;
  });
  return { text: out.join(doc.eol), reindented };
}

/** First line at column 0 while the selection's is indented, and the other lines exactly as deep as the selection's. */
function echoedFromColumnZero(lines: readonly string[], selLines: readonly string[], tab: number): boolean {
  if (lines.length < 2 || selLines.length < 2 || leadingWhitespace(lines[0]) !== '' || isBlank(lines[0])) return false;
  const selFirst = indentColumns(leadingWhitespace(selLines[0]), tab);
  if (selFirst === 0) return false;
  const rest = lines.slice(1).filter(l => !isBlank(l));
  const selRest = selLines.slice(1).filter(l => !isBlank(l));
  if (rest.length === 0 || selRest.length === 0) return false;
  const cols = (ls: readonly string[]): number => ls.reduce((m, l) => Math.min(m, indentColumns(leadingWhitespace(l), tab)), Infinity);
  return cols(rest) === cols(selRest) && cols(rest) > 0;
}
