/**
 * upload: check every reference, read what MO has of every delivered object, plan the fewest
 * operations that make MO equal the delivery (whole timelines), and write them in dependency
 * order: the seed (organisation, facets, classes, IT systems), facets, classes, IT systems, org units (parents first), addresses, employees,
 * engagements, IT users, managers, then terminations (children before parents). Nothing is
 * written before every check has passed and every object is planned. A dry run prints the plan
 * and writes nothing.
 *
 * The step report's `phases_ms` splits its time: references (checking them, with MO's answers),
 * read (MO's current objects), plan (pure: desired objects and MO's timelines → phases) and write.
 */
import { defineStep, type StepArgs, type StepContext } from '../src/engine/step.ts';
import { uploadSchemas } from '../schemas/upload.schema.ts';
import { connectMo } from '../src/run-mo.ts';
import type { MoClient } from '../src/mo/client.ts';
import { classesInUse, planClasses, readClasses, type ClassesInMo } from '../src/plan/classes.ts';
import { planSeed, readSeed } from '../src/plan/seed.ts';
import { ensureOrganisation } from '../src/mo/organisation.ts';
import { checkExternalParents, groupByKind, planObjects, readObjects, type End, type Fallback, type Timelines } from '../src/plan/objects.ts';
import { engagementsElsewhere, keptOnPersons } from '../src/plan/kept-engagements.ts';
import { applyPhase, type Applied } from '../src/plan/apply.ts';
import { firstChanges, type Phase } from '../src/plan/phase.ts';
import { adoptItUsers, checkReferences, dropUnitsCascading, personsByCpr, remergeWithoutRows, repointPersons, withoutRows } from '../src/plan/references.ts';
import { addOwnership } from '../src/state/ownership.ts';
import { copenhagenDay } from '../src/time.ts';
import { InputError, Los2moError, formatProblem } from '../src/errors.ts';
import { guardMassChanges } from '../src/plan/mass-change.ts';
import { loadSeed } from '../src/seed.ts';
import { planClosingUnits, readUnitContents, unitCuts } from '../src/plan/closing-units.ts';
import { itUserEnds, planEndingItUsers, readItUserRolebindings } from '../src/plan/ending-itusers.ts';
import { readTimelines } from '../src/mo/read.ts';
import { outsideUnitRanges, placements } from '../src/plan/ranges.ts';
import type { Kind } from '../src/mo/kinds.ts';
import type { DesiredObject } from '../schemas/desired.schema.ts';

/** How many planned changes the run report keeps (`report.plan`); `report.plan_total` counts them all. */
export const PLAN_KEPT = 1000;

type Input = StepArgs<typeof uploadSchemas>['input'];

export default defineStep({
  name: 'upload',
  description: 'Plan and write changes to MO',
  schemas: uploadSchemas,
})({
  async run({ input, ctx }) {
    const { client } = await connectMo(ctx);
    // everything is checked, read and planned before anything is written
    const plan = await prepare(ctx, client, input);
    // the mass-change guard: stops (exit 3) before the first write when the plan ends too much of a kind
    guardMassChanges(plan.phases, { limit: ctx.settings.int('mass_change_limit'), allowed: ctx.run.flags.allowMassChanges === true, dryRun: ctx.run.dryRun, warn: (m) => ctx.report.warn(m) });
    return write(ctx, client, plan);
  },
  summarize: (out) =>
    `${out.changes ? `${out.changes} changes${out.written ? `, ${out.written} objects written` : ''}` : 'MO is up to date: nothing to change'}${out.skipped_rows ? `; ${out.skipped_rows} invalid rows skipped` : ''}`,
});

/** What the writing needs: the phases in writing order, and what to do around them. */
interface Plan {
  phases: Phase[];
  /** the seed's organisation, ensured before the first phase */
  municipalityCode?: number;
  /** the STAM classes and IT systems los2mo owns once written */
  owned?: { classes: string[]; itsystems: string[] };
  skippedRows: number;
  /** org unit ends left out: what MO still has in them blocks them (one message each) */
  blockedEnds: string[];
  /** IT user ends left out: active rolebindings in MO block them (one message each) */
  blockedItUserEnds: string[];
}

/** The delivery once its references are checked: the desired objects, units' before persons'. */
interface Checked {
  seed: Input['seed'];
  classes: Input['classes'];
  objects: DesiredObject[][];
  fallbacks: Fallback[];
  ends: End[];
  skippedRows: number;
  /** MO's timelines read while checking (the engagements): not read again */
  read: Timelines;
}

/** The seeded class "Ikke angivet" of org_unit_type (the run's seed, else the default one), if the seed has it. */
function unitTypeNotGiven(seed: Input['seed']): string | undefined {
  return (seed ?? loadSeed()).classes.find((c) => c.facet === 'org_unit_type' && c.user_key === 'ikke_angivet')?.uuid;
}

/** References, reading MO and planning; returns only the plan (MO's timelines and the rest are collectable from here on). */
async function prepare(ctx: StepContext, client: MoClient, input: Input): Promise<Plan> {
  ctx.progress.message('checking references');
  const checked = await ctx.time('references', () => checkDelivery(ctx, client, input));

  ctx.progress.message('reading MO');
  const byKind = ctx.time('plan', () => groupByKind(checked.objects));
  const [seedInMo, classesInMo, timelines] = await ctx.time('read', () =>
    Promise.all([
      checked.seed ? readSeed(client, checked.seed) : null,
      checked.classes ? readClasses(client, checked.classes, ctx.run.stateDir) : null,
      readObjects(client, byKind, checked.read),
    ]),
  );
  ctx.progress.set('objects read', checked.objects.reduce((n, list) => n + list.length, 0));

  // unit placements MO would refuse (V_DATE_OUTSIDE_ORG_UNIT_RANGE): input errors naming both rows, before anything is written
  {
    const fallbackOf = new Map(checked.fallbacks.map((f) => [f.uuid, f]));
    const withFallback = (o: DesiredObject) => (fallbackOf.has(o.uuid) ? { ...o, periods: fallbackOf.get(o.uuid)!.periods } : o);
    const writes = placements(
      { org_unit: (byKind.get('org_unit') ?? []).map(withFallback), engagement: (byKind.get('engagement') ?? []).map(withFallback) },
      { org_unit: timelines.get('org_unit'), engagement: timelines.get('engagement') },
    );
    const units = new Map((byKind.get('org_unit') ?? []).map((o) => [o.uuid, o]));
    const moUnits = new Map(timelines.get('org_unit') ?? []);
    const owners = new Set(writes.map((w) => w.owner).filter((owner) => !units.has(owner) && !moUnits.has(owner)));
    if (owners.size) for (const [uuid, periods] of await ctx.time('read', () => readTimelines(client, 'org_unit', [...owners]))) moUnits.set(uuid, periods);
    const problems = outsideUnitRanges(writes, units, moUnits);
    if (problems.length) throw new InputError(problems);
  }

  // units the plan ends: what MO still has in them (src/plan/closing-units.ts)
  const cuts = unitCuts(byKind.get('org_unit') ?? [], timelines.get('org_unit') ?? new Map());
  let blocked = new Map<string, string>();
  if (cuts.size) {
    const contents = await ctx.time('read', () => readUnitContents(client, [...cuts.keys()]));
    const desired = new Map(checked.objects.flat().map((o) => [o.uuid, o]));
    const units = new Map((byKind.get('org_unit') ?? []).map((o) => [o.uuid, o]));
    const closing = planClosingUnits(cuts, contents, desired, units);
    blocked = closing.blocked;
    if (closing.addressEnds.length) {
      const more = await ctx.time('read', () => readTimelines(client, 'address', closing.addressEnds.map((a) => a.uuid)));
      const known = timelines.get('address') ?? new Map();
      for (const [uuid, periods] of more) known.set(uuid, periods);
      timelines.set('address', known);
      byKind.set('address', [...(byKind.get('address') ?? []), ...closing.addressEnds]);
    }
    for (const message of blocked.values()) ctx.report.warn(message);
  }

  // IT users the plan ends: their rolebindings in MO (src/plan/ending-itusers.ts)
  const itEnds = itUserEnds(byKind.get('ituser') ?? [], timelines.get('ituser') ?? new Map());
  let itusers: ReturnType<typeof planEndingItUsers> = { held: new Map(), blocked: [] };
  if (itEnds.size) {
    const rolebindings = await ctx.time('read', () => readItUserRolebindings(client, [...itEnds.keys()]));
    itusers = planEndingItUsers(itEnds, rolebindings, new Map(checked.objects.flat().map((o) => [o.uuid, o])));
    for (const message of itusers.blocked) ctx.report.warn(message);
  }

  const plan = ctx.time('plan', (): Plan => {
    const today = copenhagenDay(ctx.run.startedAt);
    const seedPlan = checked.seed ? planSeed(checked.seed, seedInMo!, today) : null;
    const classPlan = checked.classes ? planClasses(checked.classes, classesInMo!, today, checked.seed ?? null, seedPlan?.facets) : null;
    const objectPlan = byKind.size ? planObjects(byKind, timelines, { fallbacks: checked.fallbacks, ends: checked.ends, warn: (m) => ctx.report.warn(m), keepOpen: new Map([...blocked.keys()].map((u) => [u, cuts.get(u)!])), holdItUserEnds: itusers.held, unitTypeNotGiven: unitTypeNotGiven(checked.seed) }) : null;
    return {
      phases: [...(seedPlan?.phases ?? []), ...(classPlan?.phases ?? []), ...(objectPlan?.phases ?? [])],
      municipalityCode: checked.seed?.municipality_code,
      owned: classPlan?.owned,
      skippedRows: checked.skippedRows,
      blockedEnds: [...blocked.values()],
      blockedItUserEnds: itusers.blocked,
    };
  });
  if (classesInMo && checked.classes) await refuseEndingClassesInUse(ctx, client, plan, classesInMo, checked.classes);
  return plan;
}

/**
 * A STAM file that no longer lists a class ends it; a class that MO objects still use is not
 * ended: the run stops (exit 3, nothing written) naming the class and how many objects use it.
 */
async function refuseEndingClassesInUse(ctx: StepContext, client: MoClient, plan: Plan, mo: ClassesInMo, stam: NonNullable<Checked['classes']>) {
  const facetKey = new Map([...mo.facets.values()].map((f) => [f.uuid, f.fields.user_key!] as const));
  const ending: { uuid: string; name: string; facet: string }[] = [];
  for (const phase of plan.phases) {
    for (let i = 0; i < phase.length; i++) {
      for (const c of phase.changesOf(i)) {
        if (c.kind !== 'class' || c.operation !== 'terminate') continue;
        const have = mo.classes.get(c.uuid);
        ending.push({ uuid: c.uuid, name: have?.fields.name ?? c.user_key ?? c.uuid, facet: facetKey.get(have?.fields.facet_uuid ?? '') ?? '' });
      }
    }
  }
  if (!ending.length) return;
  const used = await ctx.time('read', () => classesInUse(client, ending));
  if (!used.length) return;
  throw new InputError(used.map((c) => ({
    file: stam.classes.find((x) => x.facet === c.facet)?.source.file ?? `STAM (${c.facet})`,
    line: 1, column: 1, field: c.facet,
    message: `class "${c.name}" (${c.uuid}) is no longer in the file, but ${c.count} ${c.what} in MO still use it: it is not ended (move them to another class first, or deliver the class again)`,
  })));
}

/** Persons already in MO keep their uuids; every reference must exist; parents not delivered must be in MO. */
async function checkDelivery(ctx: StepContext, client: MoClient, delivery: Input): Promise<Checked> {
  const { seed, classes, units, persons } = delivery;
  let unitObjects: DesiredObject[] = units?.objects ?? [];
  let personObjects: DesiredObject[] = persons?.objects ?? [];
  let fallbacks: Fallback[] = persons?.fallbacks ?? [];
  let ends: End[] = persons?.ends ?? [];
  let skippedRows = 0;
  let cprToUuid = new Map<string, string>();
  let repoint = new Map<string, string>();
  if (persons) {
    if (persons.persons.length) cprToUuid = await personsByCpr(client, persons.persons.map((p) => p.cpr));
    repoint = new Map(persons.persons.filter((p) => cprToUuid.has(p.cpr) && cprToUuid.get(p.cpr) !== p.uuid).map((p) => [p.uuid, cprToUuid.get(p.cpr)!]));
    // (the units' objects, org units and their addresses, never name a person)
    personObjects = repointPersons(personObjects, repoint);
    fallbacks = repointPersons(fallbacks.map((f) => ({ ...f, kind: f.kind as DesiredObject['kind'] })), repoint);
  }
  // the unit rows' classes (OrgEnhedsTypeUUID) and the Pers/Leder rows' units, classes and persons
  const references = [...(units?.references ?? []), ...(persons?.references ?? [])];
  const known = {
    units: new Set(unitObjects.filter((o) => o.kind === 'org_unit').map((o) => o.uuid)),
    classes: new Map([...(seed?.classes ?? []).map((c) => [c.uuid, c.facet] as const), ...(classes?.classes ?? []).map((c) => [c.uuid, c.facet] as const)]),
    persons: new Set((persons?.persons ?? []).filter((p) => p.employee).map((p) => p.cpr)),
  };
  const rejected = new Set<string>();
  if (references.length) {
    const problems = await checkReferences(client, references, known, { cprToUuid });
    if (problems.length) {
      if (!ctx.run.flags.skipInvalidRows) throw new InputError(problems);
      for (const p of problems) rejected.add(`${p.file}:${p.line}`);
      // a dropped unit takes along the rows that depend on it (child units, engagements, managers), transitively
      const cascade = await dropUnitsCascading(client, unitObjects, references, rejected);
      unitObjects = cascade.units;
      for (const p of cascade.problems) problems.push(p);
      known.units = new Set(unitObjects.filter((o) => o.kind === 'org_unit').map((o) => o.uuid));
      if (persons?.remerge) {
        // Pers/Leder rows: merged again without the rejected rows (the other rows of a person still count)
        const again = await remergeWithoutRows(client, persons.remerge, rejected, known, { cprToUuid });
        for (const p of again.problems) problems.push(p);
        personObjects = repointPersons(again.result.objects, repoint);
        fallbacks = repointPersons(again.result.fallbacks.map((f) => ({ ...f, kind: f.kind as DesiredObject['kind'] })), repoint);
        ends = again.result.ends;
      } else personObjects = withoutRows(personObjects, rejected);
      skippedRows = rejected.size;
      for (const p of problems) ctx.report.warn(`skipped row: ${formatProblem(p)}`);
      ctx.report.addErrors(problems);
    }
  }
  // engagements MO has on another person stay there (MO cannot move them): merged again, kept on MO's person
  const engagements = personObjects.filter((o) => o.kind === 'engagement');
  const read: Timelines = new Map();
  if (engagements.length) read.set('engagement', await readTimelines(client, 'engagement', engagements.map((o) => o.uuid)));
  const elsewhere = persons?.remerge ? engagementsElsewhere(engagements, read.get('engagement') ?? new Map()) : new Map<string, string>();
  if (persons?.remerge && elsewhere.size) {
    const keptOn = await keptOnPersons(client, elsewhere);
    const again = await remergeWithoutRows(client, persons.remerge, rejected, known, { cprToUuid }, keptOn);
    if (again.problems.length) {
      if (!ctx.run.flags.skipInvalidRows) throw new InputError(again.problems);
      for (const p of again.problems) ctx.report.warn(`skipped row: ${formatProblem(p)}`);
      ctx.report.addErrors(again.problems);
      skippedRows = rejected.size;
    }
    personObjects = repointPersons(again.result.objects, repoint);
    fallbacks = repointPersons(again.result.fallbacks.map((f) => ({ ...f, kind: f.kind as DesiredObject['kind'] })), repoint);
    ends = again.result.ends;
    for (const w of again.result.kept) {
      ctx.log.warn(w);
      ctx.report.warn(w);
    }
  }
  await checkExternalParents(client, units?.external_parents ?? []);
  // an IT user the person already has is not created again
  personObjects = await adoptItUsers(client, personObjects);
  return { seed, classes, objects: [unitObjects, personObjects], fallbacks, ends, skippedRows, read };
}

/** Write the phases in order (each released once written), then account for the run. */
async function write(ctx: StepContext, client: MoClient, plan: Plan) {
  const { phases } = plan;
  const applied: Applied = { failed: [], written: new Set() };
  let total = 0;
  for (const phase of phases) total += phase.changes;
  // the report keeps the first PLAN_KEPT changes and the count: the whole plan of an initial import
  // (134,000 changes at the bench scale) would stay in memory to the end and be written as ~100 MB of JSON
  const kept = ctx.report.plan ?? [];
  const first = kept.length >= PLAN_KEPT ? [] : firstChanges(phases, PLAN_KEPT - kept.length);

  await ctx.time('write', async () => {
    // the seed, then the delivery
    if (plan.municipalityCode !== undefined) await ensureOrganisation(client, plan.municipalityCode, ctx.run.dryRun);
    for (let phase = phases.shift(); phase; phase = phases.shift()) await applyPhase(ctx, client, phase, applied);
    if (plan.owned && !ctx.run.dryRun) {
      const failed = new Set(applied.failed.map((f) => f.uuid));
      addOwnership(ctx.run.stateDir, { classes: plan.owned.classes.filter((u) => !failed.has(u)), itsystems: plan.owned.itsystems.filter((u) => !failed.has(u)) });
    }
  });

  ctx.report.plan = kept.length >= PLAN_KEPT ? kept : [...kept, ...first];
  ctx.report.plan_total = (ctx.report.plan_total ?? kept.length) + total;
  ctx.progress.set('changes', total);
  if (plan.blockedEnds.length || plan.blockedItUserEnds.length) {
    const what = [plan.blockedEnds.length && `${plan.blockedEnds.length} org unit end(s)`, plan.blockedItUserEnds.length && `${plan.blockedItUserEnds.length} IT user end(s)`].filter(Boolean).join(' and ');
    throw new Los2moError(`${what} left out, the rest was written; the state is not advanced so the next run tries again:\n${[...plan.blockedEnds, ...plan.blockedItUserEnds].slice(0, 20).map((m) => `  ${m}`).join('\n')}`);
  }
  if (applied.failed.length) {
    throw new Los2moError(`MO refused ${applied.failed.length} object(s), the rest was written; the state is not advanced so the next run tries them again:\n${applied.failed.slice(0, 20).map((f) => `  ${f.kind} ${f.uuid}${f.file ? ` (${f.file}:${f.line})` : ''}: ${f.error}`).join('\n')}`);
  }
  return { changes: total, written: applied.written.size, skipped_rows: plan.skippedRows };
}
