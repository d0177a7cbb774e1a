// The servers Tandem knows by name, and how to turn what people paste into each one's API root.
// Pure: no vscode, no network.

export type ProviderId = 'openai' | 'azure' | 'ollama' | 'lmstudio' | 'vllm' | 'llamacpp' | 'openrouter' | 'groq' | 'custom';

export interface ProviderPreset {
  id: ProviderId;
  label: string;
  description: string;
  /** The API root requests go to; undefined for `custom`, where the user supplies it. */
  defaultBaseUrl: string | undefined;
  /** True when requests fail without a key; local servers and `custom` accept one but need none. */
  needsKey: boolean;
  /** Where to create a key. */
  keyUrl?: string;
  /** Where to see spending and usage. */
  usageUrl?: string;
  /** Runs on this machine (or the local network): no key, no bill, no data leaving. */
  local: boolean;
  exampleModel: string;
  /** True when `GET /models` lists the names `model` accepts (Azure lists base models, not deployments). */
  modelsListed: boolean;
  /**
   * Azure's routing: the model is a deployment named in the URL path, `api-version` is a query
   * parameter, and the key goes in an `api-key` header (never in Authorization).
   */
  deployments?: boolean;
  /**
   * True when the server takes `tools` in a chat request as it is (VS Code's Chat then offers its
   * tools to the models). vLLM and llama.cpp reject them unless started with extra flags, and an
   * unknown server may too.
   */
  toolCalling?: boolean;
  /** How the server tells the context window it runs a model with, if it does. */
  contextProbe?: 'ollama-show' | 'llamacpp-props' | 'models-list';
  /**
   * `max_tokens` sent when the user set none. Local servers generate until their context is full
   * without one (llama.cpp started without -n shifts its context and goes on), so a looping model
   * would never stop by itself.
   */
  defaultMaxTokens?: number;
}

/** The answer limit local servers get when tandem.maxTokens is unset. */
export const LOCAL_DEFAULT_MAX_TOKENS = 4096;

export const AZURE_DEFAULT_API_VERSION = '2024-10-21';

const CUSTOM: ProviderPreset = {
  id: 'custom',
  label: 'Other OpenAI-compatible server',
  description: 'Any server that speaks the OpenAI Chat Completions API at the base URL you give.',
  defaultBaseUrl: undefined,
  needsKey: false,
  local: false,
  exampleModel: 'gpt-4o-mini',
  modelsListed: true,
  contextProbe: 'models-list',
};

export const PROVIDERS: readonly ProviderPreset[] = [
  {
    id: 'openai',
    toolCalling: true,
    label: 'OpenAI',
    description: 'The OpenAI API with your own key.',
    defaultBaseUrl: 'https://api.openai.com/v1',
    needsKey: true,
    keyUrl: 'https://platform.openai.com/api-keys',
    usageUrl: 'https://platform.openai.com/usage',
    local: false,
    exampleModel: 'gpt-5-mini',
    modelsListed: true,
  },
  {
    id: 'azure',
    toolCalling: true,
    label: 'Azure OpenAI',
    description: 'An Azure OpenAI resource: the base URL is its endpoint, the model is your deployment name.',
    defaultBaseUrl: undefined,
    needsKey: true,
    keyUrl: 'https://portal.azure.com/',
    usageUrl: 'https://portal.azure.com/#view/Microsoft_Azure_CostManagement/Menu/~/costanalysis',
    local: false,
    exampleModel: 'gpt-4o-mini',
    modelsListed: false,
    deployments: true,
  },
  {
    id: 'ollama',
    toolCalling: true,
    label: 'Ollama',
    description: 'Models served by Ollama on this machine; no key needed.',
    defaultBaseUrl: 'http://127.0.0.1:11434/v1',
    needsKey: false,
    local: true,
    exampleModel: 'qwen2.5-coder:7b',
    modelsListed: true,
    contextProbe: 'ollama-show',
    defaultMaxTokens: LOCAL_DEFAULT_MAX_TOKENS,
  },
  {
    id: 'lmstudio',
    toolCalling: true,
    label: 'LM Studio',
    description: "LM Studio's local server; no key needed.",
    defaultBaseUrl: 'http://127.0.0.1:1234/v1',
    needsKey: false,
    local: true,
    exampleModel: 'qwen2.5-coder-7b-instruct',
    modelsListed: true,
    defaultMaxTokens: LOCAL_DEFAULT_MAX_TOKENS,
  },
  {
    id: 'vllm',
    label: 'vLLM',
    description: 'A vLLM server; a key only if it was started with --api-key.',
    defaultBaseUrl: 'http://127.0.0.1:8000/v1',
    needsKey: false,
    local: true,
    exampleModel: 'Qwen/Qwen2.5-Coder-7B-Instruct',
    modelsListed: true,
    contextProbe: 'models-list',
    defaultMaxTokens: LOCAL_DEFAULT_MAX_TOKENS,
  },
  {
    id: 'llamacpp',
    label: 'llama.cpp',
    description: "llama.cpp's llama-server; no key needed.",
    defaultBaseUrl: 'http://127.0.0.1:8080/v1',
    needsKey: false,
    local: true,
    // llama-server answers with the model it loaded, whatever name is sent.
    exampleModel: 'local-model',
    modelsListed: true,
    contextProbe: 'llamacpp-props',
    defaultMaxTokens: LOCAL_DEFAULT_MAX_TOKENS,
  },
  {
    id: 'openrouter',
    toolCalling: true,
    label: 'OpenRouter',
    description: 'Many vendors’ models through one OpenRouter key.',
    defaultBaseUrl: 'https://openrouter.ai/api/v1',
    needsKey: true,
    keyUrl: 'https://openrouter.ai/keys',
    usageUrl: 'https://openrouter.ai/activity',
    local: false,
    exampleModel: 'openai/gpt-4o-mini',
    modelsListed: true,
    contextProbe: 'models-list',
  },
  {
    id: 'groq',
    toolCalling: true,
    label: 'Groq',
    description: 'Open models on Groq’s fast inference API.',
    defaultBaseUrl: 'https://api.groq.com/openai/v1',
    needsKey: true,
    keyUrl: 'https://console.groq.com/keys',
    usageUrl: 'https://console.groq.com/dashboard/usage',
    local: false,
    exampleModel: 'llama-3.3-70b-versatile',
    modelsListed: true,
  },
  CUSTOM,
];

/** The preset for an id, as stored in settings; anything unknown is a custom server. */
export function providerById(id: string): ProviderPreset {
  const key = id.trim().toLowerCase();
  return PROVIDERS.find((p) => p.id === key) ?? CUSTOM;
}

// Paths people paste that name an endpoint, not the API root; the client appends these itself.
const ENDPOINT_SUFFIXES = ['/chat/completions', '/completions', '/responses', '/embeddings', '/models'];

// Ollama's own API lives under /api; its OpenAI-compatible one under /v1.
const OLLAMA_NATIVE = /^\/api(?:\/(?:chat|generate|tags|show|embed|embeddings))?$/;

export type NormalizedBaseUrl = { url: string; changes: string[] } | { error: string };

/**
 * Turns what people paste into the API root for a provider, saying what it changed so the user can
 * check the guess. Cosmetic fixes (surrounding whitespace, trailing slashes) are not listed.
 */
export function normalizeProviderBaseUrl(provider: ProviderId, raw: string): NormalizedBaseUrl {
  const preset = providerById(provider);
  const changes: string[] = [];
  const text = raw.trim();
  const example = exampleFor(preset);
  if (text === '') return { error: `Enter the server's URL, for example ${example}.` };
  if (/\s/.test(text)) return { error: `A URL cannot contain spaces. Enter one like ${example}.` };

  let withScheme = text;
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(text);
  if (scheme) {
    const s = scheme[1].toLowerCase();
    if (s !== 'http' && s !== 'https') {
      return { error: `"${s}:" is not supported: Tandem talks to servers over http or https, for example ${example}.` };
    }
  } else {
    // `localhost:11434` would parse as the scheme "localhost:", so a missing scheme is detected by
    // shape: a host, an optional port and an optional path.
    const hostLike = /^(\[[0-9a-f:.]+\]|[a-z0-9]([a-z0-9.-]*[a-z0-9])?)(:\d{1,5})?(\/.*)?$/i.exec(text);
    if (!hostLike) return { error: `"${text}" is not a URL. Enter one like ${example}.` };
    const secure = !isLocalHost(hostLike[1]);
    withScheme = `${secure ? 'https' : 'http'}://${text}`;
    changes.push(secure ? 'added https://' : 'added http:// (a server on this machine or network)');
  }

  let u: URL;
  try {
    u = new URL(withScheme);
  } catch {
    return { error: `"${text}" is not a valid URL. Enter one like ${example}.` };
  }
  if (u.hostname === '') return { error: `"${text}" has no host name. Enter one like ${example}.` };
  if (u.hash) u.hash = '';

  if (preset.id === 'azure') {
    // Tandem builds /openai/deployments/<deployment>/chat/completions?api-version=... itself.
    if ((u.pathname !== '/' && u.pathname !== '') || u.search) {
      changes.push('kept only the resource endpoint (Tandem adds /openai/deployments/… itself)');
    }
    return { url: u.origin, changes };
  }

  if (u.search) {
    // The client appends paths to the base URL, so a query would end up in the middle of them.
    u.search = '';
    changes.push('removed the query string');
  }

  let path = u.pathname.replace(/\/+$/, '');
  for (const suffix of ENDPOINT_SUFFIXES) {
    if (path.toLowerCase().endsWith(suffix)) {
      path = path.slice(0, -suffix.length).replace(/\/+$/, '');
      changes.push(`removed ${suffix} (Tandem adds it)`);
      break;
    }
  }

  if (preset.id === 'ollama' && OLLAMA_NATIVE.test(path)) {
    path = '/v1';
    changes.push("replaced Ollama's native /api path with its OpenAI-compatible /v1");
  }

  // The API root of the preset, e.g. /v1, /api/v1 or /openai/v1: added when nothing, or only its
  // beginning (`openrouter.ai/api`), was given.
  const root = preset.defaultBaseUrl ? new URL(preset.defaultBaseUrl).pathname.replace(/\/+$/, '') : '';
  if (root !== '' && path !== root && (path === '' || root.startsWith(`${path}/`))) {
    changes.push(`added ${root.slice(path.length)}`);
    path = root;
  }

  u.pathname = path === '' ? '/' : path;
  const url = u.toString();
  return { url: path === '' ? url.replace(/\/$/, '') : url, changes };
}

function exampleFor(preset: ProviderPreset): string {
  if (preset.id === 'azure') return 'https://my-resource.openai.azure.com';
  return preset.defaultBaseUrl ?? 'http://127.0.0.1:8080/v1';
}

/** Hosts that are served over plain http in practice: this machine and private networks. */
function isLocalHost(host: string): boolean {
  const h = host.toLowerCase();
  if (h === 'localhost' || h.endsWith('.localhost') || h === '[::1]' || h === 'host.docker.internal') return true;
  if (/\.(?:local|lan|internal|home\.arpa)$/.test(h)) return true;
  // A single-label name (`ollama`, `gpu-box`) is a machine on the local network or in docker compose.
  if (/^[a-z0-9-]+$/.test(h) && !/^\d+$/.test(h)) return true;
  const ip = /^(\d{1,3})\.(\d{1,3})\.\d{1,3}\.\d{1,3}$/.exec(h);
  if (!ip) return false;
  const a = Number(ip[1]);
  const b = Number(ip[2]);
  return a === 127 || a === 10 || a === 0 || (a === 192 && b === 168) || (a === 172 && b >= 16 && b <= 31) || (a === 169 && b === 254);
}

/** The API root of an Azure OpenAI deployment: the client appends `/chat/completions` and `?api-version=`. */
export function azureApiRoot(endpoint: string, deployment: string): string {
  return `${endpoint.trim().replace(/\/+$/, '')}/openai/deployments/${encodeURIComponent(deployment.trim())}`;
}

/** The deployment named in a pasted Azure URL (`…/openai/deployments/<name>/…`), if any. */
export function azureDeploymentFromUrl(url: string): string | undefined {
  const m = /\/openai\/deployments\/([^/?#\s]+)/i.exec(url);
  if (!m) return undefined;
  try {
    return decodeURIComponent(m[1]);
  } catch {
    return m[1];
  }
}

/** The `api-version` in a pasted Azure URL, if any, so it survives normalization. */
export function azureApiVersionFromUrl(url: string): string | undefined {
  const m = /[?&]api-version=([^&#\s]+)/i.exec(url);
  if (!m) return undefined;
  try {
    return decodeURIComponent(m[1]);
  } catch {
    return m[1];
  }
}
