// When a failed request is sent again, and after how long. Pure: the caller owns the clock, the
// timers and the randomness, so every branch is a unit test. The `openai` client runs with
// `maxRetries: 0` because its own retries would re-send after tokens arrived and would sleep through
// a ten-minute Retry-After without asking.

/** A WHATWG `Headers` (what the `openai` package hands out) or a Node headers record. */
export type HeaderBag = { get(name: string): string | null } | Record<string, string | string[] | undefined>;

export const MAX_AUTO_RETRIES = 2;
/** A server that asks for a longer wait gets a question to the user instead of a silent sleep. */
export const MAX_AUTO_WAIT_MS = 60_000;

const BACKOFF_BASE_MS = 500;
const BACKOFF_CAP_MS = 8_000;

/** One value of a header, case-insensitively; the first one when a record holds several. */
export function headerValue(headers: HeaderBag, name: string): string | undefined {
  if (typeof headers.get === 'function') {
    return (headers as { get(name: string): string | null }).get(name) ?? undefined;
  }
  const record = headers as Record<string, string | string[] | undefined>;
  const wanted = name.toLowerCase();
  // Node lower-cases incoming names, but a record built by hand may not.
  const key = wanted in record ? wanted : Object.keys(record).find(k => k.toLowerCase() === wanted);
  const value = key === undefined ? undefined : record[key];
  return Array.isArray(value) ? value[0] : value;
}

const UNIT_MS: Record<string, number> = {
  h: 3_600_000,
  m: 60_000,
  s: 1_000,
  ms: 1,
  us: 0.001,
  'µs': 0.001,
  'μs': 0.001,
  ns: 0.000_001,
};

/**
 * An OpenAI reset duration (Go's `time.Duration` text: `1s`, `6m0s`, `12ms`, `1h2m3.5s`) in ms.
 * Undefined for anything else, a bare number included: its unit would be a guess.
 */
export function parseDuration(text: string): number | undefined {
  const trimmed = text.trim();
  if (!trimmed) return undefined;
  // Longest units first in the alternation so `ms` is not read as `m` followed by garbage.
  const part = /(\d+(?:\.\d*)?|\.\d+)(ms|us|µs|μs|ns|h|m|s)/y;
  let total = 0;
  let index = 0;
  while (index < trimmed.length) {
    part.lastIndex = index;
    const match = part.exec(trimmed);
    if (!match) return undefined;
    total += Number(match[1]) * UNIT_MS[match[2]];
    index = part.lastIndex;
  }
  return Number.isFinite(total) ? total : undefined;
}

function nonNegativeNumber(text: string | undefined): number | undefined {
  if (text === undefined || !/^\s*(\d+(\.\d*)?|\.\d+)\s*$/.test(text)) return undefined;
  const n = Number(text);
  return Number.isFinite(n) ? n : undefined;
}

/** `retry-after-ms`, then `Retry-After` (seconds or an HTTP date): what a server says explicitly. */
function explicitRetryAfterMs(headers: HeaderBag, now: number): number | undefined {
  const ms = nonNegativeNumber(headerValue(headers, 'retry-after-ms'));
  if (ms !== undefined) return Math.ceil(ms);
  const retryAfter = headerValue(headers, 'retry-after');
  if (retryAfter === undefined) return undefined;
  const seconds = nonNegativeNumber(retryAfter);
  if (seconds !== undefined) return Math.ceil(seconds * 1000);
  // An HTTP date always names a day or month; Date.parse would otherwise accept `-5` as a year.
  if (!/[a-z]/i.test(retryAfter)) return undefined;
  const at = Date.parse(retryAfter);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** The larger of `x-ratelimit-reset-requests` and `x-ratelimit-reset-tokens`. */
function rateLimitResetMs(headers: HeaderBag): number | undefined {
  const resets = ['x-ratelimit-reset-requests', 'x-ratelimit-reset-tokens']
    .map(name => headerValue(headers, name))
    .map(text => (text === undefined ? undefined : parseDuration(text)))
    .filter((ms): ms is number => ms !== undefined);
  return resets.length ? Math.ceil(Math.max(...resets)) : undefined;
}

/** How long the server asked us to wait, by precedence; a header that does not parse is skipped. */
export function retryAfterMs(headers: HeaderBag, now: number): number | undefined {
  return explicitRetryAfterMs(headers, now) ?? rateLimitResetMs(headers);
}

/** Exponential backoff with full jitter, so clients that failed together do not retry together. */
export function backoffMs(attempt: number, random: () => number = Math.random): number {
  const exponent = Math.max(0, Math.floor(attempt));
  const ceiling = Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** exponent);
  const r = Math.min(1, Math.max(0, random()));
  return Math.floor(r * ceiling);
}

export interface RetryInput {
  /** Retries already done (0 for the first failure). */
  attempt: number;
  /** HTTP status, undefined for connection errors. */
  status?: number;
  /** error.code or error.type from the body, e.g. 'insufficient_quota'. */
  errorCode?: string;
  /** Refused, reset or timed out before any response. */
  connectionError?: boolean;
  headers?: HeaderBag;
  /** Any content arrived already. */
  receivedTokens: boolean;
  now: number;
  random?: () => number;
}

export type RetryDecision =
  | { action: 'retry'; delayMs: number; reason: 'server' | 'backoff' }
  /** The server wants more than MAX_AUTO_WAIT_MS: tell the user when, offer Retry now / Cancel. */
  | { action: 'ask'; retryAt: number; delayMs: number }
  | { action: 'fail'; why: 'not-retryable' | 'quota' | 'tokens-received' | 'max-retries' };

function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 409 || status === 429 || (status >= 500 && status <= 599);
}

export function decideRetry(input: RetryInput): RetryDecision {
  // A second answer would be appended to, or replace, text the user may already be reading.
  if (input.receivedTokens) return { action: 'fail', why: 'tokens-received' };
  // A 429 for billing: waiting does not bring quota back.
  if (input.errorCode === 'insufficient_quota') return { action: 'fail', why: 'quota' };
  const retryable = input.status === undefined ? input.connectionError === true : isRetryableStatus(input.status);
  if (!retryable) return { action: 'fail', why: 'not-retryable' };
  if (input.attempt >= MAX_AUTO_RETRIES) return { action: 'fail', why: 'max-retries' };

  // The reset headers ride on every OpenAI response; they say when a rate limit refills, which only
  // answers "when to come back" for a 429. A 503 with `x-ratelimit-reset-tokens: 6m0s` is not a
  // request to wait six minutes.
  const serverMs = input.headers
    ? input.status === 429
      ? retryAfterMs(input.headers, input.now)
      : explicitRetryAfterMs(input.headers, input.now)
    : undefined;
  if (serverMs === undefined) {
    return { action: 'retry', delayMs: backoffMs(input.attempt, input.random), reason: 'backoff' };
  }
  if (serverMs > MAX_AUTO_WAIT_MS) return { action: 'ask', retryAt: input.now + serverMs, delayMs: serverMs };
  return { action: 'retry', delayMs: serverMs, reason: 'server' };
}
