// Reads a model's markdown answer into what can be applied: fenced code blocks, SEARCH/REPLACE blocks
// and unified-diff hunks. Lenient where models are sloppy (fence indentation, marker lengths, missing
// hunk numbers), strict where guessing could corrupt a file (an unfinished SEARCH/REPLACE block).
import { isDiffTag } from './languages';

export interface FencedBlock {
  /** First word of the info string, lower-case; '' when untagged. */
  readonly lang: string;
  /** The lines between the fences, \n-separated, with the fence's own indentation removed. */
  readonly content: string;
  /** False when the answer ended inside the block (cut off, or the model forgot the closing fence). */
  readonly closed: boolean;
}

const FENCE_OPEN = /^([ \t]*)(`{3,}|~{3,})(.*)$/;
const FENCE_CLOSE = /^[ \t]*(`{3,}|~{3,})[ \t]*$/;

/** CommonMark fenced blocks, except that any indentation opens one (models indent fences in lists). */
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
    const lang = m[3].trim().replace(/^[{.]+/, '').split(/[\s{}:,;=]/)[0].toLowerCase();
    const body: string[] = [];
    let closed = false;
    i++;
    for (; i < lines.length; i++) {
      const c = FENCE_CLOSE.exec(lines[i]);
      if (c && c[1][0] === fenceChar && c[1].length >= fenceLen) {
        closed = true;
        i++;
        break;
      }
      body.push(stripIndent(lines[i], indent));
    }
    blocks.push({ lang, content: body.join('\n'), closed });
  }
  return blocks;
}

function stripIndent(line: string, n: number): string {
  let i = 0;
  while (i < n && i < line.length && (line[i] === ' ' || line[i] === '\t')) i++;
  return line.slice(i);
}

export interface SearchReplaceBlock {
  readonly search: readonly string[];
  readonly replace: readonly string[];
}

export interface SearchReplaceParse {
  readonly blocks: readonly SearchReplaceBlock[];
  /** A block whose markers did not all arrive: applying half a change is never safe. */
  readonly incomplete: boolean;
}

const SR_START = /^([ \t]*)<{5,9}[ \t]*(SEARCH|ORIGINAL)\b/i;
const SR_MIDDLE = /^[ \t]*={5,9}[ \t]*$/;
const SR_END = /^[ \t]*>{5,9}[ \t]*(REPLACE|UPDATED)\b/i;

/**
 * Aider-style blocks, found anywhere in the answer (inside a fence or not). Raw lines are scanned, not
 * fence contents, because a REPLACE part may itself contain ``` lines (editing Markdown).
 */
export function searchReplaceBlocks(reply: string): SearchReplaceParse {
  const lines = reply.split('\n');
  const blocks: SearchReplaceBlock[] = [];
  let i = 0;
  while (i < lines.length) {
    const start = SR_START.exec(lines[i]);
    if (!start) {
      i++;
      continue;
    }
    const indent = start[1].length;
    const search: string[] = [];
    const replace: string[] = [];
    let part: 'search' | 'replace' | 'done' = 'search';
    for (i++; i < lines.length && part !== 'done'; i++) {
      const line = lines[i];
      if (part === 'search' && SR_MIDDLE.test(line)) part = 'replace';
      else if (part === 'replace' && SR_END.test(line)) part = 'done';
      else if (part === 'search' && (SR_START.test(line) || SR_END.test(line))) return { blocks, incomplete: true };
      else if (part === 'replace' && SR_START.test(line)) return { blocks, incomplete: true };
      else (part === 'search' ? search : replace).push(stripIndent(line, indent));
    }
    if (part !== 'done') return { blocks, incomplete: true };
    blocks.push({ search, replace });
  }
  return { blocks, incomplete: false };
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
