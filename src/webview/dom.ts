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
  icon?: SVGElement;
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

const SVG_NS = 'http://www.w3.org/2000/svg';

/** A 16x16 decorative icon drawn in the current text colour (the view has no icon font). */
export function icon(path: string): SVGSVGElement {
  const svg = document.createElementNS(SVG_NS, 'svg');
  svg.setAttribute('viewBox', '0 0 16 16');
  svg.setAttribute('width', '16');
  svg.setAttribute('height', '16');
  svg.setAttribute('aria-hidden', 'true');
  svg.setAttribute('focusable', 'false');
  svg.setAttribute('class', 'icon');
  const shape = document.createElementNS(SVG_NS, 'path');
  shape.setAttribute('d', path);
  shape.setAttribute('fill', 'currentColor');
  svg.append(shape);
  return svg;
}

export const ICON_SEND = 'M1.5 1.2 15 8 1.5 14.8 3.2 8.8 9.5 8 3.2 7.2z';
export const ICON_STOP = 'M3.5 3.5h9v9h-9z';
export const ICON_LIST = 'M2 3h12v1.5H2zm0 4.25h12v1.5H2zm0 4.25h12V13H2z';
export const ICON_PLUS = 'M7.25 2h1.5v5.25H14v1.5H8.75V14h-1.5V8.75H2v-1.5h5.25z';
export const ICON_EXPORT = 'M7.25 1.5h1.5v7.2l2.7-2.7 1.06 1.06L8 11.56 3.49 7.06 4.55 6l2.7 2.7zM2 13h12v1.5H2z';
export const ICON_EDIT = 'M11.7 1.3 14.7 4.3 5.4 13.6 1.5 14.5 2.4 10.6z';
export const ICON_TRASH = 'M6 1h4v1.5h4V4H2V2.5h4zM3.2 5h9.6l-.8 10H4z';
export const ICON_CLOSE = 'M4.2 3.1 8 6.9l3.8-3.8 1.1 1.1L9.1 8l3.8 3.8-1.1 1.1L8 9.1l-3.8 3.8-1.1-1.1L6.9 8 3.1 4.2z';
