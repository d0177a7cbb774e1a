// Serves the chat webview bundle the way VS Code hosts it (same CSP, nonce on the scripts, the real
// media/chat.css) from a loopback server, with a fake acquireVsCodeApi that records what the view posts.
// A page without the CSP is available too (?csp=off), so sanitizer tests can tell the sanitizer from the
// CSP, and one with light theme variables (?theme=light) for the light screenshot.
import { chatViewCsp } from '../../src/core/webviewCsp';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as http from 'http';
import type { AddressInfo } from 'net';
import * as path from 'path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import type { HostMessage, WebviewMessage } from '../../src/protocol';

export const ROOT = path.resolve(__dirname, '..', '..');

// Defined before the bundle runs: records posts, CSP violations and errors the test asserts on.
const FAKE_VSCODE = `
window.__posted = [];
window.__violations = [];
document.addEventListener('securitypolicyviolation', e => {
  window.__violations.push(e.violatedDirective + ' ' + e.blockedURI);
});
// Stands in for VS Code's own window-level click handler, which opens any clicked link.
window.__linkClicksReachingWindow = [];
window.addEventListener('click', e => {
  const a = e.composedPath().find(n => n.tagName === 'A' && n.href);
  if (a) window.__linkClicksReachingWindow.push(a.href);
});
let acquired = false;
window.acquireVsCodeApi = () => {
  if (acquired) throw new Error('acquireVsCodeApi called twice');
  acquired = true;
  return {
    postMessage: message => { window.__posted.push(JSON.parse(JSON.stringify(message))); },
    getState: () => undefined,
    setState: () => undefined,
  };
};
`;

// What VS Code injects for a dark theme (a subset), so the screenshot and focus outlines look real.
const THEME_CSS = `:root {
  --vscode-font-family: system-ui, sans-serif; --vscode-font-size: 13px; --vscode-font-weight: normal;
  --vscode-editor-font-family: monospace; --vscode-editor-font-size: 13px;
  --vscode-foreground: #cccccc; --vscode-descriptionForeground: #9d9d9d; --vscode-errorForeground: #f85149;
  --vscode-sideBar-background: #181818; --vscode-editor-background: #1f1f1f; --vscode-editor-foreground: #cccccc;
  --vscode-panel-border: #2b2b2b; --vscode-widget-border: #313131; --vscode-focusBorder: #0078d4;
  --vscode-textLink-foreground: #4daafc; --vscode-textLink-activeForeground: #4daafc;
  --vscode-textCodeBlock-background: #2b2b2b; --vscode-textPreformat-foreground: #d0d0d0;
  --vscode-textBlockQuote-background: #2b2b2b; --vscode-textBlockQuote-border: #616161;
  --vscode-button-background: #0078d4; --vscode-button-foreground: #ffffff; --vscode-button-hoverBackground: #026ec1;
  --vscode-button-secondaryBackground: #313131; --vscode-button-secondaryForeground: #cccccc;
  --vscode-button-secondaryHoverBackground: #3c3c3c; --vscode-button-border: #ffffff12;
  --vscode-input-background: #313131; --vscode-input-foreground: #cccccc; --vscode-input-border: #3c3c3c;
  --vscode-input-placeholderForeground: #989898;
  --vscode-inputValidation-errorBackground: #5a1d1d; --vscode-inputValidation-errorBorder: #be1100;
  --vscode-toolbar-hoverBackground: #5a5d5e50; --vscode-list-hoverBackground: #2a2d2e;
  --vscode-list-inactiveSelectionBackground: #37373d; --vscode-widget-shadow: #0000005c;
  --vscode-symbolIcon-keywordForeground: #569cd6; --vscode-symbolIcon-functionForeground: #dcdcaa;
  --vscode-symbolIcon-classForeground: #4ec9b0; --vscode-symbolIcon-variableForeground: #9cdcfe;
  --vscode-symbolIcon-constantForeground: #4fc1ff; --vscode-symbolIcon-propertyForeground: #9cdcfe;
  --vscode-debugTokenExpression-string: #ce9178; --vscode-debugTokenExpression-number: #b5cea8;
  --vscode-debugTokenExpression-name: #c586c0; --vscode-debugTokenExpression-value: #cccccc99;
}`;

// The same subset for VS Code's default light theme, for the light screenshot.
const THEME_LIGHT_CSS = `:root {
  --vscode-font-family: system-ui, sans-serif; --vscode-font-size: 13px; --vscode-font-weight: normal;
  --vscode-editor-font-family: monospace; --vscode-editor-font-size: 13px;
  --vscode-foreground: #3b3b3b; --vscode-descriptionForeground: #717171; --vscode-errorForeground: #f85149;
  --vscode-sideBar-background: #f8f8f8; --vscode-editor-background: #ffffff; --vscode-editor-foreground: #3b3b3b;
  --vscode-panel-border: #e5e5e5; --vscode-widget-border: #e5e5e5; --vscode-focusBorder: #005fb8;
  --vscode-textLink-foreground: #005fb8; --vscode-textLink-activeForeground: #005fb8;
  --vscode-textCodeBlock-background: #f2f2f2; --vscode-textPreformat-foreground: #3b3b3b;
  --vscode-textBlockQuote-background: #f8f8f8; --vscode-textBlockQuote-border: #e5e5e5;
  --vscode-button-background: #005fb8; --vscode-button-foreground: #ffffff; --vscode-button-hoverBackground: #0258a8;
  --vscode-button-secondaryBackground: #e5e5e5; --vscode-button-secondaryForeground: #3b3b3b;
  --vscode-button-secondaryHoverBackground: #cccccc; --vscode-button-border: #0000001a;
  --vscode-input-background: #ffffff; --vscode-input-foreground: #3b3b3b; --vscode-input-border: #cecece;
  --vscode-input-placeholderForeground: #767676;
  --vscode-inputValidation-errorBackground: #f2dede; --vscode-inputValidation-errorBorder: #be1100;
  --vscode-toolbar-hoverBackground: #b8b8b850; --vscode-list-hoverBackground: #f2f2f2;
  --vscode-list-inactiveSelectionBackground: #e4e6f1; --vscode-widget-shadow: #00000029;
  --vscode-symbolIcon-keywordForeground: #0000ff; --vscode-symbolIcon-functionForeground: #795e26;
  --vscode-symbolIcon-classForeground: #d67e00; --vscode-symbolIcon-variableForeground: #001080;
  --vscode-symbolIcon-constantForeground: #0070c1; --vscode-symbolIcon-propertyForeground: #001080;
  --vscode-debugTokenExpression-string: #a31515; --vscode-debugTokenExpression-number: #098658;
  --vscode-debugTokenExpression-name: #9b46b0; --vscode-debugTokenExpression-value: #6c6c6c;
}`;

export interface TestServer {
  readonly origin: string;
  close(): Promise<void>;
}

function page(origin: string, csp: boolean, light: boolean): string {
  const nonce = crypto.randomBytes(18).toString('base64');
  // The very policy the host serves.
  const policy = chatViewCsp(origin, nonce);
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
${csp ? `<meta http-equiv="Content-Security-Policy" content="${policy}">` : ''}
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${origin}/test/${light ? 'theme-light' : 'theme'}.css">
<link rel="stylesheet" href="${origin}/dist/codicon.css">
<link rel="stylesheet" href="${origin}/media/chat.css">
<title>Tandem</title>
</head>
<body class="${light ? 'vscode-light' : 'vscode-dark'}">
<div id="app"></div>
<script nonce="${nonce}" src="${origin}/test/fake-vscode.js"></script>
<script nonce="${nonce}" src="${origin}/dist/webview.js"></script>
</body>
</html>`;
}

export async function startServer(): Promise<TestServer> {
  const files: Record<string, { type: string; body: () => string | Buffer }> = {
    '/test/fake-vscode.js': { type: 'text/javascript', body: () => FAKE_VSCODE },
    '/test/theme.css': { type: 'text/css', body: () => THEME_CSS },
    '/test/theme-light.css': { type: 'text/css', body: () => THEME_LIGHT_CSS },
    '/media/chat.css': { type: 'text/css', body: () => fs.readFileSync(path.join(ROOT, 'media', 'chat.css')) },
    '/dist/codicon.css': { type: 'text/css', body: () => fs.readFileSync(path.join(ROOT, 'dist', 'codicon.css')) },
    '/dist/codicon.ttf': { type: 'font/ttf', body: () => fs.readFileSync(path.join(ROOT, 'dist', 'codicon.ttf')) },
    '/dist/webview.js': { type: 'text/javascript', body: () => fs.readFileSync(path.join(ROOT, 'dist', 'webview.js')) },
  };
  let origin = '';
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', origin);
    if (url.pathname === '/') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
      res.end(page(origin, url.searchParams.get('csp') !== 'off', url.searchParams.get('theme') === 'light'));
      return;
    }
    const file = files[url.pathname];
    if (!file) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': `${file.type}; charset=utf-8`, 'cache-control': 'no-store' });
    res.end(file.body());
  });
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    close: () =>
      new Promise<void>(resolve => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** What the page's globals look like to the test (the test's tsconfig has no DOM types). */
interface PageGlobals {
  postMessage(message: unknown, targetOrigin: string): void;
  requestAnimationFrame(callback: () => void): number;
  setTimeout(callback: () => void, ms: number): number;
  __posted: WebviewMessage[];
  __violations: string[];
  __linkClicksReachingWindow: string[];
}

/**
 * Chromium for the webview page: a narrow sidebar-sized context in which every request is recorded in
 * `requests` and none but the test server's is let through.
 */
export async function launchIsolated(server: TestServer, requests: string[]): Promise<{ browser: Browser; context: BrowserContext }> {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
  });
  const context = await browser.newContext({ viewport: { width: 420, height: 760 } });
  await context.route('**/*', route => {
    const url = route.request().url();
    requests.push(url);
    if (url.startsWith(`${server.origin}/`)) void route.continue();
    else void route.abort();
  });
  return { browser, context };
}

/** Drives the view the way the host does and reads back what it posted. */
export class WebviewPage {
  constructor(readonly page: Page) {}

  /** Posts a host message and waits until the view has handled it and drawn a frame. */
  async send(...messages: HostMessage[]): Promise<void> {
    await this.page.evaluate(async list => {
      const w = globalThis as unknown as PageGlobals;
      for (const m of list) w.postMessage(m, '*');
      await new Promise<void>(r => w.setTimeout(r, 0));
      await new Promise<void>(r => w.requestAnimationFrame(() => w.requestAnimationFrame(r)));
    }, messages);
  }

  /**
   * Streams `chunks` as append messages; after the chunks whose index is in `pauses` it waits for a frame,
   * so the view renders partial answers as it would between network reads.
   */
  async stream(conversationId: string, messageId: string, chunks: readonly string[], pauses: readonly number[]): Promise<void> {
    await this.page.evaluate(
      async ({ conversationId, messageId, chunks, pauses }) => {
        const w = globalThis as unknown as PageGlobals;
        const settle = async (): Promise<void> => {
          await new Promise<void>(r => w.setTimeout(r, 0));
          await new Promise<void>(r => w.requestAnimationFrame(() => w.requestAnimationFrame(r)));
        };
        const pauseAt = new Set(pauses);
        for (let i = 0; i < chunks.length; i++) {
          w.postMessage({ type: 'append', conversationId, messageId, text: chunks[i] }, '*');
          if (pauseAt.has(i)) await settle();
        }
        await settle();
      },
      { conversationId, messageId, chunks: [...chunks], pauses: [...pauses] },
    );
  }

  posted(): Promise<WebviewMessage[]> {
    return this.page.evaluate(() => (globalThis as unknown as PageGlobals).__posted.slice());
  }

  async clearPosted(): Promise<void> {
    await this.page.evaluate(() => {
      (globalThis as unknown as PageGlobals).__posted.length = 0;
    });
  }

  violations(): Promise<string[]> {
    return this.page.evaluate(() => (globalThis as unknown as PageGlobals).__violations.slice());
  }

  /** Link clicks that VS Code's webview frame would have seen (and opened without asking). */
  linkClicksReachingWindow(): Promise<string[]> {
    return this.page.evaluate(() => (globalThis as unknown as PageGlobals).__linkClicksReachingWindow.slice());
  }

  /** The focused element: its id, classes, accessible label and text, or undefined for the body. */
  focused(): Promise<{ id: string; className: string; label: string; text: string } | undefined> {
    return this.page.evaluate(() => {
      const doc = (globalThis as unknown as {
        document: { activeElement: { id: string; className: string; tagName: string; textContent: string | null; getAttribute(n: string): string | null } | null };
      }).document;
      const el = doc.activeElement;
      if (!el || el.tagName === 'BODY') return undefined;
      return { id: el.id, className: String(el.className), label: el.getAttribute('aria-label') ?? '', text: el.textContent ?? '' };
    });
  }

  /** The message's rendered markdown, once nothing of it waits in the render queue. */
  async bodyHtml(messageId: string): Promise<string> {
    const message = `.message[data-id="${messageId}"]`;
    await this.page.waitForFunction(m => !(globalThis as unknown as { document: { querySelector(s: string): unknown } }).document.querySelector(`${m} .md-pending`), message, { timeout: 10_000 });
    return this.page.locator(`${message} .message-body`).innerHTML();
  }
}
