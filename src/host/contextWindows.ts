// How many tokens the current model takes: the setting, else what a local server reports (asked once
// per server and model, as its preset says), else the table of well-known models, else a careful guess
// that says it is one. Answers, "the server does not say" included, are kept until the settings change,
// Test Connection runs, or a request could not reach the server.
import type { LlmModule, ServerRequest, StreamHandlers } from '../llm/types';
import { knownContextWindow } from '../core/contextWindow';
import type { TandemSettings } from './settings';

export interface ResolvedWindow {
  tokens: number;
  /** Said to the user when the number is an assumption or the request had to be cut: where it came from, how to change it. */
  note?: string;
  /** True when no setting, server or table gave the number. */
  assumed?: boolean;
}

const GUESS_LOCAL = 4096;
const GUESS_REMOTE = 16384;

export class ContextWindows {
  private readonly cache = new Map<string, Promise<ResolvedWindow | undefined>>();

  /** `ask`: false to skip asking the server (the table or the guess decide). */
  async resolve(s: TandemSettings, req: ServerRequest, llm: LlmModule, signal: AbortSignal, log?: StreamHandlers['onLog'], ask = true): Promise<ResolvedWindow> {
    if (s.contextWindow) return { tokens: s.contextWindow };
    const probe = ask ? s.preset.contextProbe : undefined;
    if (probe) {
      const key = `${probe} ${req.baseUrl} ${s.model}`;
      let pending = this.cache.get(key);
      if (!pending) {
        pending = llm.fetchServerContext(probe, req, s.model, signal, { onLog: log })
          .then(c => (c ? { tokens: c.contextWindow, note: c.note } : undefined))
          .catch(() => undefined);
        this.cache.set(key, pending);
      }
      const fromServer = await pending;
      if (fromServer) return fromServer;
    }
    const known = knownContextWindow(s.model);
    if (known) return { tokens: known };
    const guess = s.preset.local ? GUESS_LOCAL : GUESS_REMOTE;
    return {
      tokens: guess,
      assumed: true,
      note: `Tandem does not know the context window of "${s.model}" and assumed ${guess.toLocaleString('en-US')} tokens; set "tandem.contextWindow" if it is larger.`,
    };
  }

  clear(): void {
    this.cache.clear();
  }
}
