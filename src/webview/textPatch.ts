// Most frames of a streaming answer only add words to the text at its very end: the last paragraph,
// list item, table cell or heading. When the renderer's HTML before and after differs only inside its
// last text run (no tag added, removed or changed, nothing but closing tags after it), the view can set
// that text node's data instead of sanitizing and rebuilding the tail. No HTML is parsed on this path:
// the new text goes into an existing text node as plain data.

export interface TextRunChange {
  /** Where the run starts in the previous HTML. */
  readonly start: number;
  /** The whole last text run before and after, as text (the HTML has no entities in it). */
  readonly before: string;
  readonly after: string;
}

const CLOSING_ONLY = /^(?:<\/[a-z][a-z0-9]*>|\s)*$/;

/** The lengths of the longest common prefix `p` and suffix `s` of two strings (not overlapping). */
function commonEnds(previous: string, next: string): { p: number; s: number } {
  const max = Math.min(previous.length, next.length);
  let p = 0;
  while (p < max && previous.charCodeAt(p) === next.charCodeAt(p)) p++;
  let s = 0;
  while (s < max - p && previous.charCodeAt(previous.length - 1 - s) === next.charCodeAt(next.length - 1 - s)) s++;
  return { p, s };
}

/**
 * How `next` differs from `previous` when the difference lies inside the last text run, or undefined
 * when it does not (then the caller renders anew). A run with `&` is refused: its HTML holds entities.
 */
export function lastTextRunChange(previous: string, next: string): TextRunChange | undefined {
  if (previous === next) return undefined;
  const { p, s } = commonEnds(previous, next);
  // The run starts after the last tag before the change and ends at the first tag after it.
  const start = previous.lastIndexOf('>', p - 1) + 1;
  if (previous.lastIndexOf('<', p - 1) >= start) return undefined;
  const tailStart = previous.length - s;
  const firstTag = previous.indexOf('<', tailStart);
  if (firstTag < 0 || !CLOSING_ONLY.test(previous.slice(firstTag))) return undefined;
  const before = previous.slice(start, firstTag);
  const after = next.slice(start, next.length - (previous.length - firstTag));
  if (/[<>&]/.test(before) || /[<>&]/.test(after) || before.trim() === '') return undefined;
  return { start, before, after };
}

/** The last text node under root with something besides white space in it. */
export function lastTextNode(root: Node): Text | undefined {
  let node: Node | null = root.lastChild;
  while (node) {
    if (node instanceof Text && node.data.trim() !== '') return node;
    if (!(node instanceof Text) && node.lastChild) {
      node = node.lastChild;
      continue;
    }
    while (node && node !== root && !node.previousSibling) node = node.parentNode;
    if (!node || node === root) return undefined;
    node = node.previousSibling;
  }
  return undefined;
}

/**
 * A change at the very end of the HTML: inside the innermost element open at some point, text may be
 * cut from the end and complete elements (or text) added, with nothing after them but the closing tags
 * the previous HTML already had. That is what most frames that add a tag look like: a span of inline
 * code or bold closing, a new list item or table row, a new paragraph after the last one. The view then
 * parses only the added HTML, in the context of the elements it goes into, instead of the whole tail.
 */
export interface EndChange {
  /** Where the cut starts in the previous HTML. */
  readonly start: number;
  /** Tag names of the elements open at the change, outermost first; empty for the top level. */
  readonly path: readonly string[];
  /** Text cut from the end of the innermost element's last text node (no entities in it). */
  readonly removedText: string;
  /** Balanced HTML appended to the innermost element after the cut. */
  readonly html: string;
}

const VOID_TAGS = new Set(['br', 'hr', 'img', 'input', 'wbr']);
const TAG = /<(\/?)([a-z][a-z0-9]*)\b[^>]*>/g;
const CLOSING_THEN_SPACE = /^(?:<\/[a-z][a-z0-9]*>\s*)*$/;

/** The open elements after html (a prefix of well-formed renderer output), or undefined if it is not well formed. */
function openElements(html: string): string[] | undefined {
  const stack: string[] = [];
  for (const m of html.matchAll(TAG)) {
    const name = m[2];
    if (m[1] === '') {
      if (!VOID_TAGS.has(name)) stack.push(name);
    } else if (stack.pop() !== name) {
      return undefined;
    }
  }
  return stack;
}

/** Whether html closes every element it opens and none it did not. */
function isBalanced(html: string): boolean {
  const open = openElements(html);
  return open !== undefined && open.length === 0;
}

/**
 * How `next` differs from `previous` when the difference is an EndChange (see above), or undefined when
 * it is not (then the caller renders anew). previous.slice(0, start) + html + what follows removedText in
 * previous (closing tags only) equals next.
 */
export function endChange(previous: string, next: string): EndChange | undefined {
  if (previous === next) return undefined;
  const max = Math.min(previous.length, next.length);
  let p = 0;
  while (p < max && previous.charCodeAt(p) === next.charCodeAt(p)) p++;
  // Not inside a tag, nor inside an entity: both strings agree up to p, so either can be read for this.
  const tagStart = previous.lastIndexOf('<', p - 1);
  const tagEnd = previous.lastIndexOf('>', p - 1);
  if (tagStart > tagEnd) p = tagStart;
  const amp = previous.lastIndexOf('&', p - 1);
  const semicolon = amp < 0 ? -1 : previous.indexOf(';', amp);
  if (amp > previous.lastIndexOf('>', p - 1) && (semicolon < 0 || semicolon >= p)) p = amp;
  const oldRest = previous.slice(p);
  const firstTag = oldRest.indexOf('<');
  const removedText = firstTag < 0 ? oldRest : oldRest.slice(0, firstTag);
  const closing = firstTag < 0 ? '' : oldRest.slice(firstTag);
  if (/[&>]/.test(removedText) || !CLOSING_THEN_SPACE.test(closing)) return undefined;
  const newRest = next.slice(p);
  if (!newRest.endsWith(closing)) return undefined;
  const html = newRest.slice(0, newRest.length - closing.length);
  if (!isBalanced(html)) return undefined;
  const path = openElements(previous.slice(0, p));
  if (!path) return undefined;
  // The closing tags close exactly the open elements, innermost first.
  const closed = Array.from(closing.matchAll(TAG), m => m[2]);
  if (closed.length !== path.length || closed.some((name, i) => name !== path[path.length - 1 - i])) return undefined;
  return { start: p, path, removedText, html };
}

/**
 * The smallest element whose content holds every difference between two renderings (a table cell that
 * is not the row's last, a link whose address grows), as the child-node index of each element on the
 * way down from the root: the view re-renders that element's content only. Undefined when the element
 * would be the root (then the whole tail renders anew anyway) or the HTML is not well formed.
 */
export interface InnerChange {
  /** From the root down: the element's tag and its index among its parent's child nodes. */
  readonly path: readonly { readonly tag: string; readonly index: number }[];
  /** How many child nodes the element has in the previous HTML (one per text run, one per element). */
  readonly children: number;
  /** The element's content in the next HTML. */
  readonly html: string;
  /** Where its content is in the previous HTML: previous.slice(0, start) + html + previous.slice(end) is next. */
  readonly start: number;
  readonly end: number;
}

interface Scanned {
  readonly tag: string;
  readonly index: number;
  /** Offsets in the HTML: after the start tag, and of the end tag. */
  readonly innerStart: number;
  innerEnd: number;
  children: number;
  readonly parent: Scanned | undefined;
}

export function innerChange(previous: string, next: string): InnerChange | undefined {
  if (previous === next) return undefined;
  const { p, s } = commonEnds(previous, next);
  // Widened to whole text runs and tags: the changed region [from, to) of the previous HTML.
  const from = previous.lastIndexOf('>', p - 1) + 1;
  const after = previous.indexOf('<', previous.length - s);
  const to = after < 0 ? previous.length : after;
  // One pass over the previous HTML: every element's content range, child count and index.
  const root: Scanned = { tag: '', index: 0, innerStart: 0, innerEnd: previous.length, children: 0, parent: undefined };
  let open = root;
  let enclosing: Scanned = root;
  let last = 0;
  for (const m of previous.matchAll(TAG)) {
    const at = m.index ?? 0;
    if (at > last) open.children++;
    last = at + m[0].length;
    const name = m[2];
    if (m[1] === '') {
      const element: Scanned = { tag: name, index: open.children, innerStart: last, innerEnd: -1, children: 0, parent: open };
      open.children++;
      if (!VOID_TAGS.has(name)) open = element;
    } else {
      if (open.tag !== name || !open.parent) return undefined;
      open.innerEnd = at;
      // Elements close innermost first: the first to hold the whole region is the smallest that does.
      if (enclosing === root && open.innerStart <= from && at >= to) enclosing = open;
      open = open.parent;
    }
  }
  if (open !== root) return undefined;
  // The next HTML may differ across tags where the previous one did not ("one" -> "one.</li><li>"):
  // then the element holding both is further up.
  let html = '';
  for (; enclosing !== root; enclosing = enclosing.parent ?? root) {
    html = next.slice(enclosing.innerStart, enclosing.innerEnd + next.length - previous.length);
    if (isBalanced(html)) break;
  }
  if (enclosing === root) return undefined;
  const path: { tag: string; index: number }[] = [];
  for (let e: Scanned | undefined = enclosing; e && e !== root; e = e.parent) path.unshift({ tag: e.tag, index: e.index });
  return { path, children: enclosing.children, html, start: enclosing.innerStart, end: enclosing.innerEnd };
}

/**
 * Words appended to a streaming tail that cannot change how anything before them renders, and so only
 * extend the HTML's last text run: letters, digits and spaces, after a last line whose last word is
 * letters and digits too. No newline (no new line, so no block can start, end or change kind), no
 * delimiter (emphasis, code spans, links, entities, escapes: the characters around every existing
 * delimiter stay the same), and the word before is not part of an address (linkify needs ':', '@' or
 * '.') nor a fence's info string (a line that opens with a fence, after any indentation, quote or list
 * marker, is left out); nor a table row, whose
 * cells past the header's count are dropped (a line with '|' is left out); nor code, which keeps the
 * spaces the renderer drops elsewhere at the end of a line. `html` is what the tail rendered to.
 */
export interface InertAppend {
  /** The text that shows: spaces at the end of the line only once a word follows them. */
  readonly shown: string;
  /** The tail's last word, which the HTML's last text run (and so the DOM's last text node) ends with. */
  readonly word: string;
  /** The new HTML: the previous one with `shown` at the end of its last text run. */
  readonly html: string;
}

export function inertAppend(tail: string, added: string, html: string): InertAppend | undefined {
  if (added === '' || !/^[A-Za-z0-9 ]+$/.test(added)) return undefined;
  const line = tail.slice(tail.lastIndexOf('\n') + 1);
  if (/[|\r]/.test(line) || /^[\s>*+\-\d.)]*(?:```|~~~)/.test(line)) return undefined;
  const trimmed = line.replace(/ +$/, '');
  const word = /(?:^| )([A-Za-z0-9]+)$/.exec(trimmed)?.[1];
  if (!word) return undefined;
  const closing = /(?:<\/[a-z][a-z0-9]*>\s*)*$/.exec(html);
  const at = closing ? closing.index : html.length;
  const before = html.slice(0, at);
  if (!before.endsWith(word) || before.lastIndexOf('>') > at - 1 - word.length) return undefined;
  const open = openElements(before);
  if (!open || open.includes('code') || open.includes('pre')) return undefined;
  const shown = (line.slice(trimmed.length) + added).replace(/ +$/, '');
  return { shown, word, html: before + shown + html.slice(at) };
}
