// The bar above the conversation: its title (renamed in place), and buttons for the list of every
// conversation (open, delete, clear all after a confirmation), a new conversation and export. The host
// owns the conversations; this only shows its summaries and posts intents.

import type { ConversationSummary, WebviewMessage } from '../protocol';
import { button, element, icon, ICON_EDIT, ICON_EXPORT, ICON_LIST, ICON_PLUS, ICON_TRASH } from './dom';
import { strings } from './strings';

/** A second click on "Clear All" sooner than this is a double click, not a confirmation. */
const CONFIRM_DELAY_MS = 300;

export class ConversationBar {
  readonly element: HTMLDivElement = element('div', 'chat-header');
  private readonly bar: HTMLDivElement = element('div', 'header-bar');
  private readonly title: HTMLSpanElement = element('span', 'conversation-title');
  private readonly renameButton: HTMLButtonElement;
  private readonly listButton: HTMLButtonElement;
  private readonly panel: HTMLDivElement = element('div', 'conversation-panel');
  private readonly rows: HTMLUListElement = element('ul', 'conversation-list');
  private readonly none: HTMLParagraphElement = element('p', 'conversation-none', strings.noConversations);
  private readonly clearButton: HTMLButtonElement;
  private renameInput: HTMLInputElement | undefined;
  private id: string | undefined;
  private titleText = '';
  private summaries: readonly ConversationSummary[] = [];
  private clearArmedAt: number | undefined;

  constructor(private readonly post: (message: WebviewMessage) => void) {
    this.element.hidden = true;
    this.title.id = 'conversation-title';
    this.title.addEventListener('click', () => this.startRename());

    const iconButton = (label: string, title: string, path: string, id: string): HTMLButtonElement =>
      button({ id, label, title, className: 'icon-button', text: '', icon: icon(path) });
    this.renameButton = iconButton(strings.rename, strings.renameTitle, ICON_EDIT, 'rename-conversation');
    this.renameButton.addEventListener('click', () => this.startRename());
    this.listButton = iconButton(strings.conversations, strings.conversationsTitle, ICON_LIST, 'conversations');
    this.listButton.setAttribute('aria-expanded', 'false');
    this.listButton.addEventListener('click', () => this.setOpen(this.panel.hidden));
    const newButton = iconButton(strings.newConversation, strings.newConversationTitle, ICON_PLUS, 'new-conversation');
    newButton.addEventListener('click', () => {
      this.setOpen(false);
      this.post({ type: 'newConversation' });
    });
    const exportButton = iconButton(strings.exportConversation, strings.exportConversationTitle, ICON_EXPORT, 'export-conversation');
    exportButton.addEventListener('click', () => {
      if (this.id !== undefined) this.post({ type: 'exportConversation', id: this.id });
    });
    this.bar.append(this.title, this.renameButton, this.listButton, newButton, exportButton);

    this.clearButton = button({ id: 'clear-conversations', label: strings.clearAll, title: strings.clearAllTitle, className: 'secondary clear-all' });
    this.clearButton.addEventListener('click', () => this.onClear());
    this.panel.id = 'conversation-panel';
    this.panel.setAttribute('role', 'region');
    this.panel.setAttribute('aria-label', strings.conversationList);
    this.panel.hidden = true;
    this.rows.addEventListener('click', e => this.onRowClick(e));
    this.panel.addEventListener('keydown', e => {
      if (e.key !== 'Escape') return;
      e.preventDefault();
      this.setOpen(false, true);
    });
    this.listButton.addEventListener('keydown', e => {
      if (e.key === 'Escape' && !this.panel.hidden) this.setOpen(false, true);
    });
    // A click anywhere else closes the list, as a dropdown would.
    document.addEventListener('pointerdown', e => {
      if (!this.panel.hidden && e.target instanceof Node && !this.element.contains(e.target)) this.setOpen(false);
    });
    this.panel.append(this.rows, this.none, this.clearButton);
    this.element.append(this.bar, this.panel);
  }

  set(id: string, title: string, summaries: readonly ConversationSummary[]): void {
    this.element.hidden = false;
    this.id = id;
    this.titleText = title;
    this.summaries = summaries;
    this.renderTitle();
    if (!this.panel.hidden) this.renderRows();
  }

  private renderTitle(): void {
    const text = this.titleText.trim() || strings.untitled;
    this.title.textContent = text;
    this.title.title = text;
  }

  private setOpen(open: boolean, focusToggle = false): void {
    this.clearArmedAt = undefined;
    this.renderClear();
    this.panel.hidden = !open;
    this.listButton.setAttribute('aria-expanded', String(open));
    if (open) {
      this.renderRows();
      (this.rows.querySelector<HTMLButtonElement>('[aria-current="true"]') ?? this.panel.querySelector('button'))?.focus();
    } else if (focusToggle) {
      this.listButton.focus();
    }
  }

  private renderRows(): void {
    // After a delete the host sends the shorter list; focus moves to the row now in its place.
    const active = document.activeElement;
    const focusedRow = active instanceof Element && this.rows.contains(active) ? Array.from(this.rows.children).findIndex(r => r.contains(active)) : -1;
    const focusedDelete = active instanceof Element && active.classList.contains('conversation-delete');
    const now = Date.now();
    this.rows.replaceChildren(...this.summaries.map(s => this.row(s, now)));
    this.none.hidden = this.summaries.length > 0;
    this.clearButton.hidden = this.summaries.length === 0;
    if (focusedRow >= 0 && !(document.activeElement instanceof Element && this.rows.contains(document.activeElement))) {
      const row = this.rows.children[Math.min(focusedRow, this.rows.children.length - 1)];
      (row?.querySelector<HTMLButtonElement>(focusedDelete ? '.conversation-delete' : '.conversation-open') ?? this.clearButton).focus();
    }
  }

  private row(summary: ConversationSummary, now: number): HTMLLIElement {
    const title = summary.title.trim() || strings.untitled;
    const li = element('li', 'conversation-row');
    li.dataset.id = summary.id;
    const open = button({ label: title, className: 'conversation-open', text: '' });
    // Named by its content: title, age and message count.
    open.removeAttribute('aria-label');
    const when = element('span', 'conversation-when', strings.ago(summary.updatedAt, now));
    when.title = new Date(summary.updatedAt).toLocaleString();
    const meta = element('span', 'conversation-meta');
    meta.append(when, element('span', 'conversation-count', strings.messageCount(summary.messageCount)));
    if (summary.bytes !== undefined) meta.append(element('span', 'conversation-size', strings.size(summary.bytes)));
    open.append(element('span', 'conversation-name', title), meta);
    if (summary.damaged !== undefined) {
      // Never hidden: shown with its reason, its file and Delete instead of opening.
      li.classList.add('damaged');
      open.disabled = true;
      meta.replaceChildren(element('span', 'conversation-damaged', strings.damaged(summary.damaged)));
      li.append(button({ label: strings.openConversationFile(title), className: 'icon-button conversation-file', text: '', icon: icon(ICON_EXPORT) }));
    }
    if (summary.id === this.id) {
      open.setAttribute('aria-current', 'true');
      li.classList.add('current');
    }
    const remove = button({ label: strings.deleteConversation(title), className: 'icon-button conversation-delete', text: '', icon: icon(ICON_TRASH) });
    li.prepend(open);
    li.append(remove);
    return li;
  }

  private onRowClick(e: MouseEvent): void {
    const control = e.target instanceof Element ? e.target.closest('button') : null;
    const id = control?.closest<HTMLElement>('.conversation-row')?.dataset.id;
    if (!control || id === undefined) return;
    if (control.classList.contains('conversation-delete')) {
      this.post({ type: 'deleteConversation', id });
    } else if (control.classList.contains('conversation-file')) {
      this.post({ type: 'openConversationFile', id });
    } else {
      this.setOpen(false, true);
      this.post({ type: 'openConversation', id });
    }
  }

  private onClear(): void {
    const armed = this.clearArmedAt;
    if (armed === undefined) {
      this.clearArmedAt = Date.now();
      this.renderClear();
    } else if (Date.now() - armed >= CONFIRM_DELAY_MS) {
      this.setOpen(false, true);
      this.post({ type: 'clearConversations' });
    }
  }

  private renderClear(): void {
    const armed = this.clearArmedAt !== undefined;
    const label = armed ? strings.confirmClearAll : strings.clearAll;
    this.clearButton.setAttribute('aria-label', label);
    this.clearButton.title = armed ? strings.confirmClearAllTitle : strings.clearAllTitle;
    this.clearButton.classList.toggle('armed', armed);
    const text = this.clearButton.querySelector('.button-text');
    if (text) text.textContent = label;
  }

  /** Turns the title into a text box: Enter (or leaving it) saves, Escape cancels. */
  private startRename(): void {
    if (this.renameInput || this.id === undefined) return;
    const id = this.id;
    const input = element('input', 'rename-input');
    input.type = 'text';
    input.id = 'rename-input';
    input.maxLength = 200;
    input.value = this.titleText;
    input.setAttribute('aria-label', strings.renameInputLabel);
    let done = false;
    const finish = (save: boolean): void => {
      if (done) return;
      done = true;
      const title = input.value.trim();
      if (save && title !== '' && title !== this.titleText.trim()) {
        // Shown at once; the host's next state confirms it.
        this.titleText = title;
        this.post({ type: 'renameConversation', id, title });
      }
      this.renameInput = undefined;
      const hadFocus = document.activeElement === input;
      input.replaceWith(this.title);
      this.renameButton.hidden = false;
      this.renderTitle();
      if (hadFocus) this.renameButton.focus();
    };
    input.addEventListener('keydown', e => {
      if (e.key === 'Enter' && !e.isComposing) {
        e.preventDefault();
        finish(true);
      } else if (e.key === 'Escape') {
        e.preventDefault();
        e.stopPropagation();
        finish(false);
      }
    });
    input.addEventListener('blur', () => finish(true));
    this.renameInput = input;
    this.title.replaceWith(input);
    this.renameButton.hidden = true;
    input.focus();
    input.select();
  }
}
