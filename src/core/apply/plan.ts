// The intermediate result of the apply engine: the replacements an answer asks for, which become one
// contiguous edit, so the host applies them as a single undoable WorkspaceEdit.

export type ApplyMethod = 'replace-selection' | 'search-replace' | 'unified-diff' | 'whole-file';

export interface Edit {
  /** Offsets into the original document text (UTF-16 code units, as in JS strings and VS Code). */
  readonly start: number;
  readonly end: number;
  readonly text: string;
}

export type Plan =
  | { readonly ok: true; readonly edits: readonly Edit[]; readonly method: ApplyMethod; readonly notes: readonly string[]; readonly code?: string }
  | { readonly ok: false; readonly reason: string; readonly code?: string };

export function refusal(reason: string, code?: string): Plan {
  return code === undefined ? { ok: false, reason } : { ok: false, reason, code };
}

/**
 * Several replacements as one: from the first one's start to the last one's end, with the document's
 * own text kept between them. Overlapping replacements mean the answer contradicts itself.
 */
export function mergeEdits(text: string, edits: readonly Edit[]): { ok: true; edit: Edit } | { ok: false; reason: string } {
  if (edits.length === 0) return { ok: false, reason: 'The answer does not change anything.' };
  const sorted = [...edits].sort((a, b) => a.start - b.start || a.end - b.end);
  let out = '';
  let pos = sorted[0].start;
  for (const e of sorted) {
    if (e.start < pos) return { ok: false, reason: 'Two of the changes in the answer overlap, so they cannot both be applied.' };
    out += text.slice(pos, e.start) + e.text;
    pos = e.end;
  }
  return { ok: true, edit: { start: sorted[0].start, end: pos, text: out } };
}

/** An edit boundary inside a \r\n pair or a surrogate pair has no position in a VS Code document. */
export function splitsUnit(text: string, offset: number): boolean {
  if (offset <= 0 || offset >= text.length) return false;
  const before = text.charCodeAt(offset - 1);
  const after = text.charCodeAt(offset);
  if (before === 13 && after === 10) return true;
  return before >= 0xd800 && before <= 0xdbff && after >= 0xdc00 && after <= 0xdfff;
}
