// The contract between the host and the lazily loaded dist/llm.js. Types only; imports only core types.
import type { ErrorKind, RetryCause } from '../protocol';
import type { ContextSource } from '../core/contextWindow';
import type { ProviderPreset } from '../core/providers';
import type { ApplyInput, ApplyResult } from '../core/apply';
import type { PlanInput, RequestPlan, ToolCall, Turn, TurnsPlanInput } from '../core/requestPlan';

/** One message as sent: system, user, assistant (with its tool calls) or a tool's result. */
export type ChatTurn = Turn;
export type { ToolCall };

/** A function the model may call (the API's `tools` entry of type "function"). */
export interface ToolSpec {
  name: string;
  description: string;
  /** JSON schema of the arguments. */
  parameters?: object;
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
  /** Functions the model may call; only sent when there are any. */
  tools?: ToolSpec[];
  /** 'required': the model must call one of `tools`. */
  toolChoice?: 'auto' | 'required';
}

export interface Usage {
  promptTokens: number;
  completionTokens: number;
}

export interface StreamResult {
  finishReason: string | null;
  /** Set when Tandem's own cap on the answer's size or total time ended it (the connection was closed). */
  cut?: 'size' | 'time';
  usage?: Usage;
  requestId?: string;
  /** The first choice's tool calls, each assembled from its deltas (by index), in index order. */
  toolCalls?: ToolCall[];
}

export interface StreamHandlers {
  /** Text of the first choice. */
  onDelta(text: string): void;
  /** Text of every choice, with its index (for n > 1). */
  onChoiceDelta?(index: number, text: string): void;
  /**
   * A tool call of the first choice, complete: reported once its last delta has arrived (when a
   * later call starts, or the stream ends). Counts as received content (no retry after it).
   */
  onToolCall?(call: ToolCall): void;
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

/** What a request needs to reach a server for anything but a chat completion (model list, probes). */
export type ServerRequest = Pick<ChatRequest, 'baseUrl' | 'apiKey' | 'azure'>;

/** The context window a server reports it runs a model with. */
export interface ServerContext {
  contextWindow: number;
  source: ContextSource;
  /** Set when the number is a guess the user may want to override. */
  note?: string;
}

/** Client-side pacing limits; undefined or 0 = no limit. */
export interface Limits {
  requestsPerMinute?: number;
  tokensPerMinute?: number;
}

export interface WaitEvent {
  reason: 'pacing' | 'retry';
  /** ms since epoch when the request will be sent. */
  until: number;
  /** Retries done so far (for reason 'retry'). */
  attempt?: number;
  /** Requests ahead in the queue (for reason 'pacing'). */
  position?: number;
  /** Why we wait, in words: the server's message for a retry. */
  detail?: string;
  /** For a retry: what went wrong, so the wait can say why. */
  cause?: RetryCause;
}

export interface RunHandlers extends StreamHandlers {
  /** A wait started or changed; undefined when it ended. */
  onWait?(w: WaitEvent | undefined): void;
}

export interface StreamOptions {
  /** From sending until the first content arrives (headers included). 0: no limit. */
  firstTokenTimeoutMs?: number;
  /** Between two chunks once the answer started. 0: no limit. */
  idleTimeoutMs?: number;
  includeUsage?: boolean;
  /**
   * Caps on one answer, so a looping model or a hostile server cannot stream forever into memory,
   * history and the view: characters over all choices, and the total time. When one is reached the
   * connection is closed and the result says `cut`. 0 or undefined: no cap.
   */
  maxChars?: number;
  maxMs?: number;
  /** The transport; the default is Node's fetch. Tests pass one that replays recorded bytes. */
  fetch?: typeof fetch;
}

export interface RunOptions extends StreamOptions {
  limits?: Limits;
  /** Prompt tokens plus the expected answer, for tokens-per-minute pacing. */
  estimatedTokens: number;
}

/** One answer from request to last token with pacing and retries; one instance per window. */
export interface ChatRunnerApi {
  run(req: ChatRequest, handlers: RunHandlers, signal: AbortSignal, opts: RunOptions): Promise<StreamResult>;
  /** Ends the current retry or pacing wait now. */
  retryNow(): boolean;
  dispose(): void;
}

/**
 * The contract of dist/llm.js, written out (not `typeof import` of the implementation, which would
 * tie the host's types to the bundle's code). The host imports llm types from this file only.
 */
export interface LlmModule {
  streamChat(req: ChatRequest, handlers: StreamHandlers, signal: AbortSignal, opts?: StreamOptions): Promise<StreamResult>;
  /** Maps anything thrown by streamChat or ChatRunner.run to a failure the user can read. */
  describeError(err: unknown, req: Pick<ChatRequest, 'baseUrl' | 'model'>): LlmFailure;
  ChatRunner: new () => ChatRunnerApi;
  /** Model ids from GET {baseUrl}/models, sorted. */
  listModels(req: ServerRequest, handlers: Pick<StreamHandlers, 'onLog'>, signal: AbortSignal): Promise<string[]>;
  /** Asks a local server how large a context it runs the model with; undefined when it does not say. */
  fetchServerContext(probe: ProviderPreset['contextProbe'], req: ServerRequest, model: string, signal: AbortSignal, handlers?: Pick<StreamHandlers, 'onLog'>): Promise<ServerContext | undefined>;
  applyReply(input: ApplyInput): ApplyResult;
  EDIT_FORMAT_INSTRUCTIONS: string;
  planRequest(input: PlanInput): RequestPlan;
  /** The plan for a conversation that arrives as turns (the language-model provider). */
  planTurns(input: TurnsPlanInput): RequestPlan;
}
