/**
 * Org_inital / Org_nye / Org_ret files → checked unit rows (pure, apart from reading the given
 * files). Every value of every file is checked and every problem collected; any problem throws one
 * InputError (exit 3), so nothing is written later in the run.
 */
import { InputError, type InputProblem } from '../errors.ts';
import type { FieldSpec, OrgUnitsMapping } from '../../schemas/mapping.schema.ts';
import type { UnitFile, UnitRow, UnitSpec } from './types.ts';
import { readCsvCollecting, type CsvTable, type Encoding } from './csv.ts';
import { columnParsers, fieldPositions, MAX_FIELD_CHARS, missingColumn, tooLong, planFields, plannedColumns, readValues, unmappedColumns, valueSlots, type Unmapped } from './mapping.ts';
import { fileDate } from './files.ts';
import { addressValueWarning } from './address-values.ts';
import { OPEN_END } from './values.ts';
import { sortProblems } from './rows.ts';
import { MAPPING_KINDS, typeProblems, UNIT_TYPES } from './mapping-file.ts';

export type UnitKind = UnitRow['kind'];

export interface UnitSourceFile {
  name: string;
  kind: string;
  date?: string | null;
  path: string;
}


/** The parts of the mapping later steps need. */
export function unitSpec(mapping: OrgUnitsMapping): UnitSpec {
  return {
    hierarchy: { facet: mapping.hierarchy.facet, class: mapping.hierarchy.class },
    address_facet: mapping.addresses.facet,
    uuid_base: mapping.addresses.uuid_base ?? 'AAK',
    addresses: mapping.addresses.columns.map((c) => ({
      suffix: c.suffix,
      column: Array.isArray(c.column) ? c.column[0]! : (c.column as string),
      address_type: c.address_type,
      dar: c.dar ?? false,
    })),
  };
}

/** Checks of the mapping that a schema cannot express (duplicate suffixes, field types). Returns messages. */
export function mappingProblems(mapping: OrgUnitsMapping): string[] {
  return [...(MAPPING_KINDS['org-units'].more?.(mapping) ?? []), ...typeProblems(MAPPING_KINDS['org-units'].sections(mapping)).map((p) => p.message)];
}

const showDay = (d: string) => (d === OPEN_END ? 'open' : d);

const FIELDS = ['uuid', 'user_key', 'name', 'parent', 'org_unit_type', 'org_unit_hierarchy', 'start', 'end'] as const;

/** Add the checked rows of one Org file to `rows`; returns the file's info. */
export interface UnitParseOptions {
  /** address suffix → the scope of its address type (MO's value rule); absent = not checked */
  addressScopes?: Record<string, string | null>;
  /** an address value MO would refuse: skipped (no opinion, MO keeps its address), with this warning */
  warn?: (message: string) => void;
}

function parseTable(table: CsvTable, file: UnitSourceFile, kind: UnitKind, date: string, mapping: OrgUnitsMapping, rows: UnitRow[], problems: InputProblem[], unmapped: Unmapped[], options: UnitParseOptions = {}): UnitFile {
  const before = problems.length;
  const plan = planFields(table, mapping.fields as Record<string, FieldSpec>, UNIT_TYPES, problems);
  const columns: UnitFile['columns'] = {};
  for (const f of plan) if (f.index >= 0) columns[f.name] = { name: f.column, index: f.index + 1 };

  // address columns: the column must exist (unless optional_column); an empty value is allowed
  const header = new Map(table.header.map((h, i) => [h.toLowerCase(), i]));
  const addressCols: { suffix: string; index: number; name: string }[] = [];
  for (const c of mapping.addresses.columns) {
    const spellings = Array.isArray(c.column) ? [...c.column] : [c.column as string];
    const found = spellings.find((s) => header.has(s.toLowerCase()));
    if (found === undefined) {
      if (!c.optional_column) problems.push(missingColumn(table, spellings, `address ${c.address_type}`, true));
      addressCols.push({ suffix: c.suffix, index: -1, name: spellings[0]! });
      continue;
    }
    const index = header.get(found.toLowerCase())!;
    addressCols.push({ suffix: c.suffix, index, name: table.header[index]! });
    columns[c.suffix] = { name: table.header[index]!, index: index + 1 };
  }
  const info: UnitFile = { name: file.name, kind, date, rows: table.rows.length, columns };
  const extra = unmappedColumns(table, [...plannedColumns(plan), ...addressCols.filter((a) => a.index >= 0).map((a) => a.name)], mapping.ignore);
  if (extra.length) unmapped.push({ file: file.name, columns: extra });
  if (problems.length > before) return info; // header problems: the rows cannot be read

  const at = fieldPositions(plan, FIELDS);
  const v = valueSlots(plan);
  const parse = columnParsers(plan);
  for (const row of table.rows) {
    if (!readValues(table.file, row, plan, parse, v, problems)) continue;
    const uuid = v[at.uuid] as string, start = v[at.start] as string, end = v[at.end] as string, parent = v[at.parent] as string;
    if (end < start) {
      const col = columns.end!;
      problems.push({ file: table.file, line: row.line, column: col.index, field: col.name, message: `last day ${showDay(end)} is before the first day ${start} (${columns.start!.name})` });
      continue;
    }
    const addresses: Record<string, string | null> = {};
    let skipped: string[] | undefined;
    for (const a of addressCols) {
      if (a.index < 0) continue; // absent column (optional_column): no key, MO's address stays as it is
      const text = (row.values[a.index] ?? '').trim();
      if (text.length > MAX_FIELD_CHARS) {
        problems.push(tooLong(table.file, row.line, a.index + 1, a.name, text.length));
        continue;
      }
      // a value MO would refuse: no opinion (as an unmatched DAR text), MO's address stays as it is
      const warning = text === '' ? null : addressValueWarning(options.addressScopes?.[a.suffix], text, { file: table.file, line: row.line, column: a.index + 1, field: a.name }, `unit ${uuid}'s ${a.name} address`);
      if (warning) {
        options.warn?.(warning);
        (skipped ??= []).push(a.suffix);
      }
      addresses[a.suffix] = text === '' || warning ? null : text;
    }
    rows.push({
      uuid,
      user_key: v[at.user_key] as string,
      name: (v[at.name] as string | undefined) ?? null,
      parent: parent === uuid ? null : parent,
      org_unit_type: (v[at.org_unit_type] as string | undefined) ?? null,
      linjeorg: (v[at.org_unit_hierarchy] as boolean | undefined) ?? false,
      start,
      end,
      addresses,
      ...(skipped ? { unmatched: skipped } : {}),
      file: file.name,
      kind,
      file_date: date,
      line: row.line,
    });
  }
  return info;
}

/**
 * Read the Org files among `files` (kinds listed in the mapping), in the given order. Throws one
 * InputError with every problem of every file.
 */
export function parseUnitFiles(files: UnitSourceFile[], mapping: OrgUnitsMapping, encoding: Encoding, options: UnitParseOptions = {}): { rows: UnitRow[]; files: UnitFile[]; spec: UnitSpec; unmapped: Unmapped[]; encodings: Record<string, Encoding> } {
  const unmapped: Unmapped[] = [];
  const encodings: Record<string, Encoding> = {};
  const kinds = new Set<string>(mapping.kinds);
  const problems: InputProblem[] = [];
  const rows: UnitRow[] = [];
  const infos: UnitFile[] = [];
  for (const file of files) {
    if (!kinds.has(file.kind)) continue;
    const date = file.date ?? fileDate(file.name);
    if (!date) {
      problems.push({ file: file.name, line: 1, column: 1, field: 'file name', message: 'an Org file name must carry its date (PREFIX_YYYYMMDD_HHMMSS.csv)' });
      continue;
    }
    const table = readCsvCollecting(file, encoding, problems, encodings);
    if (!table) continue;
    infos.push(parseTable(table, file, file.kind as UnitKind, date, mapping, rows, problems, unmapped, options));
  }
  // the same order and CPR masking as every reader (rows.ts)
  if (problems.length) throw new InputError(sortProblems(problems, files.map((f) => f.name)));
  return { rows, files: infos, spec: unitSpec(mapping), unmapped, encodings };
}
