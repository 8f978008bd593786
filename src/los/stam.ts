/** STAM files → classes and IT systems (pure, apart from reading the given files). */
import { InputError, type InputProblem } from '../errors.ts';
import type { StamMapping } from '../../schemas/mapping.schema.ts';
import type { ClassRecord, ITSystemRecord } from '../../schemas/classes.schema.ts';
import { readCsvCollecting as readCsvCollect, type Encoding } from './csv.ts';
import { mapTable } from './mapping.ts';

interface StamFile { name: string; path: string }

export function parseStamFiles(files: StamFile[], mapping: StamMapping, encoding: Encoding) {
  const problems: InputProblem[] = [];
  const classes: ClassRecord[] = [];
  const itsystems: ITSystemRecord[] = [];
  const facets: string[] = [];
  const used = new Set<string>();
  let rows = 0;
  let itsystemsDelivered = false;
  const byName = new Map(files.map((f) => [f.name.toLowerCase(), f]));
  const types = { uuid: 'uuid' } as const;

  type Row = { uuid: string; user_key: string; name: string };
  /** the rows of one delivered STAM file (null when not delivered or unreadable); a uuid listed twice is an input error */
  const read = (spec: { file: string; fields: StamMapping['classes'][number]['fields'] }) => {
    const file = byName.get(spec.file.toLowerCase());
    if (!file) return null;
    used.add(file.name);
    const table = readCsvCollect(file, encoding, problems);
    if (!table) return null;
    rows += table.rows.length;
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
    if (!found) continue;
    facets.push(spec.facet);
    classes.push(...found.map((c) => ({ ...c, facet: spec.facet, scope: spec.scope ?? 'TEXT' })));
  }
  for (const spec of mapping.itsystems) {
    const found = read(spec);
    if (!found) continue;
    itsystemsDelivered = true;
    itsystems.push(...found);
  }
  if (problems.length) throw new InputError(problems);
  return { classes, itsystems, facets, itsystemsDelivered, used, rows };
}
