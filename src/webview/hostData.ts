// Deep checks for the data inside host messages. protocol.ts's parseHostMessage checks only the
// envelope of `state`, `messageUpdated` and `chips`; a stale bundle after an extension update could receive
// messages of another shape, and one malformed message must not break the whole view.

import { ERROR_ACTIONS, MENTION_KINDS } from '../protocol';
import { parseImageDataUrl } from '../core/images';
import type {
  ChatImage,
  ChatMessage,
  CodeContext,
  ContextChip,
  ConversationSummary,
  ErrorAction,
  MentionItem,
  MentionKind,
  MessageError,
  MessageUsage,
  MessageWait,
  SessionTotals,
  SetupState,
  ViewState,
} from '../protocol';

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function toContext(v: unknown): CodeContext | undefined {
  if (!isRecord(v)) return undefined;
  const { file, language, startLine, endLine, code } = v;
  if (typeof file !== 'string' || typeof language !== 'string' || typeof code !== 'string') return undefined;
  if (typeof startLine !== 'number' || typeof endLine !== 'number') return undefined;
  const context: CodeContext = { file, language, startLine, endLine, code };
  if (MENTION_KINDS.includes(v.mention as MentionKind)) context.mention = v.mention as MentionKind;
  if (Array.isArray(v.notes)) {
    const notes = v.notes.filter((n): n is string => typeof n === 'string');
    if (notes.length) context.notes = notes;
  }
  return context;
}

/**
 * A question's image. Its thumbnail is shown only as a data: URL of a PNG, JPEG or WebP: nothing the host
 * sends can make the view load a remote image, an SVG or a script URL.
 */
function toImage(v: unknown): ChatImage | undefined {
  if (!isRecord(v) || typeof v.id !== 'string' || typeof v.name !== 'string' || !num(v.width) || !num(v.height) || !num(v.bytes)) return undefined;
  if (v.mime !== 'image/png' && v.mime !== 'image/jpeg' && v.mime !== 'image/webp') return undefined;
  const thumb = typeof v.thumbnail === 'string' ? parseImageDataUrl(v.thumbnail) : undefined;
  const thumbnail = thumb && thumb.mime !== 'image/gif' ? String(v.thumbnail) : '';
  return { id: v.id, name: v.name, mime: v.mime, width: v.width, height: v.height, bytes: v.bytes, thumbnail };
}

function toError(v: unknown): MessageError | undefined {
  if (!isRecord(v) || typeof v.message !== 'string' || typeof v.kind !== 'string') return undefined;
  const actions = Array.isArray(v.actions)
    ? v.actions.filter((a): a is ErrorAction => ERROR_ACTIONS.includes(a as ErrorAction))
    : [];
  return { kind: v.kind as MessageError['kind'], message: v.message, actions };
}

function num(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v);
}

function toUsage(v: unknown): MessageUsage | undefined {
  if (!isRecord(v) || !num(v.promptTokens) || !num(v.completionTokens)) return undefined;
  const usage: MessageUsage = { promptTokens: v.promptTokens, completionTokens: v.completionTokens, estimated: v.estimated === true };
  if (num(v.costUsd)) usage.costUsd = v.costUsd;
  return usage;
}

function toWait(v: unknown): MessageWait | undefined {
  if (!isRecord(v) || (v.reason !== 'pacing' && v.reason !== 'retry') || !num(v.until)) return undefined;
  const wait: MessageWait = { reason: v.reason, until: v.until };
  if (num(v.position)) wait.position = v.position;
  if (num(v.attempt)) wait.attempt = v.attempt;
  if (typeof v.detail === 'string') wait.detail = v.detail;
  // Dropped here before, so the countdown never said why it waited.
  if (v.cause === 'rateLimited' || v.cause === 'server' || v.cause === 'connection') wait.cause = v.cause;
  return wait;
}

function toTotals(v: unknown): SessionTotals | undefined {
  if (!isRecord(v) || !num(v.answers) || !num(v.promptTokens) || !num(v.completionTokens) || !num(v.costUsd)) return undefined;
  return { answers: v.answers, promptTokens: v.promptTokens, completionTokens: v.completionTokens, costUsd: v.costUsd };
}

function toSummary(v: unknown): ConversationSummary | undefined {
  if (!isRecord(v) || typeof v.id !== 'string' || typeof v.title !== 'string' || !num(v.updatedAt) || !num(v.messageCount)) return undefined;
  const s: ConversationSummary = { id: v.id, title: v.title, updatedAt: v.updatedAt, messageCount: v.messageCount };
  if (num(v.bytes)) s.bytes = v.bytes;
  if (typeof v.damaged === 'string') s.damaged = v.damaged.slice(0, 500);
  return s;
}

function toSetup(v: unknown): SetupState | undefined {
  if (!isRecord(v) || (v.reason !== 'missingKey' && v.reason !== 'badEndpoint') || typeof v.detail !== 'string') return undefined;
  return { reason: v.reason, detail: v.detail };
}

function toChip(v: unknown): ContextChip | undefined {
  if (!isRecord(v) || typeof v.id !== 'string' || typeof v.label !== 'string' || typeof v.detail !== 'string') return undefined;
  const kind = v.kind as ContextChip['kind'];
  if ((kind !== 'selection' && kind !== 'file' && kind !== 'instructions' && !MENTION_KINDS.includes(kind as MentionKind)) || !num(v.tokens)) return undefined;
  const chip: ContextChip = { id: v.id, kind, label: v.label, detail: v.detail, tokens: Math.max(0, v.tokens) };
  if (typeof v.note === 'string' && v.note !== '') chip.note = v.note.slice(0, 1000);
  if (v.off === true) chip.off = true;
  if (v.locked === true) chip.locked = true;
  return chip;
}

function toMentionItem(v: unknown): MentionItem | undefined {
  if (!isRecord(v) || typeof v.id !== 'string' || typeof v.label !== 'string') return undefined;
  const item: MentionItem = { id: v.id, label: v.label };
  if (typeof v.detail === 'string') item.detail = v.detail;
  if (typeof v.disabled === 'string') item.disabled = v.disabled;
  return item;
}

/** The picker's items, malformed ones left out. */
export function toMentionItems(v: unknown): MentionItem[] {
  return listOf(v, toMentionItem);
}

/** The items of `v` that `convert` accepts; anything but an array gives none. */
function listOf<T>(v: unknown, convert: (item: unknown) => T | undefined): T[] {
  return Array.isArray(v) ? v.map(convert).filter((item): item is T => item !== undefined) : [];
}

/** The chips of a `state` or `chips` message, malformed ones left out. */
export function toChips(v: unknown): ContextChip[] {
  return listOf(v, toChip);
}

/** The message, without optional parts that are malformed; undefined when it cannot be shown at all. */
export function toChatMessage(v: unknown): ChatMessage | undefined {
  if (!isRecord(v) || typeof v.id !== 'string' || typeof v.text !== 'string') return undefined;
  if (v.role !== 'user' && v.role !== 'assistant') return undefined;
  const message: ChatMessage = { id: v.id, role: v.role, text: v.text, streaming: v.streaming === true };
  if (v.stopped === true) message.stopped = true;
  const context = toContext(v.context);
  if (context) message.context = context;
  const attachments = listOf(v.attachments, toContext);
  if (attachments.length) message.attachments = attachments;
  const images = listOf(v.images, toImage);
  if (images.length > 0) message.images = images;
  const error = toError(v.error);
  if (error) message.error = error;
  const usage = toUsage(v.usage);
  if (usage) message.usage = usage;
  const wait = toWait(v.wait);
  if (wait) message.wait = wait;
  if (Array.isArray(v.notices)) {
    const notices = v.notices.filter((n): n is string => typeof n === 'string');
    if (notices.length > 0) message.notices = notices;
  }
  return message;
}

/** The state with malformed messages, summaries and chips left out. */
export function toViewState(state: ViewState): ViewState {
  const conversation = state.conversation;
  return {
    conversation: { id: String(conversation.id), title: String(conversation.title ?? ''), messages: listOf(conversation.messages, toChatMessage) },
    conversations: listOf(state.conversations, toSummary),
    model: typeof state.model === 'string' ? state.model : '',
    streaming: state.streaming === true,
    totals: toTotals(state.totals),
    setup: toSetup(state.setup),
    chips: toChips(state.chips),
  };
}
