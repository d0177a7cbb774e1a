// One message of the conversation: a question (plain text, with the code it is about) or an answer
// (markdown), plus its status: typing indicator, "Stopped" marker, error box with its actions.

import type { ChatMessage, CodeContext, ErrorAction, MessageWait } from '../protocol';
import { addCodeToolbars } from './codeBlocks';
import { button, element } from './dom';
import { codeBlockHtml } from './markdown';
import { MarkdownBody } from './markdownBody';
import { sanitizeToFragment } from './sanitize';
import { strings } from './strings';

export type ErrorActionHandler = (messageId: string, action: ErrorAction) => void;
export type WaitActionHandler = (action: 'retryNow' | 'cancel') => void;

function contextHeader(context: CodeContext): string {
  return [context.file, context.language, strings.contextLines(context.startLine, context.endLine)].join(
    strings.contextSeparator,
  );
}

function contextCode(context: CodeContext): DocumentFragment {
  const fragment = sanitizeToFragment(codeBlockHtml(context.code, context.language));
  // The question's code is the user's own: copying it is useful, inserting it back is not.
  addCodeToolbars(fragment, ['copy']);
  return fragment;
}

function sameContext(a: CodeContext | undefined, b: CodeContext | undefined): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

export class MessageView {
  readonly element: HTMLDivElement;
  private message: ChatMessage;
  private markdown: MarkdownBody | undefined;
  private readonly status: HTMLDivElement = element('div', 'message-status');
  private readonly notices: HTMLDivElement = element('div', 'message-notices');
  private countdown: ReturnType<typeof setInterval> | undefined;

  constructor(
    message: ChatMessage,
    private readonly onErrorAction: ErrorActionHandler,
    private readonly onWaitAction: WaitActionHandler = () => undefined,
  ) {
    this.message = { ...message };
    this.element = element('div', `message ${message.role}`);
    this.element.dataset.id = message.id;
    this.build();
  }

  get id(): string {
    return this.message.id;
  }

  get streaming(): boolean {
    return this.message.streaming;
  }

  get role(): ChatMessage['role'] {
    return this.message.role;
  }

  /** Adds streamed text to an answer; the DOM follows on flush(). */
  append(text: string): void {
    this.message.text += text;
    this.markdown?.append(text);
  }

  /** Brings the DOM up to date with appended text (called at most once per animation frame). */
  flush(): void {
    this.markdown?.render();
  }

  /** Shows a new version of this message, keeping what is unchanged (finished blocks in particular). */
  update(message: ChatMessage): void {
    const previous = this.message;
    this.message = { ...message };
    if (this.markdown) {
      this.markdown.set(message.text, message.streaming);
    } else if (previous.text !== message.text || !sameContext(previous.context, message.context)) {
      this.build();
      return;
    }
    this.renderStatus();
  }

  private build(): void {
    const message = this.message;
    const role = element('div', 'message-role', message.role === 'user' ? strings.roleUser : strings.roleAssistant);
    this.element.replaceChildren(role);
    if (message.role === 'user') {
      this.markdown = undefined;
      if (message.context) this.element.append(element('div', 'message-context', contextHeader(message.context)));
      this.element.append(element('div', 'message-body message-text', message.text));
      if (message.context) this.element.append(contextCode(message.context));
    } else {
      this.markdown = new MarkdownBody(message.text, message.streaming);
      this.element.append(this.notices, this.markdown.element);
    }
    this.element.append(this.status);
    this.renderStatus();
  }

  private renderStatus(): void {
    const message = this.message;
    this.element.classList.toggle('streaming', message.streaming);
    // Screen readers wait for the whole answer instead of reading every fragment as it arrives.
    if (message.streaming) this.element.setAttribute('aria-busy', 'true');
    else this.element.removeAttribute('aria-busy');

    this.notices.replaceChildren(...(message.notices ?? []).map(n => element('div', 'message-notice', n)));
    this.notices.hidden = !message.notices?.length;

    const parts: HTMLElement[] = [];
    this.stopCountdown();
    if (message.wait) parts.push(this.waitBox(message.wait));
    if (message.streaming && !message.wait) {
      const typing = element('span', 'typing-indicator');
      typing.setAttribute('role', 'img');
      typing.setAttribute('aria-label', strings.typing);
      typing.title = strings.typing;
      for (let i = 0; i < 3; i++) typing.append(element('span', 'typing-dot'));
      parts.push(typing);
    }
    if (message.stopped) parts.push(element('span', 'message-stopped', strings.stopped));
    if (message.usage && !message.streaming) {
      const u = message.usage;
      const text = strings.usage(u.promptTokens, u.completionTokens, u.estimated) + (u.costUsd !== undefined ? ` · ${strings.cost(u.costUsd)}` : '');
      parts.push(element('span', 'message-usage', text));
    }
    if (message.error) {
      const box = element('div', 'message-error');
      box.append(element('div', 'message-error-text', message.error.message));
      const actions = element('div', 'message-error-actions');
      for (const action of message.error.actions) {
        const label = strings.errorActions[action];
        if (!label) continue;
        const b = button({ label, className: 'error-action' });
        b.dataset.errorAction = action;
        b.addEventListener('click', () => this.onErrorAction(message.id, action));
        actions.append(b);
      }
      if (actions.childElementCount > 0) box.append(actions);
      parts.push(box);
    }
    this.status.replaceChildren(...parts);
    this.status.hidden = parts.length === 0;
  }

  /** "Retrying in 12 s" with Retry Now and Cancel, counting down once a second while it waits. */
  private waitBox(wait: MessageWait): HTMLElement {
    const box = element('div', 'message-wait');
    box.setAttribute('role', 'status');
    const text = element('span', 'message-wait-text');
    const render = () => {
      const seconds = Math.max(0, Math.ceil((wait.until - Date.now()) / 1000));
      text.textContent = wait.reason === 'pacing' ? strings.waitPacing(seconds, wait.position) : strings.waitRetry(seconds, wait.attempt);
      if (wait.detail) text.title = wait.detail;
    };
    render();
    this.countdown = setInterval(render, 1000);
    const now = button({ label: strings.retryNow, className: 'error-action wait-retry-now' });
    now.addEventListener('click', () => this.onWaitAction('retryNow'));
    const cancel = button({ label: strings.cancel, className: 'error-action wait-cancel' });
    cancel.addEventListener('click', () => this.onWaitAction('cancel'));
    box.append(text, now, cancel);
    return box;
  }

  private stopCountdown(): void {
    if (this.countdown !== undefined) clearInterval(this.countdown);
    this.countdown = undefined;
  }

  /** Called when the view is dropped, so no countdown keeps running for a message no longer shown. */
  dispose(): void {
    this.stopCountdown();
  }
}
