/**
 * The MO transport: sends one GraphQL document to `{url}/graphql/vNN` and returns MO's answer —
 * HTTP (src/http/agent.ts), the Keycloak token (auth.ts), retries (src/http/retry.ts). Knows
 * nothing of batches or concurrency: the client (client.ts) limits requests in flight and the
 * batcher (batcher.ts) packs writes. As node-postgres' Client is to its Pool.
 */
import { parse, type OperationDefinitionNode } from 'graphql';
import { Agents, textOf } from '../http/agent.ts';
import { networkErrorIsAmbiguous, networkReason, TransientError, parseRetryAfter, withRetries, type RetryPolicy } from '../http/retry.ts';
import { addSecret } from '../log.ts';
import { TokenSource } from './auth.ts';
import { MoError, type MoErrorInfo } from './errors.ts';
import type { ObjectRef } from './types.ts';

export type MoEvent =
  | { type: 'request'; ms: number; mutations: number }
  | { type: 'retry'; attempt: number; reason: string; delayMs: number }
  | { type: 'token' }
  | { type: 'reconciled'; committed: number; resent: number }
  | { type: 'failed-object'; ref: ObjectRef; error: MoErrorInfo };

export interface TransportOptions {
  /** MO base URL without a trailing slash */
  url: string;
  version: number;
  authServer?: string;
  realm: string;
  clientId: string;
  clientSecret?: string;
  timeoutMs: number;
  retries: number;
  retryDelayMs: number;
  onEvent?: (e: MoEvent) => void;
}

export interface GraphqlAnswer {
  data?: unknown;
  errors?: unknown[];
}

export interface SendOptions {
  /** mutations in the document, for the `request` event */
  mutations?: number;
  /** for messages; default: the operation's name or root fields */
  label?: string;
  /** counts every HTTP attempt of this send (a write's `requests`) */
  counter?: { requests: number };
  /**
   * Before a retry that follows an ambiguous failure (the request may have been carried out):
   * the body (and its mutations) to send instead, or null when nothing is left to send (then `send` answers `{}`).
   * Without it the same body is sent again.
   */
  afterAmbiguous?: () => Promise<{ body: string; mutations: number } | null>;
}

/** Cap of the exponential backoff. */
const MAX_BACKOFF_MS = 30_000;
/** Longest Retry-After honoured. */
export const MAX_RETRY_AFTER_MS = 120_000;

/** The operation a document is about, for messages: its name or its root fields. */
export function operationLabel(query: string): string {
  try {
    const op = parse(query).definitions.find((d): d is OperationDefinitionNode => d.kind === 'OperationDefinition');
    if (!op) return 'query';
    if (op.name) return `${op.operation} ${op.name.value}`;
    const fields = op.selectionSet.selections.flatMap((s) => (s.kind === 'Field' ? [s.name.value] : []));
    return `${op.operation} ${[...new Set(fields)].slice(0, 3).join(', ') || '?'}`;
  } catch {
    return 'query';
  }
}

export function isUnauthenticated(answer: GraphqlAnswer): boolean {
  const first = answer.errors?.[0] as { message?: unknown } | undefined;
  return first?.message === 'User is not authenticated';
}

export class MoTransport {
  readonly endpoint: string;
  readonly auth: TokenSource | undefined;
  readonly counters = { requests: 0, retries: 0, tokens: 0 };
  private readonly agents = new Agents();
  private readonly policy: RetryPolicy;

  constructor(private readonly opts: TransportOptions) {
    this.endpoint = `${opts.url}/graphql/v${opts.version}`;
    this.policy = { retries: opts.retries, delayMs: opts.retryDelayMs, maxDelayMs: MAX_BACKOFF_MS, maxRetryAfterMs: MAX_RETRY_AFTER_MS, jitter: true };
    if (opts.clientSecret) {
      addSecret(opts.clientSecret);
      this.auth = new TokenSource({
        authServer: opts.authServer ?? `${opts.url}/auth`,
        realm: opts.realm,
        clientId: opts.clientId,
        clientSecret: opts.clientSecret,
        timeoutMs: opts.timeoutMs,
        agents: this.agents,
        onToken: () => {
          this.counters.tokens++;
          this.emit({ type: 'token' });
        },
      });
    }
  }

  emit(e: MoEvent): void {
    try {
      this.opts.onEvent?.(e);
    } catch {
      // a listener's failure is not the client's
    }
  }

  /** One HTTP POST (one attempt): MO's answer, or TransientError / MoError. */
  private async post(body: string, o: SendOptions, mutations: number, token: string | undefined): Promise<GraphqlAnswer> {
    const url = this.endpoint;
    const { timeoutMs } = this.opts;
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), timeoutMs);
    const started = performance.now();
    this.counters.requests++;
    if (o.counter) o.counter.requests++;
    let status: number;
    let text: string;
    let retryAfter: string | null;
    try {
      const res = await this.agents.fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body,
        signal: controller.signal,
      });
      status = res.status;
      retryAfter = res.headers.get('retry-after');
      text = await textOf(res);
    } catch (error) {
      if (controller.signal.aborted) throw new TransientError(`timeout after ${timeoutMs} ms`, undefined, true);
      throw new TransientError(`network error: ${networkReason(error)}`, undefined, networkErrorIsAmbiguous(error));
    } finally {
      clearTimeout(timer);
      this.emit({ type: 'request', ms: Math.round(performance.now() - started), mutations });
    }
    // 502/504: a gateway lost MO's answer (or never got one): MO may have committed
    if (status >= 500 || status === 429 || status === 408) throw new TransientError(`HTTP ${status}`, parseRetryAfter(retryAfter), status === 502 || status === 504);
    if (status !== 200) {
      throw new MoError(`MO ${this.endpoint} answered HTTP ${status}: ${text.slice(0, 300)}`, [{ message: `HTTP ${status}` }], status);
    }
    try {
      const answer = JSON.parse(text) as GraphqlAnswer;
      if (!answer || typeof answer !== 'object') throw new Error('not an object');
      return answer;
    } catch {
      throw new MoError(`MO ${this.endpoint} answered HTTP 200 with a body that is not GraphQL JSON: ${text.slice(0, 200)}`, [], status);
    }
  }

  /**
   * One document, with a token, retried on transient failures; MoError on anything else or when
   * the retries are used up. A "User is not authenticated" answer renews the token once and resends.
   */
  async send(body: string, o: SendOptions = {}): Promise<GraphqlAnswer> {
    let ambiguous = false;
    let mutations = o.mutations ?? 0;
    try {
      return await withRetries(
        async () => {
          if (ambiguous && o.afterAmbiguous) {
            ambiguous = false;
            const next = await o.afterAmbiguous();
            if (next === null) return {};
            ({ body, mutations } = next);
          }
          try {
            let token = await this.auth?.get();
            let answer = await this.post(body, o, mutations, token);
            if (this.auth && token && isUnauthenticated(answer)) {
              this.auth.invalidate(token);
              token = await this.auth.get();
              answer = await this.post(body, o, mutations, token);
            }
            return answer;
          } catch (error) {
            if (error instanceof TransientError && error.ambiguous) ambiguous = true;
            throw error;
          }
        },
        this.policy,
        this.onRetry,
      );
    } catch (error) {
      if (error instanceof MoError) throw error;
      const reason = error instanceof Error ? error.message : String(error);
      const attempts = error instanceof TransientError ? ` after ${this.opts.retries + 1} attempts` : '';
      throw new MoError(`MO ${o.label ?? operationLabel(extractQuery(body))} failed${attempts}: ${reason}`, [{ message: reason }]);
    }
  }

  /** Each retry of a request or of the SDL fetch: counted and told. */
  private readonly onRetry = ({ attempt, reason, delayMs }: { attempt: number; reason: string; delayMs: number }): void => {
    this.counters.retries++;
    this.emit({ type: 'retry', attempt, reason, delayMs });
  };

  /** `GET {endpoint}/schema.graphql`: the SDL of the version los2mo talks to (retried like a request). */
  async schemaSdl(): Promise<string> {
    const url = `${this.endpoint}/schema.graphql`;
    const { timeoutMs } = this.opts;
    try {
      return await withRetries(
        async () => {
          let status: number;
          let text: string;
          try {
            const res = await this.agents.fetch(url, { headers: { accept: 'text/plain' }, signal: AbortSignal.timeout(timeoutMs) });
            status = res.status;
            text = await textOf(res);
          } catch (error) {
            const name = (error as { name?: string }).name;
            throw new TransientError(name === 'AbortError' || name === 'TimeoutError' ? `timeout after ${timeoutMs} ms` : `network error: ${networkReason(error)}`);
          }
          if (status >= 500 || status === 429 || status === 408) throw new TransientError(`HTTP ${status}`);
          if (status !== 200) throw new MoError(`MO ${url} answered HTTP ${status}: ${text.slice(0, 200)}`, [{ message: `HTTP ${status}` }], status);
          return text;
        },
        this.policy,
        this.onRetry,
      );
    } catch (error) {
      if (error instanceof MoError) throw error;
      throw new MoError(`MO ${url} failed after ${this.opts.retries + 1} attempts: ${(error as Error).message}`);
    }
  }

  /** Close idle keep-alive connections. */
  close(): void {
    this.agents.destroy();
  }
}

/** The query of a request body (for a message). */
function extractQuery(body: string): string {
  try {
    const q = (JSON.parse(body) as { query?: unknown }).query;
    return typeof q === 'string' ? q : '';
  } catch {
    return '';
  }
}
