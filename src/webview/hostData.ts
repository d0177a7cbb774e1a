// Deep checks for the data inside host messages. protocol.ts's parseHostMessage checks only the
// envelope of `state` and `messageUpdated`; a stale bundle after an extension update could receive
// messages of another shape, and one malformed message must not break the whole view.

import type { ChatMessage, CodeContext, ErrorAction, MessageError, ViewState } from '../protocol';

const ERROR_ACTIONS: readonly ErrorAction[] = ['setApiKey', 'openSettings', 'retry', 'showLog'];

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function toContext(v: unknown): CodeContext | undefined {
  if (!isRecord(v)) return undefined;
  const { file, language, startLine, endLine, code } = v;
  if (typeof file !== 'string' || typeof language !== 'string' || typeof code !== 'string') return undefined;
  if (typeof startLine !== 'number' || typeof endLine !== 'number') return undefined;
  return { file, language, startLine, endLine, code };
}

function toError(v: unknown): MessageError | undefined {
  if (!isRecord(v) || typeof v.message !== 'string' || typeof v.kind !== 'string') return undefined;
  const actions = Array.isArray(v.actions)
    ? v.actions.filter((a): a is ErrorAction => ERROR_ACTIONS.includes(a as ErrorAction))
    : [];
  return { kind: v.kind as MessageError['kind'], message: v.message, actions };
}

/** The message, without optional parts that are malformed; undefined when it cannot be shown at all. */
export function toChatMessage(v: unknown): ChatMessage | undefined {
  if (!isRecord(v) || typeof v.id !== 'string' || typeof v.text !== 'string') return undefined;
  if (v.role !== 'user' && v.role !== 'assistant') return undefined;
  const message: ChatMessage = { id: v.id, role: v.role, text: v.text, streaming: v.streaming === true };
  if (v.stopped === true) message.stopped = true;
  const context = toContext(v.context);
  if (context) message.context = context;
  const error = toError(v.error);
  if (error) message.error = error;
  return message;
}

/** The state with malformed messages left out. */
export function toViewState(state: ViewState): ViewState {
  const conversation = state.conversation;
  const raw: unknown = conversation.messages;
  const messages = Array.isArray(raw) ? raw.map(toChatMessage).filter((m): m is ChatMessage => m !== undefined) : [];
  return {
    conversation: { id: String(conversation.id), title: String(conversation.title ?? ''), messages },
    model: typeof state.model === 'string' ? state.model : '',
    streaming: state.streaming === true,
  };
}
