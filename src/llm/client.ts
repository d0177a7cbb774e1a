// Builds the `openai` client so that nothing comes from the environment: the SDK otherwise reads
// OPENAI_API_KEY, OPENAI_BASE_URL, OPENAI_ORG_ID, OPENAI_PROJECT_ID, OPENAI_ADMIN_KEY, OPENAI_LOG and
// OPENAI_CUSTOM_HEADERS and would send that key and those headers to whatever server is configured.
import OpenAI from 'openai';
import { VERSION as SDK_VERSION } from 'openai/version';
import type { ChatRequest, StreamHandlers } from './types';
import { redactSecrets } from '../core/redact';
import { azureApiRoot } from '../core/providers';

/** Set by esbuild from package.json; 'dev' where a build does not define it. */
declare const __TANDEM_VERSION__: string | undefined;

/**
 * Who is asking, for server logs and support: Tandem's version and the SDK's. The SDK's own value is
 * its class name, which minification turns into a single letter ("k/JS 6.49.0").
 */
export const USER_AGENT = `Tandem/${typeof __TANDEM_VERSION__ === 'string' ? __TANDEM_VERSION__ : 'dev'} OpenAI/JS ${SDK_VERSION}`;

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
      if (res.body && /text\/event-stream/i.test(res.headers.get('content-type') ?? '')) {
        return new Response(res.body.pipeThrough(legacyErrorLines()), { status: res.status, statusText: res.statusText, headers: res.headers });
      }
      return res;
    } catch (e) {
      handlers.onLog?.('warn', `${method} ${url} failed after ${Date.now() - started} ms: ${redactSecrets(String(e))}`);
      throw e;
    }
  };
}

/**
 * llama.cpp servers built before September 2025 report a failure inside a 200 stream as a line
 * `error: {"code":400,"message":"…"}` followed by `data: [DONE]`. That is not an SSE field, so a
 * parser that follows the spec (the SDK's) drops it and the answer just ends empty. This rewrites
 * such a line into the `data: {"error": …}` event the SDK reports as an error; everything else
 * passes through unchanged and without delay (only the first bytes of a line that may still become
 * `error:` are held until they cannot).
 */
export function legacyErrorLines(): TransformStream<Uint8Array, Uint8Array> {
  const decoder = new TextDecoder();
  const encoder = new TextEncoder();
  const MARK = 'error:';
  let lineStart = true;
  let held = '';
  let errorLine: string | undefined;
  const rewrite = (line: string): string => {
    const body = line.trim();
    let json: string;
    try {
      JSON.parse(body);
      json = body;
    } catch {
      json = JSON.stringify({ message: body });
    }
    return `data: {"error":${json}}\n\n`;
  };
  const process = (text: string, end: boolean): string => {
    let out = '';
    let i = 0;
    while (i < text.length) {
      if (errorLine !== undefined) {
        const nl = text.indexOf('\n', i);
        if (nl === -1) {
          errorLine += text.slice(i);
          break;
        }
        out += rewrite(errorLine + text.slice(i, nl));
        errorLine = undefined;
        lineStart = true;
        i = nl + 1;
      } else if (lineStart) {
        held += text[i++];
        if (MARK.startsWith(held)) {
          if (held === MARK) {
            errorLine = '';
            held = '';
            lineStart = false;
          }
          continue;
        }
        out += held;
        lineStart = held.endsWith('\n');
        held = '';
      } else {
        const nl = text.indexOf('\n', i);
        if (nl === -1) {
          out += text.slice(i);
          break;
        }
        out += text.slice(i, nl + 1);
        lineStart = true;
        i = nl + 1;
      }
    }
    if (end) {
      if (errorLine !== undefined) out += rewrite(errorLine);
      out += held;
      errorLine = undefined;
      held = '';
    }
    return out;
  };
  return new TransformStream({
    transform(chunk, controller) {
      const out = process(decoder.decode(chunk, { stream: true }), false);
      if (out) controller.enqueue(encoder.encode(out));
    },
    flush(controller) {
      const out = process(decoder.decode(), true);
      if (out) controller.enqueue(encoder.encode(out));
    },
  });
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
    defaultHeaders: { 'User-Agent': USER_AGENT, ...(req.azure && req.apiKey !== undefined ? { 'api-key': req.apiKey } : {}) },
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
