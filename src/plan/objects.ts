/**
 * Plans for desired org units, addresses, persons, engagements, IT users and managers against
 * MO, in three parts: `groupByKind`, `readObjects` (MO's timelines of those objects: the only
 * I/O) and `planObjects` (pure: desired objects and MO's timelines → the phases to write).
 */
import type { MoClient } from '../mo/client.ts';
import { KINDS, type Kind } from '../mo/kinds.ts';
import { readTimelines } from '../mo/read.ts';
import { CREATE, objectOps, type PartOps } from './operations.ts';
import { objectPhase, type Phase } from './phase.ts';
import type { TimedFields } from './timeline.ts';
import { heldBack, type Cut } from './closing-units.ts';
import type { DesiredObject } from '../../schemas/desired.schema.ts';
import { InputError } from '../errors.ts';
import { maskCpr } from '../log.ts';

export interface ExternalParent { uuid: string; file: string; line: number; column?: number }

export interface Fallback { kind: string; uuid: string; window: { from: string | null }; periods: DesiredObject['periods'] }
export interface End { kind: string; uuid: string; last_day: string; source: { file: string; line: number } }

export interface PlanObjectsOptions {
  /** used when MO does not have the object (e.g. an engagement first seen in Pers_ret) */
  fallbacks?: Fallback[];
  /** luk rows: a warning when the object does not exist or is already ended */
  ends?: End[];
  warn?: (message: string) => void;
  /** org units whose end is left out (blocked by what MO still has in them, src/plan/closing-units.ts), with their cuts: their addresses' ends within those cuts are left out too */
  keepOpen?: ReadonlyMap<string, readonly Cut[]>;
  /** IT users whose terminates at these dates are left out (active rolebindings in MO, src/plan/ending-itusers.ts) */
  holdItUserEnds?: ReadonlyMap<string, readonly string[]>;
  /** the seeded class "Ikke angivet" (org_unit_type/ikke_angivet): the type of a unit created without one */
  unitTypeNotGiven?: string;
}

const rowsText = (sources: { file: string; line: number }[]) => {
  const shown = sources.slice(0, 10).map((s) => `${s.file}:${s.line}`).join(', ');
  return sources.length > 10 ? `${shown} and ${sources.length - 10} more` : shown;
};

/**
 * MO requires a type and a name when it creates a unit. A unit MO lacks whose first period has no
 * OrgEnhedsTypeUUID gets the seeded class "Ikke angivet"; one without OrgEnhedsNavn is named by its
 * BrugervendtNøgle (src/mo/kinds.ts). Returns the object to create and the rows of each case.
 */
function newUnitDefaults(unit: DesiredObject, notGiven: string | undefined): { unit: DesiredObject; noType?: DesiredObject['periods'][number]['source']; noName?: DesiredObject['periods'][number]['source'] } {
  const first = unit.periods[0];
  if (!first) return { unit };
  const noType = first.fields.org_unit_type == null && notGiven ? first.source : undefined;
  const noName = first.fields.name == null ? first.source : undefined;
  if (!noType) return { unit, noName };
  const periods = [{ ...first, fields: { ...first.fields, org_unit_type: notGiven! } }, ...unit.periods.slice(1)];
  return { unit: { ...unit, periods }, noType, noName };
}

/** Objects by kind, in the order of the lists and within them (the writing order within a phase). */
export function groupByKind(lists: readonly (readonly DesiredObject[])[]): Map<Kind, DesiredObject[]> {
  const byKind = new Map<Kind, DesiredObject[]>();
  for (const list of lists) {
    for (const o of list) {
      const same = byKind.get(o.kind as Kind);
      if (same) same.push(o);
      else byKind.set(o.kind as Kind, [o]);
    }
  }
  return byKind;
}

/** MO's timelines of the objects, per kind: uuid → periods (absent = MO lacks it). */
export type Timelines = Map<Kind, Map<string, TimedFields[]>>;

/** `read`: kinds already read (for at least these objects), not read again. */
export async function readObjects(client: MoClient, byKind: Map<Kind, DesiredObject[]>, read?: Timelines): Promise<Timelines> {
  const out: Timelines = new Map(read);
  await Promise.all(
    [...byKind].filter(([kind]) => !read?.has(kind)).map(async ([kind, list]) => {
      const uuids = new Array<string>(list.length);
      for (let i = 0; i < list.length; i++) uuids[i] = list[i]!.uuid;
      out.set(kind, await readTimelines(client, kind, uuids));
    }),
  );
  return out;
}

/** Parents that are not delivered must exist in MO (an InputError naming the rows otherwise). */
export async function checkExternalParents(client: MoClient, externalParents: ExternalParent[]): Promise<void> {
  if (!externalParents.length) return;
  const inMo = await readTimelines(client, 'org_unit', externalParents.map((p) => p.uuid));
  const missing = externalParents.filter((p) => !inMo.has(p.uuid));
  if (missing.length) {
    throw new InputError(missing.map((p) => ({ file: p.file, line: p.line, column: p.column ?? 1, field: 'ParentUUID', message: `parent unit ${p.uuid} is neither in the delivery nor in MO` })));
  }
}

/** Depth of each org unit in the delivered tree (0 = its parent is not delivered). */
function depths(units: DesiredObject[]): Map<string, number> {
  const parents = new Map<string, Set<string>>();
  for (const u of units) {
    const of = new Set<string>();
    for (const p of u.periods) if (p.fields.parent) of.add(p.fields.parent);
    parents.set(u.uuid, of);
  }
  const memo = new Map<string, number>();
  const depth = (uuid: string, seen: Set<string>): number => {
    const known = memo.get(uuid);
    if (known !== undefined) return known;
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

/** The objects of one phase and the operations of each. */
class Part {
  readonly objects: DesiredObject[] = [];
  readonly ops: PartOps[] = [];
  add(object: DesiredObject, ops: PartOps) {
    this.objects.push(object);
    this.ops.push(ops);
  }
}

/**
 * Units the delivery takes out of the line organisation (Med-i-LinjeOrg false: no
 * org_unit_hierarchy) while MO has them in it, inside the window the delivery speaks for. MO's
 * org_unit_update cannot clear the field (null keeps the value), so it is left as it is: a
 * warning each, naming the row, so that someone removes it in MO.
 */
export function lineOrganisationKept(units: DesiredObject[], actual: ReadonlyMap<string, TimedFields[]>): string[] {
  const out: string[] = [];
  for (const unit of units) {
    const have = actual.get(unit.uuid);
    if (!have) continue;
    const windowFrom = unit.window.from ?? '';
    const hit = unit.periods.find((p) => p.fields.org_unit_hierarchy == null && (p.to === null || p.to > windowFrom) && have.some((m) =>
      m.fields.org_unit_hierarchy != null && (m.to === null || m.to > windowFrom) && (m.to === null || m.to > p.from) && (p.to === null || (m.from ?? '') < p.to)));
    if (hit) out.push(`${hit.source.file}:${hit.source.line}: org unit ${unit.uuid}: Med-i-LinjeOrg is false, but MO has the unit in the line organisation (org_unit_hierarchy); MO cannot clear that field through its API, so it is left as it is: remove it in MO if the unit has left the line organisation`);
  }
  return out;
}

const FIELD_LABEL: Record<string, string> = { given_name: 'given name', surname: 'surname' };

/**
 * A person whose delivered name leaves a part empty (a one-word CPRNavn has no surname) where MO
 * has, or the run's create gives, that part: MO's employee_update skips an empty given_name or
 * surname (mora/service/employee.py), so MO keeps the old one. The planner asks nothing of it
 * (`keptWhenEmpty`); this is the warning naming the row, once per person.
 */
export function emptyKeptWarning(object: DesiredObject, have: TimedFields[] | null, fields: readonly string[]): string | null {
  const windowFrom = have ? (object.window.from ?? '') : '';
  let now: Record<string, string | null> | undefined;
  for (let i = 0; i < object.periods.length; i++) {
    const p = object.periods[i]!;
    const to = p.to;
    for (const k of fields) {
      if (p.fields[k] !== '') continue;
      let kept: string | null | undefined;
      if (have) {
        if (to !== null && to <= windowFrom) continue;
        const from = p.from < windowFrom ? windowFrom : p.from;
        kept = have.find((m) => (m.to === null || m.to > from) && (to === null || (m.from ?? '') < to) && m.fields[k])?.fields[k];
      } else if (i > 0 && object.periods[i - 1]!.to === p.from) kept = now?.[k];
      if (kept) {
        const cpr = p.fields.cpr_number;
        const label = FIELD_LABEL[k] ?? k;
        return `${p.source.file}:${p.source.line}: person ${cpr ? `with CPR ${maskCpr(cpr)}` : object.uuid}: CPRNavn gives no ${label}; MO's employee_update skips an empty ${label} (it cannot empty one, nor can anything else in MO's API), so MO keeps the person's ${label} from before and shows the name with it`;
      }
    }
    if (!have) now = { ...now, ...Object.fromEntries(Object.entries(p.fields).filter(([, v]) => v !== null && v !== '')) };
  }
  return null;
}

/**
 * An address MO lacks, of a unit MO has, starts at its window (an Org_ret row's effective date):
 * its periods from the row's StartDato — the unit's start — would claim the unit had it all along
 * (los-format.md point 5). A unit MO lacks gets its addresses from their own start.
 */
function newOnKnownUnit(object: DesiredObject, timelines: Timelines): DesiredObject {
  const from = object.window.from, unit = object.owner?.['org_unit'];
  if (object.kind !== 'address' || from === null || unit === undefined || !timelines.get('org_unit')?.has(unit)) return object;
  const periods = object.periods.filter((p) => p.to === null || p.to > from).map((p) => (p.from < from ? { ...p, from } : p));
  return { ...object, periods };
}

/**
 * Pure: the desired objects against MO's timelines → the phases to write: creates and updates
 * by kind (org units parents first, one phase per level), then terminations the other way
 * (roles before units, children before parents).
 */
export function planObjects(byKind: Map<Kind, DesiredObject[]>, timelines: Timelines, options: PlanObjectsOptions = {}): { phases: Phase[] } {
  const { fallbacks = [], ends = [], warn = () => {}, keepOpen, holdItUserEnds, unitTypeNotGiven } = options;
  const noType: { file: string; line: number }[] = [];
  const noName: { file: string; line: number }[] = [];
  const fallbackOf = new Map<string, Fallback>();
  for (const f of fallbacks) fallbackOf.set(f.uuid, f);
  const endsOf = new Map<string, End[]>();
  for (const e of ends) {
    const same = endsOf.get(e.kind);
    if (same) same.push(e);
    else endsOf.set(e.kind, [e]);
  }
  const NO_TIMELINES = new Map<string, TimedFields[]>();
  const parts = new Map<Kind, { forward: Part; ending: Part }>();
  for (const [kind, list] of byKind) {
    const actual = timelines.get(kind) ?? NO_TIMELINES;
    const forward = new Part(), ending = new Part();
    for (const object of list) {
      const have = actual.get(object.uuid) ?? null;
      const fallback = have || !fallbackOf.size ? undefined : fallbackOf.get(object.uuid);
      const planned = fallback ? { ...object, window: fallback.window, periods: fallback.periods } : have ? object : newOnKnownUnit(object, timelines);
      const keptWhenEmpty = KINDS[kind].keptWhenEmpty;
      if (keptWhenEmpty) {
        const message = emptyKeptWarning(planned, have, keptWhenEmpty);
        if (message) warn(message);
      }
      let ops = objectOps(planned, have);
      if (ops && ops !== CREATE && kind === 'org_unit' && keepOpen?.has(object.uuid)) ops = ops.forward.length ? { forward: ops.forward, ending: [] } : null;
      const heldCuts = kind === 'address' && keepOpen?.get(object.owner?.['org_unit'] ?? '');
      if (ops && ops !== CREATE && heldCuts) {
        const ending = ops.ending.filter((op) => !heldBack(op, heldCuts));
        ops = ops.forward.length || ending.length ? { forward: ops.forward, ending } : null;
      }
      const heldDates = kind === 'ituser' && holdItUserEnds?.get(object.uuid);
      if (ops && ops !== CREATE && heldDates) {
        const ending = ops.ending.filter((op) => !(op.op === 'terminate' && heldDates.includes((op.validity.from ?? op.validity.to)!)));
        ops = ops.forward.length || ending.length ? { forward: ops.forward, ending } : null;
      }
      if (ops === CREATE && kind === 'org_unit') {
        const made = newUnitDefaults(planned, unitTypeNotGiven);
        if (made.noType) noType.push(made.noType);
        if (made.noName) noName.push(made.noName);
        forward.add(made.unit, CREATE);
      } else if (ops === CREATE) forward.add(planned, CREATE);
      else if (ops) {
        if (ops.forward.length) forward.add(planned, ops.forward);
        if (ops.ending.length) ending.add(planned, ops.ending);
      }
    }
    if (kind === 'org_unit') for (const m of lineOrganisationKept(list, actual)) warn(m);
    if (kind === 'org_unit' && noType.length) warn(`${noType.length} new org unit${noType.length === 1 ? '' : 's'} without OrgEnhedsTypeUUID (MO requires a type) get the type "Ikke angivet" (org_unit_type/ikke_angivet): ${rowsText(noType)}`);
    if (kind === 'org_unit' && noName.length) warn(`${noName.length} new org unit${noName.length === 1 ? '' : 's'} without OrgEnhedsNavn (MO requires a name) are named by their BrugervendtNøgle: ${rowsText(noName)}`);
    const kindEnds = endsOf.get(kind);
    if (kindEnds) {
      const desiredOf = new Map(list.map((o) => [o.uuid, o]));
      const covers = (p: { from: string | null; to: string | null }, day: string) => (p.from ?? '') <= day && (p.to === null || day < p.to);
      for (const end of kindEnds) {
        if (!(actual.get(end.uuid) ?? []).some((p) => covers(p, end.last_day)) && !(desiredOf.get(end.uuid)?.periods ?? []).some((p) => covers(p, end.last_day))) {
          warn(`${end.source.file}:${end.source.line}: ${kind} ${end.uuid} does not exist in MO or has already ended by ${end.last_day}; nothing to end`);
        }
      }
    }
    parts.set(kind, { forward, ending });
  }

  const order = (Object.keys(KINDS) as Kind[]).sort((a, b) => KINDS[a].rank - KINDS[b].rank);
  const phases: Phase[] = [];
  const phase = (label: string, kind: Kind, part: Part | undefined) => {
    if (part?.objects.length) phases.push(objectPhase(label, kind, part.objects, part.ops));
  };
  const unitDepth = depths(byKind.get('org_unit') ?? []);
  /** org units in layers of equal depth: parents first (creating), or children first (ending) */
  const unitLayers = (part: Part | undefined, label: string, parentsFirst: boolean) => {
    if (!part) return;
    const layers = new Map<number, Part>();
    for (let i = 0; i < part.objects.length; i++) {
      const d = unitDepth.get(part.objects[i]!.uuid) ?? 0;
      let layer = layers.get(d);
      if (!layer) layers.set(d, (layer = new Part()));
      layer.add(part.objects[i]!, part.ops[i]!);
    }
    for (const d of [...layers.keys()].sort((a, b) => (parentsFirst ? a - b : b - a))) phase(`${label} (level ${d + 1})`, 'org_unit', layers.get(d));
  };
  for (const kind of order) {
    if (kind === 'org_unit') unitLayers(parts.get(kind)?.forward, 'org units', true);
    else phase(KINDS[kind].query, kind, parts.get(kind)?.forward);
  }
  // terminations last: roles before units, children before parents
  for (const kind of [...order].reverse()) {
    if (kind === 'org_unit') unitLayers(parts.get(kind)?.ending, 'ending org units', false);
    else phase(`ending ${KINDS[kind].query}`, kind, parts.get(kind)?.ending);
  }
  return { phases };
}
