// Every failure becomes a kind and a sentence that says what happened; the host adds the next step.
import OpenAI from 'openai';
import type { ErrorKind } from '../protocol';
import type { ChatRequest, LlmFailure } from './types';
import { redactSecrets } from '../core/redact';
import { isLoopback } from '../core/endpoint';

/** A failure signalled inside a 200 stream, or a stream that made no sense. */
export class StreamError extends Error {
  constructor(
    readonly kind: ErrorKind,
    message: string,
    readonly requestId?: string,
  ) {
    super(message);
  }
}

/** The server wants us back later than we wait by ourselves. */
export class RetryLaterError extends Error {
  constructor(
    readonly retryAt: number,
    readonly original: unknown,
  ) {
    super('retry later');
  }
}

function serverMessage(err: InstanceType<typeof OpenAI.APIError>): string {
  const body = err.error as { message?: unknown } | undefined;
  if (body && typeof body.message === 'string' && body.message) return body.message;
  return err.message;
}

function code(err: InstanceType<typeof OpenAI.APIError>): string {
  const body = err.error as { code?: unknown; type?: unknown } | undefined;
  return `${String(err.code ?? body?.code ?? '')} ${String(err.type ?? body?.type ?? '')}`;
}

function causeCode(err: unknown): string {
  let e: unknown = err;
  for (let i = 0; i < 5 && e && typeof e === 'object'; i++) {
    const c = (e as { code?: unknown }).code;
    if (typeof c === 'string') return c;
    e = (e as { cause?: unknown }).cause;
  }
  return '';
}

/** True when fetch refused to follow a redirect (Tandem never follows one: it could carry the key elsewhere). */
export function isRedirectRefusal(err: unknown): boolean {
  let e: unknown = err;
  for (let i = 0; i < 5 && e && typeof e === 'object'; i++) {
    if (/redirect/i.test(String((e as { message?: unknown }).message ?? ''))) return true;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}

const REDIRECT_MESSAGE = (baseUrl: string) =>
  `${baseUrl} answered with a redirect, and Tandem never follows one (it could carry your key to another server). Set "tandem.baseUrl" to the address the server redirects to.`;

export function describeError(err: unknown, req: Pick<ChatRequest, 'baseUrl' | 'model'>): LlmFailure {
  const fail = (kind: ErrorKind, message: string, status?: number, requestId?: string): LlmFailure => ({
    kind,
    message: redactSecrets(message),
    status,
    requestId: requestId ?? undefined,
  });
  if (err instanceof RetryLaterError) return { ...describeError(err.original, req), retryAt: err.retryAt };
  if (err instanceof StreamError) return fail(err.kind, err.message, undefined, err.requestId);
  if (err instanceof OpenAI.APIUserAbortError || (err instanceof Error && err.name === 'AbortError')) return fail('cancelled', 'Stopped.');
  if (err instanceof OpenAI.APIConnectionTimeoutError) {
    return fail('timeout', `${req.baseUrl} did not answer in time. Check that the server is running and reachable.`);
  }
  if (err instanceof OpenAI.APIConnectionError) {
    if (isRedirectRefusal(err)) return fail('connection', REDIRECT_MESSAGE(req.baseUrl));
    const c = causeCode(err);
    if (c === 'ECONNREFUSED') {
      const hint = isLoopback(req.baseUrl) ? ' Is the local server (for example Ollama or LM Studio) running?' : '';
      return fail('connection', `Could not connect to ${req.baseUrl}: the connection was refused.${hint}`);
    }
    if (c === 'ENOTFOUND' || c === 'EAI_AGAIN') {
      return fail('connection', `Could not find the server ${req.baseUrl} (DNS lookup failed). Check the base URL and your network.`);
    }
    if (/CERT|SSL|TLS/i.test(c)) {
      return fail('connection', `The TLS certificate of ${req.baseUrl} was not accepted (${c}). Check the URL, or your proxy's certificate.`);
    }
    if (c === 'ECONNRESET' || c === 'UND_ERR_SOCKET') {
      return fail('connection', `The connection to ${req.baseUrl} was reset before an answer arrived.`);
    }
    return fail('connection', `Could not reach ${req.baseUrl}${c ? ` (${c})` : ''}.`);
  }
  if (err instanceof OpenAI.APIError) {
    const status = err.status;
    const msg = serverMessage(err);
    const rid = err.requestID ?? undefined;
    const c = code(err);
    if (status === undefined) return fail('server', `The server reported an error in the stream: ${msg}`, undefined, rid);
    if (/insufficient_quota/.test(c)) {
      return fail('quota', `Your account has no quota left: this is a billing matter, not a rate limit. Server said: ${msg}`, status, rid);
    }
    if (/context_length_exceeded/.test(c)) return fail('contextLength', `The request is longer than the model's context window. Server said: ${msg}`, status, rid);
    switch (status) {
      case 401:
        return fail('auth', `The server rejected the API key (401). Server said: ${msg}`, status, rid);
      case 403:
        return fail('permission', `The key is not allowed to use this (403). Server said: ${msg}`, status, rid);
      case 404:
        return fail('notFound', `Model "${req.model}" or the endpoint ${req.baseUrl} was not found (404). Server said: ${msg}`, status, rid);
      case 429:
        return fail('rateLimited', `Rate limited by the server (429). Server said: ${msg}`, status, rid);
      case 400:
      case 422:
        return fail('badRequest', `The server refused the request (${status}). Server said: ${msg}`, status, rid);
      case 408:
        return fail('timeout', `The server timed out (408). Server said: ${msg}`, status, rid);
      default:
        if (status !== undefined && status >= 500) return fail('server', `The server failed (${status}). Server said: ${msg}`, status, rid);
        return fail('unknown', `Request failed${status ? ` (${status})` : ''}: ${msg}`, status, rid);
    }
  }
  if (err instanceof OpenAI.OpenAIError) return fail('malformedStream', `The server's answer could not be read: ${err.message}`);
  if (err instanceof SyntaxError) return fail('malformedStream', `The server sent data that is not valid JSON: ${err.message}`);
  return fail('unknown', err instanceof Error ? err.message : String(err));
}
