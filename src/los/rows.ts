/**
 * The row reader of the LOS files read row by row with a key per row (Pers_* and Leder_*): each
 * file through its mapping section, every value checked, each row's key unique in its file, every
 * problem collected (in reading order, CPR numbers masked) into one InputError. Org and STAM files
 * use the same column plan and value checks (mapping.ts) with their own row rules (a unit has many
 * rows; a STAM uuid once per file).
 */
import { ConfigError, InputError, type InputProblem } from '../errors.ts';
import { maskCpr } from '../log.ts';
import type { FieldSpec } from '../../schemas/mapping.schema.ts';
import type { Reference } from './types.ts';
import { readCsvCollecting, type Encoding } from './csv.ts';
import { fileDate } from './files.ts';
import { columnParsers, planFields, plannedColumns, readValues, unmappedColumns, valueSlots, type FieldPlan } from './mapping.ts';
import type { ValueType } from './values.ts';
import { referenceColumn, type ReferenceKind } from './references.ts';
import { typeProblems } from './mapping-file.ts';

export interface InputFile { name: string; kind: string; date?: string | null; path: string }

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
    .sort((a, b) => (order.get(a.p.file) ?? 0) - (order.get(b.p.file) ?? 0) || a.p.line - b.p.line || (a.p.column ?? 0) - (b.p.column ?? 0) || a.i - b.i)
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
