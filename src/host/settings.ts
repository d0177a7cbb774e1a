// Reads Tandem's settings into one plain object. The settings in RESTRICTED_SETTINGS are restricted in
// untrusted workspaces (package.json), so VS Code itself ignores a workspace's values for them there;
// this reader ignores them too (user and default values only), so the guarantee holds even where a
// host or a future VS Code applies the manifest differently.
import vscode = require('vscode');
import { RESTRICTED_SETTINGS, SETTINGS_SECTION, type RestrictedSetting } from './ids';
import { AZURE_DEFAULT_API_VERSION, normalizeProviderBaseUrl, providerById, type ProviderId, type ProviderPreset } from '../core/providers';
import type { Price } from '../core/pricing';
import { CODE_TASKS, type CodeTask } from '../core/prompts';

export interface TandemSettings {
  provider: ProviderId;
  preset: ProviderPreset;
  /** The API root requests go to (for Azure: the resource endpoint); undefined when it cannot be used. */
  baseUrl: string | undefined;
  /** Why baseUrl is undefined, in words the user can act on. */
  baseUrlError: string | undefined;
  rawBaseUrl: string;
  /** True when the user set tandem.baseUrl; otherwise the preset's address is used. */
  baseUrlIsSet: boolean;
  model: string;
  /** False when `model` is only the manifest's default (the user never chose one). */
  modelIsSet: boolean;
  temperature: number | undefined;
  maxTokens: number | undefined;
  systemPrompt: string;
  azure: { deployment: string; apiVersion: string };
  limits: { requestsPerMinute?: number; tokensPerMinute?: number };
  firstTokenTimeoutMs: number;
  idleTimeoutMs: number;
  contextWindow: number | undefined;
  prices: Record<string, Price>;
  redactCredentials: boolean;
  /** Users' replacements for the task questions (explain, fix, ...). */
  taskPrompts: Partial<Record<CodeTask, string>>;
  /** Alternatives the edit tasks ask for, 1-5. */
  choices: number;
  /** Conversations not changed for this many days are deleted at startup; undefined keeps everything. */
  historyRetentionDays: number | undefined;
  /** Whether the project's instructions file (AGENTS.md ...) goes into the chat's system prompt. */
  projectInstructions: boolean;
  /** Caps on one answer: characters, and milliseconds of streaming. */
  maxAnswerChars: number;
  maxAnswerMs: number;
  /** Values that cannot be used as they are, each naming its setting; nothing is sent while there are any. */
  problems: string[];
  /** Values Tandem corrected and the user should know about (never containing a secret). */
  warnings: string[];
}

const MAX_TOKENS_CEILING = 1_000_000;

function optionalNumber(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

function positive(v: unknown): number | undefined {
  const n = optionalNumber(v);
  return n !== undefined && n > 0 ? n : undefined;
}

function prices(v: unknown): Record<string, Price> {
  const out: Record<string, Price> = {};
  if (typeof v !== 'object' || v === null) return out;
  for (const [model, p] of Object.entries(v as Record<string, unknown>)) {
    const rec = p as { input?: unknown; output?: unknown } | null;
    if (rec && typeof rec.input === 'number' && typeof rec.output === 'number') out[model] = { inputPerMTok: rec.input, outputPerMTok: rec.output };
  }
  return out;
}

function taskPrompts(v: unknown): Partial<Record<CodeTask, string>> {
  const out: Partial<Record<CodeTask, string>> = {};
  if (typeof v !== 'object' || v === null) return out;
  for (const task of CODE_TASKS) {
    const t = (v as Record<string, unknown>)[task];
    if (typeof t === 'string') out[task] = t;
  }
  return out;
}

const RESTRICTED: ReadonlySet<string> = new Set(RESTRICTED_SETTINGS);

/** Reads settings; a restricted one comes only from the user's settings (or its default) while the workspace is untrusted. */
export function settingsReader(c: vscode.WorkspaceConfiguration, trusted: boolean) {
  return {
    get(key: string): unknown {
      if (trusted || !RESTRICTED.has(key)) return c.get(key);
      const i = c.inspect(key);
      return i?.globalValue !== undefined ? i.globalValue : i?.defaultValue;
    },
    /** True when the user (or, in a trusted workspace, the workspace) set the key. */
    isSet(key: RestrictedSetting): boolean {
      const i = c.inspect(key);
      return i?.globalValue !== undefined || (trusted && (i?.workspaceValue !== undefined || i?.workspaceFolderValue !== undefined));
    },
  };
}

function text(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

export function readSettings(): TandemSettings {
  const c = settingsReader(vscode.workspace.getConfiguration(SETTINGS_SECTION), vscode.workspace.isTrusted);
  const preset = providerById(text(c.get('provider')) || 'openai');
  const baseUrlIsSet = c.isSet('baseUrl');
  const rawBaseUrl = baseUrlIsSet ? text(c.get('baseUrl')) : preset.defaultBaseUrl ?? '';
  let baseUrl: string | undefined;
  let baseUrlError: string | undefined;
  if (rawBaseUrl.trim() === '') {
    baseUrlError = preset.id === 'azure'
      ? 'Set "tandem.baseUrl" to your Azure OpenAI resource endpoint, for example https://my-resource.openai.azure.com.'
      : 'Set "tandem.baseUrl" to your server\'s API root, for example http://127.0.0.1:8080/v1.';
  } else {
    const n = normalizeProviderBaseUrl(preset.id, rawBaseUrl);
    if ('error' in n) baseUrlError = `"tandem.baseUrl" is not usable: ${n.error}`;
    else baseUrl = n.url;
  }
  const model = text(c.get('model')).trim();
  // Trust-aware like the value itself: an untrusted workspace's model does not count as chosen.
  const modelIsSet = c.isSet('model');
  const problems: string[] = [];
  const warnings: string[] = [];
  if (baseUrl) {
    // user:password@ in the URL would travel in every request and every log line: taken out, never logged.
    const u = new URL(baseUrl);
    if (u.username || u.password) {
      u.username = '';
      u.password = '';
      baseUrl = u.toString().replace(/\/$/, baseUrl.endsWith('/') ? '/' : '');
      warnings.push('"tandem.baseUrl" contains a user name and password (user:password@). Tandem does not send them; remove them from the setting and store the key with "Tandem: Set API Key".');
    }
  }
  let maxTokens = optionalNumber(c.get('maxTokens'));
  if (maxTokens !== undefined && (!Number.isInteger(maxTokens) || maxTokens < 1 || maxTokens > MAX_TOKENS_CEILING)) {
    problems.push(`"tandem.maxTokens" is ${maxTokens}: it must be a whole number from 1 to ${MAX_TOKENS_CEILING.toLocaleString('en-US')}, or unset.`);
    maxTokens = undefined;
  }
  const temperature = optionalNumber(c.get('temperature'));
  if (temperature !== undefined && (temperature < 0 || temperature > 2)) problems.push(`"tandem.temperature" is ${temperature}: it must be between 0 and 2, or unset.`);
  const maxAnswerChars = optionalNumber(c.get('maxAnswerCharacters')) ?? 1_000_000;
  const maxAnswerSeconds = optionalNumber(c.get('maxAnswerSeconds')) ?? 600;
  return {
    provider: preset.id,
    preset,
    baseUrl,
    baseUrlError,
    rawBaseUrl,
    baseUrlIsSet,
    model,
    modelIsSet,
    temperature,
    maxTokens: maxTokens ?? preset.defaultMaxTokens,
    systemPrompt: text(c.get('systemPrompt')),
    azure: {
      // An empty deployment falls back to the model, which is itself restricted: while untrusted both are
      // the user's values, so a repository cannot pick the deployment through tandem.model.
      deployment: text(c.get('azure.deployment')).trim() || model,
      apiVersion: text(c.get('azure.apiVersion')).trim() || AZURE_DEFAULT_API_VERSION,
    },
    limits: {
      requestsPerMinute: optionalNumber(c.get('requestsPerMinute')),
      tokensPerMinute: optionalNumber(c.get('tokensPerMinute')),
    },
    firstTokenTimeoutMs: (optionalNumber(c.get('firstTokenTimeoutSeconds')) ?? 120) * 1000,
    idleTimeoutMs: (optionalNumber(c.get('idleTimeoutSeconds')) ?? 60) * 1000,
    contextWindow: optionalNumber(c.get('contextWindow')),
    prices: prices(c.get('prices')),
    redactCredentials: c.get('redactCredentials') !== false,
    taskPrompts: taskPrompts(c.get('taskPrompts')),
    choices: Math.max(1, Math.min(5, Math.round(optionalNumber(c.get('choices')) ?? 1))),
    // Application scope (package.json): a workspace cannot set it, so a repository cannot delete your history.
    historyRetentionDays: positive(c.get('history.retentionDays')),
    projectInstructions: c.get('projectInstructions') !== false,
    maxAnswerChars: Math.max(1000, maxAnswerChars),
    maxAnswerMs: Math.max(10, maxAnswerSeconds) * 1000,
    problems,
    warnings,
  };
}
