// The whole chat view: conversation, empty-state hint, announcer and composer. It renders what the host
// posts and turns clicks into intents; it keeps only what it needs to draw the next delta.

import type { ChatMessage, HostMessage, ViewState, WebviewMessage } from '../protocol';
import { codeOf } from './codeBlocks';
import { Composer } from './composer';
import { element } from './dom';
import { toChatMessage, toViewState } from './hostData';
import { MessageView } from './messageView';
import { strings } from './strings';

/** How close to the bottom (px) still counts as following the answer. */
const FOLLOW_SLACK = 48;
const COPIED_FEEDBACK_MS = 1500;

export class ChatView {
  private readonly scroller: HTMLDivElement = element('div', 'conversation');
  private readonly list: HTMLDivElement = element('div', 'messages');
  private readonly empty: HTMLDivElement = element('div', 'empty-state');
  private readonly announcer: HTMLDivElement = element('div', 'visually-hidden');
  private readonly composer: Composer;

  private conversationId: string | undefined;
  private streaming = false;
  private readonly views = new Map<string, MessageView>();
  /** Answers with appended text not yet drawn, drawn together on the next animation frame. */
  private readonly pending = new Set<MessageView>();
  private frameRequested = false;

  constructor(root: HTMLElement, private readonly post: (message: WebviewMessage) => void) {
    this.list.id = 'messages';
    this.list.setAttribute('role', 'log');
    this.list.setAttribute('aria-label', strings.conversationLabel);
    this.list.addEventListener('click', e => this.onListClick(e));

    this.empty.append(
      element('p', 'empty-title', strings.emptyTitle),
      element('p', 'empty-hint', strings.emptySelect),
      element('p', 'empty-hint', strings.emptyType),
    );

    this.announcer.id = 'announcer';
    this.announcer.setAttribute('aria-live', 'polite');
    this.announcer.setAttribute('aria-atomic', 'true');

    this.composer = new Composer({
      ask: text => this.post({ type: 'ask', text }),
      stop: () => this.post({ type: 'stop' }),
    });

    this.scroller.append(this.empty, this.list);
    root.replaceChildren(this.scroller, this.announcer, this.composer.element);
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
      case 'focusInput':
        this.composer.focus();
        return;
      default: {
        const unhandled: never = message;
        return unhandled;
      }
    }
  }

  private showState(state: ViewState): void {
    const follow = this.isFollowing();
    const conversation = state.conversation;
    if (conversation.id !== this.conversationId) {
      this.conversationId = conversation.id;
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

    this.streaming = state.streaming;
    this.composer.setStreaming(this.streaming);
    this.composer.setModel(state.model);
    this.composer.setTotals(state.totals);
    this.updateEmpty();
    if (follow) this.scrollToEnd();
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
    const follow = this.isFollowing();
    for (const view of this.pending) view.flush();
    this.pending.clear();
    if (follow) this.scrollToEnd();
  }

  private updateMessage(conversationId: string, message: ChatMessage): void {
    if (conversationId !== this.conversationId) return;
    const follow = this.isFollowing();
    const view = this.views.get(message.id);
    if (view && view.role === message.role) {
      const wasStreaming = view.streaming;
      this.pending.delete(view);
      view.update(message);
      this.noteFinished(wasStreaming, message);
    } else {
      const created = this.createView(message);
      if (view) view.element.replaceWith(created.element);
      else this.list.append(created.element);
      this.views.set(message.id, created);
    }
    // The host may end the stream with this message alone; Stop must not outlive the last streaming answer.
    if (this.streaming && !message.streaming && ![...this.views.values()].some(v => v.streaming)) {
      this.streaming = false;
      this.composer.setStreaming(false);
    }
    this.updateEmpty();
    if (follow) this.scrollToEnd();
  }

  private createView(message: ChatMessage): MessageView {
    return new MessageView(
      message,
      (messageId, action) => this.post({ type: 'errorAction', messageId, action }),
      action => this.post(action === 'retryNow' ? { type: 'retryNow' } : { type: 'stop' }),
    );
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
    const control = target.closest<HTMLButtonElement>('button.code-action');
    if (!control) return;
    const code = codeOf(control);
    if (code === undefined) return;
    if (control.dataset.action === 'insert') {
      this.post({ type: 'insertCode', code });
    } else if (control.dataset.action === 'copy') {
      this.post({ type: 'copyCode', code });
      this.showCopied(control);
    }
  }

  private showCopied(control: HTMLButtonElement): void {
    const text = control.querySelector('.button-text');
    if (!text) return;
    text.textContent = strings.copied;
    setTimeout(() => {
      text.textContent = strings.copy;
    }, COPIED_FEEDBACK_MS);
  }

  private updateEmpty(): void {
    const empty = this.views.size === 0;
    this.empty.hidden = !empty;
    this.list.hidden = empty;
  }

  private isFollowing(): boolean {
    const s = this.scroller;
    return s.scrollHeight - s.scrollTop - s.clientHeight <= FOLLOW_SLACK;
  }

  private scrollToEnd(): void {
    this.scroller.scrollTop = this.scroller.scrollHeight;
  }
}
