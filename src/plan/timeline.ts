/**
 * The timeline planner (pure): one object's desired periods within its window against the same
 * object's periods in MO → the fewest create / update / terminate operations that make MO's
 * timeline equal the desired one. Days are `YYYY-MM-DD`; `to` is exclusive, null = open.
 */
import type { Fields, Span, TimedFields } from '../mo/validity.ts';

export type { Fields, Span, TimedFields };

export type TimelineOp =
  | { op: 'create'; validity: Span; fields: Fields }
  | { op: 'update'; validity: Span; fields: Fields; changed: string[] }
  | { op: 'terminate'; validity: Span };

const MIN = '0000-01-01';
const MAX = '9999-99-99';
const lo = (d: string | null) => d ?? MIN;
const hi = (d: string | null) => d ?? MAX;

/** Does `actual` already hold what `desired` wants? A desired null means "no opinion", except for fields in `nullable`. */
export function sameFields(desired: Fields, actual: Fields, nullable: ReadonlySet<string>): boolean {
  return changedFields(desired, actual, nullable).length === 0;
}

export function changedFields(desired: Fields, actual: Fields | undefined, nullable: ReadonlySet<string>): string[] {
  const out: string[] = [];
  for (const [k, v] of Object.entries(desired)) {
    if (v === null && !nullable.has(k)) continue;
    if ((actual?.[k] ?? null) !== v) out.push(k);
  }
  return out;
}

const at = (periods: TimedFields[], day: string) => periods.find((p) => lo(p.from) <= day && day < hi(p.to));

/** Clip periods to [from, ∞). */
export function clip(periods: TimedFields[], from: string | null): TimedFields[] {
  if (from === null) return periods;
  return periods.filter((p) => hi(p.to) > from).map((p) => (lo(p.from) < from ? { ...p, from } : p));
}

const NONE: ReadonlySet<string> = new Set();

/**
 * An object MO lacks: a create from the first desired period and an update for each further one.
 * With `keptWhenEmpty` (MO's update skips those fields when empty), a further period that touches
 * the one before and differs from it only in such a field made empty is no update: MO would keep
 * the value, and an update that changes nothing fails the request it is in.
 */
export function createOps(desired: TimedFields[], keptWhenEmpty: readonly string[] = []): TimelineOp[] {
  const ops: TimelineOp[] = [];
  let now: Fields | undefined;
  for (let i = 0; i < desired.length; i++) {
    const p = desired[i]!;
    if (i === 0) {
      ops.push({ op: 'create', validity: { from: p.from, to: p.to }, fields: p.fields });
      now = p.fields;
      continue;
    }
    const fields = keptWhenEmpty.length ? updatable([p], [], keptWhenEmpty)[0]!.fields : p.fields;
    if (fields !== p.fields && desired[i - 1]!.to === p.from && changedFields(fields, now, NONE).length === 0) continue;
    ops.push({ op: 'update', validity: { from: p.from, to: p.to }, fields, changed: fields === p.fields ? Object.keys(p.fields) : Object.keys(fields).filter((k) => fields[k] !== null) });
    now = { ...now, ...Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== null)) };
  }
  return ops;
}

/**
 * Are the desired and MO's periods, both clipped to the window, the same periods with nothing
 * to change (`changedFields` empty)? Then `planTimeline` has nothing to do: every segment is kept.
 */
function sameTimeline(desired: TimedFields[], actual: TimedFields[], windowFrom: string | null, nullable: ReadonlySet<string>): boolean {
  let i = 0, j = 0;
  for (;;) {
    // clip: periods that end before the window are not compared
    if (windowFrom !== null) {
      while (i < desired.length && hi(desired[i]!.to) <= windowFrom) i++;
      while (j < actual.length && hi(actual[j]!.to) <= windowFrom) j++;
    }
    if (i === desired.length || j === actual.length) return i === desired.length && j === actual.length;
    const d = desired[i++]!, a = actual[j++]!;
    if (d.to !== a.to) return false;
    const dFrom = windowFrom !== null && lo(d.from) < windowFrom ? windowFrom : lo(d.from);
    const aFrom = windowFrom !== null && lo(a.from) < windowFrom ? windowFrom : lo(a.from);
    if (dFrom !== aFrom) return false;
    for (const k in d.fields) {
      const v = d.fields[k]!;
      if (v === null && !nullable.has(k)) continue;
      if ((a.fields[k] ?? null) !== v) return false;
    }
  }
}

export interface PlanOptions {
  /** Fields whose null is a real value (org_unit parent: null = top-level). */
  nullable?: ReadonlySet<string>;
  /**
   * Fields every update must carry (org units: name and user_key, which MO rewrites over an
   * update's whole window from its last period when not given). A desired null ("no opinion")
   * takes MO's value of the segment, so an update carries it and never spans a change of it.
   */
  carried?: readonly string[];
  /**
   * Fields a create sets and an update cannot change (MO ignores them: an engagement's person).
   * When MO has the object they are no part of the comparison: never a change to plan, never sent.
   */
  fixed?: readonly string[];
  /**
   * Fields an update cannot set empty (MO skips an empty given_name/surname): when MO has the
   * object, a desired "" means "no opinion" (MO's value stays) rather than a change MO ignores.
   */
  keptWhenEmpty?: readonly string[];
}

/**
 * The desired periods as an update can say them: `fixed` fields left out, `keptWhenEmpty` fields
 * that are "" left out (null = no opinion). The periods themselves when there is nothing to leave out.
 */
export function updatable(desired: TimedFields[], fixed: readonly string[], keptWhenEmpty: readonly string[]): TimedFields[] {
  if (!fixed.length && !keptWhenEmpty.length) return desired;
  let out: TimedFields[] | undefined;
  for (let i = 0; i < desired.length; i++) {
    const p = desired[i]!;
    let fields: Fields | undefined;
    for (const k of fixed) if (p.fields[k] != null) (fields ??= { ...p.fields })[k] = null;
    for (const k of keptWhenEmpty) if (p.fields[k] === '') (fields ??= { ...p.fields })[k] = null;
    if (fields) (out ??= desired.slice())[i] = { ...p, fields };
  }
  return out ?? desired;
}

/** `fields` with the `carried` ones it leaves null taken from MO's `from` (when MO has them). */
function withCarried(fields: Fields, from: Fields | undefined, carried: readonly string[]): Fields {
  if (!from) return fields;
  let out: Fields | undefined;
  for (const k of carried) {
    if ((fields[k] ?? null) === null && (from[k] ?? null) !== null) (out ??= { ...fields })[k] = from[k]!;
  }
  return out ?? fields;
}

/** MO's period nearest a segment MO lacks: the last one before it, else the first after it. */
function nearest(periods: TimedFields[], day: string): TimedFields | undefined {
  let before: TimedFields | undefined;
  for (const p of periods) {
    if (hi(p.to) <= day) before = p;
    else if (lo(p.from) >= day) return before ?? p;
  }
  return before;
}

/**
 * @param desired the wanted periods (sorted, non-overlapping)
 * @param windowFrom the desired periods speak for [windowFrom, ∞); null = all time. Only when MO
 *   has the object: a missing object is created from all desired periods.
 * @param actual MO's periods of the object, or null when MO does not have it
 */
export function planTimeline(desired: TimedFields[], windowFrom: string | null, actual: TimedFields[] | null, options: PlanOptions = {}): TimelineOp[] {
  const nullable = options.nullable ?? NONE;
  const carried = options.carried ?? [];
  // MO lacks the object: create it from all its periods, also those before the window (a unit
  // first seen in an Org_ret file is created from its own StartDato, docs/org-units.md)
  if (!actual || actual.length === 0) return createOps(desired);
  desired = updatable(desired, options.fixed ?? [], options.keptWhenEmpty ?? []);
  // the common case of a rerun: MO already has exactly the desired timeline
  if (sameTimeline(desired, actual, windowFrom, nullable)) return [];
  const want = clip(desired, windowFrom);
  const have = clip(actual, windowFrom);
  // elementary segments between every boundary inside the window
  const bounds = new Set<string>();
  if (windowFrom) bounds.add(windowFrom);
  for (const list of [want, have]) {
    for (const p of list) {
      bounds.add(lo(p.from));
      bounds.add(hi(p.to));
    }
  }
  const points = [...bounds].sort();
  type Seg = { from: string; to: string; action: 'keep' | 'set' | 'clear'; fields?: Fields; changed?: string[] };
  const segs: Seg[] = [];
  for (let i = 0; i + 1 < points.length; i++) {
    const from = points[i]!, to = points[i + 1]!;
    const d = at(want, from), a = at(have, from);
    if (!d && !a) continue;
    if (d && a) {
      const fields = carried.length ? withCarried(d.fields, a.fields, carried) : d.fields;
      const changed = changedFields(fields, a.fields, nullable);
      segs.push(changed.length ? { from, to, action: 'set', fields, changed } : { from, to, action: 'keep', fields });
    } else if (d) {
      const fields = carried.length ? withCarried(d.fields, nearest(have, from)?.fields, carried) : d.fields;
      segs.push({ from, to, action: 'set', fields, changed: Object.keys(d.fields).filter((k) => d.fields[k] !== null || nullable.has(k)) });
    }
    else segs.push({ from, to, action: 'clear' });
  }
  // coalesce neighbouring segments that do the same thing
  const same = (a: Fields | undefined, b: Fields | undefined) => a === b || JSON.stringify(a) === JSON.stringify(b);
  const runs: Seg[] = [];
  for (const s of segs) {
    const last = runs[runs.length - 1], before = runs[runs.length - 2];
    if (last && last.to === s.from && last.action === s.action && s.action !== 'keep' && (s.action === 'clear' || same(last.fields, s.fields))) {
      last.to = s.to;
      last.changed = [...new Set([...(last.changed ?? []), ...(s.changed ?? [])])];
    } else if (s.action === 'set' && last?.action === 'keep' && before?.action === 'set' && before.to === last.from && last.to === s.from && same(before.fields, last.fields) && same(last.fields, s.fields)) {
      // set X | keep (MO already has X) | set X: one update over all three (MO's B|A|B against a desired A)
      before.to = s.to;
      before.changed = [...new Set([...(before.changed ?? []), ...(s.changed ?? [])])];
      runs.pop();
    } else runs.push({ ...s });
  }
  const day = (d: string) => (d === MIN || d === MAX ? null : d);
  const ops: TimelineOp[] = [];
  for (const r of runs) {
    if (r.action === 'set') ops.push({ op: 'update', validity: { from: day(r.from), to: day(r.to) }, fields: r.fields!, changed: r.changed ?? [] });
    else if (r.action === 'clear') {
      if (r.to === MAX) ops.push({ op: 'terminate', validity: { from: null, to: day(r.from) } }); // inactive from r.from on
      else if (r.from !== MIN) ops.push({ op: 'terminate', validity: { from: day(r.from), to: day(r.to) } }); // cut [from, to)
      // MO cannot end an object "before X" when its validity has no start; that past is left as it is
    }
  }
  return ops;
}
