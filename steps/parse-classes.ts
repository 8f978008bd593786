/**
 * parse-classes: read the delivered STAM files through the STAM mapping into classes (per facet)
 * and IT systems. A STAM file is the full list of its facet. Missing STAM files are skipped.
 */
import path from 'node:path';
import { defineStep } from '../src/engine/step.ts';
import { parseClassesSchemas } from '../schemas/parse-classes.schema.ts';
import { mappingCheckSchema, stamMappingSchema, type StamMapping } from '../schemas/mapping.schema.ts';
import { loadYaml } from '../src/yaml-file.ts';
import { parseStamFiles } from '../src/los/stam.ts';
import type { Encoding } from '../src/los/csv.ts';

export default defineStep({
  name: 'parse-classes',
  description: 'Parse STAM classes and IT systems',
  schemas: parseClassesSchemas,
})({
  async run({ with: opts, input, ctx }) {
    const mapping = loadYaml<StamMapping>(path.resolve(ctx.run.workflowDir, opts.mapping), mappingCheckSchema(stamMappingSchema), 'STAM mapping').data;
    const stam = input.files.filter((f) => f.kind === 'STAM');
    const result = parseStamFiles(stam, mapping, (opts.encoding ?? ctx.settings.get('encoding') ?? 'utf-8') as Encoding);
    for (const f of stam) if (!result.used.has(f.name)) ctx.log.warn(`${f.name} is not in the STAM mapping; ignored`);
    ctx.progress.set('files', result.used.size);
    ctx.progress.set('rows', result.rows);
    ctx.progress.set('classes', result.classes.length);
    ctx.progress.set('IT systems', result.itsystems.length);
    ctx.report.count('rows', result.rows);
    return { classes: result.classes, facets: result.facets, itsystems: result.itsystems, itsystems_delivered: result.itsystemsDelivered };
  },
  summarize(out) {
    const perFacet = new Map<string, number>();
    for (const c of out.classes) perFacet.set(c.facet, (perFacet.get(c.facet) ?? 0) + 1);
    const facets = [...perFacet].map(([f, n]) => `${f} ${n}`).join(', ');
    return `${out.classes.length} classes${facets ? ` (${facets})` : ''}, ${out.itsystems.length} IT systems`;
  },
});
