// The context chips above the question box: what will be sent with the next question (the selection,
// files the user added). × removes a chip at once and tells the host; "+ File" asks the host for a file.

import type { ContextChip } from '../protocol';
import { button, element, icon, ICON_CLOSE, ICON_PLUS } from './dom';
import { strings } from './strings';

export interface ChipActions {
  remove(id: string): void;
  pickFile(): void;
  /** The chips changed (from the host or by a removal). */
  changed(): void;
}

export class ContextChips {
  readonly element: HTMLDivElement = element('div', 'chips');
  private readonly list: HTMLDivElement = element('div', 'chip-list');
  private readonly addFile: HTMLButtonElement;
  private chips: ContextChip[] = [];

  constructor(private readonly actions: ChipActions) {
    this.element.setAttribute('role', 'group');
    this.element.setAttribute('aria-label', strings.chipsLabel);
    this.addFile = button({ label: strings.addFileTitle, title: strings.addFileTitle, text: strings.addFile, className: 'chip-add', icon: icon(ICON_PLUS) });
    this.addFile.id = 'add-file';
    this.addFile.addEventListener('click', () => this.actions.pickFile());
    this.list.addEventListener('click', e => {
      const remove = e.target instanceof Element ? e.target.closest<HTMLButtonElement>('.chip-remove') : null;
      const id = remove?.closest<HTMLElement>('.chip')?.dataset.id;
      if (id !== undefined) this.remove(id);
    });
    this.element.append(this.list, this.addFile);
  }

  /** The ids of the chips shown, which the next question carries. */
  ids(): string[] {
    return this.chips.map(c => c.id);
  }

  tokens(): number {
    return this.chips.reduce((sum, c) => sum + c.tokens, 0);
  }

  set(chips: readonly ContextChip[]): void {
    const focused = this.focusedIndex();
    this.chips = [...chips];
    this.list.replaceChildren(...this.chips.map(chip));
    this.refocus(focused);
    this.actions.changed();
  }

  private remove(id: string): void {
    const focused = this.focusedIndex();
    this.chips = this.chips.filter(c => c.id !== id);
    this.list.querySelector(`.chip[data-id="${CSS.escape(id)}"]`)?.remove();
    this.refocus(focused);
    this.actions.remove(id);
    this.actions.changed();
  }

  private focusedIndex(): number | undefined {
    const active = document.activeElement;
    if (!(active instanceof Element) || !this.list.contains(active)) return undefined;
    return Array.from(this.list.children).findIndex(c => c.contains(active));
  }

  /** After a chip disappears, focus goes to the chip now in its place, or to "+ File". */
  private refocus(index: number | undefined): void {
    if (index === undefined || (document.activeElement instanceof Element && this.list.contains(document.activeElement))) return;
    const next = this.list.children[index] ?? this.list.lastElementChild;
    (next?.querySelector('button') ?? this.addFile).focus();
  }
}

function chip(c: ContextChip): HTMLElement {
  const node = element('span', `chip chip-${c.kind}`);
  node.dataset.id = c.id;
  const label = element('span', 'chip-label', c.label);
  label.title = strings.chipTitle(c.detail, c.tokens);
  const remove = button({ label: strings.removeChip(c.label), className: 'chip-remove', text: '', icon: icon(ICON_CLOSE) });
  node.append(label, remove);
  return node;
}
