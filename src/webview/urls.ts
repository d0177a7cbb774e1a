// Which link targets an answer may carry, and which of those the host may open. Shared by the markdown
// parser, the sanitizer and the click handler so the three layers cannot disagree.

/** Targets an answer's links may keep; anything else (command:, vscode:, javascript:, data:, file:,
 *  relative paths that would resolve inside the webview) is rendered without a link. */
export function isAllowedHref(url: string): boolean {
  return /^(?:https?:\/\/|mailto:|#)/i.test(url.trim());
}

/** The absolute http(s) URL a clicked link may ask the host to open, or undefined when it stays inert. */
export function openableUrl(href: string): string | undefined {
  let url: URL;
  try {
    url = new URL(href.trim());
  } catch {
    return undefined;
  }
  return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : undefined;
}
