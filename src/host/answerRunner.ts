// One answer, whoever asks for it (the chat, an editor task, the language-model provider): plan what is
// sent (fit to the model's window, redact every message, notices), run it (pacing, retries, waits, the
// caps on size and time), count it (usage, cost, session totals) and describe a failure in words with
// next steps. Written once, so each of these holds on every path.
import vscode = require('vscode');
import type { ChatMessage, MessageError, MessageUsage, SessionTotals } from '../protocol';
import type { ChatRequest, ChatRunnerApi, ChatTurn, LlmModule, ToolCall, ToolSpec, WaitEvent } from '../llm/types';
import { actionsFor } from '../core/errorActions';
import { estimateChatTokens, estimateTokens, tokenFamily, TokenCalibrator } from '../core/tokens';
import { costUsd, knownPrice } from '../core/pricing';
import { endpointOrigin } from '../core/endpoint';
import { rejectsImages } from '../core/images';
import type { Endpoint } from './endpoint';
import type { Log } from './log';
import { loadLlm } from './llmLoader';
import { ContextWindows, type ResolvedWindow } from './contextWindows';

/** Tokens assumed for an answer when pacing tokens per minute and maxTokens is unset. */
const EXPECTED_ANSWER_TOKENS = 512;

interface AnswerBase {
  endpoint: Endpoint;
  /** Another of the server's models than the configured one (the language-model provider's pick). */
  model?: string;
  /** The log's component prefix. */
  component: string;
}

/** A conversation of Tandem's own (the chat, an editor task): planned with its code and history. */
export interface ConversationInput extends AnswerBase {
  turns?: undefined;
  system: string;
  /** The conversation up to and including the question. */
  messages: readonly ChatMessage[];
  /** 'trim': half the window (Trim and Retry); 'continue': go on from `continueFrom`. */
  mode?: 'fresh' | 'trim' | 'continue';
  continueFrom?: string;
  /** The question's code is edited: it must be sent whole, or nothing is sent. */
  wholeCode?: boolean;
  /** Alternatives to ask for (the API's n). */
  choices?: number;
}

/** A conversation that arrives as turns (VS Code's language-model API), with the tools it offers. */
export interface TurnsInput extends AnswerBase {
  turns: readonly ChatTurn[];
  tools?: ToolSpec[];
  toolChoice?: 'auto' | 'required';
}

export type AnswerInput = ConversationInput | TurnsInput;

export interface AnswerHandlers {
  /** Text of the first choice. */
  onDelta(text: string): void;
  /** Text of every choice, with its index. */
  onChoiceDelta?(index: number, text: string): void;
  onWait?(w: WaitEvent | undefined): void;
  /** What the user should know about what is being sent, as soon as the request is planned. */
  onNotices?(notices: string[]): void;
  /** A complete tool call of the first choice (only with `tools`). */
  onToolCall?(call: ToolCall): void;
}

export interface AnswerResult {
  /** Set when the answer did not end normally: failed, cut, filtered or empty. */
  error?: MessageError;
  stopped: boolean;
  finishReason: string | null;
  /** This run's tokens and cost (from the server's usage, else estimated); undefined when nothing was sent. */
  usage?: MessageUsage;
  notices: string[];
  /** Secrets replaced in what was sent. */
  redacted: number;
  /** The tool calls the model made, when it made any. */
  toolCalls?: ToolCall[];
}

export class AnswerRunner implements vscode.Disposable {
  private runner: ChatRunnerApi | undefined;
  private readonly windows = new ContextWindows();
  private readonly calibrator = new TokenCalibrator();
  private readonly totals: SessionTotals = { answers: 0, promptTokens: 0, completionTokens: 0, costUsd: 0 };
  private readonly totalsChanged = new vscode.EventEmitter<void>();
  /** Tokens or cost were added to the session's totals. */
  readonly onDidChangeTotals = this.totalsChanged.event;
  private readonly subscriptions: vscode.Disposable[] = [];

  constructor(private readonly log: Log) {
    // A cached context window belongs to the settings it was asked with.
    this.subscriptions.push(vscode.workspace.onDidChangeConfiguration(e => {
      if (e.affectsConfiguration('tandem')) this.windows.clear();
    }));
  }

  getTotals(): SessionTotals {
    return { ...this.totals };
  }

  /** Ends a retry or pacing wait now. */
  retryNow(): boolean {
    return this.runner?.retryNow() ?? false;
  }

  /** A model's context window by the chat's logic (setting, server, table, guess); `ask`: false skips asking the server. */
  contextWindow(endpoint: Endpoint, model: string, signal: AbortSignal, ask = true): Promise<ResolvedWindow> {
    return this.windows.resolve({ ...endpoint.settings, model }, endpoint.server, loadLlm(), signal, (level, line) => this.log[level]('windows', line), ask);
  }

  /** Tandem's estimate of a text's tokens for a model, calibrated by the server's usage so far. */
  countTokens(text: string, model: string): number {
    return Math.ceil(this.calibrator.estimate(text, tokenFamily(model)));
  }

  /** Forgets what servers said about their context windows (Test Connection, settings changed). */
  forgetServers(): void {
    this.windows.clear();
  }

  async run(input: AnswerInput, handlers: AnswerHandlers, signal: AbortSignal): Promise<AnswerResult> {
    const e = input.endpoint;
    // Everything model-specific (window, tokenizer, price) follows the model asked for.
    const s = input.model ? { ...e.settings, model: input.model } : e.settings;
    const log = (level: 'trace' | 'debug' | 'info' | 'warn' | 'error', line: string) => this.log[level](input.component, line);
    const req: ChatRequest = { ...e.chat(), model: s.model, messages: [] };
    const conversation = input.turns === undefined ? input : undefined;
    if (conversation?.choices && conversation.choices > 1) req.n = conversation.choices;
    if (input.turns && input.tools?.length) {
      req.tools = input.tools;
      req.toolChoice = input.toolChoice;
    }
    if (signal.aborted) return { stopped: true, finishReason: null, notices: [], redacted: 0, error: { kind: 'cancelled', message: vscode.l10n.t('Stopped before anything was sent.'), actions: ['retry'] } };
    const started = Date.now();
    let llm: LlmModule | undefined;
    let notices: string[] = [];
    let redacted = 0;
    let completion = '';
    try {
      llm = loadLlm();
      this.runner ??= new llm.ChatRunner();
      const family = tokenFamily(s.model);
      const window = await this.windows.resolve(s, e.server, llm, signal, log);
      const count = (t: string) => this.calibrator.estimate(t, family);
      const plan = input.turns
        ? llm.planTurns({ turns: input.turns, contextWindow: window.tokens, maxTokens: s.maxTokens, count, redactSecrets: s.redactCredentials })
        : llm.planRequest({
          system: input.system,
          messages: input.messages,
          continueFrom: input.mode === 'continue' ? input.continueFrom : undefined,
          contextWindow: input.mode === 'trim' ? Math.floor(window.tokens / 2) : window.tokens,
          maxTokens: s.maxTokens,
          count,
          redactSecrets: s.redactCredentials,
          wholeCode: input.wholeCode,
        });
      redacted = plan.redacted;
      notices = [...plan.notices, ...((plan.trimmed || !plan.fits) && window.note ? [window.note] : [])];
      if (plan.tooLarge) {
        return {
          stopped: false, finishReason: null, notices, redacted,
          error: {
            kind: 'contextLength',
            message: vscode.l10n.t('The code is too large for {0}: about {1} tokens, with room for about {2} in its context window ({3} tokens). Nothing was sent. Select less code, or set "tandem.contextWindow" if the model takes more.',
              s.model, plan.tooLarge.codeTokens.toLocaleString('en-US'), plan.tooLarge.roomTokens.toLocaleString('en-US'), window.tokens.toLocaleString('en-US')),
            actions: ['openSettings'],
          },
        };
      }
      if (!plan.fits) {
        return {
          stopped: false, finishReason: null, notices, redacted,
          error: {
            kind: 'contextLength',
            message: vscode.l10n.t('The system prompt and the question alone do not fit the context window of {0} ({1} tokens). Shorten them, or set "tandem.contextWindow" if the model takes more.', s.model, window.tokens.toLocaleString('en-US')),
            actions: ['openSettings'],
          },
        };
      }
      if (notices.length) handlers.onNotices?.(notices);
      req.messages = plan.messages;
      // Images are named by their size, not written out: megabytes of base64 per line help nobody reading the log.
      log('trace', `request content: ${JSON.stringify(plan.messages, (k, v: unknown) => (k === 'images' && Array.isArray(v) ? v.map(u => `[image, ${String(u).length} characters]`) : v))}`);
      const rawPromptEstimate = estimateChatTokens(plan.messages, family);
      const result = await this.runner.run(
        req,
        {
          onDelta: t => {
            completion += t;
            handlers.onDelta(t);
          },
          onChoiceDelta: handlers.onChoiceDelta,
          onToolCall: handlers.onToolCall,
          onLog: log,
          onWait: handlers.onWait,
        },
        signal,
        {
          firstTokenTimeoutMs: s.firstTokenTimeoutMs,
          idleTimeoutMs: s.idleTimeoutMs,
          limits: s.limits,
          maxChars: s.maxAnswerChars,
          maxMs: s.maxAnswerMs,
          estimatedTokens: plan.promptTokens + (s.maxTokens ?? EXPECTED_ANSWER_TOKENS) * (req.n ?? 1),
        },
      );
      // A server counts images its own way: such a request says nothing about how it counts text.
      const hasImages = plan.messages.some(m => m.images?.length);
      if (result.usage && !hasImages) this.calibrator.record(family, rawPromptEstimate, result.usage.promptTokens);
      const continued = conversation?.mode === 'continue';
      const toolCalls = result.toolCalls?.length ? result.toolCalls : undefined;
      const generated = completion + (toolCalls ?? []).map(c => c.name + c.arguments).join('');
      const usage = this.recordUsage(s.model, s.prices, result.usage ?? { promptTokens: plan.promptTokens, completionTokens: estimateTokens(generated, family) }, !result.usage, !continued);
      log('info', `answer: ${completion.length} chars in ${Date.now() - started} ms, finish ${result.finishReason ?? '-'}` +
        (result.cut ? `, cut at the ${result.cut} cap` : '') + (result.usage ? `, tokens ${result.usage.promptTokens}+${result.usage.completionTokens}` : ''));
      const base = { stopped: signal.aborted, finishReason: result.finishReason, usage, notices, redacted, toolCalls };
      if (signal.aborted) return base;
      if (result.cut) {
        const why = result.cut === 'size'
          ? vscode.l10n.t('The answer reached Tandem\'s size cap ({0} characters, "tandem.maxAnswerCharacters") and was cut off; the connection was closed.', s.maxAnswerChars.toLocaleString('en-US'))
          : vscode.l10n.t('The answer streamed longer than Tandem\'s time cap ({0} s, "tandem.maxAnswerSeconds") and was cut off; the connection was closed.', Math.round(s.maxAnswerMs / 1000));
        return { ...base, error: { kind: 'cutOff', message: why, actions: completion ? actionsFor('cutOff') : ['retry', 'openSettings'] } };
      }
      if (result.finishReason === 'length') {
        return { ...base, error: { kind: 'cutOff', message: vscode.l10n.t('The answer reached the token limit and was cut off.'), actions: ['continue'] } };
      }
      if (result.finishReason === 'content_filter') {
        return { ...base, error: { kind: 'contentFilter', message: vscode.l10n.t('The server\'s content filter stopped this answer.'), actions: actionsFor('contentFilter', completion !== '') } };
      }
      if (completion.trim() === '' && !toolCalls && !conversation?.continueFrom) {
        return { ...base, error: { kind: 'malformedStream', message: vscode.l10n.t('The server finished without any text in its answer.'), actions: actionsFor('malformedStream') } };
      }
      return base;
    } catch (err) {
      if (signal.aborted) {
        log('info', `stopped by the user after ${completion.length} chars`);
        return { stopped: true, finishReason: null, notices, redacted };
      }
      const error = this.describe(err, llm, req, e, completion !== '');
      if (error.kind === 'connection') this.windows.clear(); // the server may not have been up when it was asked
      log('error', `answer failed: ${error.kind}: ${error.message}`);
      return { stopped: false, finishReason: null, notices, redacted, error };
    }
  }

  private describe(e: unknown, llm: LlmModule | undefined, req: ChatRequest, endpoint: Endpoint, partial: boolean): MessageError {
    const s = endpoint.settings;
    if (!llm) return { kind: 'unknown', message: vscode.l10n.t('Tandem could not load its API client: {0}', String(e)), actions: ['showLog'] };
    const f = llm.describeError(e, req);
    // A server may echo the key in a shape no pattern knows: the key itself never reaches the chat.
    let message = req.apiKey ? f.message.split(req.apiKey).join('[redacted]') : f.message;
    if (f.kind === 'auth' && endpoint.key.kind !== 'key') {
      // Not a rejected key: none was sent.
      const said = /Server said: (.*)$/s.exec(message)?.[1] ?? message;
      message = vscode.l10n.t('{0} asks for an API key, and none is stored for it, so none was sent. Set one with "Set API Key"; it is kept in VS Code\'s secret storage. Server said: {1}', endpoint.origin, said);
    }
    if (f.kind === 'connection' && s.preset.local && /refused/.test(message)) {
      message = vscode.l10n.t('Could not connect to {0}: the connection was refused. Is {1} running on {2}?', req.baseUrl, s.preset.label, endpointOrigin(req.baseUrl)?.replace(/^https?:\/\//, '') ?? req.baseUrl);
    }
    if (f.retryAt !== undefined) {
      const minutes = Math.max(1, Math.round((f.retryAt - Date.now()) / 60000));
      message += ' ' + vscode.l10n.t('The server asks to wait until {0} (about {1} min); Tandem does not wait that long by itself. Retry then, or now.', new Date(f.retryAt).toLocaleTimeString(), minutes);
    }
    if (f.kind === 'quota' && s.preset.usageUrl) message += ' ' + vscode.l10n.t('See {0}.', s.preset.usageUrl);
    if (f.requestId) message += ` (request id ${f.requestId})`;
    if (req.messages.some(m => m.images?.length)) return imageFailure(f.kind, message, req.model, endpoint.origin, partial);
    return { kind: f.kind, message, actions: actionsFor(f.kind, partial) };
  }

  /** `newAnswer`: false when this run continued an answer already counted. */
  private recordUsage(model: string, prices: Endpoint['settings']['prices'], usage: { promptTokens: number; completionTokens: number }, estimated: boolean, newAnswer: boolean): MessageUsage {
    const price = prices[model] ?? knownPrice(model);
    const cost = price ? costUsd(price, usage.promptTokens, usage.completionTokens) : undefined;
    if (newAnswer) this.totals.answers += 1;
    this.totals.promptTokens += usage.promptTokens;
    this.totals.completionTokens += usage.completionTokens;
    this.totals.costUsd += cost ?? 0;
    this.totalsChanged.fire();
    return { promptTokens: usage.promptTokens, completionTokens: usage.completionTokens, estimated, costUsd: cost };
  }

  dispose(): void {
    this.runner?.dispose();
    this.totalsChanged.dispose();
    for (const d of this.subscriptions) d.dispose();
  }
}

/**
 * A failed request that carried images: when the server's words say it takes none, Tandem says so and
 * offers to send the question without them; any other refusal of the request offers that too, after its
 * own next steps, since the image is the likeliest thing in it a server would not take.
 */
function imageFailure(kind: MessageError['kind'], message: string, model: string, origin: string, partial: boolean): MessageError {
  if (!partial && rejectsImages(message)) {
    return {
      kind: 'imagesUnsupported',
      message: vscode.l10n.t('{0} at {1} did not accept the image: the model may not take images (it is not a vision model, or the server runs it without image support). Send the question without the image, or pick a model that takes images. {2}', model, origin, message),
      actions: actionsFor('imagesUnsupported'),
    };
  }
  const actions = actionsFor(kind, partial);
  return { kind, message, actions: kind === 'badRequest' || kind === 'notFound' || kind === 'server' ? [...actions.filter(a => a !== 'showLog'), 'removeImagesAndRetry', 'showLog'] : actions };
}
