// A secret taken out of a request comes back as [REDACTED] when the model repeats the code around it.
// Written into the file, that placeholder would replace the user's real value: so before an edit is
// proposed, each placeholder the model repeated is mapped back to the value it stood for, read again
// from the text the edit replaces (the same scan that redacted it, so the same values in the same
// order). Where that is not certain, the edit is refused with the reason; never guessed.
import { REDACTED, redactOutgoing } from './secretScan';

export type Restored = { ok: true; text: string; restored: number } | { ok: false; reason: string };

function count(text: string, needle: string): number {
  let n = 0;
  for (let i = text.indexOf(needle); i !== -1; i = text.indexOf(needle, i + needle.length)) n++;
  return n;
}

/**
 * `text`: what is about to be written (the edit's new text). `original`: what it replaces in the
 * document (empty for an insertion). `context`: further text that was sent with the question (the
 * selection, the lines around it), used only when every secret found there has the same value.
 */
export function restoreRedacted(text: string, original: string, context = ''): Restored {
  const placeholders = count(text, REDACTED);
  if (placeholders === 0) return { ok: true, text, restored: 0 };
  // The user's own code may contain the word itself; those occurrences are kept as they are.
  const literal = count(original, REDACTED);
  if (literal > 0) {
    if (placeholders <= literal) return { ok: true, text, restored: 0 };
    return { ok: false, reason: refusal() };
  }
  let values = redactOutgoing(original).values;
  // A private key's body spans lines its placeholder does not: no certain mapping.
  if (values.some(v => v.includes('\n'))) return { ok: false, reason: refusal() };
  if (values.length !== placeholders) {
    // One secret repeated (a password used twice) is still certain, wherever it came from.
    const distinct = new Set([...values, ...redactOutgoing(context).values]);
    if (distinct.size !== 1) return { ok: false, reason: refusal() };
    values = Array.from({ length: placeholders }, () => [...distinct][0]);
  }
  let i = 0;
  const out = text.split(REDACTED).reduce((acc, part, k) => (k === 0 ? part : acc + values[i++] + part), '');
  return { ok: true, text: out, restored: placeholders };
}

function refusal(): string {
  return `The answer contains ${REDACTED} where Tandem took a secret out before sending, and it cannot tell for certain which secret goes where, so nothing was changed. Copy the parts you want by hand, keeping your real values.`;
}
