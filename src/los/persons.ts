/**
 * Pers_nye / Pers_ret / Pers_luk files → checked engagement rows (pure, apart from reading the
 * given files). Every value is checked with file:line:column problems; CPR numbers never appear
 * unmasked in a problem. Also the shared helpers of the person and manager parsers.
 */
import { ConfigError, InputError, type InputProblem } from '../errors.ts';
import { maskCpr } from '../log.ts';
import type { FieldSpec, PersonsMapping } from '../../schemas/mapping.schema.ts';
import type { EngagementRow, PersonRow, Reference } from '../../schemas/parse-persons.schema.ts';
import { readCsvCollecting, type Encoding } from './csv.ts';
import { fileDate } from './files.ts';
import { columnParsers, planFields, plannedColumns, readValues, unmappedColumns, valueSlots, type FieldPlan } from './mapping.ts';
import { cprBirthDate, exclusiveEnd, type ValueType } from './values.ts';
import { addressValueWarning } from './address-values.ts';
import { referenceColumn, type ReferenceKind } from './references.ts';
import { ENDED_ENGAGEMENT_TYPES, ENGAGEMENT_TYPES, typeProblems } from './mapping-file.ts';

export interface InputFile { name: string; kind: string; date?: string | null; path: string }

/** CPRNavn → given name and surname, split at the last space (as MO's migration guide says). */
export function splitName(full: string): { name: string; given_name: string; surname: string } {
  const trimmed = full.trim();
  const name = /\s\s|[^\S ]/.test(trimmed) ? trimmed.replace(/\s+/g, ' ') : trimmed;
  const at = name.lastIndexOf(' ');
  return at < 0 ? { name, given_name: name, surname: '' } : { name, given_name: name.slice(0, at), surname: name.slice(at + 1) };
}


/** The file's date: from the fetch output, else from the name. */
export function dateOfFile(f: InputFile): string {
  const date = f.date ?? fileDate(f.name);
  if (!date) throw new Error(`${f.name}: a ${f.kind} file has no date in its name`);
  return date;
}

export interface Section { fields: Record<string, FieldSpec>; ignore?: string[] | readonly string[] }

/** The mapping may not give a field another type than the code relies on (a configuration error, exit 2; see mapping-file.ts). */
export function checkSectionTypes(what: string, section: string, spec: Section, types: Record<string, ValueType>) {
  const bad = typeProblems([{ path: section.split('.').concat('fields'), fields: spec.fields, types }]);
  if (bad.length) throw new ConfigError(`${what}: ${bad[0]!.message}`);
}

/** Column (1-based) and CSV column name of a mapped field. */
export function columnOf(plan: readonly FieldPlan[], field: string): { column: number; field: string } {
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

export function problemAt(file: string, line: number, plan: readonly FieldPlan[], field: string, message: string): InputProblem {
  const at = columnOf(plan, field);
  return { file, line, column: at.column, field: at.field, message };
}

/** One file as `readRowFiles` reads it, for `RowFilesSpec.file`. */
export interface RowFile {
  file: InputFile;
  /** the file's date */
  date: string;
  /** an `endedKind` file (read through the `ended` section) */
  ended: boolean;
  plan: FieldPlan[];
  /** the position of a mapped field in the row values (see `fieldPositions`) */
  at(field: string): number;
  /** the problem of a row's field */
  problem(line: number, field: string, message: string): void;
  /** references for the column of a field (see `referenceColumn`) */
  references(kind: ReferenceKind, field: string, facet?: string): (value: string, line: number) => void;
}

/** How one file's checked rows are handled: `values` are by position (`RowFile.at`), valid for the call only. */
export interface RowHandler {
  /** a row that must be unique within its file */
  key(values: readonly unknown[]): string;
  /** the problem when it is not */
  duplicate(values: readonly unknown[], earlierLine: number): { field: string; message: string };
  /** one checked row: add rows, references or problems */
  row(line: number, values: readonly unknown[]): void;
}

/** What differs between the Pers and the Leder files for `readRowFiles`. */
export interface RowFilesSpec {
  /** the file kinds read, e.g. Pers_nye, Pers_ret, Pers_luk */
  kinds: readonly string[];
  /** the kind whose rows end objects (read through `ended`) */
  endedKind: string;
  main: { section: Section; types: Record<string, ValueType> };
  ended: { section: Section; types: Record<string, ValueType> };
  /** the handler of one file's rows */
  file(f: RowFile): RowHandler;
}

/**
 * Read the files of `spec.kinds` (in the given order) through their mapping section, check every
 * value, check that each row's key is unique in its file, and hand every valid row to the file's
 * handler. Collects the problems of every file and throws one InputError (CPRs masked) at the end.
 */
export function readRowFiles(files: InputFile[], encoding: Encoding, spec: RowFilesSpec, references: Reference[]) {
  const problems: InputProblem[] = [];
  const unmapped: { file: string; columns: string[] }[] = [];
  const encodings: Record<string, Encoding> = {};
  const used: string[] = [];
  let count = 0;
  for (const f of files) {
    if (!spec.kinds.includes(f.kind)) continue;
    used.push(f.name);
    const date = dateOfFile(f);
    const ended = f.kind === spec.endedKind;
    const { section, types } = ended ? spec.ended : spec.main;
    const table = readCsvCollecting(f, encoding, problems, encodings);
    if (!table) continue;
    const before = problems.length;
    const plan = planFields(table, section.fields, types, problems);
    if (problems.length > before) continue;
    count += table.rows.length;
    const columns = unmappedColumns(table, plannedColumns(plan), section.ignore);
    if (columns.length) unmapped.push({ file: f.name, columns });
    const positions = new Map(plan.map((p, i) => [p.name, i]));
    const handler = spec.file({
      file: f, date, ended, plan,
      at: (field) => positions.get(field) ?? plan.length,
      problem: (line, field, message) => problems.push(problemAt(f.name, line, plan, field, message)),
      references: (kind, field, facet) => referenceColumn(references, kind, f.name, columnOf(plan, field), facet),
    });
    const values = valueSlots(plan);
    const parse = columnParsers(plan);
    const seen = new Map<string, number>();
    for (const row of table.rows) {
      if (!readValues(table.file, row, plan, parse, values, problems)) continue;
      const key = handler.key(values);
      const earlier = seen.get(key);
      if (earlier !== undefined) {
        const d = handler.duplicate(values, earlier);
        problems.push(problemAt(f.name, row.line, plan, d.field, d.message));
        continue;
      }
      seen.set(key, row.line);
      handler.row(row.line, values);
    }
  }
  if (problems.length) throw new InputError(sortProblems(problems, used));
  return { count, files: used, unmapped, encodings };
}

export { ENGAGEMENT_TYPES, ENDED_ENGAGEMENT_TYPES } from './mapping-file.ts';

export const PERSON_KINDS = ['Pers_nye', 'Pers_ret', 'Pers_luk'] as const;

export interface ParsedPersons {
  rows: PersonRow[];
  references: Reference[];
  /** data rows read */
  count: number;
  files: string[];
  unmapped: { file: string; columns: string[] }[];
  /** the encoding each file was read in */
  encodings: Record<string, Encoding>;
}

/**
 * Parse the Pers files (in the given order) through the persons mapping. Throws an InputError with
 * every problem of every file; a ConfigError when the mapping gives a field the wrong type.
 */
export function parsePersonFiles(files: InputFile[], mapping: PersonsMapping, encoding: Encoding, mappingName = 'persons mapping', options: { warn?: (message: string) => void } = {}): ParsedPersons {
  checkSectionTypes(mappingName, 'engagements', mapping.engagements, ENGAGEMENT_TYPES);
  checkSectionTypes(mappingName, 'ended', mapping.ended, ENDED_ENGAGEMENT_TYPES);
  const rows: PersonRow[] = [];
  const references: Reference[] = [];
  const read = readRowFiles(files, encoding, {
    kinds: PERSON_KINDS,
    endedKind: 'Pers_luk',
    main: { section: mapping.engagements, types: ENGAGEMENT_TYPES },
    ended: { section: mapping.ended, types: ENDED_ENGAGEMENT_TYPES },
    file(f) {
      const name = f.file.name, date = f.date;
      const ENGAGEMENT = f.at('engagement'), CPR = f.at('cpr');
      const key = (v: readonly unknown[]) => v[ENGAGEMENT] as string;
      const duplicate = (v: readonly unknown[], earlier: number) => ({ field: 'engagement', message: `engagement ${v[ENGAGEMENT] as string} is also on line ${earlier}` });
      if (f.ended) return { key, duplicate, row: (line, v) => void rows.push({ kind: 'Pers_luk', file: name, date, line, engagement: v[ENGAGEMENT] as string, cpr: v[CPR] as string }) };
      const kind = f.file.kind as EngagementRow['kind'];
      const USER_KEY = f.at('user_key'), NAME = f.at('name'), START = f.at('start'), END = f.at('end'), EMAIL = f.at('email'), PRIMARY = f.at('primary');
      const ORG_UNIT = f.at('org_unit'), ENGAGEMENT_TYPE = f.at('engagement_type'), JOB_FUNCTION = f.at('job_function'), AZID = f.at('azid');
      // an absent optional column (optional_column: true) says nothing: the row has no key (MO's value stays); an empty value is null
      const given = (i: number) => (f.plan[i]?.index ?? -1) >= 0;
      const emailGiven = given(EMAIL), azidGiven = given(AZID);
      const unitRef = f.references('org_unit', 'org_unit');
      const typeRef = f.references('class', 'engagement_type', 'engagement_type');
      const jobRef = f.references('class', 'job_function', 'engagement_job_function');
      return {
        key,
        duplicate,
        row(line, v) {
          const cpr = v[CPR] as string, start = v[START] as string, end = v[END] as string;
          let ok = true;
          if (end < start) {
            f.problem(line, 'end', `the last day ${end} is before the first day ${start}`);
            ok = false;
          }
          const birth = cprBirthDate(cpr)!;
          if (start < birth) {
            f.problem(line, 'start', `the first day ${start} is before the birth date of CPR ${maskCpr(cpr)} (${birth})`);
            ok = false;
          }
          if (!ok) return;
          const names = splitName(v[NAME] as string);
          // an e-mail address MO would refuse (V_INVALID_ADDRESS_EMAIL) is skipped: the row gets no
          // email key (as an absent column: MO's e-mail address stays as it is), with a warning
          const email = emailGiven ? ((v[EMAIL] as string | undefined) ?? null) : undefined;
          const emailColumn = f.plan[EMAIL];
          const emailWarning = email == null || !emailColumn ? null
            : addressValueWarning('EMAIL', email, { file: name, line, column: emailColumn.index + 1, field: emailColumn.column }, `the e-mail address of CPR ${maskCpr(cpr)}`);
          if (emailWarning) options.warn?.(emailWarning);
          const orgUnit = v[ORG_UNIT] as string, engagementType = v[ENGAGEMENT_TYPE] as string, jobFunction = v[JOB_FUNCTION] as string;
          rows.push({
            kind, file: name, date, line,
            engagement: v[ENGAGEMENT] as string, user_key: (v[USER_KEY] as string | undefined) ?? null, cpr,
            name: names.name, given_name: names.given_name, surname: names.surname,
            from: start, to: exclusiveEnd(end), primary: v[PRIMARY] as boolean,
            org_unit: orgUnit, engagement_type: engagementType, job_function: jobFunction,
            ...(emailGiven && !emailWarning ? { email } : {}),
            ...(azidGiven ? { azid: (v[AZID] as string | undefined) ?? null } : {}),
          });
          unitRef(orgUnit, line);
          typeRef(engagementType, line);
          jobRef(jobFunction, line);
        },
      };
    },
  }, references);
  return { rows, references, count: read.count, files: read.files, unmapped: read.unmapped, encodings: read.encodings };
}
