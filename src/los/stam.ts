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

  for (const spec of mapping.classes) {
    const file = byName.get(spec.file.toLowerCase());
    if (!file) continue;
    used.add(file.name);
    const table = readCsvCollect(file, encoding, problems);
    if (!table) continue;
    rows += table.rows.length;
    facets.push(spec.facet);
    const seen = new Map<string, number>();
    for (const r of mapTable<{ uuid: string; user_key: string; name: string }>(table, spec.fields, types, problems)) {
      if (seen.has(r.value.uuid)) {
        problems.push({ file: file.name, line: r.line, column: 1, field: 'uuid', message: `uuid ${r.value.uuid} also on line ${seen.get(r.value.uuid)}` });
        continue;
      }
      seen.set(r.value.uuid, r.line);
      classes.push({ ...r.value, facet: spec.facet, scope: spec.scope ?? 'TEXT', source: { file: file.name, line: r.line } });
    }
  }
  for (const spec of mapping.itsystems) {
    const file = byName.get(spec.file.toLowerCase());
    if (!file) continue;
    used.add(file.name);
    const table = readCsvCollect(file, encoding, problems);
    if (!table) continue;
    rows += table.rows.length;
    itsystemsDelivered = true;
    for (const r of mapTable<{ uuid: string; user_key: string; name: string }>(table, spec.fields, types, problems)) {
      itsystems.push({ ...r.value, source: { file: file.name, line: r.line } });
    }
  }
  if (problems.length) throw new InputError(problems);
  return { classes, itsystems, facets, itsystemsDelivered, used, rows };
}
