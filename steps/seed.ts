/**
 * seed: make sure MO has the organisation, the facets, the fixed classes and the IT system the
 * import relies on. Ensure semantics: create what is missing, update what differs, never delete.
 */
import path from 'node:path';
import { defineStep } from '../src/engine/step.ts';
import { seedStepSchemas } from '../schemas/seed-step.schema.ts';
import { loadSeed, DEFAULT_SEED_FILE } from '../src/seed.ts';
import { connectMo } from '../src/mo/connect.ts';
import { ensureOrganisation } from '../src/mo/organisation.ts';
import { readCurrent } from '../src/mo/read.ts';
import { planTimeless, type TimelessDesired } from '../src/plan/timeless.ts';
import { applyGroups, type Applied } from '../src/plan/apply.ts';
import { copenhagenDay } from '../src/time.ts';
import { Los2moError } from '../src/errors.ts';

export default defineStep({
  name: 'seed',
  description: 'Seed MO (organisation, facets, classes, IT systems)',
  schemas: seedStepSchemas,
})({
  async run({ with: opts, ctx }) {
    const seed = loadSeed(opts.file ? path.resolve(ctx.run.workflowDir, opts.file) : DEFAULT_SEED_FILE);
    const { client } = await connectMo(ctx);
    const organisation = await ensureOrganisation(client, seed.organisation.municipality_code, ctx.run.dryRun);
    const today = copenhagenDay(ctx.run.startedAt);
    const applied: Applied = { failed: [], written: new Set() };
    const source = { file: path.basename(seed.file) };

    // facets: by user_key (a real MO may have them under other uuids)
    const facetsInMo = await readCurrent(client, 'facet', { user_keys: seed.facets.map((f) => f.user_key) });
    const facetUuid = new Map([...facetsInMo.values()].map((f) => [f.fields.user_key!, f.uuid]));
    const missingFacets: TimelessDesired[] = seed.facets.filter((f) => !facetUuid.has(f.user_key)).map((f) => ({ kind: 'facet', uuid: f.uuid, fields: { user_key: f.user_key }, ...source }));
    const facetPlan = planTimeless(missingFacets, new Map(), [], today);
    await applyGroups(ctx, client, facetPlan.groups, facetPlan.changes, applied, 'facets');
    for (const f of missingFacets) facetUuid.set(f.fields.user_key!, f.uuid);

    const classes: TimelessDesired[] = seed.classes.map((c) => ({
      kind: 'class', uuid: c.uuid, fields: { user_key: c.user_key, name: c.name, scope: c.scope, facet_uuid: facetUuid.get(c.facet) ?? c.facet_uuid }, ...source,
    }));
    const classPlan = planTimeless(classes, await readCurrent(client, 'class', { uuids: classes.map((c) => c.uuid) }), [], today);
    await applyGroups(ctx, client, classPlan.groups, classPlan.changes, applied, 'classes');

    const itsystems: TimelessDesired[] = seed.itsystems.map((s) => ({ kind: 'itsystem', uuid: s.uuid, fields: { user_key: s.user_key, name: s.name }, ...source }));
    const itPlan = planTimeless(itsystems, await readCurrent(client, 'itsystem', { uuids: itsystems.map((s) => s.uuid) }), [], today);
    await applyGroups(ctx, client, itPlan.groups, itPlan.changes, applied, 'IT systems');

    const changes = [...facetPlan.changes, ...classPlan.changes, ...itPlan.changes];
    ctx.report.plan = [...(ctx.report.plan ?? []), ...changes];
    ctx.progress.set('changes', changes.length);
    if (applied.failed.length) throw new Los2moError(`MO refused ${applied.failed.length} seed object(s): ${applied.failed.map((f) => `${f.kind} ${f.uuid}: ${f.error}`).join('; ')}`);
    return { organisation, changes: changes.length, failed: 0 };
  },
  summarize: (out) => (out.changes ? `${out.changes} seed objects to create or update` : 'MO already seeded'),
});
