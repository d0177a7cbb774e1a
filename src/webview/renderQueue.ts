// Markdown that can wait: the finished answers of a conversation opened from history. Opening one with
// hundreds of long answers must not block the view for seconds, so their rendering is queued: the end of
// the conversation (what the view shows when it opens) right away, whatever scrolls near the viewport
// as soon as it does, and everything else in idle time, newest first, in slices that keep the view
// responsive. Until rendered, an item's element holds the space its text is estimated to take.

/** Something to render later; `chars` is how much markdown it stands for. */
export interface RenderItem {
  readonly element: HTMLElement;
  readonly chars: number;
  /** Whether rendering it shows its text (a chunk), rather than only preparing items that do (a body). */
  readonly shows: boolean;
  /** Renders into element; may enqueue further items (a body splits into chunks). */
  render(): void;
}

/** An idle slice stops starting new items after this long (ms). */
const SLICE_MS = 8;
/** Roughly how tall a character of an answer is on screen (px), for the space held before rendering. */
const PX_PER_CHAR = 0.45;
const MIN_ESTIMATE_PX = 40;

function estimateHeight(chars: number): number {
  return Math.max(MIN_ESTIMATE_PX, Math.round(chars * PX_PER_CHAR));
}

export class RenderQueue {
  /** In the order enqueued: the newest (latest in the conversation) at the end. */
  private items: RenderItem[] = [];
  private readonly byElement = new Map<Element, RenderItem>();
  private readonly observer: IntersectionObserver;
  private idleRequested = false;

  /** `root` is the scrolling element; items within a screen of its viewport render first. */
  constructor(root: Element) {
    this.observer = new IntersectionObserver(entries => this.onIntersect(entries), { root, rootMargin: '100% 0px' });
  }

  add(item: RenderItem): void {
    const height = `${estimateHeight(item.chars)}px`;
    item.element.classList.add('md-pending');
    item.element.style.minHeight = height;
    // Off screen the browser skips a chunk and sizes it by this instead (chat.css).
    item.element.style.setProperty('contain-intrinsic-size', `auto ${height}`);
    this.items.push(item);
    this.byElement.set(item.element, item);
    this.observer.observe(item.element);
    this.requestIdle();
  }

  /** Renders queued items from the newest back until about `chars` characters are shown (the view's end). */
  renderNewest(chars: number): void {
    let left = chars;
    while (left > 0) {
      const item = this.items.pop();
      if (!item) break;
      if (item.shows) left -= item.chars;
      this.run(item);
    }
  }

  /** Takes an item out of the queue for good; its element loses the space it held. */
  cancel(item: RenderItem): void {
    const i = this.items.indexOf(item);
    if (i >= 0) this.items.splice(i, 1);
    this.forget(item);
    this.release(item.element);
  }

  private onIntersect(entries: IntersectionObserverEntry[]): void {
    for (const entry of entries) {
      if (!entry.isIntersecting) continue;
      const item = this.byElement.get(entry.target);
      if (!item) continue;
      const i = this.items.indexOf(item);
      if (i >= 0) this.items.splice(i, 1);
      this.run(item);
    }
  }

  private run(item: RenderItem): void {
    this.forget(item);
    item.render();
    this.release(item.element);
  }

  private release(element: HTMLElement): void {
    element.classList.remove('md-pending');
    element.style.removeProperty('min-height');
    element.style.removeProperty('contain-intrinsic-size');
    if (element.getAttribute('style') === '') element.removeAttribute('style');
  }

  private forget(item: RenderItem): void {
    this.byElement.delete(item.element);
    this.observer.unobserve(item.element);
  }

  private requestIdle(): void {
    if (this.idleRequested) return;
    this.idleRequested = true;
    const slice = (deadline?: IdleDeadline): void => {
      this.idleRequested = false;
      const start = performance.now();
      const timeLeft = (): number => (deadline ? deadline.timeRemaining() : SLICE_MS - (performance.now() - start));
      // At least one item per slice, so the queue drains even on a view that is never idle.
      do {
        const item = this.items.pop();
        if (!item) return;
        this.run(item);
      } while (timeLeft() > 2 && performance.now() - start < SLICE_MS);
      if (this.items.length > 0) this.requestIdle();
    };
    if (typeof requestIdleCallback === 'function') requestIdleCallback(slice, { timeout: 500 });
    else setTimeout(slice, 16);
  }
}
