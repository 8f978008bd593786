/** Field resolvers of MO's object types, reading one period's stored values. */
import type { RequestContext } from '../context.ts';
import { formatDay } from '../dates.ts';
import type { Kind } from '../store.ts';
import { Ref, type View } from './responses.ts';

type FieldResolver = (v: View, ctx: RequestContext) => unknown;

const str = (v: unknown) => (typeof v === 'string' ? v : null);
const field = (name: string): FieldResolver => (v) => v.period.data[name] ?? null;
const ref =
  (name: string, kind: Kind): FieldResolver =>
  (v) => {
    const value = v.period.data[name];
    const uuid = Array.isArray(value) ? value[0] : value;
    return typeof uuid === 'string' ? new Ref(kind, uuid) : null;
  };
const first: (name: string) => FieldResolver = (name) => (v) => {
  const value = v.period.data[name];
  return Array.isArray(value) ? (value[0] ?? null) : (value ?? null);
};
const validity: FieldResolver = (v) => ({ from: formatDay(v.period.from), to: formatDay(v.period.to) });

const common: Record<string, FieldResolver> = {
  uuid: (v) => v.uuid,
  validity,
};

const joinNames = (a: unknown, b: unknown) => [str(a), str(b)].filter((s) => s).join(' ');

const PRIMARY_SCOPE_MINIMUM = 3000;

/** Per GraphQL object type: the fields that are not plain copies of a stored value. */
export const VIEW_RESOLVERS: Record<string, Record<string, FieldResolver>> = {
  Facet: { ...common },
  Class: {
    ...common,
    facet_response: ref('facet', 'facet'),
    facet_uuid: field('facet'),
    parent_response: ref('parent', 'class'),
    parent_uuid: field('parent'),
    it_system_response: ref('it_system', 'itsystem'),
  },
  ITSystem: { ...common, system_type: field('system_type') },
  OrganisationUnit: {
    ...common,
    parent_response: ref('parent', 'org_unit'),
    parent_uuid: field('parent'),
    unit_type_response: ref('org_unit_type', 'class'),
    unit_type_uuid: field('org_unit_type'),
    unit_level_response: ref('org_unit_level', 'class'),
    org_unit_level_uuid: field('org_unit_level'),
    unit_hierarchy_response: ref('org_unit_hierarchy', 'class'),
    org_unit_hierarchy: field('org_unit_hierarchy'),
    time_planning_response: ref('time_planning', 'class'),
    time_planning_uuid: field('time_planning'),
  },
  Employee: {
    ...common,
    name: (v) => joinNames(v.period.data['given_name'], v.period.data['surname']),
    nickname: (v) => joinNames(v.period.data['nickname_given_name'], v.period.data['nickname_surname']),
  },
  Engagement: {
    ...common,
    is_primary: (v, ctx) => {
      const primary = str(v.period.data['primary']);
      if (!primary) return false;
      const periods = ctx.periods('class', primary);
      const scope = str(periods.find((p) => p.from <= v.period.from && p.to > v.period.from)?.data['scope'])
        ?? str(periods[periods.length - 1]?.data['scope']);
      return scope !== null && /^-?\d+$/.test(scope.trim()) && Number(scope) >= PRIMARY_SCOPE_MINIMUM;
    },
    person_response: ref('person', 'employee'),
    org_unit_response: ref('org_unit', 'org_unit'),
    engagement_type_response: ref('engagement_type', 'class'),
    job_function_response: ref('job_function', 'class'),
    primary_response: ref('primary', 'class'),
    employee_uuid: field('person'),
    org_unit_uuid: field('org_unit'),
    engagement_type_uuid: field('engagement_type'),
    job_function_uuid: field('job_function'),
    primary_uuid: field('primary'),
  },
  Address: {
    ...common,
    value2: () => null,
    name: field('value'),
    address_type_response: ref('address_type', 'class'),
    visibility_response: ref('visibility', 'class'),
    person_response: ref('person', 'employee'),
    org_unit_response: ref('org_unit', 'org_unit'),
    engagement_response: ref('engagement', 'engagement'),
    ituser_response: ref('ituser', 'ituser'),
    address_type_uuid: field('address_type'),
    visibility_uuid: field('visibility'),
    employee_uuid: field('person'),
    org_unit_uuid: field('org_unit'),
    engagement_uuid: field('engagement'),
    ituser_uuid: field('ituser'),
  },
  ITUser: {
    ...common,
    itsystem_response: ref('itsystem', 'itsystem'),
    person_response: ref('person', 'employee'),
    org_unit_response: ref('org_unit', 'org_unit'),
    engagement_response: ref('engagements', 'engagement'),
    primary_response: ref('primary', 'class'),
    itsystem_uuid: field('itsystem'),
    employee_uuid: field('person'),
    org_unit_uuid: field('org_unit'),
    engagement_uuid: first('engagements'),
    engagement_uuids: (v) => v.period.data['engagements'] ?? [],
    primary_uuid: field('primary'),
  },
  Manager: {
    ...common,
    person_response: ref('person', 'employee'),
    org_unit_response: ref('org_unit', 'org_unit'),
    engagement_response: ref('engagement', 'engagement'),
    manager_type_response: ref('manager_type', 'class'),
    manager_level_response: ref('manager_level', 'class'),
    employee_uuid: field('person'),
    org_unit_uuid: field('org_unit'),
    manager_type_uuid: field('manager_type'),
    manager_level_uuid: field('manager_level'),
    responsibility_uuids: (v) => v.period.data['responsibility'] ?? [],
  },
  // written by other systems, stored as MO has them; a user_key left out is the uuid, as MO's handlers default it
  Association: {
    ...common,
    user_key: (v) => v.period.data['user_key'] ?? v.uuid,
    person_response: ref('person', 'employee'),
    org_unit_response: ref('org_unit', 'org_unit'),
    association_type_response: ref('association_type', 'class'),
    employee_uuid: field('person'),
    org_unit_uuid: field('org_unit'),
    association_type_uuid: field('association_type'),
    it_user_uuid: field('it_user'),
  },
  KLE: {
    ...common,
    user_key: (v) => v.period.data['user_key'] ?? v.uuid,
    org_unit_response: ref('org_unit', 'org_unit'),
    org_unit_uuid: field('org_unit'),
  },
  RelatedUnit: {
    ...common,
    user_key: (v) => v.period.data['user_key'] ?? v.uuid,
    org_unit_uuids: (v) => v.period.data['org_units'] ?? [],
  },
  // an owner of a unit or of a person (`employee_uuid`: the owned person); `owner` owns
  Owner: {
    ...common,
    user_key: (v) => v.period.data['user_key'] ?? v.uuid,
    org_unit_response: ref('org_unit', 'org_unit'),
    person_response: ref('person', 'employee'),
    owner_response: ref('owner', 'employee'),
    org_unit_uuid: field('org_unit'),
    employee_uuid: field('person'),
    owner_uuid: field('owner'),
  },
  RoleBinding: {
    ...common,
    user_key: (v) => v.period.data['user_key'] ?? v.uuid,
    org_unit_response: ref('org_unit', 'org_unit'),
    ituser_response: ref('ituser', 'ituser'),
    role_response: ref('role', 'class'),
  },
};

/** Resolve a field of an object type: a listed resolver, else the stored value of that name. */
export function resolveViewField(typeName: string, fieldName: string): FieldResolver {
  return VIEW_RESOLVERS[typeName]?.[fieldName] ?? field(fieldName);
}
