/**
 * MO's V_DATE_OUTSIDE_ORG_UNIT_RANGE, checked before writing (pure): MO refuses to CREATE a child
 * unit outside its parent's validity and an engagement outside its unit's (a unit's addresses are
 * merged inside its own periods)
 * (`mora/service/orgunit.py`, `engagement.py`, `address.py` `prepare_create`; updates are not
 * checked). A create's validity is the object's first desired period (`createOps`). The unit's
 * validity is what it will be after the run: MO's periods before the delivery's window, the
 * delivered ones from it (or MO's alone for a unit the delivery does not name). Each violation is
 * an input error naming both rows, so that nothing of the file is written.
 */
import type { InputProblem } from '../errors.ts';
import type { Kind } from '../mo/kinds.ts';
import type { DesiredObject } from '../../schemas/desired.schema.ts';
import type { TimedFields } from './timeline.ts';

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

/**
 * @param creates the objects the plan creates (MO lacks them), by kind
 * @param units delivered units by uuid; `mo` MO's unit timelines (delivered and referenced ones)
 */
export function outsideUnitRanges(
  creates: ReadonlyMap<Kind, readonly DesiredObject[]>,
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
  for (const kind of ['org_unit', 'engagement'] as const) {
    for (const object of creates.get(kind) ?? []) {
      const first = object.periods[0];
      if (!first) continue;
      const owner = (kind === 'org_unit' ? first.fields['parent'] : first.fields['org_unit']) ?? null;
      if (!owner) continue;
      // a unit MO does not have and the delivery does not name is an unknown reference (reported elsewhere)
      if (!units.has(owner) && !mo.has(owner)) continue;
      const spans = of(owner);
      if (covers(spans, first.from, first.to)) continue;
      const ownerRow = spans.find((s) => s.source)?.source;
      const what = kind === 'org_unit' ? 'parent unit' : 'unit';
      problems.push({
        file: first.source.file,
        line: first.source.line,
        column: 1,
        field: kind === 'engagement' ? 'StartTid' : 'StartDato',
        message: `${kind === 'org_unit' ? 'org unit' : kind} ${object.uuid} from ${first.from}${first.to ? ` to ${first.to} (exclusive)` : ''} lies outside its ${what} ${owner}, valid ${show(spans)} (${ownerRow ? `${ownerRow.file}:${ownerRow.line}` : 'in MO'}); MO would refuse it (V_DATE_OUTSIDE_ORG_UNIT_RANGE)`,
      });
    }
  }
  return problems;
}
