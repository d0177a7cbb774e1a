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
  // Otherwise DOMPurify checks its value as a URL and drops it.
  ADD_URI_SAFE_ATTR: ['data-lang'],
  ALLOW_DATA_ATTR: false,
  ALLOW_ARIA_ATTR: false,
  RETURN_DOM_FRAGMENT: true,
});

/** Sanitized DOM nodes for renderer HTML, owned by this document. */
export function sanitizeToFragment(html: string): DocumentFragment {
  return purify.sanitize(html) as unknown as DocumentFragment;
}
