/**
 * parse-persons: read the Pers_nye / Pers_ret / Pers_luk files through the persons mapping into
 * checked engagement rows and the org unit / class references they make (docs/persons.md).
 * Any invalid value of any file → one input error (exit 3), CPR numbers masked.
 */
import path from 'node:path';
import { defineStep } from '../src/engine/step.ts';
import { parsePersonsSchemas } from '../schemas/parse-persons.schema.ts';
import { loadMapping, mappingFileProblems } from '../src/los/mapping-file.ts';
import { unmappedWarning } from '../src/los/mapping.ts';
import { parsePersonFiles } from '../src/los/persons.ts';
import { noteEncodings, type Encoding } from '../src/los/csv.ts';

export default defineStep({
  name: 'parse-persons',
  description: 'Parse Pers files (engagements and their persons)',
  schemas: parsePersonsSchemas,
})({
  async run({ with: opts, input, ctx }) {
    const file = path.resolve(ctx.run.workflowDir, opts.mapping);
    const mapping = loadMapping('persons', file);
    const warn = (message: string) => {
      ctx.log.warn(message);
      ctx.report.warn(message);
    };
    const result = parsePersonFiles(input.files, mapping, (opts.encoding ?? ctx.settings.get('encoding') ?? 'utf-8') as Encoding, file, { warn });
    for (const u of result.unmapped) ctx.report.warn(unmappedWarning(u, 'persons mapping'));
    noteEncodings(ctx.report, ctx.log, result.encodings);
    ctx.progress.set('files', result.files.length);
    ctx.progress.set('rows', result.count);
    ctx.report.count('person_rows', result.count);
    return { rows: result.rows, references: result.references };
  },
  check: (opts, dir) => mappingFileProblems('persons', path.resolve(dir, opts.mapping)),
  summarize(out) {
    const n: Record<string, number> = { Pers_nye: 0, Pers_ret: 0, Pers_luk: 0 };
    const persons = new Set<string>();
    for (const r of out.rows) {
      n[r.kind]!++;
      persons.add(r.cpr);
    }
    return `${out.rows.length} rows (nye ${n.Pers_nye}, ret ${n.Pers_ret}, luk ${n.Pers_luk}) of ${persons.size} persons`;
  },
});
