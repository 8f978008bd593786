/** Plans for the STAM classes and IT systems against MO (ownership-aware). */
import type { MoClient, MutationGroup } from '../mo/client.ts';
import { readCurrent, type TimelessRecord } from '../mo/read.ts';
import { planTimeless, type TimelessDesired } from './timeless.ts';
import type { PlannedChange } from './operations.ts';
import type { ClassesOutput } from '../../schemas/classes.schema.ts';
import { readOwnership } from '../state/ownership.ts';
import { loadSeed } from '../seed.ts';

export interface Phase {
  label: string;
  groups: MutationGroup[];
  changes: PlannedChange[];
}

/** @param knownFacets facets that exist or are written before (the seed's), by user_key */
export async function planClasses(client: MoClient, stam: ClassesOutput, stateDir: string, today: string, knownFacets = new Map<string, string>()) {
  const seed = loadSeed();
  const seedUuids = new Set([...seed.classes.map((c) => c.uuid), ...seed.itsystems.map((s) => s.uuid)]);
  const owned = readOwnership(stateDir);
  const phases: Phase[] = [];

  // facets of the delivered classes: by user_key; missing ones are made with the seed's uuid rule
  const facetKeys = [...new Set(stam.classes.map((c) => c.facet).concat(stam.facets))];
  const facets = facetKeys.length ? await readCurrent(client, 'facet', { user_keys: facetKeys }) : new Map<string, TimelessRecord>();
  const facetUuid = new Map([...knownFacets, ...[...facets.values()].map((f) => [f.fields.user_key!, f.uuid] as const)]);
  const newFacets: TimelessDesired[] = facetKeys.filter((k) => !facetUuid.has(k)).map((k) => ({ kind: 'facet', uuid: seed.facetUuid(k), fields: { user_key: k } }));
  for (const f of newFacets) facetUuid.set(f.fields.user_key!, f.uuid);
  phases.push({ label: 'facets', ...planTimeless(newFacets, new Map(), [], today) });

  const desired: TimelessDesired[] = stam.classes.map((c) => ({
    kind: 'class', uuid: c.uuid, fields: { user_key: c.user_key, name: c.name, scope: c.scope, facet_uuid: facetUuid.get(c.facet)! }, file: c.source.file, line: c.source.line,
  }));
  const actual = new Map<string, TimelessRecord>();
  if (desired.length) for (const [k, v] of await readCurrent(client, 'class', { uuids: desired.map((d) => d.uuid) })) actual.set(k, v);
  const managed = stam.facets;
  if (managed.length) for (const [k, v] of await readCurrent(client, 'class', { facet: { user_keys: managed } })) actual.set(k, v);
  const ownedClasses = new Set(owned.classes);
  const managedFacetUuids = new Set(managed.map((f) => facetUuid.get(f)));
  const removable = [...actual.values()].filter((c) => ownedClasses.has(c.uuid) && !seedUuids.has(c.uuid) && managedFacetUuids.has(c.fields.facet_uuid!)).map((c) => c.uuid);
  phases.push({ label: 'classes', ...planTimeless(desired, actual, removable, today) });

  const systems: TimelessDesired[] = stam.itsystems.map((s) => ({ kind: 'itsystem', uuid: s.uuid, fields: { user_key: s.user_key, name: s.name }, file: s.source.file, line: s.source.line }));
  const itActual = new Map<string, TimelessRecord>();
  if (systems.length) for (const [k, v] of await readCurrent(client, 'itsystem', { uuids: systems.map((s) => s.uuid) })) itActual.set(k, v);
  let itRemovable: string[] = [];
  if (stam.itsystems_delivered && owned.itsystems.length) {
    for (const [k, v] of await readCurrent(client, 'itsystem', { uuids: owned.itsystems })) itActual.set(k, v);
    itRemovable = owned.itsystems.filter((u) => !seedUuids.has(u));
  }
  phases.push({ label: 'IT systems', ...planTimeless(systems, itActual, itRemovable, today) });

  return { phases, owned: { classes: desired.map((d) => d.uuid), itsystems: systems.map((s) => s.uuid) } };
}
