// What is sent for one answer: the system prompt, as much history as fits, the question with its code,
// secrets taken out, and a note for every change the user should know about.
import type { ChatMessage } from '../protocol';
import { codeQuestionMessage } from './prompts';
import { answerReserve, fitContext } from './fitContext';
import { redactOutgoing, type SecretFinding } from './secretScan';

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
}

export interface RequestPlan {
  messages: Turn[];
  notices: string[];
  /** False when even the system prompt and the question do not fit the context window. */
  fits: boolean;
  /** True when history or code was left out to fit the window. */
  trimmed: boolean;
  promptTokens: number;
}

export const CONTINUE_PROMPT = 'Continue exactly where your previous answer stopped. Do not repeat anything you already wrote.';

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

export function planRequest(input: PlanInput): RequestPlan {
  const findings: SecretFinding[] = [];
  const clean = (text: string): string => {
    if (!input.redactSecrets) return text;
    const r = redactOutgoing(text);
    findings.push(...r.findings);
    return r.text;
  };
  const withAttachments = (m: ChatMessage, text: string): string =>
    m.attachments?.length ? [text, ...m.attachments.map(a => codeQuestionMessage('Attached file:', a))].join('\n\n') : text;
  const usable = input.messages.filter(m => !(m.role === 'assistant' && (m.text === '' || (m.error && !m.text))));
  const question = usable[usable.length - 1];
  const history = usable.slice(0, -1).map(m => ({
    role: m.role,
    content: m.role === 'user' ? clean(withAttachments(m, m.context ? codeQuestionMessage(m.text, m.context) : m.text)) : m.text,
  }));
  const questionText = question ? clean(withAttachments(question, question.text)) : '';
  const code = question?.context ? clean(question.context.code) : undefined;
  const fit = fitContext({
    system: input.system,
    history,
    question: questionText + (input.continueFrom ? `\n${input.continueFrom}\n${CONTINUE_PROMPT}` : ''),
    code,
    contextWindow: input.contextWindow,
    reserveForAnswer: answerReserve(input.contextWindow, input.maxTokens),
    count: input.count,
  });
  const notices: string[] = [];
  if (fit.droppedTurns > 0) {
    notices.push(`${plural(fit.droppedTurns, 'earlier exchange')} not sent, to fit the model's context window (${input.contextWindow.toLocaleString('en-US')} tokens).`);
  }
  if (fit.truncatedCode) {
    notices.push(`Only the first ${fit.truncatedCode.keptLines} of ${fit.truncatedCode.totalLines} selected lines were sent, to fit the context window.`);
  }
  if (findings.length > 0) {
    const kinds = [...new Set(findings.map(f => f.kind))].join(', ');
    notices.push(`${plural(findings.length, 'secret')} (${kinds}) replaced with [REDACTED] before sending.`);
  }
  const messages: Turn[] = [{ role: 'system', content: input.system }, ...fit.history];
  if (question) {
    const content = question.context && fit.code !== undefined ? codeQuestionMessage(questionText, { ...question.context, code: fit.code }) : questionText;
    messages.push({ role: 'user', content });
  }
  if (input.continueFrom) {
    messages.push({ role: 'assistant', content: input.continueFrom }, { role: 'user', content: CONTINUE_PROMPT });
  }
  return { messages, notices, fits: fit.fits, trimmed: fit.droppedTurns > 0 || fit.truncatedCode !== undefined, promptTokens: fit.promptTokens };
}
