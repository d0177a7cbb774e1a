// The rendered markdown of one answer, updated incrementally while it streams: finished blocks
// (blocks.ts) are rendered once and their nodes stay in place; only the open tail is rebuilt. Because a
// finished block renders the same alone as inside the whole answer, the final DOM equals a one-shot
// render of the full text.

import { splitBlocks } from './blocks';
import { addCodeToolbars } from './codeBlocks';
import { element } from './dom';
import { blockParser, renderMarkdown } from './markdown';
import { sanitizeToFragment } from './sanitize';

function renderNodes(src: string, open: boolean): DocumentFragment {
  const fragment = sanitizeToFragment(renderMarkdown(src, open));
  addCodeToolbars(fragment, 'answer');
  return fragment;
}

export class MarkdownBody {
  readonly element: HTMLDivElement = element('div', 'message-body markdown');
  private text = '';
  private streaming = false;
  /** Length of the text rendered as finished blocks. */
  private finished = 0;
  /** The tail's top-level nodes, all after the finished blocks' nodes. */
  private tailNodes: ChildNode[] = [];
  /** What the tail nodes show, to skip frames where nothing changed. */
  private renderedTail: { text: string; open: boolean } | undefined;

  constructor(text: string, streaming: boolean) {
    this.set(text, streaming);
  }

  /** Adds streamed text; the DOM follows on the next render(). */
  append(delta: string): void {
    this.text += delta;
  }

  /** Replaces the text and renders now, keeping finished blocks the new text still starts with. */
  set(text: string, streaming: boolean): void {
    if (!text.startsWith(this.text.slice(0, this.finished))) {
      this.element.replaceChildren();
      this.finished = 0;
      this.tailNodes = [];
      this.renderedTail = undefined;
    }
    this.text = text;
    this.streaming = streaming;
    this.render();
  }

  render(): void {
    let rest = this.text.slice(this.finished);
    if (this.streaming) {
      const { blocks, tail } = splitBlocks(rest, blockParser);
      if (blocks.length > 0) {
        const done = blocks.join('');
        this.element.insertBefore(renderNodes(done, false), this.tailNodes[0] ?? null);
        this.finished += done.length;
        rest = tail;
      }
    }
    this.renderTail(rest, this.streaming);
  }

  private renderTail(text: string, open: boolean): void {
    if (this.renderedTail?.text === text && this.renderedTail.open === open) return;
    for (const node of this.tailNodes) node.remove();
    const fragment = renderNodes(text, open);
    this.tailNodes = Array.from(fragment.childNodes);
    this.element.append(fragment);
    this.renderedTail = { text, open };
  }
}
