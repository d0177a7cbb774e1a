// The contract between the host and the lazily loaded dist/llm.js. Types only.
import type { ErrorKind } from '../protocol';

export interface ChatTurn {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

export interface ChatRequest {
  baseUrl: string;
  /** Undefined when the server needs no key: then no Authorization header is sent at all. */
  apiKey: string | undefined;
  model: string;
  messages: ChatTurn[];
  temperature?: number;
  maxTokens?: number;
  /** Alternatives to generate (the API's `n`); only sent when above 1. */
  n?: number;
  /** Azure OpenAI: baseUrl is the resource endpoint; the key goes in an `api-key` header. */
  azure?: { deployment: string; apiVersion: string };
}

export interface Usage {
  promptTokens: number;
  completionTokens: number;
}

export interface StreamResult {
  finishReason: string | null;
  usage?: Usage;
  requestId?: string;
}

export interface StreamHandlers {
  /** Text of the first choice. */
  onDelta(text: string): void;
  /** Text of every choice, with its index (for n > 1). */
  onChoiceDelta?(index: number, text: string): void;
  /** One line per request and notable event; never contains the key (redacted again by the host). */
  onLog?(level: 'trace' | 'debug' | 'info' | 'warn' | 'error', line: string): void;
  /** The response headers of a request that was answered (rate-limit headers refine pacing). */
  onResponseHeaders?(headers: Headers): void;
}

/** What a failure looks like once it leaves dist/llm.js: plain data, safe to show. */
export interface LlmFailure {
  kind: ErrorKind;
  message: string;
  status?: number;
  requestId?: string;
  /** For rate limits the server wants us to sit out: when a retry can work (ms since epoch). */
  retryAt?: number;
}

export interface LlmModule {
  streamChat: typeof import('./stream').streamChat;
  /** Maps anything thrown by streamChat or ChatRunner.run to a failure the user can read. */
  describeError(err: unknown, req: Pick<ChatRequest, 'baseUrl' | 'model'>): LlmFailure;
  ChatRunner: typeof import('./runner').ChatRunner;
  listModels: typeof import('./models').listModels;
  fetchServerContext: typeof import('./models').fetchServerContext;
  applyReply: typeof import('../core/apply').applyReply;
  EDIT_FORMAT_INSTRUCTIONS: string;
  redactOutgoing: typeof import('../core/secretScan').redactOutgoing;
  planRequest: typeof import('../core/requestPlan').planRequest;
}
