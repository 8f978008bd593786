/**
 * Person and manager rows of a run → desired timelines (schemas/desired.schema.ts). Pure.
 *
 * Every row is an operation "from day F on, the object is these periods" (F = null: all time),
 * applied in processing order to the object's timeline: the part before F stays, the rest is
 * replaced; the object's window is the earliest F (null once any operation spoke for all time).
 * The rules per row kind are in docs/persons.md.
 */
import { InputError, type InputProblem } from '../errors.ts';
import { addDays } from '../time.ts';
import { derivedUuid } from '../uuid.ts';
import { cprBirthDate } from '../los/values.ts';
import { maskedCpr } from '../los/persons.ts';
import type { DesiredObject, Period } from '../../schemas/desired.schema.ts';
import type { EngagementRow, PersonRow, Reference } from '../../schemas/parse-persons.schema.ts';
import type { LederRow } from '../../schemas/parse-managers.schema.ts';
import type { End, Fallback, RunPerson } from '../../schemas/merge-persons.schema.ts';

export interface MergeOptions {
  /** primary_type classes: `Ja` → primary, `Nej` → non-primary */
  primaryClass: string;
  nonPrimaryClass: string;
  /** employee_address_type class of the e-mail address (EmailEmployee) */
  emailAddressType: string;
  /** IT system of the AZ ids */
  azItSystem: string;
  /** Rows to leave out, as `FILE:LINE` (rows rejected by --skip-invalid-rows): merge again without them. */
  exclude?: ReadonlySet<string>;
}

export interface MergeResult {
  objects: DesiredObject[];
  persons: RunPerson[];
  fallbacks: Fallback[];
  ends: End[];
  /** Messages for the log and the report (CPR numbers masked). */
  warnings: string[];
}

type Kind = DesiredObject['kind'];
type Fields = Period['fields'];
type Source = Period['source'];

export const employeeUuid = (cpr: string) => derivedUuid(cpr);
export const emailUuid = (cpr: string) => derivedUuid(`${cpr}email`);
export const azidUuid = (cpr: string) => derivedUuid(`${cpr}azid`);
export const managerUuid = (orgUnit: string, cpr: string) => derivedUuid(`${orgUnit}${cpr}manager`);
/** The list of responsibility classes as one desired field value: sorted, comma-joined. */
export const responsibilityValue = (uuids: readonly string[]) => [...new Set(uuids.map((u) => u.toLowerCase()))].sort().join(',');

// ---------------------------------------------------------------- timelines

export interface Timeline { window: string | null; periods: Period[] }

const sameFields = (a: Fields, b: Fields) => {
  const ka = Object.keys(a), kb = Object.keys(b);
  return ka.length === kb.length && ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && a[k] === b[k]);
};

/** Join touching periods with equal fields (the earlier period's source is kept). */
export function normalise(periods: Period[]): Period[] {
  const out: Period[] = [];
  for (const p of periods) {
    const last = out[out.length - 1];
    if (last && last.to === p.from && sameFields(last.fields, p.fields)) out[out.length - 1] = { ...last, to: p.to };
    else out.push(p);
  }
  return out;
}

/**
 * Apply "from `from` on, the object is `periods`" (all starting at or after `from`) to a timeline.
 * `from` null replaces the whole timeline.
 */
export function applyFrom(t: Timeline | undefined, from: string | null, periods: Period[]): Timeline {
  if (from === null) return { window: null, periods: normalise(periods) };
  if (!t) return { window: from, periods: normalise(periods) };
  const kept = t.periods.flatMap((p) => (p.from >= from ? [] : [p.to === null || p.to > from ? { ...p, to: from } : p]));
  return { window: t.window === null || t.window < from ? t.window : from, periods: normalise([...kept, ...periods]) };
}

interface ObjectState {
  kind: Kind;
  uuid: string;
  owner?: Record<string, string>;
  main: Timeline;
  /** Only for objects first seen in an operation with a window: the timeline to use if MO lacks the object. */
  fallback?: Timeline;
}

const samePeriods = (a: Period[], b: Period[]) =>
  a.length === b.length && a.every((p, i) => p.from === b[i]!.from && p.to === b[i]!.to && sameFields(p.fields, b[i]!.fields));

const KIND_ORDER: Kind[] = ['employee', 'engagement', 'address', 'ituser', 'manager', 'org_unit'];

class Objects {
  private byUuid = new Map<string, ObjectState>();

  /** Apply an operation; `create` is the timeline the object would have if this run's first operation had created it. */
  apply(kind: Kind, uuid: string, owner: Record<string, string> | undefined, from: string | null, periods: Period[], create?: { from: string | null; periods: Period[] }) {
    const o = this.byUuid.get(uuid);
    if (!o) {
      const state: ObjectState = { kind, uuid, owner, main: applyFrom(undefined, from, periods) };
      if (from !== null && create) state.fallback = applyFrom(undefined, create.from, create.periods);
      this.byUuid.set(uuid, state);
      return;
    }
    o.main = applyFrom(o.main, from, periods);
    if (o.fallback) o.fallback = applyFrom(o.fallback, from, periods);
    if (owner) o.owner = owner;
  }

  has(uuid: string) {
    return this.byUuid.has(uuid);
  }

  result(): { objects: DesiredObject[]; fallbacks: Fallback[] } {
    const all = [...this.byUuid.values()].sort((a, b) => KIND_ORDER.indexOf(a.kind) - KIND_ORDER.indexOf(b.kind));
    const objects: DesiredObject[] = all.map((o) => ({ kind: o.kind, uuid: o.uuid, ...(o.owner ? { owner: o.owner } : {}), periods: o.main.periods, window: { from: o.main.window } }));
    const fallbacks: Fallback[] = [];
    for (const o of all) {
      if (!o.fallback || o.main.window === null || samePeriods(o.fallback.periods, o.main.periods)) continue;
      fallbacks.push({ kind: o.kind as Fallback['kind'], uuid: o.uuid, window: { from: o.fallback.window }, periods: o.fallback.periods });
    }
    return { objects, fallbacks };
  }
}

// ---------------------------------------------------------------- rows → operations

const key = (file: string, line: number) => `${file}:${line}`;

/** Consecutive rows of one file. */
function byFile<T extends { file: string }>(rows: readonly T[]): T[][] {
  const groups: T[][] = [];
  for (const r of rows) {
    const last = groups[groups.length - 1];
    if (last && last[0]!.file === r.file) last.push(r);
    else groups.push([r]);
  }
  return groups;
}

/** The value a file gives a person: the last non-empty one (a warning when rows disagree). */
function personValue(rows: EngagementRow[], pick: (r: EngagementRow) => string | null, column: string, warnings: string[]): { value: string | null; row: EngagementRow } {
  const given = rows.filter((r) => pick(r) !== null);
  if (!given.length) return { value: null, row: rows[rows.length - 1]! };
  const last = given[given.length - 1]!;
  const distinct = new Set(given.map(pick));
  if (distinct.size > 1) {
    warnings.push(`${last.file}: lines ${given.map((r) => r.line).join(', ')} give CPR ${maskedCpr(last.cpr)} different ${column} values; line ${last.line}'s is used`);
  }
  return { value: pick(last), row: last };
}

export function mergePersons(personRows: readonly PersonRow[], managerRows: readonly LederRow[], options: MergeOptions): MergeResult {
  const objects = new Objects();
  const warnings: string[] = [];
  const problems: InputProblem[] = [];
  const ends: End[] = [];
  const persons = new Map<string, RunPerson>();
  const engagementOwner = new Map<string, { cpr: string; source: Source }>();
  const skip = (r: { file: string; line: number }) => options.exclude?.has(key(r.file, r.line)) ?? false;
  const source = (r: { file: string; line: number }): Source => ({ file: r.file, line: r.line });
  const person = (cpr: string, r: { file: string; line: number }) => {
    if (!persons.has(cpr)) persons.set(cpr, { cpr, uuid: employeeUuid(cpr), source: source(r), employee: false });
    return persons.get(cpr)!.uuid;
  };

  for (const group of byFile(personRows.filter((r) => !skip(r)))) {
    const date = group[0]!.date;
    const cprs = new Map<string, EngagementRow[]>();
    for (const r of group) {
      const personUuid = person(r.cpr, r);
      if (r.kind === 'Pers_luk') {
        const owner = engagementOwner.get(r.engagement);
        if (owner && owner.cpr !== r.cpr) {
          warnings.push(`${r.file}:${r.line}: engagement ${r.engagement} belongs to another CPR number (${maskedCpr(owner.cpr)}, ${owner.source.file}:${owner.source.line}) than this row's ${maskedCpr(r.cpr)}`);
        }
        objects.apply('engagement', r.engagement, undefined, addDays(date, 1), []);
        ends.push({ kind: 'engagement', uuid: r.engagement, last_day: date, cpr: r.cpr, source: source(r) });
        continue;
      }
      const owner = engagementOwner.get(r.engagement);
      if (owner && owner.cpr !== r.cpr) {
        problems.push({ file: r.file, line: r.line, column: 1, field: 'CPR', message: `engagement ${r.engagement} belongs to CPR ${maskedCpr(owner.cpr)} on ${owner.source.file}:${owner.source.line}; this row gives another CPR number (${maskedCpr(r.cpr)})` });
        continue;
      }
      if (!owner) engagementOwner.set(r.engagement, { cpr: r.cpr, source: source(r) });
      (cprs.get(r.cpr) ?? cprs.set(r.cpr, []).get(r.cpr)!).push(r);

      const fields: Fields = {
        person: personUuid,
        org_unit: r.org_unit,
        engagement_type: r.engagement_type,
        job_function: r.job_function,
        primary: r.primary ? options.primaryClass : options.nonPrimaryClass,
        user_key: r.user_key,
      };
      const whole = [{ from: r.from, to: r.to, fields, source: source(r) }];
      if (r.kind === 'Pers_nye') {
        objects.apply('engagement', r.engagement, { person: personUuid }, null, whole);
      } else {
        // Pers_ret: from the file's date (or StartTid when later) until SlutTid; a SlutTid before the
        // file's date ends the engagement from the day after SlutTid.
        const from = r.to !== null && r.to < date ? r.to : date;
        const start = r.from > date ? r.from : date;
        const periods = r.to === null || start < r.to ? [{ from: start, to: r.to, fields, source: source(r) }] : [];
        objects.apply('engagement', r.engagement, { person: personUuid }, from, periods, { from: null, periods: whole });
      }
    }

    // person-level values: one employee, one e-mail address and one AZ IT user per CPR and file
    for (const [cpr, rows] of cprs) {
      const personUuid = persons.get(cpr)!.uuid;
      persons.get(cpr)!.employee = true;
      const ret = rows[0]!.kind === 'Pers_ret';
      const nameRow = rows[rows.length - 1]!;
      if (new Set(rows.map((r) => r.name)).size > 1) {
        warnings.push(`${nameRow.file}: lines ${rows.map((r) => r.line).join(', ')} give CPR ${maskedCpr(cpr)} different names; line ${nameRow.line}'s is used`);
      }
      const birth = cprBirthDate(cpr)!;
      const nameFields: Fields = { cpr_number: cpr, given_name: nameRow.given_name, surname: nameRow.surname };
      const allTime = [{ from: birth, to: null, fields: nameFields, source: source(nameRow) }];
      if (ret) objects.apply('employee', personUuid, undefined, date, [{ from: date, to: null, fields: nameFields, source: source(nameRow) }], { from: null, periods: allTime });
      else objects.apply('employee', personUuid, undefined, null, allTime);

      const email = personValue(rows, (r) => r.email, 'Email', warnings);
      if (email.value !== null) {
        objects.apply('address', emailUuid(cpr), { person: personUuid }, date, [{ from: date, to: null, fields: { value: email.value, address_type: options.emailAddressType, person: personUuid }, source: source(email.row) }]);
      } else if (ret) objects.apply('address', emailUuid(cpr), { person: personUuid }, date, []);

      const azid = personValue(rows, (r) => r.azid, 'AZID', warnings);
      if (azid.value !== null) {
        objects.apply('ituser', azidUuid(cpr), { person: personUuid }, date, [{ from: date, to: null, fields: { user_key: azid.value, itsystem: options.azItSystem, person: personUuid }, source: source(azid.row) }]);
      } else if (ret) objects.apply('ituser', azidUuid(cpr), { person: personUuid }, date, []);
    }
  }

  for (const r of managerRows) {
    if (skip(r)) continue;
    const personUuid = person(r.cpr, r);
    const uuid = managerUuid(r.org_unit, r.cpr);
    const owner = { org_unit: r.org_unit, person: personUuid };
    if (r.kind === 'Leder_luk') {
      objects.apply('manager', uuid, owner, addDays(r.date, 1), []);
      ends.push({ kind: 'manager', uuid, last_day: r.date, cpr: r.cpr, source: source(r) });
      continue;
    }
    const fields: Fields = { person: personUuid, org_unit: r.org_unit, manager_type: r.manager_type, manager_level: r.manager_level, responsibility: responsibilityValue(r.responsibility) };
    objects.apply('manager', uuid, owner, r.date, [{ from: r.date, to: null, fields, source: source(r) }]);
  }

  if (problems.length) throw new InputError(problems);
  const { objects: list, fallbacks } = objects.result();
  return { objects: list, persons: [...persons.values()], fallbacks, ends, warnings };
}

/**
 * The references the upload must check: all org unit and class references, and the person
 * references whose CPR has no employee object in this run. Rows in `exclude` are left out.
 */
export function referencesToCheck(references: readonly Reference[], persons: readonly RunPerson[], exclude?: ReadonlySet<string>): Reference[] {
  const employees = new Set(persons.filter((p) => p.employee).map((p) => p.cpr));
  return references.filter((r) => !exclude?.has(key(r.file, r.line)) && !(r.kind === 'person' && r.cpr !== undefined && employees.has(r.cpr)));
}
