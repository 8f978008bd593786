/**
 * parse-managers: read the Leder_nye / Leder_ret / Leder_luk files through the managers mapping
 * into checked manager rows and their org unit / class / person references (docs/persons.md).
 */
import path from 'node:path';
import { defineStep } from '../src/engine/step.ts';
import { parseManagersSchemas } from '../schemas/parse-managers.schema.ts';
import { loadMapping, mappingFileProblems } from '../src/los/mapping-file.ts';
import { unmappedWarning } from '../src/los/mapping.ts';
import { parseManagerFiles } from '../src/los/managers.ts';
import { noteEncodings, type Encoding } from '../src/los/csv.ts';

export default defineStep({
  name: 'parse-managers',
  description: 'Parse Leder files (manager roles)',
  schemas: parseManagersSchemas,
})({
  async run({ with: opts, input, ctx }) {
    const file = path.resolve(ctx.run.workflowDir, opts.mapping);
    const mapping = loadMapping('managers', file);
    const result = parseManagerFiles(input.files, mapping, (opts.encoding ?? ctx.settings.get('encoding') ?? 'utf-8') as Encoding, file);
    for (const u of result.unmapped) ctx.report.warn(unmappedWarning(u, 'managers mapping'));
    noteEncodings(ctx.report, ctx.log, result.encodings);
    ctx.progress.set('files', result.files.length);
    ctx.progress.set('rows', result.count);
    ctx.report.count('manager_rows', result.count);
    return { rows: result.rows, references: result.references };
  },
  check: (opts, dir) => mappingFileProblems('managers', path.resolve(dir, opts.mapping)),
  summarize(out) {
    const n: Record<string, number> = { Leder_nye: 0, Leder_ret: 0, Leder_luk: 0 };
    for (const r of out.rows) n[r.kind]!++;
    return `${out.rows.length} rows (nye ${n.Leder_nye}, ret ${n.Leder_ret}, luk ${n.Leder_luk})`;
  },
});
