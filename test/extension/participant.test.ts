// @tandem in VS Code's Chat, driven the way the Chat drives a participant: its handler (the one
// registered with vscode.chat.createChatParticipant, reached through the test-only API hook because the
// extension API cannot submit a Chat request) gets a ChatRequest whose model is a real
// vscode.LanguageModelChat (Tandem's, vendor tandem, against the loopback server) and a response stream
// that records what the Chat would show. What the server received, what was streamed, and what /fix's
// button does to the file are asserted.
import * as assert from 'assert';
import * as fs from 'fs';
import * as vscode from 'vscode';
import { FakeOpenAI, type RecordedRequest } from '../fixtures/fakeOpenAI';
import { FIX_REPLY, FIXED_AVERAGE } from '../fixtures/averageFix';
import { previewOpen, setSettings, sleep, tandem, useFixture, waitFor, workspaceFile } from './helpers';

// Built at run time so this file does not trip secret scanners.
const SECRET_KEY = ['sk', 'proj', 'Qq7wEr4tYu1iOp8aSd5fGh2jKl6zXc3v'].join('-');
const MODEL = 'part-model';

const BUGGY = [
  `const API_KEY = "${SECRET_KEY}";`,
  '',
  'export function average(values: number[]): number {',
  '  let sum = 0;',
  '  for (let i = 0; i <= values.length; i++) {',
  '    sum += values[i];',
  '  }',
  '  return sum / values.length;',
  '}',
  '',
  'export function greet(name: string): string {',
  '  return `Hello, ${name}!`;',
  '}',
  '',
].join('\n');
/** Lines 2-8 (0-based) are the function average. */
const FN = { from: 2, to: 8 };

/** What the Chat would show for one response, in order. */
type Part =
  | { kind: 'markdown'; text: string }
  | { kind: 'button'; command: vscode.Command }
  | { kind: 'reference'; value: vscode.Uri | vscode.Location }
  | { kind: 'progress'; text: string }
  | { kind: 'other'; value: unknown };

/** A ChatResponseStream that records every part, as VS Code's Chat receives them. */
class Recorder implements vscode.ChatResponseStream {
  readonly parts: Part[] = [];
  markdown(value: string | vscode.MarkdownString): void {
    this.parts.push({ kind: 'markdown', text: typeof value === 'string' ? value : value.value });
  }
  anchor(value: vscode.Uri | vscode.Location): void {
    this.parts.push({ kind: 'other', value });
  }
  button(command: vscode.Command): void {
    this.parts.push({ kind: 'button', command });
  }
  filetree(value: vscode.ChatResponseFileTree[]): void {
    this.parts.push({ kind: 'other', value });
  }
  progress(value: string): void {
    this.parts.push({ kind: 'progress', text: value });
  }
  reference(value: vscode.Uri | vscode.Location): void {
    this.parts.push({ kind: 'reference', value });
  }
  push(part: vscode.ChatResponsePart): void {
    this.parts.push({ kind: 'other', value: part });
  }
  get text(): string {
    return this.parts.flatMap(p => (p.kind === 'markdown' ? [p.text] : [])).join('');
  }
  get markdownPieces(): number {
    return this.parts.filter(p => p.kind === 'markdown').length;
  }
  get buttons(): vscode.Command[] {
    return this.parts.flatMap(p => (p.kind === 'button' ? [p.command] : []));
  }
}

function chatRequest(model: vscode.LanguageModelChat, command: string | undefined, prompt = '', references: vscode.ChatPromptReference[] = []): vscode.ChatRequest {
  // The fields a participant reads; the rest of VS Code's request object (ids, tool token) Tandem does not use.
  return { prompt, command, references, toolReferences: [], toolInvocationToken: undefined as never, model } as vscode.ChatRequest;
}

function sentMessages(r: RecordedRequest): { role: string; content: string }[] {
  return (r.body as { messages: { role: string; content: string }[] }).messages;
}

suite('@tandem in VS Code\'s Chat', function () {
  this.timeout(60000);
  const fx = new FakeOpenAI({ models: [MODEL] });
  let n = 0;
  let handler: vscode.ChatRequestHandler;

  async function freshFile(content: string): Promise<vscode.TextEditor> {
    n += 1;
    const file = workspaceFile(`participant-${n}.ts`);
    fs.writeFileSync(file.fsPath, content);
    return vscode.window.showTextDocument(await vscode.workspace.openTextDocument(file));
  }

  async function model(): Promise<vscode.LanguageModelChat> {
    // VS Code asks the provider again after a settings change: wait for the model to be listed.
    for (const end = Date.now() + 15000; Date.now() < end; await sleep(100)) {
      const [m] = await vscode.lm.selectChatModels({ vendor: 'tandem', id: MODEL });
      if (m) return m;
    }
    throw new Error('Tandem\'s model never appeared in vscode.lm.selectChatModels');
  }

  async function ask(command: string | undefined, prompt = '', token = new vscode.CancellationTokenSource().token, m?: vscode.LanguageModelChat, references: vscode.ChatPromptReference[] = []): Promise<{ out: Recorder; result: vscode.ChatResult }> {
    const out = new Recorder();
    const result = (await handler(chatRequest(m ?? await model(), command, prompt, references), { history: [] }, out, token)) ?? {};
    return { out, result };
  }

  useFixture(fx);
  suiteSetup(async () => {
    const api = await tandem();
    assert.ok(api.participantRequest, 'the test hook exists outside production');
    handler = api.participantRequest;
  });
  setup(async () => {
    fx.reset();
    await setSettings({ provider: 'custom', baseUrl: fx.baseUrl, model: MODEL, contextWindow: 32000 });
  });
  suiteTeardown(async () => {
    await setSettings({ contextWindow: undefined });
  });

  test('/explain sends the selection (a secret in the file redacted) to the picked model and streams its answer', async () => {
    const editor = await freshFile(BUGGY);
    editor.selection = new vscode.Selection(FN.from, 0, FN.to, 1);
    const answer = 'It sums the values and divides by their count. The loop reads one element past the end.';
    fx.script({ text: answer, chunkSize: 7 });
    const { out, result } = await ask('explain');
    assert.strictEqual(result.errorDetails, undefined, result.errorDetails?.message);
    const [req] = fx.chatRequests();
    assert.strictEqual((req.body as { model: string }).model, MODEL, 'the model picked in the Chat answers');
    const sent = JSON.stringify(req.body);
    assert.ok(!sent.includes(SECRET_KEY), 'the key in the line before the selection was sent');
    assert.match(sent, /\[REDACTED\]/, 'the line before the selection went with a placeholder');
    const user = sentMessages(req).filter(m => m.role === 'user').at(-1)?.content ?? '';
    assert.ok(user.includes('for (let i = 0; i <= values.length; i++) {'), 'the selected code is sent');
    assert.match(user, /Explain what this code does/, 'the Explain task\'s prompt');
    assert.match(user, /participant-\d+\.ts \(lines 3-9\)/, 'where the code is from');
    // Streamed as it arrived, in pieces, and nothing but the answer and the redaction note.
    assert.ok(out.text.endsWith(answer), out.text);
    assert.ok(out.markdownPieces > 3, `${out.markdownPieces} markdown part(s)`);
    assert.match(out.text, /1 secret .* replaced with \\\[REDACTED\\\] before sending/);
    const ref = out.parts.find(p => p.kind === 'reference');
    assert.ok(ref && ref.value instanceof vscode.Location && ref.value.range.start.line === FN.from && ref.value.range.end.line === FN.to, 'the code used is shown as a reference');
    assert.deepStrictEqual(out.buttons, [], 'an explanation proposes no change');
  });

  test('/fix proposes the edit as a button: it opens the same diff review as Fix Selection, and accepting changes exactly the selected lines as one undoable edit', async () => {
    // Fix Selection first, on the same code with the same reply: the review it opens is the reference.
    const reference = await freshFile(BUGGY);
    reference.selection = new vscode.Selection(FN.from, 0, FN.to, 1);
    fx.script({ text: FIX_REPLY });
    const running = vscode.commands.executeCommand<string>('tandem.fixSelection');
    await waitFor('Fix Selection\'s diff review', () => previewOpen(), 15000);
    const fixSelectionReview = await reviewShown();
    await vscode.commands.executeCommand('tandem.rejectEdit');
    assert.strictEqual(await running, 'rejected');

    const editor = await freshFile(BUGGY);
    editor.selection = new vscode.Selection(FN.from, 0, FN.to, 1);
    fx.script({ text: FIX_REPLY, chunkSize: 9 });
    const { out, result } = await ask('fix');
    assert.strictEqual(result.errorDetails, undefined, result.errorDetails?.message);
    assert.ok(out.text.includes(FIX_REPLY), 'the whole answer is streamed');
    const system = sentMessages(fx.chatRequests()[1])[0].content;
    assert.match(system, /Fix the bugs in this typescript code/);
    assert.match(system, /Exactly one fenced code block/, 'the edit format the apply engine reads best is asked for');
    assert.strictEqual(out.buttons.length, 1, JSON.stringify(out.parts));
    const [button] = out.buttons;
    assert.strictEqual(button.command, 'tandem.reviewChatEdit');
    assert.strictEqual(editor.document.getText(), BUGGY, 'nothing changes before the user decides');

    const reviewing = vscode.commands.executeCommand<string>(button.command, ...(button.arguments ?? []));
    await waitFor('the diff review', () => previewOpen(), 15000);
    const review = await reviewShown();
    assert.ok(review.proposed.includes(FIXED_AVERAGE), review.proposed);
    assert.strictEqual(review.proposed, fixSelectionReview.proposed, 'the same change is proposed');
    assert.strictEqual(review.label.replace(/participant-\d+/, 'F'), fixSelectionReview.label.replace(/participant-\d+/, 'F'), 'the same review (its title)');
    await vscode.commands.executeCommand('tandem.acceptEdit');
    assert.strictEqual(await reviewing, 'accepted');
    const doc = editor.document;
    const lines = BUGGY.split('\n');
    assert.strictEqual(doc.getText(), [...lines.slice(0, FN.from), FIXED_AVERAGE, ...lines.slice(FN.to + 1)].join('\n'), 'exactly the selected lines changed');
    assert.ok(!previewOpen(), 'the review is closed');
    await vscode.window.showTextDocument(doc);
    await vscode.commands.executeCommand('undo');
    assert.strictEqual(doc.getText(), BUGGY, 'one Undo restores the file');
  });

  test('/fix with the cursor in a function and nothing selected takes the enclosing function, as Fix Selection does', async () => {
    const editor = await freshFile(BUGGY);
    editor.selection = new vscode.Selection(FN.from + 2, 4, FN.from + 2, 4);
    fx.script({ text: FIX_REPLY });
    const { out } = await ask('fix');
    const user = sentMessages(fx.chatRequests()[0]).at(-1)?.content ?? '';
    assert.match(user, /\(lines 3-9\)/, user.slice(0, 400));
    const selected = user.slice(user.indexOf('The selected code:'), user.indexOf('Just after it:'));
    assert.ok(selected.includes('function average') && !selected.includes('function greet'), `only the enclosing function is the code: ${selected}`);
    assert.deepStrictEqual([editor.selection.start.line, editor.selection.end.line], [FN.from, FN.to], 'the function taken becomes the selection');
    assert.strictEqual(out.buttons.length, 1);
  });

  test('/fix restores a secret the model repeats as [REDACTED]: the file gets the real value back, never the placeholder', async () => {
    const code = ['function connect() {', `  return open("db", "${SECRET_KEY}", 3);`, '}', ''].join('\n');
    const editor = await freshFile(code);
    editor.selection = new vscode.Selection(0, 0, 2, 1);
    const fixed = ['function connect() {', '  return open("db", "[REDACTED]", 5);', '}'].join('\n');
    fx.script({ text: `\`\`\`typescript\n${fixed}\n\`\`\`` });
    const { out } = await ask('fix');
    assert.ok(!JSON.stringify(fx.chatRequests()[0].body).includes(SECRET_KEY), 'the key was sent');
    const [button] = out.buttons;
    assert.ok(button, JSON.stringify(out.parts));
    const reviewing = vscode.commands.executeCommand<string>(button.command, ...(button.arguments ?? []));
    await waitFor('the diff review', () => previewOpen(), 15000);
    const shown = (await reviewShown()).proposed;
    assert.ok(shown.includes(SECRET_KEY) && !shown.includes('[REDACTED]'), `the review shows the real value: ${shown}`);
    await vscode.commands.executeCommand('tandem.acceptEdit');
    assert.strictEqual(await reviewing, 'accepted');
    assert.strictEqual(editor.document.getText(), code.replace(', 3);', ', 5);'));
  });

  test('a selection the Chat attaches (whole lines, ending at the next line\'s start) is the code, not the editor\'s cursor', async () => {
    const editor = await freshFile(BUGGY);
    editor.selection = new vscode.Selection(11, 0, 11, 0); // in greet: not what is asked about
    fx.script({ text: FIX_REPLY });
    const attached: vscode.ChatPromptReference = { id: 'vscode.implicit.selection', value: new vscode.Location(editor.document.uri, new vscode.Range(FN.from, 0, FN.to + 1, 0)) };
    const { out } = await ask('fix', '', undefined, undefined, [attached]);
    const user = sentMessages(fx.chatRequests()[0]).at(-1)?.content ?? '';
    assert.match(user, /\(lines 3-9\)/, 'the attached lines, without the empty start of the next one');
    assert.strictEqual(out.buttons.length, 1, JSON.stringify(out.parts));
    const reviewing = vscode.commands.executeCommand<string>(out.buttons[0].command, ...(out.buttons[0].arguments ?? []));
    await waitFor('the diff review', () => previewOpen(), 15000);
    await vscode.commands.executeCommand('tandem.acceptEdit');
    assert.strictEqual(await reviewing, 'accepted');
    const lines = BUGGY.split('\n');
    assert.strictEqual(editor.document.getText(), [...lines.slice(0, FN.from), FIXED_AVERAGE, ...lines.slice(FN.to + 1)].join('\n'));
  });

  test('an answer that cannot be placed is not proposed: the reason is shown, no button', async () => {
    const editor = await freshFile(BUGGY);
    editor.selection = new vscode.Selection(FN.from, 0, FN.to, 1);
    fx.script({ text: 'I think the code is fine as it is.' });
    const { out } = await ask('fix');
    assert.deepStrictEqual(out.buttons, []);
    assert.match(out.text, /Not proposed as a change:\*\* .*no code/i);
    assert.strictEqual(editor.document.getText(), BUGGY);
  });

  test('/tests offers the tests as a button that opens them beside the code', async () => {
    const editor = await freshFile(BUGGY);
    editor.selection = new vscode.Selection(FN.from, 0, FN.to, 1);
    const tests = "import { average } from './participant';\n\ntest('average', () => expect(average([1, 2])).toBe(1.5));";
    fx.script({ text: `Tests:\n\n\`\`\`typescript\n${tests}\n\`\`\`` });
    const { out } = await ask('tests');
    const [button] = out.buttons;
    assert.ok(button, JSON.stringify(out.parts));
    assert.strictEqual(await vscode.commands.executeCommand<string>(button.command, ...(button.arguments ?? [])), 'opened');
    await waitFor('the tests in an editor', () => vscode.window.visibleTextEditors.some(e => e.document.getText() === tests));
    // The untitled tests are not kept: later tests close every editor.
    await vscode.window.showTextDocument(vscode.window.visibleTextEditors.find(e => e.document.getText() === tests)!.document);
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
  });

  test('without an editor: a message says what to do, and nothing is sent', async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await waitFor('no active editor', () => vscode.window.activeTextEditor === undefined);
    const { out } = await ask('fix');
    assert.match(out.text, /Open a file and select the code/);
    assert.match(out.text, /@tandem \/fix/);
    assert.strictEqual(fx.chatRequests().length, 0);
    const help = await ask(undefined, '');
    assert.match(help.out.text, /\/explain, \/fix, \/tests or \/docs/);
  });

  test('a server failure is shown as the response\'s error with Tandem\'s message and a next step', async () => {
    const editor = await freshFile(BUGGY);
    editor.selection = new vscode.Selection(FN.from, 0, FN.to, 1);
    fx.script({ status: 429, errorBody: { error: { message: 'You exceeded your current quota, please check your plan.', type: 'insufficient_quota', param: null, code: 'insufficient_quota' } } });
    const { out, result } = await ask('explain');
    const message = result.errorDetails?.message ?? '';
    assert.match(message, /You exceeded your current quota/);
    assert.match(message, /Test Connection/, 'a next step');
    assert.deepStrictEqual(out.buttons.map(b => b.command), ['tandem.testConnection', 'tandem.showLog']);
  });

  test('cancelling in the Chat closes the connection and proposes nothing', async () => {
    const editor = await freshFile(BUGGY);
    editor.selection = new vscode.Selection(FN.from, 0, FN.to, 1);
    fx.script({ text: '```typescript\n', endless: { piece: '// more\n', maxMs: 20000 }, delayMs: 20 });
    const cts = new vscode.CancellationTokenSource();
    const running = ask('fix', '', cts.token);
    const [req] = await fx.waitForRequests(1);
    await waitFor('some streamed chunks', () => req.chunksSent > 3);
    cts.cancel();
    const { out, result } = await running;
    await fx.waitForClose(req, 5000);
    assert.ok(req.clientClosedEarly, 'the client closed the connection');
    assert.strictEqual(result.errorDetails, undefined);
    assert.deepStrictEqual(out.buttons, []);
  });

  test('with another vendor\'s model, what the participant sends is already planned and redacted (system prompt in the first user message)', async () => {
    const editor = await freshFile(BUGGY);
    editor.selection = new vscode.Selection(0, 0, FN.to, 1);
    // A model from another extension, as VS Code hands it over: the participant sees only this interface.
    const received: vscode.LanguageModelChatMessage[][] = [];
    const other: vscode.LanguageModelChat = {
      name: 'Other', id: 'other-model', vendor: 'someone-else', family: 'other', version: '1', maxInputTokens: 16000,
      countTokens: async () => 1,
      sendRequest: async messages => {
        received.push(messages as vscode.LanguageModelChatMessage[]);
        async function* text() {
          yield 'From ';
          yield 'elsewhere.';
        }
        return { text: text(), stream: text() } as unknown as vscode.LanguageModelChatResponse;
      },
    };
    const { out } = await ask('explain', 'and why the key is here', undefined, other);
    assert.strictEqual(fx.chatRequests().length, 0, 'Tandem\'s server is not involved');
    assert.ok(out.text.endsWith('From elsewhere.'));
    const [messages] = received;
    assert.deepStrictEqual(messages.map(m => m.role), [vscode.LanguageModelChatMessageRole.User]);
    const content = messages[0].content.map(p => (p instanceof vscode.LanguageModelTextPart ? p.value : '')).join('');
    assert.ok(!content.includes(SECRET_KEY), 'the selected key went to another vendor');
    assert.match(content, /^You are Tandem/, 'the system prompt opens the message');
    assert.match(content, /and why the key is here/, 'the words after the command go with the task');
  });
});

/** The open Tandem review: its tab's title and the proposed text on the right (read from the preview's provider). */
async function reviewShown(): Promise<{ label: string; proposed: string }> {
  for (const g of vscode.window.tabGroups.all) {
    for (const t of g.tabs) {
      if (t.input instanceof vscode.TabInputTextDiff && t.input.modified.scheme === 'tandem-preview') {
        const doc = await vscode.workspace.openTextDocument(t.input.modified);
        return { label: t.label, proposed: doc.getText() };
      }
    }
  }
  throw new Error('no review is open');
}
