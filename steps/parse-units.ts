/**
 * parse-units: read the Org_inital / Org_nye / Org_ret files through the org units mapping into
 * checked rows (docs/org-units.md). Any invalid value of any file → one input error (exit 3).
 */
import path from 'node:path';
import { defineStep } from '../src/engine/step.ts';
import { parseUnitsSchemas } from '../schemas/parse-units.schema.ts';
import { loadMapping, mappingFileProblems } from '../src/los/mapping-file.ts';
import { unmappedWarning } from '../src/los/mapping.ts';
import { parseUnitFiles } from '../src/los/units.ts';
import { noteEncodings, type Encoding } from '../src/los/csv.ts';
import { loadSeed } from '../src/seed.ts';

/** Distinct units among the rows (a unit's rows are usually consecutive). */
function unitCount(rows: readonly { uuid: string }[]): number {
  const units = new Set<string>();
  let last = '';
  for (const r of rows) if (r.uuid !== last) units.add((last = r.uuid));
  return units.size;
}

export default defineStep({
  name: 'parse-units',
  description: 'Parse Org files (org units and their addresses)',
  schemas: parseUnitsSchemas,
})({
  async run({ with: opts, input, ctx }) {
    const file = path.resolve(ctx.run.workflowDir, opts.mapping);
    const mapping = loadMapping('org-units', file);
    // MO's value rule of each address column: the scope of its address type in the seed
    const seed = loadSeed();
    const addressScopes = Object.fromEntries(
      mapping.addresses.columns.filter((c) => !c.dar).map((c) => [c.suffix, seed.classes.find((k) => k.facet === mapping.addresses.facet && k.user_key === c.address_type)?.scope ?? null]),
    );
    const warn = (message: string) => {
      ctx.log.warn(message);
      ctx.report.warn(message);
    };
    const result = parseUnitFiles(input.files, mapping, (opts.encoding ?? ctx.settings.get('encoding') ?? 'utf-8') as Encoding, { addressScopes, warn });
    for (const u of result.unmapped) ctx.report.warn(unmappedWarning(u, 'org units mapping'));
    noteEncodings(ctx.report, ctx.log, result.encodings);
    ctx.progress.set('files', result.files.length);
    ctx.progress.set('rows', result.rows.length);
    ctx.progress.set('units', unitCount(result.rows));
    ctx.report.count('unit_rows', result.rows.length);
    return { rows: result.rows, files: result.files, spec: result.spec };
  },
  check: (opts, dir) => mappingFileProblems('org-units', path.resolve(dir, opts.mapping)),
  summarize(out) {
    const units = unitCount(out.rows);
    return `${out.rows.length} rows of ${units} units from ${out.files.length} file${out.files.length === 1 ? '' : 's'}`;
  },
});
