// The planner every request goes through (core/requestPlan): what is sent, fitted to the window,
// redacted over every part, alternating roles, and the notices that say so.
import * as assert from 'assert';
import type { ChatMessage, CodeContext } from '../../src/protocol';
import { planRequest, sendableHistory, type PlanInput } from '../../src/core/requestPlan';

// Built at run time so this file does not trip secret scanners.
const KEY = ['sk', 'proj', 'Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4z'].join('-');
const GROQ = 'gsk' + '_' + 'Q1w2E3r4T5y6U7i8O9p0AsDfGhJkL';

let n = 0;
const user = (text: string, context?: CodeContext, extra: Partial<ChatMessage> = {}): ChatMessage => ({ id: `u${n++}`, role: 'user', text, context, streaming: false, ...extra });
const answer = (text: string, extra: Partial<ChatMessage> = {}): ChatMessage => ({ id: `a${n++}`, role: 'assistant', text, streaming: false, ...extra });
const words = (t: string) => Math.ceil(t.length / 4);

function plan(messages: ChatMessage[], over: Partial<PlanInput> = {}) {
  return planRequest({ system: 'S', messages, contextWindow: 8000, count: words, redactSecrets: true, ...over });
}

const ctx = (code: string, over: Partial<CodeContext> = {}): CodeContext => ({ file: 'app.py', language: 'python', startLine: 10, endLine: 12, code, ...over });

suite('core/requestPlan', () => {
  test('every part of every message is redacted: code, lines around it, imports, problems, attachments, earlier turns, system prompt', () => {
    const question = user('Explain this', ctx('client = OpenAI(api_key=API_KEY)', {
      before: `API_KEY = "${KEY}"`,
      after: 'password = "Hunter2x9"',
      imports: [`import os  # token=${GROQ}`],
      diagnostics: [{ line: 11, message: `unused value "${GROQ}"` }],
    }), { attachments: [ctx(`DB_PASSWORD=s3cr3t-value-9`, { file: '.env' })] });
    const history = [user(`my key is ${KEY}`), answer(`Do not share ${KEY}`)];
    const p = plan([...history, question], { system: `Use ${GROQ}` });
    const sent = JSON.stringify(p.messages);
    for (const secret of [KEY, GROQ, 'Hunter2x9', 's3cr3t-value-9']) assert.ok(!sent.includes(secret), `${secret.slice(0, 6)}… leaked`);
    assert.ok(p.redacted >= 7, `${p.redacted} replaced`);
    assert.match(p.notices.join(' '), /secrets? \(.*api-key.*\) replaced with \[REDACTED\]/);
    assert.match(sent, /client = OpenAI\(api_key=API_KEY\)/, 'ordinary code around it is sent as it is');
  });

  test('a secret found once is replaced wherever else it appears, even in prose', () => {
    const p = plan([user('Is Hunter2x9 a good password?', ctx('password = "Hunter2x9"'))]);
    assert.ok(!JSON.stringify(p.messages).includes('Hunter2x9'));
    assert.strictEqual(p.redacted, 2);
  });

  test('with redaction off, nothing is replaced and nothing is said', () => {
    const p = plan([user('q', ctx(`key = "${KEY}"`))], { redactSecrets: false });
    assert.ok(JSON.stringify(p.messages).includes(KEY));
    assert.deepStrictEqual(p.notices, []);
  });

  test('failed or empty exchanges never leave two messages of one role in a row', () => {
    const msgs = [
      user('first'), answer('', { error: { kind: 'auth', message: 'no', actions: [] } }),
      user('second'), answer('fine'),
      user('third'), answer('   '),
      user('fourth'),
    ];
    const roles = plan(msgs).messages.map(m => m.role);
    assert.deepStrictEqual(roles, ['system', 'user', 'assistant', 'user']);
    assert.deepStrictEqual(sendableHistory(msgs).map(m => m.text), ['second', 'fine', 'fourth']);
    // A partial answer that failed still counts: its text was shown and can be continued.
    const partial = plan([user('q1'), answer('half', { error: { kind: 'server', message: 'x', actions: [] } }), user('q2')]);
    assert.deepStrictEqual(partial.messages.map(m => m.role), ['system', 'user', 'assistant', 'user']);
  });

  test('old exchanges are dropped first to fit, with a notice naming the window', () => {
    const long = 'x'.repeat(4000);
    const msgs = [user(long), answer(long), user(long), answer(long), user('now')];
    const p = plan(msgs, { contextWindow: 3000 });
    assert.ok(p.fits);
    assert.ok(p.trimmed);
    assert.ok(p.messages.length < 6);
    assert.strictEqual(p.messages[p.messages.length - 1].content, 'now');
    assert.match(p.notices.join(' '), /earlier exchanges? not sent.*3,000 tokens/);
  });

  test('a question\'s code is cut to fit in the chat, but an edit of it is refused whole, with its size and the room', () => {
    const code = Array.from({ length: 2000 }, (_, i) => `line_${i} = ${i}`).join('\n');
    const chat = plan([user('Explain', ctx(code))], { contextWindow: 4000 });
    assert.ok(chat.fits);
    assert.match(chat.notices.join(' '), /Only the first \d+ of 2000 selected lines were sent/);
    const edit = plan([user('Fix', ctx(code))], { contextWindow: 4000, wholeCode: true });
    assert.strictEqual(edit.fits, false);
    assert.ok(edit.tooLarge && edit.tooLarge.codeTokens > edit.tooLarge.roomTokens, JSON.stringify(edit.tooLarge));
  });

  test('the lines around the code and the imports count against the window', () => {
    const around = 'y'.repeat(3000);
    const withAround = plan([user('Fix', ctx('a = 1', { before: around, after: around }))], { contextWindow: 2000, wholeCode: true });
    const without = plan([user('Fix', ctx('a = 1'))], { contextWindow: 2000, wholeCode: true });
    assert.ok(withAround.promptTokens > without.promptTokens + 1000, `${withAround.promptTokens} vs ${without.promptTokens}`);
  });

  test('continue sends the partial answer and asks to go on', () => {
    const p = plan([user('q')], { continueFrom: 'half an ans' });
    assert.deepStrictEqual(p.messages.slice(-2).map(m => m.role), ['assistant', 'user']);
    assert.strictEqual(p.messages[p.messages.length - 2].content, 'half an ans');
  });

  test('a system prompt and question that cannot fit say so instead of being cut', () => {
    const p = plan([user('q'.repeat(40000))], { contextWindow: 1000 });
    assert.strictEqual(p.fits, false);
  });
});
