// @tandem in VS Code's Chat: /explain, /fix, /tests and /docs on the active editor's selection (or the
// enclosing symbol or block, as the editor commands take it), answered by the model the user picked in
// the Chat, whichever extension provides it. What is sent is planned by the same planner as every
// other request (core/requestPlan: fitted to the model's window, every message redacted); with one of
// Tandem's own models it then also passes through Tandem's pipeline (the language-model provider). An
// answer that changes code is placed by the apply engine and offered as a button that opens the same
// diff review as Fix Selection; where it cannot be placed safely, the reason is shown instead.
import vscode = require('vscode');
import type { ChatMessage, CodeContext } from '../protocol';
import { EDIT_TASKS, systemPrompt, taskQuestion, type CodeTask } from '../core/prompts';
import { restoreRedacted } from '../core/redactRestore';
import * as conv from '../core/conversation';
import { gatherContext, targetRange, trimSelection, type TargetKind } from './editorContext';
import { readSettings } from './settings';
import { loadLlm } from './llmLoader';
import { placeTests, sentAround, testCodeFrom, type TaskOutcome } from './editTasks';
import type { DiffPreview, ProposedEdit } from './diffPreview';
import type { AnswerRunner } from './answerRunner';
import type { Log } from './log';
import { Commands, LM_VENDOR } from './ids';
import { isOpenOrInWorkspace } from './workspaceScope';

/** The participant's slash commands (package.json `chatParticipants[0].commands`) and the task each runs. */
export const PARTICIPANT_COMMANDS = { explain: 'explain', fix: 'fix', tests: 'tests', docs: 'docs' } as const satisfies Record<string, CodeTask>;

/** Proposals kept for their buttons; older ones are forgotten (their button then says so). */
const MAX_PROPOSALS = 20;

type Proposal =
  | { kind: 'edit'; uri: vscode.Uri; edit: ProposedEdit; computedFor: { version: number; text: string }; what: string }
  | { kind: 'tests'; uri: vscode.Uri; code: string; language: string };

export interface ParticipantDeps {
  diff: DiffPreview;
  answers: AnswerRunner;
  log: Log;
}

/** What the result's metadata records, so follow-ups know what an earlier turn was about. */
interface TurnMetadata {
  task?: CodeTask;
}

export class TandemParticipant {
  private readonly proposals = new Map<string, Proposal>();

  constructor(private readonly d: ParticipantDeps) {}

  async handle(request: vscode.ChatRequest, context: vscode.ChatContext, stream: vscode.ChatResponseStream, token: vscode.CancellationToken): Promise<vscode.ChatResult> {
    const task = taskOf(request);
    if (!task) {
      stream.markdown(request.command
        ? vscode.l10n.t('@tandem has no /{0} command. Use /explain, /fix, /tests or /docs on the selected code, or ask a question about it.', request.command)
        : vscode.l10n.t('Select code in an editor, then ask a question about it, or use /explain, /fix, /tests or /docs. Without a selection @tandem takes the function or block around the cursor.'));
      return { metadata: {} };
    }
    const target = await this.target(request);
    if (target === 'outside') {
      stream.markdown(vscode.l10n.t('@tandem works only on open documents and files in this workspace.'));
      return { metadata: { task } };
    }
    if (!target && task !== 'ask') {
      stream.markdown(vscode.l10n.t('Open a file and select the code for @tandem to work on (or put the cursor in a function), then ask again: for example `@tandem /{0}`.', request.command ?? task));
      return { metadata: { task } };
    }
    const context_ = target ? gatherContext(target.doc, target.range) : undefined;
    if (target && !context_) {
      stream.markdown(vscode.l10n.t('There is no code at the cursor in {0}: select the code for @tandem to work on, then ask again.', vscode.workspace.asRelativePath(target.doc.uri, false)));
      return { metadata: { task } };
    }
    if (target && context_) {
      if (target.kind !== 'selection' && target.editor) {
        // As the editor commands do: the code taken becomes the selection, so the user sees it.
        target.editor.selection = new vscode.Selection(target.range.start, target.range.end);
        target.editor.revealRange(target.range, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
      }
      stream.reference(new vscode.Location(target.doc.uri, target.range));
    }
    return this.answer(task, request, context, stream, token, target, context_);
  }

  /** The Review button's command: the same diff review as Fix Selection (or Write Tests' file) for a proposal this participant made. */
  async review(id: unknown): Promise<TaskOutcome | 'missing'> {
    const p = typeof id === 'string' ? this.proposals.get(id) : undefined;
    if (!p) {
      void vscode.window.showWarningMessage(vscode.l10n.t('This proposed change is no longer available (the window was reloaded or @tandem made many newer ones). Ask @tandem again.'));
      return 'missing';
    }
    let doc: vscode.TextDocument;
    try {
      doc = await vscode.workspace.openTextDocument(p.uri);
    } catch (e) {
      void vscode.window.showWarningMessage(vscode.l10n.t('Tandem cannot open {0}: {1}', vscode.workspace.asRelativePath(p.uri, false), e instanceof Error ? e.message : String(e)));
      return 'failed';
    }
    if (p.kind === 'tests') return placeTests(doc, p.code, p.language, this.d.diff);
    await vscode.window.showTextDocument(doc);
    const outcome = await this.d.diff.review(doc, p.edit, p.what, p.computedFor);
    this.d.log.info('participant', `review of ${p.what} in ${vscode.workspace.asRelativePath(p.uri, false)}: ${outcome}`);
    if (outcome === 'accepted') this.proposals.delete(id as string);
    if (outcome === 'stale') {
      void vscode.window.showWarningMessage(vscode.l10n.t('{0} changed since @tandem answered and the change could not be placed safely; nothing was changed. Ask @tandem again.', vscode.workspace.asRelativePath(p.uri, false)));
    }
    return outcome;
  }

  /**
   * The code to work on: a location attached to the request (VS Code's Chat attaches the editor's
   * selection by itself; #selection, #file:…:N-M), else the active editor's target.
   */
  private async target(request: vscode.ChatRequest): Promise<{ doc: vscode.TextDocument; range: vscode.Range; kind: TargetKind; editor?: vscode.TextEditor } | 'outside' | undefined> {
    for (const ref of request.references) {
      const v = ref.value;
      if (!(v instanceof vscode.Location) || v.range.isEmpty) continue;
      if (!isOpenOrInWorkspace(v.uri)) return 'outside';
      const doc = await vscode.workspace.openTextDocument(v.uri);
      const editor = vscode.window.visibleTextEditors.find(e => e.document === doc);
      return { doc, range: trimSelection(doc, v.range), kind: 'selection', editor };
    }
    const editor = vscode.window.activeTextEditor;
    if (!editor) return undefined;
    const t = await targetRange(editor);
    return { doc: editor.document, range: t.range, kind: t.kind, editor };
  }

  private async answer(task: CodeTask, request: vscode.ChatRequest, chat: vscode.ChatContext, stream: vscode.ChatResponseStream, token: vscode.CancellationToken,
    target: { doc: vscode.TextDocument; range: vscode.Range } | undefined, code: CodeContext | undefined): Promise<vscode.ChatResult> {
    const model = request.model;
    const s = readSettings();
    const metadata: TurnMetadata = { task };
    const extra = request.prompt.trim();
    let question = taskQuestion(task, { language: code?.language, file: code?.file, question: extra }, s.taskPrompts);
    // A note after the command ("/fix the off-by-one") is the user's own words: they go with the task.
    if (task !== 'ask' && extra) question += `\n\n${extra}`;
    const isEdit = EDIT_TASKS.has(task);
    const llm = loadLlm();
    const system = isEdit ? `${systemPrompt(s.systemPrompt)}\n\n${llm.EDIT_FORMAT_INSTRUCTIONS}` : systemPrompt(s.systemPrompt);
    const plan = llm.planRequest({
      system,
      messages: [...historyOf(chat), conv.userMessage(question, code)],
      contextWindow: model.maxInputTokens,
      count: t => this.d.answers.countTokens(t, model.id),
      redactSecrets: s.redactCredentials,
      // The code is what an edit replaces: cut short, it would come back cut short.
      wholeCode: isEdit,
    });
    if (plan.tooLarge || !plan.fits) {
      const message = plan.tooLarge
        ? vscode.l10n.t('The code is too large for {0}: about {1} tokens, with room for about {2}. Nothing was sent. Select less code, or pick a model with a larger context window.', model.name, plan.tooLarge.codeTokens.toLocaleString('en-US'), plan.tooLarge.roomTokens.toLocaleString('en-US'))
        : vscode.l10n.t('The question does not fit the context window of {0} ({1} tokens). Nothing was sent. Select less code, or pick a model with a larger context window.', model.name, model.maxInputTokens.toLocaleString('en-US'));
      return { errorDetails: { message }, metadata };
    }
    for (const n of plan.notices) stream.markdown(`*${escapeMarkdown(n)}*\n\n`);
    const what = code ? `${code.file}:${code.startLine}-${code.endLine}` : 'no code';
    const log = `${task} on ${what} with ${model.vendor}/${model.id}`;
    this.d.log.trace('participant', `request content: ${JSON.stringify(plan.messages)}`);
    // Captured before the answer: the edit is computed for this text, and the review re-locates it if the user typed meanwhile.
    const computedFor = target ? { version: target.doc.version, text: target.doc.getText() } : undefined;
    const started = Date.now();
    const cap = new vscode.CancellationTokenSource();
    const sub = token.onCancellationRequested(() => cap.cancel());
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      cap.cancel();
    }, s.maxAnswerMs);
    let reply = '';
    let cut: string | undefined;
    try {
      const response = await model.sendRequest(toModelMessages(plan.messages), { justification: vscode.l10n.t('@tandem sends the selected code and your question to the model you picked.') }, cap.token);
      for await (const piece of response.text) {
        if (cap.token.isCancellationRequested) break;
        reply += piece;
        stream.markdown(piece);
        if (reply.length >= s.maxAnswerChars) {
          cut = vscode.l10n.t('The answer reached Tandem\'s size cap ({0} characters, "tandem.maxAnswerCharacters") and was cut off.', s.maxAnswerChars.toLocaleString('en-US'));
          cap.cancel();
          break;
        }
      }
    } catch (e) {
      if (token.isCancellationRequested) {
        this.d.log.info('participant', `${log}: stopped by the user after ${reply.length} chars`);
        return { metadata };
      }
      if (!cap.token.isCancellationRequested) {
        const reason = e instanceof Error ? e.message : String(e);
        this.d.log.error('participant', `${log}: failed: ${reason}`);
        if (model.vendor === LM_VENDOR) {
          stream.button({ command: Commands.testConnection, title: vscode.l10n.t('Test Connection') });
          stream.button({ command: Commands.showLog, title: vscode.l10n.t('Show Log') });
        }
        return { errorDetails: { message: errorMessage(model, reason) }, metadata };
      }
    } finally {
      clearTimeout(timer);
      sub.dispose();
      cap.dispose();
    }
    if (token.isCancellationRequested) {
      this.d.log.info('participant', `${log}: stopped by the user after ${reply.length} chars`);
      return { metadata };
    }
    if (!cut && timedOut) {
      cut = vscode.l10n.t('The answer streamed longer than Tandem\'s time cap ({0} s, "tandem.maxAnswerSeconds") and was cut off.', Math.round(s.maxAnswerMs / 1000));
    }
    this.d.log.info('participant', `${log}: ${reply.length} chars in ${Date.now() - started} ms${cut ? ', cut at a cap' : ''}`);
    if (cut) {
      // Half an answer must never replace whole code.
      stream.markdown(`\n\n---\n${escapeMarkdown(cut)}${isEdit || task === 'tests' ? ' ' + vscode.l10n.t('Nothing is proposed as a change.') : ''}`);
      return { metadata };
    }
    if (reply.trim() === '') return { errorDetails: { message: vscode.l10n.t('{0} answered with no text. Ask again, or pick another model.', model.name) }, metadata };
    if (target && code && computedFor && (isEdit || task === 'tests')) this.propose(task, target.doc, target.range, code, computedFor, reply, s.redactCredentials, stream);
    return { metadata };
  }

  /** The answer as a change the user can review (a button), or the reason it cannot be one. */
  private propose(task: CodeTask, doc: vscode.TextDocument, range: vscode.Range, code: CodeContext, computedFor: { version: number; text: string }, reply: string, restore: boolean, stream: vscode.ChatResponseStream): void {
    const refuse = (reason: string) => stream.markdown(`\n\n---\n**${vscode.l10n.t('Not proposed as a change')}:** ${escapeMarkdown(reason)} ${vscode.l10n.t('The answer is above: copy what you need, or select the code again and ask again.')}`);
    if (task === 'tests') {
      const tests = testCodeFrom(reply, code, restore);
      if (!tests.ok) return refuse(tests.reason);
      stream.button({ command: Commands.reviewChatEdit, title: vscode.l10n.t('Open the Tests'), arguments: [this.keep({ kind: 'tests', uri: doc.uri, code: tests.code, language: tests.language })] });
      return;
    }
    const placed = loadLlm().applyReply({
      documentText: computedFor.text,
      selection: { start: doc.offsetAt(range.start), end: doc.offsetAt(range.end) },
      reply,
      languageId: doc.languageId,
      path: doc.isUntitled ? undefined : code.file,
    });
    if (!placed.ok) return refuse(placed.reason);
    let edit: ProposedEdit = placed.edit;
    if (restore) {
      // A secret sent as [REDACTED] and repeated by the model gets its real value back, or nothing is proposed.
      const r = restoreRedacted(edit.text, computedFor.text.slice(edit.start, edit.end), sentAround(code));
      if (!r.ok) return refuse(r.reason);
      edit = { ...edit, text: r.text };
    }
    const what = task === 'docs' ? vscode.l10n.t('the documentation') : vscode.l10n.t('the fix');
    const title = task === 'docs' ? vscode.l10n.t('Review the Documentation') : vscode.l10n.t('Review the Fix');
    stream.button({ command: Commands.reviewChatEdit, title, arguments: [this.keep({ kind: 'edit', uri: doc.uri, edit, computedFor, what })] });
  }

  private keep(p: Proposal): string {
    const id = conv.newId('p');
    this.proposals.set(id, p);
    for (const old of this.proposals.keys()) {
      if (this.proposals.size <= MAX_PROPOSALS) break;
      this.proposals.delete(old);
    }
    return id;
  }
}

function taskOf(request: vscode.ChatRequest): CodeTask | undefined {
  if (request.command) return Object.hasOwn(PARTICIPANT_COMMANDS, request.command) ? PARTICIPANT_COMMANDS[request.command as keyof typeof PARTICIPANT_COMMANDS] : undefined;
  return request.prompt.trim() ? 'ask' : undefined;
}

/**
 * Earlier exchanges with @tandem in this chat, as the planner takes history: what the user typed (with
 * the command) and the answer's text. The planner drops the oldest when they do not fit.
 */
function historyOf(chat: vscode.ChatContext): ChatMessage[] {
  const out: ChatMessage[] = [];
  for (const turn of chat.history) {
    if (turn instanceof vscode.ChatRequestTurn) {
      out.push(conv.userMessage(`${turn.command ? `/${turn.command} ` : ''}${turn.prompt}`.trim()));
    } else if (turn instanceof vscode.ChatResponseTurn) {
      const text = turn.response.map(p => (p instanceof vscode.ChatResponseMarkdownPart ? p.value.value : '')).join('');
      out.push({ id: conv.newId('m'), role: 'assistant', text, streaming: false });
    }
  }
  return out;
}

/**
 * The planned turns as VS Code's messages. The stable API has no system role, so the system prompt opens
 * the first user message (a separate user message would put two in a row, which some chat templates reject).
 */
function toModelMessages(turns: readonly { role: string; content: string }[]): vscode.LanguageModelChatMessage[] {
  const system = turns.filter(t => t.role === 'system').map(t => t.content).join('\n\n');
  const rest = turns.filter(t => t.role === 'user' || t.role === 'assistant');
  const out: vscode.LanguageModelChatMessage[] = [];
  rest.forEach((t, i) => {
    const content = i === 0 && system && t.role === 'user' ? `${system}\n\n${t.content}` : t.content;
    out.push(t.role === 'user' ? vscode.LanguageModelChatMessage.User(content) : vscode.LanguageModelChatMessage.Assistant(content));
  });
  if (system && rest[0]?.role !== 'user') out.unshift(vscode.LanguageModelChatMessage.User(system));
  return out;
}

function errorMessage(model: vscode.LanguageModelChat, reason: string): string {
  const next = model.vendor === LM_VENDOR
    ? vscode.l10n.t('Test Connection checks the server, the key and the model step by step.')
    : vscode.l10n.t('Pick another model in the Chat\'s model picker, or check the extension that provides this one.');
  return vscode.l10n.t('{0} could not answer: {1} {2}', model.name, reason.trim().replace(/([^.!?])$/, '$1.'), next);
}

/** Tandem's own words in the response are plain text, not markdown the renderer interprets. */
function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+!<>|]/g, c => `\\${c}`);
}
