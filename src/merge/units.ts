/**
 * Unit rows → the desired timeline of every org unit and of every derived address (pure).
 * The rules are in docs/org-units.md; in short:
 * - rows of one unit are grouped into statements: all Org_inital rows, all Org_nye rows, and the
 *   rows of each Org_ret file. Periods inside one statement must not overlap (input error naming
 *   both lines). Statements compose in processing order (the order of the rows).
 * - Org_inital / Org_nye state the whole timeline (window.from null) and replace what came before.
 * - An Org_ret row states the unit from max(file date, StartDato) until SlutDato; the statement's
 *   periods replace the composed timeline from the earliest such date W, and the window is W
 *   unless the unit was already stated wholly earlier in the run (window stays null).
 *   A unit first seen in Org_ret keeps its rows' own StartDato..SlutDato as periods (what to create
 *   when MO does not have it) with window.from = W (what to change when MO has it).
 * - MO's `to` is SlutDato + 1 day; an open SlutDato is `to: null`.
 * - Consecutive periods with identical fields that touch are merged.
 * - Units come out parents first; a parent cycle is an input error; a parent that is not a
 *   delivered unit is listed in external_parents.
 */
import { InputError, type InputProblem } from '../errors.ts';
import { gen } from '../uuid.ts';
import { joinTouching } from '../periods.ts';
import { OPEN_END, exclusiveEnd } from '../los/values.ts';
import type { DesiredObject, Period } from '../../schemas/desired.schema.ts';
import type { UnitFile, UnitRow, Reference } from '../los/types.ts';
import { referenceColumn } from '../los/references.ts';

export interface MergeOptions {
  /** address suffix → address class uuid, in output order */
  addressTypes: { suffix: string; type: string }[];
  /** base of derived address uuids: gen(base, OrgUUID + suffix); default 'AAK' */
  uuidBase?: string;
  /** class uuid for org_unit_hierarchy when Med-i-LinjeOrg is true */
  hierarchyClass: string;
}

export interface ExternalParent { uuid: string; file: string; line: number; column: number }

export interface MergeResult {
  objects: DesiredObject[];
  external_parents: ExternalParent[];
  counts: { rows: number; units: number; addresses: number; periods: number; external_parents: number };
}

/** A row's part of a timeline; `source` is the row's, one object shared by every period the row gives. */
interface Seg { from: string; to: string | null; row: UnitRow; source: Period['source'] }

interface Statement { whole: boolean; key: string; date: string; rows: UnitRow[] }


const showDay = (d: string) => (d === OPEN_END ? 'open' : d);
const maxDay = (a: string, b: string) => (a > b ? a : b);
const byStart = (a: UnitRow, b: UnitRow) => (a.start < b.start ? -1 : a.start > b.start ? 1 : a.line - b.line);
const byFrom = (a: Seg, b: Seg) => (a.from < b.from ? -1 : a.from > b.from ? 1 : 0);

/** Sort `list` in place (stable) by `compare`, unless it already is (the usual case: rows come in date order). */
function sortedBy<T>(list: T[], compare: (a: T, b: T) => number): T[] {
  for (let i = 1; i < list.length; i++) if (compare(list[i - 1]!, list[i]!) > 0) return list.sort(compare);
  return list;
}

function columnOf(files: Map<string, UnitFile>, file: string, field: string, fallback: string) {
  const c = files.get(file)?.columns[field];
  return c ? { column: c.index, field: c.name } : { column: 1, field: fallback };
}

/** Group a unit's rows into statements, in the order they first appear. */
function statements(rows: UnitRow[]): Statement[] {
  const out: Statement[] = [];
  for (const r of rows) {
    const whole = r.kind !== 'Org_ret';
    const key = whole ? r.kind : `ret:${r.file}`;
    let s: Statement | undefined;
    for (const st of out) if (st.key === key) s = st;
    if (!s) out.push((s = { whole, key, date: r.file_date, rows: [] }));
    s.rows.push(r);
  }
  return out;
}

/** Do two rows give a unit the same fields? */
const sameUnitFields = (a: UnitRow, b: UnitRow) =>
  a === b || (a.user_key === b.user_key && a.name === b.name && a.parent === b.parent && a.org_unit_type === b.org_unit_type && a.linjeorg === b.linjeorg);

/**
 * The periods of `segs` (sorted by `from`) whose `include` holds, touching segments with `same`
 * rows joined (the earlier one's source is kept).
 */
function periodsOf(segs: Seg[], include: ((r: UnitRow) => boolean) | null, same: (a: UnitRow, b: UnitRow) => boolean, fields: (r: UnitRow) => Period['fields']): Period[] {
  const joined = joinTouching(include ? segs.filter((s) => include(s.row)) : segs, (a, b) => same(a.row, b.row));
  return joined.map((s) => ({ from: s.from, to: s.to, fields: fields(s.row), source: s.source }));
}

const unmatchedIn = (r: UnitRow, suffix: string) => (r.addresses[suffix] ?? null) === null && r.unmatched !== undefined && r.unmatched.includes(suffix);

/**
 * An address's periods: the segments with a value, touching ones with the same value joined. A
 * segment whose text DAR did not match (dar-lookup's `unmatched`) continues the period just before
 * it (no new value is known, so the last one stays); with none before it, it gives no period.
 */
function addressPeriods(segs: Seg[], suffix: string, fields: (r: UnitRow) => Period['fields']): Period[] {
  const out: Period[] = [];
  let last: Period | null = null, lastValue: string | null = null;
  for (const s of segs) {
    const value = s.row.addresses[suffix] ?? null;
    const touches = last !== null && last.to !== null && last.to === s.from;
    if (value === null) {
      if (touches && unmatchedIn(s.row, suffix)) last!.to = s.to;
      continue;
    }
    if (touches && value === lastValue) {
      last!.to = s.to;
      continue;
    }
    out.push((last = { from: s.from, to: s.to, fields: fields(s.row), source: s.source }));
    lastValue = value;
  }
  return out;
}

/**
 * The window of a unit's address: the unit's, moved past the unmatched segments it starts with
 * (they say nothing about the address, so MO's stays there); undefined when nothing but unmatched
 * segments follow (MO's address is left as it is).
 */
function addressWindow(segs: Seg[], suffix: string, periods: Period[], win: string): string | undefined {
  let from = win;
  for (const s of segs) {
    if (s.to !== null && s.to <= from) continue;
    const covered = periods.some((p) => p.from <= maxDay(s.from, from) && (p.to === null || p.to > maxDay(s.from, from)));
    if (covered || !unmatchedIn(s.row, suffix)) return from;
    if (s.to === null) return undefined;
    from = s.to;
  }
  return from;
}

export function mergeUnits(rows: UnitRow[], files: UnitFile[], opts: MergeOptions): MergeResult {
  const base = opts.uuidBase ?? 'AAK';
  const fileInfo = new Map(files.map((f) => [f.name, f]));
  const problems: InputProblem[] = [];

  const byUnit = new Map<string, UnitRow[]>();
  for (const r of rows) {
    const list = byUnit.get(r.uuid);
    if (list) list.push(r);
    else byUnit.set(r.uuid, [r]);
  }

  interface Composed { uuid: string; periods: Period[]; window: string | null; addresses: DesiredObject[]; userKey: string }
  const composed = new Map<string, Composed>();
  const unitFields = (r: UnitRow): Period['fields'] => ({
    user_key: r.user_key,
    name: r.name,
    parent: r.parent,
    org_unit_type: r.org_unit_type,
    org_unit_hierarchy: r.linjeorg ? opts.hierarchyClass : null,
  });

  for (const [uuid, unitRows] of byUnit) {
    let segs: Seg[] = [];
    let window: string | null | undefined;
    let overlapping = false;
    for (const st of statements(unitRows)) {
      const sorted = sortedBy(st.rows, byStart);
      // periods inside one statement must not overlap
      let widest: UnitRow | null = null;
      for (const r of sorted) {
        if (widest && r.start <= widest.end) {
          overlapping = true;
          const at = columnOf(fileInfo, r.file, 'start', 'StartDato');
          const other = widest.file === r.file ? `line ${widest.line}` : `${widest.file} line ${widest.line}`;
          problems.push({
            file: r.file, line: r.line, ...at,
            message: `the period ${r.start}..${showDay(r.end)} overlaps ${other} (${widest.start}..${showDay(widest.end)}) of the same unit ${r.user_key} ${uuid}`,
          });
        }
        if (!widest || r.end > widest.end) widest = r;
      }
      if (st.whole) {
        segs = sorted.map((r) => ({ from: r.start, to: exclusiveEnd(r.end), row: r, source: { file: r.file, line: r.line } }));
        window = null;
        continue;
      }
      // Org_ret: from the file's date, or StartDato when later
      let w: string | null = null;
      const fresh: Seg[] = [];
      for (const r of sorted) {
        const eff = maxDay(st.date, r.start);
        const to = exclusiveEnd(r.end);
        const rowWindow = to !== null && to <= eff ? to : eff; // a row that ended before its date ends the unit there
        if (w === null || rowWindow < w) w = rowWindow;
        if (window === undefined) fresh.push({ from: r.start, to, row: r, source: { file: r.file, line: r.line } });
        else if (to === null || eff < to) fresh.push({ from: eff, to, row: r, source: { file: r.file, line: r.line } });
      }
      if (window === undefined) {
        segs = fresh;
        window = w!;
      } else {
        const cut = w!;
        segs = [
          ...segs.filter((s) => s.from < cut).map((s) => ({ ...s, to: s.to === null || s.to > cut ? cut : s.to })),
          ...fresh,
        ];
        if (window !== null && cut < window) window = cut;
      }
    }
    if (overlapping) continue;
    segs = sortedBy(segs, byFrom);
    const periods = periodsOf(segs, null, sameUnitFields, unitFields);
    const win = window ?? null;
    const addresses: DesiredObject[] = [];
    for (const { suffix, type } of opts.addressTypes) {
      // no file of the unit has the column (optional_column): nothing is said about the address, MO keeps it
      if (!unitRows.some((r) => suffix in r.addresses)) continue;
      let mentioned = false;
      for (const r of unitRows) if ((r.addresses[suffix] ?? null) !== null) { mentioned = true; break; }
      if (!mentioned && win === null) continue; // nothing to say about it
      const periods = mentioned ? addressPeriods(segs, suffix, (r) => ({ value: r.addresses[suffix]!, address_type: type, org_unit: uuid })) : [];
      // a text DAR did not match says nothing about the address: where the window starts with one, it starts after it
      const from = win === null ? null : addressWindow(segs, suffix, periods, win);
      if (from === undefined) continue; // only unmatched texts from the window on: MO keeps the address it has
      addresses.push({ kind: 'address', uuid: gen(base, uuid + suffix), owner: { org_unit: uuid }, periods, window: { from } });
    }
    composed.set(uuid, { uuid, periods, window: win, addresses, userKey: unitRows[0]!.user_key });
  }

  // parents first
  const order: string[] = [];
  const externals = new Map<string, ExternalParent>();
  const state = new Map<string, 1 | 2>();
  const stack: string[] = [];
  const edges = (c: Composed) => {
    const out = new Map<string, Period['source']>();
    for (const p of c.periods) if (p.fields.parent && !out.has(p.fields.parent)) out.set(p.fields.parent, p.source);
    return out;
  };
  const visit = (uuid: string) => {
    const c = composed.get(uuid)!;
    state.set(uuid, 1);
    stack.push(uuid);
    for (const [parent, src] of edges(c)) {
      if (!byUnit.has(parent)) {
        if (!externals.has(parent)) externals.set(parent, { uuid: parent, file: src.file, line: src.line, column: columnOf(fileInfo, src.file, 'parent', 'ParentUUID').column });
        continue;
      }
      if (!composed.has(parent)) continue; // its own rows were invalid (reported)
      const s = state.get(parent);
      if (s === 2) continue;
      if (s === 1) {
        const cycle = stack.slice(stack.indexOf(parent));
        const first = edges(composed.get(cycle[0]!)!).get(cycle.length > 1 ? cycle[1]! : cycle[0]!)!;
        const hops = cycle.map((u, i) => {
          const next = cycle[(i + 1) % cycle.length]!;
          const at = edges(composed.get(u)!).get(next)!;
          const where = at.file === first.file ? `line ${at.line}` : `${at.file} line ${at.line}`;
          return `${composed.get(u)!.userKey} ${u} (${where})`;
        });
        problems.push({
          file: first.file, line: first.line, ...columnOf(fileInfo, first.file, 'parent', 'ParentUUID'),
          message: `parent cycle: ${hops.join(' → ')} → ${composed.get(cycle[0]!)!.userKey}: a unit cannot be its own ancestor`,
        });
        continue;
      }
      visit(parent);
    }
    stack.pop();
    state.set(uuid, 2);
    order.push(uuid);
  };
  for (const uuid of composed.keys()) if (!state.has(uuid)) visit(uuid);

  if (problems.length) throw new InputError(problems);

  const objects: DesiredObject[] = [];
  let periods = 0;
  for (const uuid of order) {
    const c = composed.get(uuid)!;
    objects.push({ kind: 'org_unit', uuid, periods: c.periods, window: { from: c.window } });
    periods += c.periods.length;
  }
  let addresses = 0;
  for (const uuid of order) {
    for (const a of composed.get(uuid)!.addresses) {
      objects.push(a);
      addresses++;
      periods += a.periods.length;
    }
  }
  const external_parents = [...externals.values()];
  return { objects, external_parents, counts: { rows: rows.length, units: order.length, addresses, periods, external_parents: external_parents.length } };
}

/**
 * What the unit rows name, for the upload to check before writing: the classes (OrgEnhedsTypeUUID),
 * and the parents that are delivered units (ParentUUID; --skip-invalid-rows drops a child whose
 * parent it dropped). One reference per file and value with the lines of its rows.
 */
export function unitTypeReferences(rows: readonly UnitRow[], files: readonly UnitFile[]): Reference[] {
  const columns = new Map(files.map((f) => [f.name, f.columns]));
  const delivered = new Set(rows.map((r) => r.uuid));
  const references: Reference[] = [];
  const byFile = new Map<string, (value: string, line: number) => void>();
  const parentsByFile = new Map<string, (value: string, line: number) => void>();
  for (const r of rows) {
    if (r.org_unit_type) {
      let add = byFile.get(r.file);
      if (!add) {
        const c = columns.get(r.file)?.['org_unit_type'];
        byFile.set(r.file, (add = referenceColumn(references, 'class', r.file, { column: c?.index ?? 1, field: c?.name ?? 'org_unit_type' }, 'org_unit_type')));
      }
      add(r.org_unit_type, r.line);
    }
    if (r.parent && r.parent !== r.uuid && delivered.has(r.parent)) {
      let add = parentsByFile.get(r.file);
      if (!add) {
        const c = columns.get(r.file)?.['parent'];
        parentsByFile.set(r.file, (add = referenceColumn(references, 'org_unit', r.file, { column: c?.index ?? 1, field: c?.name ?? 'ParentUUID' })));
      }
      add(r.parent, r.line);
    }
  }
  return references;
}
