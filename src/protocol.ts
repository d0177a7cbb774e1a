// Every message between the extension host and the chat webview, typed both ways, with the parse
// functions that guard the boundary. Imports nothing: both bundles include it.

export type Role = 'user' | 'assistant';

/** Kinds of failure a message can carry; the API layer maps every error onto one of these. */
export type ErrorKind =
  | 'missingKey'
  | 'auth'
  | 'permission'
  | 'notFound'
  | 'rateLimited'
  | 'quota'
  | 'contextLength'
  | 'contentFilter'
  | 'badRequest'
  | 'server'
  | 'connection'
  | 'timeout'
  | 'malformedStream'
  | 'cancelled'
  | 'unknown';

/** A next step offered with an error; the host decides what each one does. */
export type ErrorAction =
  | 'setApiKey'
  | 'openSettings'
  | 'retry'
  | 'continue'
  | 'selectModel'
  | 'trimAndRetry'
  | 'openUsage'
  | 'testConnection'
  | 'showLog';

export const ERROR_ACTIONS: readonly ErrorAction[] = [
  'setApiKey',
  'openSettings',
  'retry',
  'continue',
  'selectModel',
  'trimAndRetry',
  'openUsage',
  'testConnection',
  'showLog',
];

export interface MessageError {
  kind: ErrorKind;
  message: string;
  actions: ErrorAction[];
}

/** The code a request was about, as shown above the question. */
export interface CodeContext {
  file: string;
  language: string;
  startLine: number; // 1-based, inclusive
  endLine: number;
  code: string;
}

/** Tokens and cost of one answer: from the server's `usage` when it sent one, else estimated. */
export interface MessageUsage {
  promptTokens: number;
  completionTokens: number;
  estimated: boolean;
  /** USD; undefined when the price of the model is not known. */
  costUsd?: number;
}

/** The request waits before it is sent: client-side pacing or a retry after a failure. */
export interface MessageWait {
  reason: 'pacing' | 'retry';
  /** When it will be sent, ms since epoch (the view counts down). */
  until: number;
  position?: number;
  attempt?: number;
  detail?: string;
}

export interface ChatMessage {
  id: string;
  role: Role;
  text: string;
  context?: CodeContext;
  error?: MessageError;
  /** True while tokens are still arriving. */
  streaming: boolean;
  /** True when the user stopped the answer before it was complete. */
  stopped?: boolean;
  usage?: MessageUsage;
  /** What Tandem changed in the request, in words: dropped turns, truncated code, redacted secrets. */
  notices?: string[];
  wait?: MessageWait;
}

export interface SessionTotals {
  answers: number;
  promptTokens: number;
  completionTokens: number;
  /** USD for the answers whose price is known. */
  costUsd: number;
}

export interface ConversationState {
  id: string;
  title: string;
  messages: ChatMessage[];
}

export interface ViewState {
  conversation: ConversationState;
  /** Provider and model shown in the composer. */
  model: string;
  streaming: boolean;
  totals?: SessionTotals;
}

// ---- host -> webview ----
export type HostMessage =
  | { type: 'state'; state: ViewState }
  | { type: 'append'; conversationId: string; messageId: string; text: string }
  | { type: 'messageUpdated'; conversationId: string; message: ChatMessage }
  | { type: 'focusInput' };

// ---- webview -> host ----
export type WebviewMessage =
  | { type: 'ready' }
  | { type: 'ask'; text: string }
  | { type: 'stop' }
  | { type: 'newConversation' }
  | { type: 'errorAction'; messageId: string; action: ErrorAction }
  | { type: 'retryNow' }
  | { type: 'copyCode'; code: string }
  | { type: 'insertCode'; code: string }
  | { type: 'openLink'; href: string };

const MAX_TEXT = 1_000_000;

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function str(v: unknown, max = MAX_TEXT): v is string {
  return typeof v === 'string' && v.length <= max;
}

/** Parses a message from the webview; anything unknown or malformed gives undefined. */
export function parseWebviewMessage(raw: unknown): WebviewMessage | undefined {
  if (!isObject(raw) || typeof raw.type !== 'string') return undefined;
  switch (raw.type) {
    case 'ready':
    case 'stop':
    case 'retryNow':
    case 'newConversation':
      return { type: raw.type };
    case 'ask':
      return str(raw.text) && raw.text.trim() !== '' ? { type: 'ask', text: raw.text } : undefined;
    case 'copyCode':
    case 'insertCode':
      return str(raw.code) ? { type: raw.type, code: raw.code } : undefined;
    case 'openLink':
      return str(raw.href, 8192) ? { type: 'openLink', href: raw.href } : undefined;
    case 'errorAction':
      return str(raw.messageId, 200) && ERROR_ACTIONS.includes(raw.action as ErrorAction)
        ? { type: 'errorAction', messageId: raw.messageId, action: raw.action as ErrorAction }
        : undefined;
    default:
      return undefined;
  }
}

/** Parses a message from the host (the webview trusts the host, but a stale bundle may not). */
export function parseHostMessage(raw: unknown): HostMessage | undefined {
  if (!isObject(raw) || typeof raw.type !== 'string') return undefined;
  switch (raw.type) {
    case 'state':
      return isObject(raw.state) && isObject(raw.state.conversation) ? (raw as unknown as HostMessage) : undefined;
    case 'append':
      return str(raw.conversationId) && str(raw.messageId) && str(raw.text) ? (raw as unknown as HostMessage) : undefined;
    case 'messageUpdated':
      return str(raw.conversationId) && isObject(raw.message) ? (raw as unknown as HostMessage) : undefined;
    case 'focusInput':
      return { type: 'focusInput' };
    default:
      return undefined;
  }
}
