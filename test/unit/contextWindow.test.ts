import * as assert from 'assert';
import { contextWindowFromServer, knownContextWindow, lookupModel } from '../../src/core/contextWindow';

suite('core/contextWindow', () => {
  test('well-known OpenAI models', () => {
    const table: [string, number][] = [
      ['gpt-4o', 128_000],
      ['gpt-4o-mini', 128_000],
      ['gpt-4.1', 1_047_576],
      ['gpt-4.1-mini', 1_047_576],
      ['gpt-4.1-nano', 1_047_576],
      ['gpt-5', 400_000],
      ['gpt-5-mini', 400_000],
      ['gpt-5-nano', 400_000],
      ['o1', 200_000],
      ['o3', 200_000],
      ['o3-mini', 200_000],
      ['o4-mini', 200_000],
      ['gpt-4-turbo', 128_000],
      ['gpt-4', 8_192],
      ['gpt-3.5-turbo', 16_385],
    ];
    for (const [model, n] of table) assert.strictEqual(knownContextWindow(model), n, model);
  });

  test('dated snapshots, router prefixes and case match their family', () => {
    assert.strictEqual(knownContextWindow('gpt-4o-2024-08-06'), 128_000);
    assert.strictEqual(knownContextWindow('gpt-4o-mini-2024-07-18'), 128_000);
    assert.strictEqual(knownContextWindow('gpt-4.1-2025-04-14'), 1_047_576);
    assert.strictEqual(knownContextWindow('gpt-4-turbo-2024-04-09'), 128_000);
    assert.strictEqual(knownContextWindow('gpt-4-0613'), 8_192);
    assert.strictEqual(knownContextWindow('openai/gpt-4o'), 128_000);
    assert.strictEqual(knownContextWindow(' OpenAI/GPT-5-Mini '), 400_000);
  });

  test('a prefix only matches at a separator', () => {
    // gpt-4 must not claim gpt-4o, gpt-4.1 or gpt-4.5; o1 must not claim o10.
    assert.strictEqual(knownContextWindow('gpt-4.5-preview'), undefined);
    assert.strictEqual(knownContextWindow('o10'), undefined);
    assert.strictEqual(knownContextWindow('gpt-4-32k'), 32_768);
    assert.strictEqual(knownContextWindow('gpt-4-1106-preview'), 128_000);
    assert.strictEqual(knownContextWindow('o1-mini'), 128_000);
  });

  test('unknown models have no entry', () => {
    for (const m of ['llama3.1:8b', 'qwen2.5-coder:7b', 'claude-3-5-sonnet', '', 'my-deployment']) {
      assert.strictEqual(knownContextWindow(m), undefined, m);
    }
  });

  test('the longest prefix wins regardless of table order', () => {
    const table = { a: 1, 'a-b-c': 3, 'a-b': 2 };
    assert.strictEqual(lookupModel(table, 'a-b-c-d'), 3);
    assert.strictEqual(lookupModel(table, 'a-b-x'), 2);
    assert.strictEqual(lookupModel(table, 'a:latest'), 1);
    assert.strictEqual(lookupModel(table, 'ab'), undefined);
  });

  test('Ollama /api/show: num_ctx wins over the trained length', () => {
    const body = {
      parameters: 'stop                           "<|im_end|>"\nnum_ctx                        8192\ntemperature                    0.7',
      model_info: { 'general.architecture': 'qwen2', 'qwen2.context_length': 32768 },
    };
    assert.strictEqual(contextWindowFromServer('ollama-show', body, 'qwen2.5-coder:7b'), 8192);
  });

  test('Ollama /api/show without num_ctx gives the trained length', () => {
    const body = { parameters: 'stop "<|eot_id|>"', model_info: { 'general.architecture': 'llama', 'llama.context_length': 131072 } };
    assert.strictEqual(contextWindowFromServer('ollama-show', body, 'llama3.1:8b'), 131072);
    // Without general.architecture the one *.context_length key is found anyway.
    assert.strictEqual(contextWindowFromServer('ollama-show', { model_info: { 'gemma3.context_length': 8192 } }, 'gemma3'), 8192);
  });

  test('llama.cpp /props', () => {
    assert.strictEqual(contextWindowFromServer('llamacpp-props', { default_generation_settings: { n_ctx: 4096 } }, 'x'), 4096);
    assert.strictEqual(contextWindowFromServer('llamacpp-props', { n_ctx: 16384 }, 'x'), 16384);
    assert.strictEqual(contextWindowFromServer('llamacpp-props', { default_generation_settings: {} , n_ctx: 2048 }, 'x'), 2048);
  });

  test('vLLM and OpenRouter /v1/models pick the entry of the model', () => {
    const vllm = { object: 'list', data: [{ id: 'other', max_model_len: 4096 }, { id: 'Qwen/Qwen2.5-7B', max_model_len: 32768 }] };
    assert.strictEqual(contextWindowFromServer('vllm-models', vllm, 'Qwen/Qwen2.5-7B'), 32768);
    assert.strictEqual(contextWindowFromServer('vllm-models', vllm, 'missing'), undefined);
    const openrouter = { data: [{ id: 'openai/gpt-4o', context_length: 128000 }, { id: 'meta-llama/llama-3.3-70b-instruct', context_length: 131072 }] };
    assert.strictEqual(contextWindowFromServer('openai-models', openrouter, 'meta-llama/llama-3.3-70b-instruct'), 131072);
  });

  test('garbage gives undefined', () => {
    const garbage: unknown[] = [
      null,
      undefined,
      42,
      'text',
      [],
      {},
      { parameters: 'num_ctx lots' },
      { parameters: 12, model_info: 'x' },
      { model_info: { 'llama.context_length': '8192' } },
      { model_info: { 'llama.context_length': -1 } },
      { model_info: { 'llama.context_length': 1.5 } },
      { n_ctx: Number.NaN },
      { default_generation_settings: null },
      { data: 'x' },
      { data: [null, 3, { id: 'm', max_model_len: '4096', context_length: 0 }] },
    ];
    for (const kind of ['ollama-show', 'llamacpp-props', 'vllm-models', 'openai-models'] as const) {
      for (const body of garbage) assert.strictEqual(contextWindowFromServer(kind, body, 'm'), undefined, `${kind} ${JSON.stringify(body)}`);
    }
  });
});
