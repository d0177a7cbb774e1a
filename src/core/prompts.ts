// What Tandem asks the model. Pure: the host gathers the editor context and passes plain data.
import type { CodeContext } from '../protocol';

export const DEFAULT_SYSTEM_PROMPT = [
  'You are Tandem, a programming assistant inside the code editor VS Code.',
  'Answer in GitHub-flavoured Markdown. Put code in fenced blocks with a language tag.',
  'Be precise and concise; say so when you are not sure, and never invent APIs.',
].join(' ');

export type CodeTask = 'explain' | 'fix' | 'improve' | 'tests' | 'docs' | 'ask';
export const CODE_TASKS: readonly CodeTask[] = ['explain', 'fix', 'improve', 'tests', 'docs', 'ask'];

/** Tasks whose answer becomes an edit of the selected code. */
export const EDIT_TASKS: ReadonlySet<CodeTask> = new Set(['fix', 'improve', 'docs']);

/**
 * The question for each task. Users can override each one (setting `tandem.taskPrompts`); `{language}`,
 * `{file}` and, for "ask", `{question}` are filled in.
 */
export const DEFAULT_TASK_PROMPTS: Record<CodeTask, string> = {
  explain: 'Explain what this code does, step by step, and point out anything surprising or risky.',
  fix: 'Fix the bugs in this {language} code, including the problems listed below if any. Keep its behaviour otherwise and keep the style of the file.',
  improve: 'Improve this {language} code: make it clearer, simpler and more idiomatic without changing what it does. Keep the public names.',
  tests: 'Write unit tests for this {language} code, in the test framework the project most likely uses. Cover normal cases, edge cases and errors. Reply with one complete test file in one fenced code block.',
  docs: 'Add documentation comments to this {language} code in the idiomatic style for the language (JSDoc, docstrings, ...). Do not change the code itself.',
  ask: '{question}',
};

export function taskQuestion(task: CodeTask, vars: { language?: string; file?: string; question?: string } = {}, overrides: Partial<Record<CodeTask, string>> = {}): string {
  const template = overrides[task]?.trim() || DEFAULT_TASK_PROMPTS[task];
  return template
    .replace(/\{language\}/g, vars.language ?? 'the')
    .replace(/\{file\}/g, vars.file ?? 'the file')
    .replace(/\{question\}/g, vars.question ?? '');
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

/** The user message sent for a question about code: the question, where the code is from, the code, and what surrounds it. */
export function codeQuestionMessage(question: string, ctx: CodeContext): string {
  const fence = fenceFor(ctx.code);
  const parts = [question, '', `File: ${ctx.file} (${linesLabel(ctx)}), language: ${ctx.language}`, ''];
  if (ctx.imports?.length) {
    const f = fenceFor(ctx.imports.join('\n'));
    parts.push('The file imports:', `${f}${ctx.language}`, ...ctx.imports, f, '');
  }
  if (ctx.before) {
    const f = fenceFor(ctx.before);
    parts.push('Just before the selected code:', `${f}${ctx.language}`, ctx.before.replace(/\r\n/g, '\n'), f, '');
  }
  if (ctx.before || ctx.after) parts.push('The selected code:');
  parts.push(`${fence}${ctx.language}`, ctx.code.replace(/\r\n/g, '\n'), fence);
  if (ctx.after) {
    const f = fenceFor(ctx.after);
    parts.push('', 'Just after it:', `${f}${ctx.language}`, ctx.after.replace(/\r\n/g, '\n'), f);
  }
  if (ctx.diagnostics?.length) {
    parts.push('', 'Problems VS Code reports in the selected code:');
    for (const d of ctx.diagnostics) parts.push(`- line ${d.line}: ${d.message}${d.source ? ` (${d.source}${d.code ? ` ${d.code}` : ''})` : ''}`);
  }
  return parts.join('\n');
}

export function systemPrompt(userOverride: string | undefined): string {
  const s = userOverride?.trim();
  return s ? s : DEFAULT_SYSTEM_PROMPT;
}
