// What is sent for one answer: the system prompt, as much history as fits, the question with its code,
// secrets taken out, and a note for every change the user should know about.
import type { ChatMessage } from '../protocol';
import { codeQuestionMessage } from './prompts';
import { answerReserve, fitContext } from './fitContext';
import { REDACTED, redactOutgoing, type SecretFinding } from './secretScan';

/** Values shorter than this are not hunted for elsewhere in the request (too likely to be ordinary text). */
const MIN_ECHO = 6;

export interface Turn {
  role: 'system' | 'user' | 'assistant';
  content: string;
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
  const withAttachments = (m: ChatMessage, text: string): string =>
    m.attachments?.length ? [text, ...m.attachments.map(a => codeQuestionMessage('Attached file:', a))].join('\n\n') : text;
  const usable = sendableHistory(input.messages);
  const question = usable[usable.length - 1]?.role === 'user' ? usable[usable.length - 1] : undefined;
  const earlier = question ? usable.slice(0, -1) : usable;
  const history = earlier.map(m => ({
    role: m.role,
    content: m.role === 'user' ? withAttachments(m, m.context ? codeQuestionMessage(m.text, m.context) : m.text) : m.text,
  }));
  const questionText = question ? withAttachments(question, question.text) : '';
  // Everything around the code (file, lines around it, imports, problems) counts against the window too.
  const framing = question?.context ? codeQuestionMessage(questionText, { ...question.context, code: '' }) : questionText;
  const fit = fitContext({
    system: input.system,
    history,
    question: framing + (input.continueFrom ? `\n${input.continueFrom}\n${CONTINUE_PROMPT}` : ''),
    code: question?.context?.code,
    contextWindow: input.contextWindow,
    reserveForAnswer: answerReserve(input.contextWindow, input.maxTokens),
    count: input.count,
  });
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
  const messages: Turn[] = [{ role: 'system', content: input.system }, ...fit.history];
  if (question) {
    const content = question.context && fit.code !== undefined ? codeQuestionMessage(questionText, { ...question.context, code: fit.code }) : questionText;
    messages.push({ role: 'user', content });
  }
  if (input.continueFrom) {
    messages.push({ role: 'assistant', content: input.continueFrom }, { role: 'user', content: CONTINUE_PROMPT });
  }
  // Redaction runs last, over every message as it will be sent: the question, its code and what
  // surrounds it, attachments, earlier turns, the system prompt. Nothing is added after this point.
  const findings: SecretFinding[] = [];
  if (input.redactSecrets) {
    const values = new Map<string, SecretFinding['kind']>();
    for (const m of messages) {
      const r = redactOutgoing(m.content);
      m.content = r.text;
      findings.push(...r.findings);
      r.values.forEach((v, i) => {
        if (v.length >= MIN_ECHO && !v.includes('\n')) values.set(v, r.findings[i].kind);
      });
    }
    // A secret found once is a secret everywhere: the same value repeated in prose ("is Hunter2x9
    // safe?"), where no name marks it, goes too.
    for (const [v, kind] of values) {
      for (const m of messages) {
        if (!m.content.includes(v)) continue;
        const parts = m.content.split(v);
        for (let i = 1; i < parts.length; i++) findings.push({ kind, line: 0 });
        m.content = parts.join(REDACTED);
      }
    }
  }
  if (findings.length > 0) {
    const kinds = [...new Set(findings.map(f => f.kind))].join(', ');
    notices.push(`${plural(findings.length, 'secret')} (${kinds}) replaced with [REDACTED] before sending.`);
  }
  return { messages, notices, fits, tooLarge, trimmed: fit.droppedTurns > 0 || fit.truncatedCode !== undefined, promptTokens: fit.promptTokens, redacted: findings.length };
}
