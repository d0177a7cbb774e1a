// How many tokens the current model takes: the setting, else what a local server reports (asked once
// per server and model), else the table of well-known models, else a careful guess.
import type { LlmModule } from '../llm/types';
import type { ServerRequest } from '../llm/models';
import { knownContextWindow } from '../core/contextWindow';
import type { TandemSettings } from './settings';

export interface ResolvedWindow {
  tokens: number;
  /** Said to the user when the request had to be cut: where the number came from, how to change it. */
  note?: string;
}

const ASKS_SERVER = new Set(['ollama', 'llamacpp', 'vllm', 'lmstudio', 'openrouter', 'custom']);
const GUESS_LOCAL = 4096;
const GUESS_REMOTE = 16384;

export class ContextWindows {
  private readonly cache = new Map<string, Promise<ResolvedWindow | undefined>>();

  async resolve(s: TandemSettings, req: ServerRequest, llm: LlmModule, signal: AbortSignal): Promise<ResolvedWindow> {
    if (s.contextWindow) return { tokens: s.contextWindow };
    if (ASKS_SERVER.has(s.provider)) {
      const key = `${s.provider} ${req.baseUrl} ${s.model}`;
      let pending = this.cache.get(key);
      if (!pending) {
        pending = llm.fetchServerContext(s.provider, req, s.model, signal).then(c => (c ? { tokens: c.contextWindow, note: c.note } : undefined));
        this.cache.set(key, pending);
      }
      const fromServer = await pending.catch(() => undefined);
      if (fromServer) return fromServer;
      this.cache.delete(key); // not answered: ask again next time, the server may have started since
    }
    const known = knownContextWindow(s.model);
    if (known) return { tokens: known };
    const guess = s.preset.local ? GUESS_LOCAL : GUESS_REMOTE;
    return { tokens: guess, note: `Tandem does not know the context window of "${s.model}" and assumed ${guess.toLocaleString('en-US')} tokens; set "tandem.contextWindow" if it is larger.` };
  }

  clear(): void {
    this.cache.clear();
  }
}
