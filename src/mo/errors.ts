/** Errors of the MO client. Messages pass through `redact`: no client secret, token or CPR number. */
import { Los2moError } from '../errors.ts';
import { redact } from '../log.ts';
import type { MoErrorInfo, WriteResult } from './types.ts';

export type { MoErrorInfo } from './types.ts';

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
