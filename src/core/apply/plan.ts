// The intermediate result of the apply engine: the replacements an answer asks for, which become one
// contiguous edit, so the host applies them as a single undoable WorkspaceEdit.

export type ApplyMethod =
  | 'replace-selection'
  | 'search-replace'
  | 'unified-diff'
  | 'whole-file'
  /** A block with `// ... existing code ...` placeholders, merged with the file's own code. */
  | 'merged-elisions'
  /** With only a cursor, a block that is the whole function (or class) around it replaced that function. */
  | 'replace-enclosing';

export interface Edit {
  /** Offsets into the original document text (UTF-16 code units, as in JS strings and VS Code). */
  readonly start: number;
  readonly end: number;
  readonly text: string;
}

/** Why nothing is applied: `cut-off` answers can be continued; `other-file` ones belong to `file`. */
export type RefusalKind = 'refused' | 'cut-off' | 'other-file';

export type Plan =
  | { readonly ok: true; readonly edits: readonly Edit[]; readonly method: ApplyMethod; readonly notes: readonly string[]; readonly code?: string }
  | { readonly ok: false; readonly reason: string; readonly code?: string; readonly kind?: RefusalKind; readonly file?: string };

export function refusal(reason: string, code?: string): Plan {
  return code === undefined ? { ok: false, reason } : { ok: false, reason, code };
}

export function cutOff(reason: string, code?: string): Plan {
  return code === undefined ? { ok: false, reason, kind: 'cut-off' } : { ok: false, reason, code, kind: 'cut-off' };
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

/** The smallest single edit turning `a` into `b`, with boundaries on whole characters and line endings. */
export function minimalEdit(a: string, b: string): Edit {
  let p = 0;
  const max = Math.min(a.length, b.length);
  while (p < max && a.charCodeAt(p) === b.charCodeAt(p)) p++;
  let q = 0;
  while (q < max - p && a.charCodeAt(a.length - 1 - q) === b.charCodeAt(b.length - 1 - q)) q++;
  while (p > 0 && (splitsUnit(a, p) || splitsUnit(b, p))) p--;
  while (q > 0 && (splitsUnit(a, a.length - q) || splitsUnit(b, b.length - q))) q--;
  return { start: p, end: a.length - q, text: b.slice(p, b.length - q) };
}
