// What a server offers: its model list, and the context window it runs a model with.
import { createClient } from './client';
import type { ServerContext, ServerRequest, StreamHandlers } from './types';
import { contextWindowFromServer } from '../core/contextWindow';
import { endpointOrigin } from '../core/endpoint';
import type { ProviderPreset } from '../core/providers';

export type { ServerContext, ServerRequest } from './types';

/** Model ids from GET {baseUrl}/models, sorted. */
export async function listModels(req: ServerRequest, handlers: Pick<StreamHandlers, 'onLog'>, signal: AbortSignal): Promise<string[]> {
  const client = createClient({ ...req, model: '', messages: [] }, { onDelta: () => undefined, ...handlers });
  const ids: string[] = [];
  for await (const m of client.models.list({ signal })) {
    if (typeof m.id === 'string') ids.push(m.id);
    if (ids.length >= 5000) break; // a bounded list, whatever the server sends
  }
  return [...new Set(ids)].sort((a, b) => a.localeCompare(b));
}

async function getJson(url: string, init: RequestInit, signal: AbortSignal, log: ProbeLog): Promise<unknown> {
  const method = init.method ?? 'GET';
  const started = Date.now();
  log?.('info', `${method} ${url} (context-window probe)`);
  const res = await fetch(url, { ...init, signal, redirect: 'error' });
  log?.('info', `${method} ${url} -> ${res.status} in ${Date.now() - started} ms`);
  if (!res.ok) return undefined;
  return res.json() as Promise<unknown>;
}

type ProbeLog = StreamHandlers['onLog'];

/**
 * What Tandem assumes Ollama runs a model with when the model sets no num_ctx: Ollama's default, which
 * /api/show does not reveal. It was 2048 in old versions, then 4096; current versions pick it by GPU
 * memory (4096 under 24 GiB, more above) unless OLLAMA_CONTEXT_LENGTH sets it. 4096 is the smallest
 * current default: assuming more would let Ollama cut the start of a prompt silently.
 */
export const OLLAMA_DEFAULT_CONTEXT = 4096;

/**
 * Asks a local server how large a context it runs the model with, the way its preset says
 * (Ollama /api/show, llama.cpp /props, vLLM's /v1/models). Undefined when the server does not say.
 * Every request is logged; a redirect is never followed.
 */
export async function fetchServerContext(probe: ProviderPreset['contextProbe'], req: ServerRequest, model: string, signal: AbortSignal,
  handlers: Pick<StreamHandlers, 'onLog'> = {}): Promise<ServerContext | undefined> {
  const origin = endpointOrigin(req.baseUrl);
  if (!origin || !probe) return undefined;
  const log = handlers.onLog;
  const headers: Record<string, string> = { accept: 'application/json' };
  if (req.apiKey) headers.authorization = `Bearer ${req.apiKey}`;
  const timeout = AbortSignal.any([signal, AbortSignal.timeout(3000)]);
  try {
    if (probe === 'ollama-show') {
      const body = await getJson(`${origin}/api/show`, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: JSON.stringify({ model }) }, timeout, log);
      const params = (body as { parameters?: unknown } | undefined)?.parameters;
      const explicit = typeof params === 'string' && /^\s*num_ctx\s+\d+/m.test(params);
      const n = contextWindowFromServer('ollama-show', body, model);
      if (n === undefined) return undefined;
      if (explicit) return { contextWindow: n, source: 'ollama-show' };
      // Without num_ctx Ollama does not use the model's trained maximum: it truncates silently to its default.
      return {
        contextWindow: Math.min(n, OLLAMA_DEFAULT_CONTEXT),
        source: 'ollama-show',
        note: `Ollama does not say how large a context it runs ${model} with (its default depends on its version and the GPU's memory); Tandem assumed ${OLLAMA_DEFAULT_CONTEXT.toLocaleString('en-US')} tokens. Set "tandem.contextWindow" (and num_ctx or OLLAMA_CONTEXT_LENGTH in Ollama) if yours is larger.`,
      };
    }
    if (probe === 'llamacpp-props') {
      const n = contextWindowFromServer('llamacpp-props', await getJson(`${origin}/props`, { headers }, timeout, log), model);
      return n === undefined ? undefined : { contextWindow: n, source: 'llamacpp-props' };
    }
    const body = await getJson(`${req.baseUrl.replace(/\/+$/, '')}/models`, { headers }, timeout, log);
    const n = contextWindowFromServer('vllm-models', body, model) ?? contextWindowFromServer('openai-models', body, model);
    return n === undefined ? undefined : { contextWindow: n, source: 'vllm-models' };
  } catch (e) {
    // The server does not answer these: the table or the setting decides.
    log?.('debug', `context-window probe failed: ${e instanceof Error ? e.message : String(e)}`);
  }
  return undefined;
}
