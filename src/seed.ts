/** The seed file, read and turned into fixed-uuid facets, classes and IT systems. */
import path from 'node:path';
import { loadYaml } from './engine/yaml-file.ts';
import { seedSchema, type Seed } from '../schemas/seed.schema.ts';
import { gen } from './uuid.ts';
import { PROJECT_ROOT } from './engine/workflow.ts';
import { ConfigError } from './errors.ts';
import type { SeedOutput } from '../schemas/seed-step.schema.ts';

export const DEFAULT_SEED_FILE = path.join(PROJECT_ROOT, 'seed', 'aarhus-los.yaml');

export interface SeedClass { uuid: string; facet: string; facet_uuid: string; user_key: string; name: string; scope: string | null }
export interface SeedFacet { uuid: string; user_key: string }
export interface SeedITSystem { uuid: string; user_key: string; name: string }

export interface SeedData {
  file: string;
  base: string;
  organisation: Seed['organisation'];
  facets: SeedFacet[];
  classes: SeedClass[];
  itsystems: SeedITSystem[];
  /** class uuid by `facet/user_key`, e.g. `org_unit_address_type/LOSID` */
  classUuid(facet: string, userKey: string): string;
  /** uuid of a facet (seeded or made on the fly: gen(base, user_key)) */
  facetUuid(userKey: string): string;
}

const cache = new Map<string, SeedData>();

/** The seed as steps pass it on (the seed step's output). */
type SeedLike = Pick<SeedOutput, 'file' | 'classes' | 'itsystems'>;

/** A seed class's uuid by facet and user_key; a configuration error when the seed lacks it. */
export function seedClassUuid(seed: SeedLike, facet: string, userKey: string, wanted = 'the workflow'): string {
  const found = seed.classes.find((c) => c.facet === facet && c.user_key === userKey);
  if (!found) throw new ConfigError(`${wanted} names class ${userKey} in facet ${facet}, which the seed ${seed.file} does not have`);
  return found.uuid;
}

export function loadSeed(file = DEFAULT_SEED_FILE): SeedData {
  const hit = cache.get(file);
  if (hit) return hit;
  const seed = loadYaml<Seed>(file, seedSchema, 'seed file').data;
  const base = seed.uuid_base;
  const facetUuid = (userKey: string) => gen(base, userKey);
  const facets = Object.keys(seed.facets).map((user_key) => ({ uuid: facetUuid(user_key), user_key }));
  const classes = Object.entries(seed.facets).flatMap(([facet, list]) =>
    list.map((c) => ({ uuid: c.uuid ?? gen(base, c.key), facet, facet_uuid: facetUuid(facet), user_key: c.user_key, name: c.name, scope: c.scope ?? null })),
  );
  const byKey = new Map(classes.map((c) => [`${c.facet}/${c.user_key}`, c.uuid]));
  const data: SeedData = {
    file,
    base,
    organisation: seed.organisation,
    facets,
    classes,
    itsystems: seed.itsystems.map((s) => ({ uuid: s.uuid ?? gen(base, s.key), user_key: s.user_key, name: s.name })),
    classUuid(facet, userKey) {
      const uuid = byKey.get(`${facet}/${userKey}`);
      if (!uuid) throw new Error(`the seed has no class ${userKey} in facet ${facet}`);
      return uuid;
    },
    facetUuid,
  };
  cache.set(file, data);
  return data;
}
