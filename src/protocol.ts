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
  /** Tandem's own cap on an answer's size or time ended it; the text so far is kept. */
  | 'cutOff'
  | 'cancelled'
  | 'unknown'
  /** The model or server does not take images (the question had some). */
  | 'imagesUnsupported';

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
  | 'showLog'
  /** Sends the same question again without its images (and the conversation's earlier ones). */
  | 'removeImagesAndRetry';

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
  'removeImagesAndRetry',
];

export interface MessageError {
  kind: ErrorKind;
  message: string;
  actions: ErrorAction[];
}

/** The code a request was about, as shown above the question. */
export interface CodeContext {
  /** The document's URI (set by the host so code can go back to it even after its editor closed). */
  uri?: string;
  file: string;
  language: string;
  startLine: number; // 1-based, inclusive
  endLine: number;
  code: string;
  /** A few lines before and after the code, sent for context (not part of what is changed). */
  before?: string;
  after?: string;
  /** The file's import lines. */
  imports?: string[];
  /** Problems VS Code reports in the code (line is 1-based in the document). */
  diagnostics?: { line: number; message: string; source?: string; code?: string }[];
  /** Set when the user attached it with a # mention: how it is framed for the model and shown. */
  mention?: MentionKind;
  /** What Tandem changed in it before sending (cut to a cap, secrets found), in words. */
  notes?: string[];
}

/** What a `#` mention in the composer can attach. */
export type MentionKind = 'file' | 'symbol' | 'problems' | 'changes' | 'terminal' | 'selection';
export const MENTION_KINDS: readonly MentionKind[] = ['file', 'symbol', 'problems', 'changes', 'terminal', 'selection'];

/** One choice the host offers in the mention picker; `id` is the host's own handle for it. */
export interface MentionItem {
  id: string;
  label: string;
  detail?: string;
  /** Why it cannot be attached (too large, binary ...); shown, not selectable. */
  disabled?: string;
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
  /** Why a retry waits: the server rate-limited, failed, or could not be reached. */
  cause?: RetryCause;
}

export type RetryCause = 'rateLimited' | 'server' | 'connection';

/**
 * An image pasted into a question. The host keeps `data` (the bytes sent, base64) and stores it once per
 * conversation; the webview gets the rest: `thumbnail` is a small data: URL made by the webview at paste.
 */
export interface ChatImage {
  /** sha256 of the bytes, hex: the same picture pasted twice is one image in history. */
  id: string;
  name: string;
  mime: 'image/png' | 'image/jpeg' | 'image/webp';
  width: number;
  height: number;
  bytes: number;
  thumbnail: string;
  data?: string;
}

/** An image as the composer sends it with a question; the host checks it again (type by its bytes, caps). */
export interface OutgoingImage {
  name: string;
  /** The bytes to send, base64. */
  data: string;
  /** data:image/png|jpeg|webp;base64 URL of a small preview. */
  thumbnail: string;
}

export interface ChatMessage {
  id: string;
  role: Role;
  text: string;
  context?: CodeContext;
  /** More files the user attached with context chips. */
  attachments?: CodeContext[];
  /** Images pasted into the question. */
  images?: ChatImage[];
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

export interface ConversationSummary {
  id: string;
  title: string;
  /** ms since epoch of the last message. */
  updatedAt: number;
  messageCount: number;
  /** Size of its history log, when known. */
  bytes?: number;
  /** Why it cannot be loaded: the list offers Open File and Delete instead of opening it. */
  damaged?: string;
}

/** What will be sent with the next question, shown as removable chips above the composer. */
export interface ContextChip {
  id: string;
  /** 'instructions': the project's instructions in the system prompt (toggled, not removed). */
  kind: 'selection' | 'file' | 'instructions' | MentionKind;
  /** e.g. "sample.ts:2-8" or "README.md". */
  label: string;
  /** Longer description for the tooltip: the full relative path and range. */
  detail: string;
  /** Estimated tokens this chip adds. */
  tokens: number;
  /** What is different from the whole thing: cut to a cap, secrets to be redacted, why it is not read. */
  note?: string;
  /** An instructions chip that is turned off (for this conversation, or because it cannot be read). */
  off?: boolean;
  /** An instructions chip that cannot be turned on here (untrusted workspace). */
  locked?: boolean;
}

/** Shown instead of an empty conversation when Tandem cannot send yet. */
export interface SetupState {
  reason: 'missingKey' | 'badEndpoint';
  /** e.g. "OpenAI at https://api.openai.com" or the problem with the base URL. */
  detail: string;
}

export type SetupStep = 'setApiKey' | 'selectProvider' | 'selectModel' | 'testConnection';
export const SETUP_STEPS: readonly SetupStep[] = ['setApiKey', 'selectProvider', 'selectModel', 'testConnection'];

export interface ViewState {
  conversation: ConversationState;
  /** Every conversation, newest first, for the list. */
  conversations?: ConversationSummary[];
  /** Provider and model shown in the composer. */
  model: string;
  streaming: boolean;
  totals?: SessionTotals;
  setup?: SetupState;
  chips?: ContextChip[];
}

/** What a code block's button does with its code. */
export type CodeAction = 'copy' | 'insert' | 'replaceSelection' | 'apply' | 'newFile';
export const CODE_ACTIONS: readonly CodeAction[] = ['copy', 'insert', 'replaceSelection', 'apply', 'newFile'];

// ---- host -> webview ----
export type HostMessage =
  | { type: 'state'; state: ViewState }
  | { type: 'append'; conversationId: string; messageId: string; text: string }
  | { type: 'messageUpdated'; conversationId: string; message: ChatMessage }
  | { type: 'chips'; chips: ContextChip[] }
  | { type: 'focusInput' }
  /** The picker's choices for a `mentionQuery`. */
  | { type: 'mentionItems'; requestId: number; items: MentionItem[] }
  /** An `addMention` ended: its chip was added, or `error` says why not and what to do. */
  | { type: 'mentionResult'; requestId: number; error?: string };

// ---- webview -> host ----
export type WebviewMessage =
  | { type: 'ready' }
  /** `chips`: ids of the context chips the user kept; undefined sends none. `images`: pasted images. */
  | { type: 'ask'; text: string; chips?: string[]; images?: OutgoingImage[] }
  | { type: 'stop' }
  | { type: 'newConversation' }
  | { type: 'openConversation'; id: string }
  | { type: 'deleteConversation'; id: string }
  /** Opens a damaged conversation's log in an editor (the host maps the id to its file). */
  | { type: 'openConversationFile'; id: string }
  | { type: 'renameConversation'; id: string; title: string }
  | { type: 'clearConversations' }
  | { type: 'exportConversation'; id: string }
  | { type: 'regenerate'; messageId: string }
  | { type: 'editAndResend'; messageId: string; text: string }
  | { type: 'copyMessage'; messageId: string }
  | { type: 'openAnswerInEditor'; messageId: string }
  | { type: 'errorAction'; messageId: string; action: ErrorAction }
  | { type: 'retryNow' }
  | { type: 'setup'; step: SetupStep }
  | { type: 'pickFile' }
  | { type: 'removeChip'; id: string }
  /** What the picker offers for `#kind:query` (files, symbols, problems' scopes). */
  | { type: 'mentionQuery'; requestId: number; kind: MentionKind; query: string }
  /** Attach a mention as a chip: `item` is an id from `mentionItems` (kinds without a choice: none). */
  | { type: 'addMention'; requestId: number; kind: MentionKind; item?: string }
  /** Project instructions on or off for the active conversation. */
  | { type: 'setInstructions'; on: boolean }
  /** A code block's button; `language` from the fence; `messageId` of the answer it is in. */
  | { type: 'codeAction'; action: CodeAction; code: string; language: string; messageId: string }
  | { type: 'openLink'; href: string };

/** The longest text a message may carry (a question, an edit): the webview refuses to send more. */
export const MAX_MESSAGE_TEXT = 1_000_000;
const MAX_TEXT = MAX_MESSAGE_TEXT;

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isRequestId(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
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
    case 'clearConversations':
    case 'pickFile':
      return { type: raw.type };
    case 'ask': {
      if (!str(raw.text) || raw.text.trim() === '') return undefined;
      const images = parseImages(raw.images);
      if (images === null) return undefined;
      const ask: WebviewMessage = { type: 'ask', text: raw.text };
      if (images) ask.images = images;
      if (raw.chips === undefined) return ask;
      if (!Array.isArray(raw.chips) || raw.chips.length > 50 || !raw.chips.every(c => str(c, 200))) return undefined;
      return { ...ask, chips: raw.chips as string[] };
    }
    case 'openConversation':
    case 'deleteConversation':
    case 'openConversationFile':
    case 'exportConversation':
    case 'removeChip':
      return str(raw.id, 200) ? { type: raw.type, id: raw.id } : undefined;
    case 'renameConversation':
      return str(raw.id, 200) && str(raw.title, 200) && raw.title.trim() !== '' ? { type: 'renameConversation', id: raw.id, title: raw.title } : undefined;
    case 'regenerate':
    case 'copyMessage':
    case 'openAnswerInEditor':
      return str(raw.messageId, 200) ? { type: raw.type, messageId: raw.messageId } : undefined;
    case 'editAndResend':
      return str(raw.messageId, 200) && str(raw.text) && raw.text.trim() !== '' ? { type: 'editAndResend', messageId: raw.messageId, text: raw.text } : undefined;
    case 'setup':
      return SETUP_STEPS.includes(raw.step as SetupStep) ? { type: 'setup', step: raw.step as SetupStep } : undefined;
    case 'codeAction':
      return CODE_ACTIONS.includes(raw.action as CodeAction) && str(raw.code) && str(raw.language, 100) && str(raw.messageId, 200)
        ? { type: 'codeAction', action: raw.action as CodeAction, code: raw.code, language: raw.language, messageId: raw.messageId }
        : undefined;
    case 'openLink':
      return str(raw.href, 8192) ? { type: 'openLink', href: raw.href } : undefined;
    case 'mentionQuery':
      return isRequestId(raw.requestId) && MENTION_KINDS.includes(raw.kind as MentionKind) && str(raw.query, 500)
        ? { type: 'mentionQuery', requestId: raw.requestId, kind: raw.kind as MentionKind, query: raw.query }
        : undefined;
    case 'addMention':
      if (!isRequestId(raw.requestId) || !MENTION_KINDS.includes(raw.kind as MentionKind)) return undefined;
      if (raw.item === undefined) return { type: 'addMention', requestId: raw.requestId, kind: raw.kind as MentionKind };
      return str(raw.item, 200) ? { type: 'addMention', requestId: raw.requestId, kind: raw.kind as MentionKind, item: raw.item } : undefined;
    case 'setInstructions':
      return typeof raw.on === 'boolean' ? { type: 'setInstructions', on: raw.on } : undefined;
    case 'errorAction':
      return str(raw.messageId, 200) && ERROR_ACTIONS.includes(raw.action as ErrorAction)
        ? { type: 'errorAction', messageId: raw.messageId, action: raw.action as ErrorAction }
        : undefined;
    default:
      return undefined;
  }
}

/** Images one question may carry, and the longest base64 of one (3 MiB of bytes) and of its thumbnail. */
export const MAX_OUTGOING_IMAGES = 5;
const MAX_IMAGE_BASE64 = 4 * 1024 * 1024;
const MAX_THUMBNAIL_URL = 160 * 1024;

/** undefined: none sent; null: malformed (the whole message is dropped). Content is checked by the host. */
function parseImages(raw: unknown): OutgoingImage[] | undefined | null {
  if (raw === undefined) return undefined;
  if (!Array.isArray(raw) || raw.length > MAX_OUTGOING_IMAGES) return null;
  const out: OutgoingImage[] = [];
  for (const i of raw) {
    if (!isObject(i) || !str(i.name, 200) || !str(i.data, MAX_IMAGE_BASE64) || !str(i.thumbnail, MAX_THUMBNAIL_URL)) return null;
    out.push({ name: i.name, data: i.data, thumbnail: i.thumbnail });
  }
  return out.length ? out : undefined;
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
    case 'chips':
      return Array.isArray(raw.chips) ? (raw as unknown as HostMessage) : undefined;
    case 'focusInput':
      return { type: 'focusInput' };
    case 'mentionItems':
      return isRequestId(raw.requestId) && Array.isArray(raw.items) ? (raw as unknown as HostMessage) : undefined;
    case 'mentionResult':
      return isRequestId(raw.requestId) && (raw.error === undefined || str(raw.error, 2000)) ? (raw as unknown as HostMessage) : undefined;
    default:
      return undefined;
  }
}
