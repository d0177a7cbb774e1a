// A conversation as a Markdown document, for export and "open in editor".
import type { ChatMessage, ConversationState } from '../protocol';
import { fenceFor } from './prompts';
import { redactSecrets } from './redact';
import { redactOutgoing } from './secretScan';

function messageMarkdown(m: ChatMessage): string {
  const parts: string[] = [`## ${m.role === 'user' ? 'You' : 'Tandem'}`, ''];
  if (m.text) parts.push(m.text, '');
  if (m.context) {
    const c = m.context;
    const lines = c.startLine === c.endLine ? `line ${c.startLine}` : `lines ${c.startLine}-${c.endLine}`;
    const fence = fenceFor(c.code);
    parts.push(`\`${c.file}\`, ${lines} (${c.language}):`, '', `${fence}${c.language}`, c.code.replace(/\r\n/g, '\n'), fence, '');
  }
  // Images are named, not embedded: an export is text, and the pixels stay in history.
  for (const i of m.images ?? []) parts.push(`_(image: ${i.name.replace(/[\n_]/g, ' ')}, ${i.width}×${i.height})_`, '');
  if (m.stopped) parts.push('_(stopped)_', '');
  if (m.error) parts.push(`> **Error** (${m.error.kind}): ${m.error.message.replace(/\n/g, ' ')}`, '');
  return parts.join('\n');
}

export function conversationMarkdown(c: ConversationState, createdAt: Date): string {
  const head = [`# ${c.title.replace(/\n/g, ' ')}`, '', `_Tandem conversation, started ${createdAt.toISOString().slice(0, 16).replace('T', ' ')} UTC._`, ''];
  // An export leaves the machine more easily than history: it gets the same redaction as a request
  // (keys, tokens, private keys, passwords, URL credentials), then the key shapes of our own logs.
  return redactSecrets(redactOutgoing([...head, ...c.messages.map(messageMarkdown)].join('\n').trimEnd() + '\n').text);
}

/** One answer alone, for "Open in Editor". */
export function answerMarkdown(m: ChatMessage): string {
  return m.text.endsWith('\n') ? m.text : `${m.text}\n`;
}
