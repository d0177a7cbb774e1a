// What is sent for one answer: the system prompt, as much history as fits, the question with its code,
// secrets taken out, and a note for every change the user should know about.
import type { ChatMessage } from '../protocol';
import { codeQuestionMessage } from './prompts';
import { answerReserve, CODE_FRAMING, fitContext, FIXED_OVERHEAD } from './fitContext';
import { attachmentName, attachmentsCost, fitAttachments, withAttachments as joinAttachments } from './attachments';
import { REDACTED, redactOutgoing, type SecretFinding } from './secretScan';
import { dataUrl, imageTokens } from './images';

/** Values shorter than this are not hunted for elsewhere in the request (too likely to be ordinary text). */
const MIN_ECHO = 6;

/** A tool call the model made, as the OpenAI API sends it back: `arguments` is JSON text. */
export interface ToolCall {
  id: string;
  name: string;
  arguments: string;
}

export interface Turn {
  role: 'system' | 'user' | 'assistant' | 'tool';
  content: string;
  /** An assistant turn's tool calls. */
  toolCalls?: ToolCall[];
  /** A tool turn: the call whose result `content` is. */
  toolCallId?: string;
  /** A user turn's images, as data: URLs; sent as image parts after the text, never redacted (binary). */
  images?: string[];
}

/** A question's images as sent, and what they are estimated to cost (core/images.ts imageTokens). */
function imagesOf(m: ChatMessage): { urls: string[]; tokens: number } | undefined {
  const sendable = (m.images ?? []).filter(i => i.data);
  if (m.role !== 'user' || sendable.length === 0) return undefined;
  return { urls: sendable.map(i => dataUrl(i.mime, i.data ?? '')), tokens: sendable.reduce((n, i) => n + imageTokens(i.width, i.height), 0) };
}

export interface PlanInput {
  system: string;
  /** The conversation before the answer being generated; its last message is the question. */
  messages: readonly ChatMessage[];
  /** The partial answer to continue from, when the user asked to continue it. */
  continueFrom?: string;
  contextWindow: number;
  maxTokens?: number;
  count: (text: string) => number;
  redactSecrets: boolean;
  /**
   * The question's code must be sent whole (an edit of it): when it does not fit, nothing is sent
   * and `tooLarge` says by how much, instead of cutting the code's tail.
   */
  wholeCode?: boolean;
}

export interface RequestPlan {
  messages: Turn[];
  notices: string[];
  /** False when even the system prompt and the question do not fit the context window. */
  fits: boolean;
  /** With `wholeCode`: the code's estimated size and the room there was for it, when it did not fit. */
  tooLarge?: { codeTokens: number; roomTokens: number };
  /** True when history or code was left out to fit the window. */
  trimmed: boolean;
  promptTokens: number;
  /** How many secrets were replaced, over every message sent. */
  redacted: number;
}

export const CONTINUE_PROMPT = 'Continue exactly where your previous answer stopped. Do not repeat anything you already wrote.';

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/**
 * The exchanges that can be sent again: an answer that failed or came back empty is dropped with the
 * question it answered, so what is sent always alternates user / assistant (chat templates of
 * Mistral-style models reject two user messages in a row). The last message is the new question.
 */
export function sendableHistory(messages: readonly ChatMessage[]): ChatMessage[] {
  const out: ChatMessage[] = [];
  const unusable = (m: ChatMessage) => m.role === 'assistant' && (m.text.trim() === '' || (m.error !== undefined && m.text === ''));
  for (let i = 0; i < messages.length; i++) {
    const m = messages[i];
    if (m.role === 'user') {
      const next = messages[i + 1];
      if (i === messages.length - 1) out.push(m);
      else if (next === undefined || next.role === 'user' || unusable(next)) continue; // its answer is not there
      else out.push(m);
    } else if (!unusable(m) && out.length > 0 && out[out.length - 1].role === 'user') {
      out.push(m);
    }
  }
  return out;
}

export function planRequest(input: PlanInput): RequestPlan {
  const withAttachments = (m: ChatMessage, text: string): string => joinAttachments(text, m.attachments);
  const usable = sendableHistory(input.messages);
  const question = usable[usable.length - 1]?.role === 'user' ? usable[usable.length - 1] : undefined;
  const earlier = question ? usable.slice(0, -1) : usable;
  // Earlier questions keep their images: a follow-up ("and the button on the left?") needs them.
  const history = earlier.map(m => ({
    role: m.role,
    content: m.role === 'user' ? withAttachments(m, m.context ? codeQuestionMessage(m.text, m.context) : m.text) : m.text,
    extraTokens: imagesOf(m)?.tokens,
    images: imagesOf(m)?.urls,
  }));
  const questionImages = question ? imagesOf(question) : undefined;
  const continuation = input.continueFrom ? `\n${input.continueFrom}\n${CONTINUE_PROMPT}` : '';
  const reserve = answerReserve(input.contextWindow, input.maxTokens);
  const fitWith = (text: string) => fitContext({
    system: input.system,
    history,
    // Everything around the code (file, lines around it, imports, problems) counts against the window too.
    question: (question?.context ? codeQuestionMessage(text, { ...question.context, code: '' }) : text) + continuation,
    questionExtraTokens: questionImages?.tokens,
    code: question?.context?.code,
    contextWindow: input.contextWindow,
    reserveForAnswer: reserve,
    count: input.count,
  });
  let attachments = question?.attachments ?? [];
  let questionText = question ? joinAttachments(question.text, attachments) : '';
  let fit = fitWith(questionText);
  const cutNotices: string[] = [];
  if (question && attachments.length > 0 && !input.wholeCode && (!fit.fits || fit.truncatedCode)) {
    // Even without earlier turns the attachments do not fit: they share the room left after the
    // system prompt and the question with the question's own code, each in proportion to its size,
    // and either one takes what the other does not need.
    const bare = question.context ? codeQuestionMessage(question.text, { ...question.context, code: '' }) : question.text;
    const room = input.contextWindow - reserve - FIXED_OVERHEAD - input.count(input.system) - input.count(bare + continuation) - (questionImages?.tokens ?? 0);
    const code = question.context ? CODE_FRAMING + input.count(question.context.code) : 0;
    const size = attachmentsCost(attachments, input.count);
    const allowed = Math.max(0, Math.min(size, Math.max(room - code, Math.floor((room * size) / (size + code)))));
    const fitted = fitAttachments(attachments, allowed, input.count);
    for (const cut of fitted.cuts) {
      cutNotices.push(`${attachmentName(attachments[cut.index])}: only the first ${cut.keptLines} of ${cut.totalLines} lines were sent, to fit the context window.`);
    }
    attachments = fitted.attachments;
    questionText = joinAttachments(question.text, attachments);
    fit = fitWith(questionText);
  }
  const notices: string[] = [];
  if (fit.droppedTurns > 0) {
    notices.push(`${plural(fit.droppedTurns, 'earlier exchange')} not sent, to fit the model's context window (${input.contextWindow.toLocaleString('en-US')} tokens).`);
  }
  let fits = fit.fits;
  let tooLarge: RequestPlan['tooLarge'];
  if (fit.truncatedCode && input.wholeCode && question?.context) {
    fits = false;
    tooLarge = { codeTokens: input.count(question.context.code), roomTokens: input.count(fit.code ?? '') };
  } else if (fit.truncatedCode) {
    notices.push(`Only the first ${fit.truncatedCode.keptLines} of ${fit.truncatedCode.totalLines} selected lines were sent, to fit the context window.`);
  }
  notices.push(...cutNotices);
  const messages: Turn[] = [{ role: 'system', content: input.system }, ...fit.history.map(withImages)];
  if (question) {
    const content = question.context && fit.code !== undefined ? codeQuestionMessage(questionText, { ...question.context, code: fit.code }) : questionText;
    messages.push(questionImages ? { role: 'user', content, images: questionImages.urls } : { role: 'user', content });
  }
  if (input.continueFrom) {
    messages.push({ role: 'assistant', content: input.continueFrom }, { role: 'user', content: CONTINUE_PROMPT });
  }
  // Redaction runs last, over every message as it will be sent: the question, its code and what
  // surrounds it, attachments, earlier turns, the system prompt. Nothing is added after this point.
  const findings = input.redactSecrets ? redactTurns(messages) : [];
  if (findings.length > 0) notices.push(redactionNotice(findings));
  return { messages, notices, fits, tooLarge, trimmed: fit.droppedTurns > 0 || fit.truncatedCode !== undefined || cutNotices.length > 0, promptTokens: fit.promptTokens, redacted: findings.length };
}

/** A history entry as a turn: its images only when it has some. */
function withImages(h: { role: 'user' | 'assistant'; content: string; images?: string[] }): Turn {
  return h.images?.length ? { role: h.role, content: h.content, images: h.images } : { role: h.role, content: h.content };
}

function redactionNotice(findings: SecretFinding[]): string {
  const kinds = [...new Set(findings.map(f => f.kind))].join(', ');
  return `${plural(findings.length, 'secret')} (${kinds}) replaced with [REDACTED] before sending.`;
}

/**
 * Replaces secrets in every turn in place: the text of each message and the arguments of each tool
 * call. A secret found once is a secret everywhere: the same value repeated in prose ("is Hunter2x9
 * safe?"), where no name marks it, goes too.
 */
function redactTurns(messages: Turn[]): SecretFinding[] {
  const findings: SecretFinding[] = [];
  const values = new Map<string, SecretFinding['kind']>();
  const scan = (text: string): string => {
    const r = redactOutgoing(text);
    findings.push(...r.findings);
    r.values.forEach((v, i) => {
      if (v.length >= MIN_ECHO && !v.includes('\n')) values.set(v, r.findings[i].kind);
    });
    return r.text;
  };
  const echo = (text: string): string => {
    for (const [v, kind] of values) {
      if (!text.includes(v)) continue;
      const parts = text.split(v);
      for (let i = 1; i < parts.length; i++) findings.push({ kind, line: 0 });
      text = parts.join(REDACTED);
    }
    return text;
  };
  for (const m of messages) {
    m.content = scan(m.content);
    if (m.toolCalls) m.toolCalls = m.toolCalls.map(c => ({ ...c, arguments: scan(c.arguments) }));
  }
  for (const m of messages) {
    m.content = echo(m.content);
    if (m.toolCalls) m.toolCalls = m.toolCalls.map(c => ({ ...c, arguments: echo(c.arguments) }));
  }
  return findings;
}

export interface TurnsPlanInput {
  /** The conversation as another extension or VS Code's Chat sends it, oldest first. */
  turns: readonly Turn[];
  contextWindow: number;
  maxTokens?: number;
  count: (text: string) => number;
  redactSecrets: boolean;
}

/** Chat framing per message and for priming the reply, as fitContext counts them. */
const TURN_OVERHEAD = 4;
const TURN_PRIMING = 3;

/**
 * The plan for a conversation that arrives as turns (the language-model provider): system turns are
 * always kept; the rest is cut into exchanges, each starting at a user message, and the oldest
 * exchanges are dropped until what is left fits with room for the answer. The last exchange (the
 * question, and the tool calls and results that follow it) is never cut; when it does not fit,
 * `fits` is false. Then every turn is redacted, tool-call arguments and tool results included.
 */
export function planTurns(input: TurnsPlanInput): RequestPlan {
  const cost = (t: Turn): number => TURN_OVERHEAD + input.count(t.content)
    + (t.toolCalls ?? []).reduce((n, c) => n + input.count(c.name) + input.count(c.arguments) + TURN_OVERHEAD, 0);
  const turns = input.turns.map(t => ({ ...t, toolCalls: t.toolCalls?.map(c => ({ ...c })) }));
  const system = turns.filter(t => t.role === 'system');
  const rest = turns.filter(t => t.role !== 'system');
  const exchanges: Turn[][] = [];
  for (const t of rest) {
    if (t.role === 'user' || exchanges.length === 0) exchanges.push([t]);
    else exchanges[exchanges.length - 1].push(t);
  }
  const room = input.contextWindow - answerReserve(input.contextWindow, input.maxTokens) - TURN_PRIMING;
  const sizes = exchanges.map(x => x.reduce((n, t) => n + cost(t), 0));
  let total = system.reduce((n, t) => n + cost(t), 0) + sizes.reduce((a, b) => a + b, 0);
  let dropped = 0;
  while (total > room && dropped < exchanges.length - 1) {
    total -= sizes[dropped];
    dropped += 1;
  }
  const messages = [...system, ...exchanges.slice(dropped).flat()];
  const notices: string[] = [];
  if (dropped > 0) notices.push(`${plural(dropped, 'earlier exchange')} not sent, to fit the model's context window (${input.contextWindow.toLocaleString('en-US')} tokens).`);
  const findings = input.redactSecrets ? redactTurns(messages) : [];
  if (findings.length > 0) notices.push(redactionNotice(findings));
  return { messages, notices, fits: total <= room, trimmed: dropped > 0, promptTokens: total + TURN_PRIMING, redacted: findings.length };
}
