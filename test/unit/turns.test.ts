// Conversations that arrive as turns (VS Code's language-model API): core/requestPlan's planTurns fits
// and redacts them, and the llm layer sends tools, tool calls and tool results in the API's shape and
// assembles streamed tool calls by index.
import * as assert from 'assert';
import { FakeOpenAI } from '../fixtures/fakeOpenAI';
import { planTurns, type Turn } from '../../src/core/requestPlan';
import { requestBody, streamChat, ToolCallAssembler } from '../../src/llm/stream';
import type { ChatRequest, ToolCall } from '../../src/llm/types';

// Built at run time so this file does not trip secret scanners.
const KEY = ['sk', 'proj', 'Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4z'].join('-');
const words = (t: string) => Math.ceil(t.length / 4);

suite('core/requestPlan: planTurns', () => {
  test('redacts every turn: text, tool-call arguments, tool results, and a value found once wherever it appears', () => {
    const turns: Turn[] = [
      { role: 'system', content: 'You help.' },
      { role: 'user', content: `config: OPENAI_API_KEY="${KEY}"` },
      { role: 'assistant', content: '', toolCalls: [{ id: 'c1', name: 'write', arguments: JSON.stringify({ text: `key ${KEY}` }) }] },
      { role: 'tool', toolCallId: 'c1', content: `wrote ${KEY}` },
      { role: 'user', content: 'password = "Hunter2x9"; is Hunter2x9 strong?' },
    ];
    const p = planTurns({ turns, contextWindow: 8000, count: words, redactSecrets: true });
    const sent = JSON.stringify(p.messages);
    assert.ok(!sent.includes(KEY), sent);
    assert.ok(!sent.includes('Hunter2x9'), sent);
    assert.ok(p.redacted >= 5, `${p.redacted}`);
    assert.match(p.notices.join(' '), /replaced with \[REDACTED\]/);
    assert.deepStrictEqual(p.messages.map(m => m.role), ['system', 'user', 'assistant', 'tool', 'user']);
    assert.strictEqual(p.messages[3].toolCallId, 'c1');
    // The input is left as it was.
    assert.ok(turns[1].content.includes(KEY));
  });

  test('drops the oldest exchanges to fit, keeps system turns and the last exchange with its tool calls whole', () => {
    const big = 'word '.repeat(400); // about 500 tokens by `words`
    const turns: Turn[] = [
      { role: 'system', content: 'S' },
      { role: 'user', content: `old ${big}` },
      { role: 'assistant', content: `old answer ${big}` },
      { role: 'user', content: 'question' },
      { role: 'assistant', content: '', toolCalls: [{ id: 'c1', name: 'read', arguments: '{}' }] },
      { role: 'tool', toolCallId: 'c1', content: big },
    ];
    const p = planTurns({ turns, contextWindow: 1200, maxTokens: 200, count: words, redactSecrets: false });
    assert.ok(p.fits);
    assert.ok(p.trimmed);
    assert.deepStrictEqual(p.messages.map(m => m.role), ['system', 'user', 'assistant', 'tool']);
    assert.match(p.notices[0], /1 earlier exchange not sent/);
    const tight = planTurns({ turns, contextWindow: 400, maxTokens: 200, count: words, redactSecrets: false });
    assert.strictEqual(tight.fits, false, 'the last exchange alone does not fit: the caller is told');
  });
});

suite('llm: tools on the wire', () => {
  test('tools, tool calls and tool results in the API\'s shape', () => {
    const req: ChatRequest = {
      baseUrl: 'http://127.0.0.1:1/v1', apiKey: undefined, model: 'gpt-4.1-mini',
      messages: [
        { role: 'user', content: 'Q' },
        { role: 'assistant', content: '', toolCalls: [{ id: 'c1', name: 'read', arguments: '{"path":"a"}' }] },
        { role: 'tool', toolCallId: 'c1', content: 'file text' },
      ],
      tools: [{ name: 'read', description: 'Reads a file.', parameters: { type: 'object' } }],
      toolChoice: 'required',
    };
    const b = requestBody(req);
    assert.deepStrictEqual(b.messages, [
      { role: 'user', content: 'Q' },
      { role: 'assistant', content: null, tool_calls: [{ id: 'c1', type: 'function', function: { name: 'read', arguments: '{"path":"a"}' } }] },
      { role: 'tool', tool_call_id: 'c1', content: 'file text' },
    ]);
    assert.deepStrictEqual(b.tools, [{ type: 'function', function: { name: 'read', description: 'Reads a file.', parameters: { type: 'object' } } }]);
    assert.strictEqual(b.tool_choice, 'required');
    assert.strictEqual(requestBody({ ...req, tools: undefined }).tools, undefined);
  });

  test('the assembler joins deltas by index, reports a call when the next starts, names calls without an id', () => {
    const done: ToolCall[] = [];
    const a = new ToolCallAssembler(c => done.push(c));
    a.add({ index: 0, id: 'x', function: { name: 'get_', arguments: '{"a"' } });
    a.add({ index: 0, function: { name: 'weather', arguments: ':1}' } });
    assert.strictEqual(done.length, 0, 'not reported before its last delta');
    a.add({ index: 1, function: { name: 'now', arguments: '' } });
    assert.deepStrictEqual(done, [{ id: 'x', name: 'get_weather', arguments: '{"a":1}' }]);
    a.flush(true);
    assert.deepStrictEqual(done[1], { id: 'call_1', name: 'now', arguments: '' });
    // Without `index`, a new id starts a new call.
    const b = new ToolCallAssembler(undefined);
    b.add({ id: 'p', function: { name: 'one', arguments: '{"x":' } });
    b.add({ function: { arguments: '1}' } });
    b.add({ id: 'q', function: { name: 'two', arguments: '{}' } });
    assert.deepStrictEqual(b.all(), [{ id: 'p', name: 'one', arguments: '{"x":1}' }, { id: 'q', name: 'two', arguments: '{}' }]);
  });

  suite('against the fixture server', () => {
    const fx = new FakeOpenAI();
    suiteSetup(() => fx.start().then(() => undefined));
    suiteTeardown(() => fx.stop());
    setup(() => fx.reset());

    test('a streamed tool call is reported once, whole, and counts against the size cap', async () => {
      const chunk = (d: object, finish: string | null = null) => JSON.stringify({ id: 'c', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [{ index: 0, delta: d, finish_reason: finish }] });
      const args = JSON.stringify({ query: 'a'.repeat(60) });
      const events = [
        chunk({ tool_calls: [{ index: 0, id: 'call_1', type: 'function', function: { name: 'search', arguments: '' } }] }),
        ...(args.match(/.{1,5}/g) ?? []).map(p => chunk({ tool_calls: [{ index: 0, function: { arguments: p } }] })),
        chunk({}, 'tool_calls'),
      ];
      fx.script({ rawEvents: events });
      const calls: ToolCall[] = [];
      const r = await streamChat({ baseUrl: fx.baseUrl, apiKey: undefined, model: 'm', messages: [{ role: 'user', content: 'Q' }] }, { onDelta: () => undefined, onToolCall: c => calls.push(c) }, new AbortController().signal);
      assert.deepStrictEqual(calls, [{ id: 'call_1', name: 'search', arguments: args }]);
      assert.deepStrictEqual(r.toolCalls, calls);
      assert.strictEqual(r.finishReason, 'tool_calls');

      fx.script({ rawEvents: events });
      const capped = await streamChat({ baseUrl: fx.baseUrl, apiKey: undefined, model: 'm', messages: [{ role: 'user', content: 'Q' }] }, { onDelta: () => undefined }, new AbortController().signal, { maxChars: 20 });
      assert.strictEqual(capped.cut, 'size');
    });
  });
});
