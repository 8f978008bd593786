/**
 * merge-persons: person and manager rows → desired timelines of employees, engagements, e-mail
 * addresses, AZ IT users and manager roles (schemas/desired.schema.ts), the run's persons with
 * their provisional uuids, and the references the upload step checks against MO (docs/persons.md).
 */
import { defineStep } from '../src/engine/step.ts';
import { mergePersonsSchemas } from '../schemas/merge-persons.schema.ts';
import { ConfigError } from '../src/errors.ts';
import { seedClassUuid } from '../src/seed.ts';
import { isUuid } from '../src/uuid.ts';
import { mergePersons, referencesToCheck } from '../src/merge/persons.ts';

export default defineStep({
  name: 'merge-persons',
  description: 'Merge person and manager rows into desired timelines',
  schemas: mergePersonsSchemas,
})({
  async run({ with: opts, input, ctx }) {
    const seed = input.seed;
    const configured = opts.azid_it_system_uuid || ctx.settings.get('azid_it_system_uuid');
    if (configured && !isUuid(configured)) throw new ConfigError(`azid_it_system_uuid: "${configured}" is not a uuid`);
    const az = seed.itsystems.find((s) => s.user_key === 'AZ');
    const azItSystem = configured?.toLowerCase() ?? az?.uuid;
    if (!azItSystem) throw new ConfigError(`the seed ${seed.file} has no IT system AZ; set azid_it_system_uuid`);
    const options = {
      primaryClass: seedClassUuid(seed, 'primary_type', 'primary', 'merge-persons'),
      nonPrimaryClass: seedClassUuid(seed, 'primary_type', 'non-primary', 'merge-persons'),
      emailAddressType: seedClassUuid(seed, 'employee_address_type', 'EmailEmployee', 'merge-persons'),
      azItSystem,
    };
    const result = mergePersons(input.person_rows, input.manager_rows, options);
    for (const w of result.warnings) {
      ctx.log.warn(w);
      ctx.report.warn(w);
    }
    const allReferences = [...(input.person_references ?? []), ...(input.manager_references ?? [])];
    const references = referencesToCheck(allReferences, result.persons);
    const perKind: Record<string, number> = {};
    for (const o of result.objects) perKind[o.kind] = (perKind[o.kind] ?? 0) + 1;
    for (const [kind, n] of Object.entries(perKind)) ctx.progress.set(kind === 'address' ? 'addresses' : `${kind}s`, n);
    const remerge = { person_rows: input.person_rows, manager_rows: input.manager_rows, references: allReferences, options };
    return { objects: result.objects, persons: result.persons, references, fallbacks: result.fallbacks, ends: result.ends, remerge };
  },
  summarize(out) {
    const n: Record<string, number> = { employee: 0, engagement: 0, address: 0, ituser: 0, manager: 0, org_unit: 0 };
    for (const o of out.objects) n[o.kind]!++;
    return `${n.employee} employees, ${n.engagement} engagements, ${n.address} e-mail addresses, ${n.ituser} AZ IT users, ${n.manager} managers`;
  },
});
