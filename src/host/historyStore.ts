// Conversations on disk, crash-safe: one append-only JSON-lines log per conversation, replayed on load.
// A killed extension host loses at most the line being written; a torn last line is skipped. Logs are
// compacted on load by writing a temporary file and renaming it over the old one (atomic on POSIX).
import * as fs from 'fs/promises';
import * as path from 'path';
import type { ChatMessage, ConversationState } from '../protocol';

export type HistoryEvent =
  | { t: 'create'; id: string; title: string; createdAt: number }
  | { t: 'title'; title: string }
  | { t: 'message'; message: ChatMessage } // added, or replaced when the id exists
  | { t: 'append'; id: string; text: string }
  | { t: 'remove'; id: string };

export interface StoredConversation extends ConversationState {
  createdAt: number;
  updatedAt: number;
}

const FILE_SUFFIX = '.jsonl';
const SAFE_ID = /^[A-Za-z0-9_-]{1,100}$/;

/** Applies one event to a conversation being rebuilt; pure, so replay is testable without disk. */
export function applyEvent(c: StoredConversation, e: HistoryEvent, at: number): void {
  switch (e.t) {
    case 'create':
      c.title = e.title;
      c.createdAt = e.createdAt;
      return;
    case 'title':
      c.title = e.title;
      return;
    case 'message': {
      const i = c.messages.findIndex(m => m.id === e.message.id);
      if (i >= 0) c.messages[i] = e.message;
      else c.messages.push(e.message);
      c.updatedAt = at;
      return;
    }
    case 'append': {
      const m = c.messages.find(x => x.id === e.id);
      if (m) m.text += e.text;
      c.updatedAt = at;
      return;
    }
    case 'remove':
      c.messages = c.messages.filter(m => m.id !== e.id);
      return;
  }
}

/** Rebuilds a conversation from its log; lines that do not parse are counted and skipped. */
export function replay(id: string, text: string, mtime: number): { conversation: StoredConversation; bad: number; events: number } {
  const c: StoredConversation = { id, title: 'Conversation', messages: [], createdAt: mtime, updatedAt: mtime };
  let bad = 0;
  let events = 0;
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    try {
      const e = JSON.parse(line) as HistoryEvent & { at?: number };
      if (typeof e !== 'object' || e === null || typeof e.t !== 'string') throw new Error('not an event');
      applyEvent(c, e, typeof e.at === 'number' ? e.at : mtime);
      events++;
    } catch {
      bad++;
    }
  }
  return { conversation: c, bad, events };
}

/** An answer that was streaming when the host died is marked, with the ways forward. */
function settle(c: StoredConversation): void {
  for (const m of c.messages) {
    if (!m.streaming) continue;
    m.streaming = false;
    delete m.wait;
    if (!m.error) {
      m.error = {
        kind: 'cancelled',
        message: 'Interrupted: VS Code closed while this answer was arriving. The text up to that point is kept.',
        actions: m.text ? ['continue', 'retry'] : ['retry'],
      };
    }
  }
}

export class HistoryStore {
  /** One write at a time per file, in order; appends queue behind each other. */
  private readonly queues = new Map<string, Promise<void>>();
  /** Lines of an append that is queued but not started: later appends join it (one write, not one per delta). */
  private readonly open = new Map<string, { text: string }>();

  constructor(
    private readonly dir: string,
    private readonly log: (level: 'info' | 'warn' | 'error', line: string) => void,
  ) {}

  private file(id: string): string {
    if (!SAFE_ID.test(id)) throw new Error(`unsafe conversation id ${JSON.stringify(id)}`);
    return path.join(this.dir, `${id}${FILE_SUFFIX}`);
  }

  private enqueue(id: string, work: () => Promise<void>): Promise<void> {
    const prev = this.queues.get(id) ?? Promise.resolve();
    const next = prev.then(work).catch(e => this.log('error', `history write for ${id} failed: ${String(e)}`));
    this.queues.set(id, next);
    void next.then(() => {
      if (this.queues.get(id) === next) this.queues.delete(id);
    });
    return next;
  }

  /** Appends events to a conversation's log (creating it). */
  append(id: string, events: HistoryEvent[]): Promise<void> {
    if (events.length === 0) return Promise.resolve();
    const at = Date.now();
    const lines = events.map(e => JSON.stringify({ ...e, at })).join('\n') + '\n';
    const waiting = this.open.get(id);
    const queued = this.queues.get(id);
    if (waiting && queued) {
      waiting.text += lines;
      return queued;
    }
    const batch = { text: lines };
    this.open.set(id, batch);
    return this.enqueue(id, async () => {
      if (this.open.get(id) === batch) this.open.delete(id);
      await fs.mkdir(this.dir, { recursive: true });
      await fs.appendFile(this.file(id), batch.text, 'utf8');
    });
  }

  /** Replaces a conversation's log with its current state (after edits that remove messages). */
  rewrite(c: StoredConversation): Promise<void> {
    // The state as it is now, not when the queue gets to it: appends queued before must not be applied twice.
    const lines = [
      JSON.stringify({ t: 'create', id: c.id, title: c.title, createdAt: c.createdAt, at: c.createdAt }),
      ...c.messages.map(m => JSON.stringify({ t: 'message', message: m, at: c.updatedAt })),
    ];
    this.open.delete(c.id); // appends after this rewrite must land after it
    return this.enqueue(c.id, () => this.writeAtomic(c.id, lines.join('\n') + '\n'));
  }

  private async writeAtomic(id: string, content: string): Promise<void> {
    await fs.mkdir(this.dir, { recursive: true });
    const target = this.file(id);
    const tmp = `${target}.${process.pid}.tmp`;
    await fs.writeFile(tmp, content, 'utf8');
    await fs.rename(tmp, target);
  }

  delete(id: string): Promise<void> {
    this.open.delete(id);
    return this.enqueue(id, () => fs.rm(this.file(id), { force: true }));
  }

  /** Every stored conversation, oldest first; torn or damaged logs are repaired (compacted). */
  async loadAll(): Promise<StoredConversation[]> {
    let names: string[];
    try {
      names = await fs.readdir(this.dir);
    } catch {
      return [];
    }
    const out: StoredConversation[] = [];
    for (const name of names) {
      const full = path.join(this.dir, name);
      if (name.endsWith('.tmp')) {
        await fs.rm(full, { force: true }); // a compaction that never finished; the log is intact
        continue;
      }
      if (!name.endsWith(FILE_SUFFIX)) continue;
      const id = name.slice(0, -FILE_SUFFIX.length);
      if (!SAFE_ID.test(id)) continue;
      try {
        const [text, stat] = await Promise.all([fs.readFile(full, 'utf8'), fs.stat(full)]);
        const { conversation, bad, events } = replay(id, text, stat.mtimeMs);
        if (bad > 0) this.log('warn', `history ${name}: skipped ${bad} damaged line(s), kept ${events}`);
        const hadStreaming = conversation.messages.some(m => m.streaming);
        settle(conversation);
        if (conversation.messages.length === 0) {
          await fs.rm(full, { force: true });
          continue;
        }
        if (bad > 0 || hadStreaming || events > conversation.messages.length + 1) await this.rewrite(conversation);
        out.push(conversation);
      } catch (e) {
        this.log('error', `history ${name} could not be read: ${String(e)}`);
      }
    }
    return out.sort((a, b) => a.createdAt - b.createdAt);
  }

  /** Resolves when every queued write has reached the disk. */
  async flush(): Promise<void> {
    await Promise.all([...this.queues.values()]);
  }
}
