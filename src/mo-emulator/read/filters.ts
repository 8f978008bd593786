/**
 * Query filters (`OrganisationUnitFilter`, `EngagementFilter`, ...): a filter is compiled into
 * a reading interval, an optional candidate set of uuids (narrowed through the indexed
 * `object_keys`) and predicates on a period's values. An object matches when one of its
 * visible periods overlaps the interval and satisfies every predicate.
 */
import type { RequestContext } from '../context.ts';
import { parseInstant } from '../dates.ts';
import { overlaps, type Data, type Interval, type Period } from '../periods.ts';
import { KEY_FIELDS, type Kind } from '../store.ts';

export type Filter = Record<string, unknown>;
type Predicate = (data: Data) => boolean;

export interface Compiled {
  kind: Kind;
  interval: Interval;
  candidates: Set<string> | null;
  predicates: Predicate[];
}

const has = (filter: Filter, key: string) => key in filter && filter[key] !== undefined;
const list = (value: unknown) => (Array.isArray(value) ? (value as string[]) : null);

/** A filter's interval: omitted from_date = now, omitted to_date = from_date + 1 ms,
 * explicit null = unbounded. A nested filter without dates reads in its parent's interval. */
export function filterInterval(filter: Filter, outer: Interval | null, ctx: RequestContext): Interval {
  const hasFrom = has(filter, 'from_date');
  const hasTo = has(filter, 'to_date');
  if (!hasFrom && !hasTo && outer) return outer;
  const from = !hasFrom ? ctx.now : filter['from_date'] === null ? -Infinity : parseInstant(filter['from_date'] as string);
  let to: number;
  if (hasTo) to = filter['to_date'] === null ? Infinity : parseInstant(filter['to_date'] as string);
  else to = from === -Infinity ? Infinity : from + 1;
  return { from, to };
}

/** Forward relations: filter field → (stored field, kind of the referenced object). */
const RELATIONS: Partial<Record<Kind, Record<string, [string, Kind]>>> = {
  facet: { parent: ['parent', 'facet'] },
  class: { facet: ['facet', 'facet'], parent: ['parent', 'class'], it_system: ['it_system', 'itsystem'] },
  org_unit: { hierarchy: ['org_unit_hierarchy', 'class'] },
  engagement: {
    employee: ['person', 'employee'],
    org_unit: ['org_unit', 'org_unit'],
    job_function: ['job_function', 'class'],
    engagement_type: ['engagement_type', 'class'],
  },
  address: {
    employee: ['person', 'employee'],
    org_unit: ['org_unit', 'org_unit'],
    address_type: ['address_type', 'class'],
    engagement: ['engagement', 'engagement'],
    ituser: ['ituser', 'ituser'],
    visibility: ['visibility', 'class'],
  },
  ituser: {
    employee: ['person', 'employee'],
    org_unit: ['org_unit', 'org_unit'],
    itsystem: ['itsystem', 'itsystem'],
    engagement: ['engagements', 'engagement'],
  },
  manager: {
    employee: ['person', 'employee'],
    org_unit: ['org_unit', 'org_unit'],
    engagement: ['engagement', 'engagement'],
    responsibility: ['responsibility', 'class'],
    manager_type: ['manager_type', 'class'],
  },
  // written by other systems (stored for MO's unit-termination rule); a related unit names its units in `org_units`
  association: {
    employee: ['person', 'employee'],
    org_unit: ['org_unit', 'org_unit'],
    association_type: ['association_type', 'class'],
  },
  kle: { org_unit: ['org_unit', 'org_unit'] },
  related_unit: { org_unit: ['org_units', 'org_unit'] },
  // mora/graphapi/resolvers.py owner_predicate: `employee` is the owned person, `owner` the owning one
  owner: {
    employee: ['person', 'employee'],
    org_unit: ['org_unit', 'org_unit'],
    owner: ['owner', 'employee'],
  },
  // rolebinding_predicate: `ituser` is the bound IT user (tilknyttedefunktioner), `role` its class
  rolebinding: {
    org_unit: ['org_unit', 'org_unit'],
    ituser: ['ituser', 'ituser'],
    role: ['role', 'class'],
  },
};

const valueIn = (value: unknown, set: Set<string>) =>
  Array.isArray(value) ? value.some((v) => set.has(v as string)) : typeof value === 'string' && set.has(value);

const contains = (haystack: unknown, needle: string) =>
  typeof haystack === 'string' && haystack.toLowerCase().includes(needle);

class Builder {
  candidates: Set<string> | null = null;
  readonly predicates: Predicate[] = [];
  constructor(
    readonly ctx: RequestContext,
    readonly kind: Kind,
  ) {}

  narrow(uuids: Iterable<string>): void {
    const next = new Set(uuids);
    if (this.candidates) for (const u of this.candidates) if (!next.has(u)) this.candidates.delete(u);
    if (!this.candidates) this.candidates = next;
  }

  /** Stored `field` ∈ values; narrowed through the index when the field is indexed. */
  fieldIn(field: string, values: Iterable<string>, nullValue = false): void {
    const set = new Set(values);
    if (KEY_FIELDS[this.kind].includes(field)) {
      const keys = [...set];
      if (nullValue) keys.push('');
      this.narrow(this.ctx.store.uuidsByKey(this.kind, field, keys));
    }
    this.predicates.push((d) => valueIn(d[field], set) || (nullValue && (d[field] ?? null) === null));
  }
}

export function compile(ctx: RequestContext, kind: Kind, filter: Filter | null | undefined, outer: Interval | null): Compiled {
  const f: Filter = filter ?? {};
  const interval = filterInterval(f, outer, ctx);
  const b = new Builder(ctx, kind);
  const nested = (target: Kind, sub: unknown) => resolveUuids(ctx, target, sub as Filter, interval);

  const uuids = list(f['uuids']);
  if (uuids) b.narrow(uuids.map((u) => u.toLowerCase()));
  const userKeys = list(f['user_keys']);
  if (userKeys) b.fieldIn('user_key', userKeys);

  for (const [filterField, [field, target]] of Object.entries(RELATIONS[kind] ?? {})) {
    const sub = f[filterField];
    if (sub !== undefined && sub !== null) b.fieldIn(field, nested(target, sub));
  }

  switch (kind) {
    case 'class': {
      const names = list(f['name']);
      if (names) b.predicates.push((d) => names.includes(d['name'] as string));
      const scopes = list(f['scope']);
      if (scopes) b.predicates.push((d) => scopes.includes(d['scope'] as string));
      const facets = list(f['facets']);
      if (facets) b.fieldIn('facet', facets);
      const facetKeys = list(f['facet_user_keys']);
      if (facetKeys) b.fieldIn('facet', nested('facet', { user_keys: facetKeys }));
      const owner = f['owner'] as Filter | null | undefined;
      if (owner) {
        const { include_none: includeNone, ...unitFilter } = owner;
        b.fieldIn('owner', nested('org_unit', unitFilter), includeNone === true);
      }
      break;
    }
    case 'org_unit': {
      const names = list(f['names']);
      if (names) b.predicates.push((d) => names.includes(d['name'] as string));
      if (typeof f['query'] === 'string') {
        const q = (f['query'] as string).toLowerCase();
        b.predicates.push((d) => contains(d['name'], q) || contains(d['user_key'], q));
      }
      if ('parent' in f) {
        if (f['parent'] === null) b.fieldIn('parent', [], true);
        else if (f['parent'] !== undefined) b.fieldIn('parent', nested('org_unit', f['parent']));
      }
      if (f['child']) b.narrow(collect(ctx, compile(ctx, 'org_unit', f['child'] as Filter, interval), 'parent'));
      if (f['engagement']) b.narrow(collect(ctx, compile(ctx, 'engagement', f['engagement'] as Filter, interval), 'org_unit'));
      if (f['descendant']) b.narrow(ancestorsOf(ctx, nested('org_unit', f['descendant']), interval));
      if (f['ancestor']) b.narrow(descendantsOf(ctx, nested('org_unit', f['ancestor']), interval));
      break;
    }
    case 'employee': {
      const cprs = list(f['cpr_numbers']);
      if (cprs) b.fieldIn('cpr_number', cprs);
      if (typeof f['query'] === 'string') {
        const q = (f['query'] as string).toLowerCase();
        b.predicates.push(
          (d) =>
            contains(`${d['given_name'] ?? ''} ${d['surname'] ?? ''}`, q) ||
            contains(d['user_key'], q) ||
            contains(d['cpr_number'], q),
        );
      }
      break;
    }
    case 'engagement':
      if (f['ituser']) b.narrow(collect(ctx, compile(ctx, 'ituser', f['ituser'] as Filter, interval), 'engagements'));
      break;
    case 'ituser': {
      if ('external_ids' in f) {
        const ids = list(f['external_ids']);
        if (ids) b.fieldIn('external_id', ids);
        // v30: `external_ids: null` selects IT users without an external id (v29: no filter).
        else if (f['external_ids'] === null && ctx.version >= 30) b.fieldIn('external_id', [], true);
      }
      const bindings = list(f['binding_types']);
      if (bindings) b.fieldIn('binding_type', bindings);
      break;
    }
    case 'association':
      // `it_association`: with (true) or without (false) an IT user (mora/graphapi/resolvers.py association_predicate)
      if (typeof f['it_association'] === 'boolean') {
        const wanted = f['it_association'];
        b.predicates.push((d) => (typeof d['it_user'] === 'string') === wanted);
      }
      break;
    case 'manager':
      if (f['exclude']) {
        const excluded = nested('employee', f['exclude']);
        b.predicates.push((d) => !(typeof d['person'] === 'string' && excluded.has(d['person'])));
      }
      break;
    default:
      break;
  }
  return { kind, interval, candidates: b.candidates, predicates: b.predicates };
}

/** The periods of an object that satisfy a compiled filter. */
export function matchingPeriods(c: Compiled, periods: Period[]): Period[] {
  return periods.filter((p) => overlaps(p, c.interval) && c.predicates.every((pred) => pred(p.data)));
}

const CHUNK = 500;

/** Matching objects in uuid order after `after`, with their matching periods. */
export function* scan(ctx: RequestContext, c: Compiled, after = ''): Generator<[string, Period[]]> {
  if (c.candidates) {
    const sorted = [...c.candidates].filter((u) => u > after).sort();
    for (let i = 0; i < sorted.length; i += CHUNK) {
      const chunk = sorted.slice(i, i + CHUNK);
      const loaded = ctx.prefetch(c.kind, chunk);
      for (const uuid of chunk) {
        const m = matchingPeriods(c, loaded.get(uuid) ?? []);
        if (m.length) yield [uuid, m];
      }
    }
    return;
  }
  let cursor = after;
  for (;;) {
    const chunk = ctx.store.uuidsAfter(c.kind, cursor, CHUNK * 2);
    if (!chunk.length) return;
    const loaded = ctx.prefetch(c.kind, chunk);
    for (const uuid of chunk) {
      const m = matchingPeriods(c, loaded.get(uuid) ?? []);
      if (m.length) yield [uuid, m];
    }
    cursor = chunk[chunk.length - 1]!;
  }
}

/** All uuids matching a (nested) filter. */
export function resolveUuids(ctx: RequestContext, kind: Kind, filter: Filter | null | undefined, outer: Interval | null): Set<string> {
  const out = new Set<string>();
  for (const [uuid] of scan(ctx, compile(ctx, kind, filter, outer))) out.add(uuid);
  return out;
}

/** The values of `field` in the matching periods of all objects matching `c`. */
function collect(ctx: RequestContext, c: Compiled, field: string): Set<string> {
  const out = new Set<string>();
  for (const [, periods] of scan(ctx, c)) {
    for (const p of periods) {
      const v = p.data[field];
      for (const x of Array.isArray(v) ? v : [v]) if (typeof x === 'string') out.add(x);
    }
  }
  return out;
}

const parentsIn = (ctx: RequestContext, uuid: string, interval: Interval) =>
  ctx
    .periods('org_unit', uuid)
    .filter((p) => overlaps(p, interval))
    .map((p) => p.data['parent'])
    .filter((x): x is string => typeof x === 'string');

/** The units and all their ancestors in the interval. */
export function ancestorsOf(ctx: RequestContext, units: Set<string>, interval: Interval): Set<string> {
  const out = new Set(units);
  const queue = [...units];
  while (queue.length) {
    for (const parent of parentsIn(ctx, queue.pop()!, interval)) {
      if (!out.has(parent)) {
        out.add(parent);
        queue.push(parent);
      }
    }
  }
  return out;
}

/** The units and all their descendants in the interval. */
export function descendantsOf(ctx: RequestContext, units: Set<string>, interval: Interval): Set<string> {
  const out = new Set(units);
  let frontier = [...units];
  while (frontier.length) {
    const next: string[] = [];
    const children = ctx.store.uuidsByKey('org_unit', 'parent', frontier);
    const front = new Set(frontier);
    for (const child of children) {
      if (out.has(child)) continue;
      if (parentsIn(ctx, child, interval).some((p) => front.has(p))) {
        out.add(child);
        next.push(child);
      }
    }
    frontier = next;
  }
  return out;
}
