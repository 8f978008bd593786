/** Root `Query` resolvers: paged reads with keyset cursors ordered by uuid. */
import { GraphQLError } from 'graphql';
import type { RequestContext } from '../context.ts';
import { overlaps, type Period } from '../periods.ts';
import type { Kind } from '../store.ts';
import { compile, resolveUuids, scan, type Filter } from './filters.ts';
import { Ref } from './responses.ts';

interface PagedArgs { filter?: Filter | null; limit?: number | null; cursor?: string | null }

export const encodeCursor = (after: string) => Buffer.from(JSON.stringify({ after }), 'utf8').toString('base64');

function decodeCursor(cursor: string | null | undefined): string {
  if (cursor == null) return '';
  try {
    const parsed = JSON.parse(Buffer.from(cursor, 'base64').toString('utf8')) as { after?: unknown };
    if (typeof parsed.after === 'string') return parsed.after;
  } catch {
    // fall through
  }
  throw new GraphQLError('Invalid cursor');
}

interface Paged { objects: Ref[]; page_info: { next_cursor: string | null } }

function page(refs: Iterable<Ref>, limit: number | null | undefined): Paged {
  const objects: Ref[] = [];
  for (const ref of refs) {
    if (limit != null && objects.length === limit) {
      return { objects, page_info: { next_cursor: objects.length ? encodeCursor(objects[objects.length - 1]!.uuid) : null } };
    }
    objects.push(ref);
  }
  return { objects, page_info: { next_cursor: null } };
}

function* matches(ctx: RequestContext, kind: Kind, args: PagedArgs): Generator<Ref> {
  const compiled = compile(ctx, kind, args.filter, null);
  for (const [uuid] of scan(ctx, compiled, decodeCursor(args.cursor))) yield new Ref(kind, uuid, compiled.interval);
}

const paged = (kind: Kind) => (_src: unknown, args: PagedArgs, ctx: RequestContext) => {
  if (args.limit != null && args.limit < 0) throw new GraphQLError('limit must not be negative');
  return page(matches(ctx, kind, args), args.limit);
};

/**
 * `managers(inherit: true)`: a unit of the `org_unit` filter without a matching manager
 * inherits the managers of its nearest ancestor that has one.
 */
function managers(_src: unknown, args: PagedArgs & { inherit?: boolean }, ctx: RequestContext): Paged {
  const filter = args.filter ?? {};
  if (!args.inherit || !filter['org_unit']) return paged('manager')(_src, args, ctx);
  const { org_unit: unitFilter, ...rest } = filter;
  const base = compile(ctx, 'manager', rest, null);
  const units = resolveUuids(ctx, 'org_unit', unitFilter as Filter, base.interval);
  const found = new Set<string>();
  const managersOf = (unit: string) => {
    const c = compile(ctx, 'manager', { ...rest, org_unit: { uuids: [unit] } }, null);
    return [...scan(ctx, c)].map(([uuid]) => uuid);
  };
  for (const unit of units) {
    let current: string | undefined = unit;
    const seen = new Set<string>();
    while (current && !seen.has(current)) {
      seen.add(current);
      const here = managersOf(current);
      if (here.length) {
        here.forEach((m) => found.add(m));
        break;
      }
      const period: Period | undefined = ctx.periods('org_unit', current).find((p) => p.data['parent'] !== undefined && overlaps(p, base.interval));
      current = (period?.data['parent'] as string | null) ?? undefined;
    }
  }
  const after = decodeCursor(args.cursor);
  const sorted = [...found].filter((u) => u > after).sort();
  return page(sorted.map((uuid) => new Ref('manager', uuid, base.interval)), args.limit);
}

export const QUERY_RESOLVERS = {
  org: (_src: unknown, _args: unknown, ctx: RequestContext) => ctx.store.rootOrg(),
  facets: paged('facet'),
  classes: paged('class'),
  itsystems: paged('itsystem'),
  org_units: paged('org_unit'),
  persons: paged('employee'),
  employees: paged('employee'),
  engagements: paged('engagement'),
  addresses: paged('address'),
  itusers: paged('ituser'),
  managers,
  associations: paged('association'),
  kles: paged('kle'),
  related_units: paged('related_unit'),
  owners: paged('owner'),
  rolebindings: paged('rolebinding'),
};
