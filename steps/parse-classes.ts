/**
 * parse-classes: read the delivered STAM files through the STAM mapping into classes (per facet)
 * and IT systems. A STAM file is the full list of its facet. Missing STAM files are skipped.
 */
import path from 'node:path';
import { defineStep } from '../src/engine/step.ts';
import { parseClassesSchemas } from '../schemas/parse-classes.schema.ts';
import { loadMapping, mappingFileProblems } from '../src/los/mapping-file.ts';
import { unmappedWarning } from '../src/los/mapping.ts';
import { parseStamFiles } from '../src/los/stam.ts';
import { noteEncodings, type Encoding } from '../src/los/csv.ts';

export default defineStep({
  name: 'parse-classes',
  description: 'Parse STAM classes and IT systems',
  schemas: parseClassesSchemas,
})({
  async run({ with: opts, input, ctx }) {
    const mapping = loadMapping('stam', path.resolve(ctx.run.workflowDir, opts.mapping));
    const stam = input.files.filter((f) => f.kind === 'STAM');
    const result = parseStamFiles(stam, mapping, (opts.encoding ?? ctx.settings.get('encoding') ?? 'utf-8') as Encoding);
    for (const f of stam) if (!result.used.has(f.name)) ctx.report.warn(`${f.name} is not in the STAM mapping; ignored`);
    for (const u of result.unmapped) ctx.report.warn(unmappedWarning(u, 'STAM mapping'));
    for (const name of result.empty) ctx.report.warn(`${name} has a header but no rows: read as "not delivered", nothing of its facet is ended (a STAM file lists the whole facet; an empty one is taken for a broken export)`);
    noteEncodings(ctx.report, ctx.log, result.encodings);
    ctx.progress.set('files', result.used.size);
    ctx.progress.set('rows', result.rows);
    ctx.progress.set('classes', result.classes.length);
    ctx.progress.set('IT systems', result.itsystems.length);
    ctx.report.count('stam_rows', result.rows);
    return { classes: result.classes, facets: result.facets, itsystems: result.itsystems, itsystems_delivered: result.itsystemsDelivered };
  },
  check: (opts, dir) => mappingFileProblems('stam', path.resolve(dir, opts.mapping)),
  summarize(out) {
    const perFacet = new Map<string, number>();
    for (const c of out.classes) perFacet.set(c.facet, (perFacet.get(c.facet) ?? 0) + 1);
    const facets = [...perFacet].map(([f, n]) => `${f} ${n}`).join(', ');
    return `${out.classes.length} classes${facets ? ` (${facets})` : ''}, ${out.itsystems.length} IT systems`;
  },
});
