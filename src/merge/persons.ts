/**
 * Person and manager rows of a run → desired timelines (schemas/desired.schema.ts). Pure.
 *
 * Every row is an operation "from day F on, the object is these periods" (F = null: all time),
 * applied in processing order to the object's timeline: the part before F stays, the rest is
 * replaced; the object's window is the earliest F (null once any operation spoke for all time).
 * The rules per row kind are in docs/persons.md.
 */
import { InputError, type InputProblem } from '../errors.ts';
import { nextDay } from '../time.ts';
import { derivedUuid } from '../uuid.ts';
import { joinTouching } from '../periods.ts';
import { cprBirthDate } from '../los/values.ts';
import { maskCpr } from '../log.ts';
import type { DesiredObject, Period } from '../../schemas/desired.schema.ts';
import type { EngagementRow, PersonRow, Reference, LederRow } from '../los/types.ts';
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
  /**
   * Engagements MO already has, on the person MO has them on (its uuid and CPR number; src/plan/kept-engagements.ts).
   * MO cannot move an engagement to another person, so a row that gives one of them another CPR
   * number is imported on MO's person, without the row's person-level values (docs/persons.md).
   */
  keptOn?: ReadonlyMap<string, KeptOn>;
}

/** The person MO has an engagement on. */
export interface KeptOn { person: string; cpr: string | null }

/** The warning for a row that gives an engagement MO has another person (CPR numbers masked). */
export function keptOnWarning(r: { file: string; line: number; engagement: string; user_key: string | null; cpr: string }, kept: KeptOn): string {
  const mo = kept.cpr ? `CPR ${maskCpr(kept.cpr)}` : `uuid ${kept.person}`;
  return `${r.file}:${r.line}: engagement ${r.engagement}${r.user_key ? ` (${r.user_key})` : ''} is in MO on the person with ${mo}; this row gives CPR ${maskCpr(r.cpr)}. ` +
    `MO cannot move an engagement to another person (engagement_update ignores the person, in GraphQL and in the REST API alike), so MO keeps it on ${mo}: ` +
    `the row's other engagement values are imported there, its name, e-mail address and AZ id are not (they belong to CPR ${maskCpr(r.cpr)}, who does not get this engagement in MO). ` +
    `To move it: have LOS end the engagement and deliver it under a new UUID, or delete it in MO (GraphQL engagement_delete) and import this file again (--import-from-date)`;
}

export interface MergeResult {
  objects: DesiredObject[];
  persons: RunPerson[];
  fallbacks: Fallback[];
  ends: End[];
  /** Messages for the log and the report (CPR numbers masked). */
  warnings: string[];
  /** Of `warnings`, those of rows whose engagement MO keeps on another person (`keptOn`). */
  kept: string[];
}

type Kind = DesiredObject['kind'];
type Fields = Period['fields'];
type Source = Period['source'];

export const employeeUuid = (cpr: string) => derivedUuid(cpr);
export const emailUuid = (cpr: string) => derivedUuid(`${cpr}email`);
export const azidUuid = (cpr: string) => derivedUuid(`${cpr}azid`);
export const managerUuid = (orgUnit: string, cpr: string) => derivedUuid(`${orgUnit}${cpr}manager`);
/** The list of responsibility classes as one desired field value: sorted, comma-joined. */
export const responsibilityValue = (uuids: readonly string[]) =>
  uuids.length === 1 ? uuids[0]!.toLowerCase() : [...new Set(uuids.map((u) => u.toLowerCase()))].sort().join(',');

// ---------------------------------------------------------------- timelines

export interface Timeline { window: string | null; periods: Period[] }

const sameFields = (a: Fields, b: Fields) => {
  if (a === b) return true;
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  for (const k of ka) if (!Object.prototype.hasOwnProperty.call(b, k) || a[k] !== b[k]) return false;
  return true;
};

/** Join touching periods with equal fields (the earlier period's source is kept). A list of fewer than two is returned as it is. */
export function normalise(periods: Period[]): Period[] {
  return periods.length < 2 ? periods : joinTouching(periods, (a, b) => sameFields(a.fields, b.fields));
}

/** The periods of `t` before `from` (cut at `from`), then `periods`, joined. */
function replacedFrom(before: Period[], from: string, periods: Period[]): Period[] {
  const all: Period[] = [];
  for (const p of before) {
    if (p.from >= from) continue;
    all.push(p.to === null || p.to > from ? { ...p, to: from } : p);
  }
  for (const p of periods) all.push(p);
  return normalise(all);
}

/** The window after an operation from `from` (null = all time): the earliest. */
const widened = (window: string | null, from: string | null) => (from === null ? null : window === null || window < from ? window : from);

/**
 * Apply "from `from` on, the object is `periods`" (all starting at or after `from`) to a timeline.
 * `from` null replaces the whole timeline.
 */
export function applyFrom(t: Timeline | undefined, from: string | null, periods: Period[]): Timeline {
  if (from === null) return { window: null, periods: normalise(periods) };
  if (!t) return { window: from, periods: normalise(periods) };
  return { window: widened(t.window, from), periods: replacedFrom(t.periods, from, periods) };
}

const samePeriods = (a: Period[], b: Period[]) =>
  a.length === b.length && a.every((p, i) => p.from === b[i]!.from && p.to === b[i]!.to && sameFields(p.fields, b[i]!.fields));

const KIND_ORDER: Kind[] = ['employee', 'engagement', 'address', 'ituser', 'manager', 'org_unit'];

/**
 * The desired objects of a merge, in order of creation per kind. Each operation changes its object
 * in place; the callers keep the objects where their rows find them (on their person, engagement or
 * manager record).
 */
class Objects {
  private byKind = new Map<Kind, DesiredObject[]>(KIND_ORDER.map((k) => [k, []]));
  /** For objects first seen in an operation with a window: the timeline to use if MO lacks the object. */
  private fallbackOf = new Map<DesiredObject, Timeline>();

  /** A new object from its first operation; `create`: the timeline it would have if this run's first operation had created it. */
  create(kind: Kind, uuid: string, owner: Record<string, string> | undefined, from: string | null, periods: Period[], create?: { from: string | null; periods: Period[] }): DesiredObject {
    const object: DesiredObject = owner ? { kind, uuid, owner, periods: normalise(periods), window: { from } } : { kind, uuid, periods: normalise(periods), window: { from } };
    if (from !== null && create) this.fallbackOf.set(object, applyFrom(undefined, create.from, create.periods));
    this.byKind.get(kind)!.push(object);
    return object;
  }

  /** Apply a later operation to an object. */
  update(o: DesiredObject, owner: Record<string, string> | undefined, from: string | null, periods: Period[]) {
    o.periods = from === null ? normalise(periods) : replacedFrom(o.periods, from, periods);
    o.window.from = widened(o.window.from, from);
    const fallback = this.fallbackOf.get(o);
    if (fallback) this.fallbackOf.set(o, applyFrom(fallback, from, periods));
    if (owner) o.owner = owner;
  }

  result(): { objects: DesiredObject[]; fallbacks: Fallback[] } {
    const objects: DesiredObject[] = [];
    const fallbacks: Fallback[] = [];
    for (const kind of KIND_ORDER) for (const o of this.byKind.get(kind)!) objects.push(o);
    for (const kind of KIND_ORDER) {
      for (const [o, f] of this.fallbackOf) {
        if (o.kind !== kind || o.window.from === null || samePeriods(f.periods, o.periods)) continue;
        fallbacks.push({ kind: kind as Fallback['kind'], uuid: o.uuid, window: { from: f.window }, periods: f.periods });
      }
    }
    return { objects, fallbacks };
  }
}

// ---------------------------------------------------------------- rows → operations

const key = (file: string, line: number) => `${file}:${line}`;

/** The value a file gives a person: the last non-empty one (a warning when rows disagree). */
function personValue(rows: EngagementRow[], pick: (r: EngagementRow) => string | null, column: string, warnings: string[]): { value: string | null; row: EngagementRow } {
  if (rows.length === 1) return { value: pick(rows[0]!), row: rows[0]! };
  const given = rows.filter((r) => pick(r) !== null);
  if (!given.length) return { value: null, row: rows[rows.length - 1]! };
  const last = given[given.length - 1]!;
  const distinct = new Set(given.map(pick));
  if (distinct.size > 1) {
    warnings.push(`${last.file}: lines ${given.map((r) => r.line).join(', ')} give CPR ${maskCpr(last.cpr)} different ${column} values; line ${last.line}'s is used`);
  }
  return { value: pick(last), row: last };
}

/** A CPR's person of the run, the owner object its objects share, and its employee, e-mail and AZ objects. */
interface PersonRecord { run: RunPerson; owner: { person: string }; employee?: DesiredObject; email?: DesiredObject; azid?: DesiredObject }

const pickEmail = (r: EngagementRow) => r.email ?? null;
const pickAzid = (r: EngagementRow) => r.azid ?? null;

export function mergePersons(personRows: readonly PersonRow[], managerRows: readonly LederRow[], options: MergeOptions): MergeResult {
  const objects = new Objects();
  const warnings: string[] = [];
  const kept: string[] = [];
  const problems: InputProblem[] = [];
  const ends: End[] = [];
  /** each CPR's person of the run, the owner object its objects share, and its objects */
  const persons = new Map<string, PersonRecord>();
  /** each engagement: its object, and its first Pers_nye/Pers_ret row (its CPR owns the engagement) */
  const engagements = new Map<string, { owner?: EngagementRow; object?: DesiredObject }>();
  const managers = new Map<string, DesiredObject>();
  const exclude = options.exclude?.size ? options.exclude : null;
  const source = (r: { file: string; line: number }): Source => ({ file: r.file, line: r.line });
  function person(cpr: string, r: { file: string; line: number }) {
    let p = persons.get(cpr);
    if (!p) {
      const uuid = employeeUuid(cpr);
      persons.set(cpr, (p = { run: { cpr, uuid, source: source(r), employee: false }, owner: { person: uuid } }));
    }
    return p;
  }
  function engagement(uuid: string) {
    let e = engagements.get(uuid);
    if (!e) engagements.set(uuid, (e = {}));
    return e;
  }

  // the rows of one file at a time (they come file by file)
  let cprs = new Map<string, EngagementRow[]>();
  let date = '';
  function fileDone() {
    for (const [cpr, rows] of cprs) personLevel(cpr, rows);
    cprs = new Map();
  }
  // person-level values: one employee, one e-mail address and one AZ IT user per CPR and file
  function personLevel(cpr: string, rows: EngagementRow[]) {
    const p = persons.get(cpr)!;
    const { run, owner } = p;
    const personUuid = run.uuid;
    run.employee = true;
    const ret = rows[0]!.kind === 'Pers_ret';
    const nameRow = rows[rows.length - 1]!;
    if (rows.length > 1 && rows.some((r) => r.name !== nameRow.name)) {
      warnings.push(`${nameRow.file}: lines ${rows.map((r) => r.line).join(', ')} give CPR ${maskCpr(cpr)} different names; line ${nameRow.line}'s is used`);
    }
    const nameSource = source(nameRow);
    const nameFields: Fields = { cpr_number: cpr, given_name: nameRow.given_name, surname: nameRow.surname };
    const allTime = [{ from: cprBirthDate(cpr)!, to: null, fields: nameFields, source: nameSource }];
    const from = ret ? date : null;
    const periods = ret ? [{ from: date, to: null, fields: nameFields, source: nameSource }] : allTime;
    if (p.employee) objects.update(p.employee, undefined, from, periods);
    else p.employee = objects.create('employee', personUuid, undefined, from, periods, { from: null, periods: allTime });

    // the e-mail address and the AZ IT user start at the file's date and end with the person's
    // engagements in the file: the latest SlutTid of its rows (open if any row is open)
    let to: string | null = '';
    for (const r of rows) if (to !== null) to = r.to === null ? null : r.to > to ? r.to : to;
    const ends = (value: string | null) => value === null || (to !== null && to <= date);
    const email = personValue(rows, pickEmail, 'Email', warnings);
    // a file without the column (optional_column) says nothing about it: MO's e-mail address stays
    if (email.value !== null || (ret && rows.some((r) => r.email !== undefined))) {
      const periods = ends(email.value) ? [] : [{ from: date, to, fields: { value: email.value, address_type: options.emailAddressType, person: personUuid }, source: email.row === nameRow ? nameSource : source(email.row) }];
      if (p.email) objects.update(p.email, owner, date, periods);
      else p.email = objects.create('address', emailUuid(cpr), owner, date, periods);
    }

    const azid = personValue(rows, pickAzid, 'AZID', warnings);
    if (azid.value !== null || (ret && rows.some((r) => r.azid !== undefined))) {
      const periods = ends(azid.value) ? [] : [{ from: date, to, fields: { user_key: azid.value, itsystem: options.azItSystem, person: personUuid }, source: azid.row === nameRow ? nameSource : source(azid.row) }];
      if (p.azid) objects.update(p.azid, owner, date, periods);
      else p.azid = objects.create('ituser', azidUuid(cpr), owner, date, periods);
    }
  }

  let file: string | null = null;
  for (const r of personRows) {
    if (exclude?.has(key(r.file, r.line))) continue;
    if (r.file !== file) {
      fileDone();
      file = r.file;
      date = r.date;
    }
    const e = engagement(r.engagement);
    const owner = e.owner;
    if (r.kind === 'Pers_luk') {
      person(r.cpr, r);
      if (owner && owner.cpr !== r.cpr) {
        warnings.push(`${r.file}:${r.line}: engagement ${r.engagement} belongs to another CPR number (${maskCpr(owner.cpr)}, ${owner.file}:${owner.line}) than this row's ${maskCpr(r.cpr)}`);
      }
      if (e.object) objects.update(e.object, undefined, nextDay(date), []);
      else e.object = objects.create('engagement', r.engagement, undefined, nextDay(date), []);
      ends.push({ kind: 'engagement', uuid: r.engagement, last_day: date, cpr: r.cpr, source: source(r) });
      continue;
    }
    if (owner && owner.cpr !== r.cpr) {
      problems.push({ file: r.file, line: r.line, column: 1, field: 'CPR', message: `engagement ${r.engagement} belongs to CPR ${maskCpr(owner.cpr)} on ${owner.file}:${owner.line}; this row gives another CPR number (${maskCpr(r.cpr)})` });
      continue;
    }
    if (!owner) e.owner = r;
    // an engagement MO has on another person stays there: the row counts for the engagement only
    const keptOn = options.keptOn?.get(r.engagement);
    const elsewhere = keptOn && keptOn.cpr !== r.cpr ? keptOn : undefined;
    let personUuid: string, personOwner: { person: string };
    if (elsewhere) {
      if (!owner) {
        const message = keptOnWarning(r, elsewhere);
        warnings.push(message);
        kept.push(message);
      }
      personUuid = elsewhere.person;
      personOwner = { person: elsewhere.person };
    } else {
      const p = person(r.cpr, r);
      personUuid = p.run.uuid;
      personOwner = p.owner;
      const same = cprs.get(r.cpr);
      if (same) same.push(r);
      else cprs.set(r.cpr, [r]);
    }

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
      if (e.object) objects.update(e.object, personOwner, null, whole);
      else e.object = objects.create('engagement', r.engagement, personOwner, null, whole);
    } else {
      // Pers_ret: from the file's date (or StartTid when later) until SlutTid; a SlutTid before the
      // file's date ends the engagement from the day after SlutTid.
      const from = r.to !== null && r.to < date ? r.to : date;
      const start = r.from > date ? r.from : date;
      const periods = r.to === null || start < r.to ? [{ from: start, to: r.to, fields, source: whole[0]!.source }] : [];
      if (e.object) objects.update(e.object, personOwner, from, periods);
      else e.object = objects.create('engagement', r.engagement, personOwner, from, periods, { from: null, periods: whole });
    }
  }
  fileDone();

  for (const r of managerRows) {
    if (exclude?.has(key(r.file, r.line))) continue;
    const personUuid = person(r.cpr, r).run.uuid;
    const uuid = managerUuid(r.org_unit, r.cpr);
    const owner = { org_unit: r.org_unit, person: personUuid };
    const from = r.kind === 'Leder_luk' ? nextDay(r.date) : r.date;
    let periods: Period[] = [];
    if (r.kind !== 'Leder_luk') {
      const fields: Fields = { person: personUuid, org_unit: r.org_unit, manager_type: r.manager_type, manager_level: r.manager_level, responsibility: responsibilityValue(r.responsibility) };
      periods = [{ from: r.date, to: null, fields, source: source(r) }];
    }
    const manager = managers.get(uuid);
    if (manager) objects.update(manager, owner, from, periods);
    else managers.set(uuid, objects.create('manager', uuid, owner, from, periods));
    if (r.kind === 'Leder_luk') ends.push({ kind: 'manager', uuid, last_day: r.date, cpr: r.cpr, source: source(r) });
  }

  if (problems.length) throw new InputError(problems);
  const { objects: list, fallbacks } = objects.result();
  return { objects: list, persons: Array.from(persons.values(), (p) => p.run), fallbacks, ends, warnings, kept };
}

/**
 * The references the upload must check: all org unit and class references, and the person
 * references whose CPR has no employee object in this run. Lines of rows in `exclude` (`FILE:LINE`)
 * are left out (a reference left with no line is dropped).
 */
export function referencesToCheck(references: readonly Reference[], persons: readonly RunPerson[], exclude?: ReadonlySet<string>): Reference[] {
  const employees = new Set<string>();
  for (const p of persons) if (p.employee) employees.add(p.cpr);
  const out: Reference[] = [];
  for (const r of references) {
    if (r.kind === 'person' && r.cpr !== undefined && employees.has(r.cpr)) continue;
    if (!exclude?.size) {
      out.push(r);
      continue;
    }
    const lines = r.lines.filter((line) => !exclude.has(key(r.file, line)));
    if (lines.length === r.lines.length) out.push(r);
    else if (lines.length) out.push({ ...r, lines });
  }
  return out;
}
