// The chat view's Content-Security-Policy, defined once: the host serves it, the webview tests load the page under it.

/** `source`: the webview's cspSource (or a test server's origin); `nonce`: the one script tag's nonce. */
export function chatViewCsp(source: string, nonce: string): string {
  return [
    "default-src 'none'",
    `script-src 'nonce-${nonce}'`,
    `style-src ${source}`,
    `img-src ${source} data:`,
    `font-src ${source}`,
    // These two do not fall back to default-src.
    "form-action 'none'",
    "base-uri 'none'",
  ].join('; ');
}
