// Owns every conversation and the one request in flight. The webview and the public API only see
// what this class publishes: full state on demand, coalesced deltas while streaming.
import * as vscode from 'vscode';
import type { ChatMessage, CodeContext, ConversationState, MessageError, ViewState } from '../protocol';
import type { ChatTurn, LlmFailure } from '../llm/types';
import * as conv from '../core/conversation';
import { codeQuestionMessage, systemPrompt } from '../core/prompts';
import { actionsFor } from '../core/errorActions';
import { readSettings } from './settings';
import type { KeyStore } from './keyStore';
import type { Log } from './log';
import { loadLlm } from './llmLoader';
import { STREAMING_CONTEXT_KEY } from './ids';

/** Deltas are published at most this often: one message per frame to the webview. */
const FLUSH_MS = 16;

export interface AppendEvent {
  conversationId: string;
  messageId: string;
  text: string;
}

interface InFlight {
  controller: AbortController;
  conversationId: string;
  messageId: string;
  done: Promise<void>;
}

export class ChatSession implements vscode.Disposable {
  private readonly conversations: ConversationState[] = [conv.newConversation()];
  private activeId = this.conversations[0].id;
  private inFlight: InFlight | undefined;
  private pending = '';
  private flushTimer: ReturnType<typeof setTimeout> | undefined;

  private readonly changed = new vscode.EventEmitter<void>();
  private readonly appended = new vscode.EventEmitter<AppendEvent>();
  private readonly messageUpdated = new vscode.EventEmitter<{ conversationId: string; message: ChatMessage }>();
  private readonly reset = new vscode.EventEmitter<void>();
  /** Anything in any conversation changed (coalesced while streaming). */
  readonly onDidChange = this.changed.event;
  /** Text was appended to a streaming message. */
  readonly onDidAppend = this.appended.event;
  /** One message changed as a whole (finished, failed, stopped). */
  readonly onDidUpdateMessage = this.messageUpdated.event;
  /** The active conversation changed shape (new message, new conversation): resend the state. */
  readonly onDidReset = this.reset.event;

  constructor(
    private readonly keys: KeyStore,
    private readonly log: Log,
    private readonly onMissingKey: (provider: string, origin: string, messageId: string) => void,
  ) {}

  get streaming(): boolean {
    return this.inFlight !== undefined;
  }

  private get active(): ConversationState {
    return this.conversations.find(c => c.id === this.activeId) ?? this.conversations[0];
  }

  getConversations(): ConversationState[] {
    return this.conversations.map(conv.snapshot);
  }

  viewState(): ViewState {
    const s = readSettings();
    return { conversation: conv.snapshot(this.active), model: s.model, streaming: this.streaming };
  }

  newConversation(): void {
    this.stop();
    const current = this.active;
    if (current.messages.length === 0) return;
    const c = conv.newConversation();
    this.conversations.push(c);
    this.activeId = c.id;
    this.reset.fire();
    this.changed.fire();
  }

  /** Asks in the active conversation; resolves when the answer ended (finished, failed or stopped). */
  async ask(text: string, context?: CodeContext): Promise<void> {
    this.stop();
    await this.inFlight?.done;
    const c = this.active;
    if (c.messages.length === 0) c.title = conv.titleFrom(text);
    c.messages.push(conv.userMessage(text, context));
    const answer = conv.assistantMessage();
    c.messages.push(answer);
    this.reset.fire();
    this.changed.fire();
    await this.run(c, answer);
  }

  /** Runs again the question an answer replied to, replacing that answer. */
  async retry(messageId: string): Promise<void> {
    if (this.inFlight) return;
    const c = this.conversations.find(x => x.messages.some(m => m.id === messageId));
    if (!c) return;
    const i = c.messages.findIndex(m => m.id === messageId);
    if (c.messages[i].role !== 'assistant' || i === 0) return;
    const answer = conv.assistantMessage();
    c.messages.splice(i, 1, answer);
    this.activeId = c.id;
    this.reset.fire();
    this.changed.fire();
    await this.run(c, answer);
  }

  /** Stops the answer being generated: the HTTP request is aborted at once, the partial text stays. */
  stop(): boolean {
    const f = this.inFlight;
    if (!f) return false;
    f.controller.abort();
    return true;
  }

  findMessage(messageId: string): ChatMessage | undefined {
    for (const c of this.conversations) {
      const m = c.messages.find(x => x.id === messageId);
      if (m) return m;
    }
    return undefined;
  }

  private turns(c: ConversationState, upTo: ChatMessage, system: string): ChatTurn[] {
    const turns: ChatTurn[] = [{ role: 'system', content: system }];
    for (const m of c.messages) {
      if (m === upTo) break;
      if (m.role === 'assistant' && (m.error || m.text === '')) continue;
      const content = m.role === 'user' && m.context ? codeQuestionMessage(m.text, m.context) : m.text;
      turns.push({ role: m.role, content });
    }
    return turns;
  }

  private async run(c: ConversationState, answer: ChatMessage): Promise<void> {
    const s = readSettings();
    const settingsError = !s.baseUrl
      ? `The base URL "${s.rawBaseUrl}" is not an http(s) URL.`
      : s.model === ''
        ? 'No model is set.'
        : undefined;
    if (settingsError || !s.baseUrl) {
      this.fail(c, answer, { kind: 'badRequest', message: `${settingsError} Set it in the Tandem settings.`, actions: ['openSettings', 'retry'] });
      return;
    }
    const key = await this.keys.lookup(s.provider, s.baseUrl);
    if (key.kind === 'missing') {
      this.log.warn('session', `no API key for ${s.provider} at ${key.origin}; nothing was sent`);
      this.fail(c, answer, {
        kind: 'missingKey',
        message: vscode.l10n.t('No API key is set for {0}. Set one to continue; it is kept in VS Code\'s secret storage. Nothing was sent.', key.origin),
        actions: actionsFor('missingKey'),
      });
      this.onMissingKey(s.provider, key.origin, answer.id);
      return;
    }
    if (key.kind === 'key') this.log.addSecret(key.key);

    const controller = new AbortController();
    let resolveDone: () => void = () => undefined;
    const done = new Promise<void>(r => (resolveDone = r));
    this.inFlight = { controller, conversationId: c.id, messageId: answer.id, done };
    void vscode.commands.executeCommand('setContext', STREAMING_CONTEXT_KEY, true);
    const req = {
      baseUrl: s.baseUrl,
      apiKey: key.kind === 'key' ? key.key : undefined,
      model: s.model,
      messages: this.turns(c, answer, systemPrompt(s.systemPrompt)),
      temperature: s.temperature,
      maxTokens: s.maxTokens,
    };
    const started = Date.now();
    try {
      const llm = loadLlm();
      const result = await llm.streamChat(
        req,
        {
          onDelta: text => this.appendDelta(c, answer, text),
          onLog: (level, line) => this.log[level]('llm', line),
        },
        controller.signal,
      );
      this.flush(c, answer);
      answer.streaming = false;
      if (controller.signal.aborted) answer.stopped = true;
      else if (result.finishReason === 'length') answer.error = { kind: 'badRequest', message: vscode.l10n.t('The answer was cut off at the token limit.'), actions: ['retry'] };
      else if (result.finishReason === 'content_filter') answer.error = { kind: 'contentFilter', message: vscode.l10n.t('The server filtered the answer (content filter).'), actions: ['retry'] };
      this.log.info('session', `answer ${answer.id}: ${answer.text.length} chars in ${Date.now() - started} ms, finish ${result.finishReason ?? '-'}` +
        (result.usage ? `, tokens ${result.usage.promptTokens}+${result.usage.completionTokens}` : ''));
    } catch (e) {
      this.flush(c, answer);
      if (controller.signal.aborted) {
        answer.streaming = false;
        answer.stopped = true;
        this.log.info('session', `answer ${answer.id} stopped by the user after ${answer.text.length} chars`);
      } else {
        const failure: LlmFailure = loadLlm().describeError(e, req);
        this.log.error('session', `answer ${answer.id} failed: ${failure.kind}: ${failure.message}${failure.requestId ? ` (request id ${failure.requestId})` : ''}`);
        const withId = failure.requestId ? `${failure.message} (request id ${failure.requestId})` : failure.message;
        answer.error = { kind: failure.kind, message: withId, actions: actionsFor(failure.kind) };
        answer.streaming = false;
      }
    } finally {
      this.inFlight = undefined;
      void vscode.commands.executeCommand('setContext', STREAMING_CONTEXT_KEY, false);
      this.messageUpdated.fire({ conversationId: c.id, message: { ...answer } });
      this.changed.fire();
      resolveDone();
    }
  }

  private fail(c: ConversationState, answer: ChatMessage, error: MessageError): void {
    const i = c.messages.indexOf(answer);
    const updated = conv.withError(answer, error);
    if (i >= 0) c.messages[i] = updated;
    this.messageUpdated.fire({ conversationId: c.id, message: { ...updated } });
    this.changed.fire();
  }

  private appendDelta(c: ConversationState, answer: ChatMessage, text: string): void {
    if (this.inFlight?.controller.signal.aborted) return; // nothing shows after Stop
    answer.text += text;
    this.pending += text;
    this.flushTimer ??= setTimeout(() => this.flush(c, answer), FLUSH_MS);
  }

  private flush(c: ConversationState, answer: ChatMessage): void {
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    if (this.pending === '') return;
    const text = this.pending;
    this.pending = '';
    this.appended.fire({ conversationId: c.id, messageId: answer.id, text });
    this.changed.fire();
  }

  dispose(): void {
    this.stop();
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.changed.dispose();
    this.appended.dispose();
    this.messageUpdated.dispose();
    this.reset.dispose();
  }
}
