// The commands on code: Explain and Ask stream into the chat; Fix, Improve and Add Docs become an edit
// shown as a diff to accept or reject; Write Tests opens the tests beside the code. An edit that cannot
// be placed safely is never forced: the answer goes to the chat instead.
import vscode = require('vscode');
import type { CodeContext } from '../protocol';
import type { ErrorAction, MessageError } from '../protocol';
import { EDIT_TASKS, systemPrompt, taskQuestion, type CodeTask } from '../core/prompts';
import type { ApplyResult } from '../core/apply';
import { languageIdForFence } from '../core/fenceLanguage';
import { restoreRedacted } from '../core/redactRestore';
import * as conv from '../core/conversation';
import { gatherContext, targetRange, type TargetKind } from './editorContext';
import { readSettings } from './settings';
import { loadLlm } from './llmLoader';
import type { ChatSession, SystemAddition } from './session';
import type { ChatViewProvider } from './chatViewProvider';
import type { DiffPreview, ProposedEdit } from './diffPreview';
import type { Log } from './log';
import type { EndpointResolver } from './endpoint';
import type { AnswerRunner } from './answerRunner';
import { Commands } from './ids';
import { offerOtherFile } from './otherFileApply';

const TASK_LABELS: Record<CodeTask, string> = {
  explain: 'Explaining',
  fix: 'Fixing',
  improve: 'Improving',
  tests: 'Writing tests for',
  docs: 'Documenting',
  ask: 'Asking about',
};

export interface EditTaskDeps {
  session: ChatSession;
  view: ChatViewProvider;
  diff: DiffPreview;
  endpoints: EndpointResolver;
  answers: AnswerRunner;
  log: Log;
  /** The project's instructions, which edits follow like the chat's answers. */
  instructions?: SystemAddition;
}

/** What the buttons of an endpoint problem do from a notification (the chat has its own handlers). */
const PROBLEM_BUTTONS: Partial<Record<ErrorAction, { label: () => string; run: () => Thenable<unknown> }>> = {
  openSettings: { label: () => vscode.l10n.t('Open Settings'), run: () => vscode.commands.executeCommand('workbench.action.openSettings', 'tandem.') },
  setApiKey: { label: () => vscode.l10n.t('Set API Key'), run: () => vscode.commands.executeCommand(Commands.setApiKey) },
  selectModel: { label: () => vscode.l10n.t('Select Model'), run: () => vscode.commands.executeCommand(Commands.selectModel) },
};

export interface TaskOptions {
  /** Run on this range instead of the selection (quick fixes). */
  range?: vscode.Range;
  uri?: vscode.Uri;
  /** The question for 'ask' (else an input box asks). */
  question?: string;
}

export type TaskOutcome = 'accepted' | 'rejected' | 'stale' | 'inChat' | 'opened' | 'cancelled' | 'failed';

/** Where a test file for `file` conventionally lives, if one exists. */
async function conventionalTestFile(uri: vscode.Uri): Promise<vscode.Uri | undefined> {
  const name = uri.path.split('/').pop() ?? '';
  const dot = name.lastIndexOf('.');
  const base = dot > 0 ? name.slice(0, dot) : name;
  const ext = dot > 0 ? name.slice(dot) : '';
  const names = [`${base}.test${ext}`, `${base}.spec${ext}`, `test_${base}${ext}`, `${base}_test${ext}`, `${base}Test${ext}`];
  const dir = vscode.Uri.joinPath(uri, '..');
  const parent = vscode.Uri.joinPath(dir, '..');
  const candidates = names.flatMap(n => [vscode.Uri.joinPath(dir, n), vscode.Uri.joinPath(dir, '__tests__', n), vscode.Uri.joinPath(dir, 'tests', n), vscode.Uri.joinPath(parent, 'test', n), vscode.Uri.joinPath(parent, 'tests', n)]);
  for (const c of candidates) {
    try {
      await vscode.workspace.fs.stat(c);
      return c;
    } catch {
      // not there
    }
  }
  return undefined;
}

export class EditTasks {
  constructor(private readonly d: EditTaskDeps) {}

  async run(task: CodeTask, opts: TaskOptions = {}): Promise<TaskOutcome> {
    let editor = vscode.window.activeTextEditor;
    if (opts.uri && editor?.document.uri.toString() !== opts.uri.toString()) {
      editor = await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(opts.uri));
    }
    if (!editor) {
      void vscode.window.showInformationMessage(vscode.l10n.t('Open a file and select the code first.'));
      return 'failed';
    }
    const doc = editor.document;
    const target: { range: vscode.Range; kind: TargetKind } = opts.range ? { range: opts.range, kind: 'selection' } : await targetRange(editor);
    const context = gatherContext(doc, target.range);
    if (!context) {
      void vscode.window.showInformationMessage(vscode.l10n.t('There is no code here: select the code to work on.'));
      return 'failed';
    }
    if (target.kind !== 'selection') {
      // Show what was taken: the enclosing symbol or the line becomes the selection.
      editor.selection = new vscode.Selection(target.range.start, target.range.end);
      editor.revealRange(target.range, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
    }
    let question = opts.question;
    if (task === 'ask' && !question) {
      question = await vscode.window.showInputBox({
        title: vscode.l10n.t('Ask Tandem about {0}, lines {1}-{2}', context.file, context.startLine, context.endLine),
        prompt: vscode.l10n.t('Your question about the selected code'),
        ignoreFocusOut: true,
        validateInput: v => (v.trim() ? undefined : vscode.l10n.t('Type a question, or press Escape.')),
      });
      if (!question?.trim()) return 'cancelled';
    }
    const text = taskQuestion(task, { language: context.language, file: context.file, question }, readSettings().taskPrompts);
    if (task === 'explain' || task === 'ask') {
      await this.d.view.reveal();
      await this.d.session.ask(text, context, undefined, true);
      return 'inChat';
    }
    return this.edit(task, editor, target.range, context, text);
  }

  private async edit(task: CodeTask, editor: vscode.TextEditor, range: vscode.Range, context: CodeContext, question: string): Promise<TaskOutcome> {
    const doc = editor.document;
    const resolved = await this.d.endpoints.resolve({ needModel: true });
    if (!resolved.ok) {
      // Not awaited: the command ends now; the buttons work whenever the user gets to them.
      const buttons = resolved.problem.actions.flatMap(a => (PROBLEM_BUTTONS[a] ? [{ action: a, title: PROBLEM_BUTTONS[a].label() }] : []));
      void vscode.window.showErrorMessage(resolved.problem.message, ...buttons).then(pick => pick && PROBLEM_BUTTONS[pick.action]?.run());
      return 'failed';
    }
    const endpoint = resolved.endpoint;
    const s = endpoint.settings;
    const versionAtStart = doc.version;
    const textAtStart = doc.getText();
    const startOffset = doc.offsetAt(range.start);
    const endOffset = doc.offsetAt(range.end);
    const isEdit = EDIT_TASKS.has(task);
    const choices = isEdit ? s.choices : 1;
    const llm = loadLlm();
    const texts: string[] = Array.from({ length: choices }, () => '');
    const label = `${TASK_LABELS[task]} ${context.file}, lines ${context.startLine}-${context.endLine}`;
    // An editor task belongs to no conversation yet: the per-conversation switch does not apply.
    const added = await this.d.instructions?.forConversation('').catch(() => undefined);
    const base = systemPrompt(s.systemPrompt) + (added ? `\n\n${added.text}` : '');
    const result = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Tandem: ${label}`, cancellable: true },
      async (progress, token) => {
        const controller = new AbortController();
        const sub = token.onCancellationRequested(() => controller.abort());
        let received = 0;
        try {
          return await this.d.answers.run(
            {
              endpoint,
              system: isEdit ? `${base}\n\n${llm.EDIT_FORMAT_INSTRUCTIONS}` : base,
              messages: [conv.userMessage(question, context)],
              // The code is what gets replaced: cut short, it would come back cut short.
              wholeCode: true,
              choices,
              component: 'edit',
            },
            {
              onDelta: () => undefined,
              onChoiceDelta: (i, t) => {
                if (i < texts.length) texts[i] += t;
                received += t.length;
                progress.report({ message: vscode.l10n.t('{0} characters received', received) });
              },
              onWait: w => progress.report({ message: w ? vscode.l10n.t('waiting {0} s ({1})', Math.ceil((w.until - Date.now()) / 1000), w.reason === 'retry' ? 'retry' : 'rate limit') : '' }),
            },
            controller.signal,
          );
        } finally {
          sub.dispose();
        }
      },
    );
    if (result.stopped) return 'cancelled';
    // What the user should know about what was sent (redaction, trimming) goes with every record in the chat.
    const redactedNote = [...result.notices, ...(added?.notices ?? [])];
    if (result.error) {
      if (result.error.kind === 'cutOff' || result.error.kind === 'contentFilter') {
        // Half an answer must never replace a whole function; in the chat it can be continued.
        this.toChat(question, context, texts[0], [vscode.l10n.t('Not applied: {0}', result.error.message), ...redactedNote], result.error);
        void vscode.window.showWarningMessage(vscode.l10n.t('Tandem did not change {0}: {1} The answer is in the chat.', context.file, result.error.message));
        return 'inChat';
      }
      // What arrived before the failure is kept where the user can read it.
      if (texts[0].trim()) this.toChat(question, context, texts[0], [vscode.l10n.t('Not applied: the answer broke off ({0}).', result.error.message), ...redactedNote]);
      const show = vscode.l10n.t('Show Log');
      const buttons = result.error.actions.flatMap(a => (PROBLEM_BUTTONS[a] ? [PROBLEM_BUTTONS[a].label()] : []));
      void vscode.window.showErrorMessage(vscode.l10n.t('Tandem could not get an answer: {0}', result.error.message), ...buttons, show).then(pick => {
        if (pick === show) this.d.log.show();
        else if (pick) void Object.values(PROBLEM_BUTTONS).find(b => b?.label() === pick)?.run();
      });
      return 'failed';
    }
    if (task === 'tests') return this.openTests(doc, context, question, texts[0], s.redactCredentials, redactedNote);

    // The user may have typed while the answer came: find the selected code again, or stop.
    let start = startOffset;
    let end = endOffset;
    if (doc.version !== versionAtStart) {
      const original = textAtStart.slice(startOffset, endOffset);
      const now = doc.getText();
      const first = now.indexOf(original);
      if (first < 0 || now.indexOf(original, first + 1) >= 0) {
        this.toChat(question, context, texts[0], [vscode.l10n.t('Not applied: {0} changed while Tandem was working and the code could not be found again.', context.file), ...redactedNote]);
        void vscode.window.showWarningMessage(vscode.l10n.t('{0} changed while Tandem was working; the answer is in the chat instead.', context.file));
        return 'inChat';
      }
      start = first;
      end = first + original.length;
    }
    const computedFor = { version: doc.version, text: doc.getText() };
    const results: { text: string; result: ApplyResult }[] = texts.map(t => ({ text: t, result: llm.applyReply({ documentText: doc.getText(), selection: { start, end }, reply: t, languageId: doc.languageId, path: doc.isUntitled ? undefined : context.file, finishReason: result.finishReason }) }));
    const usable = results.filter((r): r is { text: string; result: Extract<ApplyResult, { ok: true }> } => r.result.ok);
    if (usable.length === 0) {
      const first = results[0].result;
      const reason = first.ok ? '' : first.reason;
      // An unfinished answer can be continued in the chat; one for another file can be reviewed there.
      const cut: MessageError | undefined = !first.ok && first.kind === 'cut-off' ? { kind: 'cutOff', message: reason, actions: ['continue'] } : undefined;
      this.toChat(question, context, texts[0], [vscode.l10n.t('Not applied: {0}', reason), ...redactedNote], cut);
      if (!first.ok && first.kind === 'other-file') {
        const restore = (text: string, original: string): string | undefined => {
          if (!s.redactCredentials) return text;
          const r = restoreRedacted(text, original, sentAround(context));
          if (!r.ok) void vscode.window.showWarningMessage(vscode.l10n.t('Tandem did not change {0}: {1}', first.file, r.reason));
          return r.ok ? r.text : undefined;
        };
        return (await offerOtherFile(first.file, context.file, texts[0], this.d.diff, this.d.log, restore)) ?? 'inChat';
      }
      void vscode.window.showWarningMessage(vscode.l10n.t('Tandem did not change {0}: {1} The answer is in the chat.', context.file, reason));
      return 'inChat';
    }
    // A secret sent as [REDACTED] and repeated by the model gets its real value back, or nothing is changed.
    if (s.redactCredentials) {
      const around = sentAround(context);
      for (const u of usable) {
        const r = restoreRedacted(u.result.edit.text, computedFor.text.slice(u.result.edit.start, u.result.edit.end), around);
        if (!r.ok) {
          this.toChat(question, context, u.text, [vscode.l10n.t('Not applied: {0}', r.reason), ...redactedNote]);
          void vscode.window.showWarningMessage(vscode.l10n.t('Tandem did not change {0}: {1}', context.file, r.reason));
          return 'inChat';
        }
        u.result.edit = { ...u.result.edit, text: r.text };
      }
    }
    let chosen: ProposedEdit = usable[0].result.edit;
    if (usable.length > 1) {
      const pick = await vscode.window.showQuickPick(
        usable.map((u, i) => ({ label: vscode.l10n.t('Alternative {0}', i + 1), detail: u.result.edit.text.split('\n').slice(0, 3).join(' ⏎ ').slice(0, 200), edit: u.result.edit })),
        { title: vscode.l10n.t('{0}: pick an alternative to preview', label), ignoreFocusOut: true },
      );
      if (!pick) return 'cancelled';
      chosen = pick.edit;
    }
    const what = task === 'docs' ? vscode.l10n.t('the documentation') : task === 'improve' ? vscode.l10n.t('the improvement') : vscode.l10n.t('the fix');
    const outcome = await this.d.diff.review(doc, chosen, what, computedFor);
    if (outcome === 'stale') {
      this.toChat(question, context, texts[0], [vscode.l10n.t('Not applied: {0} changed during the review.', context.file), ...redactedNote]);
      void vscode.window.showWarningMessage(vscode.l10n.t('{0} changed during the review and the change could not be placed safely; the answer is in the chat.', context.file));
    }
    this.d.log.info('edit', `${task} on ${context.file}:${context.startLine}-${context.endLine}: ${outcome}`);
    // Every task is recorded in the chat with the model's explanation and what became of the edit.
    if (outcome === 'accepted' || outcome === 'rejected') {
      const chosenText = usable.find(u => u.result.edit === chosen)?.text ?? texts[0];
      const what = outcome === 'accepted' ? vscode.l10n.t('Applied to {0}.', context.file) : vscode.l10n.t('Rejected: {0} was not changed.', context.file);
      this.d.session.addExchange(question, context, chosenText, [what, ...redactedNote], result.usage);
    }
    return outcome;
  }

  private toChat(question: string, context: CodeContext, answer: string, notices: string[], error?: MessageError): void {
    this.d.session.addExchange(question, context, answer, notices, undefined, error);
    void this.d.view.reveal();
  }

  private async openTests(doc: vscode.TextDocument, context: CodeContext, question: string, answer: string, restore: boolean, redactedNote: string[]): Promise<TaskOutcome> {
    const tests = testCodeFrom(answer, context, restore);
    if (!tests.ok) {
      this.toChat(question, context, answer, [tests.reason, ...redactedNote]);
      return 'inChat';
    }
    return placeTests(doc, tests.code, tests.language, this.d.diff);
  }
}

/** The text sent around the code (the selection and the lines around it): where a placeholder's value may be read back. */
export function sentAround(context: CodeContext): string {
  return [context.before ?? '', context.code, context.after ?? ''].join('\n');
}

/** The test code of a Write Tests answer (its first code block), secrets it repeated as placeholders restored; or why there is none. */
export function testCodeFrom(answer: string, context: CodeContext, restore: boolean): { ok: true; code: string; language: string } | { ok: false; reason: string } {
  const block = /(`{3,}|~{3,})([^\n]*)\n([\s\S]*?)\n\1/.exec(answer);
  if (!block) return { ok: false, reason: vscode.l10n.t('The answer has no code block to open as tests.') };
  if (!restore) return { ok: true, code: block[3], language: block[2] };
  const r = restoreRedacted(block[3], '', sentAround(context));
  return r.ok ? { ok: true, code: r.text, language: block[2] } : { ok: false, reason: vscode.l10n.t('Not opened: {0}', r.reason) };
}

/**
 * Where Write Tests puts its tests: appended to the file's conventional test file through the diff
 * review when there is one, else a new untitled document beside the code.
 */
export async function placeTests(doc: vscode.TextDocument, code: string, fenceLanguage: string, diff: DiffPreview): Promise<TaskOutcome> {
  const existing = await conventionalTestFile(doc.uri);
  if (existing) {
    const testDoc = await vscode.workspace.openTextDocument(existing);
    await vscode.window.showTextDocument(testDoc, { viewColumn: vscode.ViewColumn.Beside, preview: false });
    const text = testDoc.getText();
    const edit: ProposedEdit = { start: text.length, end: text.length, text: `${text.endsWith('\n') || text === '' ? '' : '\n'}\n${code}\n` };
    return diff.review(testDoc, edit, vscode.l10n.t('the new tests'));
  }
  const tests = await vscode.workspace.openTextDocument({ language: languageIdForFence(fenceLanguage) || doc.languageId, content: code });
  await vscode.window.showTextDocument(tests, { viewColumn: vscode.ViewColumn.Beside, preview: false });
  return 'opened';
}
