// One streamed chat completion: send, read deltas, finish with usage and finish reason. The SDK's own
// timeout ends when headers arrive, so the time to the first token and the idle time between tokens
// are watched here.
import type { ChatCompletionChunk, ChatCompletionCreateParamsStreaming } from 'openai/resources/chat/completions';
import { createClient } from './client';
import { StreamError } from './errors';
import type { ChatRequest, StreamHandlers, StreamOptions, StreamResult } from './types';

export type { StreamOptions } from './types';
import { isReasoningModel } from '../core/modelTraits';

export { isReasoningModel };

export function requestBody(req: ChatRequest, includeUsage = true): ChatCompletionCreateParamsStreaming {
  const body: ChatCompletionCreateParamsStreaming = {
    model: req.model,
    messages: req.messages,
    stream: true,
  };
  if (includeUsage) body.stream_options = { include_usage: true };
  const reasoning = isReasoningModel(req.model);
  if (req.temperature !== undefined && !reasoning) body.temperature = req.temperature;
  if (req.n !== undefined && req.n > 1) body.n = req.n;
  if (req.maxTokens !== undefined) {
    if (reasoning) body.max_completion_tokens = req.maxTokens;
    else body.max_tokens = req.maxTokens;
  }
  return body;
}

/** Error shapes that servers put in a 200 stream, besides OpenAI's `{"error": ...}` (which the SDK throws). */
interface ErrorCarrier {
  error?: { message?: unknown } | string;
  /** text-generation-inference, some proxies */
  detail?: unknown;
  object?: string;
  message?: unknown;
}

function inStreamError(raw: unknown): string | undefined {
  const chunk = raw as ErrorCarrier & { choices?: unknown };
  if (chunk.error) return typeof chunk.error === 'string' ? chunk.error : String(chunk.error.message ?? JSON.stringify(chunk.error));
  if (chunk.object === 'error') return String(chunk.message ?? JSON.stringify(chunk));
  if (chunk.detail !== undefined && !chunk.choices) return typeof chunk.detail === 'string' ? chunk.detail : JSON.stringify(chunk.detail);
  return undefined;
}

export async function streamChat(req: ChatRequest, handlers: StreamHandlers, signal: AbortSignal, opts: StreamOptions = {}): Promise<StreamResult> {
  // Our own controller: the caller's signal (Stop) and our timeouts both abort the request at once.
  const inner = new AbortController();
  let timedOut: string | undefined;
  const onOuterAbort = () => inner.abort();
  signal.addEventListener('abort', onOuterAbort);
  if (signal.aborted) inner.abort();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const arm = (ms: number | undefined, what: string) => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    if (ms && ms > 0) {
      timer = setTimeout(() => {
        timedOut = what;
        inner.abort();
      }, ms);
    }
  };
  const started = Date.now();
  arm(opts.firstTokenTimeoutMs, `No answer from ${req.baseUrl} within ${Math.round((opts.firstTokenTimeoutMs ?? 0) / 1000)} s.`);
  let requestId: string | undefined;
  let finishReason: string | null = null;
  let usage: StreamResult['usage'];
  let sawChoice = false;
  let firstToken = false;
  let cut: 'size' | 'time' | undefined;
  let chars = 0;
  const capTimer = opts.maxMs && opts.maxMs > 0 ? setTimeout(() => {
    cut = 'time';
    inner.abort();
  }, opts.maxMs) : undefined;
  /** The part of `text` still under the size cap; closes the connection when the cap is reached. */
  const underCap = (text: string): string => {
    if (!opts.maxChars || opts.maxChars <= 0 || cut) return cut ? '' : text;
    const room = opts.maxChars - chars;
    chars += text.length;
    if (text.length < room) return text;
    cut = 'size';
    inner.abort();
    return text.slice(0, Math.max(0, room));
  };
  try {
    const client = createClient(req, handlers, opts.fetch);
    const { data: stream, request_id, response } = await client.chat.completions
      .create(requestBody(req, opts.includeUsage !== false), { signal: inner.signal })
      .withResponse();
    requestId = request_id ?? undefined;
    handlers.onResponseHeaders?.(response.headers);
    for await (const chunk of stream as AsyncIterable<ChatCompletionChunk>) {
      const err = inStreamError(chunk);
      if (err !== undefined) throw new StreamError('server', `The server reported an error in the stream: ${err}`, requestId);
      if (chunk.usage) usage = { promptTokens: chunk.usage.prompt_tokens, completionTokens: chunk.usage.completion_tokens };
      for (const choice of chunk.choices ?? []) {
        sawChoice = true;
        const text = choice.delta?.content ? underCap(choice.delta.content) : undefined;
        if (text) handlers.onChoiceDelta?.(choice.index ?? 0, text);
        if (text && (choice.index ?? 0) === 0) {
          if (!firstToken) {
            firstToken = true;
            handlers.onLog?.('debug', `first token after ${Date.now() - started} ms`);
          }
          handlers.onDelta(text);
        }
        if (choice.finish_reason) finishReason = choice.finish_reason;
      }
      if (cut) break;
      if (firstToken) arm(opts.idleTimeoutMs, `The server stopped sending for ${Math.round((opts.idleTimeoutMs ?? 0) / 1000)} s in the middle of the answer.`);
    }
  } catch (e) {
    if (timedOut) throw new StreamError('timeout', timedOut, requestId);
    if (!cut || signal.aborted) throw e;
  } finally {
    if (timer) clearTimeout(timer);
    if (capTimer) clearTimeout(capTimer);
    signal.removeEventListener('abort', onOuterAbort);
  }
  if (signal.aborted) return { finishReason: 'cancelled', usage, requestId };
  if (cut) {
    handlers.onLog?.('warn', `answer cut at the ${cut === 'size' ? `size cap (${opts.maxChars} characters)` : `time cap (${Math.round((opts.maxMs ?? 0) / 1000)} s)`}; connection closed`);
    return { finishReason, usage, requestId, cut };
  }
  if (timedOut) throw new StreamError('timeout', timedOut, requestId);
  if ((finishReason as string | null) === 'error') throw new StreamError('server', 'The server ended the answer with an error.', requestId);
  if (!sawChoice) throw new StreamError('malformedStream', 'The server ended the stream without sending an answer.', requestId);
  return { finishReason, usage, requestId };
}
