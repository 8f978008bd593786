/**
 * Ending an IT user within MO's rule: MO refuses `ituser_terminate` while a rolebinding of the IT
 * user is active at the termination date (`from`, else `to`; V_TERMINATE_ITUSER_WITH_ROLEBINDINGS,
 * `mora/graphapi/it_user.py`). Rolebindings are written by other systems (e.g. an IdM binding
 * roles to the AZ IT users los2mo keeps). Before writing, los2mo reads the rolebindings of every IT
 * user the plan ends (`readItUserRolebindings`, the only I/O here), then plans (pure,
 * `planEndingItUsers`): an end at a date where a rolebinding is active is left out of the plan and
 * reported as one error naming the row, the IT user, its person (CPR masked) and the rolebindings;
 * the rest of the run is written. The run then fails (exit 1) without advancing the state, so the
 * next run plans the same files again and ends the IT user once the rolebindings are gone — the
 * same policy as a blocked unit end (closing-units.ts).
 */
import type { MoClient } from '../mo/client.ts';
import { ITUSER_ROLEBINDINGS } from '../mo/documents.ts';
import { moDay } from '../mo/kinds.ts';
import { maskCpr } from '../log.ts';
import type { DesiredObject } from '../../schemas/desired.schema.ts';
import { objectOps, CREATE } from './operations.ts';
import type { TimedFields } from './timeline.ts';

/** One rolebinding of an IT user: its uuid, user_key and periods (`to` exclusive, null = open). */
export interface Rolebinding { uuid: string; ituser: string; user_key: string | null; periods: { from: string | null; to: string | null }[] }

/** The IT users the plan terminates, with the date each terminate takes effect (MO's check date: `from`, else `to`). */
export function itUserEnds(itusers: readonly DesiredObject[], actual: ReadonlyMap<string, TimedFields[]>): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const o of itusers) {
    const have = actual.get(o.uuid);
    if (!have) continue;
    const ops = objectOps(o, have);
    if (!ops || ops === CREATE) continue;
    const dates = ops.ending.flatMap((op) => (op.op === 'terminate' ? [(op.validity.from ?? op.validity.to)!] : []));
    if (dates.length) out.set(o.uuid, dates);
  }
  return out;
}

/** Every rolebinding (at any time) of the given IT users. */
export async function readItUserRolebindings(client: MoClient, itusers: string[]): Promise<Rolebinding[]> {
  if (!itusers.length) return [];
  const objects = await client.queryAll<{ uuid: string; validities: { validity: { from: string | null; to: string | null }; user_key: string | null; ituser_response: { uuid: string } | null }[] }>(ITUSER_ROLEBINDINGS, { u: itusers }, ['rolebindings'], 500);
  const wanted = new Set(itusers);
  const out: Rolebinding[] = [];
  for (const o of objects) {
    const byItUser = new Map<string, Rolebinding>();
    for (const v of o.validities) {
      const ituser = v.ituser_response?.uuid;
      if (!ituser || !wanted.has(ituser)) continue;
      let rb = byItUser.get(ituser);
      if (!rb) byItUser.set(ituser, (rb = { uuid: o.uuid, ituser, user_key: v.user_key ?? null, periods: [] }));
      rb.periods.push({ from: moDay(v.validity.from), to: moDay(v.validity.to) });
    }
    out.push(...byItUser.values());
  }
  return out;
}

const activeAt = (p: { from: string | null; to: string | null }, day: string) => (p.from ?? '') <= day && (p.to === null || day < p.to);

export interface EndingItUsersPlan {
  /** IT user → the terminate dates left out of the plan */
  held: Map<string, string[]>;
  /** one message per IT user whose end is left out */
  blocked: string[];
}

/**
 * Pure: the IT users' terminate dates, their rolebindings and the delivery (the IT users and the
 * persons, for the row and the CPR number) → the ends left out and their messages.
 */
export function planEndingItUsers(ends: ReadonlyMap<string, readonly string[]>, rolebindings: readonly Rolebinding[], desired: ReadonlyMap<string, DesiredObject>): EndingItUsersPlan {
  const held = new Map<string, string[]>();
  const blocked: string[] = [];
  for (const [ituser, dates] of ends) {
    const mine = rolebindings.filter((rb) => rb.ituser === ituser);
    const hold = dates.filter((d) => mine.some((rb) => rb.periods.some((p) => activeAt(p, d))));
    if (!hold.length) continue;
    held.set(ituser, hold);
    const at = hold[0]!;
    const blockers = mine.filter((rb) => rb.periods.some((p) => activeAt(p, at)));
    const it = desired.get(ituser);
    const person = it?.owner?.['person'] ?? it?.periods.find((p) => p.fields['person'])?.fields['person'] ?? null;
    const employee = person ? desired.get(person) : undefined;
    const cpr = employee?.periods.find((p) => typeof p.fields['cpr_number'] === 'string')?.fields['cpr_number'] as string | undefined;
    const source = it?.periods.at(-1)?.source ?? employee?.periods.at(-1)?.source;
    const userKey = it?.periods.at(-1)?.fields['user_key'];
    const what = blockers.map((rb) => `rolebinding ${rb.uuid}${rb.user_key ? ` (${rb.user_key})` : ''}`).join(', ');
    blocked.push(
      `${source ? `${source.file}:${source.line}: ` : ''}IT user ${ituser}${typeof userKey === 'string' ? ` (${userKey})` : ''}${person ? ` of person ${cpr ? maskCpr(cpr) : person}` : ''} cannot be ended from ${at}: MO still has active ${what} on it (MO would refuse with V_TERMINATE_ITUSER_WITH_ROLEBINDINGS); the IT user's end is left out, the rest is written, and the state is not advanced so the next run tries again — end the rolebindings in MO first`,
    );
  }
  return { held, blocked };
}
