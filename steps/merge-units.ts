/**
 * merge-units: unit rows → the desired timeline of every org unit and derived address (DesiredObject),
 * parents first. Pure work in src/merge/units.ts; rules in docs/org-units.md.
 */
import { defineStep } from '../src/engine/step.ts';
import { mergeUnitsSchemas } from '../schemas/merge-units.schema.ts';
import { seedClassUuid } from '../src/seed.ts';
import { mergeUnits, unitTypeReferences } from '../src/merge/units.ts';

export default defineStep({
  name: 'merge-units',
  description: 'Merge org unit history',
  schemas: mergeUnitsSchemas,
})({
  async run({ input, ctx }) {
    const classUuid = (facet: string, userKey: string) => seedClassUuid(input.seed, facet, userKey, 'the org units mapping');
    const result = mergeUnits(input.rows, input.files, {
      addressTypes: input.spec.addresses.map((a) => ({ suffix: a.suffix, type: classUuid(input.spec.address_facet, a.address_type) })),
      uuidBase: input.spec.uuid_base,
      hierarchyClass: classUuid(input.spec.hierarchy.facet, input.spec.hierarchy.class),
    });
    // every unit type a row names must exist (in MO or the delivery's STAM files): checked by upload before anything is written
    const references = unitTypeReferences(input.rows, input.files);
    for (const [k, v] of Object.entries(result.counts)) ctx.progress.set(k.replace('_', ' '), v);
    ctx.report.count('units', result.counts.units);
    ctx.report.count('unit_addresses', result.counts.addresses);
    return { ...result, references };
  },
  summarize: (out) =>
    `${out.counts.units} units, ${out.counts.addresses} addresses, ${out.counts.periods} periods from ${out.counts.rows} rows` +
    (out.external_parents.length ? `; ${out.external_parents.length} parent${out.external_parents.length === 1 ? '' : 's'} outside the delivery` : ''),
});
