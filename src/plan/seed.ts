/**
 * The seed's facets, classes and IT systems against MO: ensure semantics (create what is
 * missing, update what differs, never delete). Facets are matched by user_key, since a real MO
 * may have them under other uuids.
 */
import path from 'node:path';
import type { MoClient } from '../mo/client.ts';
import { readCurrent } from '../mo/read.ts';
import { planTimeless, type TimelessDesired } from './timeless.ts';
import type { Phase } from './classes.ts';
import type { SeedOutput } from '../../schemas/seed-step.schema.ts';

/** The phases to write, and the uuid of every seed facet by user_key (in MO, or about to be). */
export async function planSeed(client: MoClient, seed: SeedOutput, today: string): Promise<{ phases: Phase[]; facets: Map<string, string> }> {
  const source = { file: path.basename(seed.file) };
  const facetsInMo = await readCurrent(client, 'facet', { user_keys: seed.facets.map((f) => f.user_key) });
  const facetUuid = new Map([...facetsInMo.values()].map((f) => [f.fields.user_key!, f.uuid]));
  const missingFacets: TimelessDesired[] = seed.facets.filter((f) => !facetUuid.has(f.user_key)).map((f) => ({ kind: 'facet', uuid: f.uuid, fields: { user_key: f.user_key }, ...source }));
  for (const f of missingFacets) facetUuid.set(f.fields.user_key!, f.uuid);

  const classes: TimelessDesired[] = seed.classes.map((c) => ({
    kind: 'class', uuid: c.uuid, fields: { user_key: c.user_key, name: c.name, scope: c.scope, facet_uuid: facetUuid.get(c.facet) ?? c.facet_uuid }, ...source,
  }));
  const itsystems: TimelessDesired[] = seed.itsystems.map((s) => ({ kind: 'itsystem', uuid: s.uuid, fields: { user_key: s.user_key, name: s.name }, ...source }));
  const phases = [
    { label: 'seed facets', ...planTimeless(missingFacets, new Map(), [], today) },
    { label: 'seed classes', ...planTimeless(classes, await readCurrent(client, 'class', { uuids: classes.map((c) => c.uuid) }), [], today) },
    { label: 'seed IT systems', ...planTimeless(itsystems, await readCurrent(client, 'itsystem', { uuids: itsystems.map((s) => s.uuid) }), [], today) },
  ];
  return { phases, facets: facetUuid };
}
