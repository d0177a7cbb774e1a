// What every command Tandem contributes does, in one place (dist/extension.js registers the ids).
import vscode = require('vscode');
import { Commands } from './ids';
import { EditTasks } from './editTasks';
import { fixRangeFor } from './editorContext';
import { endpointOrigin } from '../core/endpoint';
import { readSettings } from './settings';
import type { ChatSession, SystemAddition } from './session';
import type { ChatViewProvider } from './chatViewProvider';
import type { KeyStore } from './keyStore';
import type { Log } from './log';
import { selectModel, selectProvider, testConnection } from './providerCommands';
import type { DiffPreview } from './diffPreview';
import { isInWorkspace, isOpenOrInWorkspace } from './workspaceScope';
import type { EndpointResolver } from './endpoint';
import type { AnswerRunner } from './answerRunner';
import type { TandemParticipant } from './chatParticipant';

const OPENAI_ORIGIN = 'https://api.openai.com';

export interface CommandDeps {
  session: ChatSession;
  view: ChatViewProvider;
  keys: KeyStore;
  log: Log;
  state: vscode.Memento;
  diff: DiffPreview;
  endpoints: EndpointResolver;
  answers: AnswerRunner;
  participant: TandemParticipant;
  /** The project's instructions, for the editor tasks' system prompt. */
  instructions?: SystemAddition;
}

export type CommandId = (typeof Commands)[keyof typeof Commands];
/** Arguments come from VS Code untyped (menus, keybindings, executeCommand); each handler checks what it uses. */
export type CommandHandler = (...args: never[]) => unknown;

/**
 * Ticks a walkthrough step when what it asks for really happened (a provider chosen, a key stored, a
 * test passed), through the `tandem.walkthrough.<step>` context key its completion event waits for.
 */
function done<T>(step: 'provider' | 'key' | 'test' | 'explain', result: Promise<T> | T, succeeded: (r: T) => boolean = () => true): Promise<T> {
  return Promise.resolve(result).then(r => {
    if (succeeded(r)) void vscode.commands.executeCommand('setContext', `tandem.walkthrough.${step}`, true);
    return r;
  });
}

/**
 * What every command does. The activation bundle registers every id and calls in here once the host is
 * loaded; the record type makes a command without a handler a compile error.
 */
export function commandHandlers(d: CommandDeps): Record<CommandId, CommandHandler> {
  const tasks = new EditTasks(d);
  const range = (uri: vscode.Uri, l: number, c: number, el: number, ec: number) => ({ uri, range: new vscode.Range(l, c, el, ec) });
  // These take a URI from any caller (the lightbulb, but also a command link or another extension):
  // only an open document or a workspace file is read and sent.
  const scoped = (uri: unknown, run: (target: vscode.Uri) => Promise<unknown>): Promise<unknown> => {
    let target: vscode.Uri | undefined;
    try {
      target = typeof uri === 'string' ? vscode.Uri.parse(uri, true) : undefined;
    } catch {
      target = undefined;
    }
    if (!target || !isOpenOrInWorkspace(target)) {
      d.log.warn('commands', `refused a range command for ${String(uri).slice(0, 200)}: not an open document or a workspace file`);
      void vscode.window.showWarningMessage(vscode.l10n.t('Tandem works only on open documents and files in this workspace.'));
      return Promise.resolve('failed');
    }
    return run(target);
  };
  return {
    [Commands.explainSelection]: () => done('explain', tasks.run('explain')),
    [Commands.fixSelection]: () => tasks.run('fix'),
    [Commands.improveSelection]: () => tasks.run('improve'),
    [Commands.writeTests]: () => tasks.run('tests'),
    [Commands.addDocs]: () => tasks.run('docs'),
    [Commands.askAboutSelection]: (question?: string) => tasks.run('ask', { question: typeof question === 'string' ? question : undefined }),
    [Commands.fixDiagnostic]: (uri: string, l: number, c: number, el: number, ec: number) =>
      scoped(uri, async target => tasks.run('fix', { uri: target, range: await fixRangeFor(target, l, c, el, ec) })),
    [Commands.explainRange]: (uri: string, l: number, c: number, el: number, ec: number) => scoped(uri, target => tasks.run('explain', range(target, l, c, el, ec))),
    [Commands.improveRange]: (uri: string, l: number, c: number, el: number, ec: number) => scoped(uri, target => tasks.run('improve', range(target, l, c, el, ec))),
    [Commands.openChat]: () => done('explain', d.view.reveal(true)),
    [Commands.newConversation]: async () => {
      d.session.newConversation();
      await d.view.reveal(true);
    },
    [Commands.stopGenerating]: () => d.session.stop(),
    [Commands.setApiKey]: () => done('key', setApiKey(d), ok => ok === true),
    [Commands.clearApiKey]: () => clearApiKey(d),
    [Commands.showLog]: () => d.log.show(),
    [Commands.selectProvider]: () => done('provider', selectProvider(d), ok => ok === true),
    [Commands.selectModel]: () => selectModel(d),
    [Commands.testConnection]: (opts?: { quiet?: boolean }) => done('test', testConnection(d, { quiet: opts?.quiet === true }), r => r.ok),
    [Commands.exportConversation]: (opts?: { id?: string; path?: string }) => exportConversation(d, opts),
    [Commands.acceptEdit]: () => d.diff.resolve(true),
    [Commands.rejectEdit]: () => d.diff.resolve(false),
    // The button @tandem puts under an answer: its argument is a proposal id the participant handed out.
    [Commands.reviewChatEdit]: (id?: string) => d.participant.review(id),
  };
}

/**
 * Writes a conversation as Markdown where the save dialog says; returns the file. `path` (for tests and
 * automation) must be a new .md file inside the workspace: any caller can run this command, and it must
 * not be able to overwrite a file with model-written text.
 */
async function exportConversation(d: CommandDeps, opts: { id?: string; path?: string } | undefined): Promise<string | undefined> {
  const id = typeof opts?.id === 'string' ? opts.id : d.session.activeConversationId;
  const markdown = d.session.exportMarkdown(id);
  if (!markdown || !/\n## /.test(markdown)) {
    void vscode.window.showInformationMessage(vscode.l10n.t('This conversation has no messages to export.'));
    return undefined;
  }
  let target: vscode.Uri | undefined;
  if (typeof opts?.path === 'string' && opts.path) {
    target = vscode.Uri.file(opts.path);
    if (!isInWorkspace(target) || !/\.md$/i.test(target.path) || (await exists(target))) {
      d.log.warn('export', `refused to export to ${opts.path}: only a new .md file inside the workspace can be named; otherwise the save dialog asks`);
      void vscode.window.showWarningMessage(vscode.l10n.t('Export refused: a conversation can only be exported to a new Markdown file in this workspace, or where the save dialog says.'));
      return undefined;
    }
  } else {
    const title = (markdown.split('\n')[0] ?? '').replace(/^# /, '').replace(/[^\w\- ]+/g, '').trim().slice(0, 60) || 'conversation';
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
    target = await vscode.window.showSaveDialog({
      title: vscode.l10n.t('Export Conversation'),
      defaultUri: folder ? vscode.Uri.joinPath(folder, `${title}.md`) : undefined,
      filters: { Markdown: ['md'] },
    });
  }
  if (!target) return undefined;
  await vscode.workspace.fs.writeFile(target, new TextEncoder().encode(markdown));
  d.log.info('export', `conversation ${id} written to ${target.toString()}`);
  return target.fsPath;
}

async function exists(uri: vscode.Uri): Promise<boolean> {
  try {
    await vscode.workspace.fs.stat(uri);
    return true;
  } catch {
    return false;
  }
}

function currentEndpoint(): { provider: string; origin: string } | undefined {
  const s = readSettings();
  const origin = s.baseUrl ? endpointOrigin(s.baseUrl) : undefined;
  if (!origin) {
    void vscode.window.showErrorMessage(vscode.l10n.t('The base URL "{0}" is not an http(s) URL. Fix "tandem.baseUrl" first.', s.rawBaseUrl), vscode.l10n.t('Open Settings'))
      .then(p => p && vscode.commands.executeCommand('workbench.action.openSettings', 'tandem.baseUrl'));
    return undefined;
  }
  return { provider: s.provider, origin };
}

async function setApiKey(d: CommandDeps): Promise<boolean> {
  const ep = currentEndpoint();
  if (!ep) return false;
  if (ep.origin !== OPENAI_ORIGIN) {
    const enter = vscode.l10n.t('Enter an API key');
    const none = vscode.l10n.t('This server needs no key');
    const pick = await vscode.window.showQuickPick([enter, none], { title: vscode.l10n.t('API key for {0}', ep.origin), ignoreFocusOut: true });
    if (!pick) return false;
    if (pick === none) {
      await d.keys.markNoKey(ep.provider, ep.origin);
      void vscode.window.showInformationMessage(vscode.l10n.t('Tandem will send no key to {0}.', ep.origin));
      return true;
    }
  }
  const key = await vscode.window.showInputBox({
    title: vscode.l10n.t('API key for {0} ({1})', ep.origin, ep.provider),
    prompt: vscode.l10n.t('Stored in VS Code\'s secret storage and sent only to {0}.', ep.origin),
    password: true,
    ignoreFocusOut: true,
    validateInput: v => (v.trim() === '' ? vscode.l10n.t('Enter a key, or press Escape to cancel.') : /\s/.test(v.trim()) ? vscode.l10n.t('A key has no spaces in it.') : undefined),
  });
  if (key === undefined || key.trim() === '') return false;
  await d.keys.store(ep.provider, ep.origin, key.trim());
  d.log.addSecret(key.trim());
  d.log.info('keys', `stored a key for ${ep.provider} at ${ep.origin}`);
  void vscode.window.showInformationMessage(vscode.l10n.t('API key stored for {0}.', ep.origin));
  return true;
}

async function clearApiKey(d: CommandDeps): Promise<void> {
  const ep = currentEndpoint();
  if (!ep) return;
  const had = await d.keys.clear(ep.provider, ep.origin);
  d.log.info('keys', `cleared the key for ${ep.provider} at ${ep.origin}`);
  void vscode.window.showInformationMessage(had ? vscode.l10n.t('API key for {0} removed.', ep.origin) : vscode.l10n.t('No API key was stored for {0}.', ep.origin));
}

const ENV_OFFERED = 'tandem.envKeyOffered';

/** Offers once to import OPENAI_API_KEY from the environment, naming where it will be sent. */
export async function offerEnvKeyImport(d: Pick<CommandDeps, 'keys' | 'log' | 'state' | 'session'>, provider: string, origin: string, retryMessageId: string | undefined): Promise<void> {
  const envKey = process.env.OPENAI_API_KEY?.trim();
  if (!envKey || provider !== 'openai' || origin !== OPENAI_ORIGIN || d.state.get<boolean>(ENV_OFFERED)) return;
  await d.state.update(ENV_OFFERED, true);
  const use = vscode.l10n.t('Use It');
  const pick = await vscode.window.showInformationMessage(
    vscode.l10n.t('OPENAI_API_KEY is set in the environment. Store it in VS Code\'s secret storage and use it for {0}?', origin),
    use,
    vscode.l10n.t('Not Now'),
  );
  if (pick !== use) return;
  await d.keys.store(provider, origin, envKey);
  d.log.addSecret(envKey);
  d.log.info('keys', `imported OPENAI_API_KEY for ${origin}`);
  if (retryMessageId) await d.session.retry(retryMessageId);
}
