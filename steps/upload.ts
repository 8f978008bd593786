/**
 * upload: check every reference, read what MO has of every delivered object, plan the fewest
 * operations that make MO equal the delivery (whole timelines), and write them in dependency
 * order: the seed (organisation, facets, classes, IT systems), facets, classes, IT systems, org units (parents first), addresses, employees,
 * engagements, IT users, managers, then terminations (children before parents). Nothing is
 * written before every check has passed. A dry run prints the plan and writes nothing.
 */
import { defineStep } from '../src/engine/step.ts';
import { uploadSchemas } from '../schemas/upload.schema.ts';
import { connectMo } from '../src/mo/connect.ts';
import { planClasses } from '../src/plan/classes.ts';
import { planSeed } from '../src/plan/seed.ts';
import { ensureOrganisation } from '../src/mo/organisation.ts';
import { planObjects, type Fallback } from '../src/plan/objects.ts';
import { applyGroups, type Applied } from '../src/plan/apply.ts';
import { adoptItUsers, checkReferences, personsByCpr, remergeWithoutRows, repointPersons, withoutRows } from '../src/plan/references.ts';
import { addOwnership } from '../src/state/ownership.ts';
import { copenhagenDay } from '../src/time.ts';
import { InputError, Los2moError, formatProblem } from '../src/errors.ts';
import { loadSeed } from '../src/seed.ts';
import type { PlannedChange } from '../src/plan/operations.ts';
import type { DesiredObject } from '../schemas/desired.schema.ts';

/** How many planned changes the run report keeps (`report.plan`); `report.plan_total` counts them all. */
export const PLAN_KEPT = 1000;

export default defineStep({
  name: 'upload',
  description: 'Plan and write changes to MO',
  schemas: uploadSchemas,
})({
  async run({ input, ctx }) {
    const { client } = await connectMo(ctx);
    const today = copenhagenDay(ctx.run.startedAt);
    const applied: Applied = { failed: [], written: new Set() };
    const changes: PlannedChange[] = [];
    let skippedRows = 0;

    // 1. persons already in MO keep their uuids; every reference must exist
    ctx.progress.message('checking references');
    const persons = input.persons;
    let objects: DesiredObject[] = [...(input.units?.objects ?? []), ...(persons?.objects ?? [])];
    let fallbacks: Fallback[] = persons?.fallbacks ?? [];
    let ends = persons?.ends ?? [];
    let cprToUuid = new Map<string, string>();
    let repoint = new Map<string, string>();
    if (persons) {
      if (persons.persons.length) cprToUuid = await personsByCpr(client, persons.persons.map((p) => p.cpr));
      repoint = new Map(persons.persons.filter((p) => cprToUuid.has(p.cpr) && cprToUuid.get(p.cpr) !== p.uuid).map((p) => [p.uuid, cprToUuid.get(p.cpr)!]));
      objects = repointPersons(objects, repoint);
      fallbacks = repointPersons(fallbacks.map((f) => ({ ...f, kind: f.kind as DesiredObject['kind'] })), repoint);
    }
    // the unit rows' classes (OrgEnhedsTypeUUID) and the Pers/Leder rows' units, classes and persons
    const references = [...(input.units?.references ?? []), ...(persons?.references ?? [])];
    if (references.length) {
      const seed = loadSeed();
      const known = {
        units: new Set((input.units?.objects ?? []).filter((o) => o.kind === 'org_unit').map((o) => o.uuid)),
        classes: new Map([...seed.classes.map((c) => [c.uuid, c.facet] as const), ...(input.classes?.classes ?? []).map((c) => [c.uuid, c.facet] as const)]),
        persons: new Set((persons?.persons ?? []).filter((p) => p.employee).map((p) => p.cpr)),
      };
      const problems = await checkReferences(client, references, known, { cprToUuid });
      if (problems.length) {
        if (!ctx.run.flags.skipInvalidRows) throw new InputError(problems);
        const rejected = new Set(problems.map((p) => `${p.file}:${p.line}`));
        objects = withoutRows(persons?.remerge ? input.units?.objects ?? [] : objects, rejected);
        if (persons?.remerge) {
          // Pers/Leder rows: merged again without the rejected rows (the other rows of a person still count)
          const again = await remergeWithoutRows(client, persons.remerge, rejected, known, { cprToUuid });
          problems.push(...again.problems);
          objects = [...objects, ...repointPersons(again.result.objects, repoint)];
          fallbacks = repointPersons(again.result.fallbacks.map((f) => ({ ...f, kind: f.kind as DesiredObject['kind'] })), repoint);
          ends = again.result.ends;
        }
        skippedRows = rejected.size;
        for (const p of problems) ctx.report.warn(`skipped row: ${formatProblem(p)}`);
        ctx.report.errors.push(...problems);
      }
    }

    // 2. read MO and plan everything before writing anything
    ctx.progress.message('reading MO');
    objects = await adoptItUsers(client, objects); // an IT user the person already has is not created again
    const seedPlan = input.seed ? await planSeed(client, input.seed, today) : null;
    const classPlan = input.classes ? await planClasses(client, input.classes, ctx.run.stateDir, today, seedPlan?.facets) : null;
    const objectPlan = objects.length
      ? await planObjects(client, objects, input.units?.external_parents ?? [], { fallbacks, ends, warn: (m) => ctx.report.warn(m) })
      : null;
    ctx.progress.set('objects read', objects.length);

    // 3. write in dependency order: the seed, then the delivery
    if (input.seed) await ensureOrganisation(client, input.seed.municipality_code, ctx.run.dryRun);
    for (const phase of [...(seedPlan?.phases ?? []), ...(classPlan?.phases ?? []), ...(objectPlan?.phases ?? [])]) {
      changes.push(...phase.changes);
      await applyGroups(ctx, client, phase.groups, phase.changes, applied, phase.label);
    }
    if (classPlan && !ctx.run.dryRun) {
      const failed = new Set(applied.failed.map((f) => f.uuid));
      addOwnership(ctx.run.stateDir, { classes: classPlan.owned.classes.filter((u) => !failed.has(u)), itsystems: classPlan.owned.itsystems.filter((u) => !failed.has(u)) });
    }
    // the report keeps the first PLAN_KEPT changes and the count: the whole plan of an initial import
    // (134,000 changes at the bench scale) would stay in memory to the end and be written as ~100 MB of JSON
    const kept = ctx.report.plan ?? [];
    ctx.report.plan = kept.length >= PLAN_KEPT ? kept : [...kept, ...changes.slice(0, PLAN_KEPT - kept.length)];
    ctx.report.plan_total = (ctx.report.plan_total ?? kept.length) + changes.length;
    ctx.progress.set('changes', changes.length);
    if (applied.failed.length) {
      throw new Los2moError(`MO refused ${applied.failed.length} object(s), the rest was written; the state is not advanced so the next run tries them again:\n${applied.failed.slice(0, 20).map((f) => `  ${f.kind} ${f.uuid}${f.file ? ` (${f.file}:${f.line})` : ''}: ${f.error}`).join('\n')}`);
    }
    return { changes: changes.length, written: applied.written.size, failed: [], skipped_rows: skippedRows };
  },
  summarize: (out) =>
    `${out.changes ? `${out.changes} changes${out.written ? `, ${out.written} objects written` : ''}` : 'MO is up to date: nothing to change'}${out.skipped_rows ? `; ${out.skipped_rows} invalid rows skipped` : ''}`,
});
