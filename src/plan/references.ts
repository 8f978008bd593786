/**
 * Before anything is written: every org unit, class and person a delivered row refers to must
 * exist in MO or in the delivery itself. Persons already in MO keep their uuids: references to
 * the provisional gen("AAK", CPR) are re-pointed to them.
 */
import type { MoClient } from '../mo/client.ts';
import { readTimelines } from '../mo/read.ts';
import type { InputProblem } from '../errors.ts';
import type { DesiredObject } from '../../schemas/desired.schema.ts';
import type { Reference } from '../../schemas/parse-persons.schema.ts';
import { maskCpr } from '../log.ts';

const chunks = <T>(items: T[], size: number) => Array.from({ length: Math.ceil(items.length / size) }, (_, i) => items.slice(i * size, (i + 1) * size));

/** CPR → uuid of the person MO has with that CPR. */
export async function personsByCpr(client: MoClient, cprs: string[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const query = `query PersonsByCpr($cprs: [CPR!], $cursor: Cursor, $limit: int) {
  persons(filter: { cpr_numbers: $cprs, from_date: null, to_date: null }, cursor: $cursor, limit: $limit) { objects { uuid validities(start: null, end: null) { cpr_number } } page_info { next_cursor } }
}`;
  for (const part of chunks([...new Set(cprs)], 500)) {
    const objects = await client.queryAll<{ uuid: string; validities: { cpr_number: string | null }[] }>(query, { cprs: part }, ['persons'], 500);
    for (const o of objects) for (const v of o.validities) if (v.cpr_number) out.set(v.cpr_number, o.uuid);
  }
  return out;
}

/** Classes in MO by uuid → their facet's user_key. */
export async function classFacets(client: MoClient, uuids: string[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const query = `query ClassFacets($uuids: [UUID!], $cursor: Cursor, $limit: int) {
  classes(filter: { uuids: $uuids }, cursor: $cursor, limit: $limit) { objects { uuid current { facet_response { current { user_key } } } } page_info { next_cursor } }
}`;
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

/** Problems for references that exist neither in the delivery nor in MO. */
export async function checkReferences(client: MoClient, refs: Reference[], known: ReferenceContext, mo: { cprToUuid: Map<string, string> }): Promise<InputProblem[]> {
  const unitRefs = refs.filter((r) => r.kind === 'org_unit' && r.uuid && !known.units.has(r.uuid));
  const classRefs = refs.filter((r) => r.kind === 'class' && r.uuid);
  const unitsInMo = unitRefs.length ? await readTimelines(client, 'org_unit', unitRefs.map((r) => r.uuid!)) : new Map();
  const facetsInMo = classRefs.length ? await classFacets(client, classRefs.filter((r) => !known.classes.has(r.uuid!)).map((r) => r.uuid!)) : new Map<string, string>();
  const problems: InputProblem[] = [];
  for (const r of refs) {
    const at = { file: r.file, line: r.line, column: r.column, field: r.field };
    if (r.kind === 'org_unit' && r.uuid && !known.units.has(r.uuid) && !unitsInMo.has(r.uuid)) problems.push({ ...at, message: `unknown org unit ${r.uuid} (neither in the delivery nor in MO)` });
    if (r.kind === 'class' && r.uuid) {
      const facet = known.classes.get(r.uuid) ?? facetsInMo.get(r.uuid);
      if (!facet) problems.push({ ...at, message: `unknown class ${r.uuid}${r.facet ? ` (expected in facet ${r.facet})` : ''}` });
      else if (r.facet && facet !== r.facet) problems.push({ ...at, message: `class ${r.uuid} is in facet ${facet}, not ${r.facet}` });
    }
    if (r.kind === 'person' && r.cpr && !known.persons.has(r.cpr) && !mo.cprToUuid.has(r.cpr)) problems.push({ ...at, message: `unknown person with CPR ${maskCpr(r.cpr)} (no Pers row in this run and not in MO)` });
  }
  return problems;
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

/** --skip-invalid-rows: leave out every object that has a period from a rejected row. */
export function withoutRows(objects: DesiredObject[], rejected: Set<string>): DesiredObject[] {
  return objects.filter((o) => !o.periods.some((p) => rejected.has(`${p.source.file}:${p.source.line}`)));
}
