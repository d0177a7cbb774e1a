// How many tokens a model can take in one request: a table for well-known OpenAI models, and
// parsers for what local servers report about the model they serve. Pure: the host fetches.

/**
 * Looks a model name up in a table keyed by model-name prefixes. The longest matching prefix wins
 * (`gpt-4o-mini` before `gpt-4o`), a prefix only matches up to a separator so `gpt-4` does not claim
 * `gpt-4o` or `gpt-4.5`, and a router's vendor prefix (`openai/gpt-4o`) is ignored. Dated
 * snapshots (`gpt-4o-2024-08-06`) and tags (`gpt-4o:latest`) match their family.
 */
export function lookupModel<T>(table: Readonly<Record<string, T>>, model: string): T | undefined {
  const name = model.trim().toLowerCase();
  const base = name.slice(name.lastIndexOf('/') + 1);
  let best: string | undefined;
  for (const prefix of Object.keys(table)) {
    if (!base.startsWith(prefix)) continue;
    const next = base.charAt(prefix.length);
    if (next !== '' && next !== '-' && next !== ':' && next !== '@') continue;
    if (best === undefined || prefix.length > best.length) best = prefix;
  }
  return best === undefined ? undefined : table[best];
}

// Input context in tokens, from OpenAI's model pages. Entries that only exist to stop a shorter
// prefix from matching (gpt-4-32k, gpt-4-1106 ...) carry their own, different, values.
const CONTEXT_WINDOWS: Readonly<Record<string, number>> = {
  'gpt-5': 400_000,
  'gpt-5-mini': 400_000,
  'gpt-5-nano': 400_000,
  'gpt-5-chat': 128_000,
  'gpt-4.1': 1_047_576,
  'gpt-4.1-mini': 1_047_576,
  'gpt-4.1-nano': 1_047_576,
  'gpt-4o': 128_000,
  'gpt-4o-mini': 128_000,
  'chatgpt-4o': 128_000,
  o1: 200_000,
  'o1-mini': 128_000,
  'o1-preview': 128_000,
  o3: 200_000,
  'o3-mini': 200_000,
  'o4-mini': 200_000,
  'gpt-4-turbo': 128_000,
  'gpt-4-1106': 128_000,
  'gpt-4-0125': 128_000,
  'gpt-4': 8_192,
  'gpt-4-32k': 32_768,
  'gpt-3.5-turbo': 16_385,
  'gpt-3.5-turbo-instruct': 4_096,
};

export function knownContextWindow(model: string): number | undefined {
  return lookupModel(CONTEXT_WINDOWS, model);
}

export type ContextSource = 'ollama-show' | 'llamacpp-props' | 'vllm-models' | 'openai-models';

/**
 * The context window a server reports, from the body of:
 * - `ollama-show`: Ollama's `POST /api/show`. `num_ctx` in `parameters` wins, because it is what the
 *   server actually allocates. Without it we return `model_info["<arch>.context_length"]`, the
 *   model's trained maximum, even though Ollama then runs with its own default (2048 before 0.6,
 *   4096 later, or `OLLAMA_CONTEXT_LENGTH`), which this body does not reveal; guessing a version's
 *   default would be wrong as often as right. The host should say so when it relies on this value.
 * - `llamacpp-props`: llama.cpp's `GET /props`: `default_generation_settings.n_ctx` (newer
 *   servers) or a top-level `n_ctx`.
 * - `vllm-models`: vLLM's `GET /v1/models`: `max_model_len` of the entry whose `id` is the model.
 * - `openai-models`: an OpenRouter-style `GET /v1/models`: `context_length` of that entry.
 * Anything malformed gives undefined.
 */
export function contextWindowFromServer(kind: ContextSource, body: unknown, model: string): number | undefined {
  switch (kind) {
    case 'ollama-show':
      return fromOllamaShow(body);
    case 'llamacpp-props': {
      const settings = field(body, 'default_generation_settings');
      return positiveInt(field(settings, 'n_ctx')) ?? positiveInt(field(body, 'n_ctx'));
    }
    case 'vllm-models':
      return positiveInt(field(modelEntry(body, model), 'max_model_len'));
    case 'openai-models':
      return positiveInt(field(modelEntry(body, model), 'context_length'));
    default: {
      const unknownKind: never = kind;
      void unknownKind;
      return undefined;
    }
  }
}

function fromOllamaShow(body: unknown): number | undefined {
  const parameters = field(body, 'parameters');
  if (typeof parameters === 'string') {
    // One `name value` pair per line, e.g. "num_ctx                        8192".
    const m = /^\s*num_ctx\s+(\d+)\s*$/m.exec(parameters);
    const n = m ? positiveInt(Number(m[1])) : undefined;
    if (n !== undefined) return n;
  }
  const info = field(body, 'model_info');
  if (!isRecord(info)) return undefined;
  // The key carries the architecture: llama.context_length, qwen2.context_length, gemma3...
  const arch = field(info, 'general.architecture');
  if (typeof arch === 'string') {
    const n = positiveInt(info[`${arch}.context_length`]);
    if (n !== undefined) return n;
  }
  for (const [key, value] of Object.entries(info)) {
    if (key.endsWith('.context_length')) {
      const n = positiveInt(value);
      if (n !== undefined) return n;
    }
  }
  return undefined;
}

function modelEntry(body: unknown, model: string): unknown {
  const data = field(body, 'data');
  if (!Array.isArray(data)) return undefined;
  return data.find((entry: unknown) => field(entry, 'id') === model);
}

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

function field(x: unknown, key: string): unknown {
  return isRecord(x) ? x[key] : undefined;
}

function positiveInt(x: unknown): number | undefined {
  return typeof x === 'number' && Number.isSafeInteger(x) && x > 0 ? x : undefined;
}
