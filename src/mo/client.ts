/**
 * The MO client: GraphQL over HTTP (node-fetch, keep-alive) with Keycloak client-credentials
 * auth, retries with backoff (p-retry), bounded concurrency (p-limit) and batched,
 * transaction-aware writes. See docs/mo-client.md.
 */
import http from 'node:http';
import https from 'node:https';
import nodeFetch from 'node-fetch';
import { parse, type OperationDefinitionNode } from 'graphql';
import pLimit, { type LimitFunction } from 'p-limit';
import pRetry from 'p-retry';
import { addSecret, redact } from '../log.ts';
import type { Settings } from '../settings.ts';
import { networkReason, TokenSource } from './auth.ts';
import { buildBatch, checkGroups, checkName, culprits, packBatches, packRanges, type GroupSource, type MutationGroup, type ObjectRef, type WriteResult } from './batch.ts';
import { describeErrors, MoError, parseRetryAfter, toErrorInfo, TransientError, type MoErrorInfo } from './errors.ts';

export { MoError, type MoErrorInfo } from './errors.ts';
export type { GroupSource, Mutation, MutationGroup, ObjectRef, WriteResult } from './batch.ts';

export interface WriteOptions {
  /** one request at a time, in the order of the groups (a later group depends on an earlier one) */
  ordered?: boolean;
  /**
   * Committed groups, batch by batch. Given this, they are not collected in `WriteResult.written`,
   * so a large write need not keep every group it sent.
   */
  onWritten?: (groups: MutationGroup[]) => void;
}

export interface MoClientOptions {
  /** MO base URL, e.g. http://127.0.0.1:5000 */
  url: string;
  /** GraphQL version, default 29 → POST {url}/graphql/v29 */
  version?: number;
  /** Keycloak base URL, default `${url}/auth` */
  authServer?: string;
  /** Default 'mo' */
  realm?: string;
  clientId: string;
  /** No secret → no Authorization header. */
  clientSecret?: string;
  /** Per request (including reading the answer), default 60000 */
  timeoutMs?: number;
  /** Default 5: network errors, timeouts, HTTP 5xx, 429 and 408 */
  retries?: number;
  /** First backoff delay, default 500 (doubles per attempt, ±50 % jitter, at most 30 s) */
  retryDelayMs?: number;
  /** GraphQL requests in flight, default 4 */
  concurrency?: number;
  /** Mutations per request, default 100 */
  batchSize?: number;
  onEvent?: (e: MoEvent) => void;
}

export type MoEvent =
  | { type: 'request'; ms: number; mutations: number }
  | { type: 'retry'; attempt: number; reason: string }
  | { type: 'token' }
  | { type: 'failed-object'; ref: ObjectRef; error: MoErrorInfo };


/** Keep-alive connections (as Node's global agent: idle ones close after 5 s, or before the server's Keep-Alive timeout). */
const AGENT_OPTIONS = { keepAlive: true, scheduling: 'lifo', timeout: 5000 } as const;

/** Cap of the exponential backoff. */
const MAX_BACKOFF_MS = 30_000;

/** Errors no isolation can cure: abort the write instead of failing every group one by one. */
const FATAL_MESSAGES = ['User is not authenticated', 'No policy approved the access'];

interface GraphqlAnswer {
  data?: unknown;
  errors?: unknown[];
}

interface Counter {
  requests: number;
}

/** One write() call, as seen by its requests. */
interface WriteContext extends Counter {
  /** Throws (a MoError) for an answer no isolation can fix. */
  inspect(answer: GraphqlAnswer, label: string): void;
  /** The error that aborts the write; queued requests don't start once it is set. */
  fatal?: unknown;
}

/** The MO client's options from the run settings (see docs/mo-client.md). `url` overrides `mo_url` (the embedded emulator). */
export function moClientOptionsFromSettings(settings: Settings, overrides: Partial<MoClientOptions> = {}): MoClientOptions {
  const url = overrides.url ?? settings.require('mo_url');
  return {
    url,
    version: settings.has('mo_graphql_version') ? settings.int('mo_graphql_version') : undefined,
    authServer: settings.get('auth_server'),
    realm: settings.get('auth_realm'),
    clientId: settings.get('client_id') ?? 'dipex',
    clientSecret: settings.get('client_secret'),
    batchSize: settings.has('batch_size') ? settings.int('batch_size') : undefined,
    concurrency: settings.has('concurrency') ? settings.int('concurrency') : undefined,
    timeoutMs: settings.has('timeout_ms') ? settings.int('timeout_ms') : undefined,
    retries: settings.has('mo_retries') ? settings.int('mo_retries') : undefined,
    retryDelayMs: settings.has('mo_retry_delay_ms') ? settings.int('mo_retry_delay_ms') : undefined,
    ...overrides,
  };
}

/** The operation an answer is about, for messages: the operation name or its root fields. */
function operationLabel(query: string): string {
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

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export class MoClient {
  readonly endpoint: string;
  private readonly opts: Required<Omit<MoClientOptions, 'clientSecret' | 'onEvent' | 'authServer'>> & { onEvent?: (e: MoEvent) => void };
  private readonly auth: TokenSource | undefined;
  private readonly limit: LimitFunction;
  private httpAgent: http.Agent | undefined;
  private httpsAgent: https.Agent | undefined;
  private readonly counters = { requests: 0, mutations: 0, retries: 0, tokens: 0 };

  constructor(options: MoClientOptions) {
    const url = options.url.replace(/\/+$/, '');
    if (!/^https?:\/\//i.test(url)) throw new MoError(`MO url must be http(s)://…, got "${options.url}"`);
    const positive = (name: string, v: number | undefined, dflt: number, min = 1) => {
      if (v === undefined) return dflt;
      if (!Number.isInteger(v) || v < min) throw new MoError(`MO client option ${name} must be a whole number ≥ ${min}, got ${v}`);
      return v;
    };
    this.opts = {
      url,
      version: positive('version', options.version, 29),
      realm: options.realm ?? 'mo',
      clientId: options.clientId,
      timeoutMs: positive('timeoutMs', options.timeoutMs, 60_000),
      retries: positive('retries', options.retries, 5, 0),
      retryDelayMs: positive('retryDelayMs', options.retryDelayMs, 500, 0),
      concurrency: positive('concurrency', options.concurrency, 4),
      batchSize: positive('batchSize', options.batchSize, 100),
      onEvent: options.onEvent,
    };
    this.endpoint = `${url}/graphql/v${this.opts.version}`;
    this.limit = pLimit(this.opts.concurrency);
    if (options.clientSecret) {
      addSecret(options.clientSecret);
      this.auth = new TokenSource({
        authServer: options.authServer ?? `${url}/auth`,
        realm: this.opts.realm,
        clientId: options.clientId,
        clientSecret: options.clientSecret,
        timeoutMs: this.opts.timeoutMs,
        onToken: () => {
          this.counters.tokens++;
          this.emit({ type: 'token' });
        },
      });
    }
  }

  stats(): { requests: number; mutations: number; retries: number; tokens: number } {
    return { ...this.counters };
  }

  private emit(e: MoEvent): void {
    try {
      this.opts.onEvent?.(e);
    } catch {
      // a listener's failure is not the client's
    }
  }

  // ---------------------------------------------------------------- transport

  /**
   * The POST itself: node-fetch (on node:http/https) with a keep-alive agent per client. Not
   * Node's global fetch (undici): it took twice the CPU per request and left tens of KB of
   * garbage per request that reached the old generation, ~100 MB over the bench's initial import
   * (docs/mo-client.md).
   */
  private async request(url: string, body: string, token: string | undefined, signal: AbortSignal): Promise<{ status: number; text: string; retryAfter: string | null }> {
    const res = await nodeFetch(url, {
      method: 'POST',
      agent: (parsed) => (parsed.protocol === 'https:' ? (this.httpsAgent ??= new https.Agent(AGENT_OPTIONS)) : (this.httpAgent ??= new http.Agent(AGENT_OPTIONS))),
      headers: {
        'content-type': 'application/json',
        accept: 'application/json',
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      body,
      signal,
    });
    let text = await res.text();
    if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    return { status: res.status, text, retryAfter: res.headers.get('retry-after') };
  }

  /** One HTTP POST (one attempt): answer body, or TransientError / MoError. */
  private async post(body: string, write: boolean, mutations: number, token: string | undefined, counter?: Counter): Promise<GraphqlAnswer> {
    const url = this.endpoint;
    const controller = new AbortController();
    const timeoutMs = this.opts.timeoutMs;
    const timer = setTimeout(() => controller.abort(), timeoutMs);
    const started = performance.now();
    this.counters.requests++;
    if (counter) counter.requests++;
    let status: number;
    let text: string;
    let retryAfter: string | null;
    try {
      ({ status, text, retryAfter } = await this.request(url, body, token, controller.signal));
    } catch (error) {
      if (controller.signal.aborted) throw new TransientError(`timeout after ${timeoutMs} ms`);
      throw new TransientError(`network error: ${networkReason({ cause: error })}`);
    } finally {
      clearTimeout(timer);
      this.emit({ type: 'request', ms: Math.round(performance.now() - started), mutations });
    }
    if (status >= 500 || status === 429 || status === 408) throw new TransientError(`HTTP ${status}`, parseRetryAfter(retryAfter));
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
   * One request with a token, retried on transient failures. MoError on anything else. A
   * "User is not authenticated" answer renews the token once and resends.
   */
  private send(query: string, variables: Record<string, unknown> | undefined, write: boolean, mutations: number, w?: WriteContext, label?: string): Promise<GraphqlAnswer> {
    return this.limit(() => {
      // a write aborted while this request waited for a slot: don't start it
      if (w?.fatal !== undefined) return Promise.reject(w.fatal);
      // the body is made when the request gets its slot: a write of many batches queues them all at
      // once, and their bodies together would hold the whole import as text
      const body = JSON.stringify({ query, variables: variables ?? {} });
      return pRetry(
        async () => {
          let token = await this.auth?.get();
          let answer = await this.post(body, write, mutations, token, w);
          if (this.auth && token && isUnauthenticated(answer)) {
            this.auth.invalidate(token);
            token = await this.auth.get();
            answer = await this.post(body, write, mutations, token, w);
          }
          return answer;
        },
        {
          retries: this.opts.retries,
          minTimeout: 0, // the delay is ours (onFailedAttempt): Retry-After or backoff with jitter
          shouldRetry: ({ error }) => error instanceof TransientError,
          onFailedAttempt: async ({ error, attemptNumber, retriesLeft }) => {
            if (!(error instanceof TransientError) || retriesLeft <= 0) return;
            this.counters.retries++;
            this.emit({ type: 'retry', attempt: attemptNumber, reason: redact(error.message) });
            await sleep(error.retryAfterMs ?? this.backoff(attemptNumber));
          },
        },
      ).catch((error: unknown) => {
        if (error instanceof MoError) throw error;
        const reason = error instanceof Error ? error.message : String(error);
        const attempts = error instanceof TransientError ? ` after ${this.opts.retries + 1} attempts` : '';
        throw new MoError(`MO ${label ?? operationLabel(query)} failed${attempts}: ${reason}`, [{ message: reason }]);
      })
        .then((answer) => {
          w?.inspect(answer, label ?? 'write');
          return answer;
        })
        .catch((error: unknown) => {
          // before the slot is freed, so no queued request of this write starts after a fatal error
          if (w) w.fatal ??= error;
          throw error;
        });
    });
  }

  private backoff(attempt: number): number {
    const base = Math.min(MAX_BACKOFF_MS, this.opts.retryDelayMs * 2 ** (attempt - 1));
    return Math.round(base * (0.5 + Math.random()));
  }

  // ---------------------------------------------------------------- reads

  /** Run a query (retried); GraphQL errors → MoError naming the operation and the error keys. */
  async query<T = unknown>(query: string, variables?: Record<string, unknown>): Promise<T> {
    const answer = await this.send(query, variables, false, 0);
    if (answer.errors?.length) {
      const errors = answer.errors.map(toErrorInfo);
      const hint = !this.auth && errors.some((e) => e.message === 'User is not authenticated') ? ' (no client_secret configured)' : '';
      throw new MoError(`MO ${operationLabel(query)} failed: ${describeErrors(errors)}${hint}`, errors);
    }
    return answer.data as T;
  }

  /**
   * Reads every page: `query` must take `$cursor: Cursor` and `$limit: int` and select
   * `page_info { next_cursor }` at `path` (e.g. ['org_units']). Returns all pages' `objects`.
   */
  async queryAll<T>(query: string, variables: Record<string, unknown>, path: string[], limit = 500): Promise<T[]> {
    const out: T[] = [];
    const seen = new Set<string>();
    let cursor: string | null = null;
    for (;;) {
      const data = await this.query<Record<string, unknown>>(query, { ...variables, limit, cursor });
      let node: unknown = data;
      for (const key of path) node = (node as Record<string, unknown> | null | undefined)?.[key];
      const page = node as { objects?: unknown; page_info?: { next_cursor?: unknown } } | null | undefined;
      if (!page || !Array.isArray(page.objects) || !page.page_info || !('next_cursor' in page.page_info)) {
        throw new MoError(`MO queryAll: the answer has no objects and page_info { next_cursor } at ${path.join('.')}`);
      }
      out.push(...(page.objects as T[]));
      const next = page.page_info.next_cursor;
      if (next == null) return out;
      if (typeof next !== 'string' || seen.has(next)) throw new MoError(`MO queryAll: paging at ${path.join('.')} does not advance`);
      seen.add(next);
      cursor = next;
    }
  }

  // ---------------------------------------------------------------- writes

  /**
   * Writes groups in batches of ≤ batchSize mutations (aliased mutations in one request = one
   * transaction), at most `concurrency` requests in flight. A batch that fails with GraphQL
   * errors is retried without the groups its errors name (alias path or variable), otherwise
   * bisected by groups until the failing group is isolated. Failed groups are reported (and
   * emitted as `failed-object` events); everything else is written. Throws MoError only when MO
   * can't be reached after all retries, refuses the request outright (HTTP 4xx, not
   * authenticated, no permission) or a mutation name is unknown; already committed batches stay
   * committed. `groups` may be a `GroupSource`: then each batch's groups are made when the batch
   * is about to be sent.
   */
  async write(groups: MutationGroup[] | GroupSource, opts: WriteOptions = {}): Promise<WriteResult> {
    let batches: (() => MutationGroup[])[];
    if (Array.isArray(groups)) {
      checkGroups(groups);
      batches = packBatches(groups, this.opts.batchSize).map((batch) => () => batch);
    } else {
      for (const name of groups.names) checkName(name);
      const source = groups;
      batches = packRanges(source.sizes, this.opts.batchSize).map(([from, to]) => () => source.make(from, to).filter((g) => g.mutations.length > 0));
    }
    const result: WriteResult = { written: [], failed: [], requests: 0, mutations: 0 };
    const w: WriteContext = {
      requests: 0,
      inspect: (answer, label) => {
        const unfixable = answer.errors?.map(toErrorInfo).find((e) => FATAL_MESSAGES.includes(e.message));
        if (unfixable) {
          const hint = this.auth ? '' : ' (no client_secret configured)';
          throw new MoError(`MO ${label} refused: ${unfixable.message}${hint}`, answer.errors!.map(toErrorInfo));
        }
      },
    };

    const fail = (group: MutationGroup, error: MoErrorInfo) => {
      result.failed.push({ group, error });
      this.emit({ type: 'failed-object', ref: group.ref, error });
    };

    const run = async (batch: MutationGroup[]): Promise<void> => {
      if (w.fatal !== undefined || batch.length === 0) return;
      const doc = buildBatch(batch);
      const label = `write of ${doc.mutations} mutation${doc.mutations === 1 ? '' : 's'} (${[...new Set(doc.owners.map((o) => o.name))].join(', ')})`;
      const answer = await this.send(doc.query, doc.variables, true, doc.mutations, w, label);
      if (!answer.errors?.length) {
        if (opts.onWritten) opts.onWritten(batch);
        else result.written.push(...batch);
        result.mutations += doc.mutations;
        this.counters.mutations += doc.mutations;
        return;
      }
      const errors = answer.errors.map(toErrorInfo);
      if (batch.length === 1) {
        const named = culprits(errors, doc.owners).get(0);
        fail(batch[0]!, named ?? { ...errors[0]! });
        return;
      }
      const named = culprits(errors, doc.owners);
      if (named.size > 0) {
        for (const [gi, error] of named) fail(batch[gi]!, error);
        await run(batch.filter((_, gi) => !named.has(gi)));
        return;
      }
      const mid = Math.ceil(batch.length / 2);
      const [left, right] = [batch.slice(0, mid), batch.slice(mid)];
      if (opts.ordered) {
        await run(left);
        await run(right);
      } else await Promise.all([run(left), run(right)]);
    };

    // `concurrency` workers take the batches in order (one worker when ordered): a batch is made
    // (a GroupSource's groups built) only when a worker takes it, and none starts after a fatal error
    let next = 0;
    const worker = async (): Promise<void> => {
      while (w.fatal === undefined && next < batches.length) {
        const make = batches[next++]!;
        try {
          await run(make());
        } catch (error) {
          w.fatal ??= error;
        }
      }
    };
    const workers = opts.ordered ? 1 : Math.min(this.opts.concurrency, batches.length);
    await Promise.all(Array.from({ length: workers }, worker));

    result.requests = w.requests;
    if (w.fatal !== undefined) {
      if (w.fatal instanceof MoError) w.fatal.partial = result;
      throw w.fatal;
    }
    return result;
  }
}

function isUnauthenticated(answer: GraphqlAnswer): boolean {
  const first = answer.errors?.[0] as { message?: unknown } | undefined;
  return first?.message === 'User is not authenticated';
}
