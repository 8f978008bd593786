/** Plans for the STAM classes and IT systems against MO (ownership-aware). */
import type { MoClient } from '../mo/client.ts';
import { readCurrent, type TimelessRecord } from '../mo/read.ts';
import { planTimeless, type TimelessDesired } from './timeless.ts';
import { listPhase, type Phase } from './phase.ts';
import type { ClassesOutput } from '../../schemas/classes.schema.ts';
import { readOwnership } from '../state/ownership.ts';
import { gen } from '../uuid.ts';
import type { SeedOutput } from '../../schemas/seed-step.schema.ts';

/** What MO has of the delivered facets (by user_key), classes and IT systems, and what los2mo owns of them. */
export interface ClassesInMo {
  owned: { classes: string[]; itsystems: string[] };
  facets: Map<string, TimelessRecord>;
  /** the delivered classes' uuids, then the classes of the facets the delivery manages */
  classes: Map<string, TimelessRecord>;
  /** the delivered IT systems' uuids, then the owned ones (when the delivery lists IT systems) */
  itsystems: Map<string, TimelessRecord>;
}

const facetKeysOf = (stam: ClassesOutput) => [...new Set(stam.classes.map((c) => c.facet).concat(stam.facets))];

export async function readClasses(client: MoClient, stam: ClassesOutput, stateDir: string): Promise<ClassesInMo> {
  const owned = readOwnership(stateDir);
  const facetKeys = facetKeysOf(stam);
  const none = Promise.resolve(new Map<string, TimelessRecord>());
  const [facets, byUuid, managed, systems, ownedSystems] = await Promise.all([
    facetKeys.length ? readCurrent(client, 'facet', { user_keys: facetKeys }) : none,
    stam.classes.length ? readCurrent(client, 'class', { uuids: stam.classes.map((c) => c.uuid) }) : none,
    stam.facets.length ? readCurrent(client, 'class', { facet: { user_keys: stam.facets } }) : none,
    stam.itsystems.length ? readCurrent(client, 'itsystem', { uuids: stam.itsystems.map((s) => s.uuid) }) : none,
    stam.itsystems_delivered && owned.itsystems.length ? readCurrent(client, 'itsystem', { uuids: owned.itsystems }) : none,
  ]);
  return { owned, facets, classes: new Map([...byUuid, ...managed]), itsystems: new Map([...systems, ...ownedSystems]) };
}

/** The base of a facet made on the fly (gen(base, user_key)) when the run has no seed. */
const DEFAULT_UUID_BASE = 'aarhus-los';

/**
 * @param seed the run's seed (the seed step's output): its classes and IT systems are never ended, and
 *   a missing facet gets gen(seed.uuid_base, user_key)
 * @param knownFacets facets that exist or are written before (the seed's), by user_key
 */
export function planClasses(stam: ClassesOutput, mo: ClassesInMo, today: string, seed: Pick<SeedOutput, 'uuid_base' | 'classes' | 'itsystems'> | null, knownFacets = new Map<string, string>()) {
  const seedUuids = new Set([...(seed?.classes ?? []).map((c) => c.uuid), ...(seed?.itsystems ?? []).map((s) => s.uuid)]);
  const base = seed?.uuid_base ?? DEFAULT_UUID_BASE;
  const { owned } = mo;
  const phases: Phase[] = [];

  // facets of the delivered classes: by user_key; missing ones are made with the seed's uuid rule
  const facetKeys = facetKeysOf(stam);
  const facetUuid = new Map([...knownFacets, ...[...mo.facets.values()].map((f) => [f.fields.user_key!, f.uuid] as const)]);
  const newFacets: TimelessDesired[] = facetKeys.filter((k) => !facetUuid.has(k)).map((k) => ({ kind: 'facet', uuid: gen(base, k), fields: { user_key: k } }));
  for (const f of newFacets) facetUuid.set(f.fields.user_key!, f.uuid);
  phases.push(listPhase('facets', planTimeless(newFacets, new Map(), [], today)));

  const desired: TimelessDesired[] = stam.classes.map((c) => ({
    kind: 'class', uuid: c.uuid, fields: { user_key: c.user_key, name: c.name, scope: c.scope, facet_uuid: facetUuid.get(c.facet)! }, file: c.source.file, line: c.source.line,
  }));
  const ownedClasses = new Set(owned.classes);
  const managedFacetUuids = new Set(stam.facets.map((f) => facetUuid.get(f)));
  const removable = [...mo.classes.values()].filter((c) => ownedClasses.has(c.uuid) && !seedUuids.has(c.uuid) && managedFacetUuids.has(c.fields.facet_uuid!)).map((c) => c.uuid);
  phases.push(listPhase('classes', planTimeless(desired, mo.classes, removable, today)));

  const systems: TimelessDesired[] = stam.itsystems.map((s) => ({ kind: 'itsystem', uuid: s.uuid, fields: { user_key: s.user_key, name: s.name }, file: s.source.file, line: s.source.line }));
  const itRemovable = stam.itsystems_delivered && owned.itsystems.length ? owned.itsystems.filter((u) => !seedUuids.has(u)) : [];
  phases.push(listPhase('IT systems', planTimeless(systems, mo.itsystems, itRemovable, today)));

  return { phases, owned: { classes: desired.map((d) => d.uuid), itsystems: systems.map((s) => s.uuid) } };
}

/** Where MO objects refer to a class of a facet the STAM files manage: the list query and its field. */
const USAGE: Record<string, { query: 'org_units' | 'engagements' | 'managers'; field: string; what: string }> = {
  org_unit_type: { query: 'org_units', field: 'unit_type_uuid', what: 'org units' },
  engagement_type: { query: 'engagements', field: 'engagement_type_uuid', what: 'engagements' },
  engagement_job_function: { query: 'engagements', field: 'job_function_uuid', what: 'engagements' },
  responsibility: { query: 'managers', field: 'responsibility_uuids', what: 'manager roles' },
  manager_level: { query: 'managers', field: 'manager_level_uuid', what: 'manager roles' },
  manager_type: { query: 'managers', field: 'manager_type_uuid', what: 'manager roles' },
};

export interface ClassInUse { uuid: string; name: string; facet: string; count: number; what: string }

/**
 * The classes among `ending` (planned terminations) that current MO objects still use, with how
 * many use them. Reads each list MO has (org units, engagements, managers) once, only the class
 * fields, and counts (MO's filters do not cover every class field, e.g. manager_level). Classes
 * of facets no MO object kind here refers to (engagement_job_function_bvn, association_type) are
 * not checked.
 */
export async function classesInUse(client: MoClient, ending: readonly { uuid: string; name: string; facet: string }[]): Promise<ClassInUse[]> {
  const checked = ending.filter((c) => USAGE[c.facet]);
  if (!checked.length) return [];
  const byQuery = new Map<string, Set<string>>();
  for (const c of checked) {
    const u = USAGE[c.facet]!;
    if (!byQuery.has(u.query)) byQuery.set(u.query, new Set());
    byQuery.get(u.query)!.add(u.field);
  }
  const counts = new Map<string, number>(); // `${query}.${field}/${uuid}`
  await Promise.all([...byQuery].map(async ([query, fields]) => {
    const text = `query ClassUsage($cursor: Cursor, $limit: int) {\n  ${query}(cursor: $cursor, limit: $limit) { objects { current { ${[...fields].join(' ')} } } page_info { next_cursor } }\n}`;
    const objects = await client.queryAll<{ current: Record<string, unknown> | null }>(text, {}, [query], 1000);
    for (const o of objects) {
      if (!o.current) continue;
      for (const field of fields) {
        const v = o.current[field];
        for (const uuid of Array.isArray(v) ? v : v ? [v] : []) {
          const key = `${query}.${field}/${String(uuid)}`;
          counts.set(key, (counts.get(key) ?? 0) + 1);
        }
      }
    }
  }));
  return checked.flatMap((c) => {
    const u = USAGE[c.facet]!;
    const count = counts.get(`${u.query}.${u.field}/${c.uuid}`) ?? 0;
    return count ? [{ ...c, count, what: u.what }] : [];
  });
}
