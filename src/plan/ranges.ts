/**
 * MO's V_DATE_OUTSIDE_ORG_UNIT_RANGE, checked before writing (pure): MO refuses to create a child
 * unit outside its parent's validity and an engagement outside its unit's (a unit's addresses are
 * merged inside its own periods) (`mora/service/orgunit.py`, `engagement.py`, `address.py`
 * `prepare_create`), and an `org_unit_update` whose window lies outside the validity of the
 * parent it names (`orgunit.py` `prepare_edit`; los2mo's unit updates always name the parent).
 * Engagement updates are not checked by MO. So what is checked: every write that places a unit
 * under a parent — its create and each further period of a new unit, each update of a known one
 * (`unitOps`) — and each engagement's create (its first desired period). The parent's or unit's
 * validity is what it will be after the run: MO's periods before the delivery's window, the
 * delivered ones from it (or MO's alone for a unit the delivery does not name). Each violation is
 * an input error naming both rows, so that nothing of the file is written.
 */
import type { InputProblem } from '../errors.ts';
import type { DesiredObject } from '../../schemas/desired.schema.ts';
import { objectOps, CREATE } from './operations.ts';
import { createOps, type TimedFields, type TimelineOp } from './timeline.ts';

type Source = { file: string; line: number };
interface UnitSpan { from: string | null; to: string | null; source?: Source }

const MAX = '9999-99-99';

/** A unit's validity after the run: MO's before the window, the delivery's from it. */
export function unitValidity(desired: DesiredObject | undefined, mo: TimedFields[] | undefined): UnitSpan[] {
  if (!desired) return (mo ?? []).map((p) => ({ from: p.from, to: p.to }));
  const from = desired.window.from;
  const delivered: UnitSpan[] = desired.periods.map((p) => ({ from: p.from, to: p.to, source: p.source }));
  if (!mo?.length || from === null) return delivered;
  const before = mo.filter((p) => (p.from ?? '') < from).map((p) => ({ from: p.from, to: p.to === null || p.to > from ? from : p.to }));
  return [...before, ...delivered.filter((p) => p.to === null || p.to > from).map((p) => ((p.from ?? '') < from ? { ...p, from } : p))];
}

/** Whether the union of the spans covers `[from, to)`. */
function covers(spans: UnitSpan[], from: string, to: string | null): boolean {
  let cursor = from;
  const end = to ?? MAX;
  for (const s of [...spans].sort((a, b) => ((a.from ?? '') < (b.from ?? '') ? -1 : 1))) {
    const sTo = s.to ?? MAX;
    if (sTo <= cursor) continue;
    if ((s.from ?? '') > cursor) return false;
    cursor = sTo;
    if (cursor >= end) return true;
  }
  return cursor >= end;
}

const show = (spans: UnitSpan[]) =>
  spans.length ? spans.map((s) => `${s.from ?? '-∞'}..${s.to === null ? 'open' : `before ${s.to}`}`).join(', ') : 'never valid';

/** A write that puts an object in a unit for a while: the unit must be valid throughout. */
export interface Placement { kind: 'org_unit' | 'engagement'; uuid: string; owner: string; from: string; to: string | null; source: Source }

/** The desired period a write starts in (its row), else the last one before it. */
function sourceAt(object: DesiredObject, from: string): Source {
  const periods = object.periods;
  const p = periods.find((q) => q.from <= from && (q.to === null || from < q.to)) ?? [...periods].reverse().find((q) => q.from <= from) ?? periods[0]!;
  return p.source;
}

/**
 * Pure: the placements the plan writes — a new unit's create and further periods, a known unit's
 * updates (with their parent), a new engagement's create.
 * @param objects delivered units and engagements; `actual` MO's timelines by kind (a missing one = created)
 */
export function placements(objects: { org_unit: readonly DesiredObject[]; engagement: readonly DesiredObject[] }, actual: { org_unit?: ReadonlyMap<string, TimedFields[]>; engagement?: ReadonlyMap<string, TimedFields[]> }): Placement[] {
  const out: Placement[] = [];
  for (const unit of objects.org_unit) {
    const ops = objectOps(unit, actual.org_unit?.get(unit.uuid) ?? null);
    const writes: TimelineOp[] = ops === null ? [] : ops === CREATE ? createOps(unit.periods as TimedFields[]) : ops.forward;
    for (const op of writes) {
      if (op.op === 'terminate' || !op.validity.from) continue;
      const parent = op.fields['parent'];
      if (parent) out.push({ kind: 'org_unit', uuid: unit.uuid, owner: parent, from: op.validity.from, to: op.validity.to, source: sourceAt(unit, op.validity.from) });
    }
  }
  for (const engagement of objects.engagement) {
    if (actual.engagement?.has(engagement.uuid)) continue;
    const first = engagement.periods[0];
    const unit = first?.fields['org_unit'];
    if (first && unit) out.push({ kind: 'engagement', uuid: engagement.uuid, owner: unit, from: first.from, to: first.to, source: first.source });
  }
  return out;
}

/**
 * @param writes the placements the plan writes (`placements`)
 * @param units delivered units by uuid; `mo` MO's unit timelines (delivered and referenced ones)
 */
export function outsideUnitRanges(
  writes: readonly Placement[],
  units: ReadonlyMap<string, DesiredObject>,
  mo: ReadonlyMap<string, TimedFields[]>,
): InputProblem[] {
  const problems: InputProblem[] = [];
  const validity = new Map<string, UnitSpan[]>();
  const of = (uuid: string) => {
    let v = validity.get(uuid);
    if (!v) validity.set(uuid, (v = unitValidity(units.get(uuid), mo.get(uuid))));
    return v;
  };
  for (const w of writes) {
    // a unit MO does not have and the delivery does not name is an unknown reference (reported elsewhere)
    if (!units.has(w.owner) && !mo.has(w.owner)) continue;
    const spans = of(w.owner);
    if (covers(spans, w.from, w.to)) continue;
    const ownerRow = spans.find((s) => s.source)?.source;
    const what = w.kind === 'org_unit' ? 'parent unit' : 'unit';
    problems.push({
      file: w.source.file,
      line: w.source.line,
      column: 1,
      field: w.kind === 'engagement' ? 'StartTid' : 'StartDato',
      message: `${w.kind === 'org_unit' ? 'org unit' : w.kind} ${w.uuid} from ${w.from}${w.to ? ` to ${w.to} (exclusive)` : ''} lies outside its ${what} ${w.owner}, valid ${show(spans)} (${ownerRow ? `${ownerRow.file}:${ownerRow.line}` : 'in MO'}); MO would refuse it (V_DATE_OUTSIDE_ORG_UNIT_RANGE)`,
    });
  }
  return problems;
}
