// The conversation model the host owns. Pure data and functions; the host adds events and storage.
import type { ChatMessage, CodeContext, ConversationState, MessageError } from '../protocol';

/**
 * Random ids (a UUID v4 after the prefix): several windows write into the same history folder, often the
 * same conversation, so an id must not depend on the process, the clock or a counter. Not secret.
 */
export function newId(prefix: string): string {
  return `${prefix}-${globalThis.crypto.randomUUID()}`;
}

export function newConversation(): ConversationState {
  return { id: newId('c'), title: 'New conversation', messages: [] };
}

export function titleFrom(text: string): string {
  const line = text.split('\n').find(l => l.trim() !== '') ?? '';
  const t = line.trim().replace(/\s+/g, ' ');
  return t.length > 60 ? `${t.slice(0, 57)}...` : t || 'New conversation';
}

export function userMessage(text: string, context?: CodeContext): ChatMessage {
  return { id: newId('m'), role: 'user', text, context, streaming: false };
}

export function assistantMessage(): ChatMessage {
  return { id: newId('m'), role: 'assistant', text: '', streaming: true };
}

export function withError(m: ChatMessage, error: MessageError): ChatMessage {
  return { ...m, error, streaming: false };
}

/** A deep copy, so callers of the public API cannot change the host's state. */
export function snapshot(c: ConversationState): ConversationState {
  return structuredClone({ id: c.id, title: c.title, messages: c.messages });
}
