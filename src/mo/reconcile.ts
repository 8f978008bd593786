/**
 * What to send again after an ambiguous failure: the request was sent, but its answer was lost
 * (connection reset or closed, timeout, HTTP 502/504 from a gateway), so MO may have committed it.
 * MO runs one request as one transaction (all or nothing), so the question is whether that one
 * request committed:
 * - a batch with creates: its created objects are read back by uuid (a create carries its uuid).
 *   A group whose creates are all in MO was committed; when any create of the batch is in MO, the
 *   whole request was committed, its groups without a create (updates, terminations) too.
 * - a batch without creates (updates and terminations): the objects' timelines are read back and
 *   each group's mutations are applied to them as MO applies them (`inEffect`); facets, classes
 *   and IT systems (updated over all time, ended from today) are read as they are now
 *   (`timelessInEffect`). When MO already holds what every group would make, the request was
 *   committed; otherwise nothing of it was. Sending it again after commit would fail: MO refuses
 *   to end an org unit that is not active at the date (`V_DATE_OUTSIDE_ORG_UNIT_RANGE`,
 *   `mora/graphapi/org_unit.py` `terminate_org_unit_validation`), and a write that changes
 *   nothing aborts MO's transaction, failing the request's other mutations
 *   (`mora/graphapi/mutators.py` `engagements_update`: InFailedSqlTransaction).
 * - otherwise (nothing found) the groups are sent again.
 * Re-sending a create MO already has would overwrite the object in full, or be refused as a
 * duplicate (`V_DUPLICATED_IT_USER` on an IT user with the same key), docs/mo-client.md.
 * The decisions are pure; the reads are given (`Read`, `Readers`: the client's I/O).
 */
import { joinTouching } from '../periods.ts';
import { KINDS, type Kind } from './kinds.ts';
import type { Mutation, MutationGroup } from './types.ts';
import type { Fields, TimedFields } from './validity.ts';

/** Create mutation → the query field that reads its objects back. */
export const CREATE_READ_FIELDS: Readonly<Record<string, string>> = {
  facet_create: 'facets',
  class_create: 'classes',
  itsystem_create: 'itsystems',
  org_unit_create: 'org_units',
  employee_create: 'persons',
  engagement_create: 'engagements',
  address_create: 'addresses',
  ituser_create: 'itusers',
  manager_create: 'managers',
};

/** The document that reads objects of one query field back by uuid, over all time. */
export function committedQuery(field: string): string {
  return `query Committed($uuids: [UUID!]) {\n  ${field}(filter: { uuids: $uuids, from_date: null, to_date: null }) { objects { uuid } }\n}`;
}

/** Runs a read (a MoError on GraphQL errors). */
export type Read = <T>(query: string, variables: Record<string, unknown>) => Promise<T>;

/** Reads objects' full timelines by uuid (absent uuids are not in the map), as mo/read.ts `readTimelines`. */
export type ReadTimelines = (kind: Kind, uuids: string[]) => Promise<Map<string, TimedFields[]>>;

export type TimelessKind = 'facet' | 'class' | 'itsystem';

/** Reads the currently valid facets, classes or IT systems by uuid → their fields, as mo/read.ts `readCurrent`. */
export type ReadCurrent = (kind: TimelessKind, uuids: string[]) => Promise<Map<string, Fields>>;

/** What a batch without creates is checked against: the objects as MO has them now. */
export interface Readers {
  timelines: ReadTimelines;
  current: ReadCurrent;
}

const createdUuid = (input: Record<string, unknown>) => (typeof input.uuid === 'string' ? input.uuid.toLowerCase() : undefined);

/** Update and terminate mutations of the kinds with timelines → their kind. */
const TIMELINE_MUTATIONS: ReadonlyMap<string, Kind> = new Map(
  Object.values(KINDS).flatMap((s) => [[s.update, s.kind] as const, ...(s.terminate ? [[s.terminate, s.kind] as const] : [])]),
);

// ---------------------------------------------------------------- MO's effect on a timeline

const MIN = '0000-01-01';
const MAX = '9999-99-99';
interface Seg { from: string; to: string; fields: Fields }

const byFrom = (a: Seg, b: Seg) => (a.from < b.from ? -1 : a.from > b.from ? 1 : 0);
const stable = (f: Fields) => JSON.stringify(Object.keys(f).sort().map((k) => [k, f[k] ?? null]));
const canonical = (segs: Seg[]) =>
  JSON.stringify(joinTouching([...segs].filter((s) => s.from < s.to).sort(byFrom), (a, b) => stable(a.fields) === stable(b.fields)).map((s) => [s.from, s.to, stable(s.fields)]));

/** Remove `[from, to)` (a terminate). */
function cut(segs: Seg[], from: string, to: string): Seg[] {
  return segs.flatMap((s) => (s.to <= from || s.from >= to ? [s] : [...(s.from < from ? [{ ...s, to: from }] : []), ...(s.to > to ? [{ ...s, from: to }] : [])]));
}

/** Write `patch` over `[from, to)`, active there: gaps take the nearest period's fields (earlier first), as the emulator's `writeWindow`. */
function write(unsorted: Seg[], from: string, to: string, patch: Fields): Seg[] {
  const segs = [...unsorted].sort(byFrom);
  const out = cut(segs, from, to);
  const inside = segs.filter((s) => s.from < to && s.to > from).map((s) => ({ from: s.from < from ? from : s.from, to: s.to > to ? to : s.to, fields: { ...s.fields, ...patch } }));
  const base = (day: string) => (segs.filter((s) => s.to <= day).pop() ?? segs.find((s) => s.from >= day))?.fields ?? {};
  let cursor = from;
  for (const piece of [...inside]) {
    if (piece.from > cursor) inside.push({ from: cursor, to: piece.from, fields: { ...base(cursor), ...patch } });
    cursor = piece.to;
  }
  if (cursor < to) inside.push({ from: cursor, to, fields: { ...base(cursor), ...patch } });
  return [...out, ...inside];
}

/** An update's input → the compared fields it sets (mo/kinds.ts names them as the inputs do). */
function patchOf(kind: Kind, input: Record<string, unknown>): Fields {
  const compared = new Set(Object.keys(KINDS[kind].normalise({})));
  const patch: Fields = {};
  for (const [k, v] of Object.entries(input)) {
    if (!compared.has(k)) continue;
    if (Array.isArray(v)) patch[k] = [...v].map(String).sort().join(',');
    else if (v !== null && v !== undefined) patch[k] = String(v);
    else if (kind === 'org_unit' && k === 'parent' && v === null) patch[k] = null; // explicit null: top-level
  }
  // `manager_update` without `person` makes the manager vacant (mora/graphapi/models.py ManagerUpdate)
  if (kind === 'manager' && input.person == null) patch.person = null;
  return patch;
}

/** One update or terminate applied to a timeline as MO applies it (docs: mo-graphql-notes.md, bitemporal semantics). */
function apply(kind: Kind, segs: Seg[], m: Mutation): Seg[] {
  const input = m.input;
  if (m.name === KINDS[kind].terminate) {
    const to = String(input.to);
    return input.from == null ? cut(segs, to, MAX) : cut(segs, String(input.from), to);
  }
  const validity = (input.validity ?? {}) as { from?: string | null; to?: string | null };
  const from = validity.from ?? MIN, to = validity.to ?? MAX;
  const patch = patchOf(kind, input);
  if (kind === 'org_unit') {
    // org_unit_update writes name and user_key over its whole window: what it leaves out comes from
    // the last period overlapping it (mora/service/orgunit.py prepare_edit)
    const last = segs.filter((s) => s.from <= to && s.to > from).sort(byFrom).pop();
    for (const k of ['name', 'user_key']) if (!(k in patch) && last && k in last.fields) patch[k] = last.fields[k] ?? null;
  }
  return write(segs, from, to, patch);
}

/**
 * Does MO's timeline already hold what these updates and terminations of one object would make?
 * (Applying them again changes nothing.) The mutations must be of `kind`.
 */
export function inEffect(kind: Kind, periods: TimedFields[], mutations: Mutation[]): boolean {
  const now: Seg[] = periods.map((p) => ({ from: p.from ?? MIN, to: p.to ?? MAX, fields: p.fields }));
  const after = mutations.reduce((segs, m) => apply(kind, segs, m), now);
  return canonical(after) === canonical(now);
}

/** `facet_update`, `class_terminate` … → the timeless kind. */
const timelessKind = (name: string) => /^(facet|class|itsystem)_(update|terminate)$/.exec(name)?.[1] as TimelessKind | undefined;

/**
 * Do MO's current facet/class/IT system (`now`: its fields; undefined: not valid now) hold what
 * these mutations make? los2mo updates them over all time with every field it has and ends them
 * from today (src/plan/timeless.ts), so now shows both: the last mutation decides.
 */
export function timelessInEffect(now: Fields | undefined, mutations: Mutation[]): boolean {
  const last = mutations[mutations.length - 1];
  if (!last) return true;
  if (last.name.endsWith('_terminate')) return now === undefined;
  if (!now) return false;
  return Object.entries(last.input).every(([k, v]) => !(k in now) || v === null || v === undefined || now[k] === String(v));
}

/**
 * A batch without creates: was it committed? Each object's mutations are checked against MO's
 * object read back; true when every object that can be checked has them in effect (at least one).
 */
async function committedWithoutCreates(groups: MutationGroup[], readers: Readers): Promise<boolean> {
  interface Target { kind: Kind | TimelessKind; timeless: boolean; uuid: string; mutations: Mutation[] }
  const objects = new Map<string, Target>();
  for (const g of groups) {
    for (const m of g.mutations) {
      const timeline = TIMELINE_MUTATIONS.get(m.name);
      const kind = timeline ?? timelessKind(m.name);
      const uuid = createdUuid(m.input);
      if (!kind || !uuid) continue;
      const key = `${kind} ${uuid}`;
      const o = objects.get(key) ?? { kind, timeless: !timeline, uuid, mutations: [] };
      o.mutations.push(m);
      objects.set(key, o);
    }
  }
  if (objects.size === 0) return false;
  const byKind = new Map<string, Target[]>();
  for (const o of objects.values()) byKind.set(o.kind, [...(byKind.get(o.kind) ?? []), o]);
  for (const list of byKind.values()) {
    const { kind, timeless } = list[0]!;
    const uuids = list.map((o) => o.uuid);
    const lower = <V>(read: Map<string, V>) => new Map([...read].map(([u, v]) => [u.toLowerCase(), v]));
    if (timeless) {
      const now = lower(await readers.current(kind as TimelessKind, uuids));
      if (!list.every((o) => timelessInEffect(now.get(o.uuid), o.mutations))) return false;
    } else {
      const read = lower(await readers.timelines(kind as Kind, uuids));
      if (!list.every((o) => inEffect(kind as Kind, read.get(o.uuid) ?? [], o.mutations))) return false;
    }
  }
  return true;
}

/** Splits `groups` (one request whose answer was lost) into those MO has committed and those to send again. */
export async function reconcile(groups: MutationGroup[], read: Read, readers: Readers): Promise<{ committed: MutationGroup[]; resend: MutationGroup[] }> {
  const byField = new Map<string, Set<string>>();
  for (const g of groups) {
    for (const m of g.mutations) {
      const field = CREATE_READ_FIELDS[m.name];
      const uuid = createdUuid(m.input);
      if (!field || !uuid) continue;
      let set = byField.get(field);
      if (!set) byField.set(field, (set = new Set()));
      set.add(uuid);
    }
  }
  if (byField.size === 0) return (await committedWithoutCreates(groups, readers)) ? { committed: groups, resend: [] } : { committed: [], resend: groups };
  const found = new Set<string>();
  for (const [field, uuids] of byField) {
    const data = await read<Record<string, { objects: { uuid: string }[] }>>(committedQuery(field), { uuids: [...uuids] });
    for (const o of data[field]?.objects ?? []) found.add(`${field} ${o.uuid.toLowerCase()}`);
  }
  const committedRequest = found.size > 0;
  const committed: MutationGroup[] = [];
  const resend: MutationGroup[] = [];
  for (const g of groups) {
    const creates = g.mutations.flatMap((m) => {
      const field = CREATE_READ_FIELDS[m.name];
      const uuid = createdUuid(m.input);
      return field && uuid ? [`${field} ${uuid}`] : [];
    });
    const done = creates.length > 0 ? creates.every((k) => found.has(k)) : committedRequest;
    (done ? committed : resend).push(g);
  }
  return { committed, resend };
}
