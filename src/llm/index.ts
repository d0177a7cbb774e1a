// Entry of dist/llm.js, required by the host on the first request (activation never loads it).
import type { LlmModule } from './types';
import { streamChat } from './stream';
import { describeError } from './errors';
import { ChatRunner } from './runner';
import { listModels, fetchServerContext } from './models';
// The editor's heavier pure code rides in this lazily loaded bundle too: activation never needs it.
import { applyReply, EDIT_FORMAT_INSTRUCTIONS } from '../core/apply';
import { planRequest, planTurns } from '../core/requestPlan';

const llm: LlmModule = { streamChat, describeError, ChatRunner, listModels, fetchServerContext, applyReply, EDIT_FORMAT_INSTRUCTIONS, planRequest, planTurns };
export = llm;
