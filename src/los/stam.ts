/** STAM files → classes and IT systems (pure, apart from reading the given files). */
import { ConfigError, InputError, type InputProblem } from '../errors.ts';
import { MAPPING_KINDS, STAM_TYPES, typeProblems } from './mapping-file.ts';
import type { StamMapping } from '../../schemas/mapping.schema.ts';
import type { ClassRecord, ITSystemRecord } from '../../schemas/classes.schema.ts';
import { readCsvCollecting as readCsvCollect, type Encoding } from './csv.ts';
import { sortProblems } from './rows.ts';
import { mapTable, unmappedColumns, type Unmapped } from './mapping.ts';

interface StamFile { name: string; path: string }

export function parseStamFiles(files: StamFile[], mapping: StamMapping, encoding: Encoding) {
  const problems: InputProblem[] = [];
  const classes: ClassRecord[] = [];
  const itsystems: ITSystemRecord[] = [];
  const facets: string[] = [];
  const used = new Set<string>();
  let rows = 0;
  let itsystemsDelivered = false;
  const unmapped: Unmapped[] = [];
  const encodings: Record<string, Encoding> = {};
  /** delivered STAM files without a single row: they end nothing (warnings) */
  const empty: string[] = [];
  const byName = new Map(files.map((f) => [f.name.toLowerCase(), f]));
  const bad = typeProblems(MAPPING_KINDS.stam.sections(mapping));
  if (bad.length) throw new ConfigError(`STAM mapping: ${bad[0]!.message}`);
  const types = STAM_TYPES;

  type Row = { uuid: string; user_key: string; name: string };
  /** the rows of one delivered STAM file (null when not delivered or unreadable); a uuid listed twice is an input error */
  const read = (spec: { file: string; fields: StamMapping['classes'][number]['fields']; ignore?: readonly string[] }) => {
    const file = byName.get(spec.file.toLowerCase());
    if (!file) return null;
    used.add(file.name);
    const table = readCsvCollect(file, encoding, problems, encodings);
    if (!table) return null;
    rows += table.rows.length;
    const extra = unmappedColumns(table, Object.values(spec.fields).flatMap((f) => (typeof f === 'string' ? [f] : Array.isArray(f.column) ? f.column : [f.column as string])), spec.ignore);
    if (extra.length) unmapped.push({ file: file.name, columns: extra });
    if (!table.rows.length) empty.push(file.name);
    const seen = new Map<string, number>();
    return mapTable<Row>(table, spec.fields, types, problems).flatMap((r) => {
      const earlier = seen.get(r.value.uuid);
      if (earlier !== undefined) {
        problems.push({ file: file.name, line: r.line, column: 1, field: 'uuid', message: `uuid ${r.value.uuid} also on line ${earlier}` });
        return [];
      }
      seen.set(r.value.uuid, r.line);
      return [{ ...r.value, source: { file: file.name, line: r.line } }];
    });
  };
  for (const spec of mapping.classes) {
    const found = read(spec);
    // a header-only file is no list of the facet (a broken export): it ends nothing
    if (!found?.length) continue;
    facets.push(spec.facet);
    classes.push(...found.map((c) => ({ ...c, facet: spec.facet, scope: spec.scope ?? 'TEXT' })));
  }
  for (const spec of mapping.itsystems) {
    const found = read(spec);
    if (!found?.length) continue;
    itsystemsDelivered = true;
    itsystems.push(...found);
  }
  // the same order and CPR masking as every reader (rows.ts)
  if (problems.length) throw new InputError(sortProblems(problems, files.map((f) => f.name)));
  return { classes, itsystems, facets, itsystemsDelivered, used, rows, unmapped, empty, encodings };
}
