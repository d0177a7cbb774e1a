// The apply engine behind Fix Selection, Improve and Add Docs: the document, the selection and the
// model's answer in, the new document (as one contiguous edit) or a refusal with its reason out.
// Pure: no vscode, no I/O. Offsets are UTF-16 code units, as in JS strings and VS Code.
//
// Accepted answers, in the order they are recognised:
//  1. SEARCH/REPLACE blocks (aider style), anywhere in the answer, inside a fence or not, one or more:
//         <<<<<<< SEARCH
//         exact current lines
//         =======
//         replacement lines
//         >>>>>>> REPLACE
//     5 to 9 marker characters are accepted, and ORIGINAL/UPDATED for SEARCH/REPLACE. A block whose
//     markers did not all arrive is refused (the answer was cut off).
//  2. Unified diffs: a ```diff / ```patch fence, or any fence holding `@@ -l,c +l,c @@` hunks or
//     `--- a/x` + `+++ b/x` headers, or an unfenced answer that starts as a diff. Hunk numbers may be
//     wrong or missing (`@@ ... @@`, or no `@@` line at all): hunks are found by their context lines.
//     A diff naming several files applies the one file whose hunks all match. When the diff does not
//     match but the answer also has a code block, the code block is applied (3.).
//  3. Fenced code blocks (``` or ~~~, three or more, any or no or the wrong language tag, indented
//     fences in lists, a last fence left unclosed) with prose around them. The block replaces the
//     selection (the strict format), or is inserted at the cursor when nothing is selected. With
//     several blocks, the one that replaces the selection is chosen (see editChoice.ts); blocks tagged
//     as commands or output (bash, sh, shell, console, text, output, ...) are ignored unless the
//     document is in that language. A block that is the whole file with changes is applied as a
//     whole-file change, but only the span that differs is edited.
//  Fixed up on the way in: indentation (the block's base moves to the selection's, keeping relative
//  indentation; tabs or spaces as the document uses), line endings (the document's), lines the answer
//  repeats from just before or after the selection, the whole line sent for part of a line, and a
//  file-name comment on the first line. Refused, because applying would lose or duplicate code: no
//  code, only commands or output, several equally likely blocks, a block that leaves code out
//  ("// ... existing code ..."), only a comment for selected code (an "Add Docs" answer without the
//  code), a short excerpt of a long selection, a block restating much of the file around the
//  selection without lining up with it, quoted code that is not in the document or is in several
//  places none of which is in the selection, overlapping changes, an answer that changes nothing.
//
// Finding quoted code (SEARCH parts, diff hunks), strictest first, and a level that finds several
// places never falls through to a looser one: exact lines; lines equal after trimming (indentation and
// trailing spaces ignored); the exact text inside a line (on word boundaries); first and last lines
// equal after trimming with the lines between at least 85% similar (normalized edit distance), allowing
// 15% more or fewer lines. Among several places, the one overlapping the selection wins, then the one at
// the line a diff header names; otherwise the answer is refused as ambiguous.
import { chooseBlock } from './choice';
import { planHunks, type Hunk, type HunkContext } from './hunks';
import { detectIndentStyle } from './indent';
import { indexLines, toLf, type LineIndex } from './lines';
import { diffHunks, fencedBlocks, isDiffBlock, searchReplaceBlocks, type DiffHunk, type FencedBlock } from './parse';
import { mergeEdits, refusal, splitsUnit, type ApplyMethod, type Plan } from './plan';
import { planBlock, type SelectionContext } from './selection';

export type { ApplyMethod } from './plan';

export interface ApplyInput {
  /** The whole document, as VS Code has it (may use \r\n). */
  documentText: string;
  /** Character offsets into documentText; start === end means no selection (a cursor). */
  selection: { start: number; end: number };
  /** The model's whole answer, markdown. */
  reply: string;
  /** VS Code language id, e.g. 'typescript', 'python'. */
  languageId: string;
}

export type ApplyResult =
  | { ok: true; newText: string; edit: { start: number; end: number; text: string }; method: ApplyMethod; notes: string[] }
  /** `code`: the best code found, so the caller can show it in the chat instead. */
  | { ok: false; reason: string; code?: string };

/** The system-prompt fragment that asks for the format applied best. */
export const EDIT_FORMAT_INSTRUCTIONS = [
  'When you change the code the user selected, reply in this format so the editor can apply your answer:',
  '1. Exactly one fenced code block, tagged with the language, containing the complete replacement for the selected code:',
  'every selected line, changed or not, in the same language and with the same indentation as the selection.',
  'Do not include unchanged lines from before or after the selection, and never shorten the code with placeholders such as "// ... existing code ...".',
  '2. After the block, at most a short explanation of what you changed and why.',
  'If the change also needs edits outside the selection (an import, a caller, another function), do not use the single block;',
  'reply instead with one SEARCH/REPLACE block per change, each quoting the exact current lines (enough of them to be unique in the file) and their replacement:',
  '<<<<<<< SEARCH',
  'the exact current lines',
  '=======',
  'the new lines',
  '>>>>>>> REPLACE',
].join('\n');

export function applyReply(input: ApplyInput): ApplyResult {
  const { documentText, selection, languageId } = input;
  const { start, end } = selection;
  if (!Number.isInteger(start) || !Number.isInteger(end) || start < 0 || end < start || end > documentText.length) {
    return { ok: false, reason: 'The selection does not fit the document (it may have changed); select the code again.' };
  }
  const reply = toLf(input.reply);
  if (reply.trim() === '') return { ok: false, reason: 'The answer is empty; there is nothing to apply.' };
  const doc = indexLines(documentText);
  const ctx: SelectionContext & HunkContext = { doc, selection: { start, end }, docStyle: detectIndentStyle(doc.lines), languageId };
  return finish(doc, plan(ctx, reply));
}

function plan(ctx: SelectionContext & HunkContext, reply: string): Plan {
  const blocks = fencedBlocks(reply);
  const sr = searchReplaceBlocks(reply);
  if (sr.incomplete) {
    return refusal('The answer has a SEARCH/REPLACE block with a missing marker, so it may have been cut off; nothing was applied.', firstCode(blocks));
  }
  if (sr.blocks.length > 0) {
    return planHunks(ctx, sr.blocks.map(b => ({ search: b.search, replace: b.replace })), 'search-replace');
  }
  // A diff is code when the document itself is a patch.
  const patchDoc = ['diff', 'patch', 'git-commit', 'git-rebase'].includes(ctx.languageId.toLowerCase());
  if (!patchDoc) {
    const diffs = blocks.filter(isDiffBlock);
    if (diffs.length > 0) {
      const viaDiff = planDiff(ctx, diffs.flatMap(b => diffHunks(b.content)), diffs[0].content);
      const others = blocks.filter(b => !isDiffBlock(b));
      if (viaDiff.ok || others.length === 0) return viaDiff;
      // "Fixed code: ... Changes: ```diff": when the diff does not fit, the full block may.
      const viaBlock = planCodeBlock(ctx, others);
      if (!viaBlock.ok) return viaDiff;
      return { ...viaBlock, notes: [`The diff in the answer could not be applied (${viaDiff.reason}); applied its code block instead.`, ...viaBlock.notes] };
    }
    if (blocks.length === 0 && /^(--- \S|diff --git |@@ )/.test(reply.trimStart())) return planDiff(ctx, diffHunks(reply.trim()), reply.trim());
  }
  return planCodeBlock(ctx, blocks);
}

function planCodeBlock(ctx: SelectionContext & HunkContext, blocks: readonly FencedBlock[]): Plan {
  const selectionLines = ctx.selection.start === ctx.selection.end
    ? []
    : ctx.doc.text.slice(ctx.selection.start, ctx.selection.end).split(/\r?\n/).map(l => l.trim()).filter(l => l !== '');
  const choice = chooseBlock(blocks, ctx.languageId, selectionLines);
  if (!choice.ok) return refusal(choice.reason, choice.code);
  const planned = planBlock(ctx, choice.block);
  if (planned.ok && choice.note) return { ...planned, notes: [choice.note, ...planned.notes] };
  return planned;
}

/**
 * Hunks for several files: only one file's hunks can be this document's, and the ones that all match
 * it are taken. One file (or no file names): all hunks must match.
 */
function planDiff(ctx: HunkContext, hunks: readonly DiffHunk[], code: string): Plan {
  if (hunks.length === 0) return refusal('The answer has a diff without any changes in it.', code);
  const toHunk = (h: DiffHunk): Hunk => ({ search: h.before, replace: h.after, hintLine: h.oldStart === undefined ? undefined : h.oldStart - 1 });
  const files = [...new Set(hunks.map(h => h.file ?? ''))];
  if (files.length <= 1) return planHunks(ctx, hunks.map(toHunk), 'unified-diff');
  const fits = files
    .map(f => ({ f, p: planHunks(ctx, hunks.filter(h => (h.file ?? '') === f).map(toHunk), 'unified-diff') }))
    .filter(x => x.p.ok);
  if (fits.length !== 1) {
    return refusal(`The diff changes ${files.length} files (${files.filter(f => f).join(', ')}), and ${fits.length === 0 ? 'none' : 'more than one'} of them matches this document.`, code);
  }
  const only = fits[0];
  if (!only.p.ok) return only.p;
  return { ...only.p, notes: [`The diff changes ${files.length} files; applied the part for ${only.f || 'this file'}.`, ...only.p.notes] };
}

function firstCode(blocks: readonly FencedBlock[]): string | undefined {
  return blocks.find(b => b.content.trim() !== '')?.content;
}

/** One edit, checked: it must change something and may only cut the text between whole characters. */
function finish(doc: LineIndex, p: Plan): ApplyResult {
  if (!p.ok) return p.code === undefined ? { ok: false, reason: p.reason } : { ok: false, reason: p.reason, code: p.code };
  const merged = mergeEdits(doc.text, p.edits);
  if (!merged.ok) return p.code === undefined ? { ok: false, reason: merged.reason } : { ok: false, reason: merged.reason, code: p.code };
  const edit = merged.edit;
  const text = doc.text;
  if (text.slice(edit.start, edit.end) === edit.text) {
    const reason = 'The code in the answer is the same as the code in the editor; there is nothing to change.';
    return p.code === undefined ? { ok: false, reason } : { ok: false, reason, code: p.code };
  }
  if (splitsUnit(text, edit.start) || splitsUnit(text, edit.end) || edit.start < 0 || edit.end > text.length || edit.start > edit.end) {
    return { ok: false, reason: 'The change could not be placed safely in the document; nothing was applied.' };
  }
  const newText = text.slice(0, edit.start) + edit.text + text.slice(edit.end);
  return { ok: true, newText, edit, method: p.method, notes: [...p.notes] };
}
