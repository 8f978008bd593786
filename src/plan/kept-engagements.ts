/**
 * Engagements MO has on another person than the delivery gives them. MO's engagement_update
 * ignores `person` (mora/service/engagement.py prepare_edit), so an engagement stays on the person
 * it was created on: such rows are merged again with the engagement kept on MO's person
 * (src/merge/persons.ts `keptOn`, docs/persons.md).
 */
import type { PagedReader } from '../mo/read.ts';
import { readTimelines } from '../mo/read.ts';
import type { KeptOn } from '../merge/persons.ts';
import type { TimedFields } from './timeline.ts';
import type { DesiredObject } from '../../schemas/desired.schema.ts';

/**
 * Pure: desired engagements (their persons as MO's uuids) against MO's timelines of them → the
 * engagements whose desired person is none of MO's, with the person MO has them on (its latest).
 */
export function engagementsElsewhere(engagements: readonly DesiredObject[], timelines: ReadonlyMap<string, TimedFields[]>): Map<string, string> {
  const out = new Map<string, string>();
  for (const o of engagements) {
    const have = timelines.get(o.uuid);
    if (!have?.length) continue;
    const mo = new Set<string>();
    for (const p of have) if (p.fields.person) mo.add(p.fields.person);
    const last = have[have.length - 1]!.fields.person;
    if (!last) continue;
    if (o.periods.some((p) => p.fields.person != null && !mo.has(p.fields.person))) out.set(o.uuid, last);
  }
  return out;
}

/** `engagementsElsewhere` with the CPR number of each MO person (read from MO). */
export async function keptOnPersons(client: PagedReader, elsewhere: ReadonlyMap<string, string>): Promise<Map<string, KeptOn>> {
  const out = new Map<string, KeptOn>();
  if (!elsewhere.size) return out;
  const persons = await readTimelines(client, 'employee', [...new Set(elsewhere.values())]);
  for (const [engagement, person] of elsewhere) {
    const periods = persons.get(person) ?? [];
    out.set(engagement, { person, cpr: periods[periods.length - 1]?.fields.cpr_number ?? null });
  }
  return out;
}
