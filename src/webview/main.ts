// Entry point of the chat webview bundle: connects the host's messages to the view and the view's
// intents to the host.

import { parseHostMessage, type WebviewMessage } from '../protocol';
import { ChatView } from './chatView';
import { toComposerMemory } from './composer';
import { interceptLinks } from './links';

interface VsCodeApi {
  postMessage(message: WebviewMessage): void;
  getState(): unknown;
  setState(state: unknown): void;
}

declare function acquireVsCodeApi(): VsCodeApi;

const vscode = acquireVsCodeApi();
const post = (message: WebviewMessage): void => vscode.postMessage(message);

const root = document.getElementById('app') ?? document.body.appendChild(document.createElement('div'));
// The page is torn down when the view is hidden; what was being typed comes back from VS Code's state.
const saved = vscode.getState() as { composer?: unknown } | undefined;
const view = new ChatView(root, post, {
  memory: toComposerMemory(saved?.composer),
  remember: composer => vscode.setState({ composer }),
});
interceptLinks(document, post);

window.addEventListener('message', (event: MessageEvent<unknown>) => {
  const message = parseHostMessage(event.data);
  // Malformed or unknown messages (a stale bundle after an update) are dropped; the host logs its side.
  if (message) view.handle(message);
});

post({ type: 'ready' });
