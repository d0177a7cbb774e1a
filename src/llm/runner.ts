// One answer from request to last token, with Tandem's policy around streamChat: client-side pacing per
// endpoint, retries before the first token (never after), waits the user can see and cut short, and
// servers that reject stream_options remembered.
import OpenAI from 'openai';
import { streamChat } from './stream';
import { RetryLaterError, StreamError } from './errors';
import { decideRetry, type HeaderBag } from './retryPolicy';
import { RateLimiter } from './rateLimiter';
import type { ChatRequest, ChatRunnerApi, Limits, RunHandlers, RunOptions, StreamResult } from './types';
import { endpointOrigin } from '../core/endpoint';
import { rejectsImages } from '../core/images';

function errorCode(e: InstanceType<typeof OpenAI.APIError>): string | undefined {
  const body = e.error as { code?: unknown; type?: unknown } | undefined;
  const c = e.code ?? body?.code ?? e.type ?? body?.type;
  return typeof c === 'string' ? c : undefined;
}

export type { WaitEvent, RunHandlers, RunOptions } from './types';

export class ChatRunner implements ChatRunnerApi {
  private readonly limiters = new Map<string, RateLimiter>();
  /** Origins whose server rejected stream_options.include_usage. */
  private readonly noUsage = new Set<string>();
  private skip: (() => void) | undefined;

  /** Ends the current retry or pacing wait now. */
  retryNow(): boolean {
    const s = this.skip;
    this.skip = undefined;
    s?.();
    return s !== undefined;
  }

  private limiter(origin: string, limits: Limits | undefined): RateLimiter {
    let l = this.limiters.get(origin);
    if (!l) {
      l = new RateLimiter(limits ?? {});
      this.limiters.set(origin, l);
    } else {
      l.setLimits(limits ?? {});
    }
    return l;
  }

  private wait(ms: number, signal: AbortSignal): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const done = () => {
        clearTimeout(t);
        signal.removeEventListener('abort', onAbort);
        if (this.skip === done) this.skip = undefined;
        resolve();
      };
      const onAbort = () => {
        clearTimeout(t);
        if (this.skip === done) this.skip = undefined;
        reject(new OpenAI.APIUserAbortError());
      };
      const t = setTimeout(done, ms);
      this.skip = done;
      signal.addEventListener('abort', onAbort, { once: true });
      if (signal.aborted) onAbort();
    });
  }

  async run(req: ChatRequest, handlers: RunHandlers, signal: AbortSignal, opts: RunOptions): Promise<StreamResult> {
    const origin = endpointOrigin(req.baseUrl) ?? req.baseUrl;
    const limiter = this.limiter(origin, opts.limits);
    let retries = 0;
    for (;;) {
      let waited = false;
      await limiter.acquire(opts.estimatedTokens, signal, w => {
        waited = true;
        handlers.onWait?.({ reason: 'pacing', until: Date.now() + w.waitMs, position: w.position });
      });
      if (waited) handlers.onWait?.(undefined);
      let received = false;
      try {
        const result = await streamChat(
          req,
          {
            ...handlers,
            onDelta: t => {
              received = true;
              handlers.onDelta(t);
            },
            onToolCall: handlers.onToolCall && (c => {
              received = true;
              handlers.onToolCall?.(c);
            }),
            onResponseHeaders: h => limiter.updateFromHeaders(h),
          },
          signal,
          { ...opts, includeUsage: !this.noUsage.has(origin) },
        );
        if (result.usage) limiter.adjustTokens(result.usage.promptTokens + result.usage.completionTokens - opts.estimatedTokens);
        return result;
      } catch (e) {
        if (signal.aborted || e instanceof StreamError) throw e;
        const api = e instanceof OpenAI.APIError && e.status !== undefined ? e : undefined;
        if (api?.status === 400 && !received && !this.noUsage.has(origin) && /stream_options|include_usage/i.test(api.message)) {
          this.noUsage.add(origin);
          handlers.onLog?.('warn', `${origin} rejects stream_options.include_usage; sending without it from now on`);
          continue;
        }
        // A model without image support refuses the same request every time (Ollama says so with a 500):
        // no use waiting to send it again; the host offers to send it without the images.
        if (api && req.messages.some(m => m.images?.length) && rejectsImages(api.message)) throw e;
        const headers = api?.headers as HeaderBag | undefined;
        if (headers) limiter.updateFromHeaders(headers);
        const decision = decideRetry({
          attempt: retries,
          status: api?.status,
          errorCode: api ? errorCode(api) : undefined,
          connectionError: e instanceof OpenAI.APIConnectionError,
          headers,
          receivedTokens: received,
          now: Date.now(),
        });
        if (decision.action === 'ask') throw new RetryLaterError(decision.retryAt, e);
        if (decision.action === 'fail') throw e;
        retries += 1;
        const detail = e instanceof Error ? e.message : String(e);
        handlers.onLog?.('info', `retry ${retries} in ${decision.delayMs} ms (${decision.reason}): ${detail}`);
        const cause = api?.status === 429 ? 'rateLimited' : api ? 'server' : 'connection';
        handlers.onWait?.({ reason: 'retry', until: Date.now() + decision.delayMs, attempt: retries, detail, cause });
        try {
          await this.wait(decision.delayMs, signal);
        } finally {
          handlers.onWait?.(undefined);
        }
      }
    }
  }

  dispose(): void {
    for (const l of this.limiters.values()) l.dispose();
    this.limiters.clear();
  }
}
