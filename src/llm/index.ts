// Entry of dist/llm.js, required by the host on the first request (activation never loads it).
import type { LlmModule } from './types';
import { streamChat } from './stream';
import { describeError } from './errors';

const llm: LlmModule = { streamChat, describeError };
export = llm;
