// Owns every conversation and the one request in flight. The webview and the public API only see
// what this class publishes: full state on demand, coalesced deltas while streaming.
import vscode = require('vscode');
import type { ChatImage, ChatMessage, CodeContext, ConversationState, ConversationSummary, MessageError, MessageUsage, SessionTotals, ViewState } from '../protocol';
import type { WaitEvent } from '../llm/types';
import * as conv from '../core/conversation';
import { systemPrompt } from '../core/prompts';
import { readSettings } from './settings';
import type { Log } from './log';
import type { EndpointResolver } from './endpoint';
import type { AnswerRunner } from './answerRunner';
import type { ConversationEntry, HistoryEvent, HistoryStore, StoredConversation } from './historyStore';
import { conversationMarkdown } from '../core/exportMarkdown';
import { STREAMING_CONTEXT_KEY } from './ids';

/** Deltas are published at most this often: one message per frame to the webview. */
const FLUSH_MS = 16;
/** How long a deleted conversation can be brought back before its log is removed. */
export const UNDO_DELETE_MS = 8000;

export interface AppendEvent {
  conversationId: string;
  messageId: string;
  text: string;
}

type RunMode = 'fresh' | 'continue' | 'trim';

/** Text added after the system prompt for a conversation (the project's instructions), with notices for the answer. */
export interface SystemAddition {
  forConversation(conversationId: string): Promise<{ text: string; notices: string[] } | undefined>;
}

interface InFlight {
  controller: AbortController;
  conversationId: string;
  messageId: string;
  done: Promise<void>;
}

export class ChatSession implements vscode.Disposable {
  private conversations: StoredConversation[] = [stored(conv.newConversation())];
  private activeId = this.conversations[0].id;
  /** Conversations whose log exists on disk. */
  private readonly onDisk = new Set<string>();
  /** Conversations listed from the index whose messages are not loaded yet (loaded when opened). */
  private readonly unloaded = new Map<string, ConversationEntry>();
  /** Size of each log when it was last listed, for the conversation list. */
  private readonly sizes = new Map<string, number>();
  /** Deleted conversations whose log is removed when the Undo period ends. */
  private readonly pendingDeletes = new Map<string, { c: StoredConversation; timer: ReturnType<typeof setTimeout>; wasOnDisk: boolean }>();
  private restored: Promise<void> | undefined;
  private inFlight: InFlight | undefined;
  private pending = '';
  private flushTimer: ReturnType<typeof setTimeout> | undefined;
  /** Where the pending deltas belong, so they can be flushed before anyone waits for the disk. */
  private pendingFor: { c: StoredConversation; answer: ChatMessage } | undefined;

  private readonly changed = new vscode.EventEmitter<void>();
  private readonly appended = new vscode.EventEmitter<AppendEvent>();
  private readonly messageUpdated = new vscode.EventEmitter<{ conversationId: string; message: ChatMessage }>();
  private readonly reset = new vscode.EventEmitter<void>();
  /** Anything in any conversation changed (coalesced while streaming). */
  readonly onDidChange = this.changed.event;
  /** Text was appended to a streaming message. */
  readonly onDidAppend = this.appended.event;
  /** One message changed as a whole (finished, failed, stopped, waiting). */
  readonly onDidUpdateMessage = this.messageUpdated.event;
  /** The active conversation changed shape (new message, new conversation): resend the state. */
  readonly onDidReset = this.reset.event;

  private readonly totalsSubscription: vscode.Disposable;

  constructor(
    private readonly endpoints: EndpointResolver,
    private readonly answers: AnswerRunner,
    private readonly log: Log,
    private readonly onMissingKey: (provider: string, origin: string, messageId: string) => void,
    private readonly store?: HistoryStore,
    private readonly systemAddition?: SystemAddition,
  ) {
    // Tokens spent by any entry point (an editor task too) show in the totals at once.
    this.totalsSubscription = answers.onDidChangeTotals(() => this.changed.fire());
  }

  /**
   * Lists the stored conversations once (from the index: no messages are read) after deleting those past
   * tandem.history.retentionDays; the open one becomes the most recent, loaded, unless the user already started.
   */
  restore(): Promise<void> {
    this.restored ??= (async () => {
      if (!this.store) return;
      let entries = await this.store.list();
      const pruned = await this.store.prune(readSettings().historyRetentionDays, entries);
      entries = entries.filter(e => !pruned.includes(e.id));
      if (entries.length === 0) return;
      const listed = entries.map(e => this.addStub(e));
      const live = this.conversations.filter(c => !this.isEmpty(c) || c.id === this.activeId);
      const activeIsEmpty = this.active.messages.length === 0 && !this.inFlight;
      this.conversations = [...listed, ...live.filter(c => !listed.some(l => l.id === c.id))];
      if (activeIsEmpty) {
        const newest = [...entries].filter(e => !e.damaged).sort((a, b) => b.updatedAt - a.updatedAt)[0];
        this.conversations = this.conversations.filter(c => !this.isEmpty(c));
        if (newest) {
          this.activeId = newest.id;
          await this.loadStub(newest.id);
        } else {
          const c = stored(conv.newConversation());
          this.conversations.push(c);
          this.activeId = c.id;
        }
      }
      this.log.info('history', `listed ${entries.length} conversation(s)${pruned.length ? `, deleted ${pruned.length} past the retention period` : ''}`);
      this.reset.fire();
      this.changed.fire();
    })().catch(e => this.log.error('history', `restoring conversations failed: ${String(e)}`));
    return this.restored;
  }

  private addStub(e: ConversationEntry): StoredConversation {
    this.onDisk.add(e.id);
    this.unloaded.set(e.id, e);
    this.sizes.set(e.id, e.bytes);
    return { id: e.id, title: e.title, messages: [], createdAt: e.createdAt, updatedAt: e.updatedAt };
  }

  /** A conversation with no messages that is not merely waiting to be loaded. */
  private isEmpty(c: StoredConversation): boolean {
    return c.messages.length === 0 && !this.unloaded.has(c.id);
  }

  /** Reads a listed conversation's messages into it (in place: whoever holds it sees them). */
  private async loadStub(id: string): Promise<boolean> {
    const entry = this.unloaded.get(id);
    const c = this.conversations.find(x => x.id === id);
    if (!entry || !c || !this.store || entry.damaged) return false;
    try {
      const loaded = await this.store.load(id);
      if (!this.unloaded.has(id)) return true; // loaded meanwhile
      // A question asked while the log was being read stays, after the stored messages.
      c.messages = [...loaded.messages, ...c.messages.filter(m => !loaded.messages.some(l => l.id === m.id))];
      c.title = loaded.title;
      c.createdAt = loaded.createdAt;
      c.updatedAt = loaded.updatedAt;
      this.unloaded.delete(id);
      return true;
    } catch (e) {
      this.unloaded.set(id, { ...entry, damaged: `cannot be loaded: ${e instanceof Error ? e.message : String(e)}` });
      this.log.error('history', `conversation ${id} could not be loaded: ${String(e)}`);
      return false;
    }
  }

  /**
   * Reads what other windows wrote (on window focus): new conversations are listed, and the loaded ones
   * take the log's state, which holds this window's writes too. The answer streaming here stays the same object.
   */
  async refreshFromDisk(): Promise<void> {
    if (!this.store || !this.restored) return;
    await this.restored;
    await this.flushHistory();
    const entries = await this.store.list();
    const byId = new Map(entries.map(e => [e.id, e]));
    let changed = false;
    for (const e of entries) {
      if (this.pendingDeletes.has(e.id) || this.conversations.some(c => c.id === e.id)) continue;
      this.conversations.push(this.addStub(e));
      changed = true;
    }
    for (const c of [...this.conversations]) {
      if (!this.onDisk.has(c.id) || this.pendingDeletes.has(c.id)) continue;
      const e = byId.get(c.id);
      if (e) this.sizes.set(c.id, e.bytes);
      const streamingHere = this.inFlight?.conversationId === c.id;
      if (!e) {
        // Deleted in another window.
        if (streamingHere || c.id === this.activeId) continue;
        this.conversations = this.conversations.filter(x => x !== c);
        this.unloaded.delete(c.id);
        this.onDisk.delete(c.id);
        changed = true;
        continue;
      }
      if (this.unloaded.has(c.id)) {
        if (this.unloaded.get(c.id)?.bytes !== e.bytes) changed = true;
        this.unloaded.set(c.id, e);
        c.title = e.title;
        c.updatedAt = e.updatedAt;
        continue;
      }
      if (this.store.writeFailing) continue; // the log lacks what is held back: keep the copy in memory
      let fresh: StoredConversation;
      try {
        fresh = await this.store.load(c.id, { compact: false });
      } catch {
        continue;
      }
      const live = streamingHere ? c.messages.find(m => m.id === this.inFlight?.messageId) : undefined;
      const messages = fresh.messages.map(m => (live && m.id === live.id ? live : m));
      if (live && !messages.includes(live)) messages.push(live);
      if (JSON.stringify(messages) === JSON.stringify(c.messages) && fresh.title === c.title) continue;
      c.messages = messages;
      c.title = fresh.title;
      c.updatedAt = Math.max(c.updatedAt, fresh.updatedAt);
      changed = true;
    }
    if (changed) {
      this.reset.fire();
      this.changed.fire();
    }
  }

  /** Writes events for a conversation, creating its log first. */
  private persist(c: StoredConversation, events: HistoryEvent[]): void {
    if (!this.store) return;
    c.updatedAt = Date.now();
    const all: HistoryEvent[] = this.onDisk.has(c.id) ? events : [{ t: 'create', id: c.id, title: c.title, createdAt: c.createdAt }, ...events];
    this.onDisk.add(c.id);
    void this.store.append(c.id, all);
  }

  private persistMessage(c: StoredConversation, m: ChatMessage): void {
    this.persist(c, [{ t: 'message', message: { ...m, wait: undefined } }]);
  }

  /** Waits until everything shown so far is on disk (tests, shutdown), deltas not yet published included. */
  async flushHistory(): Promise<void> {
    if (this.pendingFor) this.flush(this.pendingFor.c, this.pendingFor.answer);
    await this.store?.flush();
  }

  get streaming(): boolean {
    return this.inFlight !== undefined;
  }

  private get active(): StoredConversation {
    return this.conversations.find(c => c.id === this.activeId) ?? this.conversations[0];
  }

  getConversations(): ConversationState[] {
    return this.conversations.map(conv.snapshot);
  }

  getTotals(): SessionTotals {
    return this.answers.getTotals();
  }

  get activeConversationId(): string {
    return this.active.id;
  }

  summaries(): ConversationSummary[] {
    return this.conversations
      .filter(c => !this.isEmpty(c) || c.id === this.activeId)
      .map(c => {
        const e = this.unloaded.get(c.id);
        const s: ConversationSummary = { id: c.id, title: c.title, updatedAt: c.updatedAt, messageCount: e ? e.messageCount : c.messages.length };
        const bytes = this.sizes.get(c.id);
        if (bytes !== undefined) s.bytes = bytes;
        if (e?.damaged) s.damaged = e.damaged;
        return s;
      })
      .sort((a, b) => b.updatedAt - a.updatedAt);
  }

  /** The log of a listed conversation, for Open File on a damaged one. */
  historyFile(id: string): string | undefined {
    return this.store && this.conversations.some(c => c.id === id) ? this.store.fileOf(id) : undefined;
  }

  viewState(): ViewState {
    // Text shown in a snapshot must not arrive again as a delta afterwards.
    if (this.pendingFor) this.flush(this.pendingFor.c, this.pendingFor.answer);
    const s = readSettings();
    return {
      conversation: conv.snapshot(withoutImageData(this.active)),
      conversations: this.summaries(),
      model: s.model,
      streaming: this.streaming,
      totals: this.getTotals(),
    };
  }

  newConversation(): void {
    const current = this.active;
    if (this.isEmpty(current)) return;
    const c = stored(conv.newConversation());
    this.conversations.push(c);
    this.activeId = c.id;
    this.reset.fire();
    this.changed.fire();
  }

  openConversation(id: string): boolean {
    if (!this.conversations.some(c => c.id === id) || this.unloaded.get(id)?.damaged) return false;
    this.activeId = id;
    this.conversations = this.conversations.filter(c => !this.isEmpty(c) || c.id === id);
    this.reset.fire();
    this.changed.fire();
    if (this.unloaded.has(id)) {
      // Its messages are read now; the view gets them when they are there.
      void this.loadStub(id).then(() => {
        this.reset.fire();
        this.changed.fire();
      });
    }
    return true;
  }


  renameConversation(id: string, title: string): void {
    const c = this.conversations.find(x => x.id === id);
    const t = title.trim().replace(/\s+/g, ' ').slice(0, 200);
    if (!c || !t) return;
    c.title = t;
    if (!this.isEmpty(c)) this.persist(c, [{ t: 'title', title: t }]);
    this.reset.fire();
    this.changed.fire();
  }

  /**
   * Removes a conversation from the list at once and its log after UNDO_DELETE_MS, unless undoDelete()
   * brings it back first. Returns its title, or undefined when there is no such conversation.
   */
  async deleteConversation(id: string): Promise<string | undefined> {
    if (this.inFlight?.conversationId === id) {
      // Its last write must come before the delete, or it would create the file again.
      this.stop();
      await this.inFlight?.done;
    }
    const c = this.conversations.find(x => x.id === id);
    if (!c) return undefined;
    this.conversations = this.conversations.filter(x => x.id !== id);
    const wasOnDisk = this.onDisk.delete(id);
    const timer = setTimeout(() => void this.finishDelete(id), UNDO_DELETE_MS);
    this.pendingDeletes.set(id, { c, timer, wasOnDisk });
    this.afterRemoval();
    return c.title;
  }

  /** Brings back a conversation deleted less than UNDO_DELETE_MS ago; false when it is gone for good. */
  undoDelete(id: string): boolean {
    const p = this.pendingDeletes.get(id);
    if (!p) return false;
    clearTimeout(p.timer);
    this.pendingDeletes.delete(id);
    if (p.wasOnDisk) this.onDisk.add(id);
    this.conversations.push(p.c);
    this.conversations = this.conversations.filter(c => !this.isEmpty(c) || c === p.c);
    this.activeId = id;
    this.reset.fire();
    this.changed.fire();
    return true;
  }

  private async finishDelete(id: string): Promise<void> {
    const p = this.pendingDeletes.get(id);
    if (!p) return;
    clearTimeout(p.timer);
    this.pendingDeletes.delete(id);
    this.unloaded.delete(id);
    await this.store?.delete(id);
  }

  private afterRemoval(): void {
    if (!this.conversations.some(c => c.id === this.activeId)) {
      const newest = [...this.conversations].filter(c => !this.unloaded.get(c.id)?.damaged).sort((a, b) => b.updatedAt - a.updatedAt)[0];
      if (newest && this.openConversation(newest.id)) return;
      else {
        const c = stored(conv.newConversation());
        this.conversations.push(c);
        this.activeId = c.id;
      }
    }
    this.reset.fire();
    this.changed.fire();
  }

  async clearConversations(): Promise<void> {
    this.stop();
    await this.inFlight?.done;
    const ids = [...this.conversations.map(c => c.id), ...this.pendingDeletes.keys()];
    for (const p of this.pendingDeletes.values()) clearTimeout(p.timer);
    this.pendingDeletes.clear();
    await Promise.all(ids.map(id => this.store?.delete(id)));
    this.onDisk.clear();
    this.unloaded.clear();
    const c = stored(conv.newConversation());
    this.conversations = [c];
    this.activeId = c.id;
    this.reset.fire();
    this.changed.fire();
  }

  /** The conversation as Markdown (no key can be in it: messages never hold one, errors are redacted). */
  exportMarkdown(id: string): string | undefined {
    const c = this.conversations.find(x => x.id === id);
    return c ? conversationMarkdown(conv.snapshot(c), new Date(c.createdAt)) : undefined;
  }

  /** Replaces a question's text, drops everything after it, and asks again. */
  async editAndResend(messageId: string, text: string): Promise<void> {
    this.stop();
    await this.inFlight?.done;
    const found = this.locate(messageId);
    if (!found || found.message.role !== 'user') return;
    const c = found.conversation;
    const edited: ChatMessage = { ...found.message, text };
    const dropped = c.messages.slice(found.index + 1);
    c.messages = [...c.messages.slice(0, found.index), edited];
    if (found.index === 0) c.title = conv.titleFrom(text);
    const answer = conv.assistantMessage();
    c.messages.push(answer);
    this.activeId = c.id;
    // Events, not a rewrite: another window's messages in this conversation stay.
    this.persist(c, [
      ...(found.index === 0 ? [{ t: 'title', title: c.title } as const] : []),
      { t: 'message', message: edited },
      ...dropped.map(m => ({ t: 'remove', id: m.id }) as const),
      { t: 'message', message: { ...answer } },
    ]);
    this.reset.fire();
    this.changed.fire();
    await this.run(c, answer, 'fresh');
  }

  /**
   * Asks in the active conversation (`own`: in a new one, as the editor commands do, so earlier turns
   * about other code are not sent again); resolves when the answer ended (finished, failed or stopped).
   */
  async ask(text: string, context?: CodeContext, attachments?: CodeContext[], own = false, images?: ChatImage[]): Promise<void> {
    this.stop();
    await this.inFlight?.done;
    if (own) this.newConversation();
    const c = this.active;
    if (c.messages.length === 0) c.title = conv.titleFrom(text);
    const question = conv.userMessage(text, context);
    if (attachments?.length) question.attachments = attachments;
    if (images?.length) question.images = images;
    c.messages.push(question);
    const answer = conv.assistantMessage();
    c.messages.push(answer);
    this.persist(c, [{ t: 'message', message: question }, { t: 'message', message: { ...answer } }]);
    this.reset.fire();
    this.changed.fire();
    await this.run(c, answer, 'fresh');
  }

  /** Runs again the question an answer replied to, replacing that answer ('trim': with half the context). */
  async retry(messageId: string, mode: 'fresh' | 'trim' = 'fresh'): Promise<void> {
    if (this.inFlight) return;
    const found = this.locate(messageId);
    if (!found || found.message.role !== 'assistant' || found.index === 0) return;
    const answer = conv.assistantMessage();
    found.conversation.messages.splice(found.index, 1, answer);
    this.activeId = found.conversation.id;
    this.persist(found.conversation, [{ t: 'replace', id: found.message.id, message: { ...answer } }]);
    this.reset.fire();
    this.changed.fire();
    await this.run(found.conversation, answer, mode);
  }

  /**
   * "Remove Image and Retry": the model took no images, so the questions up to this answer lose theirs
   * (earlier ones too: they would be sent again with this one and fail the same way) and it runs again.
   * The text of every question stays.
   */
  async retryWithoutImages(messageId: string): Promise<void> {
    if (this.inFlight) return;
    const found = this.locate(messageId);
    if (!found || found.message.role !== 'assistant') return;
    const c = found.conversation;
    const events: HistoryEvent[] = [];
    c.messages = c.messages.map((m, i) => {
      if (i >= found.index || !m.images?.length) return m;
      const { images: _dropped, ...rest } = m;
      events.push({ t: 'message', message: rest });
      return rest;
    });
    if (events.length) this.persist(c, events);
    await this.retry(messageId);
  }

  /** Asks the model to go on from where a cut-off or failed answer stopped, appending to it. */
  async continueAnswer(messageId: string): Promise<void> {
    if (this.inFlight) return;
    const found = this.locate(messageId);
    if (!found || found.message.role !== 'assistant' || found.message.text === '') return;
    const answer = found.message;
    answer.error = undefined;
    answer.stopped = undefined;
    answer.streaming = true;
    this.activeId = found.conversation.id;
    this.messageUpdated.fire({ conversationId: found.conversation.id, message: { ...answer } });
    this.changed.fire();
    await this.run(found.conversation, answer, 'continue');
  }

  /** Stops the answer being generated: the HTTP request is aborted at once, the partial text stays. */
  stop(): boolean {
    const f = this.inFlight;
    if (!f) return false;
    f.controller.abort();
    return true;
  }

  /** Adds a finished question and answer (an editor task and its outcome) as a conversation of its own. */
  addExchange(text: string, context: CodeContext | undefined, answerText: string, notices: string[], usage?: MessageUsage, error?: MessageError): void {
    this.newConversation();
    const c = this.active;
    if (c.messages.length === 0) c.title = conv.titleFrom(text);
    const question = conv.userMessage(text, context);
    const answer: ChatMessage = { ...conv.assistantMessage(), text: answerText, streaming: false, notices: notices.length ? notices : undefined, usage, ...(error ? { error } : {}) };
    c.messages.push(question, answer);
    this.persist(c, [{ t: 'message', message: question }, { t: 'message', message: answer }]);
    this.reset.fire();
    this.changed.fire();
  }

  /** Ends a retry or pacing wait now. */
  retryNow(): boolean {
    return this.answers.retryNow();
  }

  private locate(messageId: string): { conversation: StoredConversation; message: ChatMessage; index: number } | undefined {
    for (const conversation of this.conversations) {
      const index = conversation.messages.findIndex(m => m.id === messageId);
      if (index >= 0) return { conversation, message: conversation.messages[index], index };
    }
    return undefined;
  }

  /** The message with this id and the question it answers (for code actions and "open in editor"). */
  messageWithQuestion(messageId: string): { message: ChatMessage; question?: ChatMessage } | undefined {
    const found = this.locate(messageId);
    if (!found) return undefined;
    const question = found.conversation.messages.slice(0, found.index).reverse().find(m => m.role === 'user');
    return { message: { ...found.message }, question: question ? { ...question } : undefined };
  }

  /** Claims the one request slot before anything is awaited, so Stop, a second ask or a delete see it at once. */
  private async run(c: StoredConversation, answer: ChatMessage, mode: RunMode): Promise<void> {
    const controller = new AbortController();
    let resolveDone: () => void = () => undefined;
    const done = new Promise<void>(r => (resolveDone = r));
    this.inFlight = { controller, conversationId: c.id, messageId: answer.id, done };
    try {
      await this.runClaimed(c, answer, mode, controller);
    } finally {
      if (this.inFlight?.controller === controller) this.inFlight = undefined;
      resolveDone();
    }
  }

  private async runClaimed(c: StoredConversation, answer: ChatMessage, mode: RunMode, controller: AbortController): Promise<void> {
    const resolved = await this.endpoints.resolve({ needModel: true });
    if (!resolved.ok) {
      this.finishWith(c, answer, { kind: resolved.problem.kind, message: resolved.problem.message, actions: resolved.problem.actions });
      const missing = resolved.problem.missingKeyFor;
      if (missing) this.onMissingKey(missing.provider, missing.origin, answer.id);
      return;
    }
    const endpoint = resolved.endpoint;
    void vscode.commands.executeCommand('setContext', STREAMING_CONTEXT_KEY, true);
    const index = c.messages.indexOf(answer);
    try {
      const added = await this.systemAddition?.forConversation(c.id).catch(() => undefined);
      const result = await this.answers.run(
        {
          endpoint,
          system: systemPrompt(endpoint.settings.systemPrompt) + (added ? `\n\n${added.text}` : ''),
          messages: c.messages.slice(0, index),
          mode,
          continueFrom: mode === 'continue' ? answer.text : undefined,
          component: 'session',
        },
        {
          onDelta: text => this.appendDelta(c, answer, text),
          onWait: w => this.showWait(c, answer, w),
          onNotices: notices => {
            answer.notices = [...notices, ...(added?.notices ?? [])];
            this.messageUpdated.fire({ conversationId: c.id, message: { ...answer } });
          },
        },
        controller.signal,
      );
      this.flush(c, answer);
      answer.streaming = false;
      answer.wait = undefined;
      const notices = [...result.notices, ...(added?.notices ?? [])];
      answer.notices = notices.length ? notices : undefined;
      if (result.usage) answer.usage = mode === 'continue' ? addUsage(answer.usage, result.usage) : result.usage;
      if (result.stopped || controller.signal.aborted) answer.stopped = true;
      else if (result.error) answer.error = result.error;
    } finally {
      this.flush(c, answer);
      answer.streaming = false;
      answer.wait = undefined;
      void vscode.commands.executeCommand('setContext', STREAMING_CONTEXT_KEY, false);
      this.persistMessage(c, answer);
      this.messageUpdated.fire({ conversationId: c.id, message: { ...answer } });
      this.changed.fire();
    }
  }

  private showWait(c: StoredConversation, answer: ChatMessage, w: WaitEvent | undefined): void {
    answer.wait = w ? { reason: w.reason, until: w.until, position: w.position, attempt: w.attempt, detail: w.detail, cause: w.cause } : undefined;
    this.messageUpdated.fire({ conversationId: c.id, message: { ...answer } });
    this.changed.fire();
  }

  private finishWith(c: StoredConversation, answer: ChatMessage, error: MessageError): void {
    const i = c.messages.indexOf(answer);
    const updated = conv.withError(answer, error);
    if (i >= 0) c.messages[i] = updated;
    this.persistMessage(c, updated);
    this.messageUpdated.fire({ conversationId: c.id, message: { ...updated } });
    this.changed.fire();
  }

  private appendDelta(c: StoredConversation, answer: ChatMessage, text: string): void {
    if (this.inFlight?.controller.signal.aborted) return; // nothing shows after Stop
    answer.text += text;
    this.pending += text;
    this.pendingFor = { c, answer };
    this.flushTimer ??= setTimeout(() => this.flush(c, answer), FLUSH_MS);
  }

  private flush(c: StoredConversation, answer: ChatMessage): void {
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    this.pendingFor = undefined;
    if (this.pending === '') return;
    const text = this.pending;
    this.pending = '';
    this.persist(c, [{ t: 'append', id: answer.id, text }]);
    this.appended.fire({ conversationId: c.id, messageId: answer.id, text });
    this.changed.fire();
  }

  dispose(): void {
    this.stop();
    // Closing the window ends the Undo period.
    for (const id of [...this.pendingDeletes.keys()]) void this.finishDelete(id);
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.totalsSubscription.dispose();
    this.changed.dispose();
    this.appended.dispose();
    this.messageUpdated.dispose();
    this.reset.dispose();
  }
}

/** The conversation as the webview gets it: images with their thumbnails, without their bytes. */
function withoutImageData(c: StoredConversation): ConversationState {
  const strip = (i: ChatImage): ChatImage => {
    const { data: _data, ...rest } = i;
    return rest;
  };
  return { id: c.id, title: c.title, messages: c.messages.map(m => (m.images ? { ...m, images: m.images.map(strip) } : m)) };
}

function stored(c: ConversationState): StoredConversation {
  const now = Date.now();
  return { ...c, createdAt: now, updatedAt: now };
}

/** A continued answer's usage: both requests together, estimated if either was. */
function addUsage(previous: MessageUsage | undefined, next: MessageUsage): MessageUsage {
  if (!previous) return next;
  return {
    promptTokens: previous.promptTokens + next.promptTokens,
    completionTokens: previous.completionTokens + next.completionTokens,
    estimated: previous.estimated || next.estimated,
    costUsd: previous.costUsd === undefined || next.costUsd === undefined ? undefined : previous.costUsd + next.costUsd,
  };
}
