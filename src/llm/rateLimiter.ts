// Client-side pacing: Tandem waits its turn before sending instead of collecting 429s. Sliding
// windows of 60 s for requests and tokens, a FIFO queue, and one timer for the head of the queue.
import { headerValue, parseDuration, type HeaderBag } from './retryPolicy';

export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

import type { Limits } from './types';

export type { Limits } from './types';

/** Place in the queue (0 = next) and the estimated wait. */
export interface WaitInfo {
  position: number;
  waitMs: number;
}

const WINDOW_MS = 60_000;
/** Long waits are re-checked at least this often, so a wall-clock jump is noticed within a minute. */
const MAX_TIMER_MS = 60_000;

const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: handle => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/** Something that counts against the windows: a sent request, or a later upward token correction. */
interface Entry {
  at: number;
  tokens: number;
  request: boolean;
}

interface Waiter {
  tokens: number;
  resolve(): void;
  reject(err: Error): void;
  signal?: AbortSignal;
  onAbort?: () => void;
  onWait?: (w: WaitInfo) => void;
  /** What onWait was last told, as position and absolute release time, so time passing alone is no change. */
  told?: { position: number; at: number };
}

function abortError(message: string): Error {
  const err = new Error(message);
  err.name = 'AbortError';
  return err;
}

/** A usable limit or undefined for none; fractions of a request per minute round down but never to zero. */
function positive(n: number | undefined, integer: boolean): number | undefined {
  if (n === undefined || !Number.isFinite(n) || n <= 0) return undefined;
  return integer ? Math.max(1, Math.floor(n)) : n;
}

function lower(a: number | undefined, b: number | undefined): number | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return Math.min(a, b);
}

export class RateLimiter {
  private limits: Limits;
  private readonly clock: Clock;
  /** In time order: appended at `now`, which only moves forward (see prune for when it does not). */
  private entries: Entry[] = [];
  private readonly queue: Waiter[] = [];
  private serverRpm: number | undefined;
  private serverTpm: number | undefined;
  private serverBlockedUntil = 0;
  private pausedUntil = 0;
  private timer: unknown;
  private timerArmed = false;
  private disposed = false;
  private pumping = false;
  private pumpAgain = false;

  constructor(limits: Limits, clock: Clock = systemClock) {
    this.limits = { ...limits };
    this.clock = clock;
  }

  get queueLength(): number {
    return this.queue.length;
  }

  setLimits(limits: Limits): void {
    this.limits = { ...limits };
    this.pump();
  }

  /**
   * Resolves when this request may be sent (then it is counted). Fair: FIFO. Rejects with an Error
   * named 'AbortError' if the signal aborts (and leaves the queue). onWait is called when it has to
   * wait and whenever its position or estimated release time changes.
   */
  acquire(estimatedTokens: number, signal?: AbortSignal, onWait?: (w: WaitInfo) => void): Promise<void> {
    if (this.disposed) return Promise.reject(abortError('The rate limiter was closed.'));
    if (signal?.aborted) return Promise.reject(abortError('Stopped while waiting for the rate limit.'));
    const tokens = Number.isFinite(estimatedTokens) ? Math.max(0, estimatedTokens) : 0;
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = { tokens, resolve, reject, signal, onWait };
      if (signal) {
        waiter.onAbort = () => {
          const index = this.queue.indexOf(waiter);
          if (index < 0) return;
          this.queue.splice(index, 1);
          this.settle(waiter);
          reject(abortError('Stopped while waiting for the rate limit.'));
          this.pump();
        };
        signal.addEventListener('abort', waiter.onAbort, { once: true });
      }
      this.queue.push(waiter);
      this.pump();
    });
  }

  /** Counts a request sent without waiting its turn (the user chose Send Now), so the ones after it still pace. */
  countSent(estimatedTokens: number): void {
    const now = this.clock.now();
    this.prune(now);
    this.entries.push({ at: now, tokens: Number.isFinite(estimatedTokens) ? Math.max(0, estimatedTokens) : 0, request: true });
    this.pump();
  }

  /** Corrects the token count of a sent request once its usage is known: actual minus estimated. */
  adjustTokens(delta: number): void {
    if (!Number.isFinite(delta) || delta === 0) return;
    const now = this.clock.now();
    this.prune(now);
    if (delta > 0) {
      this.entries.push({ at: now, tokens: delta, request: false });
    } else {
      // Taken off the requests still in the window rather than booked as a negative entry at now:
      // such an entry would outlive the request it corrects and, for a while, let more through
      // than the limit. Newest first because the request that just finished is usually recent.
      let rest = -delta;
      for (let i = this.entries.length - 1; i >= 0 && rest > 0; i--) {
        const take = Math.min(rest, this.entries[i].tokens);
        this.entries[i].tokens -= take;
        rest -= take;
      }
    }
    this.pump();
  }

  /**
   * Refines from the server's x-ratelimit-* headers: a remaining count of 0 blocks until its reset;
   * a reported limit below the configured one (or with none configured) is used instead.
   */
  updateFromHeaders(headers: HeaderBag): void {
    const now = this.clock.now();
    const limit = (name: string) => positive(Number(headerValue(headers, name) ?? NaN), true);
    this.serverRpm = limit('x-ratelimit-limit-requests') ?? this.serverRpm;
    this.serverTpm = limit('x-ratelimit-limit-tokens') ?? this.serverTpm;
    for (const kind of ['requests', 'tokens']) {
      const remaining = headerValue(headers, `x-ratelimit-remaining-${kind}`);
      const reset = headerValue(headers, `x-ratelimit-reset-${kind}`);
      // Only a clear 0 blocks: a missing or garbled count must not stop Tandem from sending.
      if (remaining === undefined || remaining.trim() === '' || Number(remaining) !== 0 || reset === undefined) continue;
      const resetMs = parseDuration(reset);
      if (resetMs !== undefined) this.serverBlockedUntil = Math.max(this.serverBlockedUntil, now + resetMs);
    }
    this.pump();
  }

  /**
   * Blocks every request until `until` (ms epoch), e.g. after a 429 said when to come back. A later
   * call replaces an earlier one, so `pauseUntil(0)` lifts the pause when the user chooses Retry now.
   */
  pauseUntil(until: number): void {
    this.pausedUntil = Number.isFinite(until) ? until : 0;
    this.pump();
  }

  /** Clears the timer; pending and later acquires reject with an Error named 'AbortError'. */
  dispose(): void {
    this.disposed = true;
    this.disarm();
    for (const waiter of this.queue.splice(0)) {
      this.settle(waiter);
      waiter.reject(abortError('The rate limiter was closed.'));
    }
    this.entries = [];
  }

  private get rpm(): number | undefined {
    return lower(positive(this.limits.requestsPerMinute, true), this.serverRpm);
  }

  private get tpm(): number | undefined {
    return lower(positive(this.limits.tokensPerMinute, false), this.serverTpm);
  }

  private prune(now: number): void {
    // The wall clock may have been set back: an entry from the "future" would otherwise block for
    // as long as the jump. Treating it as sent now bounds that to one window.
    for (const entry of this.entries) if (entry.at > now) entry.at = now;
    const keepFrom = this.entries.findIndex(entry => entry.at > now - WINDOW_MS);
    this.entries = keepFrom < 0 ? [] : this.entries.slice(keepFrom);
  }

  /**
   * The earliest time at or after `from` when a request of `tokens` fits beside `entries` (sorted,
   * none later than `from`). A request larger than the whole token limit needs an empty window,
   * otherwise it would wait forever.
   */
  private releaseTime(entries: readonly Entry[], tokens: number, from: number): number {
    const rpm = this.rpm;
    const tpm = this.tpm;
    const need = tpm === undefined ? 0 : Math.min(tokens, tpm);
    let requests = 0;
    let sum = 0;
    let first = 0;
    for (const entry of entries) {
      if (entry.at <= from - WINDOW_MS) {
        first++;
        continue;
      }
      if (entry.request) requests++;
      sum += entry.tokens;
    }
    let at = from;
    // Entries leave the window oldest first; each departure is the next moment the answer can change.
    for (let i = first; ; i++) {
      const requestsFit = rpm === undefined || requests + 1 <= rpm;
      const tokensFit = tpm === undefined || sum + need <= tpm;
      if ((requestsFit && tokensFit) || i >= entries.length) return at;
      at = Math.max(at, entries[i].at + WINDOW_MS);
      if (entries[i].request) requests--;
      sum -= entries[i].tokens;
    }
  }

  private pump(): void {
    if (this.pumping) {
      this.pumpAgain = true;
      return;
    }
    this.pumping = true;
    try {
      do {
        this.pumpAgain = false;
        this.pumpOnce();
      } while (this.pumpAgain);
    } finally {
      this.pumping = false;
    }
  }

  private pumpOnce(): void {
    this.disarm();
    if (this.disposed) return;
    const now = this.clock.now();
    this.prune(now);
    const blockedUntil = Math.max(this.pausedUntil, this.serverBlockedUntil);

    // Only the head may go: a small request never overtakes a big one that waited longer.
    while (this.queue.length > 0) {
      const head = this.queue[0];
      if (this.releaseTime(this.entries, head.tokens, Math.max(now, blockedUntil)) > now) break;
      this.queue.shift();
      this.entries.push({ at: now, tokens: head.tokens, request: true });
      this.settle(head);
      head.resolve();
    }
    if (this.queue.length === 0) return;

    // Estimates: let each waiter go, in order, at the first moment it fits behind those before it.
    const simulated = this.entries.slice();
    const updates: Array<{ waiter: Waiter; info: WaitInfo }> = [];
    let previous = Math.max(now, blockedUntil);
    this.queue.forEach((waiter, position) => {
      const at = this.releaseTime(simulated, waiter.tokens, previous);
      simulated.push({ at, tokens: waiter.tokens, request: true });
      previous = at;
      if (waiter.told?.position !== position || waiter.told.at !== at) {
        waiter.told = { position, at };
        updates.push({ waiter, info: { position, waitMs: Math.max(0, Math.ceil(at - now)) } });
      }
    });

    const headAt = this.queue[0].told?.at ?? now;
    // At least 1 ms so a rounding error can never turn this into a busy loop.
    const delay = Math.min(MAX_TIMER_MS, Math.max(1, Math.ceil(headAt - now)));
    this.timer = this.clock.setTimeout(() => {
      this.timerArmed = false;
      this.pump();
    }, delay);
    this.timerArmed = true;

    for (const { waiter, info } of updates) {
      try {
        waiter.onWait?.(info);
      } catch {
        // A failing progress display must not stall the queue for everyone behind it.
      }
    }
  }

  private disarm(): void {
    if (!this.timerArmed) return;
    this.clock.clearTimeout(this.timer);
    this.timerArmed = false;
  }

  private settle(waiter: Waiter): void {
    if (waiter.signal && waiter.onAbort) waiter.signal.removeEventListener('abort', waiter.onAbort);
  }
}
