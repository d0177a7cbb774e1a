// The whole chat view: conversation bar, conversation, empty-state hint or setup card, announcer and
// composer. It renders what the host posts and turns clicks into intents; it keeps only what it needs to
// draw the next delta.

import { SETUP_STEPS, type ChatMessage, type CodeAction, type HostMessage, type SetupState, type ViewState, type WebviewMessage } from '../protocol';
import { codeOf, setMoreOpen } from './codeBlocks';
import { Composer, type ComposerMemory } from './composer';
import { ConversationBar } from './conversationBar';
import { button, element, flashText } from './dom';
import { toChatMessage, toChips, toMentionItems, toViewState } from './hostData';
import { MessageView } from './messageView';
import { RenderQueue } from './renderQueue';
import { strings } from './strings';

/** How close to the bottom (px) still counts as following the answer. */
const FOLLOW_SLACK = 48;
/** How much markdown at the end of a conversation renders with it; the rest follows (renderQueue.ts). */
const RENDER_AT_ONCE_CHARS = 8000;

export class ChatView {
  private readonly scroller: HTMLDivElement = element('div', 'conversation');
  private readonly list: HTMLDivElement = element('div', 'messages');
  private readonly empty: HTMLDivElement = element('div', 'empty-state');
  private readonly hint: HTMLDivElement = element('div', 'empty-hint-text');
  private readonly setupCard: HTMLDivElement = element('div', 'setup-card');
  private readonly announcer: HTMLDivElement = element('div', 'visually-hidden');
  private readonly header: ConversationBar;
  private readonly composer: Composer;
  private setup: SetupState | undefined;
  /** What the setup card shows, so a repeated state does not rebuild it (and take focus from its buttons). */
  private setupShown = '';

  private conversationId: string | undefined;
  private streaming = false;
  private readonly views = new Map<string, MessageView>();
  private readonly queue: RenderQueue;
  /** Answers with appended text not yet drawn, drawn together on the next animation frame. */
  private readonly pending = new Set<MessageView>();
  private frameRequested = false;
  /**
   * Whether the view sticks to the end of the conversation as it grows: true until the user scrolls away
   * from the end, true again when they scroll back. Kept up to date by scroll events, so drawing a frame
   * never has to read the layout (which would force the browser to compute it twice per frame).
   */
  private following = true;
  /** Where the last scroll to the end put the view. */
  private autoScrollTop = 0;

  constructor(root: HTMLElement, private readonly post: (message: WebviewMessage) => void, keep: { memory?: ComposerMemory; remember?: (m: ComposerMemory) => void } = {}) {
    this.list.id = 'messages';
    this.list.setAttribute('role', 'log');
    this.list.setAttribute('aria-label', strings.conversationLabel);
    this.list.addEventListener('click', e => this.onListClick(e));
    this.list.addEventListener('keydown', e => this.onListKeyDown(e));

    this.hint.append(
      element('p', 'empty-title', strings.emptyTitle),
      element('p', 'empty-hint', strings.emptySelect),
      element('p', 'empty-hint', strings.emptyType),
    );
    this.setupCard.hidden = true;
    this.setupCard.setAttribute('role', 'region');
    this.empty.append(this.hint, this.setupCard);
    this.header = new ConversationBar(post);

    this.announcer.id = 'announcer';
    this.announcer.setAttribute('aria-live', 'polite');
    this.announcer.setAttribute('aria-atomic', 'true');

    this.composer = new Composer({
      ask: (text, chips, images) => {
        // A new question is followed to its answer, wherever the user had scrolled to.
        this.following = true;
        this.post({ type: 'ask', text, ...(chips.length > 0 ? { chips } : {}), ...(images.length > 0 ? { images } : {}) });
      },
      stop: () => this.post({ type: 'stop' }),
      removeChip: id => this.post({ type: 'removeChip', id }),
      pickFile: () => this.post({ type: 'pickFile' }),
      selectModel: () => this.post({ type: 'setup', step: 'selectModel' }),
      mention: m => this.post(m),
      setInstructions: on => this.post({ type: 'setInstructions', on }),
      remember: keep.remember,
    }, keep.memory);

    this.queue = new RenderQueue(this.scroller);
    this.scroller.addEventListener('scroll', () => {
      // Our own scroll to the end (or anything below it) keeps following even if the content grew since;
      // only a scroll up, or back down to the end, changes it.
      if (this.following && this.scroller.scrollTop >= this.autoScrollTop - 1) return;
      this.following = this.atEnd();
    }, { passive: true });
    // Sizes are delivered after layout and before paint, so sticking to the end costs no extra layout
    // and the new text is painted already scrolled into view.
    const stick = new ResizeObserver(() => {
      if (this.following) this.scrollToEnd();
    });
    stick.observe(this.list);
    stick.observe(this.scroller);
    this.scroller.append(this.empty, this.list);
    root.replaceChildren(this.header.element, this.scroller, this.announcer, this.composer.element);
    root.classList.add('chat');
    this.updateEmpty();
  }

  handle(message: HostMessage): void {
    switch (message.type) {
      case 'state':
        this.showState(toViewState(message.state));
        return;
      case 'append':
        this.append(message.conversationId, message.messageId, message.text);
        return;
      case 'messageUpdated': {
        const updated = toChatMessage(message.message);
        if (updated) this.updateMessage(message.conversationId, updated);
        return;
      }
      case 'chips':
        this.composer.setChips(toChips(message.chips));
        return;
      case 'focusInput':
        this.composer.focus();
        return;
      case 'mentionItems':
        this.composer.mentionItems(message.requestId, toMentionItems(message.items));
        return;
      case 'mentionResult':
        this.composer.mentionResult(message.requestId, typeof message.error === 'string' ? message.error : undefined);
        return;
      default: {
        const unhandled: never = message;
        return unhandled;
      }
    }
  }

  private showState(state: ViewState): void {
    const conversation = state.conversation;
    if (conversation.id !== this.conversationId) {
      this.conversationId = conversation.id;
      // Another conversation opens at its end.
      this.following = true;
      for (const view of this.views.values()) view.dispose();
      this.views.clear();
      this.pending.clear();
    }
    const messages = conversation.messages;
    const next = new Map<string, MessageView>();
    const nodes: HTMLElement[] = [];
    for (const message of messages) {
      let view = this.views.get(message.id);
      if (view && view.role === message.role && !next.has(message.id)) {
        const wasStreaming = view.streaming;
        view.update(message);
        this.noteFinished(wasStreaming, message);
      } else {
        view = this.createView(message);
      }
      next.set(message.id, view);
      nodes.push(view.element);
    }
    for (const [id, view] of this.views) if (next.get(id) !== view) view.dispose();
    this.views.clear();
    for (const [id, view] of next) this.views.set(id, view);
    for (const view of this.pending) if (!next.has(view.id)) this.pending.delete(view);
    this.placeInOrder(nodes);
    this.queue.renderNewest(RENDER_AT_ONCE_CHARS);

    this.streaming = state.streaming;
    this.composer.setStreaming(this.streaming);
    this.composer.setModel(state.model);
    this.composer.setTotals(state.totals);
    this.composer.setChips(state.chips ?? []);
    this.header.set(conversation.id, conversation.title, state.conversations ?? []);
    this.setup = state.setup;
    this.updateEmpty();
    this.afterUpdate();
  }

  /** Marks the last answer (Regenerate) and collapses long finished messages: all reads, then all writes. */
  private afterUpdate(): void {
    let last: MessageView | undefined;
    const decided: [MessageView, boolean][] = [];
    for (const view of this.views.values()) {
      if (view.role === 'assistant') last = view;
      const long = view.measure();
      if (long !== undefined) decided.push([view, long]);
    }
    for (const view of this.views.values()) view.setLastAnswer(view === last);
    for (const [view, long] of decided) view.setLong(long);
  }

  /** Puts the message elements in order, leaving those already in place untouched (keeps focus and scroll). */
  private placeInOrder(nodes: readonly HTMLElement[]): void {
    nodes.forEach((node, i) => {
      const current = this.list.children[i];
      if (current !== node) this.list.insertBefore(node, current ?? null);
    });
    while (this.list.children.length > nodes.length) this.list.lastElementChild?.remove();
  }

  private append(conversationId: string, messageId: string, text: string): void {
    if (conversationId !== this.conversationId) return;
    const view = this.views.get(messageId);
    if (!view) return;
    view.append(text);
    this.pending.add(view);
    if (!this.frameRequested) {
      this.frameRequested = true;
      requestAnimationFrame(() => this.drawFrame());
    }
  }

  private drawFrame(): void {
    this.frameRequested = false;
    for (const view of this.pending) view.flush();
    this.pending.clear();
  }

  private updateMessage(conversationId: string, message: ChatMessage): void {
    if (conversationId !== this.conversationId) return;
    const view = this.views.get(message.id);
    if (view && view.role === message.role) {
      const wasStreaming = view.streaming;
      this.pending.delete(view);
      view.update(message);
      this.noteFinished(wasStreaming, message);
    } else {
      const created = this.createView(message);
      if (view) {
        view.dispose();
        view.element.replaceWith(created.element);
      } else {
        this.list.append(created.element);
      }
      this.views.set(message.id, created);
      this.queue.renderNewest(RENDER_AT_ONCE_CHARS);
    }
    // The host may end the stream with this message alone; Stop must not outlive the last streaming answer.
    if (this.streaming && !message.streaming && ![...this.views.values()].some(v => v.streaming)) {
      this.streaming = false;
      this.composer.setStreaming(false);
    }
    this.updateEmpty();
    this.afterUpdate();
  }

  private createView(message: ChatMessage): MessageView {
    return new MessageView(message, this.post, this.queue);
  }

  private noteFinished(wasStreaming: boolean, message: ChatMessage): void {
    if (!wasStreaming || message.streaming || message.role !== 'assistant') return;
    if (message.error) this.announce(strings.answerFailed(message.error.message));
    else this.announce(message.stopped ? strings.answerStopped : strings.answerFinished);
  }

  private announce(text: string): void {
    // Emptying first makes a repeated message a change the screen reader announces again.
    this.announcer.textContent = '';
    setTimeout(() => {
      this.announcer.textContent = text;
    }, 50);
  }

  private onListClick(e: MouseEvent): void {
    const target = e.target;
    if (!(target instanceof Element)) return;
    const control = target.closest<HTMLButtonElement>('button.code-action, button.code-more-toggle');
    const block = control?.closest('.code-block');
    if (!control || !block) return;
    if (control.classList.contains('code-more-toggle')) {
      setMoreOpen(block, control.getAttribute('aria-expanded') !== 'true');
      return;
    }
    const source = codeOf(control);
    const messageId = control.closest<HTMLElement>('.message')?.dataset.id;
    const action = control.dataset.action as CodeAction | undefined;
    if (!source || messageId === undefined || action === undefined) return;
    this.post({ type: 'codeAction', action, code: source.code, language: source.language, messageId });
    if (action === 'copy') flashText(control, strings.copied, strings.copy);
    // An action from the "…" row closes it; focus returns to the toggle rather than getting lost.
    if (control.closest('.code-more')) setMoreOpen(block, false, true);
  }

  /** Escape closes a code block's row of further actions. */
  private onListKeyDown(e: KeyboardEvent): void {
    if (e.key !== 'Escape' || !(e.target instanceof Element)) return;
    const block = e.target.closest('.code-block');
    if (!block || block.querySelector('.code-more-toggle')?.getAttribute('aria-expanded') !== 'true') return;
    e.preventDefault();
    setMoreOpen(block, false, true);
  }

  private updateEmpty(): void {
    const empty = this.views.size === 0;
    this.empty.hidden = !empty;
    this.list.hidden = empty;
    const setup = empty ? this.setup : undefined;
    this.hint.hidden = setup !== undefined;
    this.setupCard.hidden = setup === undefined;
    if (setup) this.renderSetup(setup);
  }

  /** What Tandem needs before it can send, with the steps that fix it. */
  private renderSetup(setup: SetupState): void {
    const key = `${setup.reason}\n${setup.detail}`;
    if (this.setupShown === key) return;
    this.setupShown = key;
    const title = strings.setupTitle[setup.reason];
    this.setupCard.setAttribute('aria-label', title);
    const actions = element('div', 'setup-actions');
    for (const step of SETUP_STEPS) {
      const b = button({ label: strings.setupSteps[step], className: step === 'setApiKey' && setup.reason === 'missingKey' ? 'primary' : 'secondary' });
      b.dataset.step = step;
      b.addEventListener('click', () => this.post({ type: 'setup', step }));
      actions.append(b);
    }
    this.setupCard.replaceChildren(element('p', 'setup-title', title), element('p', 'setup-detail', setup.detail), actions);
  }

  private atEnd(): boolean {
    const s = this.scroller;
    return s.scrollHeight - s.scrollTop - s.clientHeight <= FOLLOW_SLACK;
  }

  private scrollToEnd(): void {
    this.scroller.scrollTop = this.scroller.scrollHeight;
    this.autoScrollTop = this.scroller.scrollTop;
  }
}
