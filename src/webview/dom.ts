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
