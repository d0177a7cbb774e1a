// Entry of dist/llm.js, required by the host on the first request (activation never loads it).
import type { LlmModule } from './types';
import { streamChat } from './stream';
import { describeError } from './errors';
import { ChatRunner } from './runner';
import { listModels, fetchServerContext } from './models';

const llm: LlmModule = { streamChat, describeError, ChatRunner, listModels, fetchServerContext };
export = llm;
