/**
 * Pers_nye / Pers_ret / Pers_luk files → checked engagement rows (pure, apart from reading the
 * given files). Every value is checked with file:line:column problems; CPR numbers never appear
 * unmasked in a problem. Also the shared helpers of the person and manager parsers.
 */
import { ConfigError, InputError, type InputProblem } from '../errors.ts';
import { maskCpr } from '../log.ts';
import type { FieldSpec, PersonsMapping } from '../../schemas/mapping.schema.ts';
import type { EngagementRow, PersonRow, Reference } from '../../schemas/parse-persons.schema.ts';
import { addDays } from '../time.ts';
import { readCsvCollecting, type CsvTable, type Encoding } from './csv.ts';
import { fileDate } from './files.ts';
import { mapRow, planFields, type FieldPlan } from './mapping.ts';
import { cprBirthDate, type ValueType } from './values.ts';

export interface InputFile { name: string; kind: string; date?: string | null; path: string }

/** `0101601234` → `010160xxxx`: the only form a CPR number may take in messages. */
export const maskedCpr = (cpr: string) => `${cpr.slice(0, 6)}xxxx`;

/** CPRNavn → given name and surname, split at the last space (as MO's migration guide says). */
export function splitName(full: string): { name: string; given_name: string; surname: string } {
  const name = full.trim().replace(/\s+/g, ' ');
  const at = name.lastIndexOf(' ');
  return at < 0 ? { name, given_name: name, surname: '' } : { name, given_name: name.slice(0, at), surname: name.slice(at + 1) };
}

/** A date in year 9999 means "open" (MO `to: null`); otherwise the day after the last day. */
export const exclusiveEnd = (lastDay: string): string | null => (lastDay.startsWith('9999-') ? null : addDays(lastDay, 1));

/** The file's date: from the fetch output, else from the name. */
export function dateOfFile(f: InputFile): string {
  const date = f.date ?? fileDate(f.name);
  if (!date) throw new Error(`${f.name}: a ${f.kind} file has no date in its name`);
  return date;
}

export interface Section { fields: Record<string, FieldSpec>; ignore?: string[] | readonly string[] }

/** The mapping may not give a field another type than the code relies on (a configuration error, exit 2). */
export function checkSectionTypes(what: string, section: string, spec: Section, types: Record<string, ValueType>) {
  for (const [name, field] of Object.entries(spec.fields)) {
    const want = types[name] ?? 'string';
    if (typeof field === 'object' && field.type !== undefined && field.type !== want) {
      throw new ConfigError(`${what}: ${section}.fields.${name}: the type must be ${want} (got ${field.type})`);
    }
  }
}

export interface MappedRows<T> {
  table: CsvTable;
  plan: FieldPlan[];
  rows: { line: number; value: T }[];
  /** Header columns neither mapped nor listed under `ignore`. */
  unmapped: string[];
}

/** Read one file through one mapping section; problems are collected. null when the file is unreadable or its header wrong. */
export function readSection<T>(file: InputFile, encoding: Encoding, spec: Section, types: Record<string, ValueType>, problems: InputProblem[]): MappedRows<T> | null {
  const table = readCsvCollecting(file, encoding, problems);
  if (!table) return null;
  const before = problems.length;
  const plan = planFields(table, spec.fields, types, problems);
  if (problems.length > before) return null;
  const rows: { line: number; value: T }[] = [];
  for (const row of table.rows) {
    const value = mapRow<T>(table.file, row, plan, problems);
    if (value) rows.push({ line: row.line, value });
  }
  const known = new Set([...plan.filter((p) => p.index >= 0).map((p) => p.column.toLowerCase()), ...(spec.ignore ?? []).map((c) => c.toLowerCase())]);
  return { table, plan, rows, unmapped: table.header.filter((h) => h && !known.has(h.toLowerCase())) };
}

/** Column (1-based) and CSV column name of a mapped field. */
export function columnOf(plan: FieldPlan[], field: string): { column: number; field: string } {
  const p = plan.find((x) => x.name === field);
  return p && p.index >= 0 ? { column: p.index + 1, field: p.column } : { column: 1, field };
}

/**
 * Problems in reading order (by file as given, line, column), every CPR-like number in a message
 * masked: a value echoed by a generic check (`"0101601234" is not a uuid`) must not leak either.
 */
export function sortProblems(problems: InputProblem[], files: string[]): InputProblem[] {
  const order = new Map(files.map((f, i) => [f, i]));
  return problems
    .map((p, i) => ({ p: { ...p, message: maskCpr(p.message) }, i }))
    .sort((a, b) => (order.get(a.p.file) ?? 0) - (order.get(b.p.file) ?? 0) || a.p.line - b.p.line || a.p.column - b.p.column || a.i - b.i)
    .map((x) => x.p);
}

export function problemAt(file: string, line: number, plan: FieldPlan[], field: string, message: string): InputProblem {
  const at = columnOf(plan, field);
  return { file, line, column: at.column, field: at.field, message };
}

export function referenceAt(kind: Reference['kind'], file: string, line: number, plan: FieldPlan[], field: string, value: { uuid?: string; cpr?: string; facet?: string }): Reference {
  return { kind, ...value, file, line, ...columnOf(plan, field) };
}

/** What differs between the Pers and the Leder files for `readRowFiles`. */
export interface RowFilesSpec<V> {
  /** the file kinds read, e.g. Pers_nye, Pers_ret, Pers_luk */
  kinds: readonly string[];
  /** the kind whose rows end objects (read through `ended`) */
  endedKind: string;
  main: { section: Section; types: Record<string, ValueType> };
  ended: { section: Section; types: Record<string, ValueType> };
  /** a row that must be unique within its file, and the problem when it is not */
  key(v: V): string;
  duplicate(v: V, earlierLine: number): { field: string; message: string };
  /** one checked row: add rows, references or problems */
  row(r: { file: InputFile; date: string; line: number; plan: FieldPlan[]; ended: boolean; values: V; problem(field: string, message: string): void }): void;
}

/**
 * Read the files of `spec.kinds` (in the given order) through their mapping section, check that
 * each row's key is unique in its file, and hand every valid row to `spec.row`. Collects the
 * problems of every file and throws one InputError (CPRs masked) at the end.
 */
export function readRowFiles<V>(files: InputFile[], encoding: Encoding, spec: RowFilesSpec<V>) {
  const problems: InputProblem[] = [];
  const unmapped: { file: string; columns: string[] }[] = [];
  const used: string[] = [];
  let count = 0;
  for (const f of files) {
    if (!spec.kinds.includes(f.kind)) continue;
    used.push(f.name);
    const date = dateOfFile(f);
    const ended = f.kind === spec.endedKind;
    const { section, types } = ended ? spec.ended : spec.main;
    const mapped = readSection<V>(f, encoding, section, types, problems);
    if (!mapped) continue;
    count += mapped.table.rows.length;
    if (mapped.unmapped.length) unmapped.push({ file: f.name, columns: mapped.unmapped });
    const { plan } = mapped;
    const seen = new Map<string, number>();
    for (const { line, value } of mapped.rows) {
      const problem = (field: string, message: string) => problems.push(problemAt(f.name, line, plan, field, message));
      const key = spec.key(value);
      const earlier = seen.get(key);
      if (earlier !== undefined) {
        const d = spec.duplicate(value, earlier);
        problem(d.field, d.message);
        continue;
      }
      seen.set(key, line);
      spec.row({ file: f, date, line, plan, ended, values: value, problem });
    }
  }
  if (problems.length) throw new InputError(sortProblems(problems, used));
  return { count, files: used, unmapped };
}

export const ENGAGEMENT_TYPES: Record<string, ValueType> = {
  engagement: 'uuid', user_key: 'string', cpr: 'cpr', name: 'string', start: 'date', end: 'date', email: 'string',
  primary: 'yesno', org_unit: 'uuid', engagement_type: 'uuid', job_function: 'uuid', azid: 'string',
};
export const ENDED_ENGAGEMENT_TYPES: Record<string, ValueType> = { engagement: 'uuid', cpr: 'cpr' };

interface EngagementValues {
  engagement: string; user_key?: string; cpr: string; name: string; start: string; end: string; email?: string;
  primary: boolean; org_unit: string; engagement_type: string; job_function: string; azid?: string;
}

export const PERSON_KINDS = ['Pers_nye', 'Pers_ret', 'Pers_luk'] as const;

export interface ParsedPersons {
  rows: PersonRow[];
  references: Reference[];
  /** data rows read */
  count: number;
  files: string[];
  unmapped: { file: string; columns: string[] }[];
}

/**
 * Parse the Pers files (in the given order) through the persons mapping. Throws an InputError with
 * every problem of every file; a ConfigError when the mapping gives a field the wrong type.
 */
export function parsePersonFiles(files: InputFile[], mapping: PersonsMapping, encoding: Encoding, mappingName = 'persons mapping'): ParsedPersons {
  checkSectionTypes(mappingName, 'engagements', mapping.engagements, ENGAGEMENT_TYPES);
  checkSectionTypes(mappingName, 'ended', mapping.ended, ENDED_ENGAGEMENT_TYPES);
  const rows: PersonRow[] = [];
  const references: Reference[] = [];
  const read = readRowFiles<EngagementValues>(files, encoding, {
    kinds: PERSON_KINDS,
    endedKind: 'Pers_luk',
    main: { section: mapping.engagements, types: ENGAGEMENT_TYPES },
    ended: { section: mapping.ended, types: ENDED_ENGAGEMENT_TYPES },
    key: (v) => v.engagement,
    duplicate: (v, earlier) => ({ field: 'engagement', message: `engagement ${v.engagement} is also on line ${earlier}` }),
    row({ file: f, date, line, plan, ended, values: v, problem }) {
      if (ended) {
        rows.push({ kind: 'Pers_luk', file: f.name, date, line, engagement: v.engagement, cpr: v.cpr });
        return;
      }
      let ok = true;
      if (v.end < v.start) {
        problem('end', `the last day ${v.end} is before the first day ${v.start}`);
        ok = false;
      }
      const birth = cprBirthDate(v.cpr)!;
      if (v.start < birth) {
        problem('start', `the first day ${v.start} is before the birth date of CPR ${maskedCpr(v.cpr)} (${birth})`);
        ok = false;
      }
      const name = splitName(v.name);
      if (!ok) return;
      const row: EngagementRow = {
        kind: f.kind as EngagementRow['kind'], file: f.name, date, line,
        engagement: v.engagement, user_key: v.user_key ?? null, cpr: v.cpr, ...name,
        from: v.start, to: exclusiveEnd(v.end), email: v.email ?? null, primary: v.primary,
        org_unit: v.org_unit, engagement_type: v.engagement_type, job_function: v.job_function, azid: v.azid ?? null,
      };
      rows.push(row);
      references.push(
        referenceAt('org_unit', f.name, line, plan, 'org_unit', { uuid: v.org_unit }),
        referenceAt('class', f.name, line, plan, 'engagement_type', { uuid: v.engagement_type, facet: 'engagement_type' }),
        referenceAt('class', f.name, line, plan, 'job_function', { uuid: v.job_function, facet: 'engagement_job_function' }),
      );
    },
  });
  return { rows, references, ...read };
}
