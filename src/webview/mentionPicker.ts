// The # picker of the question box. Typing `#` lists what can be mentioned; `#file:`, `#symbol:` and
// `#problems:` then list the host's choices, filtered as the user types. Keyboard first: Up and Down
// choose, Enter or Tab attaches (or moves on to the choices), Escape closes. The box is an ARIA
// combobox that owns the listbox; the active option is its aria-activedescendant, so focus stays in
// the box. What is chosen is attached by the host, which adds a chip; the `#...` typed goes away.

import { MENTION_KINDS, type MentionItem, type MentionKind, type WebviewMessage } from '../protocol';
import { element } from './dom';
import { strings } from './strings';

/** Kinds whose mention needs a choice (a file, a symbol, a scope) after the colon. */
const WITH_CHOICE: ReadonlySet<MentionKind> = new Set(['file', 'symbol', 'problems']);
/** The host is asked at most this often while the user types. */
const QUERY_DELAY_MS = 80;

type MentionMessage = Extract<WebviewMessage, { type: 'mentionQuery' | 'addMention' }>;

interface Option {
  label: string;
  detail?: string;
  disabled?: string;
  /** Chosen: a kind (list of kinds) or a host item (list of choices). */
  kind: MentionKind;
  item?: string;
}

/** The `#...` before the caret: where it starts, the kind typed so far and, after a colon, the query. */
export function mentionAt(text: string, caret: number): { start: number; word: string; query: string | undefined } | undefined {
  const m = /(?:^|\s)#([a-z]*)(?::([^\s#]*))?$/i.exec(text.slice(0, caret));
  if (!m) return undefined;
  return { start: m.index + m[0].indexOf('#'), word: m[1].toLowerCase(), query: m[2] };
}

function dismissKey(at: ReturnType<typeof mentionAt>): string {
  return at ? `${at.start}:${at.word}:${at.query ?? ''}` : '';
}

export class MentionPicker {
  readonly element: HTMLDivElement = element('div', 'mention-picker');
  private readonly list: HTMLUListElement = element('ul', 'mention-list');
  private readonly status: HTMLDivElement = element('div', 'mention-status');
  private options: Option[] = [];
  private active = -1;
  private open = false;
  private requestId = 0;
  /** The last query sent for choices, so the same text does not ask again. */
  private asked = '';
  private queryTimer: ReturnType<typeof setTimeout> | undefined;
  /** Escape closed the picker for this mention text at this position, until it changes. */
  private dismissed = '';
  private pendingAdd = -1;

  constructor(private readonly box: HTMLTextAreaElement, private readonly post: (message: MentionMessage) => void) {
    this.list.id = 'mention-list';
    this.list.setAttribute('role', 'listbox');
    this.list.setAttribute('aria-label', strings.mentionListLabel);
    this.list.addEventListener('mousedown', e => e.preventDefault()); // keep focus (and the caret) in the box
    this.list.addEventListener('click', e => {
      const li = e.target instanceof Element ? e.target.closest<HTMLLIElement>('li[role="option"]') : null;
      if (li) this.choose(Number(li.dataset.index));
    });
    this.status.id = 'mention-status';
    this.status.setAttribute('role', 'status');
    this.status.setAttribute('aria-live', 'polite');
    this.element.append(this.list, this.status);
    this.element.hidden = true;
    this.list.hidden = true;
    box.setAttribute('role', 'combobox');
    box.setAttribute('aria-autocomplete', 'list');
    box.setAttribute('aria-haspopup', 'listbox');
    box.setAttribute('aria-controls', this.list.id);
    box.setAttribute('aria-expanded', 'false');
    box.addEventListener('blur', () => this.close());
    box.addEventListener('click', () => this.update());
  }

  get isOpen(): boolean {
    return this.open;
  }

  /** Follows the text and caret (after input, clicks and caret keys). */
  update(): void {
    if (this.pendingAdd < 0) this.setStatus('', 'quiet');
    const at = mentionAt(this.box.value, this.box.selectionStart);
    if (!at || this.box.selectionStart !== this.box.selectionEnd) {
      this.dismissed = '';
      this.close();
      return;
    }
    if (dismissKey(at) === this.dismissed) return;
    const kind = MENTION_KINDS.find(k => k === at.word);
    if (at.query !== undefined && kind && WITH_CHOICE.has(kind)) {
      this.askChoices(kind, at.query);
      return;
    }
    if (at.query !== undefined) {
      this.close();
      return;
    }
    this.asked = '';
    this.show(MENTION_KINDS.filter(k => k.startsWith(at.word)).map(k => ({ kind: k, label: `#${k}`, detail: strings.mentionKinds[k] })));
  }

  /** Keys while the picker is open; true when the key was the picker's. */
  handleKey(e: KeyboardEvent): boolean {
    if (!this.open) return false;
    const n = this.options.length;
    switch (e.key) {
      case 'ArrowDown':
      case 'ArrowUp':
        if (n > 0) this.setActive((this.active + (e.key === 'ArrowDown' ? 1 : -1) + n) % n);
        break;
      case 'Home':
      case 'End':
        if (n === 0 || e.shiftKey) return false;
        this.setActive(e.key === 'Home' ? 0 : n - 1);
        break;
      case 'Enter':
      case 'Tab':
        if (e.shiftKey || this.active < 0) return false;
        this.choose(this.active);
        break;
      case 'Escape':
        this.dismissed = dismissKey(mentionAt(this.box.value, this.box.selectionStart));
        this.close();
        break;
      default:
        return false;
    }
    e.preventDefault();
    return true;
  }

  /** The host's choices for the last query; older answers are ignored. */
  items(requestId: number, items: readonly MentionItem[]): void {
    if (requestId !== this.requestId || !this.open) return;
    const kind = mentionAt(this.box.value, this.box.selectionStart)?.word as MentionKind | undefined;
    if (!kind) return;
    this.show(items.map(i => ({ kind, item: i.id, label: i.label, detail: i.detail, disabled: i.disabled })), kind === 'symbol' && items.length === 0 && this.asked.endsWith(':') ? strings.mentionTypeSymbol : undefined);
  }

  /** The host attached the mention, or says why it could not. */
  result(requestId: number, error: string | undefined): void {
    if (requestId !== this.pendingAdd) return;
    this.pendingAdd = -1;
    this.setStatus(error ?? strings.mentionAttached, error ? 'error' : 'quiet');
  }

  /** 'quiet': for screen readers only (result counts, "Attached"); errors and "Searching…" show. */
  private setStatus(text: string, kind: 'info' | 'error' | 'quiet'): void {
    this.status.textContent = text;
    this.status.classList.toggle('error', kind === 'error');
    this.status.classList.toggle('visually-hidden', kind === 'quiet');
    this.element.hidden = !this.open && (text === '' || kind === 'quiet') && kind !== 'error';
    // A live region inside a hidden element is not read: a quiet message keeps the picker in the tree, out of sight.
    if (kind === 'quiet' && text !== '') this.element.hidden = false;
  }

  private askChoices(kind: MentionKind, query: string): void {
    const key = `${kind}:${query}`;
    if (this.open && key === this.asked) return;
    this.asked = key;
    if (!this.open || this.options.some(o => o.item === undefined)) this.show([], strings.mentionSearching);
    if (this.queryTimer) clearTimeout(this.queryTimer);
    this.queryTimer = setTimeout(() => {
      this.queryTimer = undefined;
      this.post({ type: 'mentionQuery', requestId: ++this.requestId, kind, query });
    }, QUERY_DELAY_MS);
  }

  private choose(index: number): void {
    const option = this.options[index];
    const at = mentionAt(this.box.value, this.box.selectionStart);
    if (!option || !at) return;
    if (option.disabled) {
      this.setStatus(strings.mentionUnavailable(option.disabled), 'error');
      return;
    }
    if (option.item === undefined && WITH_CHOICE.has(option.kind)) {
      this.replace(at.start, `#${option.kind}:`);
      this.update();
      return;
    }
    // The typed `#...` is replaced by the chip the host adds.
    this.replace(at.start, '');
    this.close();
    this.pendingAdd = ++this.requestId;
    this.post(option.item === undefined
      ? { type: 'addMention', requestId: this.pendingAdd, kind: option.kind }
      : { type: 'addMention', requestId: this.pendingAdd, kind: option.kind, item: option.item });
  }

  /** Replaces the mention from `start` to the caret with `text`, as an edit the box can undo. */
  private replace(start: number, text: string): void {
    this.box.focus();
    this.box.setSelectionRange(start, this.box.selectionStart);
    if (!document.execCommand('insertText', false, text)) this.box.setRangeText(text, start, this.box.selectionEnd, 'end');
    this.box.dispatchEvent(new Event('input', { bubbles: true }));
  }

  private show(options: Option[], message?: string): void {
    this.options = options;
    this.open = true;
    this.element.hidden = false;
    this.list.replaceChildren(...options.map((o, i) => {
      const li = element('li', 'mention-option');
      li.id = `mention-option-${i}`;
      li.dataset.index = String(i);
      li.setAttribute('role', 'option');
      li.setAttribute('aria-selected', 'false');
      if (o.disabled) li.setAttribute('aria-disabled', 'true');
      li.append(element('span', 'mention-label', o.label));
      const detail = o.disabled ?? o.detail;
      if (detail) li.append(element('span', 'mention-detail', detail));
      return li;
    }));
    this.list.hidden = options.length === 0;
    this.box.setAttribute('aria-expanded', String(options.length > 0));
    this.setActive(options.length > 0 ? 0 : -1);
    if (message) this.setStatus(message, 'info');
    else if (options.length === 0) this.setStatus(strings.mentionNoMatch, 'info');
    else this.setStatus(strings.mentionResults(options.length), 'quiet');
  }

  private setActive(index: number): void {
    this.active = index;
    Array.from(this.list.children).forEach((li, i) => li.setAttribute('aria-selected', String(i === index)));
    const li = this.list.children[index];
    if (li) {
      this.box.setAttribute('aria-activedescendant', li.id);
      li.scrollIntoView({ block: 'nearest' });
    } else {
      this.box.removeAttribute('aria-activedescendant');
    }
  }

  private close(): void {
    if (this.queryTimer) clearTimeout(this.queryTimer);
    this.queryTimer = undefined;
    this.open = false;
    this.options = [];
    this.active = -1;
    this.asked = '';
    this.list.replaceChildren();
    this.list.hidden = true;
    if (!this.status.classList.contains('error')) this.setStatus('', 'quiet');
    this.box.setAttribute('aria-expanded', 'false');
    this.box.removeAttribute('aria-activedescendant');
  }
}
