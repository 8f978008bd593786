/**
 * seed: what MO must have before the import — the organisation, the facets, the fixed classes
 * (address types, hierarchies, primary types …) and the IT system AZ — read from seed/*.yaml
 * (or `with.file`) with their fixed uuids. The one seed of the run: merge-units, merge-persons
 * and upload take this output as their `seed` input, so a custom seed is used everywhere. Pure: the upload step ensures them in MO (create what is missing,
 * update what differs, never delete) after every input file has been checked, so a bad
 * delivery writes nothing at all.
 */
import path from 'node:path';
import { defineStep } from '../src/engine/step.ts';
import { seedStepSchemas } from '../schemas/seed-step.schema.ts';
import { loadSeed, DEFAULT_SEED_FILE } from '../src/seed.ts';

export default defineStep({
  name: 'seed',
  description: 'Read the seed (organisation, facets, classes, IT systems)',
  schemas: seedStepSchemas,
})({
  async run({ with: opts, ctx }) {
    const seed = loadSeed(opts.file ? path.resolve(ctx.run.workflowDir, opts.file) : DEFAULT_SEED_FILE);
    ctx.progress.set('facets', seed.facets.length);
    ctx.progress.set('classes', seed.classes.length);
    return {
      file: seed.file,
      uuid_base: seed.base,
      municipality_code: seed.organisation.municipality_code,
      facets: seed.facets,
      classes: seed.classes,
      itsystems: seed.itsystems,
    };
  },
  summarize: (out) => `${out.facets.length} facets, ${out.classes.length} classes, ${out.itsystems.length} IT systems to ensure in MO`,
});
