/** Plans for desired org units, addresses, persons, engagements, IT users and managers against MO. */
import type { MoClient } from '../mo/client.ts';
import { KINDS, type Kind } from '../mo/kinds.ts';
import { readTimelines } from '../mo/read.ts';
import { planObject, type ObjectPlan, type PlanPart } from './operations.ts';
import type { Phase } from './classes.ts';
import type { DesiredObject } from '../../schemas/desired.schema.ts';
import { InputError } from '../errors.ts';

type PlanOptionsCompat = PlanObjectsOptions | ((message: string) => void);

export interface ExternalParent { uuid: string; file: string; line: number; column?: number }

/** Depth of each org unit in the delivered tree (0 = its parent is not delivered). */
function depths(units: DesiredObject[]): Map<string, number> {
  const parents = new Map(units.map((u) => [u.uuid, new Set(u.periods.map((p) => p.fields.parent).filter((x): x is string => !!x))]));
  const memo = new Map<string, number>();
  const depth = (uuid: string, seen: Set<string>): number => {
    if (memo.has(uuid)) return memo.get(uuid)!;
    if (seen.has(uuid)) return 0; // cycles are refused by merge; do not loop here
    seen.add(uuid);
    let d = 0;
    for (const p of parents.get(uuid) ?? []) if (parents.has(p)) d = Math.max(d, depth(p, seen) + 1);
    memo.set(uuid, d);
    return d;
  };
  for (const u of units) depth(u.uuid, new Set());
  return memo;
}

export interface Fallback { kind: string; uuid: string; window: { from: string | null }; periods: DesiredObject['periods'] }
export interface End { kind: string; uuid: string; last_day: string; source: { file: string; line: number } }

export interface PlanObjectsOptions {
  /** used when MO does not have the object (e.g. an engagement first seen in Pers_ret) */
  fallbacks?: Fallback[];
  /** luk rows: a warning when the object does not exist or is already ended */
  ends?: End[];
  warn?: (message: string) => void;
}

export async function planObjects(client: MoClient, objects: DesiredObject[], externalParents: ExternalParent[], options: PlanOptionsCompat = {}) {
  const { fallbacks = [], ends = [], warn = () => {} } = typeof options === 'function' ? { warn: options } : options;
  const fallbackOf = new Map(fallbacks.map((f) => [f.uuid, f]));
  // parents that are not delivered must exist in MO
  if (externalParents.length) {
    const inMo = await readTimelines(client, 'org_unit', externalParents.map((p) => p.uuid));
    const missing = externalParents.filter((p) => !inMo.has(p.uuid));
    if (missing.length) {
      throw new InputError(missing.map((p) => ({ file: p.file, line: p.line, column: p.column ?? 1, field: 'ParentUUID', message: `parent unit ${p.uuid} is neither in the delivery nor in MO` })));
    }
  }
  const byKind = new Map<Kind, DesiredObject[]>();
  for (const o of objects) {
    const list = byKind.get(o.kind as Kind);
    if (list) list.push(o);
    else byKind.set(o.kind as Kind, [o]);
  }
  const plans = new Map<Kind, { object: DesiredObject; plan: ObjectPlan }[]>();
  await Promise.all(
    [...byKind].map(async ([kind, list]) => {
      const actual = await readTimelines(client, kind, list.map((o) => o.uuid));
      const out: { object: DesiredObject; plan: ObjectPlan }[] = [];
      for (const object of list) {
        const have = actual.get(object.uuid) ?? null;
        const fallback = have ? undefined : fallbackOf.get(object.uuid);
        const plan = planObject(fallback ? { ...object, window: fallback.window, periods: fallback.periods } : object, have);
        if (plan) out.push({ object, plan });
      }
      const desiredOf = new Map(list.map((o) => [o.uuid, o]));
      for (const end of ends.filter((e) => e.kind === kind)) {
        const periods = [...(actual.get(end.uuid) ?? []), ...(desiredOf.get(end.uuid)?.periods ?? [])];
        if (!periods.some((p) => (p.from ?? '') <= end.last_day && (p.to === null || end.last_day < p.to))) {
          warn(`${end.source.file}:${end.source.line}: ${kind} ${end.uuid} does not exist in MO or has already ended by ${end.last_day}; nothing to end`);
        }
      }
      plans.set(kind, out);
    }),
  );
  const order = (Object.keys(KINDS) as Kind[]).sort((a, b) => KINDS[a].rank - KINDS[b].rank);
  const phases: Phase[] = [];
  const phase = (label: string, items: PlanPart[]) => {
    if (items.length) phases.push({ label, groups: items.map((p) => p.group), changes: items.flatMap((p) => p.changes) });
  };
  const unitDepth = depths(byKind.get('org_unit') ?? []);
  /** org units in layers of equal depth: parents first (creating), or children first (ending) */
  const unitLayers = (items: { object: DesiredObject; part: PlanPart }[], label: string, parentsFirst: boolean) => {
    const layers = new Map<number, PlanPart[]>();
    for (const x of items) {
      const d = unitDepth.get(x.object.uuid) ?? 0;
      const layer = layers.get(d);
      if (layer) layer.push(x.part);
      else layers.set(d, [x.part]);
    }
    for (const d of [...layers.keys()].sort((a, b) => (parentsFirst ? a - b : b - a))) phase(`${label} (level ${d + 1})`, layers.get(d)!);
  };
  for (const kind of order) {
    const items = (plans.get(kind) ?? []).flatMap((x) => (x.plan.forward ? [{ object: x.object, part: x.plan.forward }] : []));
    if (kind === 'org_unit') unitLayers(items, 'org units', true);
    else phase(KINDS[kind].query, items.map((x) => x.part));
  }
  // terminations last: roles before units, children before parents
  for (const kind of [...order].reverse()) {
    const items = (plans.get(kind) ?? []).flatMap((x) => (x.plan.ending ? [{ object: x.object, part: x.plan.ending }] : []));
    if (kind === 'org_unit') unitLayers(items, 'ending org units', false);
    else phase(`ending ${KINDS[kind].query}`, items.map((x) => x.part));
  }
  return { phases };
}
