// The question box: Enter sends, Shift+Enter starts a new line, Stop shows while an answer streams.

import { button, element, icon, ICON_SEND, ICON_STOP } from './dom';
import { strings } from './strings';
import type { SessionTotals } from '../protocol';

export interface ComposerActions {
  ask(text: string): void;
  stop(): void;
}

const MIN_ROWS = 2;
const MAX_ROWS = 10;

export class Composer {
  readonly element: HTMLDivElement = element('div', 'composer');
  private readonly prompt: HTMLTextAreaElement = element('textarea');
  private readonly send: HTMLButtonElement;
  private readonly stopButton: HTMLButtonElement;
  private readonly model: HTMLSpanElement = element('span', 'model-label');
  private readonly totals: HTMLSpanElement = element('span', 'session-totals');

  constructor(private readonly actions: ComposerActions) {
    this.prompt.id = 'prompt';
    this.prompt.rows = MIN_ROWS;
    this.prompt.placeholder = strings.promptPlaceholder;
    this.prompt.setAttribute('aria-label', strings.promptLabel);
    this.prompt.addEventListener('keydown', e => this.onKeyDown(e));
    this.prompt.addEventListener('input', () => this.fitRows());

    this.send = button({ id: 'send', label: strings.send, title: strings.sendTitle, className: 'primary', icon: icon(ICON_SEND) });
    this.send.addEventListener('click', () => this.submit());
    this.stopButton = button({ id: 'stop', label: strings.stop, title: strings.stopTitle, className: 'secondary', icon: icon(ICON_STOP) });
    this.stopButton.hidden = true;
    this.stopButton.addEventListener('click', () => this.actions.stop());

    const bar = element('div', 'composer-bar');
    bar.append(this.model, this.totals, this.stopButton, this.send);
    this.element.append(this.prompt, bar);
  }

  setModel(model: string): void {
    this.model.textContent = model ? strings.modelLabel(model) : '';
    this.model.title = model;
  }

  setTotals(totals: SessionTotals | undefined): void {
    this.totals.textContent = totals && totals.answers > 0 ? strings.totals(totals.answers, totals.promptTokens, totals.completionTokens, totals.costUsd) : '';
  }

  setStreaming(streaming: boolean): void {
    this.stopButton.hidden = !streaming;
  }

  focus(): void {
    this.prompt.focus();
  }

  private onKeyDown(e: KeyboardEvent): void {
    // isComposing: Enter that confirms an IME composition must not send the half-typed question.
    if (e.key !== 'Enter' || e.shiftKey || e.altKey || e.isComposing) return;
    e.preventDefault();
    this.submit();
  }

  private submit(): void {
    // Leading blank lines and trailing whitespace carry nothing; leading spaces may be indentation.
    const text = this.prompt.value.replace(/^(?:[ \t]*\r?\n)+/, '').trimEnd();
    if (text === '') return;
    this.actions.ask(text);
    this.prompt.value = '';
    this.fitRows();
  }

  /** Grows the box with its content up to a limit (rows, because the CSP forbids inline styles). */
  private fitRows(): void {
    const lines = this.prompt.value.split('\n').length;
    this.prompt.rows = Math.min(MAX_ROWS, Math.max(MIN_ROWS, lines));
  }
}
