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

// What the renderer produces (markdown.ts: no raw HTML) is built here node by node, without an HTML
// parser, which costs a fraction of DOMPurify's new document, parse and walk: that was most of a
// streaming frame's script time. It is stricter than the allowlist above: a subset of its tags, only the
// attributes the renderer writes, each checked (a class of word characters, a fence's language name, a
// list's start number, a link target that passes isAllowedHref and DOMPurify's own URI check), text
// only as text nodes, and the four entities the renderer's escaping writes. Anything else (an image
// link's title, another entity, a tag or attribute the renderer does not write) goes through DOMPurify,
// so both paths give the same nodes; a Chromium test compares them with the browser's own parse.
const PLAIN_TAGS = new Set([
  'a', 'blockquote', 'code', 'del', 'em', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'li', 'ol', 'p', 'pre', 's',
  'span', 'strong', 'table', 'tbody', 'td', 'th', 'thead', 'tr', 'ul',
]);
const PLAIN_VOID = new Set(['br', 'hr']);
const PLAIN_PART = /<(\/?)([a-z][a-z0-9]*)((?: [a-z-]+="[^"<>]*")*)>|[^<]+/y;
const ATTRIBUTE = / ([a-z-]+)="([^"]*)"/g;
const ENTITIES: Readonly<Record<string, string>> = { '&amp;': '&', '&lt;': '<', '&gt;': '>', '&quot;': '"' };
const URI = /^(?:https?:|mailto:|#)/i;

function decode(text: string): string | undefined {
  const decoded = text.replace(/&[a-z]*;?/g, e => ENTITIES[e] ?? '\0');
  return decoded.includes('\0') ? undefined : decoded;
}

/** Whether the renderer writes this attribute on this tag, with a value like this one. */
function plainAttribute(tag: string, name: string, value: string): boolean {
  switch (name) {
    case 'class':
      return (tag === 'span' || tag === 'code' || tag === 'td' || tag === 'th') && /^[\w-]+(?: [\w-]+)*$/.test(value);
    case 'data-lang':
      return tag === 'code' && /^[\w+#.-]{1,40}$/.test(value);
    case 'start':
      return tag === 'ol' && /^\d{1,9}$/.test(value);
    case 'href':
      return tag === 'a' && URI.test(value) && isAllowedHref(value);
    default:
      return false;
  }
}

/** DOM nodes for renderer HTML of the kind described above, or undefined for any other HTML. */
function plainFragment(html: string): DocumentFragment | undefined {
  const fragment = document.createDocumentFragment();
  const open: Element[] = [];
  let parent: ParentNode = fragment;
  let afterPre = false;
  PLAIN_PART.lastIndex = 0;
  while (PLAIN_PART.lastIndex < html.length) {
    const m = PLAIN_PART.exec(html);
    if (!m) return undefined;
    const [part, slash, tag, attributes] = m;
    if (tag === undefined) {
      // The HTML parser drops a newline right after <pre>; the renderer never writes one there.
      if (part.includes('>') || (afterPre && part.startsWith('\n'))) return undefined;
      const text = decode(part);
      if (text === undefined) return undefined;
      parent.appendChild(document.createTextNode(text));
    } else if (slash) {
      if (attributes || open.pop()?.localName !== tag) return undefined;
      parent = open[open.length - 1] ?? fragment;
    } else {
      const isVoid = PLAIN_VOID.has(tag);
      if (!isVoid && !PLAIN_TAGS.has(tag)) return undefined;
      const element = document.createElement(tag);
      for (const [, name, raw] of attributes.matchAll(ATTRIBUTE)) {
        const value = decode(raw);
        if (value === undefined || !plainAttribute(tag, name, value) || element.hasAttribute(name)) return undefined;
        element.setAttribute(name, value);
      }
      parent.appendChild(element);
      if (!isVoid) {
        open.push(element);
        parent = element;
      }
    }
    afterPre = tag === 'pre' && !slash;
  }
  return open.length === 0 ? fragment : undefined;
}

/** Sanitized DOM nodes for renderer HTML, owned by this document. */
export function sanitizeToFragment(html: string): DocumentFragment {
  return plainFragment(html) ?? (purify.sanitize(html) as unknown as DocumentFragment);
}
