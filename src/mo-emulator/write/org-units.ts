/** org_unit_create / org_unit_update / org_unit_terminate. */
import { GraphQLError } from 'graphql';
import type { RequestContext } from '../context.ts';
import { dayToMs, type Day } from '../dates.ts';
import { MoError } from '../errors.ts';
import { cutWindow, periodAt, writeWindow, type Data, type Period } from '../periods.ts';
import { Ref } from '../read/responses.ts';
import type { Kind } from '../store.ts';
import {
  checkUnitRange,
  givenFields,
  newUuid,
  requireExisting,
  requireRef,
  terminationWindow,
  windowOf,
  type Input,
  type ValidityInput,
  type Window,
} from './common.ts';

const CLASS_FIELDS = ['org_unit_type', 'org_unit_level', 'org_unit_hierarchy', 'time_planning'] as const;

/** A parent given as the root organisation's uuid means top-level (as in MO). */
function parentOf(ctx: RequestContext, value: unknown): string | null {
  if (typeof value !== 'string') return null;
  return value === ctx.store.rootOrg().uuid ? null : value;
}

/**
 * MO's `is_candidate_parent_valid` (`mora/service/validation/validator.py`): walk up from the new
 * parent as the units are at the update's `from` date only — meeting the unit itself is
 * V_ORG_UNIT_MOVE_TO_CHILD, an ancestor not active then is V_DATE_OUTSIDE_ORG_UNIT_RANGE.
 */
function checkCandidateParent(ctx: RequestContext, uuid: string, parent: string, from: Day): void {
  const at = dayToMs(from);
  const seen = new Set([uuid]);
  for (let unit: string | null = parent; unit; ) {
    if (seen.has(unit)) throw new MoError('V_ORG_UNIT_MOVE_TO_CHILD', undefined, { org_unit_uuid: unit });
    seen.add(unit);
    const period = periodAt(ctx.periods('org_unit', unit), at);
    if (!period) throw new MoError('V_DATE_OUTSIDE_ORG_UNIT_RANGE', undefined, { org_unit_uuid: unit });
    unit = (period.data['parent'] as string | null) ?? null;
  }
}

/**
 * `org_unit_update` always writes name and user_key over its whole window: a field not given is
 * copied from the LAST name/user_key period overlapping the window (`mora/service/orgunit.py`
 * `prepare_edit`, `get_lora_dict_current_attr`: `from <= window.to and to > window.from`).
 */
function carriedAttributes(periods: readonly Period[], w: Window): Data {
  const overlapping = periods.filter((p) => p.from <= w.to && p.to > w.from);
  const last = overlapping[overlapping.length - 1];
  return last ? { name: last.data['name'], user_key: last.data['user_key'] } : {};
}

function create(ctx: RequestContext, input: Input): Ref {
  const uuid = newUuid(input);
  const w = windowOf(input['validity'] as ValidityInput, false);
  const parent = parentOf(ctx, input['parent']);
  if (parent) {
    requireRef(ctx, 'org_unit', parent, 'parent');
    checkUnitRange(ctx, parent, w);
  }
  const data: Data = {
    user_key: (input['user_key'] as string | null) ?? uuid,
    name: input['name'],
    parent,
    org_unit_type: input['org_unit_type'] ?? null,
    org_unit_level: input['org_unit_level'] ?? null,
    org_unit_hierarchy: input['org_unit_hierarchy'] ?? null,
    time_planning: input['time_planning'] ?? null,
  };
  ctx.save('org_unit', uuid, w.from < w.to ? [{ from: w.from, to: w.to, data }] : [], data);
  ctx.countMutation('org_unit_create');
  return new Ref('org_unit', uuid);
}

/** Omitted or null fields keep their values, except an explicit `parent: null` (top-level). */
function update(ctx: RequestContext, input: Input): Ref {
  const uuid = input['uuid'] as string;
  const snapshot = requireExisting(ctx, 'org_unit', uuid);
  const w = windowOf(input['validity'] as ValidityInput, false);
  // an explicit `org_unit_type: null` reaches `data[ORG_UNIT_TYPE]["uuid"]` (`mora/service/orgunit.py`
  // `prepare_edit`; `strip_unset` keeps nulls): a Python TypeError, answered as a GraphQL error
  // without error_context (`mora/graphapi/schema.py` `add_exception_extension`)
  if (input['org_unit_type'] === null) throw new GraphQLError("'NoneType' object is not subscriptable");
  const patch = { ...carriedAttributes(ctx.storedPeriods('org_unit', uuid), w), ...givenFields(input, ['name', 'user_key', ...CLASS_FIELDS]) };
  if ('parent' in input && input['parent'] !== undefined) {
    const parent = parentOf(ctx, input['parent']);
    if (parent) {
      requireRef(ctx, 'org_unit', parent, 'parent');
      // only when a parent is given: its range over the window, and the walk up at `from`
      checkUnitRange(ctx, parent, w);
      checkCandidateParent(ctx, uuid, parent, w.from);
    }
    patch['parent'] = parent;
  }
  const next = writeWindow(ctx.storedPeriods('org_unit', uuid), w.from, w.to, patch, snapshot);
  ctx.saveChange('org_unit', uuid, next, { ...snapshot, ...patch });
  ctx.countMutation('org_unit_update');
  return new Ref('org_unit', uuid);
}

/**
 * Every organisation function ("organisationfunktion") tied to a unit, by LoRa's `funktionsnavn`
 * (the names MO lists in the error's `roles`, `mora/mapping.py`). Associations, KLE, related
 * units, owners and rolebindings are written by other systems than los2mo; the emulator stores
 * them (kinds without GraphQL mutations in the subset SDL) so a test can put them in a unit. An
 * owner counts when it owns the unit (`tilknyttedeenheder`, `mora/service/owner.py`), not an
 * owner of a person; a rolebinding when it names the unit (`mora/service/role.py`).
 */
const ROLE_KINDS: [Kind, string][] = [
  ['address', 'Adresse'],
  ['association', 'Tilknytning'],
  ['engagement', 'Engagement'],
  ['ituser', 'IT-system'],
  ['kle', 'KLE'],
  ['manager', 'Leder'],
  ['owner', 'owner'],
  ['related_unit', 'Relateret Enhed'],
  ['rolebinding', 'Rollebinding'],
];

/**
 * MO's `terminate_org_unit_validation` (`mora/graphapi/org_unit.py`): the unit must be active at
 * the date (V_DATE_OUTSIDE_ORG_UNIT_RANGE), and is refused while child units or ANY organisation
 * function of the unit — addresses included, whoever wrote them — are active then.
 */
function terminate(ctx: RequestContext, input: Input): Ref {
  const uuid = input['uuid'] as string;
  const snapshot = requireExisting(ctx, 'org_unit', uuid);
  const w = terminationWindow(input);
  const at = dayToMs(w.from);
  if (!periodAt(ctx.periods('org_unit', uuid), at)) {
    throw new MoError('V_DATE_OUTSIDE_ORG_UNIT_RANGE', undefined, { org_unit_uuid: uuid });
  }
  const activeWith = (kind: Kind, field: string) =>
    ctx.store.uuidsByKey(kind, field, [uuid]).filter((other) => {
      const value = periodAt(ctx.periods(kind, other), at)?.data[field];
      return Array.isArray(value) ? value.includes(uuid) : value === uuid;
    });
  const children = activeWith('org_unit', 'parent');
  const roles = ROLE_KINDS.filter(([kind]) => activeWith(kind, kind === 'related_unit' ? 'org_units' : 'org_unit').length).map(([, name]) => name);
  if (children.length || roles.length) {
    const key = children.length && roles.length
      ? 'V_TERMINATE_UNIT_WITH_CHILDREN_AND_ROLES'
      : children.length
        ? 'V_TERMINATE_UNIT_WITH_CHILDREN'
        : 'V_TERMINATE_UNIT_WITH_ROLES';
    throw new MoError(key, undefined, { child_count: children.length, roles: roles.sort().join(', ') });
  }
  ctx.saveChange('org_unit', uuid, cutWindow(ctx.storedPeriods('org_unit', uuid), w.from, w.to), snapshot);
  ctx.countMutation('org_unit_terminate');
  return new Ref('org_unit', uuid);
}

type Resolver = (src: unknown, args: { input: Input }, ctx: RequestContext) => Ref;

export const ORG_UNIT_MUTATIONS: Record<string, Resolver> = {
  org_unit_create: (_s, { input }, ctx) => create(ctx, input),
  org_unit_update: (_s, { input }, ctx) => update(ctx, input),
  org_unit_terminate: (_s, { input }, ctx) => terminate(ctx, input),
};
