// Client-side pacing against a fake clock: windows, FIFO order, waiting estimates, aborts and headers.
import * as assert from 'assert';
import { RateLimiter, type Clock, type WaitInfo } from '../../src/llm/rateLimiter';

interface FakeTimer {
  at: number;
  seq: number;
  fn: () => void;
}

/** Time moves only when the test says so; timers fire in order of due time, then of creation. */
class FakeClock implements Clock {
  private t = 0;
  private seq = 0;
  readonly timers: FakeTimer[] = [];

  now(): number {
    return this.t;
  }

  setTimeout(fn: () => void, ms: number): unknown {
    const timer: FakeTimer = { at: this.t + Math.max(0, ms), seq: this.seq++, fn };
    const index = this.timers.findIndex(o => o.at > timer.at);
    this.timers.splice(index < 0 ? this.timers.length : index, 0, timer);
    return timer;
  }

  clearTimeout(handle: unknown): void {
    const index = this.timers.indexOf(handle as FakeTimer);
    if (index >= 0) this.timers.splice(index, 1);
  }

  async advance(ms: number): Promise<void> {
    const end = this.t + ms;
    for (let next = this.timers[0]; next !== undefined && next.at <= end; next = this.timers[0]) {
      this.timers.shift();
      this.t = next.at;
      next.fn();
      await flush();
    }
    this.t = end;
    await flush();
  }
}

/** Lets resolved promises run their callbacks. */
const flush = () => new Promise<void>(resolve => setImmediate(resolve));

interface Tracked {
  done: boolean;
  error: Error | undefined;
  waits: WaitInfo[];
}

function track(limiter: RateLimiter, tokens: number, signal?: AbortSignal): Tracked {
  const state: Tracked = { done: false, error: undefined, waits: [] };
  limiter
    .acquire(tokens, signal, w => state.waits.push(w))
    .then(
      () => (state.done = true),
      (e: unknown) => (state.error = e instanceof Error ? e : new Error(String(e))),
    );
  return state;
}

const lastWait = (t: Tracked) => t.waits[t.waits.length - 1];

suite('rateLimiter', () => {
  let clock: FakeClock;
  setup(() => {
    clock = new FakeClock();
  });

  test('RPM 3: three go at once, the fourth waits exactly until the first leaves the window', async () => {
    const limiter = new RateLimiter({ requestsPerMinute: 3 }, clock);
    const first = track(limiter, 0);
    await clock.advance(1000);
    const second = track(limiter, 0);
    await clock.advance(1000);
    const third = track(limiter, 0);
    await clock.advance(1000);
    await flush();
    assert.ok(first.done && second.done && third.done);
    assert.deepStrictEqual(first.waits, [], 'no wait reported for a request that went at once');

    const fourth = track(limiter, 0);
    const fifth = track(limiter, 0);
    await flush();
    assert.strictEqual(limiter.queueLength, 2);
    assert.deepStrictEqual(fourth.waits, [{ position: 0, waitMs: 57_000 }]);
    assert.deepStrictEqual(fifth.waits, [{ position: 1, waitMs: 58_000 }]);
    assert.ok(clock.timers.length <= 1, 'one timer for the head of the queue');

    await clock.advance(56_999); // t = 59 999
    assert.strictEqual(fourth.done, false);
    await clock.advance(1); // t = 60 000
    assert.strictEqual(fourth.done, true);
    assert.strictEqual(fifth.done, false);
    assert.deepStrictEqual(lastWait(fifth), { position: 0, waitMs: 1000 });
    await clock.advance(1000);
    assert.strictEqual(fifth.done, true);
    assert.strictEqual(limiter.queueLength, 0);
    assert.strictEqual(clock.timers.length, 0, 'no timer left once the queue is empty');
  });

  test('onWait is not repeated while only time passes', async () => {
    const limiter = new RateLimiter({ requestsPerMinute: 1 }, clock);
    track(limiter, 0);
    const waiting = track(limiter, 0);
    await flush();
    for (let i = 0; i < 10; i++) await clock.advance(5000);
    assert.deepStrictEqual(waiting.waits, [{ position: 0, waitMs: 60_000 }]);
    await clock.advance(10_000);
    assert.ok(waiting.done);
  });

  test('TPM: the token sum in the window decides', async () => {
    const limiter = new RateLimiter({ tokensPerMinute: 1000 }, clock);
    const a = track(limiter, 400);
    await clock.advance(10_000);
    const b = track(limiter, 400);
    const c = track(limiter, 300);
    await flush();
    assert.ok(a.done && b.done);
    assert.strictEqual(c.done, false);
    // 400 + 400 + 300 > 1000; once the first 400 leaves (t = 60 000), 400 + 300 fits.
    assert.deepStrictEqual(c.waits, [{ position: 0, waitMs: 50_000 }]);
    await clock.advance(49_999);
    assert.strictEqual(c.done, false);
    await clock.advance(1);
    assert.strictEqual(c.done, true);
  });

  test('TPM: adjustTokens frees or takes capacity, and the estimate follows', async () => {
    const limiter = new RateLimiter({ tokensPerMinute: 1000 }, clock);
    track(limiter, 600);
    await clock.advance(5000);
    const waiting = track(limiter, 500);
    await flush();
    assert.deepStrictEqual(waiting.waits, [{ position: 0, waitMs: 55_000 }]);

    // The first answer used 600 more than estimated, booked at t = 5 000: at 60 000 the window
    // still holds 600, so the wait now lasts until 65 000.
    limiter.adjustTokens(+600);
    await flush();
    assert.deepStrictEqual(lastWait(waiting), { position: 0, waitMs: 60_000 });

    // Then less after all: 600 + 600 - 800 = 400 in the window, and 400 + 500 fits now.
    await clock.advance(1000);
    limiter.adjustTokens(-800);
    await flush();
    assert.strictEqual(waiting.done, true);
  });

  test('FIFO: a small later request does not overtake a big earlier one', async () => {
    const limiter = new RateLimiter({ tokensPerMinute: 1000 }, clock);
    const first = track(limiter, 900);
    const big = track(limiter, 800);
    const small = track(limiter, 50); // 900 + 50 would fit, but it is behind the 800
    await flush();
    assert.ok(first.done);
    assert.strictEqual(big.done, false);
    assert.strictEqual(small.done, false);
    assert.deepStrictEqual(small.waits, [{ position: 1, waitMs: 60_000 }]);
    await clock.advance(60_000);
    assert.ok(big.done && small.done, 'both fit once the 900 left: 800 + 50');
  });

  test('a request sent now without waiting its turn (Send Now) still counts against the window', async () => {
    const limiter = new RateLimiter({ requestsPerMinute: 1 }, clock);
    const first = track(limiter, 0);
    await flush();
    assert.ok(first.done);
    await clock.advance(10_000);
    limiter.countSent(0); // the second was sent at t = 10 s on the user's word
    const third = track(limiter, 0);
    await flush();
    assert.deepStrictEqual(third.waits, [{ position: 0, waitMs: 60_000 }], 'it waits for the one sent now to leave the window, not the first');
    await clock.advance(59_999);
    assert.strictEqual(third.done, false);
    await clock.advance(1);
    assert.strictEqual(third.done, true);
  });

  test('abort removes a waiter from the queue and the next one proceeds', async () => {
    const limiter = new RateLimiter({ tokensPerMinute: 1000 }, clock);
    track(limiter, 900);
    const controller = new AbortController();
    const big = track(limiter, 800, controller.signal);
    const small = track(limiter, 50);
    await flush();
    assert.strictEqual(limiter.queueLength, 2);

    controller.abort();
    await flush();
    assert.strictEqual(big.error?.name, 'AbortError');
    assert.strictEqual(small.done, true);
    assert.strictEqual(limiter.queueLength, 0);
  });

  test('abort moves those behind up the queue, and their estimates with it', async () => {
    const limiter = new RateLimiter({ requestsPerMinute: 1 }, clock);
    track(limiter, 0);
    const controller = new AbortController();
    const second = track(limiter, 0, controller.signal);
    const third = track(limiter, 0);
    await flush();
    assert.deepStrictEqual(third.waits, [{ position: 1, waitMs: 120_000 }]);
    controller.abort();
    await flush();
    assert.strictEqual(second.error?.name, 'AbortError');
    assert.deepStrictEqual(lastWait(third), { position: 0, waitMs: 60_000 });
    await clock.advance(60_000);
    assert.ok(third.done);
  });

  test('an already aborted signal rejects at once and counts nothing', async () => {
    const limiter = new RateLimiter({ requestsPerMinute: 1 }, clock);
    const controller = new AbortController();
    controller.abort();
    const aborted = track(limiter, 0, controller.signal);
    const next = track(limiter, 0);
    await flush();
    assert.strictEqual(aborted.error?.name, 'AbortError');
    assert.ok(next.done);
  });

  test('updateFromHeaders: remaining 0 with reset 2s blocks for 2 s', async () => {
    const limiter = new RateLimiter({}, clock);
    limiter.updateFromHeaders(
      new Headers({ 'x-ratelimit-remaining-requests': '0', 'x-ratelimit-reset-requests': '2s', 'x-ratelimit-remaining-tokens': '9000' }),
    );
    const waiting = track(limiter, 10);
    await flush();
    assert.deepStrictEqual(waiting.waits, [{ position: 0, waitMs: 2000 }]);
    await clock.advance(1999);
    assert.strictEqual(waiting.done, false);
    await clock.advance(1);
    assert.strictEqual(waiting.done, true);
  });

  test('updateFromHeaders: remaining tokens 0 blocks until the token reset; a non-zero count does not block', async () => {
    const limiter = new RateLimiter({}, clock);
    limiter.updateFromHeaders({ 'x-ratelimit-remaining-requests': '4', 'x-ratelimit-reset-requests': '9s' });
    const free = track(limiter, 0);
    await flush();
    assert.ok(free.done);
    limiter.updateFromHeaders({ 'x-ratelimit-remaining-tokens': '0', 'x-ratelimit-reset-tokens': '1m30s' });
    const waiting = track(limiter, 0);
    await flush();
    assert.deepStrictEqual(waiting.waits, [{ position: 0, waitMs: 90_000 }]);
    await clock.advance(90_000);
    assert.ok(waiting.done);
  });

  test('updateFromHeaders: a server limit below the configured one is used', async () => {
    const limiter = new RateLimiter({ requestsPerMinute: 100 }, clock);
    limiter.updateFromHeaders({ 'x-ratelimit-limit-requests': '2', 'x-ratelimit-limit-tokens': '1000000' });
    const a = track(limiter, 0);
    const b = track(limiter, 0);
    const c = track(limiter, 0);
    await flush();
    assert.ok(a.done && b.done);
    assert.strictEqual(c.done, false);
    // A higher configured limit does not override the server's; a lower one still applies.
    limiter.setLimits({ requestsPerMinute: 1000 });
    await flush();
    assert.strictEqual(c.done, false);
  });

  test('pauseUntil blocks everything until then; pauseUntil(0) lifts it', async () => {
    const limiter = new RateLimiter({}, clock);
    limiter.pauseUntil(clock.now() + 5000);
    const a = track(limiter, 0);
    await flush();
    assert.deepStrictEqual(a.waits, [{ position: 0, waitMs: 5000 }]);
    await clock.advance(5000);
    assert.ok(a.done);

    limiter.pauseUntil(clock.now() + 3_600_000);
    const b = track(limiter, 0);
    await clock.advance(120_000);
    assert.strictEqual(b.done, false);
    assert.ok(clock.timers.length <= 1);
    assert.ok((clock.timers[0]?.at ?? Infinity) - clock.now() <= 60_000, 'long waits use bounded timers');
    limiter.pauseUntil(0);
    await flush();
    assert.ok(b.done);
  });

  test('setLimits loosening releases waiters', async () => {
    const limiter = new RateLimiter({ requestsPerMinute: 1 }, clock);
    track(limiter, 0);
    const b = track(limiter, 0);
    const c = track(limiter, 0);
    await flush();
    assert.strictEqual(limiter.queueLength, 2);
    limiter.setLimits({ requestsPerMinute: 3 });
    await flush();
    assert.ok(b.done && c.done);
    assert.strictEqual(limiter.queueLength, 0);
    assert.strictEqual(clock.timers.length, 0);
  });

  test('setLimits tightening makes new requests wait', async () => {
    const limiter = new RateLimiter({}, clock);
    for (let i = 0; i < 5; i++) track(limiter, 0);
    await flush();
    limiter.setLimits({ requestsPerMinute: 5, tokensPerMinute: 0 });
    const sixth = track(limiter, 0);
    await flush();
    assert.strictEqual(sixth.done, false);
    limiter.setLimits({ requestsPerMinute: 0 });
    await flush();
    assert.ok(sixth.done);
  });

  test('dispose rejects pending acquires with AbortError and clears its timer', async () => {
    const limiter = new RateLimiter({ requestsPerMinute: 1 }, clock);
    track(limiter, 0);
    const b = track(limiter, 0);
    const c = track(limiter, 0);
    await flush();
    assert.strictEqual(clock.timers.length, 1);
    limiter.dispose();
    await flush();
    assert.strictEqual(b.error?.name, 'AbortError');
    assert.strictEqual(c.error?.name, 'AbortError');
    assert.strictEqual(limiter.queueLength, 0);
    assert.strictEqual(clock.timers.length, 0);
    const late = track(limiter, 0);
    await flush();
    assert.strictEqual(late.error?.name, 'AbortError');
  });

  test('a request larger than the whole TPM limit goes through on an empty window', async () => {
    const limiter = new RateLimiter({ tokensPerMinute: 1000 }, clock);
    const huge = track(limiter, 5000);
    await flush();
    assert.ok(huge.done);

    // With something in the window it waits until the window is empty, not forever.
    await clock.advance(60_000);
    track(limiter, 100);
    await clock.advance(10_000);
    const again = track(limiter, 5000);
    await flush();
    assert.deepStrictEqual(again.waits, [{ position: 0, waitMs: 50_000 }]);
    await clock.advance(50_000);
    assert.ok(again.done);
  });

  test('no limits: nothing waits and no timer is set', async () => {
    const limiter = new RateLimiter({}, clock);
    const all = Array.from({ length: 50 }, () => track(limiter, 10_000));
    await flush();
    assert.ok(all.every(t => t.done));
    assert.strictEqual(clock.timers.length, 0);
  });

  test('the default clock works with real timers', async () => {
    const limiter = new RateLimiter({ requestsPerMinute: 10 });
    await limiter.acquire(1);
    limiter.pauseUntil(Date.now() + 20);
    const started = Date.now();
    await limiter.acquire(1);
    assert.ok(Date.now() - started >= 15, 'waited for the pause');
    limiter.dispose();
  });
});
