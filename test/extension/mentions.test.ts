// # mentions and project instructions in the real VS Code, against the loopback server: every mention
// kind attaches what its chip says and nothing more, stored with the question (Regenerate sends the
// same), secrets in it redacted; project instructions go into the system prompt, redacted, off per
// conversation and by the setting.
import * as assert from 'assert';
import * as cp from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import type { TandemApi } from '../../src/extension';
import type { ChatMessage, ContextChip, HostMessage, MentionItem, MentionKind } from '../../src/protocol';
import { attachmentMessage } from '../../src/core/attachments';
import { estimateTokens, tokenFamily } from '../../src/core/tokens';
import { FakeOpenAI } from '../fixtures/fakeOpenAI';
import { lastConversation, setSettings, sleep, tandem, useFixture, waitFor, workspaceFile } from './helpers';

/** Polls an async check until it gives a value (bounded). */
async function until<T>(what: string, check: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(200);
  }
}

// Built at run time so this file does not trip secret scanners.
const KEY = ['sk', 'proj', 'Mn7bVc5xZa3sDf1gHj9kLp8oIu6yTr4e'].join('-');
const GITHUB = 'ghp' + '_' + '9z8Y7x6W5v4U3t2S1r0Q9p8O7n6M5l4K3j2I';

type Body = { messages: { role: string; content: string }[] };

suite('# mentions and project instructions', function () {
  this.timeout(90000);
  const fx = new FakeOpenAI({ models: ['test-model'] });
  let api: TandemApi;
  let requestId = 0;
  useFixture(fx);

  suiteSetup(async () => {
    api = await tandem();
    assert.ok(api.viewIntent && api.viewChips, 'the test hooks exist outside production');
  });
  setup(async () => {
    fx.reset();
    await setSettings({ baseUrl: fx.baseUrl, model: 'test-model', contextWindow: undefined, projectInstructions: undefined });
    await api.viewIntent?.({ type: 'newConversation' });
  });

  async function query(kind: MentionKind, q: string): Promise<MentionItem[]> {
    const reply = await api.viewIntent?.({ type: 'mentionQuery', requestId: ++requestId, kind, query: q }) as Extract<HostMessage, { type: 'mentionItems' }>;
    assert.strictEqual(reply?.type, 'mentionItems');
    return reply.items;
  }

  /** Attaches a mention; resolves to its chip, or fails with the host's reason. */
  async function mention(kind: MentionKind, item?: string): Promise<ContextChip> {
    const before = new Set(api.viewChips?.().map(c => c.id));
    const reply = await api.viewIntent?.({ type: 'addMention', requestId: ++requestId, kind, ...(item ? { item } : {}) }) as Extract<HostMessage, { type: 'mentionResult' }>;
    assert.strictEqual(reply?.type, 'mentionResult');
    assert.strictEqual(reply.error, undefined, `#${kind} was refused: ${reply.error}`);
    const chip = api.viewChips?.().find(c => !before.has(c.id));
    assert.ok(chip, `a chip for #${kind}`);
    assert.strictEqual(chip.kind, kind);
    return chip;
  }

  async function refusal(kind: MentionKind, item?: string): Promise<string> {
    const reply = await api.viewIntent?.({ type: 'addMention', requestId: ++requestId, kind, ...(item ? { item } : {}) }) as Extract<HostMessage, { type: 'mentionResult' }>;
    assert.ok(reply?.error, `#${kind} should have been refused`);
    return reply.error;
  }

  /** Asks with only these chips; returns the question as stored and the one request's messages. */
  async function ask(text: string, chips: ContextChip[]): Promise<{ question: ChatMessage; body: Body }> {
    fx.script({ text: 'Noted.' });
    await api.viewIntent?.({ type: 'ask', text, chips: chips.map(c => c.id) });
    const requests = fx.chatRequests();
    assert.strictEqual(requests.length, 1, 'one request');
    const messages = lastConversation(api).messages;
    const question = messages[messages.length - 2];
    assert.strictEqual(question.role, 'user');
    return { question, body: requests[0].body as Body };
  }

  /**
   * The request carries the question and exactly what the chip describes: the user message is the
   * question followed by the stored attachment, whose estimated size is the chip's.
   */
  function assertSentAsChip(question: ChatMessage, body: Body, chip: ContextChip, redacted: (text: string) => string = t => t): void {
    assert.deepStrictEqual(body.messages.map(m => m.role), ['system', 'user']);
    const stored = question.attachments ?? [];
    assert.strictEqual(stored.length, 1, 'one attachment is stored with the question');
    assert.strictEqual(question.context, undefined, 'no other code went with it');
    const sent = attachmentMessage(stored[0]);
    assert.strictEqual(body.messages[1].content, redacted(`${question.text}\n\n${sent}`));
    assert.strictEqual(chip.tokens, estimateTokens(sent, tokenFamily('test-model')), 'the chip shows the size of what is sent');
  }

  async function regenerateSendsTheSame(): Promise<void> {
    const first = JSON.stringify(fx.chatRequests()[0].body);
    const answer = lastConversation(api).messages.at(-1);
    assert.ok(answer);
    fx.script({ text: 'Again.' });
    await api.viewIntent?.({ type: 'regenerate', messageId: answer.id });
    assert.strictEqual(JSON.stringify(fx.chatRequests()[1].body), first, 'Regenerate sends exactly what was sent');
  }

  test('#file: found by a fuzzy name, attached whole with its secret redacted; Regenerate sends the same', async () => {
    const content = `export const db = {\n  host: 'db.internal',\n  apiKey: '${KEY}',\n};\n`;
    fs.writeFileSync(workspaceFile('mention-secrets.ts').fsPath, content);
    const items = await until('the new file in the list', () => query('file', 'mntnsecr').then(i => i.some(x => x.detail === 'mention-secrets.ts') ? i : undefined), 15000);
    const item = items.find(i => i.detail === 'mention-secrets.ts');
    assert.ok(item && !item.disabled);
    assert.strictEqual(items[0].detail, 'mention-secrets.ts', 'the best match first');
    const chip = await mention('file', item.id);
    assert.strictEqual(chip.label, '#file mention-secrets.ts');
    assert.match(chip.note ?? '', /1 secret\(s\) will be replaced with \[REDACTED\]/);
    const { question, body } = await ask('What is in this file?', [chip]);
    assert.strictEqual(question.attachments?.[0].code, content.replace(/\n$/, '') + '\n', 'stored as read');
    assert.deepStrictEqual(question.attachments?.[0].notes, [chip.note], 'the question lists it with the chip\'s note');
    assertSentAsChip(question, body, chip, t => t.replace(KEY, '[REDACTED]'));
    assert.ok(!JSON.stringify(body).includes(KEY), 'the secret never left');
    await regenerateSendsTheSame();
  });

  test('#file: a large file and a binary file are refused with the reason', async () => {
    fs.writeFileSync(workspaceFile('mention-large.txt').fsPath, 'x'.repeat(600 * 1024));
    fs.writeFileSync(workspaceFile('mention-blob.dat').fsPath, Buffer.from([0x50, 0x4b, 0x03, 0x04, 0, 0, 0, 1, 2, 3]));
    const large = await until('the large file', () => query('file', 'mention-large').then(i => i.find(x => x.detail === 'mention-large.txt')), 15000);
    assert.match(large.disabled ?? '', /600 KB, larger than the 512 KB Tandem attaches/);
    assert.match(await refusal('file', large.id), /mention-large\.txt was not attached: 600 KB, larger than/);
    const blob = (await query('file', 'mention-blob')).find(x => x.detail === 'mention-blob.dat');
    assert.ok(blob);
    assert.match(await refusal('file', blob.id), /mention-blob\.dat was not attached: it is a binary file/);
    assert.match(await refusal('file', 'm-unknown'), /no longer offered/, 'an id the host did not hand out attaches nothing');
  });

  test('#symbol: a workspace symbol attaches its whole definition (from the document\'s outline) and nothing around it', async () => {
    // A language server of the test's own, so the test does not wait for the TypeScript server to load
    // a project: like most servers, its workspace symbols locate only the name, its outline the whole definition.
    const file = workspaceFile('mention-symbols.mql');
    fs.writeFileSync(file.fsPath, [
      'let before = 1',
      'fn connectMentionDb(retries) {',
      `  token = "${GITHUB}"`,
      '  return token + retries',
      '}',
      'let after = 2',
      '',
    ].join('\n'));
    const name = new vscode.Range(1, 3, 1, 19);
    const whole = new vscode.Range(1, 0, 4, 1);
    const providers = [
      vscode.languages.registerWorkspaceSymbolProvider({
        provideWorkspaceSymbols: q => 'connectMentionDb'.toLowerCase().includes(q.toLowerCase())
          ? [new vscode.SymbolInformation('connectMentionDb', vscode.SymbolKind.Function, 'mention-symbols', new vscode.Location(file, name))]
          : [],
      }),
      vscode.languages.registerDocumentSymbolProvider({ pattern: '**/*.mql' }, {
        provideDocumentSymbols: () => [new vscode.DocumentSymbol('connectMentionDb', '', vscode.SymbolKind.Function, whole, name)],
      }),
    ];
    // VS Code answers workspace symbols when every provider has: the TypeScript server, still loading a
    // project on this busy machine, would hold the answer back (the picker then says the servers did not
    // answer in time). Its syntax-only mode offers no workspace symbols, so only the test's server answers.
    const ts = vscode.workspace.getConfiguration('typescript.tsserver');
    await ts.update('useSyntaxServer', 'always', vscode.ConfigurationTarget.Global);
    try {
      const items = await until('the symbol from the test\'s server alone', () => query('symbol', 'connectMention').then(i => i.some(x => x.label === 'connectMentionDb') ? i : undefined), 30000);
      const item = items.find(x => x.label === 'connectMentionDb');
      assert.ok(item, JSON.stringify(items));
      assert.match(item.detail ?? '', /^Function in mention-symbols · mention-symbols\.mql:2$/);
      const chip = await mention('symbol', item.id);
      assert.strictEqual(chip.label, '#symbol connectMentionDb');
      const { question, body } = await ask('Is this safe?', [chip]);
      const a = question.attachments?.[0];
      assert.strictEqual(a?.startLine, 2);
      assert.strictEqual(a?.endLine, 5);
      assert.ok(!body.messages[1].content.includes('before = 1') && !body.messages[1].content.includes('after = 2'), 'only the definition');
      assertSentAsChip(question, body, chip, t => t.replace(GITHUB, '[REDACTED]'));
    } finally {
      providers.forEach(p => p.dispose());
      await ts.update('useSyntaxServer', undefined, vscode.ConfigurationTarget.Global);
    }
  });

  test('#problems: the current file\'s problems with their lines; the workspace\'s on request', async () => {
    const diagnostics = vscode.languages.createDiagnosticCollection('mention-test');
    try {
      const a = workspaceFile('sample.ts');
      const b = workspaceFile('config.ts');
      const loop = new vscode.Diagnostic(new vscode.Range(3, 2, 3, 40), 'Loop reads past the end of values', vscode.DiagnosticSeverity.Error);
      loop.source = 'mention-test';
      diagnostics.set(a, [loop]);
      diagnostics.set(b, [new vscode.Diagnostic(new vscode.Range(3, 2, 3, 9), 'Hard-coded key', vscode.DiagnosticSeverity.Warning)]);
      await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(a));
      const scopes = await query('problems', '');
      assert.deepStrictEqual(scopes.map(s => s.label), ['Current file: sample.ts', 'Whole workspace']);
      const chip = await mention('problems', scopes[0].id);
      const { question, body } = await ask('Fix these', [chip]);
      assertSentAsChip(question, body, chip);
      assert.match(body.messages[1].content, /sample\.ts:4:3 error: Loop reads past the end of values \(mention-test\)\n {4}4 \| for \(let i = 0; i <= values\.length; i\+\+\) \{/);
      assert.ok(!body.messages[1].content.includes('Hard-coded key'), 'not another file\'s');

      fx.reset();
      await api.viewIntent?.({ type: 'newConversation' });
      const all = await query('problems', '');
      const wide = await mention('problems', all[1].id);
      const second = await ask('And everywhere?', [wide]);
      assert.match(second.body.messages[1].content, /Loop reads past the end/);
      assert.match(second.body.messages[1].content, /config\.ts:4:3 warning: Hard-coded key/);
    } finally {
      diagnostics.dispose();
    }
  });

  test('#changes: without Git a clear message; with a repository the staged and unstaged diff, secrets redacted', async () => {
    const root = path.dirname(workspaceFile('sample.ts').fsPath);
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(workspaceFile('sample.ts')));
    // The test workbench starts with "git.enabled": false.
    assert.match(await refusal('changes'), /Git is turned off in VS Code \("git\.enabled" is false\)/);
    const saved = ['sample.ts', 'config.ts'].map(f => [f, fs.readFileSync(path.join(root, f), 'utf8')] as const);
    const git = (...args: string[]) => cp.execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.invalid', ...args], { cwd: root });
    git('init', '-q');
    git('add', 'sample.ts', 'config.ts');
    git('commit', '-q', '-m', 'base');
    try {
      fs.appendFileSync(path.join(root, 'sample.ts'), 'export const unstagedMarker = 1;\n');
      fs.appendFileSync(path.join(root, 'config.ts'), `export const stagedToken = '${GITHUB}';\n`);
      git('add', 'config.ts');
      await vscode.workspace.getConfiguration('git').update('enabled', true, vscode.ConfigurationTarget.Global);
      // The Git extension opens the repository after it is enabled.
      const chip = await until('the Git extension to open the repository', async () => {
        const reply = await api.viewIntent?.({ type: 'addMention', requestId: ++requestId, kind: 'changes' }) as Extract<HostMessage, { type: 'mentionResult' }>;
        return reply.error === undefined ? api.viewChips?.().find(c => c.kind === 'changes') : undefined;
      }, 30000);
      assert.match(chip.label, /^#changes Working tree changes in /);
      // The one staged, and the fake key config.ts already had, shown as context of the diff.
      assert.match(chip.note ?? '', /2 secret\(s\)/);
      const { question, body } = await ask('Review my changes', [chip]);
      assertSentAsChip(question, body, chip, t => t.replace(GITHUB, '[REDACTED]').replace(/sk-proj-FAKE\w+/, '[REDACTED]'));
      const sent = body.messages[1].content;
      assert.match(sent, /# Staged changes\n(.|\n)*\+export const stagedToken = '\[REDACTED\]';/);
      assert.match(sent, /# Unstaged changes\n(.|\n)*\+export const unstagedMarker = 1;/);
    } finally {
      await vscode.workspace.getConfiguration('git').update('enabled', undefined, vscode.ConfigurationTarget.Global);
      fs.rmSync(path.join(root, '.git'), { recursive: true, force: true });
      for (const [f, text] of saved) fs.writeFileSync(path.join(root, f), text);
    }
  });

  test('#selection: the editor\'s selected lines, nothing else of the file', async () => {
    const doc = await vscode.workspace.openTextDocument(workspaceFile('sample.ts'));
    const editor = await vscode.window.showTextDocument(doc);
    editor.selection = new vscode.Selection(9, 0, 11, 1);
    const chip = await mention('selection');
    assert.strictEqual(chip.label, '#selection sample.ts:10-12');
    const { question, body } = await ask('Explain', [chip]);
    assertSentAsChip(question, body, chip);
    assert.match(body.messages[1].content, /export function greet/);
    assert.ok(!body.messages[1].content.includes('average'), 'not the rest of the file');
    editor.selection = new vscode.Selection(0, 0, 0, 0);
    assert.match(await refusal('selection'), /Nothing is selected in an editor/);
  });

  test('#terminal: the last command and its output through shell integration, a secret in the output redacted', async () => {
    const terminal = vscode.window.createTerminal({ name: 'mention-test', shellPath: '/bin/bash' });
    try {
      terminal.show();
      const integration = await until('shell integration in the terminal', async () => terminal.shellIntegration, 30000);
      fx.reset();
      const ended = new Promise<void>(resolve => {
        const sub = vscode.window.onDidEndTerminalShellExecution(e => {
          if (e.terminal !== terminal) return;
          sub.dispose();
          resolve();
        });
      });
      // VS Code hands over a command's output from when the extension starts reading it, on the start
      // event: a command that ends within milliseconds can be over by then, so this one waits a moment.
      integration.executeCommand(`sleep 1; echo "deploy failed"; echo "OPENAI_API_KEY=${KEY}"; echo "exit-marker"`);
      await ended;
      const chip = await until('the command\'s output', async () => {
        const reply = await api.viewIntent?.({ type: 'addMention', requestId: ++requestId, kind: 'terminal' }) as Extract<HostMessage, { type: 'mentionResult' }>;
        return reply.error === undefined ? api.viewChips?.().find(c => c.kind === 'terminal') : undefined;
      }, 10000);
      assert.strictEqual(chip.label, '#terminal Last command in terminal "mention-test"');
      assert.match(chip.note ?? '', /secret\(s\) will be replaced with \[REDACTED\]/);
      const { question, body } = await ask('Why did it fail?', [chip]);
      assertSentAsChip(question, body, chip, t => t.split(KEY).join('[REDACTED]'));
      const sent = body.messages[1].content;
      assert.match(sent, /\$ sleep 1; echo "deploy failed"; echo "OPENAI_API_KEY=\[REDACTED\]"; echo "exit-marker" \(exit code 0\)\ndeploy failed\nOPENAI_API_KEY=\[REDACTED\]\nexit-marker/);
      assert.ok(!JSON.stringify(body).includes(KEY), 'the secret never left');
    } finally {
      terminal.dispose();
    }
  });

  test('#terminal without shell integration: the text selected in the terminal, a secret in it redacted', async () => {
    // dash has no shell integration: the selection is the fallback.
    const terminal = vscode.window.createTerminal({ name: 'plain-sh', shellPath: '/bin/sh' });
    try {
      terminal.show();
      await waitFor('the terminal to be active', () => vscode.window.activeTerminal === terminal);
      terminal.sendText(`echo "selected-output token=${GITHUB}"`);
      // Selected as a user would (Select All), once the output is on screen.
      await until('the output on screen', async () => {
        await vscode.commands.executeCommand('workbench.action.terminal.selectAll');
        await vscode.commands.executeCommand('workbench.action.terminal.copySelection');
        return /\nselected-output token=/.test(await vscode.env.clipboard.readText()) ? true : undefined;
      }, 20000);
      const chip = await mention('terminal');
      assert.match(chip.label, /^#terminal Text selected in terminal "plain-sh"$/);
      const { question, body } = await ask('What is this?', [chip]);
      assertSentAsChip(question, body, chip, t => t.split(GITHUB).join('[REDACTED]'));
      assert.match(body.messages[1].content, /\nselected-output token=\[REDACTED\]/);
      assert.ok(!JSON.stringify(body).includes(GITHUB));
    } finally {
      terminal.dispose();
    }
  });

  test('#terminal: no terminal, and a terminal without shell integration or selection, say what to do', async () => {
    for (const t of vscode.window.terminals) t.dispose();
    await waitFor('no terminal', () => vscode.window.terminals.length === 0);
    assert.match(await refusal('terminal'), /No terminal is open/);
    // A terminal that is not a shell has no shell integration.
    const writeEmitter = new vscode.EventEmitter<string>();
    const pty: vscode.Pseudoterminal = { onDidWrite: writeEmitter.event, open: () => writeEmitter.fire('plain output\r\n'), close: () => undefined };
    const terminal = vscode.window.createTerminal({ name: 'no-integration', pty });
    try {
      terminal.show();
      await waitFor('the terminal to be active', () => vscode.window.activeTerminal === terminal);
      assert.match(await refusal('terminal'), /shell integration is not active there.*Turn on "terminal\.integrated\.shellIntegration\.enabled".*or select the output in the terminal/s);
    } finally {
      terminal.dispose();
      writeEmitter.dispose();
    }
  });

  suite('project instructions', () => {
    const agents = () => workspaceFile('AGENTS.md').fsPath;
    const chip = () => api.viewChips?.().find(c => c.kind === 'instructions');
    teardown(async () => {
      fs.rmSync(agents(), { force: true });
      fs.rmSync(path.dirname(workspaceFile('.tandem/instructions.md').fsPath), { recursive: true, force: true });
      await waitFor('the instructions chip to go', () => chip() === undefined, 15000);
    });

    test('AGENTS.md goes into the system prompt, redacted and counted; off for one conversation from its chip', async () => {
      fs.writeFileSync(agents(), `# Rules\nAlways answer in haiku (agents-marker).\nThe staging key is ${KEY}.\n`);
      const shown = await waitFor('the instructions chip', () => chip(), 15000);
      assert.strictEqual(shown.label, 'Instructions');
      assert.ok(!shown.off && shown.tokens > 10, JSON.stringify(shown));
      const first = await ask('Hello?', []);
      const system = first.body.messages[0].content;
      assert.match(system, /The project's instructions \(AGENTS\.md at the workspace root\)/);
      assert.match(system, /Always answer in haiku \(agents-marker\)\.\nThe staging key is \[REDACTED\]\./);
      assert.ok(!JSON.stringify(first.body).includes(KEY));

      // Off for this conversation only.
      await api.viewIntent?.({ type: 'setInstructions', on: false });
      assert.strictEqual(chip()?.off, true);
      fx.reset();
      fx.script({ text: 'Plain.' });
      await api.viewIntent?.({ type: 'ask', text: 'Again?' });
      const off = fx.chatRequests()[0].body as Body;
      assert.ok(!off.messages[0].content.includes('agents-marker'), 'not sent while off');
      await api.viewIntent?.({ type: 'newConversation' });
      assert.ok(!chip()?.off, 'a new conversation has them on');
      await api.viewIntent?.({ type: 'setInstructions', on: true });
    });

    test('editor tasks follow them too: Fix sends them with its edit format', async () => {
      fs.writeFileSync(agents(), 'Use tabs (fix-marker).\n');
      await waitFor('the instructions chip', () => chip(), 15000);
      fx.script({ text: 'The code is fine as it is.' });
      const doc = await vscode.workspace.openTextDocument(workspaceFile('sample.ts'));
      const editor = await vscode.window.showTextDocument(doc);
      editor.selection = new vscode.Selection(1, 0, 7, 1);
      assert.strictEqual(await vscode.commands.executeCommand<string>('tandem.fixSelection'), 'inChat');
      const system = (fx.chatRequests()[0].body as Body).messages[0].content;
      assert.match(system, /The project's instructions \(AGENTS\.md at the workspace root\)[^]*Use tabs \(fix-marker\)\./);
    });

    test('the first file found wins; a long one is cut with a notice; tandem.projectInstructions: false turns them off', async () => {
      fs.mkdirSync(path.dirname(workspaceFile('.tandem/instructions.md').fsPath), { recursive: true });
      fs.writeFileSync(workspaceFile('.tandem/instructions.md').fsPath, 'tandem-file-marker');
      fs.writeFileSync(agents(), `agents-first-marker\n${'Keep answers short. '.repeat(1000)}`);
      await waitFor('the instructions chip', () => chip()?.note, 15000);
      assert.match(chip()?.note ?? '', /AGENTS\.md is 20,019 characters long: only its first 16,000 are sent\./);
      const { body } = await ask('Hi', []);
      const system = body.messages[0].content;
      assert.match(system, /agents-first-marker/);
      assert.ok(!system.includes('tandem-file-marker'), 'only the first file');
      assert.ok(system.length < 16_000 + 1000, `system prompt of ${system.length} characters`);
      const answer = lastConversation(api).messages.at(-1);
      assert.ok(answer?.notices?.some(n => /only its first 16,000 are sent/.test(n)), JSON.stringify(answer?.notices));

      await setSettings({ projectInstructions: false });
      await waitFor('the chip to go with the setting off', () => chip() === undefined, 15000);
      fx.reset();
      fx.script({ text: 'Plain.' });
      await api.viewIntent?.({ type: 'ask', text: 'And now?' });
      assert.ok(!(fx.chatRequests()[0].body as Body).messages[0].content.includes('agents-first-marker'), 'not sent with the setting off');
      await setSettings({ projectInstructions: undefined });
    });
  });
});
