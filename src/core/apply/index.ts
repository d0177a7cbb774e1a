// The apply engine behind Fix Selection, Improve, Add Docs and the chat's Apply: the document, the
// selection and the model's answer in, the new document (as one contiguous edit) or a refusal with its
// reason out. Pure: no vscode, no I/O. Offsets are UTF-16 code units, as in JS strings and VS Code.
//
// Before anything else: an answer whose finish_reason is `length` is refused as cut off (so is a
// SEARCH/REPLACE block whose closing marker never arrived, and an unclosed fence whose code leaves
// brackets open or stops mid-statement or mid-word); the host offers Continue for those. Reasoning
// sections (<think>, <thinking>, <reasoning>) are removed, with any code in them.
//
// Accepted answers, in the order they are recognised:
//  1. SEARCH/REPLACE blocks, anywhere in the answer, inside a fence or not, one or more, in the
//     dialects of Aider (<<<<<<< SEARCH / ======= / >>>>>>> REPLACE, or ORIGINAL/UPDATED), Roo Code
//     (the same with `:start_line:N` and `-------` after the first marker; the line only breaks ties
//     between equal matches) and Cline (------- SEARCH / ======= / +++++++ REPLACE). 5 to 9 marker
//     characters, trailing spaces allowed. A doubled ======= or a missing marker is refused.
//  2. Unified diffs: a ```diff / ```patch fence, or any fence holding `@@ -l,c +l,c @@` hunks or
//     `--- a/x` + `+++ b/x` headers, or an unfenced answer that starts as a diff. Hunk numbers may be
//     wrong or missing (`@@ ... @@`, or no `@@` line at all): hunks are found by their context lines.
//     A diff naming several files applies the one file whose hunks all match. When the diff does not
//     match but the answer also has a code block, the code block is applied (3.).
//  3. Fenced code blocks (``` or ~~~, three or more, any or no or the wrong language tag, indented
//     fences in lists, a Markdown document with its own ``` blocks wrapped in a plain ``` fence, a
//     last fence left unclosed when its code looks complete) with prose around them. The block
//     replaces the selection (the strict format), or with only a cursor: replaces the function or
//     class around the cursor when it restates it (same declared name), else is inserted at the cursor.
//     With several blocks, the one that replaces the selection is chosen (see choice.ts); blocks tagged
//     as commands or output (bash, sh, shell, console, text, output, ...) are ignored unless the
//     document is in that language. A block that is the whole file with changes is applied as a
//     whole-file change, but only the span that differs is edited. A block with placeholders for
//     unchanged code ("// ... existing code ...", see elision.ts) is merged with the file's own code
//     when every placeholder sits between unchanged lines found in one place only.
//  Blocks, SEARCH/REPLACE blocks and diffs labelled for another file (a path line before the fence,
//  a path in the info string, a `// filepath:` first line, a diff's +++ path) are not applied to this
//  one; when every change is for other files the result is `other-file`, naming the first of them.
//  Fixed up on the way in: line numbers copied from a numbered view (when every line has one),
//  typographic characters the document does not use (smart quotes, dashes, ellipses, non-breaking and
//  zero-width spaces), indentation (the block's base moves to the selection's, keeping relative
//  indentation; tabs or spaces as the document uses; a first line echoed at column 0), line endings
//  (the document's), lines the answer repeats from just before or after the selection, the whole line
//  sent for part of a line, and a file-name comment on the first line. Refused, because applying
//  would lose or duplicate code: no code, only commands or output, several equally likely blocks, a
//  placeholder that cannot be placed, only a comment for selected code (an "Add Docs" answer without
//  the code), a short excerpt of a long selection, a block restating much of the file around the
//  selection without lining up with it, quoted code that is not in the document (the closest region
//  is named) or is in several places none of which is in the selection, overlapping changes, an
//  answer that changes nothing.
//
// Finding quoted code (SEARCH parts, diff hunks), strictest first, and a level that finds several
// places never falls through to a looser one: exact lines; lines equal after trimming (indentation and
// trailing spaces ignored); lines equal after typographic normalisation; the exact text inside a line
// (on word boundaries); first and last lines equal after trimming with the lines between at least 85%
// similar (normalized edit distance), allowing 15% more or fewer lines. Among several places, the one
// overlapping the selection wins, then the one at the line a diff header or `:start_line:` names;
// otherwise the answer is refused as ambiguous.
import { chooseBlock } from './choice';
import { cleanLines } from './cleanup';
import { sameFile } from './fileLabel';
import { planHunks, type Hunk, type HunkContext } from './hunks';
import { detectIndentStyle } from './indent';
import { indexLines, lineOf, toLf, type LineIndex } from './lines';
import { diffHunks, fencedBlocks, isDiffBlock, searchReplaceBlocks, type DiffHunk, type FencedBlock, type SearchReplaceBlock } from './parse';
import { cutOff, mergeEdits, refusal, splitsUnit, type ApplyMethod, type Plan } from './plan';
import { withoutReasoning } from './reasoning';
import { planBlock, type SelectionContext } from './selection';

export type { ApplyMethod, RefusalKind } from './plan';

export interface ApplyInput {
  /** The whole document, as VS Code has it (may use \r\n). */
  documentText: string;
  /** Character offsets into documentText; start === end means no selection (a cursor). */
  selection: { start: number; end: number };
  /** The model's whole answer, markdown. */
  reply: string;
  /** VS Code language id, e.g. 'typescript', 'python'. */
  languageId: string;
  /** The document's path relative to its workspace folder (or its file name), to compare with the file an answer names. */
  path?: string;
  /** The answer's finish_reason from the server: `length` means it was cut off at the token limit. */
  finishReason?: string | null;
}

export type ApplyResult =
  | { ok: true; newText: string; edit: { start: number; end: number; text: string }; method: ApplyMethod; notes: string[] }
  /**
   * `code`: the best code found, so the caller can show it in the chat instead. `kind`: `cut-off` when
   * the answer is unfinished (offer Continue), `refused` for every other reason.
   */
  | { ok: false; kind: 'refused' | 'cut-off'; reason: string; code?: string }
  /** Every change in the answer is labelled for another file, `file` (as the answer names it). */
  | { ok: false; kind: 'other-file'; file: string; reason: string; code?: string };

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
    return refused('The selection does not fit the document (it may have changed); select the code again.');
  }
  const reply = withoutReasoning(toLf(input.reply));
  if (input.finishReason === 'length') {
    const reason = 'The answer was cut off at the token limit, so it may be missing code; nothing was applied. Use Continue to get the rest of the answer, or ask again with a larger token limit.';
    return { ok: false, kind: 'cut-off', reason };
  }
  if (reply.trim() === '') return refused('The answer is empty (or only reasoning); there is nothing to apply.');
  const doc = indexLines(documentText);
  const ctx: Ctx = { doc, selection: { start, end }, docStyle: detectIndentStyle(doc.lines), languageId, path: input.path };
  return finish(doc, plan(ctx, reply));
}

type Ctx = SelectionContext & HunkContext & { readonly path?: string };

function refused(reason: string): ApplyResult {
  return { ok: false, kind: 'refused', reason };
}

/** Whether a label (or its absence) lets a change apply to this document. */
function forThisFile(ctx: Ctx, file: string | undefined): boolean {
  return file === undefined || file === '' || ctx.path === undefined || sameFile(file, ctx.path);
}

function otherFile(ctx: Ctx, files: readonly string[], code: string | undefined): Plan {
  const names = [...new Set(files)];
  const reason = `The answer's changes are for ${names.length === 1 ? names[0] : names.join(', ')}, not ${ctx.path ?? 'this file'}; nothing was applied here. Open ${names[0]} to apply them there.`;
  return { ok: false, reason, kind: 'other-file', file: names[0], ...(code === undefined ? {} : { code }) };
}

function plan(ctx: Ctx, reply: string): Plan {
  const blocks = fencedBlocks(reply);
  const sr = searchReplaceBlocks(reply);
  if (sr.problem) {
    return sr.problem.kind === 'cut-off' ? cutOff(sr.problem.reason, firstCode(blocks)) : refusal(sr.problem.reason, firstCode(blocks));
  }
  if (sr.blocks.length > 0) {
    const mine = sr.blocks.filter(b => forThisFile(ctx, b.file));
    if (mine.length === 0) return otherFile(ctx, sr.blocks.map(b => b.file ?? ''), sr.blocks[0].replace.join('\n'));
    const planned = planHunks(ctx, mine.map(b => cleanHunk(ctx, b)), 'search-replace');
    return withSkipped(planned, sr.blocks.filter(b => !forThisFile(ctx, b.file)).map(b => b.file ?? ''), 'SEARCH/REPLACE block');
  }
  // A diff is code when the document itself is a patch.
  const patchDoc = ['diff', 'patch', 'git-commit', 'git-rebase'].includes(ctx.languageId.toLowerCase());
  if (!patchDoc) {
    const diffs = blocks.filter(isDiffBlock);
    if (diffs.length > 0) {
      const hunks = diffs.flatMap(b => diffHunks(b.content).map(h => (h.file === undefined && b.file !== undefined ? { ...h, file: b.file } : h)));
      const named = hunks.filter(h => h.file !== undefined && h.file !== '');
      if (ctx.path !== undefined && named.length === hunks.length && hunks.length > 0 && !named.some(h => forThisFile(ctx, h.file))) {
        return otherFile(ctx, named.map(h => h.file ?? ''), diffs[0].content);
      }
      const viaDiff = planDiff(ctx, hunks.filter(h => forThisFile(ctx, h.file) || !named.some(n => forThisFile(ctx, n.file))), diffs[0].content);
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

/** The SEARCH and REPLACE parts without copied line numbers and typographic drift. */
function cleanHunk(ctx: Ctx, b: SearchReplaceBlock): Hunk {
  const first = b.hintLine === undefined ? undefined : b.hintLine + 1;
  const search = cleanLines(ctx.doc, ctx.languageId, b.search, first).lines;
  const replace = cleanLines(ctx.doc, ctx.languageId, b.replace, first).lines;
  return { search, replace, hintLine: b.hintLine };
}

function withSkipped(p: Plan, files: readonly string[], what: string): Plan {
  if (!p.ok || files.length === 0) return p;
  const names = [...new Set(files)].join(', ');
  return { ...p, notes: [`Left out ${files.length} ${what}${files.length === 1 ? '' : 's'} for ${names}.`, ...p.notes] };
}

function planCodeBlock(ctx: Ctx, all: readonly FencedBlock[]): Plan {
  const labelled = all.filter(b => b.content.trim() !== '');
  const mine = labelled.filter(b => forThisFile(ctx, b.file));
  if (mine.length === 0 && labelled.length > 0 && ctx.path !== undefined) return otherFile(ctx, labelled.map(b => b.file ?? ''), labelled[0].content);
  const notes: string[] = [];
  const selFirst = ctx.selection.start === ctx.selection.end ? undefined : lineOf(ctx.doc, ctx.selection.start) + 1;
  const blocks = mine.map(b => {
    const cleaned = cleanLines(ctx.doc, ctx.languageId, b.content.split('\n'), selFirst);
    notes.push(...cleaned.notes);
    return { ...b, content: cleaned.lines.join('\n') };
  });
  const planned = withSkipped(planCodeBlockOf(ctx, blocks), labelled.filter(b => !forThisFile(ctx, b.file)).map(b => b.file ?? ''), 'code block');
  return planned.ok && notes.length > 0 ? { ...planned, notes: [...new Set(notes), ...planned.notes] } : planned;
}

function planCodeBlockOf(ctx: Ctx, blocks: readonly FencedBlock[]): Plan {
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
function planDiff(ctx: Ctx, hunks: readonly DiffHunk[], code: string): Plan {
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
  const fail = (reason: string, code: string | undefined): ApplyResult => (code === undefined ? refused(reason) : { ok: false, kind: 'refused', reason, code });
  if (!p.ok) {
    const extra = p.code === undefined ? {} : { code: p.code };
    if (p.kind === 'other-file' && p.file !== undefined) return { ok: false, kind: 'other-file', file: p.file, reason: p.reason, ...extra };
    return { ok: false, kind: p.kind === 'cut-off' ? 'cut-off' : 'refused', reason: p.reason, ...extra };
  }
  const merged = mergeEdits(doc.text, p.edits);
  if (!merged.ok) return fail(merged.reason, p.code);
  const edit = merged.edit;
  const text = doc.text;
  if (text.slice(edit.start, edit.end) === edit.text) {
    return fail('The code in the answer is the same as the code in the editor; there is nothing to change.', p.code);
  }
  if (splitsUnit(text, edit.start) || splitsUnit(text, edit.end) || edit.start < 0 || edit.end > text.length || edit.start > edit.end) {
    return refused('The change could not be placed safely in the document; nothing was applied.');
  }
  const newText = text.slice(0, edit.start) + edit.text + text.slice(edit.end);
  return { ok: true, newText, edit, method: p.method, notes: [...p.notes] };
}
