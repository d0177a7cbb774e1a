// One streamed chat completion: send, read deltas, finish with usage and finish reason. The SDK's own
// timeout ends when headers arrive, so the time to the first token and the idle time between tokens
// are watched here.
import type { ChatCompletionChunk, ChatCompletionCreateParamsStreaming, ChatCompletionMessageParam } from 'openai/resources/chat/completions';
import { createClient } from './client';
import { StreamError } from './errors';
import type { ChatRequest, ChatTurn, StreamHandlers, StreamOptions, StreamResult, ToolCall } from './types';

export type { StreamOptions } from './types';
import { isReasoningModel } from '../core/modelTraits';

export { isReasoningModel };

/** A turn in the API's shape: tool results as `tool` messages, an assistant's calls as `tool_calls`. */
function wireMessage(t: ChatTurn): ChatCompletionMessageParam {
  if (t.role === 'tool') return { role: 'tool', tool_call_id: t.toolCallId ?? '', content: t.content };
  if (t.role === 'assistant' && t.toolCalls?.length) {
    return {
      role: 'assistant',
      content: t.content === '' ? null : t.content,
      tool_calls: t.toolCalls.map(c => ({ id: c.id, type: 'function', function: { name: c.name, arguments: c.arguments } })),
    };
  }
  if (t.role === 'user' && t.images?.length) {
    // The OpenAI shape every compatible server reads (Ollama, llama.cpp, LM Studio, vLLM, OpenRouter, Groq).
    return { role: 'user', content: [{ type: 'text', text: t.content }, ...t.images.map(url => ({ type: 'image_url' as const, image_url: { url } }))] };
  }
  return { role: t.role, content: t.content };
}

export function requestBody(req: ChatRequest, includeUsage = true): ChatCompletionCreateParamsStreaming {
  const body: ChatCompletionCreateParamsStreaming = {
    model: req.model,
    messages: req.messages.map(wireMessage),
    stream: true,
  };
  if (includeUsage) body.stream_options = { include_usage: true };
  if (req.tools?.length) {
    body.tools = req.tools.map(t => ({ type: 'function', function: { name: t.name, description: t.description, parameters: t.parameters as Record<string, unknown> | undefined } }));
    if (req.toolChoice === 'required') body.tool_choice = 'required';
  }
  const reasoning = isReasoningModel(req.model);
  if (req.temperature !== undefined && !reasoning) body.temperature = req.temperature;
  if (req.n !== undefined && req.n > 1) body.n = req.n;
  if (req.maxTokens !== undefined) {
    if (reasoning) body.max_completion_tokens = req.maxTokens;
    else body.max_tokens = req.maxTokens;
  }
  return body;
}

/** A tool call being assembled from its deltas. */
interface PartialCall {
  id: string;
  name: string;
  arguments: string;
}

/**
 * Assembles the first choice's tool calls from their deltas, as servers stream them: the first delta
 * of a call carries its index, id and name, later ones carry pieces of `arguments` under the same
 * index. A call is complete when a call with another index starts or the stream ends.
 */
export class ToolCallAssembler {
  private readonly calls = new Map<number, PartialCall>();
  private readonly order: number[] = [];
  private reported = 0;

  constructor(private readonly onCall: ((call: ToolCall) => void) | undefined) {}

  /** Adds one delta; returns the number of argument characters it carried. */
  add(delta: { index?: number; id?: string | null; function?: { name?: string | null; arguments?: string | null } | null }): number {
    // A server that leaves out `index` (some local ones) starts each call with a new id instead.
    const last = this.order.length ? this.order[this.order.length - 1] : 0;
    const lastId = this.calls.get(last)?.id;
    const index = delta.index ?? (delta.id && lastId && delta.id !== lastId ? this.order.length : last);
    let call = this.calls.get(index);
    if (!call) {
      call = { id: '', name: '', arguments: '' };
      this.calls.set(index, call);
      this.order.push(index);
      // A new call: the ones before it have had their last delta.
      this.flush(false);
    }
    if (delta.id) call.id = delta.id;
    // OpenAI sends the name once; some servers repeat it in every delta, a few split it.
    const name = delta.function?.name;
    if (name && name !== call.name) call.name += name;
    const args = delta.function?.arguments ?? '';
    call.arguments += args;
    return args.length;
  }

  /** Reports the calls whose last delta has arrived: all but the newest, or all at the end. */
  flush(end: boolean): void {
    const upTo = end ? this.order.length : this.order.length - 1;
    for (; this.reported < upTo; this.reported++) {
      const c = this.calls.get(this.order[this.reported]);
      if (c) this.onCall?.(this.complete(c, this.reported));
    }
  }

  all(): ToolCall[] {
    return this.order.map((i, n) => this.complete(this.calls.get(i) as PartialCall, n));
  }

  private complete(c: PartialCall, n: number): ToolCall {
    // Some local servers send no id; the result must still name the call it answers.
    return { id: c.id || `call_${n}`, name: c.name, arguments: c.arguments };
  }
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
  const tools = new ToolCallAssembler(handlers.onToolCall);
  let sawToolCall = false;
  const capTimer = opts.maxMs && opts.maxMs > 0 ? setTimeout(() => {
    cut = 'time';
    inner.abort();
  }, opts.maxMs) : undefined;
  /** Counts `n` more characters against the size cap; closes the connection and returns the room that was left when it is reached. */
  const spend = (n: number): number | undefined => {
    if (!opts.maxChars || opts.maxChars <= 0) return undefined;
    const room = opts.maxChars - chars;
    chars += n;
    if (n < room) return undefined;
    cut = 'size';
    inner.abort();
    return Math.max(0, room);
  };
  /** The part of `text` still under the size cap. */
  const underCap = (text: string): string => {
    if (cut) return '';
    const room = spend(text.length);
    return room === undefined ? text : text.slice(0, room);
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
        if ((choice.index ?? 0) === 0 && choice.delta?.tool_calls?.length) {
          firstToken = true;
          sawToolCall = true;
          for (const d of choice.delta.tool_calls) if (!cut) spend(tools.add(d));
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
  const toolCalls = sawToolCall ? tools.all() : undefined;
  if (cut) {
    handlers.onLog?.('warn', `answer cut at the ${cut === 'size' ? `size cap (${opts.maxChars} characters)` : `time cap (${Math.round((opts.maxMs ?? 0) / 1000)} s)`}; connection closed`);
    return { finishReason, usage, requestId, cut, toolCalls };
  }
  if (timedOut) throw new StreamError('timeout', timedOut, requestId);
  if ((finishReason as string | null) === 'error') throw new StreamError('server', 'The server ended the answer with an error.', requestId);
  if (!sawChoice) throw new StreamError('malformedStream', 'The server ended the stream without sending an answer.', requestId);
  tools.flush(true);
  return { finishReason, usage, requestId, toolCalls };
}
