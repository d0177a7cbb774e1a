// The retry policy as a table: which failures are sent again, after how long, and when the user decides.
import * as assert from 'assert';
import {
  backoffMs,
  decideRetry,
  MAX_AUTO_RETRIES,
  MAX_AUTO_WAIT_MS,
  parseDuration,
  retryAfterMs,
  type RetryInput,
} from '../../src/llm/retryPolicy';

const NOW = Date.parse('Wed, 21 Oct 2015 07:28:00 GMT');

suite('retryPolicy: parseDuration', () => {
  const table: Array<[string, number | undefined]> = [
    ['1s', 1000],
    ['6m0s', 360_000],
    ['12ms', 12],
    ['1h2m3.5s', 3_723_500],
    ['0.5s', 500],
    ['20m', 1_200_000],
    ['1m30.25s', 90_250],
    ['0s', 0],
    ['', undefined],
    ['abc', undefined],
    ['-1s', undefined],
    ['12', undefined],
    ['1s junk', undefined],
    ['s', undefined],
  ];
  for (const [text, expected] of table) {
    test(`${JSON.stringify(text)} -> ${expected}`, () => {
      assert.strictEqual(parseDuration(text), expected);
    });
  }
});

suite('retryPolicy: retryAfterMs', () => {
  test('retry-after-ms beats Retry-After, which beats the reset headers', () => {
    const all = { 'retry-after-ms': '250', 'retry-after': '7', 'x-ratelimit-reset-requests': '20s' };
    assert.strictEqual(retryAfterMs(all, NOW), 250);
    assert.strictEqual(retryAfterMs({ 'retry-after': '7', 'x-ratelimit-reset-requests': '20s' }, NOW), 7000);
    assert.strictEqual(retryAfterMs({ 'x-ratelimit-reset-requests': '20s' }, NOW), 20_000);
  });

  test('Retry-After in whole and fractional seconds', () => {
    assert.strictEqual(retryAfterMs({ 'retry-after': '30' }, NOW), 30_000);
    assert.strictEqual(retryAfterMs({ 'retry-after': '1.5' }, NOW), 1500);
    assert.strictEqual(retryAfterMs({ 'retry-after': '0' }, NOW), 0);
  });

  test('Retry-After as an HTTP date, and a date in the past is 0', () => {
    assert.strictEqual(retryAfterMs({ 'retry-after': 'Wed, 21 Oct 2015 07:28:30 GMT' }, NOW), 30_000);
    assert.strictEqual(retryAfterMs({ 'retry-after': 'Wed, 21 Oct 2015 07:20:00 GMT' }, NOW), 0);
  });

  test('both reset headers: the larger wins', () => {
    const h = { 'x-ratelimit-reset-requests': '1s', 'x-ratelimit-reset-tokens': '6m0s' };
    assert.strictEqual(retryAfterMs(h, NOW), 360_000);
    assert.strictEqual(retryAfterMs({ 'x-ratelimit-reset-requests': '12ms', 'x-ratelimit-reset-tokens': '0.5s' }, NOW), 500);
    assert.strictEqual(retryAfterMs({ 'x-ratelimit-reset-tokens': '2s', 'x-ratelimit-reset-requests': 'soon' }, NOW), 2000);
  });

  test('negative or garbage values are skipped; nothing usable is undefined', () => {
    assert.strictEqual(retryAfterMs({}, NOW), undefined);
    assert.strictEqual(retryAfterMs({ 'retry-after-ms': '-5' }, NOW), undefined);
    assert.strictEqual(retryAfterMs({ 'retry-after': '-5' }, NOW), undefined);
    assert.strictEqual(retryAfterMs({ 'retry-after': 'later' }, NOW), undefined);
    assert.strictEqual(retryAfterMs({ 'retry-after-ms': 'soon', 'retry-after': '3' }, NOW), 3000);
    assert.strictEqual(retryAfterMs({ 'retry-after': 'nope', 'x-ratelimit-reset-tokens': '4s' }, NOW), 4000);
  });

  test('a WHATWG Headers object, case-insensitively', () => {
    const h = new Headers({ 'Retry-After-Ms': '120', 'Retry-After': '9' });
    assert.strictEqual(retryAfterMs(h, NOW), 120);
    assert.strictEqual(retryAfterMs(new Headers({ 'Retry-After': '9' }), NOW), 9000);
    assert.strictEqual(retryAfterMs(new Headers({ 'X-RateLimit-Reset-Tokens': '1m0s' }), NOW), 60_000);
    assert.strictEqual(retryAfterMs(new Headers(), NOW), undefined);
  });

  test('a plain Node headers record, with arrays and undefined values', () => {
    assert.strictEqual(retryAfterMs({ 'retry-after': ['4', '8'] }, NOW), 4000);
    assert.strictEqual(retryAfterMs({ 'retry-after-ms': undefined, 'retry-after': '2' }, NOW), 2000);
    assert.strictEqual(retryAfterMs({ 'Retry-After': '5' }, NOW), 5000);
  });
});

suite('retryPolicy: backoffMs', () => {
  test('stays within 0 .. min(8000, 500 * 2^attempt) for many random values', () => {
    let seed = 42;
    // A small deterministic generator: a failing case is reproducible.
    const random = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    for (let attempt = 0; attempt < 8; attempt++) {
      const cap = Math.min(8000, 500 * 2 ** attempt);
      for (let i = 0; i < 500; i++) {
        const d = backoffMs(attempt, random);
        assert.ok(d >= 0 && d <= cap, `attempt ${attempt}: ${d} outside 0..${cap}`);
      }
    }
  });

  test('random() = 1 gives the cap, random() = 0 gives 0', () => {
    assert.deepStrictEqual(
      [0, 1, 2, 3, 4, 5, 10].map(a => backoffMs(a, () => 1)),
      [500, 1000, 2000, 4000, 8000, 8000, 8000],
    );
    assert.strictEqual(backoffMs(3, () => 0), 0);
  });

  test('uses Math.random by default', () => {
    for (let i = 0; i < 50; i++) {
      const d = backoffMs(1);
      assert.ok(d >= 0 && d <= 1000);
    }
  });
});

suite('retryPolicy: decideRetry', () => {
  const base = (over: Partial<RetryInput> = {}): RetryInput => ({
    attempt: 0,
    receivedTokens: false,
    now: NOW,
    random: () => 0.5,
    ...over,
  });

  for (const status of [408, 409, 429, 500, 502, 503, 504]) {
    test(`${status} is retried with backoff`, () => {
      assert.deepStrictEqual(decideRetry(base({ status })), { action: 'retry', delayMs: 250, reason: 'backoff' });
      assert.deepStrictEqual(decideRetry(base({ status, attempt: 1 })), { action: 'retry', delayMs: 500, reason: 'backoff' });
    });
  }

  for (const status of [400, 401, 403, 404, 422]) {
    test(`${status} is not retried`, () => {
      assert.deepStrictEqual(decideRetry(base({ status, headers: { 'retry-after': '1' } })), {
        action: 'fail',
        why: 'not-retryable',
      });
    });
  }

  test('insufficient_quota is a billing matter, never retried', () => {
    assert.deepStrictEqual(decideRetry(base({ status: 429, errorCode: 'insufficient_quota', headers: { 'retry-after': '1' } })), {
      action: 'fail',
      why: 'quota',
    });
  });

  test('nothing is re-sent once a token arrived', () => {
    assert.deepStrictEqual(decideRetry(base({ status: 503, receivedTokens: true })), { action: 'fail', why: 'tokens-received' });
    assert.deepStrictEqual(decideRetry(base({ connectionError: true, receivedTokens: true })), {
      action: 'fail',
      why: 'tokens-received',
    });
  });

  test(`at most ${MAX_AUTO_RETRIES} automatic retries`, () => {
    assert.deepStrictEqual(decideRetry(base({ status: 503, attempt: 2 })), { action: 'fail', why: 'max-retries' });
    assert.deepStrictEqual(decideRetry(base({ status: 429, attempt: 2, headers: { 'retry-after': '1' } })), {
      action: 'fail',
      why: 'max-retries',
    });
  });

  test('Retry-After 30 is waited for automatically', () => {
    assert.deepStrictEqual(decideRetry(base({ status: 429, headers: { 'retry-after': '30' } })), {
      action: 'retry',
      delayMs: 30_000,
      reason: 'server',
    });
    assert.deepStrictEqual(decideRetry(base({ status: 503, headers: new Headers({ 'Retry-After': '30' }) })), {
      action: 'retry',
      delayMs: 30_000,
      reason: 'server',
    });
  });

  test(`exactly ${MAX_AUTO_WAIT_MS} ms is still automatic`, () => {
    assert.deepStrictEqual(decideRetry(base({ status: 429, headers: { 'retry-after': '60' } })), {
      action: 'retry',
      delayMs: 60_000,
      reason: 'server',
    });
  });

  test('Retry-After 120 asks the user, saying when', () => {
    assert.deepStrictEqual(decideRetry(base({ status: 429, headers: { 'retry-after': '120' } })), {
      action: 'ask',
      retryAt: NOW + 120_000,
      delayMs: 120_000,
    });
  });

  test('a 429 with only reset headers waits for the larger reset', () => {
    const headers = { 'x-ratelimit-reset-requests': '2s', 'x-ratelimit-reset-tokens': '5.5s' };
    assert.deepStrictEqual(decideRetry(base({ status: 429, headers })), { action: 'retry', delayMs: 5500, reason: 'server' });
    assert.deepStrictEqual(decideRetry(base({ status: 429, headers: { 'x-ratelimit-reset-tokens': '6m0s' } })), {
      action: 'ask',
      retryAt: NOW + 360_000,
      delayMs: 360_000,
    });
  });

  test('the reset headers on a 5xx say when a limit refills, not when to retry: backoff', () => {
    assert.deepStrictEqual(decideRetry(base({ status: 503, headers: { 'x-ratelimit-reset-tokens': '6m0s' } })), {
      action: 'retry',
      delayMs: 250,
      reason: 'backoff',
    });
  });

  test('a connection error before any response is retried with backoff', () => {
    assert.deepStrictEqual(decideRetry(base({ connectionError: true })), { action: 'retry', delayMs: 250, reason: 'backoff' });
    assert.deepStrictEqual(decideRetry(base({ connectionError: true, random: () => 1, attempt: 1 })), {
      action: 'retry',
      delayMs: 1000,
      reason: 'backoff',
    });
  });

  test('no status and no connection error: not retryable', () => {
    assert.deepStrictEqual(decideRetry(base()), { action: 'fail', why: 'not-retryable' });
  });
});
