// Reads a model's markdown answer into what can be applied: fenced code blocks, SEARCH/REPLACE blocks
// and unified-diff hunks (reasoning sections are removed before, see reasoning.ts). Lenient where models are sloppy (fence indentation, marker lengths, missing
// hunk numbers), strict where guessing could corrupt a file (an unfinished SEARCH/REPLACE block).
import { labelComment, labelInInfo, labelLine } from './fileLabel';
import { isDiffTag, languageOfTag } from './languages';

export interface FencedBlock {
  /** First word of the info string, lower-case; '' when untagged. */
  readonly lang: string;
  /** The lines between the fences, \n-separated, with the fence's own indentation removed. */
  readonly content: string;
  /** False when the answer ended inside the block (cut off, or the model forgot the closing fence). */
  readonly closed: boolean;
  /** The file the answer says the block is for, when it labels it (see fileLabel.ts). */
  readonly file?: string;
}

const FENCE_OPEN = /^([ \t]*)(`{3,}|~{3,})(.*)$/;
const FENCE_CLOSE = /^[ \t]*(`{3,}|~{3,})[ \t]*$/;
/** Fences whose content is itself Markdown, where a tagged ``` line opens a nested block rather than closing this one. */
const MARKDOWN_TAGS = new Set(['', 'md', 'markdown', 'mdx']);

/**
 * CommonMark fenced blocks, except that any indentation opens one (models indent fences in lists), and
 * that a Markdown document wrapped in a plain ``` fence keeps its own ```lang blocks: inside such a
 * fence, a ``` line with a language opens a nested block, and the next bare ``` closes that one.
 */
export function fencedBlocks(reply: string): FencedBlock[] {
  const lines = reply.split('\n');
  const blocks: FencedBlock[] = [];
  let i = 0;
  while (i < lines.length) {
    const m = FENCE_OPEN.exec(lines[i]);
    if (!m || (m[2][0] === '`' && m[3].includes('`'))) {
      i++;
      continue;
    }
    const indent = m[1].length;
    const fenceChar = m[2][0];
    const fenceLen = m[2].length;
    const info = m[3].trim();
    const lang = info.replace(/^[{.]+/, '').split(/[\s{}:,;=]/)[0].toLowerCase();
    const nests = MARKDOWN_TAGS.has(lang);
    const label = labelBefore(lines, i) ?? labelInInfo(info, t => languageOfTag(t) !== undefined);
    const body: string[] = [];
    let closed = false;
    let depth = 0;
    i++;
    for (; i < lines.length; i++) {
      const c = FENCE_CLOSE.exec(lines[i]);
      if (c && c[1][0] === fenceChar && c[1].length >= fenceLen) {
        if (depth === 0) {
          closed = true;
          i++;
          break;
        }
        depth--;
      } else if (nests) {
        const o = FENCE_OPEN.exec(lines[i]);
        if (o && o[2][0] === fenceChar && o[2].length === fenceLen && o[3].trim() !== '' && !o[3].includes('`')) depth++;
      }
      body.push(stripIndent(lines[i], indent));
    }
    const content = body.join('\n');
    const file = label ?? labelComment(content.slice(0, content.indexOf('\n') >>> 0));
    blocks.push(file === undefined ? { lang, content, closed } : { lang, content, closed, file });
  }
  return blocks;
}

/** A path alone on the line before a fence (a blank line may sit between them). */
function labelBefore(lines: readonly string[], fenceLine: number): string | undefined {
  for (let k = fenceLine - 1; k >= 0 && k >= fenceLine - 2; k--) {
    if (lines[k].trim() === '') continue;
    return labelLine(lines[k]);
  }
  return undefined;
}

function stripIndent(line: string, n: number): string {
  let i = 0;
  while (i < n && i < line.length && (line[i] === ' ' || line[i] === '\t')) i++;
  return line.slice(i);
}

export interface SearchReplaceBlock {
  readonly search: readonly string[];
  readonly replace: readonly string[];
  /** 0-based line Roo Code's `:start_line:` names; only breaks ties between equal matches. */
  readonly hintLine?: number;
  /** The file the answer says the block is for. */
  readonly file?: string;
}

export interface SearchReplaceParse {
  readonly blocks: readonly SearchReplaceBlock[];
  /** A block whose markers did not all arrive, or arrived in the wrong order: applying half a change is never safe. */
  readonly incomplete: boolean;
  /** `cut-off`: the answer ended inside a block; `malformed`: the markers contradict each other. */
  readonly problem?: { readonly kind: 'cut-off' | 'malformed'; readonly reason: string };
}

// Aider (<<<<<<< SEARCH, ORIGINAL/UPDATED), Roo Code (the same plus :start_line: and -------) and
// Cline (------- SEARCH / +++++++ REPLACE). Trailing spaces after a marker are common and harmless.
const SR_START = /^([ \t]*)(?:<{5,9}[ \t]*(?:SEARCH|ORIGINAL)\b|-{5,9}[ \t]*SEARCH[ \t]*$)/i;
const SR_MIDDLE = /^[ \t]*={5,9}[ \t]*$/;
const SR_END = /^[ \t]*(?:>{5,9}[ \t]*(?:REPLACE|UPDATED)\b|\+{5,9}[ \t]*REPLACE[ \t]*$)/i;
const ROO_START_LINE = /^[ \t]*:start_line:[ \t]*(\d+)[ \t]*$/;
const ROO_END_LINE = /^[ \t]*:end_line:[ \t]*\d+[ \t]*$/;
const ROO_SEPARATOR = /^[ \t]*-{3,9}[ \t]*$/;

/**
 * SEARCH/REPLACE blocks found anywhere in the answer (inside a fence or not). Raw lines are scanned,
 * not fence contents, because a REPLACE part may itself contain ``` lines (editing Markdown).
 */
export function searchReplaceBlocks(reply: string): SearchReplaceParse {
  const lines = reply.split('\n');
  const blocks: SearchReplaceBlock[] = [];
  const malformed = (reason: string): SearchReplaceParse => ({ blocks, incomplete: true, problem: { kind: 'malformed', reason } });
  let i = 0;
  while (i < lines.length) {
    const start = SR_START.exec(lines[i]);
    if (!start) {
      i++;
      continue;
    }
    const file = srLabel(lines, i, blocks[blocks.length - 1]?.file);
    const indent = start[1].length;
    let hintLine: number | undefined;
    i++;
    // Roo Code's header: line hints, then a separator before the SEARCH text.
    for (; i < lines.length; i++) {
      const hint = ROO_START_LINE.exec(lines[i]);
      if (hint) hintLine = Number(hint[1]) - 1;
      else if (!ROO_END_LINE.test(lines[i])) break;
    }
    if (hintLine !== undefined && i < lines.length && ROO_SEPARATOR.test(lines[i])) i++;
    const search: string[] = [];
    const replace: string[] = [];
    let part: 'search' | 'replace' | 'done' = 'search';
    for (; i < lines.length && part !== 'done'; i++) {
      const line = lines[i];
      if (part === 'search' && SR_MIDDLE.test(line)) part = 'replace';
      else if (part === 'replace' && SR_END.test(line)) part = 'done';
      else if (part === 'search' && (SR_START.test(line) || SR_END.test(line))) {
        return malformed('A SEARCH/REPLACE block in the answer has no ======= line between its SEARCH and REPLACE parts, so it is not clear what to replace; nothing was applied.');
      } else if (part === 'replace' && SR_MIDDLE.test(line)) {
        return malformed('A SEARCH/REPLACE block in the answer has two ======= lines, so it is not clear where its replacement starts; nothing was applied. Ask for the change again.');
      } else if (part === 'replace' && SR_START.test(line)) {
        return malformed('A SEARCH/REPLACE block in the answer has no >>>>>>> REPLACE line before the next block starts; nothing was applied. Ask for the change again.');
      } else (part === 'search' ? search : replace).push(stripIndent(line, indent));
    }
    if (part !== 'done') {
      return {
        blocks,
        incomplete: true,
        problem: { kind: 'cut-off', reason: 'The answer was cut off inside a SEARCH/REPLACE block (its closing marker never arrived), so nothing was applied. Use Continue to get the rest of the answer, or ask again.' },
      };
    }
    const block: SearchReplaceBlock = { search, replace, ...(hintLine === undefined ? {} : { hintLine }), ...(file === undefined ? {} : { file }) };
    blocks.push(block);
  }
  return { blocks, incomplete: false };
}

/**
 * Aider writes the path, then the fence, then the block: look back over a fence line and blank lines.
 * A block right after another one (in the same fence) is for the same file as that one, `previous`.
 */
function srLabel(lines: readonly string[], startLine: number, previous: string | undefined): string | undefined {
  for (let k = startLine - 1, seen = 0; k >= 0 && seen < 3; k--, seen++) {
    const t = lines[k].trim();
    if (t === '') continue;
    if (SR_END.test(lines[k])) return previous;
    const fence = FENCE_OPEN.exec(lines[k]);
    if (fence) {
      const inInfo = labelInInfo(fence[3], tag => languageOfTag(tag) !== undefined);
      if (inInfo) return inInfo;
      continue;
    }
    return labelLine(t);
  }
  return undefined;
}

export interface DiffHunk {
  /** Context and removed lines: what the document has now. */
  readonly before: readonly string[];
  /** Context and added lines: what it should have. */
  readonly after: readonly string[];
  /** 1-based first line of `before` from the `@@ -l,c` header, when the model gave one. */
  readonly oldStart?: number;
  /** The `+++` path, when the diff names files. */
  readonly file?: string;
}

const HUNK_HEADER = /^@@+\s*(?:-(\d+)(?:,\d+)?\s+\+\d+(?:,\d+)?)?.*$/;
const STRICT_HUNK_HEADER = /^@@ -\d+(?:,\d+)? \+\d+(?:,\d+)? @@/m;

/** A diff tag, or content that is unmistakably a unified diff whatever the tag says. */
export function isDiffBlock(block: FencedBlock): boolean {
  if (isDiffTag(block.lang)) return true;
  return STRICT_HUNK_HEADER.test(block.content) || /^--- \S.*\n\+\+\+ \S/m.test(block.content);
}

/** The hunks of a unified diff; a diff block without `@@` lines is read as one hunk without numbers. */
export function diffHunks(content: string): DiffHunk[] {
  const lines = content.split('\n');
  while (lines.length > 0 && lines[lines.length - 1].trim() === '') lines.pop();
  const hasHeaders = lines.some(l => l.startsWith('@@'));
  const hunks: DiffHunk[] = [];
  let file: string | undefined;
  let cur: { before: string[]; after: string[]; oldStart?: number; file?: string } | undefined = hasHeaders
    ? undefined
    : { before: [], after: [] };
  const close = (): void => {
    if (cur && (cur.before.length > 0 || cur.after.length > 0)) hunks.push(cur);
    cur = undefined;
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (/^diff --git |^index [0-9a-f]+\.\.|^(new|deleted) file mode |^similarity index |^rename (from|to) /.test(line)) {
      close();
      if (!hasHeaders) cur = { before: [], after: [], file };
      continue;
    }
    // `--- x` starts a file only when `+++ y` follows: a removed SQL or Lua comment also starts with `---`.
    if (line.startsWith('--- ') && i + 1 < lines.length && lines[i + 1].startsWith('+++ ')) {
      close();
      file = diffPath(lines[i + 1].slice(4));
      i++;
      if (!hasHeaders) cur = { before: [], after: [], file };
      continue;
    }
    if (line.startsWith('@@')) {
      close();
      const h = HUNK_HEADER.exec(line);
      const oldStart = h && h[1] !== undefined ? Number(h[1]) : undefined;
      cur = { before: [], after: [], oldStart, file };
      continue;
    }
    if (!cur) continue;
    if (line.startsWith('\\')) continue; // "\ No newline at end of file"
    const mark = line[0];
    if (mark === '+') cur.after.push(line.slice(1));
    else if (mark === '-') cur.before.push(line.slice(1));
    else {
      // Context; models drop the leading space of blank context lines and sometimes of any line.
      const text = mark === ' ' ? line.slice(1) : line;
      cur.before.push(text);
      cur.after.push(text);
    }
  }
  close();
  return hunks;
}

function diffPath(raw: string): string {
  const p = raw.split('\t')[0].trim();
  return p.replace(/^[ab]\//, '');
}
