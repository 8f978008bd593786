/**
 * Ending a unit within MO's rule: MO refuses `org_unit_terminate` while anything is active in the
 * unit (`V_TERMINATE_UNIT_WITH_ROLES`/`_CHILDREN`, `mora/graphapi/org_unit.py`). Before writing,
 * los2mo reads what MO has in each unit the plan ends (`readUnitContents`, the only I/O here) and
 * then plans (pure, `planClosingUnits`):
 * - the unit's addresses that the delivery does not plan (typed into MO by hand, or of a type the
 *   mapping does not list) end with the unit: an address cannot outlive its unit;
 * - anything else still active then that los2mo does not plan — another system's engagement, IT
 *   user, manager, association, KLE, related unit, owner of the unit or rolebinding in it, or a
 *   child unit the delivery does not end —
 *   blocks the end: the unit's end is
 *   left out of the plan and reported as one error naming the unit and what blocks it, and the
 *   unit stays whole: no address ends because of its end (neither the hand-typed ones above nor
 *   the delivery's own, `heldBack`), and a parent that would end with a blocked child is blocked
 *   too (`V_TERMINATE_UNIT_WITH_CHILDREN`), up the tree; the rest of the run is written. The run then fails (exit 1) without advancing the state, so the next
 *   run plans the same files again: what was written is already in MO (nothing to do), and the
 *   unit's end is tried again once the blockers are gone.
 */
import type { MoClient } from '../mo/client.ts';
import { UNIT_CONTENTS, unitContentsQuery, type UnitContentKind } from '../mo/documents.ts';
import { moDay } from '../mo/kinds.ts';
import type { DesiredObject } from '../../schemas/desired.schema.ts';
import { objectOps, CREATE } from './operations.ts';
import type { TimedFields, TimelineOp } from './timeline.ts';

/** One object MO has in a unit: its kind, uuid and periods (with user_key for messages). */
export interface UnitContent { kind: UnitContentKind; uuid: string; unit: string; user_key: string | null; periods: { from: string | null; to: string | null }[] }


/** Everything MO has (at any time) in the given units: their org functions and child units. */
export async function readUnitContents(client: MoClient, units: string[]): Promise<UnitContent[]> {
  if (!units.length) return [];
  const lists = await Promise.all(
    UNIT_CONTENTS.map(async (c) => {
      const { kind, query, field } = c;
      const q = unitContentsQuery(c);
      const objects = await client.queryAll<{ uuid: string; validities: { validity: { from: string | null; to: string | null }; user_key: string | null; [k: string]: unknown }[] }>(q, { u: units }, [query], 500);
      const wanted = new Set(units);
      const out: UnitContent[] = [];
      for (const o of objects) {
        // per unit: the periods the object is in that unit
        const byUnit = new Map<string, UnitContent>();
        for (const v of o.validities) {
          // a related unit names both its units: it is in each of them; a rolebinding names it as `{ uuid }`
          const raw = v[field];
          const value = raw && typeof raw === 'object' && !Array.isArray(raw) ? ((raw as { uuid?: string }).uuid ?? null) : raw;
          for (const unit of Array.isArray(value) ? (value as string[]) : [value as string | null]) {
            if (!unit || !wanted.has(unit)) continue;
            let c = byUnit.get(unit);
            if (!c) byUnit.set(unit, (c = { kind, uuid: o.uuid, unit, user_key: v.user_key ?? null, periods: [] }));
            c.periods.push({ from: moDay(v.validity.from), to: moDay(v.validity.to) });
          }
        }
        out.push(...byUnit.values());
      }
      return out;
    }),
  );
  return lists.flat();
}

/** A stretch `[from, to)` in which the plan makes a unit inactive (to null = for good). */
export interface Cut { from: string; to: string | null }

/** The units the plan ends or cuts, with their cuts (pure). */
export function unitCuts(units: readonly DesiredObject[], actual: ReadonlyMap<string, TimedFields[]>): Map<string, Cut[]> {
  const out = new Map<string, Cut[]>();
  for (const unit of units) {
    const ops = objectOps(unit, actual.get(unit.uuid) ?? null);
    if (!ops || ops === CREATE) continue;
    const cuts = ops.ending.flatMap((op): Cut[] => (op.op !== 'terminate' ? [] : op.validity.from ? [{ from: op.validity.from, to: op.validity.to }] : [{ from: op.validity.to!, to: null }]));
    if (cuts.length) out.set(unit.uuid, cuts);
  }
  return out;
}

const overlaps = (p: { from: string | null; to: string | null }, c: Cut) => (p.to === null || p.to > c.from) && (c.to === null || (p.from ?? '') < c.to);

/** Cut `[from, to)` out of periods. */
function cutOut(periods: TimedFields[], c: Cut): TimedFields[] {
  const out: TimedFields[] = [];
  for (const p of periods) {
    if (!overlaps(p, c)) out.push(p);
    else {
      if ((p.from ?? '') < c.from) out.push({ ...p, to: c.from });
      if (c.to !== null && (p.to === null || p.to > c.to)) out.push({ ...p, from: c.to });
    }
  }
  return out;
}

/**
 * Pure: an ending operation of an address of a unit whose end is blocked is held back when it
 * starts within the unit's cut (it follows from the unit's end: the unit stays whole in MO until
 * its end can be written); an address end before the unit's end is the delivery's own and kept.
 */
export function heldBack(op: TimelineOp, cuts: readonly Cut[]): boolean {
  if (op.op !== 'terminate') return false;
  const start = op.validity.from ?? op.validity.to!;
  return cuts.some((c) => c.from <= start && (c.to === null || start < c.to));
}

export interface ClosingPlan {
  /** desired objects to add: MO's addresses of a closing unit that the delivery does not plan, ended with it */
  addressEnds: DesiredObject[];
  /** units whose end is left out, with the message naming what blocks it */
  blocked: Map<string, string>;
}

/**
 * Pure: the cuts of the closing units, what MO has in them and what the delivery plans (desired
 * objects by uuid, with their periods) → the addresses to end with their unit, and the units whose
 * end is blocked by something los2mo does not end.
 */
export function planClosingUnits(
  cuts: ReadonlyMap<string, Cut[]>,
  contents: readonly UnitContent[],
  desired: ReadonlyMap<string, DesiredObject>,
  units: ReadonlyMap<string, DesiredObject>,
): ClosingPlan {
  const addressEnds: DesiredObject[] = [];
  const blockers = new Map<string, { c: UnitContent; why?: string }[]>();
  const block = (c: UnitContent, why?: string) => {
    let list = blockers.get(c.unit);
    if (!list) blockers.set(c.unit, (list = []));
    list.push({ c, why });
  };
  /** does the delivery leave the object active (in the unit) within the cut? */
  const planned = (c: UnitContent) => desired.get(c.uuid);
  /** what MO has active in a closing unit within its cuts, with those cuts */
  const inCuts: { c: UnitContent; active: Cut[] }[] = [];
  /** planned child units that end with their parent: they block it if their own end is blocked */
  const endingChildren: UnitContent[] = [];
  for (const c of contents) {
    const unitCuts = cuts.get(c.unit);
    if (!unitCuts) continue;
    const active = unitCuts.filter((cut) => c.periods.some((p) => overlaps(p, cut)));
    if (!active.length) continue;
    const own = planned(c);
    if (c.kind === 'address' && !own) {
      inCuts.push({ c, active });
      continue;
    }
    if (own) {
      // planned by the delivery: the plan ends it too unless its desired periods stay in the cut
      const stays = own.periods.some((p) => (p.fields['org_unit'] ?? p.fields['parent'] ?? null) === c.unit && active.some((cut) => overlaps(p, cut)));
      if (!stays) {
        if (c.kind === 'org_unit') endingChildren.push(c);
        continue;
      }
    }
    block(c);
  }
  // a child whose end is blocked stays in MO, so its parent cannot end either (V_TERMINATE_UNIT_WITH_CHILDREN): up the tree
  for (let grew = true; grew; ) {
    grew = false;
    for (const c of endingChildren) {
      if (blockers.has(c.uuid) && !blockers.get(c.unit)?.some((b) => b.c === c)) {
        block(c, 'whose own end is blocked');
        grew = true;
      }
    }
  }
  // an address the delivery does not plan (typed by hand, or of a type the mapping does not list)
  // ends with its unit — only when the unit really ends: a blocked unit keeps them all
  for (const { c, active } of inCuts) {
    if (blockers.has(c.unit)) continue;
    // no opinion on its fields (kept as MO has them); only the cut is planned
    let periods: TimedFields[] = c.periods.map((p) => ({ ...p, fields: {} }));
    for (const cut of active) periods = cutOut(periods, cut);
    const source = units.get(c.unit)?.periods.at(-1)?.source ?? { file: '', line: 0 };
    addressEnds.push({
      kind: 'address', uuid: c.uuid, owner: { org_unit: c.unit },
      periods: periods.map((p) => ({ from: p.from ?? '0001-01-01', to: p.to, fields: p.fields, source })),
      window: { from: active[0]!.from },
    } as DesiredObject);
  }
  const NAMES: Partial<Record<UnitContentKind, string>> = { engagement: 'engagement', ituser: 'IT user', manager: 'manager', org_unit: 'child unit', address: 'address', association: 'association', kle: 'KLE', related_unit: 'related unit', owner: 'owner', rolebinding: 'rolebinding' };
  const blocked = new Map<string, string>();
  for (const [unit, list] of blockers) {
    const d = units.get(unit);
    const cut = cuts.get(unit)![0]!;
    const source = d?.periods.at(-1)?.source;
    const what = list.map(({ c, why }) => `${NAMES[c.kind] ?? c.kind} ${c.uuid}${c.user_key ? ` (${c.user_key})` : ''}${why ? ` ${why}` : ''}`).join(', ');
    const codes = [list.some((b) => b.c.kind !== 'org_unit') && 'V_TERMINATE_UNIT_WITH_ROLES', list.some((b) => b.c.kind === 'org_unit') && 'V_TERMINATE_UNIT_WITH_CHILDREN'].filter(Boolean).join(' / ');
    blocked.set(unit, `${source ? `${source.file}:${source.line}: ` : ''}org unit ${unit}${d?.periods.at(-1)?.fields['user_key'] ? ` (${d.periods.at(-1)!.fields['user_key']})` : ''} cannot be ended from ${cut.from}: MO still has active in it ${what}, which this delivery does not end (MO would refuse with ${codes}); the unit's end and the ends of its addresses are left out, the rest is written, and the state is not advanced so the next run tries again — end or move them in MO first`);
  }
  return { addressEnds, blocked };
}
