// Owns every conversation and the one request in flight. The webview and the public API only see
// what this class publishes: full state on demand, coalesced deltas while streaming.
import vscode = require('vscode');
import type { ChatMessage, CodeContext, ConversationState, ConversationSummary, MessageError, MessageUsage, SessionTotals, ViewState } from '../protocol';
import type { WaitEvent } from '../llm/types';
import * as conv from '../core/conversation';
import { systemPrompt } from '../core/prompts';
import { readSettings } from './settings';
import type { Log } from './log';
import type { EndpointResolver } from './endpoint';
import type { AnswerRunner } from './answerRunner';
import type { HistoryEvent, HistoryStore, StoredConversation } from './historyStore';
import { conversationMarkdown } from '../core/exportMarkdown';
import { STREAMING_CONTEXT_KEY } from './ids';

/** Deltas are published at most this often: one message per frame to the webview. */
const FLUSH_MS = 16;

export interface AppendEvent {
  conversationId: string;
  messageId: string;
  text: string;
}

type RunMode = 'fresh' | 'continue' | 'trim';

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
  ) {
    // Tokens spent by any entry point (an editor task too) show in the totals at once.
    this.totalsSubscription = answers.onDidChangeTotals(() => this.changed.fire());
  }

  /** Loads the stored conversations once; the open one becomes the most recent unless the user already started. */
  restore(): Promise<void> {
    this.restored ??= (async () => {
      if (!this.store) return;
      const loaded = await this.store.loadAll();
      if (loaded.length === 0) return;
      for (const c of loaded) this.onDisk.add(c.id);
      const live = this.conversations.filter(c => c.messages.length > 0 || c.id === this.activeId);
      const activeIsEmpty = this.active.messages.length === 0 && !this.inFlight;
      this.conversations = [...loaded, ...live.filter(c => !loaded.some(l => l.id === c.id))];
      if (activeIsEmpty) {
        const newest = [...loaded].sort((a, b) => b.updatedAt - a.updatedAt)[0];
        this.conversations = this.conversations.filter(c => c.messages.length > 0);
        this.activeId = newest.id;
      }
      this.log.info('history', `restored ${loaded.length} conversation(s)`);
      this.reset.fire();
      this.changed.fire();
    })().catch(e => this.log.error('history', `restoring conversations failed: ${String(e)}`));
    return this.restored;
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

  private rewrite(c: StoredConversation): void {
    if (!this.store) return;
    c.updatedAt = Date.now();
    this.onDisk.add(c.id);
    void this.store.rewrite(c);
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
      .filter(c => c.messages.length > 0 || c.id === this.activeId)
      .map(c => ({ id: c.id, title: c.title, updatedAt: c.updatedAt, messageCount: c.messages.length }))
      .sort((a, b) => b.updatedAt - a.updatedAt);
  }

  viewState(): ViewState {
    // Text shown in a snapshot must not arrive again as a delta afterwards.
    if (this.pendingFor) this.flush(this.pendingFor.c, this.pendingFor.answer);
    const s = readSettings();
    return {
      conversation: conv.snapshot(this.active),
      conversations: this.summaries(),
      model: s.model,
      streaming: this.streaming,
      totals: this.getTotals(),
    };
  }

  newConversation(): void {
    const current = this.active;
    if (current.messages.length === 0) return;
    const c = stored(conv.newConversation());
    this.conversations.push(c);
    this.activeId = c.id;
    this.reset.fire();
    this.changed.fire();
  }

  openConversation(id: string): boolean {
    if (!this.conversations.some(c => c.id === id)) return false;
    this.activeId = id;
    this.conversations = this.conversations.filter(c => c.messages.length > 0 || c.id === id);
    this.reset.fire();
    this.changed.fire();
    return true;
  }

  renameConversation(id: string, title: string): void {
    const c = this.conversations.find(x => x.id === id);
    const t = title.trim().replace(/\s+/g, ' ').slice(0, 200);
    if (!c || !t) return;
    c.title = t;
    if (c.messages.length > 0) this.persist(c, [{ t: 'title', title: t }]);
    this.reset.fire();
    this.changed.fire();
  }

  async deleteConversation(id: string): Promise<void> {
    if (this.inFlight?.conversationId === id) {
      // Its last write must come before the delete, or it would create the file again.
      this.stop();
      await this.inFlight?.done;
    }
    this.conversations = this.conversations.filter(c => c.id !== id);
    this.onDisk.delete(id);
    await this.store?.delete(id);
    if (!this.conversations.some(c => c.id === this.activeId)) {
      const newest = [...this.conversations].sort((a, b) => b.updatedAt - a.updatedAt)[0];
      if (newest) this.activeId = newest.id;
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
    const ids = this.conversations.map(c => c.id);
    await Promise.all(ids.map(id => this.store?.delete(id)));
    this.onDisk.clear();
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
    c.messages = [...c.messages.slice(0, found.index), edited];
    if (found.index === 0) c.title = conv.titleFrom(text);
    const answer = conv.assistantMessage();
    c.messages.push(answer);
    this.activeId = c.id;
    this.rewrite(c);
    this.reset.fire();
    this.changed.fire();
    await this.run(c, answer, 'fresh');
  }

  /**
   * Asks in the active conversation (`own`: in a new one, as the editor commands do, so earlier turns
   * about other code are not sent again); resolves when the answer ended (finished, failed or stopped).
   */
  async ask(text: string, context?: CodeContext, attachments?: CodeContext[], own = false): Promise<void> {
    this.stop();
    await this.inFlight?.done;
    if (own) this.newConversation();
    const c = this.active;
    if (c.messages.length === 0) c.title = conv.titleFrom(text);
    const question = conv.userMessage(text, context);
    if (attachments?.length) question.attachments = attachments;
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
    this.rewrite(found.conversation);
    this.reset.fire();
    this.changed.fire();
    await this.run(found.conversation, answer, mode);
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
      const result = await this.answers.run(
        {
          endpoint,
          system: systemPrompt(endpoint.settings.systemPrompt),
          messages: c.messages.slice(0, index),
          mode,
          continueFrom: mode === 'continue' ? answer.text : undefined,
          component: 'session',
        },
        {
          onDelta: text => this.appendDelta(c, answer, text),
          onWait: w => this.showWait(c, answer, w),
          onNotices: notices => {
            answer.notices = notices;
            this.messageUpdated.fire({ conversationId: c.id, message: { ...answer } });
          },
        },
        controller.signal,
      );
      this.flush(c, answer);
      answer.streaming = false;
      answer.wait = undefined;
      answer.notices = result.notices.length ? result.notices : undefined;
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
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.totalsSubscription.dispose();
    this.changed.dispose();
    this.appended.dispose();
    this.messageUpdated.dispose();
    this.reset.dispose();
  }
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
