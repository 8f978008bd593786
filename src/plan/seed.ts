/**
 * The seed's facets, classes and IT systems against MO: ensure semantics (create what is
 * missing, update what differs, never delete). Facets are matched by user_key, since a real MO
 * may have them under other uuids.
 */
import path from 'node:path';
import type { MoClient } from '../mo/client.ts';
import { readCurrent, type TimelessRecord } from '../mo/read.ts';
import { planTimeless, type TimelessDesired } from './timeless.ts';
import { listPhase, type Phase } from './phase.ts';
import type { SeedOutput } from '../../schemas/seed-step.schema.ts';

/** What MO has of the seed's facets (by user_key), classes and IT systems (by uuid). */
export interface SeedInMo {
  facets: Map<string, TimelessRecord>;
  classes: Map<string, TimelessRecord>;
  itsystems: Map<string, TimelessRecord>;
}

export async function readSeed(client: MoClient, seed: SeedOutput): Promise<SeedInMo> {
  const [facets, classes, itsystems] = await Promise.all([
    readCurrent(client, 'facet', { user_keys: seed.facets.map((f) => f.user_key) }),
    readCurrent(client, 'class', { uuids: seed.classes.map((c) => c.uuid) }),
    readCurrent(client, 'itsystem', { uuids: seed.itsystems.map((s) => s.uuid) }),
  ]);
  return { facets, classes, itsystems };
}

/** The phases to write, and the uuid of every seed facet by user_key (in MO, or about to be). */
export function planSeed(seed: SeedOutput, mo: SeedInMo, today: string): { phases: Phase[]; facets: Map<string, string> } {
  const source = { file: path.basename(seed.file) };
  const facetUuid = new Map([...mo.facets.values()].map((f) => [f.fields.user_key!, f.uuid]));
  const missingFacets: TimelessDesired[] = seed.facets.filter((f) => !facetUuid.has(f.user_key)).map((f) => ({ kind: 'facet', uuid: f.uuid, fields: { user_key: f.user_key }, ...source }));
  for (const f of missingFacets) facetUuid.set(f.fields.user_key!, f.uuid);

  const classes: TimelessDesired[] = seed.classes.map((c) => ({
    kind: 'class', uuid: c.uuid, fields: { user_key: c.user_key, name: c.name, scope: c.scope, facet_uuid: facetUuid.get(c.facet) ?? c.facet_uuid }, ...source,
  }));
  const itsystems: TimelessDesired[] = seed.itsystems.map((s) => ({ kind: 'itsystem', uuid: s.uuid, fields: { user_key: s.user_key, name: s.name }, ...source }));
  const phases = [
    listPhase('seed facets', planTimeless(missingFacets, new Map(), [], today)),
    listPhase('seed classes', planTimeless(classes, mo.classes, [], today)),
    listPhase('seed IT systems', planTimeless(itsystems, mo.itsystems, [], today)),
  ];
  return { phases, facets: facetUuid };
}
