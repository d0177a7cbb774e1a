// The pure parts of # mentions: Quick-Open-like matching, how attachments are framed and cut to fit
// in the request plan, a terminal's output as text, the protocol's new messages, and where a mention
// starts in the question box.
import * as assert from 'assert';
import type { ChatMessage, CodeContext } from '../../src/protocol';
import { parseHostMessage, parseWebviewMessage } from '../../src/protocol';
import { fuzzyFilter, fuzzyScore } from '../../src/core/fuzzy';
import { attachmentMessage, fitAttachments } from '../../src/core/attachments';
import { planRequest } from '../../src/core/requestPlan';
import { keepTail, terminalText } from '../../src/core/terminalText';
import { mentionAt } from '../../src/webview/mentionPicker';

const words = (t: string) => Math.ceil(t.length / 4);
const lines = (n: number, prefix: string) => Array.from({ length: n }, (_, i) => `${prefix} line ${i + 1} of the attachment`).join('\n');
const attached = (mention: CodeContext['mention'], code: string, file = 'x'): CodeContext => ({ file, language: 'text', startLine: 1, endLine: code.split('\n').length, code, mention });
let n = 0;
const user = (text: string, extra: Partial<ChatMessage> = {}): ChatMessage => ({ id: `u${n++}`, role: 'user', text, streaming: false, ...extra });

suite('mentions: fuzzy matching', () => {
  const files = ['src/host/session.ts', 'src/host/settings.ts', 'test/unit/session.test.ts', 'README.md', 'src/webview/composer.ts', 'docs/sessions/notes.md'];

  test('the query\'s letters in order; a match in the file name beats one spread over folders', () => {
    assert.strictEqual(fuzzyScore('zzz', 'src/host/session.ts'), undefined);
    assert.deepStrictEqual(fuzzyFilter('sess', files, f => f, 10).slice(0, 2), ['src/host/session.ts', 'test/unit/session.test.ts']);
    assert.strictEqual(fuzzyFilter('cmp', files, f => f, 1)[0], 'src/webview/composer.ts');
    // "hs" only matches across folders for session.ts (host/session) and not in any file name.
    assert.ok(fuzzyScore('hs', 'src/host/session.ts') !== undefined);
    assert.ok((fuzzyScore('set', 'src/host/settings.ts') ?? 0) > (fuzzyScore('set', 'test/unit/session.test.ts') ?? 0), 'a prefix of the name wins');
  });

  test('an empty query keeps every item in order, up to the limit', () => {
    assert.deepStrictEqual(fuzzyFilter('', files, f => f, 3), files.slice(0, 3));
  });
});

suite('mentions: attachments in the request plan', () => {
  test('each kind is framed under its own heading; files and symbols as code with their place', () => {
    assert.match(attachmentMessage({ file: 'src/a.ts', language: 'typescript', startLine: 3, endLine: 9, code: 'function a() {}', mention: 'symbol' }), /^Attached symbol definition \(#symbol\):\n\nFile: src\/a\.ts \(lines 3-9\), language: typescript\n\n```typescript\nfunction a\(\) \{\}\n```$/);
    assert.strictEqual(attachmentMessage(attached('changes', 'diff --git a/x b/x', 'Working tree changes in repo')), 'Attached working tree changes, staged and unstaged (#changes):\n\nWorking tree changes in repo\n```text\ndiff --git a/x b/x\n```');
    // Chips from before mentions keep their framing.
    assert.match(attachmentMessage({ file: 'b.py', language: 'python', startLine: 1, endLine: 1, code: 'x' }), /^Attached file:/);
  });

  test('fitAttachments cuts the largest first and leaves the small ones whole', () => {
    const small = attached('problems', lines(3, 'p'));
    const big = attached('changes', lines(400, 'd'));
    const { attachments, cuts } = fitAttachments([small, big], 1500, words);
    assert.strictEqual(attachments[0], small);
    assert.deepStrictEqual(cuts.map(c => c.index), [1]);
    assert.ok(cuts[0].keptLines > 10 && cuts[0].keptLines < 400, `kept ${cuts[0].keptLines}`);
    assert.match(attachments[1].code, /… \(truncated: \d+ more lines not sent\)$/);
    const cost = attachments.reduce((s, a) => s + words(`\n\n${attachmentMessage(a)}`), 0);
    assert.ok(cost <= 1500, `cost ${cost}`);
  });

  test('a question whose attachments do not fit is sent with them cut, and a notice names each one', () => {
    const q = user('What broke?', { attachments: [attached('terminal', lines(20, 't'), 'Last command'), attached('changes', lines(3000, 'd'), 'Working tree changes in repo')] });
    const p = planRequest({ system: 'S', messages: [q], contextWindow: 8000, count: words, redactSecrets: true });
    assert.ok(p.fits, 'sent');
    assert.ok(p.trimmed);
    const sent = p.messages[1].content;
    assert.match(sent, /t line 20 of the attachment/, 'the small attachment is whole');
    assert.match(sent, /d line 1 of the attachment/);
    assert.ok(!sent.includes('d line 3000 of'), 'the tail of the large one is left out');
    assert.deepStrictEqual(p.notices.filter(x => x.startsWith('#')), [p.notices.find(x => /^#changes \(Working tree changes in repo\): only the first \d+ of 3000 lines were sent, to fit the context window\.$/.test(x))]);
    assert.ok(p.promptTokens <= 8000 - 2000, `prompt ${p.promptTokens}`);
  });

  test('attachments that fit are sent whole, with no notice', () => {
    const q = user('Explain', { attachments: [attached('file', 'const a = 1;', 'a.ts')] });
    const p = planRequest({ system: 'S', messages: [q], contextWindow: 8000, count: words, redactSecrets: true });
    assert.deepStrictEqual(p.notices, []);
    assert.match(p.messages[1].content, /^Explain\n\nAttached file \(#file\):\n\nFile: a\.ts/);
  });

  test('a secret in an attachment (a mentioned file, terminal output) is redacted', () => {
    const key = ['sk', 'proj', 'Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4z'].join('-');
    const q = user('Why does this fail?', { attachments: [attached('terminal', `$ deploy\nOPENAI_API_KEY=${key}\nerror: 401`, 'Last command')] });
    const p = planRequest({ system: 'S', messages: [q], contextWindow: 8000, count: words, redactSecrets: true });
    assert.ok(!JSON.stringify(p.messages).includes(key));
    assert.match(p.messages[1].content, /OPENAI_API_KEY=\[REDACTED\]/);
  });
});

suite('mentions: terminal output as text', () => {
  test('colours, shell-integration marks and redraws are taken out', () => {
    const raw = '\x1b]633;C\x07\x1b[32mok\x1b[0m 1 passed\r\nprogress 10%\rprogress 100%\r\n\x1b]633;D;0\x07';
    assert.strictEqual(terminalText(raw), 'ok 1 passed\nprogress 100%');
  });

  test('keepTail keeps whole lines at the end', () => {
    assert.deepStrictEqual(keepTail('aaa\nbbb\nccc', 6), { text: 'ccc', dropped: 8 });
    assert.deepStrictEqual(keepTail('short', 10), { text: 'short', dropped: 0 });
  });
});

suite('mentions: protocol and the question box', () => {
  test('mention messages are parsed in depth; anything else is dropped', () => {
    assert.deepStrictEqual(parseWebviewMessage({ type: 'mentionQuery', requestId: 3, kind: 'file', query: 'sam' }), { type: 'mentionQuery', requestId: 3, kind: 'file', query: 'sam' });
    assert.deepStrictEqual(parseWebviewMessage({ type: 'addMention', requestId: 4, kind: 'changes' }), { type: 'addMention', requestId: 4, kind: 'changes' });
    assert.deepStrictEqual(parseWebviewMessage({ type: 'addMention', requestId: 5, kind: 'file', item: 'm1' }), { type: 'addMention', requestId: 5, kind: 'file', item: 'm1' });
    assert.deepStrictEqual(parseWebviewMessage({ type: 'setInstructions', on: false }), { type: 'setInstructions', on: false });
    for (const bad of [
      { type: 'mentionQuery', requestId: 1, kind: 'folder', query: '' },
      { type: 'mentionQuery', requestId: -1, kind: 'file', query: '' },
      { type: 'addMention', requestId: 1, kind: 'file', item: 7 },
      { type: 'addMention', requestId: '1', kind: 'file' },
      { type: 'setInstructions', on: 'no' },
    ]) assert.strictEqual(parseWebviewMessage(bad), undefined, JSON.stringify(bad));
    assert.ok(parseHostMessage({ type: 'mentionItems', requestId: 1, items: [] }));
    assert.strictEqual(parseHostMessage({ type: 'mentionResult', requestId: 1, error: 5 }), undefined);
  });

  test('a mention starts at a # after a space or the start, with a kind and an optional query', () => {
    assert.deepStrictEqual(mentionAt('#', 1), { start: 0, word: '', query: undefined });
    assert.deepStrictEqual(mentionAt('why #fi', 7), { start: 4, word: 'fi', query: undefined });
    assert.deepStrictEqual(mentionAt('see #file:src/a', 15), { start: 4, word: 'file', query: 'src/a' });
    assert.strictEqual(mentionAt('issue#12', 8), undefined, 'not inside a word');
    assert.strictEqual(mentionAt('#file:a b', 9), undefined, 'a space ends it');
  });
});
