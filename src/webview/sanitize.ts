// The second line of defence after markdown-it (which already emits no raw HTML): an allowlist of the
// tags and attributes the renderer produces, with link targets limited as in urls.ts. Anything an
// answer could smuggle past the parser is dropped here before it reaches the page.

import DOMPurify from 'dompurify';
import { isAllowedHref } from './urls';

// A private instance, so these hooks cannot affect or be affected by anything else in the bundle.
const purify = DOMPurify(window);

const ALLOWED_TAGS = [
  'a', 'blockquote', 'br', 'code', 'del', 'em', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'hr', 'li', 'ol', 'p',
  'pre', 's', 'span', 'strong', 'table', 'tbody', 'td', 'th', 'thead', 'tr', 'ul',
];
const FORBID_TAGS = [
  'style', 'form', 'input', 'iframe', 'object', 'embed', 'svg', 'math', 'img', 'script', 'link', 'meta',
  'base', 'button', 'textarea', 'select', 'video', 'audio', 'source', 'picture',
];
// data-lang: the fence's language as written (markdown.ts), read by the code buttons.
const ALLOWED_ATTR = ['href', 'title', 'class', 'start', 'data-lang'];

purify.addHook('uponSanitizeAttribute', (_node, data) => {
  if (/^on/i.test(data.attrName)) data.keepAttr = false;
});

purify.addHook('afterSanitizeAttributes', node => {
  if (node.nodeName !== 'A' || !(node instanceof Element)) return;
  const href = node.getAttribute('href');
  if (href !== null && !isAllowedHref(href)) node.removeAttribute('href');
});

// Set once: parsing the configuration on every call cost more than sanitizing a streaming tail.
purify.setConfig({
  ALLOWED_TAGS,
  ALLOWED_ATTR,
  FORBID_TAGS,
  FORBID_ATTR: ['style', 'id', 'name', 'src', 'srcset', 'action', 'formaction', 'xlink:href'],
  ALLOWED_URI_REGEXP: /^(?:https?:|mailto:|#)/i,
  // Otherwise DOMPurify checks their values as URLs and drops them (a list from "10." would start at 1).
  ADD_URI_SAFE_ATTR: ['data-lang', 'start'],
  ALLOW_DATA_ATTR: false,
  ALLOW_ARIA_ATTR: false,
  RETURN_DOM_FRAGMENT: true,
});

// Most of what a streaming tail renders is prose: paragraphs, lists, tables, headings, inline code and
// emphasis, with no attribute but a table cell's alignment. Such HTML is built here node by node, without
// an HTML parser, which costs a fraction of DOMPurify's new document, parse and walk on every frame. It is
// stricter than the allowlist above: a subset of its tags, no attribute besides that class, text only as
// text nodes. Anything else (links, code blocks, other attributes or entities) goes through DOMPurify.
const PLAIN_TAGS = new Set([
  'blockquote', 'code', 'del', 'em', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'li', 'ol', 'p', 's', 'strong',
  'table', 'tbody', 'td', 'th', 'thead', 'tr', 'ul',
]);
const PLAIN_VOID = new Set(['br', 'hr']);
const PLAIN_PART = /<(\/?)([a-z][a-z0-9]*)(?: class="(align-(?:left|center|right))")?>|[^<]+/y;
const ENTITIES: Readonly<Record<string, string>> = { '&amp;': '&', '&lt;': '<', '&gt;': '>', '&quot;': '"' };

/** DOM nodes for renderer HTML of the plain kind described above, or undefined for any other HTML. */
function plainFragment(html: string): DocumentFragment | undefined {
  const fragment = document.createDocumentFragment();
  const open: Element[] = [];
  let parent: ParentNode = fragment;
  PLAIN_PART.lastIndex = 0;
  while (PLAIN_PART.lastIndex < html.length) {
    const m = PLAIN_PART.exec(html);
    if (!m) return undefined;
    const [part, slash, tag, align] = m;
    if (tag === undefined) {
      if (part.includes('>')) return undefined;
      const text = part.replace(/&[a-z]*;?/g, e => ENTITIES[e] ?? '\0');
      if (text.includes('\0')) return undefined;
      parent.appendChild(document.createTextNode(text));
    } else if (slash) {
      if (open.pop()?.localName !== tag) return undefined;
      parent = open[open.length - 1] ?? fragment;
    } else if (PLAIN_VOID.has(tag) && !align) {
      parent.appendChild(document.createElement(tag));
    } else {
      if (!PLAIN_TAGS.has(tag) || (align && tag !== 'td' && tag !== 'th')) return undefined;
      const element = document.createElement(tag);
      if (align) element.className = align;
      parent.appendChild(element);
      open.push(element);
      parent = element;
    }
  }
  return open.length === 0 ? fragment : undefined;
}

/** Sanitized DOM nodes for renderer HTML, owned by this document. */
export function sanitizeToFragment(html: string): DocumentFragment {
  return plainFragment(html) ?? (purify.sanitize(html) as unknown as DocumentFragment);
}
