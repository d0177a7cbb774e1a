// Splits a streaming markdown answer into top-level blocks that are finished (no text that may still
// arrive can change how they render) and an open tail, so the view renders each finished block once and
// re-renders only the tail per frame.
//
// A boundary is the start of a line L where all of these hold:
//   1. the line before L is blank: it closes every paragraph, table and block quote;
//   2. L's first character has arrived and is not a space or tab: L continues no list item and no
//      indented code block;
//   3. L's first character is not a list marker (`-`, `+`, `*`, a digit): L cannot become the next item
//      of the list above, which could make that list loose;
//   4. the parser starts a top-level block on L: no fence is open across L. A line scanner cannot tell
//      on its own, because a fence line indented 2-3 spaces may belong to a list item or start a
//      top-level fence, and an unclosed fence swallows everything after it.
// Nothing after L's first character can change the parse of the lines before L, so the HTML of the text
// before L rendered alone equals its part of the HTML of any longer text. That needs a parser without
// raw HTML blocks (some span blank lines) and without link reference definitions (a definition further
// down changes links above it): see markdown.ts, whose configuration the unit tests check this against.

/** The part of a block token the splitter reads (markdown-it's Token fits). */
export interface BlockToken {
  readonly level: number;
  readonly map: readonly [number, number] | null;
}

/** A markdown block parser (markdown-it fits). */
export interface BlockParser<T extends BlockToken = BlockToken> {
  parse(src: string, env: Record<string, unknown>): readonly T[];
}

export interface BlockSplit {
  /** Finished blocks in order; they and the tail concatenate to the input. */
  readonly blocks: string[];
  /** Text that may still change how it renders. */
  readonly tail: string;
}

const SPACE = 0x20;
const TAB = 0x09;
const NEWLINE = 0x0a;
const PLUS = 0x2b;
const MINUS = 0x2d;
const STAR = 0x2a;
const ZERO = 0x30;
const NINE = 0x39;

function isBlank(text: string, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c !== SPACE && c !== TAB) return false;
  }
  return true;
}

function mayStartBlock(c: number): boolean {
  return c !== NEWLINE && c !== SPACE && c !== TAB && c !== PLUS && c !== MINUS && c !== STAR && !(c >= ZERO && c <= NINE);
}

interface Candidate {
  readonly line: number;
  readonly offset: number;
}

/** Lines that satisfy rules 1-3, with their 0-based line numbers and start offsets. */
function candidates(text: string): Candidate[] {
  // The parser turns "\r\n" and a lone "\r" into "\n", which shifts its line numbers after the first
  // "\r"; lines that start before it number the same in both, so only those are considered.
  const cr = text.indexOf('\r');
  const limit = cr < 0 ? text.length : cr;
  const found: Candidate[] = [];
  let line = 0;
  let start = 0;
  let previousBlank = false;
  while (start < limit) {
    const newline = text.indexOf('\n', start);
    const end = newline < 0 ? text.length : newline;
    if (previousBlank && mayStartBlock(text.charCodeAt(start))) found.push({ line, offset: start });
    if (newline < 0) break;
    previousBlank = isBlank(text, start, end);
    line++;
    start = newline + 1;
  }
  return found;
}

/**
 * Splits text that starts at a block boundary (or at the start of the answer) into finished blocks and
 * the open tail. Pure: the same text always gives the same split, and a boundary found in a prefix of a
 * text is a boundary of the whole text.
 */
export function splitBlocks(text: string, parser: BlockParser): BlockSplit {
  const { boundaries } = findBoundaries(text, parser);
  const blocks: string[] = [];
  let previous = 0;
  for (const b of boundaries) {
    blocks.push(text.slice(previous, b.offset));
    previous = b.offset;
  }
  return { blocks, tail: text.slice(previous) };
}

/** Where a block after the first starts: its offset, its line and the index of its first parser token. */
export interface Boundary {
  readonly offset: number;
  readonly line: number;
  readonly token: number;
}

/**
 * The boundaries splitBlocks splits at, with the parser's tokens when it had to parse (so a caller can
 * render the blocks and the tail from them instead of parsing each again); no tokens when no line could
 * be a boundary.
 */
export function findBoundaries<T extends BlockToken>(text: string, parser: BlockParser<T>): { boundaries: Boundary[]; tokens?: readonly T[] } {
  const found = candidates(text);
  if (found.length === 0) return { boundaries: [] };
  const tokens = parser.parse(text, {});
  const starts = new Map<number, number>();
  tokens.forEach((token, i) => {
    if (token.level === 0 && token.map && !starts.has(token.map[0])) starts.set(token.map[0], i);
  });
  const boundaries: Boundary[] = [];
  for (const c of found) {
    const token = starts.get(c.line);
    if (token !== undefined) boundaries.push({ offset: c.offset, line: c.line, token });
  }
  return { boundaries, tokens };
}
