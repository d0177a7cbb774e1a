// dist/llm.js (the openai client and everything behind it) is required on the first request only, so
// activation stays cheap. esbuild keeps './llm.js' external in dist/extension.js.
import type { LlmModule } from '../llm/types';

let cached: LlmModule | undefined;

export function loadLlm(): LlmModule {
  cached ??= require('./llm.js') as LlmModule;
  return cached;
}
