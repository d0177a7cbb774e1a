// Builds the `openai` client so that nothing comes from the environment: the SDK otherwise reads
// OPENAI_API_KEY, OPENAI_BASE_URL, OPENAI_ORG_ID, OPENAI_PROJECT_ID, OPENAI_ADMIN_KEY, OPENAI_LOG and
// OPENAI_CUSTOM_HEADERS and would send that key and those headers to whatever server is configured.
import OpenAI from 'openai';
import type { ChatRequest, StreamHandlers } from './types';
import { redactSecrets } from '../core/redact';
import { azureApiRoot } from '../core/providers';

/** Never sent: the fetch wrapper removes the Authorization header when there is no key. */
const NO_KEY_PLACEHOLDER = 'tandem-no-key';

function envCustomHeaderNames(): Set<string> {
  const raw = process.env.OPENAI_CUSTOM_HEADERS ?? '';
  const names = new Set<string>();
  for (const line of raw.split('\n')) {
    const colon = line.indexOf(':');
    if (colon > 0) names.add(line.slice(0, colon).trim().toLowerCase());
  }
  return names;
}

type FetchInput = Parameters<typeof fetch>[0];
type FetchInit = Parameters<typeof fetch>[1];

function makeFetch(req: ChatRequest, handlers: StreamHandlers, transport: typeof fetch = fetch): typeof fetch {
  const dropped = envCustomHeaderNames();
  return async (input: FetchInput, init?: FetchInit) => {
    const headers = new Headers(init?.headers);
    for (const name of dropped) headers.delete(name);
    // Azure takes the key in `api-key`; with no key nothing identifying is sent at all.
    if (req.apiKey === undefined || req.azure) headers.delete('authorization');
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    const method = init?.method ?? 'GET';
    const size = typeof init?.body === 'string' ? init.body.length : 0;
    const started = Date.now();
    handlers.onLog?.('info', `${method} ${url} (${size} bytes)`);
    try {
      // A redirect could carry the key (api-key, Authorization) to another origin: never follow one.
      const res = await transport(input, { ...init, headers, redirect: 'error' });
      const id = res.headers.get('x-request-id') ?? res.headers.get('apim-request-id') ?? '-';
      handlers.onLog?.('info', `${method} ${url} -> ${res.status} in ${Date.now() - started} ms, request id ${id}`);
      return res;
    } catch (e) {
      handlers.onLog?.('warn', `${method} ${url} failed after ${Date.now() - started} ms: ${redactSecrets(String(e))}`);
      throw e;
    }
  };
}

/** The root the SDK appends `/chat/completions` and `/models` to. */
export function apiRoot(req: Pick<ChatRequest, 'baseUrl' | 'azure'>): string {
  return req.azure ? azureApiRoot(req.baseUrl, req.azure.deployment) : req.baseUrl;
}

export function createClient(req: ChatRequest, handlers: StreamHandlers, transport?: typeof fetch): OpenAI {
  const log = (level: 'debug' | 'info' | 'warn' | 'error') => (message: string, ...rest: unknown[]) =>
    handlers.onLog?.(level, redactSecrets([message, ...rest.map(r => (typeof r === 'string' ? r : ''))].join(' ').trim()));
  return new OpenAI({
    apiKey: req.apiKey ?? NO_KEY_PLACEHOLDER,
    adminAPIKey: null,
    baseURL: apiRoot(req),
    defaultQuery: req.azure ? { 'api-version': req.azure.apiVersion } : undefined,
    defaultHeaders: req.azure && req.apiKey !== undefined ? { 'api-key': req.apiKey } : undefined,
    organization: null,
    project: null,
    webhookSecret: null,
    maxRetries: 0,
    // Headers arrive within this; the time to first token and idle time are the caller's timeouts.
    timeout: 120_000,
    logLevel: 'warn',
    logger: { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') },
    fetch: makeFetch(req, handlers, transport),
  });
}
