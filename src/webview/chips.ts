// The context chips above the question box: what will be sent with the next question (the selection,
// files the user added). × removes a chip at once and tells the host; "+ File" asks the host for a file.

import type { ContextChip } from '../protocol';
import { button, element, icon, ICON_CLOSE, ICON_PLUS } from './dom';
import { strings } from './strings';

export interface ChipActions {
  remove(id: string): void;
  /** Project instructions on or off for this conversation. */
  setInstructions(on: boolean): void;
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
      const target = e.target instanceof Element ? e.target : null;
      const toggle = target?.closest<HTMLButtonElement>('.chip-toggle');
      if (toggle) {
        if (toggle.getAttribute('aria-disabled') !== 'true') this.actions.setInstructions(toggle.getAttribute('aria-pressed') !== 'true');
        return;
      }
      const remove = target?.closest<HTMLButtonElement>('.chip-remove');
      const id = remove?.closest<HTMLElement>('.chip')?.dataset.id;
      if (id !== undefined) this.remove(id);
    });
    // Delete or Backspace on a chip's × removes it too, as in other chip inputs.
    this.list.addEventListener('keydown', e => {
      if (e.key !== 'Delete' && e.key !== 'Backspace') return;
      const id = e.target instanceof Element ? e.target.closest<HTMLButtonElement>('.chip-remove')?.closest<HTMLElement>('.chip')?.dataset.id : undefined;
      if (id === undefined) return;
      e.preventDefault();
      this.remove(id);
    });
    this.element.append(this.list, this.addFile);
  }

  /** The ids of the chips shown, which the next question carries. */
  ids(): string[] {
    return this.chips.filter(c => c.kind !== 'instructions').map(c => c.id);
  }

  tokens(): number {
    return this.chips.reduce((sum, c) => sum + (c.off ? 0 : c.tokens), 0);
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
  const node = element('span', `chip chip-${c.kind}${c.note ? ' has-note' : ''}${c.off ? ' off' : ''}`);
  node.dataset.id = c.id;
  // A group named with everything the chip shows, so a screen reader says it on entering the chip.
  node.setAttribute('role', 'group');
  const label = element('span', 'chip-label', c.label);
  label.title = strings.chipTitle(c.detail, c.tokens) + (c.note ? `\n${c.note}` : '');
  const parts: HTMLElement[] = [label];
  if (c.kind === 'instructions') {
    const on = !c.off;
    node.setAttribute('aria-label', strings.instructionsName(on, c.tokens, c.note));
    if (on) parts.push(element('span', 'chip-tokens', strings.chipTokens(c.tokens)));
    else parts.push(element('span', 'chip-tokens', strings.instructionsOff));
    const toggle = button({ label: strings.instructionsToggle(on), className: 'chip-toggle', text: '', icon: icon(on ? 'eye' : 'eye-closed') });
    toggle.setAttribute('aria-pressed', String(on));
    if (c.locked) {
      // Not `disabled`: it stays reachable with Tab, so its name and tooltip can say why.
      toggle.setAttribute('aria-disabled', 'true');
      toggle.title = c.note ?? strings.instructionsToggle(on);
    }
    parts.push(toggle);
  } else {
    node.setAttribute('aria-label', strings.chipName(c.label, c.tokens, c.note));
    parts.push(element('span', 'chip-tokens', strings.chipTokens(c.tokens)));
    parts.push(button({ label: strings.removeChip(c.label), className: 'chip-remove', text: '', icon: icon(ICON_CLOSE) }));
  }
  if (c.note) {
    const mark = icon('info');
    mark.classList.add('chip-note');
    mark.title = c.note;
    parts.splice(1, 0, mark);
  }
  node.append(...parts);
  return node;
}
