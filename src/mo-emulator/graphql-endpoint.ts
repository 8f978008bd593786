/**
 * One GraphQL request: parse and validate against the SDL, then execute in one SQLite
 * transaction that is rolled back if any error occurs (MO's transaction per request).
 */
import { GraphQLError, execute, parse, validate, type DocumentNode, type ExecutionResult, type GraphQLSchema } from 'graphql';
import { POLICY_REFUSAL } from '../mo/rbac.ts';
import { ABORTED_TRANSACTION, RequestContext } from './context.ts';
import { errorKeyOf, MoError } from './errors.ts';
import type { Metrics } from './metrics.ts';
import type { Store } from './store.ts';

export interface GraphqlBody { query?: unknown; variables?: unknown; operationName?: unknown }
export interface GraphqlResponse { data: unknown; errors?: unknown[] }

class Rollback extends Error {
  constructor(readonly result: ExecutionResult) {
    super('rollback');
  }
}

const DOCUMENT_CACHE_SIZE = 500;
/**
 * Bound of the cached documents' source text: a parsed document takes ~60 bytes per source
 * character, and a batched write of 100 mutations is ~8,000 characters (~450 KB parsed). 500 of
 * those would hold ~220 MB; 1M characters hold ~60 MB, and the small read queries always fit.
 */
const DOCUMENT_CACHE_CHARS = 1_000_000;

export class GraphqlEndpoint {
  private readonly documents = new Map<string, DocumentNode | readonly GraphQLError[]>();
  private cachedChars = 0;

  constructor(
    private readonly store: Store,
    private readonly schema: GraphQLSchema,
    private readonly metrics: Metrics,
    private readonly darIds?: ReadonlySet<string>,
  ) {}

  private document(source: string): DocumentNode | readonly GraphQLError[] {
    let doc = this.documents.get(source);
    if (doc) {
      // most recently used last: eviction takes the oldest first
      this.documents.delete(source);
      this.documents.set(source, doc);
      return doc;
    }
    try {
      const parsed = parse(source);
      const errors = validate(this.schema, parsed);
      doc = errors.length ? errors : parsed;
    } catch (error) {
      doc = [error instanceof GraphQLError ? error : new GraphQLError(String(error))];
    }
    if (source.length > DOCUMENT_CACHE_CHARS / 8) return doc;
    while (this.documents.size && (this.documents.size >= DOCUMENT_CACHE_SIZE || this.cachedChars + source.length > DOCUMENT_CACHE_CHARS)) {
      const oldest = this.documents.keys().next().value!;
      this.documents.delete(oldest);
      this.cachedChars -= oldest.length;
    }
    this.documents.set(source, doc);
    this.cachedChars += source.length;
    return doc;
  }

  private fail(errors: readonly GraphQLError[], fallbackKey: string, data: unknown = null): GraphqlResponse {
    for (const e of errors) this.metrics.error(errorKeyOf(e) ?? (e.message === POLICY_REFUSAL ? 'PERMISSION_DENIED' : fallbackKey));
    return { data, errors: errors.map((e) => e.toJSON()) };
  }

  /**
   * `granted`: the token's realm roles. Each field is checked as it resolves (OS2mo's RBAC map,
   * schema.ts): a refused field is MO's field error "No policy approved the access" (HTTP 200;
   * data null when it is a root field, as they are non-null), and the request is rolled back.
   */
  run(body: GraphqlBody, version: number, granted: readonly string[]): GraphqlResponse {
    if (typeof body.query !== 'string') {
      return this.fail([new GraphQLError('No GraphQL query found in the request')], 'GRAPHQL_ERROR');
    }
    const doc = this.document(body.query);
    if (Array.isArray(doc)) return this.fail(doc as readonly GraphQLError[], 'GRAPHQL_VALIDATION');
    const variables = body.variables && typeof body.variables === 'object' ? (body.variables as Record<string, unknown>) : undefined;
    const operationName = typeof body.operationName === 'string' ? body.operationName : undefined;
    const ctx = new RequestContext(this.store, version, this.darIds, new Set(granted));
    let result: ExecutionResult;
    try {
      result = this.store.db.transaction(() => {
        const r = execute({
          schema: this.schema,
          document: doc as DocumentNode,
          contextValue: ctx,
          variableValues: variables,
          operationName,
        });
        if (r instanceof Promise) throw new Error('resolvers must be synchronous');
        if (r.errors?.length) throw new Rollback(r);
        // a no-op write after other writes: the transaction it aborted cannot commit them (context.ts `noop`)
        if (ctx.noop !== undefined && ctx.mutations > 1) throw new Rollback({ data: null, errors: [new MoError('E_UNKNOWN', undefined, { message: ABORTED_TRANSACTION, cause: null })] });
        return r;
      })();
    } catch (error) {
      if (!(error instanceof Rollback)) throw error;
      this.metrics.rollback();
      return this.fail(error.result.errors ?? [], 'GRAPHQL_ERROR', error.result.data ?? null);
    }
    for (const [name, count] of ctx.mutationCounts) this.metrics.mutation(name, count);
    return { data: result.data ?? null };
  }
}
