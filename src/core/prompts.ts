// What Tandem asks the model. Pure: the host gathers the editor context and passes plain data.
import type { CodeContext } from '../protocol';

export const DEFAULT_SYSTEM_PROMPT = [
  'You are Tandem, a programming assistant inside the code editor VS Code.',
  'Answer in GitHub-flavoured Markdown. Put code in fenced blocks with a language tag.',
  'Be precise and concise; say so when you are not sure, and never invent APIs.',
].join(' ');

export type CodeTask = 'explain' | 'fix';

const TASK_QUESTIONS: Record<CodeTask, string> = {
  explain: 'Explain what this code does, step by step, and point out anything surprising or risky.',
  fix: 'Find the bugs in this code and give a corrected version in one fenced code block, then explain each change briefly.',
};

export function taskQuestion(task: CodeTask): string {
  return TASK_QUESTIONS[task];
}

/** The longest run of backticks in the code decides the fence, so code containing ``` stays intact. */
export function fenceFor(code: string): string {
  let longest = 0;
  for (const m of code.matchAll(/`+/g)) longest = Math.max(longest, m[0].length);
  return '`'.repeat(Math.max(3, longest + 1));
}

function linesLabel(ctx: CodeContext): string {
  return ctx.startLine === ctx.endLine ? `line ${ctx.startLine}` : `lines ${ctx.startLine}-${ctx.endLine}`;
}

/** The user message sent for a question about code: the question, where the code is from, the code. */
export function codeQuestionMessage(question: string, ctx: CodeContext): string {
  const fence = fenceFor(ctx.code);
  return [
    question,
    '',
    `File: ${ctx.file} (${linesLabel(ctx)}), language: ${ctx.language}`,
    '',
    `${fence}${ctx.language}`,
    ctx.code.replace(/\r\n/g, '\n'),
    fence,
  ].join('\n');
}

export function systemPrompt(userOverride: string | undefined): string {
  const s = userOverride?.trim();
  return s ? s : DEFAULT_SYSTEM_PROMPT;
}
