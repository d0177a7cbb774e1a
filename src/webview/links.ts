// Links never navigate the webview. Every click on an anchor is cancelled; an http(s) target is handed
// to the host, which asks the user before opening it. Other schemes (command:, vscode:, javascript:,
// data:, file:) should not survive rendering at all; if one did, it still does nothing here.
// The click must also stop propagating: VS Code's webview frame has its own window-level click handler
// that opens any clicked link (ignoring defaultPrevented), which would bypass the host's confirmation.

import type { WebviewMessage } from '../protocol';
import { openableUrl } from './urls';

export function interceptLinks(doc: Document, post: (message: WebviewMessage) => void): void {
  const anchorOf = (e: Event): HTMLAnchorElement | null =>
    e.target instanceof Element ? e.target.closest('a') : null;

  // Capture phase, so no other handler can act on the click first.
  doc.addEventListener(
    'click',
    e => {
      const anchor = anchorOf(e);
      if (!anchor) return;
      e.preventDefault();
      e.stopPropagation();
      const href = openableUrl(anchor.getAttribute('href') ?? '');
      if (href !== undefined) post({ type: 'openLink', href });
    },
    true,
  );
  // Middle-click would open the target in a new window, outside the host's confirmation.
  doc.addEventListener(
    'auxclick',
    e => {
      if (!anchorOf(e)) return;
      e.preventDefault();
      e.stopPropagation();
    },
    true,
  );
  doc.addEventListener(
    'dragstart',
    e => {
      if (anchorOf(e)) e.preventDefault();
    },
    true,
  );
}
