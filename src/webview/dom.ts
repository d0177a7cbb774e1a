// Small DOM builders. Everything the view shows is created through these or the sanitizer, never by
// assigning HTML strings, so no text from the host is ever parsed as markup by accident.

export function element<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  className = '',
  text?: string,
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

export interface ButtonOptions {
  /** Accessible name and tooltip. */
  label: string;
  title?: string;
  className: string;
  /** Visible text; defaults to the label. Empty for an icon-only button. */
  text?: string;
  icon?: HTMLElement;
  id?: string;
}

export function button(options: ButtonOptions): HTMLButtonElement {
  const node = element('button', options.className);
  node.type = 'button';
  if (options.id) node.id = options.id;
  node.setAttribute('aria-label', options.label);
  node.title = options.title ?? options.label;
  if (options.icon) node.append(options.icon);
  const text = options.text ?? options.label;
  if (text) node.append(element('span', 'button-text', text));
  return node;
}

/** Shows `text` on a button for a moment ("Copied"), then `original` again. */
export function flashText(control: HTMLButtonElement, text: string, original: string, ms = 1500): void {
  const label = control.querySelector('.button-text');
  if (!label) return;
  label.textContent = text;
  setTimeout(() => {
    label.textContent = original;
  }, ms);
}

/** A codicon (VS Code's icon font, shipped in dist/ with the view), decorative: the button has the label. */
export function icon(name: string): HTMLSpanElement {
  const span = element('span', `icon codicon codicon-${name}`);
  span.setAttribute('aria-hidden', 'true');
  return span;
}

export const ICON_SEND = 'send';
export const ICON_STOP = 'debug-stop';
export const ICON_LIST = 'list-unordered';
export const ICON_PLUS = 'add';
export const ICON_EXPORT = 'export';
export const ICON_EDIT = 'edit';
export const ICON_TRASH = 'trash';
export const ICON_CLOSE = 'close';
