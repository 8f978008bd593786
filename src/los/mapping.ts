/**
 * Applying a YAML column mapping to a parsed CSV table: find each field's column (any accepted
 * spelling, case-insensitive), then parse and check every value, collecting every problem with
 * its file, line, column and field.
 */
import type { InputProblem } from '../errors.ts';
import type { FieldSpec } from '../../schemas/mapping.schema.ts';
import type { CsvRow, CsvTable } from './csv.ts';
import { columnParser, ValueError, type ValueType } from './values.ts';

export interface FieldPlan {
  name: string;
  column: string;
  index: number;
  type: ValueType;
  /** the value may not be empty */
  required: boolean;
}

export interface Mapped<T> {
  line: number;
  value: T;
}

interface NormalSpec {
  columns: string[];
  type: ValueType;
  required: boolean;
  optionalColumn: boolean;
}

function normalise(spec: FieldSpec, defaultType: ValueType): NormalSpec {
  if (typeof spec === 'string') return { columns: [spec], type: defaultType, required: true, optionalColumn: false };
  return {
    columns: Array.isArray(spec.column) ? [...spec.column] : [spec.column as string],
    type: (spec.type as ValueType | undefined) ?? defaultType,
    required: spec.required ?? true,
    optionalColumn: spec.optional_column ?? false,
  };
}

/**
 * The problem of a mapped column missing from a header: every column a mapping names must be in
 * the file (a renamed column must never read as empty values), unless the mapping says
 * `optional_column: true`.
 */
export function missingColumn(table: CsvTable, columns: readonly string[], what: string, required: boolean): InputProblem {
  const names = columns.map((c) => `"${c}"`).join(' or ');
  const message = required
    ? `missing required column ${names} (${what}); the header has: ${table.header.join(';')}`
    : `missing column ${names} (${what}; its values may be empty, but the column must be there: a renamed column would otherwise read as empty values; optional_column: true in the mapping allows a file without it); the header has: ${table.header.join(';')}`;
  // a problem of the header line as a whole: no column of it is at fault (file:1: field: …)
  return { file: table.file, line: 1, field: columns[0]!, message };
}

/**
 * Locate the columns of a mapping in a table's header. A field whose column is absent (allowed
 * only by `optional_column: true`) gets index -1: its value is undefined on every row, which the
 * parsers read as "the file says nothing" (MO's value stays), never as an empty value.
 */
export function planFields(table: CsvTable, fields: Record<string, FieldSpec>, typeDefaults: Record<string, ValueType> = {}, problems: InputProblem[]): FieldPlan[] {
  const index = new Map(table.header.map((h, i) => [h.toLowerCase(), i]));
  const plan: FieldPlan[] = [];
  for (const [name, raw] of Object.entries(fields)) {
    const spec = normalise(raw, typeDefaults[name] ?? 'string');
    const found = spec.columns.find((c) => index.has(c.toLowerCase()));
    if (found === undefined) {
      if (!spec.optionalColumn) problems.push(missingColumn(table, spec.columns, `mapped to ${name}`, spec.required));
      plan.push({ name, column: spec.columns[0]!, index: -1, type: spec.type, required: false });
      continue;
    }
    plan.push({ name, column: table.header[index.get(found.toLowerCase())!]!, index: index.get(found.toLowerCase())!, type: spec.type, required: spec.required });
  }
  return plan;
}

/** Map one row into an object (for small tables: STAM); null (and problems added) when a value is invalid. Empty optional values are absent. */
export function mapRow<T = Record<string, unknown>>(file: string, row: CsvRow, plan: FieldPlan[], problems: InputProblem[], parse = columnParsers(plan)): T | null {
  const values = valueSlots(plan);
  if (!readValues(file, row, plan, parse, values, problems)) return null;
  const out: Record<string, unknown> = {};
  plan.forEach((f, i) => { if (values[i] !== undefined) out[f.name] = values[i]; });
  return out as T;
}

/**
 * The longest value (in characters, after trimming) a mapped column may hold: no LOS value comes
 * near it (names, user keys, addresses are well under 200); a longer one is a broken file or
 * quoting, and would otherwise be written to MO (README, "Mappings").
 */
export const MAX_FIELD_CHARS = 1000;

/** The problem of a value longer than MAX_FIELD_CHARS. */
export const tooLong = (file: string, line: number, column: number, field: string, length: number): InputProblem =>
  ({ file, line, column, field, message: `the value has ${length} characters; at most ${MAX_FIELD_CHARS} are allowed (broken quoting or a truncated line?)` });

/**
 * Parse and check one row's mapped values into `out`, by position in `plan` (an empty optional
 * value or an absent optional column: undefined). Returns false (and adds problems) when a value
 * is invalid. The row-by-row reader of the parse steps: no object per row, the caller builds its
 * row from `out` (see `fieldPositions`).
 */
export function readValues(file: string, row: CsvRow, plan: readonly FieldPlan[], parse: readonly ((text: string) => unknown)[], out: unknown[], problems: InputProblem[]): boolean {
  let ok = true;
  const values = row.values;
  for (let i = 0; i < plan.length; i++) {
    const f = plan[i]!;
    out[i] = undefined;
    if (f.index < 0) continue;
    const raw = values[f.index];
    const text = raw === undefined ? '' : raw.trim();
    if (text === '') {
      if (f.required) {
        problems.push({ file, line: row.line, column: f.index + 1, field: f.column, message: 'a value is required' });
        ok = false;
      }
      continue;
    }
    if (text.length > MAX_FIELD_CHARS) {
      problems.push(tooLong(file, row.line, f.index + 1, f.column, text.length));
      ok = false;
      continue;
    }
    try {
      out[i] = parse[i]!(text);
    } catch (e) {
      if (!(e instanceof ValueError)) throw e;
      problems.push({ file, line: row.line, column: f.index + 1, field: f.column, message: e.message });
      ok = false;
    }
  }
  return ok;
}

/** The parsers of `readValues` for `plan`, one per field (see `columnParser`): for all files of one reading. */
export const columnParsers = (plan: readonly FieldPlan[]) => plan.map((f) => columnParser(f.type));

/**
 * Where `readValues` puts each named field: its position in `plan`, or `plan.length` (a slot that
 * stays undefined) for a field the mapping does not have. Use with `valueSlots(plan)`.
 */
export function fieldPositions<K extends string>(plan: readonly FieldPlan[], names: readonly K[]): Record<K, number> {
  const out = {} as Record<K, number>;
  for (const name of names) {
    const i = plan.findIndex((p) => p.name === name);
    out[name] = i < 0 ? plan.length : i;
  }
  return out;
}

/** The `out` array for `readValues` over `plan`, with the always-undefined slot of `fieldPositions`. */
export const valueSlots = (plan: readonly FieldPlan[]): unknown[] => new Array<unknown>(plan.length + 1).fill(undefined);

/**
 * The header's columns that are neither mapped (`plan`, `alsoKnown`) nor listed in the mapping's
 * `ignore`: each is a warning of the run (a delivery that changed shape is never imported silently).
 */
export function unmappedColumns(table: CsvTable, known: readonly string[], ignore: readonly string[] = []): string[] {
  const names = new Set([...known, ...ignore].map((c) => c.toLowerCase()));
  return table.header.filter((h) => h && !names.has(h.toLowerCase()));
}

/** A file's columns that no mapping names (a warning of the run). */
export interface Unmapped { file: string; columns: string[] }

/** The warning of the run for unmapped columns. */
export const unmappedWarning = (u: Unmapped, mapping: string) =>
  `${u.file}: column${u.columns.length === 1 ? '' : 's'} ${u.columns.map((c) => `"${c}"`).join(', ')} not in the ${mapping}; ignored (a renamed column? list it under ignore: in the mapping if it is expected)`;

/** The header names a plan found. */
export const plannedColumns = (plan: readonly FieldPlan[]) => plan.filter((p) => p.index >= 0).map((p) => p.column);

/** Map a whole table. */
export function mapTable<T = Record<string, unknown>>(table: CsvTable, fields: Record<string, FieldSpec>, typeDefaults: Record<string, ValueType>, problems: InputProblem[]): Mapped<T>[] {
  const plan = planFields(table, fields, typeDefaults, problems);
  if (problems.some((p) => p.file === table.file && p.line === 1)) return [];
  const out: Mapped<T>[] = [];
  const parse = columnParsers(plan);
  for (const row of table.rows) {
    const value = mapRow<T>(table.file, row, plan, problems, parse);
    if (value) out.push({ line: row.line, value });
  }
  return out;
}
