// Conversations on disk, shared by every window: one append-only JSON-lines log per conversation,
// replayed when the conversation is opened, and a small index the conversation list is read from.
//
// Guarantees, and how:
// - Every change is an appended event (Regenerate and Edit and Resend too: `replace` and `remove`), so
//   two windows writing one conversation add to each other's log instead of replacing it.
// - Every batch starts on a new line: a torn last line (a crash mid-write, here or in another window)
//   stays one damaged line and never swallows the next event.
// - A failed write (disk full, read-only folder) keeps the events in memory, reports the first failure
//   (onWriteError), retries, and writes them in order once writing works again (onWriteRecovered).
// - Compaction (on open, when the log has much to drop) holds `<id>.lock`, keeps a copy of a log with
//   unreadable lines beside it (`.damaged-<time>`), fsyncs the temporary file before the rename, and
//   copies anything appended to the old file meanwhile. Appends wait while another window holds the lock.
// - A window that is streaming an answer says so in `.live/<window>.json` with a heartbeat: another
//   window neither marks that answer interrupted nor compacts that log. Temporary files of others are
//   left alone (only abandoned ones, hours old, are removed).
// - A log that cannot be read is listed as damaged, never hidden. Attached file contents are stored
//   once per conversation (later copies refer to the first by hash) and capped; so are pasted images.
import * as fs from 'fs/promises';
import { appendFileSync, mkdirSync, statSync } from 'fs';
import * as os from 'os';
import * as path from 'path';
import { createHash, randomUUID } from 'crypto';
import type { ChatImage, ChatMessage, CodeContext, ConversationState } from '../protocol';

export type HistoryEvent =
  | { t: 'create'; id: string; title: string; createdAt: number }
  | { t: 'title'; title: string }
  | { t: 'message'; message: ChatMessage } // added, or replaced when the id exists
  | { t: 'replace'; id: string; message: ChatMessage } // the message with `id` becomes `message`, in place
  | { t: 'append'; id: string; text: string }
  | { t: 'remove'; id: string };

export interface StoredConversation extends ConversationState {
  createdAt: number;
  updatedAt: number;
}

/** One row of the conversation list, read without loading the messages. */
export interface ConversationEntry {
  id: string;
  title: string;
  createdAt: number;
  updatedAt: number;
  messageCount: number;
  /** Size of the log on disk. */
  bytes: number;
  /** Why the log cannot be loaded; the list shows it with Open File and Delete. */
  damaged?: string;
}

export interface HistoryStoreOptions {
  log: (level: 'info' | 'warn' | 'error', line: string) => void;
  /** The first write that fails after writing worked (or at all). */
  onWriteError?: (reason: string) => void;
  /** Everything held back after a failure has been written. */
  onWriteRecovered?: () => void;
}

const FILE_SUFFIX = '.jsonl';
const SAFE_ID = /^[A-Za-z0-9_-]{1,100}$/;
const INDEX_FILE = 'index.json';
const LIVE_DIR = '.live';
/** Logs larger than this are not read into one string (V8's limit is about 512 MB): listed as damaged. */
export const MAX_LOG_BYTES = 128 * 1024 * 1024;
/** The most characters of one attached file kept in history (the request had all of it). */
export const MAX_STORED_CODE = 64 * 1024;
const HEARTBEAT_MS = 5000;
const LIVE_STALE_MS = 20000;
const LOCK_STALE_MS = 30000;
const LOCK_WAIT_MS = 3000;
const RETRY_MS = 1500;
const TMP_ABANDONED_MS = 6 * 60 * 60 * 1000;

/** Code kept in history: capped, and identical code stored once per conversation (`ref:<hash>`). */
interface StoredCode {
  codeRef?: string;
}

function hashOf(code: string): string {
  return createHash('sha256').update(code).digest('hex').slice(0, 32);
}

/** What one context becomes on disk; `seen` holds the hashes already stored in this log. */
export function storedContext(c: CodeContext, seen: Set<string>): CodeContext & StoredCode {
  let code = c.code;
  if (code.length > MAX_STORED_CODE) {
    code = `${code.slice(0, MAX_STORED_CODE)}\n[... ${(code.length - MAX_STORED_CODE).toLocaleString('en-US')} more characters were sent but not kept in history]`;
  }
  const h = hashOf(code);
  if (seen.has(h)) return { ...c, code: '', codeRef: h };
  seen.add(h);
  return { ...c, code };
}

/**
 * An image on disk: its bytes and thumbnail with the first message of this log that has it; later
 * copies (an edited question, a compaction's rewrite) carry only its id (`imageRef`), like code.
 */
export function storedImage(i: ChatImage, seen: Set<string>): ChatImage & { imageRef?: true } {
  const key = `img:${i.id}`;
  if (seen.has(key)) return { ...i, data: '', thumbnail: '', imageRef: true };
  if (i.data) seen.add(key);
  return i;
}

/** The message as it is written: contexts capped and deduplicated, images once, no wait state. */
export function storedMessage(m: ChatMessage, seen: Set<string>): ChatMessage {
  const out: ChatMessage = { ...m, wait: undefined };
  if (m.context) out.context = storedContext(m.context, seen);
  if (m.attachments) out.attachments = m.attachments.map(a => storedContext(a, seen));
  if (m.images) out.images = m.images.map(i => storedImage(i, seen));
  return out;
}

function resolveImage(i: ChatImage & { imageRef?: true }, codes: Map<string, string>): ChatImage {
  if (i.imageRef) {
    const { imageRef: _ref, ...rest } = i;
    return { ...rest, data: codes.get(`img:${i.id}`) ?? '', thumbnail: codes.get(`thumb:${i.id}`) ?? '' };
  }
  if (i.data) codes.set(`img:${i.id}`, i.data);
  codes.set(`thumb:${i.id}`, i.thumbnail);
  return i;
}

function resolveContext(c: CodeContext & StoredCode, codes: Map<string, string>): CodeContext {
  if (c.codeRef) {
    const { codeRef, ...rest } = c;
    return { ...rest, code: codes.get(codeRef) ?? '' };
  }
  codes.set(hashOf(c.code), c.code);
  return c;
}

function resolveMessage(m: ChatMessage, codes: Map<string, string>): ChatMessage {
  if (!m.context && !m.attachments && !m.images) return m;
  const out: ChatMessage = { ...m, context: m.context && resolveContext(m.context, codes), attachments: m.attachments?.map(a => resolveContext(a, codes)) };
  if (m.images) out.images = m.images.map(i => resolveImage(i, codes));
  return out;
}

/** Applies one event to a conversation being rebuilt; pure, so replay is testable without disk. */
export function applyEvent(c: StoredConversation, e: HistoryEvent, at: number, codes: Map<string, string> = new Map()): void {
  switch (e.t) {
    case 'create':
      c.title = e.title;
      c.createdAt = e.createdAt;
      return;
    case 'title':
      c.title = e.title;
      return;
    case 'message': {
      const m = resolveMessage(e.message, codes);
      const i = c.messages.findIndex(x => x.id === m.id);
      if (i >= 0) c.messages[i] = m;
      else c.messages.push(m);
      c.updatedAt = at;
      return;
    }
    case 'replace': {
      const m = resolveMessage(e.message, codes);
      const i = c.messages.findIndex(x => x.id === e.id);
      const dup = c.messages.findIndex(x => x.id === m.id);
      if (dup >= 0 && dup !== i) c.messages.splice(dup, 1);
      const j = c.messages.findIndex(x => x.id === e.id);
      if (j >= 0) c.messages[j] = m;
      else c.messages.push(m);
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
      c.updatedAt = at;
      return;
  }
}

/** Rebuilds a conversation from its log; lines that do not parse are counted and skipped. */
export function replay(id: string, text: string, mtime: number): { conversation: StoredConversation; bad: number; events: number } {
  const c: StoredConversation = { id, title: 'Conversation', messages: [], createdAt: mtime, updatedAt: mtime };
  const codes = new Map<string, string>();
  let bad = 0;
  let events = 0;
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    try {
      const e = JSON.parse(line) as HistoryEvent & { at?: number };
      if (typeof e !== 'object' || e === null || typeof e.t !== 'string') throw new Error('not an event');
      applyEvent(c, e, typeof e.at === 'number' ? e.at : mtime, codes);
      events++;
    } catch {
      bad++;
    }
  }
  return { conversation: c, bad, events };
}

/** The events that rebuild `c` exactly: one line per message, each file's content once. */
export function compactEvents(c: StoredConversation): HistoryEvent[] {
  const seen = new Set<string>();
  return [
    { t: 'create', id: c.id, title: c.title, createdAt: c.createdAt },
    ...c.messages.map((m): HistoryEvent => ({ t: 'message', message: storedMessage(m, seen) })),
  ];
}

/** Marks answers that were streaming when their window died, except those `live` says are still arriving. */
export function settle(c: StoredConversation, live: ReadonlySet<string> = new Set()): boolean {
  let changed = false;
  for (const m of c.messages) {
    if (!m.streaming || live.has(m.id)) continue;
    changed = true;
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
  return changed;
}

/** Whether a presence file still speaks for a running window; pure (clock and liveness passed in). */
export function presenceIsLive(p: { pid?: unknown; host?: unknown; at?: unknown }, now: number, hostName: string, pidAlive: (pid: number) => boolean): boolean {
  if (typeof p.at !== 'number' || now - p.at > LIVE_STALE_MS) return false;
  if (p.host === hostName && typeof p.pid === 'number' && !pidAlive(p.pid)) return false;
  return true;
}

/** Conversations older than the retention period (days; undefined or <= 0: keep everything). */
export function expired(entries: readonly ConversationEntry[], retentionDays: number | undefined, now: number): ConversationEntry[] {
  if (retentionDays === undefined || !(retentionDays > 0)) return [];
  const cutoff = now - retentionDays * 86_400_000;
  return entries.filter(e => !e.damaged && e.updatedAt < cutoff);
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function errorReason(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  if (err?.code === 'ENOSPC') return 'the disk is full';
  if (err?.code === 'EACCES' || err?.code === 'EPERM' || err?.code === 'EROFS') return 'the history folder is not writable';
  return err?.message ?? String(e);
}

const sleep = (ms: number) => new Promise<void>(r => setTimeout(r, ms));

interface IndexFile {
  v: 1;
  entries: Record<string, ConversationEntry & { mtimeMs: number }>;
}

export class HistoryStore {
  /** One operation at a time per file, in order. */
  private readonly queues = new Map<string, Promise<void>>();
  /** Text of appends not yet written (waiting, or held back after a failure), per conversation. */
  private readonly pending = new Map<string, string>();
  /** Conversations with a drain queued but not started: later appends join it. */
  private readonly draining = new Set<string>();
  /** Hashes of the file contents already in each log this window wrote. */
  private readonly codes = new Map<string, Set<string>>();
  private failing: string | undefined;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  /** This window: its presence file and temporary files carry this name. */
  readonly windowId = `${process.pid}-${randomUUID().slice(0, 8)}`;
  /** Answers streaming in this window, by conversation. */
  private readonly liveHere = new Map<string, Set<string>>();
  private heartbeat: ReturnType<typeof setInterval> | undefined;
  private presenceChain: Promise<void> = Promise.resolve();
  private disposed = false;
  private dirReady = false;
  private readonly log: HistoryStoreOptions['log'];

  constructor(
    private readonly dir: string,
    logOrOptions: HistoryStoreOptions['log'] | HistoryStoreOptions,
  ) {
    this.opts = typeof logOrOptions === 'function' ? { log: logOrOptions } : logOrOptions;
    this.log = this.opts.log;
  }

  private readonly opts: HistoryStoreOptions;

  private file(id: string): string {
    if (!SAFE_ID.test(id)) throw new Error(`unsafe conversation id ${JSON.stringify(id)}`);
    return path.join(this.dir, `${id}${FILE_SUFFIX}`);
  }

  /** The log's path, for Open File on a damaged conversation. */
  fileOf(id: string): string {
    return this.file(id);
  }

  /** True while some writes could not be made and are held in memory. */
  get writeFailing(): string | undefined {
    return this.failing;
  }

  private enqueue(id: string, work: () => Promise<void>): Promise<void> {
    const prev = this.queues.get(id) ?? Promise.resolve();
    const next = prev.then(work).catch(e => this.log('error', `history operation on ${id} failed: ${String(e)}`));
    this.queues.set(id, next);
    void next.then(() => {
      if (this.queues.get(id) === next) this.queues.delete(id);
    });
    return next;
  }

  /** Appends events to a conversation's log (creating it). Never rejects: a failed write is kept and retried. */
  append(id: string, events: HistoryEvent[]): Promise<void> {
    if (events.length === 0) return Promise.resolve();
    this.file(id);
    const at = Date.now();
    const seen = this.codesFor(id);
    // A new line first: whatever the last write left (a torn line), this batch starts clean.
    const lines = '\n' + events.map(e => JSON.stringify({ ...this.stored(e, seen), at })).join('\n') + '\n';
    this.track(id, events);
    // The usual case, written at once and synchronously (well under a millisecond into the page cache):
    // what the chat shows has reached the kernel, however busy the machine's I/O threads are, so a
    // killed window loses at most the delta being written.
    if (!this.failing && !this.queues.has(id) && !this.pending.has(id) && !this.lockedByOther(id)) {
      try {
        if (!this.dirReady) mkdirSync(this.dir, { recursive: true });
        this.dirReady = true;
        appendFileSync(this.file(id), lines, 'utf8');
        return Promise.resolve();
      } catch (e) {
        this.dirReady = false;
        this.pending.set(id, lines);
        this.failed(id, e);
        return Promise.resolve();
      }
    }
    this.pending.set(id, (this.pending.get(id) ?? '') + lines);
    if (this.draining.has(id)) return this.queues.get(id) ?? Promise.resolve();
    this.draining.add(id);
    return this.enqueue(id, () => this.drain(id));
  }

  private codesFor(id: string): Set<string> {
    let s = this.codes.get(id);
    if (!s) this.codes.set(id, (s = new Set()));
    return s;
  }

  private stored(e: HistoryEvent, seen: Set<string>): HistoryEvent {
    if (e.t === 'message') return { t: 'message', message: storedMessage(e.message, seen) };
    if (e.t === 'replace') return { t: 'replace', id: e.id, message: storedMessage(e.message, seen) };
    return e;
  }

  /** Keeps the presence file in step with the answers streaming here. */
  private track(id: string, events: HistoryEvent[]): void {
    let live = this.liveHere.get(id);
    const before = live?.size ?? 0;
    for (const e of events) {
      const m = e.t === 'message' || e.t === 'replace' ? e.message : undefined;
      if (m?.streaming || e.t === 'append') {
        live ??= new Set();
        live.add(m?.id ?? (e as { id: string }).id);
      } else if (m && live) live.delete(m.id);
      if (e.t === 'remove' || e.t === 'replace') live?.delete(e.id);
    }
    if (live && live.size > 0) this.liveHere.set(id, live);
    else this.liveHere.delete(id);
    if ((live?.size ?? 0) !== before) void this.writePresence();
  }

  /**
   * Presence writes run one after another, each reading the state when it runs: a write of an older
   * state finishing after the removal of a newer one would leave this window looking busy forever.
   */
  private writePresence(): Promise<void> {
    this.presenceChain = this.presenceChain.then(() => this.writePresenceNow());
    return this.presenceChain;
  }

  private async writePresenceNow(): Promise<void> {
    if (this.disposed) return;
    const file = path.join(this.dir, LIVE_DIR, `${this.windowId}.json`);
    const streaming = [...this.liveHere.values()].flatMap(s => [...s]);
    try {
      if (streaming.length === 0) {
        await fs.rm(file, { force: true });
        if (this.heartbeat) clearInterval(this.heartbeat);
        this.heartbeat = undefined;
        return;
      }
      await fs.mkdir(path.dirname(file), { recursive: true });
      await fs.writeFile(file, JSON.stringify({ pid: process.pid, host: os.hostname(), at: Date.now(), streaming }));
      this.heartbeat ??= setInterval(() => void this.writePresence(), HEARTBEAT_MS);
      this.heartbeat.unref?.();
    } catch {
      // Presence is advisory: without it another window may mark the answer interrupted early.
    }
  }

  /** Message ids other windows are streaming right now. */
  async liveElsewhere(): Promise<Set<string>> {
    const out = new Set<string>();
    const dir = path.join(this.dir, LIVE_DIR);
    let names: string[];
    try {
      names = await fs.readdir(dir);
    } catch {
      return out;
    }
    const now = Date.now();
    for (const n of names) {
      if (!n.endsWith('.json') || n === `${this.windowId}.json`) continue;
      try {
        const p = JSON.parse(await fs.readFile(path.join(dir, n), 'utf8')) as { pid?: unknown; host?: unknown; at?: unknown; streaming?: unknown };
        if (presenceIsLive(p, now, os.hostname(), pidAlive)) {
          for (const id of Array.isArray(p.streaming) ? p.streaming : []) if (typeof id === 'string') out.add(id);
        } else if (typeof p.at === 'number' && now - p.at > LIVE_STALE_MS * 10) {
          await fs.rm(path.join(dir, n), { force: true });
        }
      } catch {
        // being written, or gone
      }
    }
    return out;
  }

  private async drain(id: string): Promise<void> {
    this.draining.delete(id);
    const text = this.pending.get(id);
    if (!text) return;
    this.pending.delete(id);
    try {
      await this.waitForLock(id);
      await fs.mkdir(this.dir, { recursive: true });
      await fs.appendFile(this.file(id), text, 'utf8');
    } catch (e) {
      // Keep it, before anything appended meanwhile, and try again later.
      this.pending.set(id, text + (this.pending.get(id) ?? ''));
      this.failed(id, e);
      return;
    }
    this.maybeRecovered();
  }

  private failed(id: string, e: unknown): void {
    const reason = errorReason(e);
    this.log('error', `history write for ${id} failed (${reason}); kept in memory, retrying: ${String(e)}`);
    if (!this.failing) {
      this.failing = reason;
      this.opts.onWriteError?.(reason);
    }
    this.retryTimer ??= setTimeout(() => {
      this.retryTimer = undefined;
      for (const held of this.pending.keys()) {
        if (this.draining.has(held)) continue;
        this.draining.add(held);
        void this.enqueue(held, () => this.drain(held));
      }
    }, RETRY_MS);
    this.retryTimer.unref?.();
  }

  private maybeRecovered(): void {
    if (!this.failing || this.pending.size > 0) return;
    this.failing = undefined;
    this.log('info', 'history writes work again; everything held back is written');
    this.opts.onWriteRecovered?.();
  }

  private lockFile(id: string): string {
    return `${this.file(id)}.lock`;
  }

  /** Another window is compacting this log right now. */
  private lockedByOther(id: string): boolean {
    try {
      return Date.now() - statSync(this.lockFile(id)).mtimeMs <= LOCK_STALE_MS;
    } catch {
      return false;
    }
  }

  /** Waits (bounded) while another window compacts this log. */
  private async waitForLock(id: string): Promise<void> {
    const end = Date.now() + LOCK_WAIT_MS;
    for (;;) {
      let st;
      try {
        st = await fs.stat(this.lockFile(id));
      } catch {
        return;
      }
      if (Date.now() - st.mtimeMs > LOCK_STALE_MS || Date.now() > end) return;
      await sleep(25);
    }
  }

  private async takeLock(id: string): Promise<boolean> {
    const lock = this.lockFile(id);
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        await fs.writeFile(lock, JSON.stringify({ pid: process.pid, host: os.hostname(), window: this.windowId, at: Date.now() }), { flag: 'wx' });
        return true;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') return false;
        try {
          const st = await fs.stat(lock);
          if (Date.now() - st.mtimeMs <= LOCK_STALE_MS) return false;
          await fs.rm(lock, { force: true }); // its owner died mid-compaction
        } catch {
          // gone meanwhile: try again
        }
      }
    }
    return false;
  }

  /** Writes `content` to a temporary file of this window, fsynced, and renames it over the log. */
  private async writeAtomic(id: string, content: string): Promise<void> {
    await fs.mkdir(this.dir, { recursive: true });
    const target = this.file(id);
    const tmp = `${target}.${this.windowId}.tmp`;
    const fh = await fs.open(tmp, 'w');
    try {
      await fh.writeFile(content, 'utf8');
      await fh.sync();
    } finally {
      await fh.close();
    }
    await fs.rename(tmp, target);
  }

  /**
   * Replaces the log with its compacted form, under the lock, from what is on disk now (not from a copy
   * in memory that may be stale), keeping a copy of unreadable lines and what others append meanwhile.
   */
  private compact(id: string): Promise<void> {
    return this.enqueue(id, async () => {
      if (!(await this.takeLock(id))) return;
      const target = this.file(id);
      let old: fs.FileHandle | undefined;
      try {
        old = await fs.open(target, 'r');
        const text = (await old.readFile()).toString('utf8');
        const read = Buffer.byteLength(text, 'utf8');
        const st = await old.stat();
        const { conversation, bad } = replay(id, text, st.mtimeMs);
        settle(conversation, new Set([...(await this.liveElsewhere()), ...(this.liveHere.get(id) ?? [])]));
        if (bad > 0) {
          const copy = `${target}.damaged-${Date.now()}`;
          await fs.copyFile(target, copy);
          this.log('warn', `history ${path.basename(target)}: ${bad} unreadable line(s); the original is kept as ${path.basename(copy)}`);
        }
        const lines = compactEvents(conversation).map(e => JSON.stringify({ ...e, at: conversation.updatedAt }));
        await this.writeAtomic(id, lines.join('\n') + '\n');
        this.codes.delete(id);
        // An append that opened the old file just before the rename lands there: carry it over.
        await sleep(50);
        const grown = (await old.stat()).size;
        if (grown > read) {
          const buf = Buffer.alloc(grown - read);
          await old.read(buf, 0, buf.length, read);
          await fs.appendFile(target, '\n' + buf.toString('utf8'));
        }
      } catch (e) {
        this.log('warn', `history ${id}: compaction skipped: ${String(e)}`);
      } finally {
        await old?.close();
        await fs.rm(this.lockFile(id), { force: true }).catch(() => undefined);
      }
    });
  }

  /** Deletes a conversation's log (held-back writes for it are dropped). */
  delete(id: string): Promise<void> {
    this.pending.delete(id);
    this.liveHere.delete(id);
    return this.enqueue(id, async () => {
      await fs.rm(this.file(id), { force: true });
      this.maybeRecovered();
    });
  }

  private async readIndex(): Promise<IndexFile> {
    try {
      const v = JSON.parse(await fs.readFile(path.join(this.dir, INDEX_FILE), 'utf8')) as IndexFile;
      if (v && v.v === 1 && typeof v.entries === 'object' && v.entries) return v;
    } catch {
      // missing or damaged: rebuilt from the logs
    }
    return { v: 1, entries: {} };
  }

  /**
   * Every conversation for the list, from the index where a log has not changed since it was indexed
   * (size and modification time), else by reading that log once. Nothing is kept in memory.
   */
  async list(): Promise<ConversationEntry[]> {
    let names: string[];
    try {
      names = await fs.readdir(this.dir);
    } catch {
      return [];
    }
    const index = await this.readIndex();
    const fresh: IndexFile = { v: 1, entries: {} };
    let changed = false;
    const now = Date.now();
    for (const name of names) {
      const full = path.join(this.dir, name);
      if (name.endsWith('.tmp')) {
        // Another window's compaction may be writing it: only an abandoned one goes.
        try {
          if (now - (await fs.stat(full)).mtimeMs > TMP_ABANDONED_MS) await fs.rm(full, { force: true });
        } catch {
          // gone
        }
        continue;
      }
      if (!name.endsWith(FILE_SUFFIX)) continue;
      const id = name.slice(0, -FILE_SUFFIX.length);
      if (!SAFE_ID.test(id)) continue;
      let st;
      try {
        st = await fs.stat(full);
      } catch {
        continue;
      }
      const known = index.entries[id];
      if (known && known.bytes === st.size && known.mtimeMs === st.mtimeMs) {
        fresh.entries[id] = known;
        continue;
      }
      changed = true;
      fresh.entries[id] = { ...(await this.summarize(id, full, st.size, st.mtimeMs)), mtimeMs: st.mtimeMs };
    }
    if (changed || Object.keys(index.entries).length !== Object.keys(fresh.entries).length) {
      // Another window may write it too; the index is a cache checked against every log, so the last writer wins harmlessly.
      try {
        await fs.mkdir(this.dir, { recursive: true });
        const tmp = path.join(this.dir, `${INDEX_FILE}.${this.windowId}.tmp`);
        await fs.writeFile(tmp, JSON.stringify(fresh));
        await fs.rename(tmp, path.join(this.dir, INDEX_FILE));
      } catch (e) {
        this.log('warn', `history index not written: ${String(e)}`);
      }
    }
    return Object.values(fresh.entries)
      .map(({ mtimeMs: _m, ...e }) => e)
      .filter(e => e.damaged || e.messageCount > 0)
      .sort((a, b) => a.createdAt - b.createdAt);
  }

  private async summarize(id: string, full: string, size: number, mtimeMs: number): Promise<ConversationEntry> {
    const base = { id, title: id, createdAt: mtimeMs, updatedAt: mtimeMs, messageCount: 0, bytes: size };
    if (size > MAX_LOG_BYTES) return { ...base, damaged: `too large to load (${(size / 1048576).toFixed(0)} MB)` };
    try {
      const { conversation, bad, events } = replay(id, await fs.readFile(full, 'utf8'), mtimeMs);
      if (events === 0 && size > 0) return { ...base, damaged: `no readable line (${bad} damaged)` };
      return { ...base, title: conversation.title, createdAt: conversation.createdAt, updatedAt: conversation.updatedAt, messageCount: conversation.messages.length };
    } catch (e) {
      return { ...base, damaged: `cannot be read: ${errorReason(e)}` };
    }
  }

  /**
   * One conversation with its messages. Answers streaming in no live window are marked interrupted; a
   * log with much to drop is compacted. Throws when the log cannot be read (the caller lists it damaged).
   */
  async load(id: string, opts: { compact?: boolean } = {}): Promise<StoredConversation> {
    const full = this.file(id);
    const st = await fs.stat(full);
    if (st.size > MAX_LOG_BYTES) throw new Error(`too large to load (${(st.size / 1048576).toFixed(0)} MB)`);
    const text = await fs.readFile(full, 'utf8');
    const { conversation, bad, events } = replay(id, text, st.mtimeMs);
    if (events === 0 && st.size > 0) throw new Error(`no readable line (${bad} damaged)`);
    if (bad > 0) this.log('warn', `history ${id}${FILE_SUFFIX}: skipped ${bad} damaged line(s), kept ${events}`);
    const elsewhere = await this.liveElsewhere();
    const interrupted = settle(conversation, new Set([...elsewhere, ...(this.liveHere.get(id) ?? [])]));
    const liveThere = conversation.messages.some(m => elsewhere.has(m.id));
    if (opts.compact !== false && !liveThere && (bad > 0 || interrupted || events > conversation.messages.length * 2 + 20)) {
      await this.compact(id);
    }
    return conversation;
  }

  /** Every conversation with its messages (tests, small histories); damaged logs are skipped. */
  async loadAll(): Promise<StoredConversation[]> {
    const out: StoredConversation[] = [];
    for (const e of await this.list()) {
      if (e.damaged) continue;
      try {
        out.push(await this.load(e.id));
      } catch (err) {
        this.log('error', `history ${e.id} could not be read: ${String(err)}`);
      }
    }
    return out;
  }

  /** Deletes the conversations older than the retention period; returns their ids. */
  async prune(retentionDays: number | undefined, entries?: ConversationEntry[]): Promise<string[]> {
    const all = entries ?? (await this.list());
    const old = expired(all, retentionDays, Date.now());
    if (old.length === 0) return [];
    const live = await this.liveElsewhere();
    const gone: string[] = [];
    for (const e of old) {
      if (this.liveHere.has(e.id)) continue;
      try {
        const c = await this.load(e.id, { compact: false });
        if (c.messages.some(m => live.has(m.id))) continue;
      } catch {
        continue;
      }
      await this.delete(e.id);
      gone.push(e.id);
    }
    if (gone.length) this.log('info', `history: ${gone.length} conversation(s) older than ${retentionDays} day(s) deleted`);
    return gone;
  }

  /** Resolves when every queued write has been attempted (held-back writes after a failure stay held). */
  async flush(): Promise<void> {
    await Promise.all([...this.queues.values(), this.presenceChain]);
  }

  /** Stops the heartbeat and removes this window's presence. */
  async dispose(): Promise<void> {
    this.disposed = true;
    await this.presenceChain; // a write already under way finishes before the file is removed
    if (this.heartbeat) clearInterval(this.heartbeat);
    if (this.retryTimer) clearTimeout(this.retryTimer);
    await fs.rm(path.join(this.dir, LIVE_DIR, `${this.windowId}.json`), { force: true }).catch(() => undefined);
  }
}
