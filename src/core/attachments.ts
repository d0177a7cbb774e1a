// What a question's attachments (context chips, # mentions) look like to the model, and how they are cut
// when the question with all of them does not fit the context window: the largest are cut first, each
// keeping its leading lines, so a small attachment is never lost to a large one. Pure.
import type { CodeContext, MentionKind } from '../protocol';
import { codeQuestionMessage, fenceFor } from './prompts';
import { truncationMarker } from './fitContext';

/** The line that introduces each kind of attachment to the model. */
const HEADINGS: Record<MentionKind, string> = {
  file: 'Attached file (#file):',
  selection: 'Attached selection (#selection):',
  symbol: 'Attached symbol definition (#symbol):',
  problems: 'Attached problems VS Code reports (#problems):',
  changes: 'Attached working tree changes, staged and unstaged (#changes):',
  terminal: 'Attached terminal command and output (#terminal):',
};

/** Kinds whose content is not code from one file: shown under their title rather than as "File: ...". */
const NOT_CODE: ReadonlySet<MentionKind> = new Set(['problems', 'changes', 'terminal']);

/** One attachment as it is sent, after the question. */
export function attachmentMessage(a: CodeContext): string {
  if (!a.mention) return codeQuestionMessage('Attached file:', a);
  if (!NOT_CODE.has(a.mention)) return codeQuestionMessage(HEADINGS[a.mention], a);
  const fence = fenceFor(a.code);
  return [HEADINGS[a.mention], '', a.file, `${fence}${a.language}`, a.code.replace(/\r\n/g, '\n'), fence].join('\n');
}

/** The question's text followed by its attachments. */
export function withAttachments(text: string, attachments: readonly CodeContext[] | undefined): string {
  return attachments?.length ? [text, ...attachments.map(attachmentMessage)].join('\n\n') : text;
}

export interface AttachmentCut {
  /** Index in the list given to fitAttachments. */
  index: number;
  keptLines: number;
  totalLines: number;
}

/** Tokens the attachments add to the question (with the blank lines that join them). */
export function attachmentsCost(attachments: readonly CodeContext[], count: (text: string) => number): number {
  return attachments.reduce((n, a) => n + count(`\n\n${attachmentMessage(a)}`), 0);
}

/**
 * Cuts attachments until together they cost at most `room` tokens: each gets an equal share of what
 * the smaller ones leave, and one larger than its share keeps as many leading lines as fit, then a
 * marker saying how many were left out.
 */
export function fitAttachments(attachments: readonly CodeContext[], room: number, count: (text: string) => number): { attachments: CodeContext[]; cuts: AttachmentCut[] } {
  const cost = (a: CodeContext) => count(`\n\n${attachmentMessage(a)}`);
  const sizes = attachments.map(cost);
  if (sizes.reduce((a, b) => a + b, 0) <= room) return { attachments: [...attachments], cuts: [] };
  const shares = new Array<number>(attachments.length).fill(0);
  let remaining = Math.max(0, room);
  const order = attachments.map((_, i) => i).sort((a, b) => sizes[a] - sizes[b]);
  order.forEach((i, k) => {
    shares[i] = Math.min(sizes[i], Math.floor(remaining / (order.length - k)));
    remaining -= shares[i];
  });
  const cuts: AttachmentCut[] = [];
  const out = attachments.map((a, i) => {
    if (sizes[i] <= shares[i]) return a;
    const lines = a.code.split('\n');
    const head = (kept: number): CodeContext => ({ ...a, code: [...lines.slice(0, kept), truncationMarker(lines.length - kept)].join('\n') });
    let lo = 0;
    let hi = lines.length - 1;
    while (lo < hi) {
      const mid = Math.ceil((lo + hi) / 2);
      if (cost(head(mid)) <= shares[i]) lo = mid;
      else hi = mid - 1;
    }
    cuts.push({ index: i, keptLines: lo, totalLines: lines.length });
    return head(lo);
  });
  return { attachments: out, cuts };
}

/** How a cut attachment is named in a notice: "#changes (Working tree changes)". */
export function attachmentName(a: CodeContext): string {
  return a.mention ? `#${a.mention} (${a.file})` : a.file;
}
