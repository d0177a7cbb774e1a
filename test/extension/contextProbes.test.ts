// The context-window probes end to end: the loopback server shaped as Ollama (with and without
// num_ctx), llama.cpp and vLLM, and the window Tandem then uses for each model. The window is read
// through VS Code's language-model API, whose limits come from the same resolver as the chat's
// (maxInputTokens + the room kept for the answer, tandem.maxTokens, is the window).
import * as assert from 'assert';
import * as vscode from 'vscode';
import { FakeOpenAI } from '../fixtures/fakeOpenAI';
import { setSettings, sleep, useFixture } from './helpers';

const ANSWER_ROOM = 1024;

/** The window of each of Tandem's models once `check` accepts them (VS Code re-asks after a settings change). */
async function windows(check: (w: Record<string, number>) => boolean, what: string): Promise<Record<string, number>> {
  let last: Record<string, number> = {};
  for (const end = Date.now() + 20000; Date.now() < end; await sleep(100)) {
    last = Object.fromEntries((await vscode.lm.selectChatModels({ vendor: 'tandem' })).map(m => [m.id, m.maxInputTokens + ANSWER_ROOM]));
    if (check(last)) return last;
  }
  throw new Error(`timed out waiting for ${what}; windows: ${JSON.stringify(last)}`);
}

suite('Context-window probes', function () {
  this.timeout(60000);
  const fx = new FakeOpenAI({
    models: ['qwen2.5-coder:7b-with-ctx', 'qwen2.5-coder:7b'],
    routes: {
      // Ollama: num_ctx in the model's parameters wins over the trained maximum; without it, Ollama's default.
      'POST /api/show': (body: unknown) => {
        const info = { 'general.architecture': 'qwen2', 'qwen2.context_length': 131072 };
        return String((body as { model?: string }).model).endsWith('with-ctx')
          ? { parameters: 'num_ctx                        8192\nstop "<|im_end|>"', model_info: info }
          : { parameters: 'stop "<|im_end|>"', model_info: info };
      },
      // llama.cpp's llama-server started with -c 16384.
      'GET /props': { default_generation_settings: { n_ctx: 16384, temperature: 0.8 }, total_slots: 1 },
    },
  });
  // vLLM started with --max-model-len 32768: its model list says so.
  const vllm = new FakeOpenAI({ routes: { 'GET /v1/models': { object: 'list', data: [{ id: 'Qwen/Qwen2.5-Coder-7B-Instruct', object: 'model', owned_by: 'vllm', max_model_len: 32768 }] } } });
  useFixture(fx);
  useFixture(vllm);
  setup(() => {
    fx.reset();
    vllm.reset();
  });
  suiteTeardown(() => setSettings({ provider: undefined, contextWindow: undefined, maxTokens: undefined }));

  const probes = (f: FakeOpenAI) => f.requests.filter(r => !r.path.endsWith('/models') || r.path === '/v1/models').map(r => `${r.method} ${r.path}`);

  test('Ollama: num_ctx when the model sets it, else Ollama\'s default of 4,096 tokens (not the trained 131,072)', async () => {
    await setSettings({ provider: 'ollama', baseUrl: fx.baseUrl, model: 'qwen2.5-coder:7b', maxTokens: ANSWER_ROOM, contextWindow: undefined });
    const w = await windows(x => x['qwen2.5-coder:7b-with-ctx'] === 8192 && x['qwen2.5-coder:7b'] === 4096, 'the windows Ollama runs the models with');
    assert.deepStrictEqual(w, { 'qwen2.5-coder:7b-with-ctx': 8192, 'qwen2.5-coder:7b': 4096 });
    assert.ok(probes(fx).includes('POST /api/show'), JSON.stringify(probes(fx)));
  });

  test('llama.cpp: n_ctx from /props', async () => {
    await setSettings({ provider: 'llamacpp', baseUrl: fx.baseUrl, model: 'qwen2.5-coder:7b', maxTokens: ANSWER_ROOM, contextWindow: undefined });
    await windows(x => x['qwen2.5-coder:7b'] === 16384, 'n_ctx 16384');
    assert.ok(probes(fx).includes('GET /props'), JSON.stringify(probes(fx)));
  });

  test('vLLM: max_model_len from /v1/models', async () => {
    await setSettings({ provider: 'vllm', baseUrl: vllm.baseUrl, model: 'Qwen/Qwen2.5-Coder-7B-Instruct', maxTokens: ANSWER_ROOM, contextWindow: undefined });
    await windows(x => x['Qwen/Qwen2.5-Coder-7B-Instruct'] === 32768, 'max_model_len 32768');
  });

  test('tandem.contextWindow overrides what the server says', async () => {
    await setSettings({ provider: 'llamacpp', baseUrl: fx.baseUrl, model: 'qwen2.5-coder:7b', maxTokens: ANSWER_ROOM, contextWindow: 12000 });
    await windows(x => Object.keys(x).length > 0 && Object.values(x).every(n => n === 12000), 'the setting\'s 12000');
  });
});
