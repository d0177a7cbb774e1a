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

/**
 * How `next` differs from `previous` when the difference lies inside the last text run, or undefined
 * when it does not (then the caller renders anew). A run with `&` is refused: its HTML holds entities.
 */
export function lastTextRunChange(previous: string, next: string): TextRunChange | undefined {
  if (previous === next) return undefined;
  const max = Math.min(previous.length, next.length);
  let p = 0;
  while (p < max && previous.charCodeAt(p) === next.charCodeAt(p)) p++;
  let s = 0;
  while (s < max - p && previous.charCodeAt(previous.length - 1 - s) === next.charCodeAt(next.length - 1 - s)) s++;
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
