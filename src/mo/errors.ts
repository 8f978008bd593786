/** Errors of the MO client. Messages pass through `redact`: no client secret, token or CPR number. */
import { Los2moError } from '../errors.ts';
import { redact } from '../log.ts';
import type { WriteResult } from './batch.ts';

export interface MoErrorInfo {
  message: string;
  /** `extensions.error_context.error_key`, e.g. `E_NOT_FOUND`, `V_DATE_OUTSIDE_ORG_UNIT_RANGE`. */
  error_key?: string;
  /** The GraphQL error's path as MO returned it (for writes the first element is the request's alias). */
  path?: (string | number)[];
  /** Writes: the mutation of the group that failed, e.g. `class_update`, when MO's answer names it. */
  mutation?: string;
}

/** MO answered with GraphQL errors, refused the request, or could not be reached after all retries. Exit status 1. */
export class MoError extends Los2moError {
  readonly errors: MoErrorInfo[];
  /** HTTP status when the failure was an HTTP one. */
  readonly status?: number;
  /** write(): what was written and failed before the write was aborted. */
  partial?: WriteResult;
  constructor(message: string, errors: MoErrorInfo[] = [], status?: number) {
    super(redact(message), 1);
    this.errors = errors.map((e) => ({ ...e, message: redact(e.message) }));
    this.status = status;
  }
}

/** A failure worth retrying: network error, timeout, HTTP 5xx/429/408. */
export class TransientError extends Error {
  constructor(
    message: string,
    /** From a Retry-After header, in milliseconds. */
    readonly retryAfterMs?: number,
  ) {
    super(redact(message));
    this.name = 'TransientError';
  }
}

/** Longest Retry-After we honour. */
export const MAX_RETRY_AFTER_MS = 120_000;

/** Retry-After: delta seconds or an HTTP date → milliseconds (capped), or undefined. */
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
  return Math.min(MAX_RETRY_AFTER_MS, Math.max(0, Math.round(ms)));
}

interface RawGraphqlError {
  message?: unknown;
  path?: unknown;
  extensions?: { error_context?: { error_key?: unknown } };
}

/** A GraphQL `errors[]` entry → MoErrorInfo. */
export function toErrorInfo(raw: unknown): MoErrorInfo {
  const e = (raw ?? {}) as RawGraphqlError;
  const info: MoErrorInfo = { message: redact(typeof e.message === 'string' ? e.message : JSON.stringify(raw)) };
  const key = e.extensions?.error_context?.error_key;
  if (typeof key === 'string') info.error_key = key;
  if (Array.isArray(e.path) && e.path.every((p) => typeof p === 'string' || typeof p === 'number')) info.path = e.path as (string | number)[];
  return info;
}

/** `E_NOT_FOUND, V_EXISTING_CPR` or the first messages when there are no keys. */
export function describeErrors(errors: MoErrorInfo[]): string {
  const keys = [...new Set(errors.map((e) => e.error_key).filter((k): k is string => !!k))];
  if (keys.length) return keys.join(', ');
  const messages = [...new Set(errors.map((e) => e.message))];
  const shown = messages.slice(0, 3).map((m) => (m.length > 300 ? `${m.slice(0, 300)}…` : m));
  return shown.join('; ') + (messages.length > 3 ? ` (+${messages.length - 3} more)` : '');
}
