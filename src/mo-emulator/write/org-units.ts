/** org_unit_create / org_unit_update / org_unit_terminate. */
import type { RequestContext } from '../context.ts';
import { dayToMs, maxDay, minDay } from '../dates.ts';
import { MoError } from '../errors.ts';
import { cutWindow, overlapsDays, periodAt, writeWindow, type Data } from '../periods.ts';
import { ancestorsOf } from '../read/filters.ts';
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

/** A unit cannot be placed below itself or one of its descendants. */
function checkNoCycle(ctx: RequestContext, uuid: string, parent: string, w: Window): void {
  const interval = { from: dayToMs(w.from), to: w.to === 'infinity' ? Infinity : dayToMs(w.to) - 1 };
  if (ancestorsOf(ctx, new Set([parent]), interval).has(uuid)) {
    throw new MoError('V_ORG_UNIT_MOVE_TO_CHILD', undefined, { org_unit_uuid: uuid, parent_uuid: parent });
  }
}

function create(ctx: RequestContext, input: Input): Ref {
  const uuid = newUuid(input);
  const w = windowOf(input['validity'] as ValidityInput, false);
  const parent = parentOf(ctx, input['parent']);
  for (const f of CLASS_FIELDS) requireRef(ctx, 'class', input[f], f);
  if (parent) {
    requireRef(ctx, 'org_unit', parent, 'parent');
    checkNoCycle(ctx, uuid, parent, w);
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
  const patch = givenFields(input, ['name', 'user_key', ...CLASS_FIELDS]);
  for (const f of CLASS_FIELDS) requireRef(ctx, 'class', patch[f], f);
  if ('parent' in input && input['parent'] !== undefined) {
    const parent = parentOf(ctx, input['parent']);
    if (parent) {
      requireRef(ctx, 'org_unit', parent, 'parent');
      checkNoCycle(ctx, uuid, parent, w);
    }
    patch['parent'] = parent;
  }
  const next = writeWindow(ctx.storedPeriods('org_unit', uuid), w.from, w.to, patch, snapshot);
  for (const p of next) {
    if (overlapsDays(p, w.from, w.to) && p.data['parent']) {
      checkUnitRange(ctx, p.data['parent'], { from: maxDay(p.from, w.from), to: minDay(p.to, w.to) });
    }
  }
  ctx.save('org_unit', uuid, next, { ...snapshot, ...patch });
  ctx.countMutation('org_unit_update');
  return new Ref('org_unit', uuid);
}

const ROLE_KINDS: Kind[] = ['engagement', 'ituser', 'manager'];

/** Refused while child units or roles (engagements, IT users, managers; not addresses) are active at the date. */
function terminate(ctx: RequestContext, input: Input): Ref {
  const uuid = input['uuid'] as string;
  const snapshot = requireExisting(ctx, 'org_unit', uuid);
  const w = terminationWindow(input);
  const at = dayToMs(w.from);
  const activeWith = (kind: Kind, field: string) =>
    ctx.store.uuidsByKey(kind, field, [uuid]).filter((other) => periodAt(ctx.periods(kind, other), at)?.data[field] === uuid);
  const children = activeWith('org_unit', 'parent');
  const roles = ROLE_KINDS.flatMap((kind) => activeWith(kind, 'org_unit'));
  if (children.length || roles.length) {
    const key = children.length && roles.length
      ? 'V_TERMINATE_UNIT_WITH_CHILDREN_AND_ROLES'
      : children.length
        ? 'V_TERMINATE_UNIT_WITH_CHILDREN'
        : 'V_TERMINATE_UNIT_WITH_ROLES';
    throw new MoError(key, undefined, { child_count: children.length, role_count: roles.length });
  }
  ctx.save('org_unit', uuid, cutWindow(ctx.storedPeriods('org_unit', uuid), w.from, w.to), snapshot);
  ctx.countMutation('org_unit_terminate');
  return new Ref('org_unit', uuid);
}

type Resolver = (src: unknown, args: { input: Input }, ctx: RequestContext) => Ref;

export const ORG_UNIT_MUTATIONS: Record<string, Resolver> = {
  org_unit_create: (_s, { input }, ctx) => create(ctx, input),
  org_unit_update: (_s, { input }, ctx) => update(ctx, input),
  org_unit_terminate: (_s, { input }, ctx) => terminate(ctx, input),
};
