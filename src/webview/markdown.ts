// Markdown to HTML for answers: markdown-it without raw HTML, links limited to http(s)/mailto/#, images
// turned into links, code fences highlighted with their own language. Returns an HTML string and touches
// no DOM, so the block splitter's guarantee can be unit-tested against it in plain Node; the caller
// sanitizes (sanitize.ts) before the HTML reaches the page.

import MarkdownIt from 'markdown-it';
import type { Env, RendererRule, StateCore, Token } from 'markdown-it';
import { findBoundaries, type BlockParser } from './blocks';
import { highlightCode, resolveLanguage } from './highlight';
import { strings } from './strings';
import { isAllowedHref } from './urls';

const md = new MarkdownIt('default', { html: false, linkify: true, typographer: false, breaks: false });

// A definition further down would change how links above it render, which breaks rendering finished
// blocks once (blocks.ts); answers almost never use reference-style links.
md.disable('reference');
// Without a scheme, file names such as main.py or notes.md would become links to top-level domains.
md.linkify.set({ fuzzyLink: false });
md.validateLink = isAllowedHref;

const { escapeHtml, unescapeAll } = md.utils;

/** Env key holding the source lines of a tail that is still streaming (see isClosedFence). */
const OPEN_LINES = 'tandemOpenLines';

function openLines(env: Env | undefined): readonly string[] | undefined {
  const lines = env?.[OPEN_LINES];
  return Array.isArray(lines) ? (lines as string[]) : undefined;
}

function withoutFinalNewline(code: string): string {
  return code.endsWith('\n') ? code.slice(0, -1) : code;
}

/** Whether a fence in a streaming tail has its closing line yet: only closed fences are highlighted. */
function isClosedFence(token: Token, lines: readonly string[]): boolean {
  if (!token.map) return true;
  const last = token.map[1] - 1;
  if (last <= token.map[0]) return false;
  // Inside a block quote the closing line carries the quote markers.
  const line = (lines[last] ?? '').replace(/^[\s>]+/, '').trimEnd();
  const marker = token.markup;
  if (marker === '' || line.length < marker.length) return false;
  for (const ch of line) if (ch !== marker[0]) return false;
  return true;
}

/**
 * `<pre><code>` for a code block. A registered language is highlighted (when `highlight`), any other
 * plain name only becomes a class so the toolbar can show it, and the code is escaped. A plain name
 * also travels as written in `data-lang`, which the code buttons send to the host.
 */
export function codeBlockHtml(code: string, languageName: string, highlight = true): string {
  const language = resolveLanguage(languageName);
  const plain = /^[\w+#.-]{1,40}$/.test(languageName);
  let classes = '';
  if (language) classes = `hljs language-${language}`;
  else if (plain) classes = `language-${languageName.toLowerCase()}`;
  const body = language && highlight ? highlightCode(code, language) : escapeHtml(code);
  const attributes = (classes ? ` class="${classes}"` : '') + (plain ? ` data-lang="${languageName}"` : '');
  return `<pre><code${attributes}>${body}</code></pre>\n`;
}

const renderFence: RendererRule = (tokens, idx, _options, env) => {
  const token = tokens[idx];
  const info = token.info ? unescapeAll(token.info).trim() : '';
  const name = info.split(/\s+/, 1)[0] ?? '';
  const lines = openLines(env);
  return codeBlockHtml(withoutFinalNewline(token.content), name, lines === undefined || isClosedFence(token, lines));
};

const renderIndentedCode: RendererRule = (tokens, idx) =>
  codeBlockHtml(withoutFinalNewline(tokens[idx].content), '', false);

function insideLink(tokens: Token[], idx: number): boolean {
  let depth = 0;
  for (let i = idx - 1; i >= 0; i--) {
    if (tokens[i].type === 'link_close') depth--;
    else if (tokens[i].type === 'link_open') depth++;
    if (depth > 0) return true;
  }
  return false;
}

// Images never load (no remote requests, no tracking pixels): each becomes a link the user can open
// through the host like any other link, or plain text inside another link.
const renderImage: RendererRule = (tokens, idx, options, env, self) => {
  const token = tokens[idx];
  const alt = self.renderInlineAsText(token.children ?? [], options, env);
  const label = escapeHtml(alt ? `[${strings.image}: ${alt}]` : `[${strings.image}]`);
  const src = String(token.attrGet('src') ?? '');
  if (insideLink(tokens, idx) || !isAllowedHref(src)) return label;
  return `<a href="${escapeHtml(src)}">${label}</a>`;
};

// The CSP forbids inline styles, so table alignment travels as a class.
function alignmentAsClass(state: StateCore): void {
  for (const token of state.tokens) {
    if (token.type !== 'th_open' && token.type !== 'td_open') continue;
    const match = /^text-align:(left|center|right)$/.exec(String(token.attrGet('style') ?? ''));
    token.attrs = token.attrs?.filter(([name]) => name !== 'style') ?? null;
    if (match) token.attrJoin('class', `align-${match[1]}`);
  }
}

md.core.ruler.after('block', 'tandem_alignment', alignmentAsClass);
md.renderer.rules.fence = renderFence;
md.renderer.rules.code_block = renderIndentedCode;
md.renderer.rules.image = renderImage;

/**
 * HTML for markdown source. `open` marks the tail of an answer that is still streaming: its last fence
 * may be unclosed and is then shown unhighlighted until the closing line arrives.
 */
export function renderMarkdown(src: string, open = false): string {
  return md.render(src, open ? { [OPEN_LINES]: src.split(/\r\n?|\n/) } : {});
}

/**
 * A streaming tail that ends inside an unclosed top-level fence: until a closing line arrives, appended
 * text only extends that fence's code, shown as plain text (see openFenceCode), so the view can
 * update the code's text without parsing and rendering the tail again.
 */
export interface OpenFence {
  /** Offset in the tail where the code starts (after the opening line and its newline). */
  readonly contentStart: number;
  /** Matches a line that would close the fence. */
  readonly closing: RegExp;
  /** The registered language its code will be highlighted in once it closes, if any. */
  readonly language: string | undefined;
}

export interface RenderedTail {
  readonly html: string;
  readonly openFence?: OpenFence;
}

/** renderMarkdown(src, true), plus the fence the tail ends in when the fast path above applies. */
export function renderOpenTail(src: string): RenderedTail {
  const lines = src.split(/\r\n?|\n/);
  const env = { [OPEN_LINES]: lines };
  const tokens = md.parse(src, env);
  const html = md.renderer.render(tokens, md.options, env);
  return { html, openFence: trailingOpenFence(src, tokens, lines, 0) };
}

/**
 * The open part of a streaming answer split into finished blocks and the open tail (blocks.ts), parsed
 * once: the split has to parse it anyway, and the blocks and the tail render from slices of those tokens
 * instead of being parsed again. A boundary starts a top-level block with nothing open before it, so the
 * tokens from a boundary on are those of the text from there parsed alone (with line numbers counted
 * from the start of src, which the fence checks read against src's lines); the unit tests check the
 * HTML against renderMarkdown and renderOpenTail of each part.
 */
export interface StreamingParse {
  readonly blocks: readonly string[];
  readonly tail: string;
  /** renderMarkdown(blocks[from] + ... + blocks[to - 1]). */
  blocksHtml(from: number, to: number): string;
  /** renderOpenTail(tail). */
  renderTail(): RenderedTail;
}

/** `finished`: the answer is complete, so what would be the tail is its last block. */
export function parseStreaming(src: string, finished: boolean): StreamingParse {
  const { boundaries, tokens } = findBoundaries(src, tokenParser);
  const starts = [{ offset: 0, token: 0 }, ...boundaries];
  const blocks = boundaries.map((b, i) => src.slice(starts[i].offset, b.offset));
  const last = starts[starts.length - 1];
  let tail = src.slice(last.offset);
  if (finished && tail !== '') {
    blocks.push(tail);
    tail = '';
  }
  const tokenAt = (i: number): number => (i < starts.length ? starts[i].token : tokens ? tokens.length : 0);
  return {
    blocks,
    tail,
    blocksHtml: (from, to) =>
      tokens ? md.renderer.render(tokens.slice(tokenAt(from), tokenAt(to)), md.options, {}) : renderMarkdown(blocks.slice(from, to).join('')),
    renderTail: () => {
      if (!tokens) return renderOpenTail(tail);
      const lines = src.split(/\r\n?|\n/);
      const env = { [OPEN_LINES]: lines };
      const own = tokens.slice(last.token);
      return { html: md.renderer.render(own, md.options, env), openFence: trailingOpenFence(src, own, lines, last.offset) };
    },
  };
}

/** `from`: where the tail starts in src; the fence's contentStart counts from there. */
function trailingOpenFence(src: string, tokens: readonly Token[], lines: readonly string[], from: number): OpenFence | undefined {
  const last = tokens[tokens.length - 1];
  // Only a fence at the top level whose opening line starts in column 0: inside a list item or a quote,
  // or indented, each code line loses a prefix, so the code is not the source text as it stands.
  // markdown-it replaces NUL and normalises line breaks: the code would differ from the source there.
  if (!last || last.type !== 'fence' || last.level !== 0 || !last.map || /[\r\0]/.test(src)) return undefined;
  const open = last.map[0];
  if (!lines[open].startsWith(last.markup) || isClosedFence(last, lines)) return undefined;
  let contentStart = 0;
  for (let i = 0; i <= open; i++) contentStart += lines[i].length + 1;
  // The opening line is not complete yet: its info string (the language) may still grow.
  if (contentStart > src.length) return undefined;
  contentStart -= from;
  const char = last.markup[0] === '~' ? '~' : '`';
  const info = last.info ? unescapeAll(last.info).trim() : '';
  return {
    contentStart,
    closing: new RegExp(`^ {0,3}${char}{${last.markup.length},}[ \\t]*$`, 'm'),
    language: resolveLanguage(info.split(/\s+/, 1)[0] ?? ''),
  };
}

/**
 * The code an open fence shows for a tail that extends the one it was found in, or undefined when the
 * extension could close the fence or otherwise change how the tail renders.
 */
export function openFenceCode(fence: OpenFence, tail: string): string | undefined {
  if (/[\r\0]/.test(tail)) return undefined;
  let code = tail.slice(fence.contentStart);
  if (fence.closing.test(code)) return undefined;
  // markdown-it leaves out a last line of only spaces or tabs (no newline after it yet); so must this,
  // or the frame shows code that a render of the same text would not.
  const lastLine = code.slice(code.lastIndexOf('\n') + 1);
  if (lastLine !== '' && /^[ \t]+$/.test(lastLine)) code = code.slice(0, code.length - lastLine.length);
  return withoutFinalNewline(code);
}

const tokenParser: BlockParser<Token> = { parse: (src, env) => md.parse(src, env) };

/** The parser the block splitter consults; it must be the one renderMarkdown uses. */
export const blockParser: BlockParser = tokenParser;
