/**
 * Facets, classes and IT systems: objects without history in los2mo's view. Desired fields vs
 * MO's current fields: create what is missing, update (the full object, all time) what differs,
 * terminate what los2mo owns and the delivery no longer lists.
 */
import type { MutationGroup } from '../mo/client.ts';
import { TIMELESS_MUTATIONS } from '../mo/documents.ts';
import type { TimelessRecord } from '../mo/read.ts';
import type { PlannedChange } from './operations.ts';

export interface TimelessDesired {
  kind: 'facet' | 'class' | 'itsystem';
  uuid: string;
  fields: Record<string, string | null>;
  file?: string;
  line?: number;
}

const names = TIMELESS_MUTATIONS;

const ALL_TIME = { from: null, to: null };

export interface TimelessPlan {
  groups: MutationGroup[];
  changes: PlannedChange[];
}

/**
 * @param actual MO's current objects (at least those with the desired uuids and the removable ones)
 * @param removable uuids to end when not desired (owned by los2mo, still valid in MO)
 * @param today the first day they are no longer valid
 */
export function planTimeless(desired: TimelessDesired[], actual: Map<string, TimelessRecord>, removable: Iterable<string>, today: string): TimelessPlan {
  const groups: MutationGroup[] = [];
  const changes: PlannedChange[] = [];
  const wanted = new Set(desired.map((d) => d.uuid));
  for (const d of desired) {
    const have = actual.get(d.uuid);
    const changed = Object.keys(d.fields).filter((k) => (have?.fields[k] ?? null) !== d.fields[k]);
    if (have && changed.length === 0) continue;
    const op = have ? 'update' : 'create';
    const input: Record<string, unknown> = { uuid: d.uuid, ...Object.fromEntries(Object.entries(d.fields).filter(([, v]) => v !== null)), validity: ALL_TIME };
    const ref = { kind: d.kind, uuid: d.uuid, user_key: d.fields.user_key ?? undefined, file: d.file, line: d.line };
    groups.push({ ref, mutations: [{ name: names[d.kind][op], input }] });
    changes.push({ kind: d.kind, uuid: d.uuid, user_key: d.fields.user_key ?? undefined, operation: op, changed: have ? changed : Object.keys(d.fields), file: d.file, line: d.line });
  }
  for (const uuid of removable) {
    if (wanted.has(uuid)) continue;
    const have = actual.get(uuid);
    if (!have) continue;
    const kind = 'name' in have.fields && 'facet_uuid' in have.fields ? 'class' : 'itsystem';
    const terminate = names[kind].terminate;
    groups.push({ ref: { kind, uuid, user_key: have.fields.user_key ?? undefined }, mutations: [{ name: terminate, input: { uuid, to: today } }] });
    changes.push({ kind, uuid, user_key: have.fields.user_key ?? undefined, operation: 'terminate', validity: { from: null, to: today } });
  }
  return { groups, changes };
}
