// Choosing where requests go and with which model, and checking that it works: Select Provider,
// Select Model, Test Connection. Failures here are notifications: these commands run outside the chat.
import vscode = require('vscode');
import { Commands, SETTINGS_SECTION } from './ids';
import { PROVIDERS, azureApiVersionFromUrl, azureDeploymentFromUrl, normalizeProviderBaseUrl, providerById } from '../core/providers';
import { isReasoningModel } from '../core/modelTraits';
import { readSettings, type TandemSettings } from './settings';
import { loadLlm } from './llmLoader';
import type { KeyStore, KeyLookup } from './keyStore';
import type { Log } from './log';
import type { ServerRequest } from '../llm/types';
import type { EndpointResolver } from './endpoint';
import type { AnswerRunner } from './answerRunner';

const MODEL_BY_PROVIDER = 'tandem.modelByProvider';

export interface ProviderDeps {
  keys: KeyStore;
  log: Log;
  state: vscode.Memento;
  endpoints: EndpointResolver;
  answers: AnswerRunner;
}

function config(): vscode.WorkspaceConfiguration {
  return vscode.workspace.getConfiguration(SETTINGS_SECTION);
}

function rememberedModels(state: vscode.Memento): Record<string, string> {
  return state.get<Record<string, string>>(MODEL_BY_PROVIDER, {});
}

export async function rememberModel(state: vscode.Memento, provider: string, model: string): Promise<void> {
  if (!model) return;
  await state.update(MODEL_BY_PROVIDER, { ...rememberedModels(state), [provider]: model });
}

/** The endpoint from the one resolver; a missing key is fine here (listing, testing say so themselves). */
async function serverRequest(d: ProviderDeps, s: TandemSettings): Promise<{ req: ServerRequest; key: KeyLookup } | undefined> {
  const r = await d.endpoints.resolve({ keyOptional: true });
  if (!r.ok) {
    const open = vscode.l10n.t('Open Settings');
    void vscode.window.showErrorMessage(r.problem.message, open).then(p => p && vscode.commands.executeCommand('workbench.action.openSettings', s.baseUrl ? 'tandem.' : 'tandem.baseUrl'));
    return undefined;
  }
  return { req: r.endpoint.server, key: r.endpoint.key };
}

export async function selectProvider(d: ProviderDeps): Promise<boolean> {
  const s = readSettings();
  const items = PROVIDERS.map(p => ({
    label: p.label,
    description: p.id === s.provider ? vscode.l10n.t('current') : p.local ? vscode.l10n.t('on this machine, no key') : undefined,
    detail: `${p.description}${p.defaultBaseUrl ? `  ${p.defaultBaseUrl}` : ''}`,
    id: p.id,
  }));
  const pick = await vscode.window.showQuickPick(items, { title: vscode.l10n.t('Tandem: Select Provider'), matchOnDetail: true, ignoreFocusOut: true });
  if (!pick) return false;
  const preset = providerById(pick.id);
  const current = s.provider === preset.id && s.baseUrlIsSet ? s.rawBaseUrl : preset.defaultBaseUrl ?? '';
  const raw = await vscode.window.showInputBox({
    title: preset.id === 'azure' ? vscode.l10n.t('Azure OpenAI resource endpoint') : vscode.l10n.t('{0}: API base URL', preset.label),
    value: current,
    placeHolder: preset.id === 'azure' ? 'https://my-resource.openai.azure.com' : preset.defaultBaseUrl ?? 'http://127.0.0.1:8080/v1',
    prompt: vscode.l10n.t('Press Enter to keep it. A pasted .../chat/completions URL is fine: Tandem cleans it up.'),
    ignoreFocusOut: true,
    validateInput: v => {
      const n = normalizeProviderBaseUrl(preset.id, v);
      return 'error' in n ? n.error : n.changes.length ? { message: vscode.l10n.t('Will use {0} ({1})', n.url, n.changes.join(', ')), severity: vscode.InputBoxValidationSeverity.Info } : undefined;
    },
  });
  if (raw === undefined) return false;
  const n = normalizeProviderBaseUrl(preset.id, raw);
  if ('error' in n) return false;
  const c = config();
  await c.update('provider', preset.id, vscode.ConfigurationTarget.Global);
  // The preset's own address is left unset, so it follows the preset if that ever changes.
  await c.update('baseUrl', n.url === preset.defaultBaseUrl ? undefined : n.url, vscode.ConfigurationTarget.Global);
  if (preset.id === 'azure') {
    // A pasted deployment URL already names the deployment and the api-version.
    const pastedVersion = azureApiVersionFromUrl(raw);
    if (pastedVersion) await c.update('azure.apiVersion', pastedVersion, vscode.ConfigurationTarget.Global);
    const deployment = await vscode.window.showInputBox({
      title: vscode.l10n.t('Azure OpenAI deployment name'),
      value: azureDeploymentFromUrl(raw) ?? config().get<string>('azure.deployment', ''),
      prompt: vscode.l10n.t('The name you gave the deployment in Azure (requests are routed by deployment).'),
      ignoreFocusOut: true,
    });
    if (deployment !== undefined) await c.update('azure.deployment', deployment.trim(), vscode.ConfigurationTarget.Global);
  }
  const model = rememberedModels(d.state)[preset.id] ?? (preset.id === s.provider ? s.model : preset.exampleModel);
  await c.update('model', model, vscode.ConfigurationTarget.Global);
  d.log.info('provider', `provider ${preset.id} at ${n.url}, model ${model}`);
  const after = readSettings();
  const key = after.baseUrl ? await d.keys.lookup(after.provider, after.baseUrl) : undefined;
  const actions = [vscode.l10n.t('Select Model'), vscode.l10n.t('Test Connection')];
  if (key?.kind === 'missing') actions.unshift(vscode.l10n.t('Set API Key'));
  const next = await vscode.window.showInformationMessage(vscode.l10n.t('Tandem now uses {0} at {1} with model {2}.', preset.label, n.url, model), ...actions);
  if (next === vscode.l10n.t('Set API Key')) await vscode.commands.executeCommand(Commands.setApiKey);
  else if (next === vscode.l10n.t('Select Model')) await vscode.commands.executeCommand(Commands.selectModel);
  else if (next === vscode.l10n.t('Test Connection')) await vscode.commands.executeCommand(Commands.testConnection);
  return true;
}

interface ModelItem extends vscode.QuickPickItem {
  model?: string;
}

/** Lists the server's models (searchable), allows typing any name, remembers the choice per provider. */
export async function selectModel(d: ProviderDeps): Promise<string | undefined> {
  const s = readSettings();
  const server = await serverRequest(d, s);
  if (!server) return undefined;
  const qp = vscode.window.createQuickPick<ModelItem>();
  qp.title = vscode.l10n.t('Tandem: Select Model ({0})', s.preset.label);
  qp.placeholder = s.provider === 'azure' ? vscode.l10n.t('Type your deployment name') : vscode.l10n.t('Search the server\'s models, or type any model name');
  qp.matchOnDescription = true;
  qp.ignoreFocusOut = true;
  qp.busy = true;
  let listed: ModelItem[] = [];
  const typedItem = (): ModelItem[] => {
    const v = qp.value.trim();
    return v && !listed.some(i => i.model === v) ? [{ label: v, description: vscode.l10n.t('use this name'), model: v, alwaysShow: true }] : [];
  };
  const refresh = () => {
    qp.items = [...typedItem(), ...listed];
  };
  qp.onDidChangeValue(refresh);
  const controller = new AbortController();
  const loading = (async () => {
    if (server.key.kind === 'missing') {
      listed = [{ label: vscode.l10n.t('$(key) No API key for {0}: type a model name, or set a key to see the list', server.key.origin) }];
      return;
    }
    try {
      const ids = await loadLlm().listModels(server.req, { onLog: (level, line) => d.log[level]('models', line) }, controller.signal);
      listed = ids.map(id => ({ label: id, description: id === s.model ? vscode.l10n.t('current') : undefined, model: id }));
      if (ids.length === 0) listed = [{ label: vscode.l10n.t('The server listed no models: type a name') }];
    } catch (e) {
      const f = loadLlm().describeError(e, { baseUrl: server.req.baseUrl, model: s.model });
      d.log.warn('models', `listing models failed: ${f.kind}: ${f.message}`);
      listed = [{ label: vscode.l10n.t('$(warning) Could not list models: {0}', f.message), description: vscode.l10n.t('type a name instead') }];
    }
  })().finally(() => {
    qp.busy = false;
    refresh();
  });
  refresh();
  qp.show();
  const chosen = await new Promise<string | undefined>(resolve => {
    qp.onDidAccept(() => {
      const item = qp.selectedItems[0];
      const name = item?.model ?? (qp.value.trim() || undefined);
      if (name) {
        resolve(name);
        qp.hide();
      }
    });
    qp.onDidHide(() => resolve(undefined));
  });
  controller.abort();
  await loading.catch(() => undefined);
  qp.dispose();
  if (!chosen) return undefined;
  await config().update(s.provider === 'azure' ? 'azure.deployment' : 'model', chosen, vscode.ConfigurationTarget.Global);
  if (s.provider === 'azure') await config().update('model', chosen, vscode.ConfigurationTarget.Global);
  await rememberModel(d.state, s.provider, chosen);
  d.log.info('models', `model set to ${chosen} for ${s.provider}`);
  return chosen;
}

export type StepStatus = 'pass' | 'warn' | 'fail';
export interface ConnectionStep {
  name: string;
  status: StepStatus;
  detail: string;
}
export interface ConnectionReport {
  ok: boolean;
  steps: ConnectionStep[];
}

/** URL, key, model list, and a tiny streaming call, each reported with what to do about it. */
export async function testConnection(d: ProviderDeps, opts: { quiet?: boolean } = {}): Promise<ConnectionReport> {
  const s = readSettings();
  // What servers said about their context windows and models is asked again after a test.
  d.answers.forgetServers();
  d.endpoints.forgetServers();
  const steps: ConnectionStep[] = [];
  const add = (name: string, status: StepStatus, detail: string) => {
    steps.push({ name, status, detail });
    d.log[status === 'fail' ? 'error' : status === 'warn' ? 'warn' : 'info']('doctor', `${status.toUpperCase()} ${name}: ${detail}`);
  };
  const finish = async (fix?: { label: string; command: string; args?: unknown[] }): Promise<ConnectionReport> => {
    const report = { ok: !steps.some(x => x.status === 'fail'), steps };
    if (!opts.quiet) {
      const summary = steps.map(x => `${x.status === 'pass' ? '✓' : x.status === 'warn' ? '⚠' : '✗'} ${x.name}: ${x.detail}`).join('  ');
      const show = vscode.l10n.t('Show Log');
      const buttons = fix ? [fix.label, show] : [show];
      const pick = report.ok
        ? await vscode.window.showInformationMessage(vscode.l10n.t('Tandem: connection works. {0}', summary), show)
        : await vscode.window.showErrorMessage(vscode.l10n.t('Tandem: connection test failed. {0}', summary), ...buttons);
      if (pick === show) d.log.show();
      else if (fix && pick === fix.label) await vscode.commands.executeCommand(fix.command, ...(fix.args ?? []));
    }
    return report;
  };
  const openSettings = { label: vscode.l10n.t('Open Settings'), command: 'workbench.action.openSettings', args: ['tandem.'] };

  if (!s.baseUrl) {
    add('URL', 'fail', s.baseUrlError ?? 'not set');
    return finish(openSettings);
  }
  add('URL', 'pass', `${s.preset.label} at ${s.baseUrl}${s.preset.deployments ? `, deployment ${s.azure.deployment}, api-version ${s.azure.apiVersion}` : ''}`);
  const server = await serverRequest(d, s);
  if (!server) return finish(openSettings);
  if (server.key.kind === 'missing') {
    add('API key', 'fail', `no key is stored for ${server.key.origin}`);
    return finish({ label: vscode.l10n.t('Set API Key'), command: Commands.setApiKey });
  }
  add('API key', 'pass', server.key.kind === 'key' ? `stored for ${server.key.origin}` : 'this server needs none');
  const llm = loadLlm();
  const signal = AbortSignal.timeout(20000);
  if (s.preset.modelsListed) {
    try {
      const ids = await llm.listModels(server.req, { onLog: (level, line) => d.log[level]('doctor', line) }, signal);
      add('Models', 'pass', `${ids.length} listed`);
      if (s.model && s.preset.modelsListed && ids.length > 0 && !ids.includes(s.model)) {
        add('Model', 'warn', `"${s.model}" is not in the server's list; requests may fail with 404`);
      }
    } catch (e) {
      const f = llm.describeError(e, { baseUrl: s.baseUrl, model: s.model });
      if (f.kind === 'auth' || f.kind === 'permission') {
        add('Models', 'fail', f.message);
        return finish({ label: vscode.l10n.t('Set API Key'), command: Commands.setApiKey });
      }
      if (f.kind === 'connection' || f.kind === 'timeout') {
        add('Models', 'fail', f.message);
        return finish(openSettings);
      }
      add('Models', 'warn', `listing failed (${f.message}); some servers have no model list`);
    }
  }
  if (!s.model) {
    add('Model', 'fail', 'no model is set');
    return finish({ label: vscode.l10n.t('Select Model'), command: Commands.selectModel });
  }
  const started = Date.now();
  let text = '';
  let first = 0;
  try {
    const result = await llm.streamChat(
      {
        ...server.req,
        model: s.model,
        messages: [{ role: 'user', content: 'Reply with the single word OK.' }],
        // Reasoning models spend tokens thinking first; a tiny cap would end them before any text.
        maxTokens: isReasoningModel(s.model) ? undefined : 5,
      },
      { onDelta: t => { if (!first) first = Date.now(); text += t; }, onLog: (level, line) => d.log[level]('doctor', line) },
      signal,
      { firstTokenTimeoutMs: 20000, idleTimeoutMs: 20000 },
    );
    add('Streaming', 'pass', `"${text.trim().slice(0, 20)}" from ${s.model}, first token after ${(first || Date.now()) - started} ms${result.usage ? '' : ', no usage reported'}`);
  } catch (e) {
    const f = llm.describeError(e, { baseUrl: s.baseUrl, model: s.model });
    add('Streaming', 'fail', f.message);
    return finish(f.kind === 'notFound' ? { label: vscode.l10n.t('Select Model'), command: Commands.selectModel } : f.kind === 'auth' ? { label: vscode.l10n.t('Set API Key'), command: Commands.setApiKey } : openSettings);
  }
  return finish();
}
