/**
 * Before anything is written: every org unit, class and person a delivered row refers to must
 * exist in MO or in the delivery itself. Persons already in MO keep their uuids: references to
 * the provisional gen("AAK", CPR) are re-pointed to them.
 */
import type { MoClient } from '../mo/client.ts';
import { CLASS_FACETS, PERSON_IT_USERS, PERSONS_BY_CPR } from '../mo/documents.ts';
import { readTimelines } from '../mo/read.ts';
import type { InputProblem } from '../errors.ts';
import type { DesiredObject } from '../../schemas/desired.schema.ts';
import type { Reference } from '../los/types.ts';
import { maskCpr } from '../log.ts';
import { mergePersons, referencesToCheck, type MergeOptions, type MergeResult } from '../merge/persons.ts';
import type { Remerge } from '../../schemas/merge-persons.schema.ts';

const chunks = <T>(items: T[], size: number) => Array.from({ length: Math.ceil(items.length / size) }, (_, i) => items.slice(i * size, (i + 1) * size));

/** CPR → uuid of the person MO has with that CPR. */
export async function personsByCpr(client: MoClient, cprs: string[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const query = PERSONS_BY_CPR;
  for (const part of chunks([...new Set(cprs)], 500)) {
    const objects = await client.queryAll<{ uuid: string; validities: { cpr_number: string | null }[] }>(query, { cprs: part }, ['persons'], 500);
    for (const o of objects) for (const v of o.validities) if (v.cpr_number) out.set(v.cpr_number, o.uuid);
  }
  return out;
}

/** Classes in MO by uuid → their facet's user_key. */
export async function classFacets(client: MoClient, uuids: string[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const query = CLASS_FACETS;
  for (const part of chunks([...new Set(uuids)], 500)) {
    const objects = await client.queryAll<{ uuid: string; current: { facet_response: { current: { user_key: string } | null } } | null }>(query, { uuids: part }, ['classes'], 500);
    for (const o of objects) if (o.current?.facet_response.current) out.set(o.uuid, o.current.facet_response.current.user_key);
  }
  return out;
}

export interface ReferenceContext {
  /** org unit uuids delivered in this run */
  units: Set<string>;
  /** classes delivered in this run: uuid → facet user_key */
  classes: Map<string, string>;
  /** CPRs that get an employee object in this run */
  persons: Set<string>;
}

/**
 * Problems for references that exist neither in the delivery nor in MO: one per line of each such
 * reference, in reading order (files as they first appear in `refs`, then line and column).
 */
export async function checkReferences(client: MoClient, refs: Reference[], known: ReferenceContext, mo: { cprToUuid: Map<string, string> }): Promise<InputProblem[]> {
  const unitRefs = refs.filter((r) => r.kind === 'org_unit' && r.uuid && !known.units.has(r.uuid));
  const classRefs = refs.filter((r) => r.kind === 'class' && r.uuid);
  const unitsInMo = unitRefs.length ? await readTimelines(client, 'org_unit', unitRefs.map((r) => r.uuid!)) : new Map();
  const facetsInMo = classRefs.length ? await classFacets(client, classRefs.filter((r) => !known.classes.has(r.uuid!)).map((r) => r.uuid!)) : new Map<string, string>();
  const problems: InputProblem[] = [];
  const fileOrder = new Map<string, number>();
  for (const r of refs) {
    if (!fileOrder.has(r.file)) fileOrder.set(r.file, fileOrder.size);
    let message: string | null = null;
    if (r.kind === 'org_unit' && r.uuid && !known.units.has(r.uuid) && !unitsInMo.has(r.uuid)) message = `unknown org unit ${r.uuid} (neither in the delivery nor in MO)`;
    if (r.kind === 'class' && r.uuid) {
      const facet = known.classes.get(r.uuid) ?? facetsInMo.get(r.uuid);
      if (!facet) message = `unknown class ${r.uuid}${r.facet ? ` (expected in facet ${r.facet})` : ''}`;
      else if (r.facet && facet !== r.facet) message = `class ${r.uuid} is in facet ${facet}, not ${r.facet}`;
    }
    if (r.kind === 'person' && r.cpr && !known.persons.has(r.cpr) && !mo.cprToUuid.has(r.cpr)) message = `unknown person with CPR ${maskCpr(r.cpr)} (no Pers row in this run and not in MO)`;
    if (message !== null) for (const line of r.lines) problems.push({ file: r.file, line, column: r.column, field: r.field, message });
  }
  return problems.sort((a, b) => fileOrder.get(a.file)! - fileOrder.get(b.file)! || a.line - b.line || (a.column ?? 0) - (b.column ?? 0));
}

/** Re-point the provisional person uuids to the uuids MO already has for those CPRs. */
export function repointPersons(objects: DesiredObject[], provisionalToActual: Map<string, string>): DesiredObject[] {
  if (!provisionalToActual.size) return objects;
  const map = (u: string | null | undefined) => (u && provisionalToActual.get(u)) ?? u;
  return objects.map((o) => ({
    ...o,
    uuid: o.kind === 'employee' ? map(o.uuid)! : o.uuid,
    owner: o.owner ? Object.fromEntries(Object.entries(o.owner).map(([k, v]) => [k, k === 'person' ? map(v)! : v])) : o.owner,
    periods: o.periods.map((p) => ('person' in p.fields ? { ...p, fields: { ...p.fields, person: map(p.fields.person) ?? null } } : p)),
  }));
}

/**
 * MO refuses a second IT user with the same (person, IT system, user_key) under another uuid
 * (`V_DUPLICATED_IT_USER`), e.g. a reused MO person that another source already gave its AZ id.
 * For each desired IT user MO does not have under its uuid, look up the person's IT users: one in
 * the same IT system with a user_key the delivery gives is the same IT user, and the desired
 * object is planned against it (its uuid) instead of creating a duplicate.
 */
export async function adoptItUsers(client: MoClient, objects: DesiredObject[]): Promise<DesiredObject[]> {
  const wanted = objects.filter((o) => o.kind === 'ituser' && o.owner?.person);
  if (!wanted.length) return objects;
  const query = PERSON_IT_USERS;
  const ofPerson = new Map<string, { uuid: string; itsystem: string | null; user_keys: Set<string> }[]>();
  const inMo = new Set<string>();
  type Found = { uuid: string; validities: { user_key: string | null; itsystem_uuid: string | null; employee_uuid: string | null }[] };
  const parts = await Promise.all(chunks([...new Set(wanted.map((o) => o.owner!.person!))], 500).map((part) => client.queryAll<Found>(query, { persons: part }, ['itusers'], 500)));
  for (const found of parts) {
    for (const o of found) {
      inMo.add(o.uuid);
      for (const v of o.validities) {
        if (!v.employee_uuid) continue;
        const list = ofPerson.get(v.employee_uuid) ?? ofPerson.set(v.employee_uuid, []).get(v.employee_uuid)!;
        let entry = list.find((e) => e.uuid === o.uuid && e.itsystem === v.itsystem_uuid);
        if (!entry) list.push((entry = { uuid: o.uuid, itsystem: v.itsystem_uuid, user_keys: new Set() }));
        if (v.user_key) entry.user_keys.add(v.user_key);
      }
    }
  }
  const adopt = new Map<string, string>();
  const taken = new Set<string>();
  for (const o of wanted) {
    if (inMo.has(o.uuid)) continue;
    const keys = new Set(o.periods.map((p) => p.fields.user_key).filter((k): k is string => !!k));
    const itsystems = new Set(o.periods.map((p) => p.fields.itsystem));
    const same = (ofPerson.get(o.owner!.person!) ?? []).find((e) => !taken.has(e.uuid) && itsystems.has(e.itsystem) && [...e.user_keys].some((k) => keys.has(k)));
    if (same) {
      adopt.set(o.uuid, same.uuid);
      taken.add(same.uuid);
    }
  }
  return adopt.size ? objects.map((o) => (o.kind === 'ituser' && adopt.has(o.uuid) ? { ...o, uuid: adopt.get(o.uuid)! } : o)) : objects;
}

/**
 * --skip-invalid-rows for the Pers/Leder rows: merge them again as if the rejected rows were
 * absent (docs/persons.md), so the other rows of the same person or object still count: dropping
 * whole objects would drop a person's employee with its last row and leave its valid
 * engagements without a person. Without the rejected rows a person reference may become
 * unknown (a Leder row whose CPR had only a rejected Pers row): such rows are rejected too.
 * `rejected` (FILE:LINE) is extended in place; the new problems are returned.
 */
export async function remergeWithoutRows(client: MoClient, remerge: Remerge, rejected: Set<string>, known: ReferenceContext, mo: { cprToUuid: Map<string, string> }, keptOn?: MergeOptions['keptOn']): Promise<{ result: MergeResult; problems: InputProblem[] }> {
  const problems: InputProblem[] = [];
  for (;;) {
    const result = mergePersons(remerge.person_rows, remerge.manager_rows, { ...remerge.options, exclude: rejected, ...(keptOn ? { keptOn } : {}) });
    const persons = new Set(result.persons.filter((p) => p.employee).map((p) => p.cpr));
    const refs = referencesToCheck(remerge.references, result.persons, rejected).filter((r) => r.kind === 'person');
    const more = (await checkReferences(client, refs, { ...known, persons }, mo)).filter((p) => !rejected.has(`${p.file}:${p.line}`));
    if (!more.length) return { result, problems };
    for (const p of more) problems.push(p);
    for (const p of more) rejected.add(`${p.file}:${p.line}`);
  }
}

/**
 * --skip-invalid-rows for the unit rows: a unit with a period from a rejected row is dropped with
 * its addresses, and every row that names a dropped unit MO does not have — a child unit's
 * ParentUUID, an engagement's OrgenhedUUID, a manager's OrgUUID — is rejected in turn
 * ("depends on dropped unit X from FILE:LINE"), transitively. `rejected` (FILE:LINE) is extended
 * in place; returns the units kept and the new problems.
 */
export async function dropUnitsCascading(client: MoClient, units: DesiredObject[], references: Reference[], rejected: Set<string>): Promise<{ units: DesiredObject[]; problems: InputProblem[] }> {
  const problems: InputProblem[] = [];
  const inMo = new Map<string, boolean>();
  for (;;) {
    const droppedAt = new Map<string, string>();
    for (const o of units) {
      if (o.kind !== 'org_unit') continue;
      const hit = o.periods.find((p) => rejected.has(`${p.source.file}:${p.source.line}`));
      if (hit) droppedAt.set(o.uuid, `${hit.source.file}:${hit.source.line}`);
    }
    const unread = [...droppedAt.keys()].filter((u) => !inMo.has(u));
    if (unread.length) {
      const found = await readTimelines(client, 'org_unit', unread);
      for (const u of unread) inMo.set(u, found.has(u));
    }
    const more: InputProblem[] = [];
    for (const r of references) {
      if (r.kind !== 'org_unit' || !r.uuid || !droppedAt.has(r.uuid) || inMo.get(r.uuid)) continue;
      for (const line of r.lines) {
        if (!rejected.has(`${r.file}:${line}`)) more.push({ file: r.file, line, column: r.column, field: r.field, message: `depends on dropped unit ${r.uuid} from ${droppedAt.get(r.uuid)}` });
      }
    }
    if (!more.length) {
      const kept = units.filter((o) => (o.kind === 'org_unit' ? !droppedAt.has(o.uuid) : !(o.owner?.['org_unit'] && droppedAt.has(o.owner['org_unit']))));
      return { units: withoutRows(kept, rejected), problems };
    }
    for (const p of more) rejected.add(`${p.file}:${p.line}`);
    for (const p of more) problems.push(p);
  }
}

/** --skip-invalid-rows: leave out every object that has a period from a rejected row. */
export function withoutRows(objects: DesiredObject[], rejected: Set<string>): DesiredObject[] {
  return objects.filter((o) => !o.periods.some((p) => rejected.has(`${p.source.file}:${p.source.line}`)));
}
