// One streamed chat completion: send, read deltas, finish with usage and finish reason.
import type { ChatCompletionChunk, ChatCompletionCreateParamsStreaming } from 'openai/resources/chat/completions';
import { createClient } from './client';
import { StreamError } from './errors';
import type { ChatRequest, StreamHandlers, StreamResult } from './types';

/** OpenAI reasoning models reject `temperature` and `max_tokens`; they take `max_completion_tokens`. */
export function isReasoningModel(model: string): boolean {
  return /^(o\d|gpt-5)(?![\w.-]*chat)/i.test(model.replace(/^openai\//, ''));
}

export function requestBody(req: ChatRequest): ChatCompletionCreateParamsStreaming {
  const body: ChatCompletionCreateParamsStreaming = {
    model: req.model,
    messages: req.messages,
    stream: true,
    stream_options: { include_usage: true },
  };
  const reasoning = isReasoningModel(req.model);
  if (req.temperature !== undefined && !reasoning) body.temperature = req.temperature;
  if (req.maxTokens !== undefined) {
    if (reasoning) body.max_completion_tokens = req.maxTokens;
    else body.max_tokens = req.maxTokens;
  }
  return body;
}

interface ErrorCarrier {
  error?: { message?: unknown } | string;
}

export async function streamChat(req: ChatRequest, handlers: StreamHandlers, signal: AbortSignal): Promise<StreamResult> {
  const client = createClient(req, handlers);
  const { data: stream, request_id } = await client.chat.completions.create(requestBody(req), { signal }).withResponse();
  const requestId = request_id ?? undefined;
  let finishReason: string | null = null;
  let usage: StreamResult['usage'];
  let sawChoice = false;
  for await (const chunk of stream as AsyncIterable<ChatCompletionChunk & ErrorCarrier>) {
    if (chunk.error) {
      const m = typeof chunk.error === 'string' ? chunk.error : String(chunk.error.message ?? JSON.stringify(chunk.error));
      throw new StreamError('server', `The server reported an error mid-stream: ${m}`, requestId);
    }
    if (chunk.usage) usage = { promptTokens: chunk.usage.prompt_tokens, completionTokens: chunk.usage.completion_tokens };
    for (const choice of chunk.choices ?? []) {
      sawChoice = true;
      const text = choice.delta?.content;
      if (text) handlers.onDelta(text);
      if (choice.finish_reason) finishReason = choice.finish_reason;
    }
  }
  if (signal.aborted) return { finishReason: 'cancelled', usage, requestId };
  if (!sawChoice) throw new StreamError('malformedStream', 'The server ended the stream without sending an answer.', requestId);
  if ((finishReason as string | null) === 'error') throw new StreamError('server', 'The server ended the answer with an error.', requestId);
  return { finishReason, usage, requestId };
}
