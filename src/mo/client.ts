/**
 * The MO client: what the importer uses. Owns one transport (transport.ts: one document → MO's
 * answer, with token and retries) and the limit of requests in flight (p-limit) shared by every
 * call; reads page through `queryAll`, writes go through the batcher (batcher.ts). As
 * node-postgres' Pool is to its Client. See docs/mo-client.md.
 */
import pLimit, { type LimitFunction } from 'p-limit';
import type { Settings } from '../settings.ts';
import { writeGroups, type BatchSender, type WriteContext, type WriteOptions } from './batcher.ts';
import { describeErrors, MoError, toErrorInfo } from './errors.ts';
import { readCurrent, readTimelines } from './read.ts';
import type { Read } from './reconcile.ts';
import { MoTransport, operationLabel, type GraphqlAnswer, type MoEvent, type SendOptions } from './transport.ts';
import type { GroupSource, MutationGroup, WriteResult } from './types.ts';

export { MoError } from './errors.ts';
export type { WriteOptions } from './batcher.ts';
export type { MoEvent } from './transport.ts';
export type { GroupSource, MoErrorInfo, Mutation, MutationGroup, ObjectRef, WriteResult } from './types.ts';

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

export class MoClient {
  readonly endpoint: string;
  readonly transport: MoTransport;
  private readonly limit: LimitFunction;
  private readonly sender: BatchSender;
  private readonly written = { mutations: 0 };

  constructor(options: MoClientOptions) {
    const url = options.url.replace(/\/+$/, '');
    if (!/^https?:\/\//i.test(url)) throw new MoError(`MO url must be http(s)://…, got "${options.url}"`);
    const positive = (name: string, v: number | undefined, dflt: number, min = 1) => {
      if (v === undefined) return dflt;
      if (!Number.isInteger(v) || v < min) throw new MoError(`MO client option ${name} must be a whole number ≥ ${min}, got ${v}`);
      return v;
    };
    this.transport = new MoTransport({
      url,
      version: positive('version', options.version, 29),
      authServer: options.authServer,
      realm: options.realm ?? 'mo',
      clientId: options.clientId,
      clientSecret: options.clientSecret,
      timeoutMs: positive('timeoutMs', options.timeoutMs, 60_000),
      retries: positive('retries', options.retries, 5, 0),
      retryDelayMs: positive('retryDelayMs', options.retryDelayMs, 500, 0),
      onEvent: options.onEvent,
    });
    this.endpoint = this.transport.endpoint;
    const concurrency = positive('concurrency', options.concurrency, 4);
    this.limit = pLimit(concurrency);
    // straight to the transport: a read after an ambiguous failure runs inside the slot of the write that needs it
    const inSlot: Read = async <T>(query: string, variables: Record<string, unknown>) => {
      const answer = await this.transport.send(JSON.stringify({ query, variables }), { label: operationLabel(query) });
      return this.data<T>(answer, query);
    };
    const pagedInSlot = { queryAll: <T>(query: string, variables: Record<string, unknown>, path: string[], limit?: number) => allPages<T>(inSlot, query, variables, path, limit) };
    this.sender = {
      batchSize: positive('batchSize', options.batchSize, 100),
      concurrency,
      authenticated: this.transport.auth !== undefined,
      send: (w, body, o, inspect) => this.send(body, o, w, inspect),
      read: inSlot,
      readers: {
        timelines: (kind, uuids) => readTimelines(pagedInSlot, kind, uuids),
        current: async (kind, uuids) => new Map([...(await readCurrent(pagedInSlot, kind, { uuids }))].map(([uuid, r]) => [uuid, r.fields])),
      },
      emit: (e) => this.transport.emit(e),
    };
  }

  stats(): { requests: number; mutations: number; retries: number; tokens: number } {
    const { requests, retries, tokens } = this.transport.counters;
    return { requests, mutations: this.written.mutations, retries, tokens };
  }

  /**
   * One document within the limit of requests in flight. The body is made when the request gets
   * its slot: a write of many batches queues them all at once, and their bodies together would
   * hold the whole import as text. For a write: not started once it was aborted, and an error
   * aborts it before the slot is freed (so no queued request of it starts after a fatal error).
   */
  private send(body: () => string, o: SendOptions, w?: WriteContext, inspect?: (answer: GraphqlAnswer) => void): Promise<GraphqlAnswer> {
    return this.limit(async () => {
      if (w?.fatal !== undefined) throw w.fatal;
      try {
        const answer = await this.transport.send(body(), o);
        inspect?.(answer);
        return answer;
      } catch (error) {
        if (w) w.fatal ??= error;
        throw error;
      }
    });
  }

  // ---------------------------------------------------------------- reads

  /** Run a query (retried); GraphQL errors → MoError naming the operation and the error keys. */
  async query<T = unknown>(query: string, variables?: Record<string, unknown>): Promise<T> {
    const answer = await this.send(() => JSON.stringify({ query, variables: variables ?? {} }), { label: operationLabel(query) });
    return this.data<T>(answer, query);
  }

  /** An answer's data; GraphQL errors → MoError naming the operation and the error keys. */
  private data<T>(answer: GraphqlAnswer, query: string): T {
    if (answer.errors?.length) {
      const errors = answer.errors.map(toErrorInfo);
      const hint = !this.transport.auth && errors.some((e) => e.message === 'User is not authenticated') ? ' (no client_secret configured)' : '';
      throw new MoError(`MO ${operationLabel(query)} failed: ${describeErrors(errors)}${hint}`, errors);
    }
    return answer.data as T;
  }

  /**
   * Reads every page: `query` must take `$cursor: Cursor` and `$limit: int` and select
   * `page_info { next_cursor }` at `path` (e.g. ['org_units']). Returns all pages' `objects`.
   */
  async queryAll<T>(query: string, variables: Record<string, unknown>, path: string[], limit = 500): Promise<T[]> {
    return allPages((q, v) => this.query(q, v), query, variables, path, limit);
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
  write(groups: MutationGroup[] | GroupSource, opts: WriteOptions = {}): Promise<WriteResult> {
    return writeGroups(this.sender, groups, opts, this.written);
  }
}

/** Every page of a query (`MoClient.queryAll`), each read with `read`. */
async function allPages<T>(read: Read, query: string, variables: Record<string, unknown>, path: string[], limit = 500): Promise<T[]> {
  const out: T[] = [];
  const seen = new Set<string>();
  let cursor: string | null = null;
  for (;;) {
    const data = await read<Record<string, unknown>>(query, { ...variables, limit, cursor });
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
