/**
 * Applying a YAML column mapping to a parsed CSV table: find each field's column (any accepted
 * spelling, case-insensitive), then parse and check every value, collecting every problem with
 * its file, line, column and field.
 */
import type { InputProblem } from '../errors.ts';
import type { FieldSpec } from '../../schemas/mapping.schema.ts';
import type { CsvRow, CsvTable } from './csv.ts';
import { parsers, ValueError, type ValueType } from './values.ts';

export interface FieldPlan {
  name: string;
  column: string;
  index: number;
  type: ValueType;
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

/** Locate the columns of a mapping in a table's header. */
export function planFields(table: CsvTable, fields: Record<string, FieldSpec>, typeDefaults: Record<string, ValueType> = {}, problems: InputProblem[]): FieldPlan[] {
  const index = new Map(table.header.map((h, i) => [h.toLowerCase(), i]));
  const plan: FieldPlan[] = [];
  for (const [name, raw] of Object.entries(fields)) {
    const spec = normalise(raw, typeDefaults[name] ?? 'string');
    const found = spec.columns.find((c) => index.has(c.toLowerCase()));
    if (found === undefined) {
      if (spec.required && !spec.optionalColumn) {
        problems.push({ file: table.file, line: 1, column: table.header.length + 1, field: spec.columns[0]!, message: `missing required column ${spec.columns.map((c) => `"${c}"`).join(' or ')} (mapped to ${name}); the header has: ${table.header.join(';')}` });
      }
      plan.push({ name, column: spec.columns[0]!, index: -1, type: spec.type, required: false });
      continue;
    }
    plan.push({ name, column: table.header[index.get(found.toLowerCase())!]!, index: index.get(found.toLowerCase())!, type: spec.type, required: spec.required });
  }
  return plan;
}

/** Map one row; returns null (and adds problems) when a value is invalid. Empty optional values are absent. */
export function mapRow<T = Record<string, unknown>>(file: string, row: CsvRow, plan: FieldPlan[], problems: InputProblem[]): T | null {
  const out: Record<string, unknown> = {};
  let ok = true;
  for (const f of plan) {
    if (f.index < 0) continue;
    const text = (row.values[f.index] ?? '').trim();
    if (text === '') {
      if (f.required) {
        problems.push({ file, line: row.line, column: f.index + 1, field: f.column, message: 'a value is required' });
        ok = false;
      }
      continue;
    }
    try {
      out[f.name] = parsers[f.type](text);
    } catch (e) {
      if (!(e instanceof ValueError)) throw e;
      problems.push({ file, line: row.line, column: f.index + 1, field: f.column, message: e.message });
      ok = false;
    }
  }
  return ok ? (out as T) : null;
}

/** Map a whole table. */
export function mapTable<T = Record<string, unknown>>(table: CsvTable, fields: Record<string, FieldSpec>, typeDefaults: Record<string, ValueType>, problems: InputProblem[]): Mapped<T>[] {
  const plan = planFields(table, fields, typeDefaults, problems);
  if (problems.some((p) => p.file === table.file && p.line === 1)) return [];
  const out: Mapped<T>[] = [];
  for (const row of table.rows) {
    const value = mapRow<T>(table.file, row, plan, problems);
    if (value) out.push({ line: row.line, value });
  }
  return out;
}
