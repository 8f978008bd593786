/**
 * What los2mo reads and writes of each MO object kind: the query, the fields compared (named as
 * in the mutation inputs), and how desired fields become mutation inputs.
 */
import type { Fields } from './validity.ts';

export type Kind = 'org_unit' | 'address' | 'employee' | 'engagement' | 'ituser' | 'manager';

export interface KindSpec {
  kind: Kind;
  /** plural query field */
  query: string;
  /** GraphQL selection of one validity */
  selection: string;
  /** MO object → compared fields */
  normalise(v: Record<string, unknown>): Fields;
  /** fields whose null is a real value */
  nullable: Set<string>;
  /** fields every update carries (see PlanOptions.carried) */
  carried?: readonly string[];
  /** fields a create sets and MO's update ignores: never compared with MO nor sent in an update (see PlanOptions.fixed) */
  fixed?: readonly string[];
  /** fields MO's update skips when given empty: a desired "" keeps MO's value (see PlanOptions.keptWhenEmpty) */
  keptWhenEmpty?: readonly string[];
  create: string;
  update: string;
  terminate?: string;
  /** desired fields → mutation input (without uuid/validity) */
  input(fields: Fields, op: 'create' | 'update'): Record<string, unknown>;
  /** order of writing; terminations go the other way */
  rank: number;
}

const s = (v: unknown) => (v === undefined || v === null ? null : String(v));
const list = (v: string | null) => (v ? v.split(',').filter(Boolean) : []);
/** The fields `keys` that have a value, in that order (a mutation input leaves absent fields out). */
const pick = (f: Fields, keys: readonly string[]): Record<string, unknown> => {
  const out: Record<string, unknown> = {};
  for (const k of keys) {
    const v = f[k];
    if (v !== null && v !== undefined) out[k] = v;
  }
  return out;
};

export const KINDS: Record<Kind, KindSpec> = {
  org_unit: {
    kind: 'org_unit',
    query: 'org_units',
    selection: 'user_key name parent_uuid unit_type_uuid org_unit_hierarchy',
    normalise: (v) => ({ user_key: s(v.user_key), name: s(v.name), parent: s(v.parent_uuid), org_unit_type: s(v.unit_type_uuid), org_unit_hierarchy: s(v.org_unit_hierarchy) }),
    nullable: new Set(['parent']),
    // MO's org_unit_update rewrites name and user_key over its whole window (mora/service/orgunit.py)
    carried: ['name', 'user_key'],
    create: 'org_unit_create',
    update: 'org_unit_update',
    terminate: 'org_unit_terminate',
    input: (f, op) => {
      // a unit created without a name is named by its user_key
      const named = op === 'create' && (f.name === null || f.name === undefined) ? { ...f, name: f.user_key ?? null } : f;
      const out = pick(named, ['user_key', 'name', 'org_unit_type', 'org_unit_hierarchy']);
      if ('parent' in f) {
        if (f.parent !== null) out.parent = f.parent;
        else if (op === 'update') out.parent = null; // explicit null: top-level
      }
      return out;
    },
    rank: 1,
  },
  address: {
    kind: 'address',
    query: 'addresses',
    selection: 'user_key value address_type_uuid org_unit_uuid employee_uuid',
    normalise: (v) => ({ value: s(v.value), address_type: s(v.address_type_uuid), org_unit: s(v.org_unit_uuid), person: s(v.employee_uuid) }),
    nullable: new Set(),
    create: 'address_create',
    update: 'address_update',
    terminate: 'address_terminate',
    input: (f) => pick(f, ['value', 'address_type', 'org_unit', 'person', 'user_key']),
    rank: 3, // after employees: an address belongs to a unit or a person
  },
  employee: {
    kind: 'employee',
    query: 'persons',
    selection: 'cpr_number given_name surname',
    normalise: (v) => ({ cpr_number: s(v.cpr_number), given_name: s(v.given_name), surname: s(v.surname) }),
    nullable: new Set(),
    // MO's employee_update skips an empty given_name or surname (mora/service/employee.py prepare_edit: `if surname:`)
    keptWhenEmpty: ['given_name', 'surname'],
    create: 'employee_create',
    update: 'employee_update',
    input: (f) => pick(f, ['cpr_number', 'given_name', 'surname']),
    rank: 2,
  },
  engagement: {
    kind: 'engagement',
    query: 'engagements',
    selection: 'user_key employee_uuid org_unit_uuid engagement_type_uuid job_function_uuid primary_uuid',
    normalise: (v) => ({ user_key: s(v.user_key), person: s(v.employee_uuid), org_unit: s(v.org_unit_uuid), engagement_type: s(v.engagement_type_uuid), job_function: s(v.job_function_uuid), primary: s(v.primary_uuid) }),
    nullable: new Set(),
    // MO's engagement_update ignores person (mora/service/engagement.py prepare_edit): an engagement stays on the person it was created on
    fixed: ['person'],
    create: 'engagement_create',
    update: 'engagement_update',
    terminate: 'engagement_terminate',
    input: (f, op) => pick(f, op === 'create' ? ['user_key', 'person', 'org_unit', 'engagement_type', 'job_function', 'primary'] : ['user_key', 'org_unit', 'engagement_type', 'job_function', 'primary']),
    rank: 4,
  },
  ituser: {
    kind: 'ituser',
    query: 'itusers',
    selection: 'user_key itsystem_uuid employee_uuid',
    normalise: (v) => ({ user_key: s(v.user_key), itsystem: s(v.itsystem_uuid), person: s(v.employee_uuid) }),
    nullable: new Set(),
    create: 'ituser_create',
    update: 'ituser_update',
    terminate: 'ituser_terminate',
    input: (f) => pick(f, ['user_key', 'itsystem', 'person']),
    rank: 5,
  },
  manager: {
    kind: 'manager',
    query: 'managers',
    selection: 'user_key employee_uuid org_unit_uuid manager_type_uuid manager_level_uuid responsibility_uuids',
    normalise: (v) => ({
      person: s(v.employee_uuid), org_unit: s(v.org_unit_uuid), manager_type: s(v.manager_type_uuid), manager_level: s(v.manager_level_uuid),
      responsibility: Array.isArray(v.responsibility_uuids) ? [...(v.responsibility_uuids as string[])].sort().join(',') : null,
    }),
    nullable: new Set(),
    create: 'manager_create',
    update: 'manager_update',
    terminate: 'manager_terminate',
    input: (f) => {
      const out = pick(f, ['person', 'org_unit', 'manager_type', 'manager_level']);
      if (f.responsibility !== undefined && f.responsibility !== null) out.responsibility = list(f.responsibility);
      return out;
    },
    rank: 6,
  },
};

/** MO's `2024-01-01T00:00:00+01:00` → the calendar day `2024-01-01`. */
export const moDay = (v: unknown) => (typeof v === 'string' ? v.slice(0, 10) : null);
