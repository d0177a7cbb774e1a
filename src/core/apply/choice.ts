// Picks the code block of an answer that is the replacement for the selection, when the answer has
// several: the fixed function rather than the usage example, the command to run or the output to
// expect, or a quote of the original code.
import { tagFit, type TagFit } from './languages';
import type { FencedBlock } from './parse';
import { lcsLength, similarity } from './similarity';

export type Choice =
  | { readonly ok: true; readonly block: FencedBlock; readonly note?: string }
  | { readonly ok: false; readonly reason: string; readonly code?: string };

/** The best block must beat the next by this much; below it the answer offers real alternatives. */
const MARGIN = 1.5;
const TAG_SCORE: Record<TagFit, number> = { same: 2, related: 1, untagged: 0.5, other: -2, 'not-code': -10 };

function codeLines(text: string): string[] {
  return text
    .split('\n')
    .map(l => l.trim())
    .filter(l => l !== '');
}

/**
 * `selectionLines`: the selected code (trimmed, non-blank lines), empty for a cursor. With a cursor
 * there is nothing to compare with, so only an answer with a single block can be inserted.
 */
export function chooseBlock(blocks: readonly FencedBlock[], languageId: string, selectionLines: readonly string[]): Choice {
  const withCode = blocks.filter(b => b.content.trim() !== '');
  if (withCode.length === 0) return { ok: false, reason: 'The answer contains no code to apply.' };
  const usable = withCode.filter(b => tagFit(b.lang, languageId) !== 'not-code');
  if (usable.length === 0) {
    return {
      ok: false,
      reason: `The answer's code is a \`${withCode[0].lang}\` block (a command or program output), not ${languageId} code for this file.`,
      code: withCode[0].content,
    };
  }
  // The same block twice (a model restating its final version) is one candidate.
  const seen = new Set<string>();
  let unique = usable.filter(b => {
    const key = codeLines(b.content).join('\n');
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  const selKey = selectionLines.join('\n');
  if (unique.length > 1 && selectionLines.length > 0) {
    // "Your code:" followed by "Fixed:": the quote of the current code is not the answer.
    const changed = unique.filter(b => codeLines(b.content).join('\n') !== selKey);
    if (changed.length > 0) unique = changed;
  }
  if (unique.length === 1) {
    const note = usable.length > 1 ? `The answer has ${usable.length} code blocks; used the one that replaces the selection.` : undefined;
    return note ? { ok: true, block: unique[0], note } : { ok: true, block: unique[0] };
  }
  const scored = unique
    .map(b => ({ b, score: score(b, languageId, selectionLines) }))
    .sort((x, y) => y.score - x.score);
  if (selectionLines.length === 0) {
    return {
      ok: false,
      reason: `The answer has ${unique.length} code blocks and nothing is selected, so it is not clear which one to insert. Select the code to replace, or copy the block you want.`,
      code: scored[0].b.content,
    };
  }
  if (scored[0].score - scored[1].score < MARGIN) {
    return {
      ok: false,
      reason: `The answer has ${unique.length} code blocks that could each be the replacement for the selection, so it is not clear which one to apply. Copy the one you want.`,
      code: scored[0].b.content,
    };
  }
  return { ok: true, block: scored[0].b, note: `The answer has ${usable.length} code blocks; used the one that replaces the selection.` };
}

/**
 * A block that replaces the selection shares most of its lines and starts (and ends) like it; a usage
 * example or a one-line excerpt shares little. The tag counts too, but less than the content.
 */
function score(b: FencedBlock, languageId: string, sel: readonly string[]): number {
  let s = TAG_SCORE[tagFit(b.lang, languageId)];
  const lines = codeLines(b.content);
  if (sel.length === 0 || lines.length === 0) return s;
  s += (4 * lcsLength(lines, sel)) / sel.length;
  const near = (a: string, x: string): boolean => similarity(a, x, 0.8) >= 0.8;
  if (lines.slice(0, 3).some(l => near(l, sel[0]))) s += 2;
  if (lines.slice(-3).some(l => near(l, sel[sel.length - 1]))) s += 1;
  return s;
}
