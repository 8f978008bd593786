/** Reading objects' full timelines from MO by uuid, in batched, paged queries. */
import { currentQuery, timelineQuery, TIMELESS_READS } from './documents.ts';
import { KINDS, moDay, type Kind } from './kinds.ts';
import type { TimedFields } from './validity.ts';

const CHUNK = 500;

/** What the readers need of a client: every page of a query (`MoClient.queryAll`). */
export interface PagedReader {
  queryAll<T>(query: string, variables: Record<string, unknown>, path: string[], limit?: number): Promise<T[]>;
}

const chunks = <T>(items: T[], size: number) => Array.from({ length: Math.ceil(items.length / size) }, (_, i) => items.slice(i * size, (i + 1) * size));

/** By start day (null first); days are YYYY-MM-DD, so code-unit order is calendar order. */
const byFrom = (a: TimedFields, b: TimedFields) => {
  const x = a.from ?? '', y = b.from ?? '';
  return x < y ? -1 : x > y ? 1 : 0;
};

interface Validity { validity: { from: string | null; to: string | null } }

/** uuid → periods (sorted) for every uuid MO has; absent uuids are not in the map. */
export async function readTimelines(client: PagedReader, kind: Kind, uuids: string[]): Promise<Map<string, TimedFields[]>> {
  const spec = KINDS[kind];
  const query = timelineQuery(kind);
  const out = new Map<string, TimedFields[]>();
  const unique = [...new Set(uuids)];
  await Promise.all(
    chunks(unique, CHUNK).map(async (part) => {
      const objects = await client.queryAll<{ uuid: string; validities: (Validity & Record<string, unknown>)[] }>(query, { uuids: part }, [spec.query], CHUNK);
      for (const o of objects) {
        const periods = o.validities.map((v): TimedFields => ({ from: moDay(v.validity.from), to: moDay(v.validity.to), fields: spec.normalise(v) }));
        if (periods.length > 1) periods.sort(byFrom);
        if (periods.length) out.set(o.uuid, periods);
      }
    }),
  );
  return out;
}

export interface TimelessRecord {
  uuid: string;
  fields: Record<string, string | null>;
}

/** MO's current fields → compared fields (the query: documents.ts `TIMELESS_READS`). */
const timelessNormalise = {
  facet: (v: Record<string, unknown>) => ({ user_key: String(v.user_key) }),
  class: (v: Record<string, unknown>) => ({ user_key: String(v.user_key), name: String(v.name), scope: (v.scope as string | null) ?? null, facet_uuid: String(v.facet_uuid) }),
  itsystem: (v: Record<string, unknown>) => ({ user_key: String(v.user_key), name: String(v.name) }),
} as const;

export type TimelessKind = keyof typeof timelessNormalise;

/** Currently valid facets, classes or IT systems matching a filter (uuids, user_keys, facet …). */
export async function readCurrent(client: PagedReader, kind: TimelessKind, filter: Record<string, unknown>): Promise<Map<string, TimelessRecord>> {
  const normalise = timelessNormalise[kind];
  const objects = await client.queryAll<{ uuid: string; current: Record<string, unknown> | null }>(currentQuery(kind), { filter }, [TIMELESS_READS[kind].query], 500);
  const out = new Map<string, TimelessRecord>();
  for (const o of objects) if (o.current) out.set(o.uuid, { uuid: o.uuid, fields: normalise(o.current) });
  return out;
}
