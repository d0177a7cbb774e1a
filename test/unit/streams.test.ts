// Recorded streams of several servers, replayed through streamChat (the openai SDK's SSE parser and our
// chunk handling) split at every byte boundary: the text and usage must come out the same every time.
import * as assert from 'assert';
import { streamChat } from '../../src/llm/stream';
import type { ChatRequest, StreamResult } from '../../src/llm/types';

const enc = new TextEncoder();
const sse = (events: unknown[], opts: { eol?: string; done?: boolean } = {}): Uint8Array => {
  const eol = opts.eol ?? '\n';
  const lines = events.map(e => `data: ${typeof e === 'string' ? e : JSON.stringify(e)}${eol}${eol}`);
  if (opts.done !== false) lines.push(`data: [DONE]${eol}${eol}`);
  return enc.encode(lines.join(''));
};

const chunk = (content: string | undefined, extra: Record<string, unknown> = {}, finish: string | null = null) => ({
  id: 'chatcmpl-rec', object: 'chat.completion.chunk', created: 1732000000, model: 'm',
  choices: [{ index: 0, delta: content === undefined ? {} : { content }, logprobs: null, finish_reason: finish }],
  ...extra,
});

interface Recorded {
  name: string;
  bytes: Uint8Array;
  text: string;
  usage?: { promptTokens: number; completionTokens: number };
  finish: string;
}

const TEXT = 'Hello 👋 wörld — 你好, ```ts\nconst x = 1;\n```';
const pieces = ['Hello ', '👋 w', 'örld — ', '你好, ', '```ts\nconst x', ' = 1;\n```'];

const RECORDED: Recorded[] = [
  {
    name: 'OpenAI (role chunk, usage-only chunk with empty choices)',
    bytes: sse([
      { ...chunk(undefined), choices: [{ index: 0, delta: { role: 'assistant', content: '', refusal: null }, logprobs: null, finish_reason: null }], usage: null },
      ...pieces.map(p => ({ ...chunk(p), usage: null })),
      { ...chunk(undefined, {}, 'stop'), usage: null },
      { id: 'chatcmpl-rec', object: 'chat.completion.chunk', created: 1732000000, model: 'm', choices: [], usage: { prompt_tokens: 19, completion_tokens: 12, total_tokens: 31 } },
    ]),
    text: TEXT,
    usage: { promptTokens: 19, completionTokens: 12 },
    finish: 'stop',
  },
  {
    name: 'Azure OpenAI (prompt_filter_results first, choices without delta)',
    bytes: sse([
      { choices: [], created: 0, id: '', model: '', object: '', prompt_filter_results: [{ prompt_index: 0, content_filter_results: { hate: { filtered: false, severity: 'safe' } } }] },
      ...pieces.map(p => chunk(p, {}, null)).map(c => ({ ...c, choices: [{ ...c.choices[0], content_filter_results: { hate: { filtered: false, severity: 'safe' } } }] })),
      { id: 'chatcmpl-rec', object: 'chat.completion.chunk', created: 1, model: 'gpt-4o', choices: [{ index: 0, finish_reason: 'stop', content_filter_results: {} }] },
    ]),
    text: TEXT,
    finish: 'stop',
  },
  {
    name: 'Ollama (system_fingerprint, empty final delta)',
    bytes: sse([
      ...pieces.map(p => ({ id: 'chatcmpl-123', object: 'chat.completion.chunk', created: 1, model: 'llama3.1:8b', system_fingerprint: 'fp_ollama', choices: [{ index: 0, delta: { role: 'assistant', content: p }, finish_reason: null }] })),
      { id: 'chatcmpl-123', object: 'chat.completion.chunk', created: 1, model: 'llama3.1:8b', system_fingerprint: 'fp_ollama', choices: [{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: 'stop' }] },
    ]),
    text: TEXT,
    finish: 'stop',
  },
  {
    name: 'vLLM (usage on the last chunk with a choice)',
    bytes: sse([
      ...pieces.map(p => chunk(p)),
      { ...chunk('', {}, 'length'), usage: { prompt_tokens: 7, completion_tokens: 6, total_tokens: 13 } },
    ]),
    text: TEXT,
    usage: { promptTokens: 7, completionTokens: 6 },
    finish: 'length',
  },
  {
    name: 'llama.cpp (timings, no [DONE])',
    bytes: sse(
      [...pieces.map(p => chunk(p)), { ...chunk(undefined, {}, 'stop'), timings: { prompt_n: 5, predicted_n: 6 } }],
      { done: false },
    ),
    text: TEXT,
    finish: 'stop',
  },
  {
    name: 'CRLF line endings',
    bytes: sse([...pieces.map(p => chunk(p)), chunk(undefined, {}, 'stop')], { eol: '\r\n' }),
    text: TEXT,
    finish: 'stop',
  },
];

function replay(parts: Uint8Array[]): typeof fetch {
  return async () =>
    new Response(
      new ReadableStream<Uint8Array>({
        start(controller) {
          for (const p of parts) controller.enqueue(p);
          controller.close();
        },
      }),
      { status: 200, headers: { 'content-type': 'text/event-stream', 'x-request-id': 'req_rec' } },
    );
}

const req: ChatRequest = { baseUrl: 'http://127.0.0.1:9/v1', apiKey: undefined, model: 'm', messages: [{ role: 'user', content: 'q' }] };

async function run(parts: Uint8Array[]): Promise<{ text: string; result: StreamResult }> {
  let text = '';
  const result = await streamChat(req, { onDelta: d => (text += d) }, new AbortController().signal, { fetch: replay(parts) });
  return { text, result };
}

suite('llm: recorded streams split at every byte boundary', function () {
  this.timeout(60000);
  for (const r of RECORDED) {
    test(r.name, async () => {
      const whole = await run([r.bytes]);
      assert.strictEqual(whole.text, r.text);
      assert.strictEqual(whole.result.finishReason, r.finish);
      assert.deepStrictEqual(whole.result.usage, r.usage);
      for (let k = 1; k < r.bytes.length; k++) {
        const { text, result } = await run([r.bytes.slice(0, k), r.bytes.slice(k)]);
        if (text !== r.text || result.finishReason !== r.finish) {
          assert.fail(`split at byte ${k}: ${JSON.stringify(text)} / ${result.finishReason}`);
        }
        assert.deepStrictEqual(result.usage, r.usage, `usage, split at byte ${k}`);
      }
      const bytewise = await run(Array.from(r.bytes, b => Uint8Array.of(b)));
      assert.strictEqual(bytewise.text, r.text, 'one byte at a time');
    });
  }
});
