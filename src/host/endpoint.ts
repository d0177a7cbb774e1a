// Where a request goes and with which key, decided once for every entry point (the chat, each editor
// task, Select Model, Test Connection, the language-model provider): the settings (restricted in
// untrusted workspaces by the manifest), their validation, the key for that provider and origin, the
// provider's routing (Azure deployments), and the key registered with the log so it is never printed.
// The answer is a ready endpoint, or a problem in words the user can act on, with the buttons to do so.
import vscode = require('vscode');
import type { ErrorAction, ErrorKind } from '../protocol';
import type { ChatRequest, ServerRequest } from '../llm/types';
import { readSettings, type TandemSettings } from './settings';
import type { KeyLookup, KeyStore } from './keyStore';
import type { Log } from './log';
import { loadLlm } from './llmLoader';

export interface Endpoint {
  settings: TandemSettings;
  /** The origin the key belongs to (scheme://host:port). */
  origin: string;
  key: KeyLookup;
  /** What the model list and the context probes need. */
  server: ServerRequest;
  /** A chat request without messages, with the model, sampling and routing filled in. */
  chat(): Omit<ChatRequest, 'messages'>;
}

export interface EndpointProblem {
  kind: Extract<ErrorKind, 'badRequest' | 'missingKey'>;
  message: string;
  actions: ErrorAction[];
  /** For a missing key: the provider and origin it is wanted for. */
  missingKeyFor?: { provider: string; origin: string };
}

export type EndpointResult = { ok: true; endpoint: Endpoint } | { ok: false; problem: EndpointProblem };

export interface ResolveOptions {
  /** A model must be set (a chat or task request); Select Model and Test Connection do without. */
  needModel?: boolean;
  /** A missing key is fine (Select Model lists what it can without one). */
  keyOptional?: boolean;
}

export class EndpointResolver {
  /** Settings warnings already logged, so a corrected value is reported once per window, not per request. */
  private readonly warned = new Set<string>();
  /** The model a server offers when it offers exactly one, per origin, for a user who chose none. */
  private readonly onlyModel = new Map<string, Promise<string[] | undefined>>();

  constructor(private readonly keys: KeyStore, private readonly log: Log) {}

  /** The server's model list, asked once per origin (and again after a failure). */
  private serverModels(origin: string, server: ServerRequest): Promise<string[] | undefined> {
    let pending = this.onlyModel.get(origin);
    if (!pending) {
      const log = (level: 'trace' | 'debug' | 'info' | 'warn' | 'error', line: string) => this.log[level]('endpoint', line);
      pending = loadLlm().listModels(server, { onLog: log }, AbortSignal.timeout(5000)).catch(() => undefined);
      this.onlyModel.set(origin, pending);
      void pending.then(ids => {
        if (!ids) this.onlyModel.delete(origin);
        else if (ids.length === 1) this.log.info('endpoint', `no model chosen: using ${origin}'s only model, ${ids[0]}`);
      });
    }
    return pending;
  }

  /** Forgets what servers listed (settings changed, Test Connection). */
  forgetServers(): void {
    this.onlyModel.clear();
  }

  async resolve(opts: ResolveOptions = {}): Promise<EndpointResult> {
    const s = readSettings();
    for (const w of s.warnings) {
      if (this.warned.has(w)) continue;
      this.warned.add(w);
      this.log.warn('endpoint', w);
      void vscode.window.showWarningMessage(w);
    }
    if (!s.baseUrl) return problem('badRequest', s.baseUrlError ?? vscode.l10n.t('The base URL is not set.'), ['openSettings', 'retry']);
    if (s.problems.length > 0) return problem('badRequest', s.problems.join(' '), ['openSettings', 'retry']);
    if (opts.needModel && s.model === '') return problem('badRequest', vscode.l10n.t('No model is set. Pick one to continue.'), ['selectModel', 'retry']);
    const key = await this.keys.lookup(s.provider, s.baseUrl);
    if (key.kind === 'missing' && !opts.keyOptional) {
      this.log.warn('endpoint', `no API key for ${s.provider} at ${key.origin}; nothing was sent`);
      return {
        ok: false,
        problem: {
          kind: 'missingKey',
          message: vscode.l10n.t('No API key is set for {0}. Set one to continue; it is kept in VS Code\'s secret storage. Nothing was sent.', key.origin),
          actions: ['setApiKey', 'retry'],
          missingKeyFor: { provider: s.provider, origin: key.origin },
        },
      };
    }
    if (key.kind === 'key') this.log.addSecret(key.key);
    const baseUrl = s.baseUrl;
    const apiKey = key.kind === 'key' ? key.key : undefined;
    const azure = s.preset.deployments ? s.azure : undefined;
    let model = s.model;
    if (opts.needModel && !s.modelIsSet && s.model !== s.preset.exampleModel && s.preset.modelsListed && key.kind !== 'missing') {
      // The manifest's default model is OpenAI's: on another server, take its only model, or ask once.
      const ids = await this.serverModels(key.origin, { baseUrl, apiKey, azure });
      if (ids?.length === 1) model = ids[0];
      else if (ids && ids.length > 1) {
        return problem('badRequest', vscode.l10n.t('{0} offers {1} models and none is chosen yet. Pick one; Tandem remembers it.', key.origin, ids.length), ['selectModel', 'retry']);
      }
    }
    const settings = model === s.model ? s : { ...s, model };
    return {
      ok: true,
      endpoint: {
        settings,
        origin: key.origin,
        key,
        server: { baseUrl, apiKey, azure },
        chat: () => ({ baseUrl, apiKey, azure, model, temperature: s.temperature, maxTokens: s.maxTokens }),
      },
    };
  }
}

function problem(kind: EndpointProblem['kind'], message: string, actions: ErrorAction[]): EndpointResult {
  return { ok: false, problem: { kind, message, actions } };
}
