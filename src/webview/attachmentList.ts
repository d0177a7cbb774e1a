// Under a question: what was attached to it (files from chips, # mentions), one line each, so the
// conversation and its history show what went with each question.

import type { CodeContext } from '../protocol';
import { element } from './dom';
import { strings } from './strings';

export function attachmentList(attachments: readonly CodeContext[]): HTMLElement {
  const list = element('ul', 'message-attachments');
  list.setAttribute('aria-label', strings.attachmentsLabel);
  for (const a of attachments) {
    const name = a.mention ? `#${a.mention} ${a.file}` : a.file;
    const where = a.mention === 'problems' || a.mention === 'changes' || a.mention === 'terminal' ? '' : `${strings.contextSeparator}${strings.contextLines(a.startLine, a.endLine)}`;
    const item = element('li', 'message-attachment', name + where);
    if (a.notes?.length) item.append(element('span', 'message-attachment-note', `${strings.contextSeparator}${a.notes.join('; ')}`));
    list.append(item);
  }
  return list;
}
