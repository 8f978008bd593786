/**
 * upload: read what MO has of every delivered object, plan the fewest operations that make MO
 * equal the delivery (whole timelines), and write them in dependency order: facets, classes,
 * IT systems, org units (parents first), addresses, employees, engagements, IT users, managers,
 * then terminations (children before parents). A dry run prints the plan and writes nothing.
 */
import { defineStep } from '../src/engine/step.ts';
import { uploadSchemas } from '../schemas/upload.schema.ts';
import { connectMo } from '../src/mo/connect.ts';
import { planClasses } from '../src/plan/classes.ts';
import { planObjects } from '../src/plan/objects.ts';
import { applyGroups, type Applied } from '../src/plan/apply.ts';
import { addOwnership } from '../src/state/ownership.ts';
import { copenhagenDay } from '../src/time.ts';
import { Los2moError } from '../src/errors.ts';
import type { PlannedChange } from '../src/plan/operations.ts';

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

    if (input.classes) {
      ctx.progress.message('reading classes');
      const plan = await planClasses(client, input.classes, ctx.run.stateDir, today);
      for (const phase of plan.phases) {
        changes.push(...phase.changes);
        await applyGroups(ctx, client, phase.groups, phase.changes, applied, phase.label);
      }
      if (!ctx.run.dryRun) {
        const failed = new Set(applied.failed.map((f) => f.uuid));
        addOwnership(ctx.run.stateDir, { classes: plan.owned.classes.filter((u) => !failed.has(u)), itsystems: plan.owned.itsystems.filter((u) => !failed.has(u)) });
      }
    }
    if (input.objects?.length) {
      ctx.progress.message('reading MO');
      const plan = await planObjects(client, input.objects, input.external_parents ?? [], (m) => ctx.report.warn(m));
      ctx.progress.set('objects read', input.objects.length);
      for (const phase of plan.phases) {
        changes.push(...phase.changes);
        await applyGroups(ctx, client, phase.groups, phase.changes, applied, phase.label);
      }
    }
    ctx.report.plan = [...(ctx.report.plan ?? []), ...changes];
    ctx.progress.set('changes', changes.length);
    if (applied.failed.length) {
      ctx.report.warn(`${applied.failed.length} object(s) refused by MO; the rest was written`);
      throw new Los2moError(`MO refused ${applied.failed.length} object(s), the rest was written; the state is not advanced so the next run tries them again:\n${applied.failed.slice(0, 20).map((f) => `  ${f.kind} ${f.uuid}${f.file ? ` (${f.file}:${f.line})` : ''}: ${f.error}`).join('\n')}`);
    }
    return { changes: changes.length, written: applied.written.size, failed: [] };
  },
  summarize: (out) => (out.changes ? `${out.changes} changes${out.written ? `, ${out.written} objects written` : ''}` : 'MO is up to date: nothing to change'),
});
