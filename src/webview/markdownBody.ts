// The rendered markdown of one answer, updated incrementally while it streams: finished blocks
// (blocks.ts) are rendered once and their nodes stay in place; only the open tail is rebuilt. Because a
// finished block renders the same alone as inside the whole answer, the final DOM equals a one-shot
// render of the full text.
//
// Finished blocks are grouped into chunks of about CHUNK_CHARS characters, each a `div.md-chunk` that the
// browser skips (no style, layout or paint: content-visibility in chat.css) while it is off screen. That
// keeps a frame's work proportional to what is visible, not to the length of the answer. The grouping
// depends only on the sequence of blocks, which is the same streamed or rendered at once, so the DOM is too.

import { splitBlocks } from './blocks';
import { addCodeToolbars } from './codeBlocks';
import { element } from './dom';
import { prepareLanguage } from './highlight';
import { blockParser, openFenceCode, parseStreaming, renderMarkdown, type OpenFence, type RenderedTail } from './markdown';
import type { RenderItem, RenderQueue } from './renderQueue';
import { sanitizeToFragment } from './sanitize';
import { endChange, inertAppend, innerChange, lastTextNode, lastTextRunChange } from './textPatch';

/** A chunk takes blocks until it holds at least this many characters of markdown. */
export const CHUNK_CHARS = 3000;

function toNodes(html: string): DocumentFragment {
  const fragment = sanitizeToFragment(html);
  addCodeToolbars(fragment, 'answer');
  return fragment;
}

/** Sets an element's or a text node's text, appending to the text node when the new text extends the old. */
function setText(target: Element | Text, text: string): void {
  const node = target instanceof Text ? target : target.firstChild;
  if (node instanceof Text && (node === target || node === target.lastChild) && text.startsWith(node.data)) {
    if (text.length > node.data.length) node.appendData(text.slice(node.data.length));
  } else if (target instanceof Text) {
    target.data = text;
  } else {
    target.textContent = text;
  }
}

/** Whether only white space text follows node among its siblings. */
function onlySpaceAfter(node: Node): boolean {
  for (let n = node.nextSibling; n; n = n.nextSibling) if (!(n instanceof Text) || n.data.trim() !== '') return false;
  return true;
}

/**
 * Sanitized nodes for html that goes inside the elements named by path: parsed inside copies of them, as
 * the parser would see it in the whole tail (a table row outside a table loses its tags), then taken out.
 */
function parseInside(path: readonly string[], html: string): DocumentFragment | undefined {
  const wrapped = path.map(tag => `<${tag}>`).join('') + html + path.map(tag => `</${tag}>`).reverse().join('');
  const parsed = sanitizeToFragment(wrapped);
  let inner: ParentNode = parsed;
  for (const tag of path) {
    const child: Element | null = inner.firstElementChild;
    if (!child || child.localName !== tag || child !== inner.lastElementChild) return undefined;
    inner = child;
  }
  const fragment = document.createDocumentFragment();
  fragment.append(...Array.from(inner.childNodes));
  addCodeToolbars(fragment, 'answer');
  return fragment;
}

export class MarkdownBody {
  readonly element: HTMLDivElement = element('div', 'message-body markdown');
  private text = '';
  private streaming = false;
  /** Length of the text rendered as finished blocks. */
  private finished = 0;
  /** The chunk finished blocks go into until it is full, and how many characters it holds. */
  private chunk: HTMLDivElement | undefined;
  private chunkChars = 0;
  /** The open tail while streaming, after every chunk. */
  private tail: HTMLDivElement | undefined;
  /** What the tail shows, to skip frames where nothing changed, and the HTML it was built from. */
  private renderedTail: string | undefined;
  private renderedHtml: string | undefined;
  /** The unclosed fence the tail ends in, and its code element: new code only changes that element's text. */
  private openFence: { fence: OpenFence; code: Element } | undefined;

  /** Items this body has queued and not yet rendered. */
  private queued: RenderItem[] = [];

  /**
   * With a queue, a finished answer is rendered when the queue gets to it (renderQueue.ts); the DOM it
   * ends with is the same.
   */
  constructor(text: string, streaming: boolean, private readonly queue?: RenderQueue) {
    if (queue && !streaming && text !== '') {
      this.text = text;
      this.enqueue(this.element, text.length, false, () => this.renderFinishedLater());
    } else {
      this.set(text, streaming);
    }
  }

  /** Drops what is still queued: the message is gone, or renders another way. */
  dispose(): void {
    for (const item of this.queued) this.queue?.cancel(item);
    this.queued = [];
  }

  private enqueue(element: HTMLElement, chars: number, shows: boolean, render: () => void): void {
    const item: RenderItem = {
      element,
      chars,
      shows,
      render: () => {
        this.queued = this.queued.filter(i => i !== item);
        render();
      },
    };
    this.queued.push(item);
    this.queue?.add(item);
  }

  /** A queued finished answer: its chunks, each queued in turn. */
  private renderFinishedLater(): void {
    const { blocks, tail } = splitBlocks(this.text, blockParser);
    if (tail !== '') blocks.push(tail);
    this.addFinished(blocks, 'later');
  }

  /** Adds streamed text; the DOM follows on the next render(). */
  append(delta: string): void {
    this.text += delta;
  }

  /** Replaces the text and renders now, keeping finished blocks the new text still starts with. */
  set(text: string, streaming: boolean): void {
    if (this.queued.length > 0) {
      if (text === this.text && !streaming) return;
      // Changed before the queue got to it: render now, from scratch.
      this.dispose();
      this.reset();
    } else if (!text.startsWith(this.text.slice(0, this.finished))) {
      this.reset();
    }
    this.text = text;
    this.streaming = streaming;
    this.render();
  }

  private reset(): void {
    this.element.replaceChildren();
    this.finished = 0;
    this.chunk = undefined;
    this.chunkChars = 0;
    this.dropTail();
  }

  render(): void {
    const rest = this.text.slice(this.finished);
    if (rest === '' && !this.streaming) {
      this.dropTail();
      return;
    }
    if (this.streaming && rest === this.renderedTail) return;
    // Code streaming into an open fence: no block can finish and nothing but the code's text changes.
    if (this.streaming && this.openFence && this.renderedTail !== undefined && rest.startsWith(this.renderedTail)) {
      const code = openFenceCode(this.openFence.fence, rest);
      if (code !== undefined) {
        setText(this.openFence.code, code);
        this.renderedTail = rest;
        this.renderedHtml = undefined;
        return;
      }
    }
    if (this.streaming && !this.openFence && this.appendWords(rest)) return;
    // A finished answer has no open tail: what is left is its last block.
    const parsed = parseStreaming(rest, !this.streaming);
    this.addFinished(parsed.blocks, (from, to) => parsed.blocksHtml(from, to));
    if (this.streaming) this.renderTail(parsed.tail, () => parsed.renderTail());
    else this.dropTail();
  }

  /**
   * Renders finished blocks into chunks, one render per chunk they fill: `html` gives the HTML of
   * blocks [from, to), or each chunk is queued and renders its source when the queue gets to it.
   */
  private addFinished(blocks: readonly string[], html: ((from: number, to: number) => string) | 'later'): void {
    let i = 0;
    while (i < blocks.length) {
      if (!this.chunk || this.chunkChars >= CHUNK_CHARS) {
        this.chunk = element('div', 'md-chunk');
        this.chunkChars = 0;
        this.element.insertBefore(this.chunk, this.tail ?? null);
      }
      const from = i;
      let src = '';
      while (i < blocks.length && this.chunkChars < CHUNK_CHARS) {
        src += blocks[i++];
        this.chunkChars += blocks[i - 1].length;
      }
      const chunk = this.chunk;
      if (html === 'later') this.enqueue(chunk, src.length, true, () => chunk.append(toNodes(renderMarkdown(src))));
      else chunk.append(toNodes(html(from, i)));
      this.finished += src.length;
    }
  }

  private renderTail(text: string, render: () => RenderedTail): void {
    if (this.renderedTail === text) return;
    const { html, openFence } = render();
    if (!this.tail) {
      this.tail = element('div', 'md-tail');
      this.element.append(this.tail);
    }
    // Words added to the last paragraph, item or cell: only that text node changes. Elements added at
    // the end: only they are parsed and sanitized. A change inside one element (a table cell before the
    // row's last, a link's address): only that element's content. Anything else rebuilds the tail.
    if (html !== this.renderedHtml && !this.patchLastText(this.tail, html) && !this.patchEnd(this.tail, html) && !this.patchInner(this.tail, html)) {
      this.tail.replaceChildren(toNodes(html));
    }
    this.renderedTail = text;
    this.renderedHtml = html;
    const code = openFence && this.tail.lastElementChild?.matches('.code-block') ? this.tail.lastElementChild.querySelector('pre > code') : null;
    this.openFence = openFence && code ? { fence: openFence, code } : undefined;
    if (openFence?.language) prepareLanguage(openFence.language);
  }

  /**
   * Plain words after a plain word (inertAppend): the last text node grows, and the HTML the next frame
   * compares with is the previous one with the same words, without parsing anything.
   */
  private appendWords(rest: string): boolean {
    if (!this.tail || this.renderedTail === undefined || this.renderedHtml === undefined || !rest.startsWith(this.renderedTail)) return false;
    const inert = inertAppend(this.renderedTail, rest.slice(this.renderedTail.length), this.renderedHtml);
    const node = inert && lastTextNode(this.tail);
    if (!inert || !node || !node.data.endsWith(inert.word)) return false;
    if (inert.shown !== '') node.appendData(inert.shown);
    this.renderedTail = rest;
    this.renderedHtml = inert.html;
    return true;
  }

  private patchLastText(tail: HTMLElement, html: string): boolean {
    if (this.renderedHtml === undefined) return false;
    const change = lastTextRunChange(this.renderedHtml, html);
    const node = change && lastTextNode(tail);
    if (!change || !node || node.data !== change.before) return false;
    setText(node, change.after);
    return true;
  }

  private patchEnd(tail: HTMLElement, html: string): boolean {
    if (this.renderedHtml === undefined) return false;
    const change = endChange(this.renderedHtml, html);
    if (!change) return false;
    // The elements open at the change, each the last element of the one before, with only the white
    // space the renderer puts between closing tags after it. A code block's toolbar wrapper is not in
    // the HTML, so a change inside a <pre> never gets past this.
    let target: Element = tail;
    for (const tag of change.path) {
      const child = target.lastElementChild;
      if (!child || child.localName !== tag || !onlySpaceAfter(child)) return false;
      target = child;
    }
    const last = target.lastChild;
    if (change.removedText !== '' && !(last instanceof Text && last.data.endsWith(change.removedText))) return false;
    const added = parseInside(change.path, change.html);
    if (!added) return false;
    if (last instanceof Text && change.removedText !== '') {
      if (last.data.length === change.removedText.length) last.remove();
      else last.deleteData(last.data.length - change.removedText.length, change.removedText.length);
    }
    // Text continuing the last text node goes into it, so the next frame can patch that node again.
    const end = target.lastChild;
    const first = added.firstChild;
    if (end instanceof Text && first instanceof Text) {
      end.appendData(first.data);
      first.remove();
    }
    target.append(added);
    return true;
  }

  private patchInner(tail: HTMLElement, html: string): boolean {
    if (this.renderedHtml === undefined) return false;
    const change = innerChange(this.renderedHtml, html);
    if (!change) return false;
    // Found by position, and each step checked: a code block's toolbar wrapper is not in the HTML, so
    // a path into a <pre> stops here.
    let target: Element = tail;
    for (const { tag, index } of change.path) {
      const child = target.childNodes[index];
      if (!(child instanceof Element) || child.localName !== tag) return false;
      target = child;
    }
    if (target.childNodes.length !== change.children) return false;
    const content = parseInside(change.path.map(step => step.tag), change.html);
    if (!content) return false;
    target.replaceChildren(content);
    return true;
  }

  private dropTail(): void {
    this.tail?.remove();
    this.tail = undefined;
    this.renderedTail = undefined;
    this.renderedHtml = undefined;
    this.openFence = undefined;
  }
}
