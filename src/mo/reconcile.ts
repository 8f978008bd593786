/**
 * What to send again after an ambiguous failure: the request was sent, but its answer was lost
 * (connection reset or closed, timeout, HTTP 502/504 from a gateway), so MO may have committed it.
 * MO runs one request as one transaction (all or nothing), and a create carries its uuid, so
 * reading the batch's created objects back by uuid tells what happened:
 * - a group whose creates are all in MO was committed: not sent again;
 * - when any create of the batch is in MO, the whole request was committed (one transaction):
 *   its groups without a create (updates, terminations) were committed too;
 * - otherwise (nothing found, or a batch without creates) the groups are sent again. Updates and
 *   terminations are idempotent in MO: the same window gets the same values again.
 * Re-sending a create MO already has would overwrite the object in full, or be refused as a
 * duplicate (`V_DUPLICATED_IT_USER` on an IT user with the same key), docs/mo-client.md.
 */
import type { MutationGroup } from './types.ts';

/** Create mutation → the query field that reads its objects back. */
export const CREATE_READ_FIELDS: Readonly<Record<string, string>> = {
  facet_create: 'facets',
  class_create: 'classes',
  itsystem_create: 'itsystems',
  org_unit_create: 'org_units',
  employee_create: 'persons',
  engagement_create: 'engagements',
  address_create: 'addresses',
  ituser_create: 'itusers',
  manager_create: 'managers',
};

/** The document that reads objects of one query field back by uuid, over all time. */
export function committedQuery(field: string): string {
  return `query Committed($uuids: [UUID!]) {\n  ${field}(filter: { uuids: $uuids, from_date: null, to_date: null }) { objects { uuid } }\n}`;
}

/** Runs a read (a MoError on GraphQL errors). */
export type Read = <T>(query: string, variables: Record<string, unknown>) => Promise<T>;

const createdUuid = (input: Record<string, unknown>) => (typeof input.uuid === 'string' ? input.uuid.toLowerCase() : undefined);

/** Splits `groups` (one request whose answer was lost) into those MO has committed and those to send again. */
export async function reconcile(groups: MutationGroup[], read: Read): Promise<{ committed: MutationGroup[]; resend: MutationGroup[] }> {
  const byField = new Map<string, Set<string>>();
  for (const g of groups) {
    for (const m of g.mutations) {
      const field = CREATE_READ_FIELDS[m.name];
      const uuid = createdUuid(m.input);
      if (!field || !uuid) continue;
      let set = byField.get(field);
      if (!set) byField.set(field, (set = new Set()));
      set.add(uuid);
    }
  }
  if (byField.size === 0) return { committed: [], resend: groups };
  const found = new Set<string>();
  for (const [field, uuids] of byField) {
    const data = await read<Record<string, { objects: { uuid: string }[] }>>(committedQuery(field), { uuids: [...uuids] });
    for (const o of data[field]?.objects ?? []) found.add(`${field} ${o.uuid.toLowerCase()}`);
  }
  const committedRequest = found.size > 0;
  const committed: MutationGroup[] = [];
  const resend: MutationGroup[] = [];
  for (const g of groups) {
    const creates = g.mutations.flatMap((m) => {
      const field = CREATE_READ_FIELDS[m.name];
      const uuid = createdUuid(m.input);
      return field && uuid ? [`${field} ${uuid}`] : [];
    });
    const done = creates.length > 0 ? creates.every((k) => found.has(k)) : committedRequest;
    (done ? committed : resend).push(g);
  }
  return { committed, resend };
}
