/**
 * The per-request context: the store behind a read cache and the API version. There is no
 * `force`: MO clears the query arguments of every GraphQL operation, so `?force=1` changes nothing
 * and every check runs (`mora/graphapi/middleware.py` `StarletteContextExtension.on_operation`).
 */
import { MoError } from './errors.ts';
import { sameData, type Data, type Interval, type Period } from './periods.ts';
import type { Kind, Store } from './store.ts';

const samePeriods = (a: readonly Period[], b: readonly Period[]) =>
  a.length === b.length && a.every((p, i) => p.from === b[i]!.from && p.to === b[i]!.to && sameData(p.data, b[i]!.data));

/** What psycopg says of any statement in a transaction that an earlier statement aborted. */
export const ABORTED_TRANSACTION = '(psycopg.errors.InFailedSqlTransaction) current transaction is aborted, commands ignored until end of transaction block';

/** Classes and facets are only visible while published. */
const isVisible = (kind: Kind, p: Period) =>
  (kind !== 'class' && kind !== 'facet') || (p.data['published'] ?? 'Publiceret') === 'Publiceret';

export class RequestContext {
  private readonly cache = new Map<string, Period[]>();
  /** Successful mutation resolver calls by name, counted into metrics on commit. */
  readonly mutationCounts = new Map<string, number>();
  readonly now = Date.now();
  /**
   * The first update or terminate of this request that changed nothing (`kind uuid`). LoRa raises
   * "does not give raise to a new registration" for it, which MO swallows, but the exception has
   * aborted the request's one transaction: what the request does after it fails
   * (`oio_rest/db/__init__.py` `update_object`, `mora/lora.py` `lora_to_mo_exception`,
   * `mora/graphapi/mutators.py` `engagements_update`'s note: "If any of the updates in the
   * transaction is a noop, the whole transaction will fail", InFailedSqlTransaction).
   */
  noop: string | undefined;

  constructor(
    readonly store: Store,
    readonly version: number,
    /** The DAR register's address ids (`readDarIds`); undefined = check the UUID form only. */
    readonly darIds?: ReadonlySet<string>,
    /** The token's realm roles (checked per field by the RBAC guard, schema.ts). */
    readonly granted: ReadonlySet<string> = new Set(),
  ) {}

  /** After a no-op write, every statement of the request fails (see `noop`). */
  private alive(): void {
    if (this.noop !== undefined) throw new MoError('E_UNKNOWN', undefined, { message: ABORTED_TRANSACTION, cause: null });
  }

  /** All stored periods of an object, including unpublished ones. */
  storedPeriods(kind: Kind, uuid: string): Period[] {
    this.alive();
    const key = `${kind}:${uuid}`;
    let periods = this.cache.get(key);
    if (!periods) this.cache.set(key, (periods = this.store.periods(kind, uuid)));
    return periods;
  }

  /** The periods a reader sees (published ones for classes and facets). */
  periods(kind: Kind, uuid: string): Period[] {
    return this.storedPeriods(kind, uuid).filter((p) => isVisible(kind, p));
  }

  /** Load many objects' periods into the cache; returns the visible periods by uuid. */
  prefetch(kind: Kind, uuids: readonly string[]): Map<string, Period[]> {
    const missing = uuids.filter((u) => !this.cache.has(`${kind}:${u}`));
    if (missing.length) {
      const loaded = this.store.periodsMany(kind, missing);
      for (const uuid of missing) this.cache.set(`${kind}:${uuid}`, loaded.get(uuid) ?? []);
    }
    const out = new Map<string, Period[]>();
    for (const uuid of uuids) out.set(uuid, this.periods(kind, uuid));
    return out;
  }

  /** Whether an object exists with at least one visible period. */
  isLive(kind: Kind, uuid: string): boolean {
    return this.periods(kind, uuid).length > 0;
  }

  snapshot(kind: Kind, uuid: string): Data | undefined {
    this.alive();
    return this.store.snapshot(kind, uuid);
  }

  save(kind: Kind, uuid: string, periods: Period[], snapshot: Data): void {
    this.alive();
    this.store.save(kind, uuid, periods, snapshot);
    this.cache.set(`${kind}:${uuid}`, periods);
  }

  /** An update or terminate: a change that leaves the periods as they were is a no-op (see `noop`). */
  saveChange(kind: Kind, uuid: string, periods: Period[], snapshot: Data): void {
    if (samePeriods(this.storedPeriods(kind, uuid), periods)) this.noop = `${kind} ${uuid}`;
    else this.save(kind, uuid, periods, snapshot);
  }

  /** Mutation resolvers run so far in this request. */
  get mutations(): number {
    let n = 0;
    for (const c of this.mutationCounts.values()) n += c;
    return n;
  }

  countMutation(name: string): void {
    this.mutationCounts.set(name, (this.mutationCounts.get(name) ?? 0) + 1);
  }

  /** The default reading interval: the instant "now". */
  nowInterval(): Interval {
    return { from: this.now, to: this.now + 1 };
  }
}
