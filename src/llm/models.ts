// What a server offers: its model list, and the context window it runs a model with.
import { createClient } from './client';
import type { ChatRequest, StreamHandlers } from './types';
import { contextWindowFromServer, type ContextSource } from '../core/contextWindow';
import { endpointOrigin } from '../core/endpoint';

export type ServerRequest = Pick<ChatRequest, 'baseUrl' | 'apiKey' | 'azure'>;

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

export interface ServerContext {
  contextWindow: number;
  source: ContextSource;
  /** Set when the number is a guess the user may want to override. */
  note?: string;
}

async function getJson(url: string, init: RequestInit, signal: AbortSignal): Promise<unknown> {
  const res = await fetch(url, { ...init, signal, redirect: 'error' });
  if (!res.ok) return undefined;
  return res.json() as Promise<unknown>;
}

/** Ollama runs a model with this many tokens unless num_ctx or OLLAMA_CONTEXT_LENGTH says otherwise. */
export const OLLAMA_DEFAULT_CONTEXT = 4096;

/**
 * Asks a local server how large a context it runs the model with: Ollama /api/show, llama.cpp /props,
 * vLLM /v1/models. Undefined when the server does not say (or is not one of these).
 */
export async function fetchServerContext(provider: string, req: ServerRequest, model: string, signal: AbortSignal): Promise<ServerContext | undefined> {
  const origin = endpointOrigin(req.baseUrl);
  if (!origin) return undefined;
  const headers: Record<string, string> = { accept: 'application/json' };
  if (req.apiKey) headers.authorization = `Bearer ${req.apiKey}`;
  const timeout = AbortSignal.any([signal, AbortSignal.timeout(3000)]);
  try {
    if (provider === 'ollama') {
      const body = await getJson(`${origin}/api/show`, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: JSON.stringify({ model }) }, timeout);
      const params = (body as { parameters?: unknown } | undefined)?.parameters;
      const explicit = typeof params === 'string' && /^\s*num_ctx\s+\d+/m.test(params);
      const n = contextWindowFromServer('ollama-show', body, model);
      if (n === undefined) return undefined;
      if (explicit) return { contextWindow: n, source: 'ollama-show' };
      // Without num_ctx Ollama does not use the model's trained maximum: it truncates silently to its default.
      return {
        contextWindow: Math.min(n, OLLAMA_DEFAULT_CONTEXT),
        source: 'ollama-show',
        note: `Ollama runs ${model} with its default context (${OLLAMA_DEFAULT_CONTEXT} tokens) unless num_ctx or OLLAMA_CONTEXT_LENGTH is set; set "tandem.contextWindow" if yours is larger.`,
      };
    }
    if (provider === 'llamacpp') {
      const n = contextWindowFromServer('llamacpp-props', await getJson(`${origin}/props`, { headers }, timeout), model);
      return n === undefined ? undefined : { contextWindow: n, source: 'llamacpp-props' };
    }
    if (provider === 'vllm' || provider === 'openrouter' || provider === 'custom') {
      const body = await getJson(`${req.baseUrl.replace(/\/+$/, '')}/models`, { headers }, timeout);
      const n = contextWindowFromServer('vllm-models', body, model) ?? contextWindowFromServer('openai-models', body, model);
      return n === undefined ? undefined : { contextWindow: n, source: 'vllm-models' };
    }
  } catch {
    // The server does not answer these: the table or the setting decides.
  }
  return undefined;
}
