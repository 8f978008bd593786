/**
 * The one retry implementation of los2mo's HTTP clients (MO, its token endpoint, DAR): p-retry
 * with our own delay — exponential backoff (optionally with ±50 % jitter), never shorter than a
 * server's Retry-After (capped) — and node:timers/promises' sleep. Only a `TransientError` is
 * retried; anything else ends the loop at once.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import pRetry from 'p-retry';
import { redact } from '../log.ts';

export { sleep };

/**
 * A failure worth retrying: network error, timeout, HTTP 5xx/429/408. `ambiguous` marks one after
 * which the server may have carried the request out (the request was sent but its answer was
 * lost: connection reset or closed after sending, timeout, HTTP 502/504 from a proxy).
 */
export class TransientError extends Error {
  constructor(
    message: string,
    /** From a Retry-After header, in milliseconds (not capped). */
    readonly retryAfterMs?: number,
    readonly ambiguous = false,
  ) {
    super(redact(message));
    this.name = 'TransientError';
  }
}

/** Retry-After: delta seconds or an HTTP date → milliseconds (≥ 0), or undefined. */
export function parseRetryAfter(value: string | null | undefined, now = Date.now()): number | undefined {
  if (value == null || value.trim() === '') return undefined;
  const v = value.trim();
  let ms: number;
  if (/^\d+(\.\d+)?$/.test(v)) ms = Number(v) * 1000;
  else {
    const at = Date.parse(v);
    if (Number.isNaN(at)) return undefined;
    ms = at - now;
  }
  return Math.max(0, Math.round(ms));
}

export interface RetryPolicy {
  /** Retries after the first attempt. */
  retries: number;
  /** First backoff delay; doubles per retry. */
  delayMs: number;
  /** Cap of the backoff. */
  maxDelayMs: number;
  /** Cap of a Retry-After. */
  maxRetryAfterMs: number;
  /** ±50 % random jitter on the backoff. */
  jitter: boolean;
}

/** The wait before retry number `retry` (1 = the first retry): max(backoff, capped Retry-After). */
export function retryDelay(policy: RetryPolicy, retry: number, retryAfterMs?: number, random = Math.random): number {
  const base = Math.min(policy.maxDelayMs, policy.delayMs * 2 ** (retry - 1));
  const backoff = Math.round(policy.jitter ? base * (0.5 + random()) : base);
  return retryAfterMs === undefined ? backoff : Math.max(backoff, Math.min(policy.maxRetryAfterMs, retryAfterMs));
}

export interface RetryEvent {
  /** The attempt that failed (1 = the first). */
  attempt: number;
  /** Redacted, e.g. `HTTP 502`, `network error: ECONNRESET: socket hang up`. */
  reason: string;
  /** The wait before the next attempt. */
  delayMs: number;
  error: TransientError;
}

/**
 * `attempt(n)` (n = 1, 2, …) until it succeeds, throws something other than a TransientError, or
 * the retries are used up (then the last TransientError is thrown). Before each retry `onRetry`
 * is told, then the delay is slept.
 */
export function withRetries<T>(attempt: (n: number) => Promise<T>, policy: RetryPolicy, onRetry?: (e: RetryEvent) => void): Promise<T> {
  return pRetry(attempt, {
    retries: policy.retries,
    minTimeout: 0, // the delay is ours (onFailedAttempt), p-retry adds none
    maxTimeout: 0,
    randomize: false,
    shouldRetry: ({ error }) => error instanceof TransientError,
    onFailedAttempt: async ({ error, attemptNumber, retriesLeft }) => {
      if (!(error instanceof TransientError) || retriesLeft <= 0) return;
      const delayMs = retryDelay(policy, attemptNumber, error.retryAfterMs);
      onRetry?.({ attempt: attemptNumber, reason: redact(error.message), delayMs, error });
      await sleep(delayMs);
    },
  });
}

/**
 * A short, secret-free reason for a fetch failure, e.g. `ECONNRESET: socket hang up`: from
 * node-fetch's FetchError (`code`, "request to … failed, reason: …") or an error's cause.
 */
export function networkReason(error: unknown): string {
  type Detail = { code?: unknown; message?: unknown };
  const e = error as (Detail & { cause?: Detail }) | undefined;
  const cause = e?.cause && typeof e.cause === 'object' ? e.cause : undefined;
  const code = [cause?.code, e?.code].find((c): c is string => typeof c === 'string');
  const text = typeof cause?.message === 'string' ? cause.message : typeof e?.message === 'string' ? e.message : String(error);
  const message = text.replace(/^request to \S+ failed, reason: /, '');
  return redact(code && !message.includes(code) ? `${code}: ${message}` : message);
}

/** Network errors that mean the request never reached the server (nothing can have happened there). */
const NOT_SENT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

/** Whether a network error leaves it open whether the server carried the request out. */
export function networkErrorIsAmbiguous(error: unknown): boolean {
  const e = error as { code?: unknown; errno?: unknown; cause?: { code?: unknown } } | undefined;
  const code = [e?.cause?.code, e?.code, e?.errno].find((c): c is string => typeof c === 'string');
  return !(code && NOT_SENT.has(code));
}
