// One message of the conversation: a question (plain text, with the code it is about) or an answer
// (markdown), plus its status: typing indicator, "Stopped" marker, error box with its actions; its
// actions (Copy, Regenerate, Open in Editor; Edit for a question, edited in place); and "Show more" for
// a very long finished message.

import { MAX_MESSAGE_TEXT, type ChatImage, type ChatMessage, type CodeContext, type MessageWait, type WebviewMessage } from '../protocol';
import { addCodeToolbars } from './codeBlocks';
import { attachmentList } from './attachmentList';
import { trimQuestion } from './composer';
import { button, element, flashText, icon } from './dom';
import { codeBlockHtml } from './markdown';
import { MarkdownBody } from './markdownBody';
import type { RenderQueue } from './renderQueue';
import { sanitizeToFragment } from './sanitize';
import { strings } from './strings';

/** A finished message taller than this (px) or longer than this (characters) collapses. */
const LONG_HEIGHT = 1200;
const LONG_TEXT = 12_000;
const EDIT_MAX_ROWS = 12;

function contextHeader(context: CodeContext): string {
  return [context.file, context.language, strings.contextLines(context.startLine, context.endLine)].join(
    strings.contextSeparator,
  );
}

function contextCode(context: CodeContext): DocumentFragment {
  const fragment = sanitizeToFragment(codeBlockHtml(context.code, context.language));
  // The question's code is the user's own: copying it is useful, inserting it back is not.
  addCodeToolbars(fragment, 'question');
  return fragment;
}

function sameContext(a: CodeContext | undefined, b: CodeContext | undefined): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function imageIds(m: ChatMessage): string {
  return (m.images ?? []).map(i => i.id + (i.thumbnail ? '' : '-')).join(' ');
}

/** The question's pasted images as thumbnails (data: URLs checked in hostData.ts), or their names. */
function questionImages(images: readonly ChatImage[]): HTMLElement {
  const row = element('div', 'message-images');
  for (const i of images) {
    const label = strings.questionImage(i.name, i.width, i.height);
    const item = element('span', 'message-image');
    item.title = `${label}, ${strings.size(i.bytes)}`;
    if (i.thumbnail) {
      const img = element('img', 'image-thumb');
      img.src = i.thumbnail;
      img.alt = label;
      item.append(img);
    } else {
      const placeholder = icon('file-media');
      item.setAttribute('role', 'img');
      item.setAttribute('aria-label', label);
      item.append(placeholder, element('span', 'message-image-name', i.name));
    }
    row.append(item);
  }
  return row;
}

export class MessageView {
  readonly element: HTMLDivElement;
  private message: ChatMessage;
  private markdown: MarkdownBody | undefined;
  /** A question's text (answers use markdown.element). */
  private text: HTMLDivElement | undefined;
  private readonly status: HTMLDivElement = element('div', 'message-status');
  private readonly notices: HTMLDivElement = element('div', 'message-notices');
  private readonly actions: HTMLDivElement = element('div', 'message-actions');
  private readonly showMore: HTMLButtonElement = button({ label: strings.showMore, className: 'show-more' });
  private readonly copyButton: HTMLButtonElement | undefined;
  private readonly regenerateButton: HTMLButtonElement | undefined;
  private readonly openButton: HTMLButtonElement | undefined;
  private readonly editButton: HTMLButtonElement | undefined;
  private editor: HTMLDivElement | undefined;
  private countdown: ReturnType<typeof setInterval> | undefined;
  private lastAnswer = false;
  /** Whether the finished message still has to be measured for "Show more". */
  private unmeasured = true;
  private long = false;
  private expanded = false;
  /** Whether the element has the `awaiting` class: streaming with no text yet (the indicator pulses). */
  private awaiting = false;

  constructor(
    message: ChatMessage,
    private readonly post: (message: WebviewMessage) => void,
    /** Where a finished answer's rendering waits its turn; without one it renders at once. */
    private readonly queue?: RenderQueue,
  ) {
    this.message = { ...message };
    this.element = element('div', `message ${message.role}`);
    this.element.dataset.id = message.id;
    this.actions.setAttribute('role', 'group');
    this.actions.setAttribute('aria-label', strings.messageActionsLabel);
    this.showMore.setAttribute('aria-expanded', 'false');
    this.showMore.addEventListener('click', () => this.toggleExpanded());
    // The buttons are made once and only shown or hidden, so an update never takes focus away from one.
    const id = (): string => this.message.id;
    const action = (label: string, title: string, name: string, onClick: (b: HTMLButtonElement) => void): HTMLButtonElement => {
      const b = button({ label, title, className: 'message-action' });
      b.dataset.messageAction = name;
      b.addEventListener('click', () => onClick(b));
      this.actions.append(b);
      return b;
    };
    if (message.role === 'assistant') {
      this.copyButton = action(strings.messageCopy, strings.messageCopyTitle, 'copy', b => {
        this.post({ type: 'copyMessage', messageId: id() });
        flashText(b, strings.copied, strings.messageCopy);
      });
      this.regenerateButton = action(strings.regenerate, strings.regenerateTitle, 'regenerate', () =>
        this.post({ type: 'regenerate', messageId: id() }),
      );
      this.openButton = action(strings.openInEditor, strings.openInEditorTitle, 'open', () =>
        this.post({ type: 'openAnswerInEditor', messageId: id() }),
      );
    } else {
      this.editButton = action(strings.edit, strings.editTitle, 'edit', () => this.startEdit());
    }
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

  /** Regenerate is offered on the conversation's last answer only. */
  setLastAnswer(last: boolean): void {
    if (this.lastAnswer === last) return;
    this.lastAnswer = last;
    this.renderActions();
  }

  /** Adds streamed text to an answer; the DOM follows on flush(). */
  append(text: string): void {
    this.message.text += text;
    this.markdown?.append(text);
  }

  /** Brings the DOM up to date with appended text (called at most once per animation frame). */
  flush(): void {
    this.markdown?.render();
    this.setAwaiting();
  }

  /** Only a class change when the first text arrives; every other frame leaves the element alone. */
  private setAwaiting(): void {
    const awaiting = this.message.streaming && this.message.text === '';
    if (awaiting === this.awaiting) return;
    this.awaiting = awaiting;
    this.element.classList.toggle('awaiting', awaiting);
  }

  /** Shows a new version of this message, keeping what is unchanged (finished blocks in particular). */
  update(message: ChatMessage): void {
    const previous = this.message;
    this.message = { ...message };
    if (previous.text !== message.text || previous.streaming !== message.streaming) this.unmeasured = true;
    if (this.markdown) {
      this.markdown.set(message.text, message.streaming);
    } else if (previous.text !== message.text || !sameContext(previous.context, message.context) || imageIds(previous) !== imageIds(message) || JSON.stringify(previous.attachments) !== JSON.stringify(message.attachments)) {
      this.build();
      return;
    }
    this.renderStatus();
  }

  private build(): void {
    const message = this.message;
    const role = element('div', 'message-role', message.role === 'user' ? strings.roleUser : strings.roleAssistant);
    this.element.replaceChildren(role);
    this.editor = undefined;
    this.unmeasured = true;
    if (message.role === 'user') {
      this.markdown = undefined;
      this.text = element('div', 'message-body message-text', message.text);
      if (message.context) this.element.append(element('div', 'message-context', contextHeader(message.context)));
      this.element.append(this.text);
      if (message.images?.length) this.element.append(questionImages(message.images));
      if (message.context) this.element.append(contextCode(message.context));
      if (message.attachments?.length) this.element.append(attachmentList(message.attachments));
    } else {
      this.markdown?.dispose();
      this.markdown = new MarkdownBody(message.text, message.streaming, this.queue);
      this.element.append(this.notices, this.markdown.element);
    }
    this.element.append(this.showMore, this.status, this.actions);
    this.renderStatus();
  }

  /**
   * The read half of "Show more": whether this finished message is long, or undefined when there is
   * nothing to decide (already measured, still streaming, or not laid out because the view is hidden).
   * ChatView reads every message first and then writes, so the layout is computed once.
   */
  measure(): boolean | undefined {
    if (!this.unmeasured || this.message.streaming) return undefined;
    if (this.message.text.length > LONG_TEXT) return true;
    const height = (this.markdown?.element ?? this.text)?.scrollHeight ?? 0;
    return height === 0 ? undefined : height > LONG_HEIGHT;
  }

  /** The write half: collapses a long message (it starts collapsed) or undoes it. */
  setLong(long: boolean): void {
    this.unmeasured = false;
    if (long !== this.long) this.expanded = false;
    this.long = long;
    this.renderCollapse();
  }

  private renderCollapse(): void {
    const long = this.long && !this.message.streaming;
    this.showMore.hidden = !long;
    this.element.classList.toggle('collapsed', long && !this.expanded);
    this.showMore.setAttribute('aria-expanded', String(this.expanded));
    const label = this.expanded ? strings.showLess : strings.showMore;
    this.showMore.setAttribute('aria-label', label);
    this.showMore.title = label;
    const text = this.showMore.querySelector('.button-text');
    if (text) text.textContent = label;
  }

  private toggleExpanded(): void {
    this.expanded = !this.expanded;
    this.renderCollapse();
    // After "Show less" the button would be far below the shortened message: keep it in view.
    if (!this.expanded) this.showMore.scrollIntoView({ block: 'nearest' });
  }

  private renderActions(): void {
    const message = this.message;
    const busy = message.streaming || message.wait !== undefined;
    const hasText = message.text.trim() !== '';
    if (this.copyButton) this.copyButton.hidden = !hasText;
    if (this.openButton) this.openButton.hidden = !hasText;
    if (this.regenerateButton) this.regenerateButton.hidden = !this.lastAnswer;
    this.actions.hidden = busy || this.editor !== undefined || !Array.from(this.actions.children).some(b => !(b as HTMLElement).hidden);
  }

  /** Turns the question into a text box with Send and Cancel; Send posts editAndResend. */
  private startEdit(): void {
    if (this.editor || !this.text) return;
    const editor = element('div', 'message-editor');
    const area = element('textarea', 'edit-input');
    area.value = this.message.text;
    area.setAttribute('aria-label', strings.editLabel);
    const fit = (): void => {
      area.rows = Math.min(EDIT_MAX_ROWS, Math.max(2, area.value.split('\n').length));
    };
    fit();
    const send = button({ label: strings.editSend, title: strings.editSendTitle, className: 'primary edit-send' });
    const cancel = button({ label: strings.editCancel, title: strings.editCancelTitle, className: 'secondary edit-cancel' });
    const warning = element('div', 'edit-too-long');
    warning.hidden = true;
    const submit = (): void => {
      const text = trimQuestion(area.value);
      if (text === '') return;
      // The host would drop it: keep the editor open with the text and say why.
      if (text.length > MAX_MESSAGE_TEXT) {
        warning.textContent = strings.tooLong(text.length, MAX_MESSAGE_TEXT);
        warning.hidden = false;
        area.setAttribute('aria-invalid', 'true');
        return;
      }
      this.post({ type: 'editAndResend', messageId: this.message.id, text });
      this.endEdit();
    };
    area.addEventListener('input', fit);
    area.addEventListener('keydown', e => {
      if (e.key === 'Escape') {
        e.preventDefault();
        e.stopPropagation();
        this.endEdit();
      } else if (e.key === 'Enter' && !e.shiftKey && !e.altKey && !e.isComposing) {
        e.preventDefault();
        submit();
      }
    });
    send.addEventListener('click', submit);
    cancel.addEventListener('click', () => this.endEdit());
    const bar = element('div', 'message-editor-bar');
    bar.append(cancel, send);
    editor.append(area, warning, bar);
    this.editor = editor;
    this.text.hidden = true;
    this.text.after(editor);
    this.renderActions();
    area.focus();
    area.setSelectionRange(area.value.length, area.value.length);
  }

  private endEdit(): void {
    if (!this.editor) return;
    this.editor.remove();
    this.editor = undefined;
    if (this.text) this.text.hidden = false;
    this.renderActions();
    this.editButton?.focus();
  }

  private renderStatus(): void {
    const message = this.message;
    this.element.classList.toggle('streaming', message.streaming);
    this.setAwaiting();
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
        b.addEventListener('click', () => this.post({ type: 'errorAction', messageId: message.id, action }));
        actions.append(b);
      }
      if (actions.childElementCount > 0) box.append(actions);
      parts.push(box);
    }
    this.status.replaceChildren(...parts);
    this.status.hidden = parts.length === 0;
    this.renderActions();
    this.renderCollapse();
  }

  /** "Retrying in 12 s" with Retry Now (Send Now when pacing) and Cancel, counting down once a second while it waits. */
  private waitBox(wait: MessageWait): HTMLElement {
    const box = element('div', 'message-wait');
    box.setAttribute('role', 'status');
    const text = element('span', 'message-wait-text');
    const render = () => {
      const seconds = Math.max(0, Math.ceil((wait.until - Date.now()) / 1000));
      text.textContent = wait.reason === 'pacing' ? strings.waitPacing(seconds, wait.position) : strings.waitRetry(seconds, wait.attempt, wait.cause);
      if (wait.detail) text.title = wait.detail;
    };
    render();
    this.countdown = setInterval(render, 1000);
    // Both post retryNow; a pacing wait has not failed, so its button says what it does: send now.
    const now = button({ label: wait.reason === 'pacing' ? strings.sendNow : strings.retryNow, className: 'error-action wait-retry-now' });
    now.addEventListener('click', () => this.post({ type: 'retryNow' }));
    const cancel = button({ label: strings.cancel, className: 'error-action wait-cancel' });
    cancel.addEventListener('click', () => this.post({ type: 'stop' }));
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
    this.markdown?.dispose();
  }
}
