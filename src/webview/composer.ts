// The question box: Enter sends, Shift+Enter starts a new line, Up and Down walk through the questions
// sent from this view, Stop shows while an answer streams. Above it the context chips; next to Send an
// estimate of the tokens the question will cost.

import { estimateTokens } from '../core/tokens';
import { MAX_MESSAGE_TEXT, type ContextChip, type MentionItem, type OutgoingImage, type SessionTotals, type WebviewMessage } from '../protocol';
import { ContextChips } from './chips';
import { ImageChips } from './imageChips';
import { MentionPicker } from './mentionPicker';
import { button, element, icon, ICON_SEND, ICON_STOP } from './dom';
import { strings } from './strings';

export interface ComposerActions {
  /** `chips`: the ids of the context chips shown when the question was sent; `images`: pasted images. */
  ask(text: string, chips: string[], images: OutgoingImage[]): void;
  stop(): void;
  removeChip(id: string): void;
  pickFile(): void;
  /** Opens the host's model picker. */
  selectModel(): void;
  /** The # picker's questions to the host. */
  mention(message: Extract<WebviewMessage, { type: 'mentionQuery' | 'addMention' }>): void;
  setInstructions(on: boolean): void;
  /**
   * Keeps what is being typed and the questions sent across the view being hidden and shown again
   * (VS Code tears the page down when the view is hidden; its webview state survives that).
   */
  remember?(memory: ComposerMemory): void;
}

/** What the composer keeps while its page is torn down. */
export interface ComposerMemory {
  draft: string;
  history: string[];
}

/** A remembered state from an older bundle or a damaged store is ignored, never trusted. */
export function toComposerMemory(v: unknown): ComposerMemory | undefined {
  if (typeof v !== 'object' || v === null) return undefined;
  const { draft, history } = v as { draft?: unknown; history?: unknown };
  if (typeof draft !== 'string' || !Array.isArray(history)) return undefined;
  return { draft: draft.slice(0, MAX_MESSAGE_TEXT + 1), history: history.filter((h): h is string => typeof h === 'string').slice(-MAX_HISTORY) };
}

/** Leading blank lines and trailing whitespace carry nothing; leading spaces may be indentation. */
export function trimQuestion(text: string): string {
  return text.replace(/^(?:[ \t]*\r?\n)+/, '').trimEnd();
}

const MIN_ROWS = 2;
const MAX_ROWS = 10;
const MAX_HISTORY = 100;

export class Composer {
  readonly element: HTMLDivElement = element('div', 'composer');
  private readonly prompt: HTMLTextAreaElement = element('textarea');
  private readonly send: HTMLButtonElement;
  private readonly stopButton: HTMLButtonElement;
  private readonly model: HTMLButtonElement = element('button', 'model-label');
  private readonly totals: HTMLSpanElement = element('span', 'session-totals');
  private readonly estimate: HTMLSpanElement = element('span', 'token-estimate');
  private readonly chips: ContextChips;
  private readonly images: ImageChips;
  private readonly picker: MentionPicker;
  /** Questions sent from this view, oldest first; `historyIndex` = history.length is the draft. */
  private readonly history: string[] = [];
  private historyIndex = 0;
  private draft = '';
  private estimateRequested = false;
  private rememberTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly actions: ComposerActions, memory?: ComposerMemory) {
    this.prompt.id = 'prompt';
    this.prompt.rows = MIN_ROWS;
    this.prompt.placeholder = strings.promptPlaceholder;
    this.prompt.setAttribute('aria-label', strings.promptLabel);
    this.prompt.addEventListener('keydown', e => this.onKeyDown(e));
    this.prompt.addEventListener('input', () => {
      this.fitRows();
      this.requestEstimate();
      this.picker.update();
      this.rememberSoon();
    });
    // Leaving the box (another view, the editor) is the moment before the page may be torn down.
    this.prompt.addEventListener('blur', () => this.rememberNow());
    window.addEventListener('pagehide', () => this.rememberNow());
    this.prompt.addEventListener('keyup', e => {
      if (['ArrowLeft', 'ArrowRight', 'Home', 'End'].includes(e.key)) this.picker.update();
    });
    this.picker = new MentionPicker(this.prompt, m => this.actions.mention(m));

    this.chips = new ContextChips({
      remove: id => this.actions.removeChip(id),
      setInstructions: on => this.actions.setInstructions(on),
      pickFile: () => this.actions.pickFile(),
      changed: () => this.requestEstimate(),
    });

    // Pasted or dropped images: on the box, and anywhere on the composer for a drop.
    this.images = new ImageChips({ changed: () => this.requestEstimate() });
    this.prompt.addEventListener('paste', e => this.images.onPaste(e));
    this.element.addEventListener('dragover', e => this.images.onDragOver(e));
    this.element.addEventListener('drop', e => this.images.onDrop(e));

    this.estimate.id = 'token-estimate';
    this.estimate.title = strings.tokenEstimateTitle;
    this.send = button({ id: 'send', label: strings.send, title: strings.sendTitle, className: 'primary', icon: icon(ICON_SEND) });
    this.send.addEventListener('click', () => this.submit());
    this.stopButton = button({ id: 'stop', label: strings.stop, title: strings.stopTitle, className: 'secondary', icon: icon(ICON_STOP) });
    this.stopButton.hidden = true;
    this.stopButton.addEventListener('click', () => this.actions.stop());

    const bar = element('div', 'composer-bar');
    this.model.type = 'button';
    this.model.addEventListener('click', () => this.actions.selectModel());
    bar.append(this.model, this.totals, this.estimate, this.stopButton, this.send);
    this.element.append(this.chips.element, this.images.element, this.picker.element, this.prompt, bar);
    if (memory) {
      this.history.push(...memory.history);
      this.historyIndex = this.history.length;
      this.prompt.value = memory.draft;
      this.fitRows();
    }
    this.renderEstimate();
  }

  /**
   * Typing is remembered at once, so a view hidden right after a keystroke loses nothing; a large draft
   * (pasted logs) a moment after typing pauses, rather than serialized again on every keystroke.
   */
  private rememberSoon(): void {
    if (this.prompt.value.length < 20_000) {
      this.rememberNow();
      return;
    }
    if (this.rememberTimer !== undefined) clearTimeout(this.rememberTimer);
    this.rememberTimer = setTimeout(() => this.rememberNow(), 250);
  }

  private rememberNow(): void {
    if (this.rememberTimer !== undefined) clearTimeout(this.rememberTimer);
    this.rememberTimer = undefined;
    // While Up/Down shows an earlier question, the draft being typed is the one kept aside.
    const draft = this.historyIndex === this.history.length ? this.prompt.value : this.draft;
    this.actions.remember?.({ draft, history: [...this.history] });
  }

  setChips(chips: readonly ContextChip[]): void {
    this.chips.set(chips);
  }

  mentionItems(requestId: number, items: readonly MentionItem[]): void {
    this.picker.items(requestId, items);
  }

  mentionResult(requestId: number, error: string | undefined): void {
    this.picker.result(requestId, error);
  }

  setModel(model: string): void {
    this.model.textContent = model ? strings.modelLabel(model) : strings.noModel;
    this.model.title = strings.selectModelTitle(model);
    this.model.setAttribute('aria-label', strings.selectModelTitle(model));
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
    if (e.isComposing || e.altKey) return;
    if (this.picker.handleKey(e)) return;
    if (e.key === 'Enter' && !e.shiftKey) {
      e.preventDefault();
      this.submit();
    } else if ((e.key === 'ArrowUp' || e.key === 'ArrowDown') && !e.shiftKey && !e.ctrlKey && !e.metaKey && this.recall(e.key === 'ArrowUp' ? -1 : 1)) {
      e.preventDefault();
    }
  }

  /**
   * Up on the first line shows the previous question sent, Down on the last line the next one and
   * finally what was being typed. Returns false where the key should move the caret as usual.
   */
  private recall(step: -1 | 1): boolean {
    const box = this.prompt;
    const value = box.value;
    if (box.selectionStart !== box.selectionEnd) return false;
    const onEdge = step < 0 ? !value.slice(0, box.selectionStart).includes('\n') : !value.slice(box.selectionEnd).includes('\n');
    const index = this.historyIndex + step;
    if (!onEdge || index < 0 || index > this.history.length) return false;
    if (this.historyIndex === this.history.length) this.draft = value;
    this.historyIndex = index;
    box.value = index === this.history.length ? this.draft : this.history[index];
    // The caret goes where the next press of the same key continues through the history.
    const caret = step < 0 ? 0 : box.value.length;
    box.setSelectionRange(caret, caret);
    this.fitRows();
    this.requestEstimate();
    return true;
  }

  private submit(): void {
    const text = trimQuestion(this.prompt.value);
    if (this.images.busy) {
      this.images.say(strings.imageWait);
      return;
    }
    if (text === '') {
      if (this.images.count > 0) this.images.say(strings.imageNeedsQuestion);
      return;
    }
    // The host would drop it: keep the text where it is and say why.
    if (text.length > MAX_MESSAGE_TEXT) {
      this.renderEstimate();
      return;
    }
    this.actions.ask(text, this.chips.ids(), this.images.take());
    if (this.history[this.history.length - 1] !== text) this.history.push(text);
    if (this.history.length > MAX_HISTORY) this.history.shift();
    this.historyIndex = this.history.length;
    this.draft = '';
    this.prompt.value = '';
    this.fitRows();
    this.requestEstimate();
    this.rememberNow();
  }

  /** Estimates at most once per animation frame, however fast the user types. */
  private requestEstimate(): void {
    if (this.estimateRequested) return;
    this.estimateRequested = true;
    requestAnimationFrame(() => {
      this.estimateRequested = false;
      this.renderEstimate();
    });
  }

  private renderEstimate(): void {
    const length = trimQuestion(this.prompt.value).length;
    const tooLong = length > MAX_MESSAGE_TEXT;
    this.estimate.classList.toggle('too-long', tooLong);
    if (tooLong) {
      this.prompt.setAttribute('aria-invalid', 'true');
      this.prompt.setAttribute('aria-describedby', this.estimate.id);
    } else {
      this.prompt.removeAttribute('aria-invalid');
      this.prompt.removeAttribute('aria-describedby');
    }
    if (tooLong) {
      this.estimate.textContent = strings.tooLong(length, MAX_MESSAGE_TEXT);
      this.estimate.hidden = false;
      return;
    }
    const total = this.chips.tokens() + this.images.tokens() + estimateTokens(this.prompt.value, 'o200k');
    this.estimate.textContent = total > 0 ? strings.tokenEstimate(total) : '';
    this.estimate.hidden = total === 0;
  }

  /** Grows the box with its content up to a limit (rows, because the CSP forbids inline styles). */
  private fitRows(): void {
    const lines = this.prompt.value.split('\n').length;
    this.prompt.rows = Math.min(MAX_ROWS, Math.max(MIN_ROWS, lines));
  }
}
