/**
 * Every GraphQL document los2mo sends to MO, in one place: the fixed set the preflight
 * (preflight.ts) validates against the live MO's SDL and derives the needed realm roles from.
 * Reads are built per object kind (mo/kinds.ts), writes are one batch document per mutation name
 * (a batch of many mutations repeats the same fields, batch.ts).
 */
import { buildBatch } from './batch.ts';
import { KINDS, type Kind } from './kinds.ts';
import { CREATE_READ_FIELDS, committedQuery } from './reconcile.ts';

/** The timeless kinds' mutations (src/plan/timeless.ts); a facet is never terminated. */
export const TIMELESS_MUTATIONS = {
  facet: { create: 'facet_create', update: 'facet_update', terminate: null },
  class: { create: 'class_create', update: 'class_update', terminate: 'class_terminate' },
  itsystem: { create: 'itsystem_create', update: 'itsystem_update', terminate: 'itsystem_terminate' },
} as const;

/** An object kind's full timelines by uuid (mo/read.ts `readTimelines`). */
export function timelineQuery(kind: Kind): string {
  const spec = KINDS[kind];
  return `query Read($uuids: [UUID!], $cursor: Cursor, $limit: int) {
  ${spec.query}(filter: { uuids: $uuids, from_date: null, to_date: null }, cursor: $cursor, limit: $limit) {
    objects { uuid validities(start: null, end: null) { validity { from to } ${spec.selection} } }
    page_info { next_cursor }
  }
}`;
}

/** Currently valid facets, classes or IT systems (mo/read.ts `readCurrent`). */
export const TIMELESS_READS = {
  facet: { query: 'facets', filterType: 'FacetFilter', selection: 'uuid user_key' },
  class: { query: 'classes', filterType: 'ClassFilter', selection: 'uuid user_key name scope facet_uuid' },
  itsystem: { query: 'itsystems', filterType: 'ITSystemFilter', selection: 'uuid user_key name' },
} as const;

export function currentQuery(kind: keyof typeof TIMELESS_READS): string {
  const q = TIMELESS_READS[kind];
  return `query ReadCurrent($filter: ${q.filterType}, $cursor: Cursor, $limit: int) {
  ${q.query}(filter: $filter, cursor: $cursor, limit: $limit) { objects { uuid current { ${q.selection} } } page_info { next_cursor } }
}`;
}

/** The root organisation (mo/organisation.ts). */
export const ORG_QUERY = 'query Org { org { uuid } }';
export const ORG_CREATE = 'mutation OrgCreate($input: OrganisationCreate!) { org_create(input: $input) { uuid } }';

/** Persons by CPR number, over all time (plan/references.ts). */
export const PERSONS_BY_CPR = `query PersonsByCpr($cprs: [CPR!], $cursor: Cursor, $limit: int) {
  persons(filter: { cpr_numbers: $cprs, from_date: null, to_date: null }, cursor: $cursor, limit: $limit) { objects { uuid validities(start: null, end: null) { cpr_number } } page_info { next_cursor } }
}`;

/** The facet of each class (plan/references.ts). */
export const CLASS_FACETS = `query ClassFacets($uuids: [UUID!], $cursor: Cursor, $limit: int) {
  classes(filter: { uuids: $uuids }, cursor: $cursor, limit: $limit) { objects { uuid current { facet_response { current { user_key } } } } page_info { next_cursor } }
}`;

/** The IT users of persons, over all time (plan/references.ts). */
export const PERSON_IT_USERS = `query PersonItUsers($persons: [UUID!], $cursor: Cursor, $limit: int) {
  itusers(filter: { employee: { uuids: $persons, from_date: null, to_date: null }, from_date: null, to_date: null }, cursor: $cursor, limit: $limit) { objects { uuid validities(start: null, end: null) { user_key itsystem_uuid employee_uuid } } page_info { next_cursor } }
}`;

/**
 * The rolebindings of IT users, over all time (plan/ending-itusers.ts): MO refuses to end an IT
 * user while one is active (V_TERMINATE_ITUSER_WITH_ROLEBINDINGS, mora/graphapi/it_user.py). v29's
 * RoleBinding names its IT user only as `ituser_response`.
 */
export const ITUSER_ROLEBINDINGS = `query ItUserRolebindings($u: [UUID!], $cursor: Cursor, $limit: int) {
  rolebindings(filter: { ituser: { uuids: $u, from_date: null, to_date: null }, from_date: null, to_date: null }, cursor: $cursor, limit: $limit) {
    objects { uuid validities(start: null, end: null) { validity { from to } user_key ituser_response { uuid } } }
    page_info { next_cursor }
  }
}`;

/** `./run tree` (ops/tree.ts). */
export const TREE_UNITS = `query TreeUnits($filter: OrganisationUnitFilter, $at: DateTime, $cursor: Cursor, $limit: int) {
  org_units(filter: $filter, cursor: $cursor, limit: $limit) {
    objects { uuid current(at: $at) { user_key name parent_uuid unit_type_uuid } }
    page_info { next_cursor }
  }
}`;

export const TREE_ENGAGEMENTS = `query TreeEngagements($filter: EngagementFilter, $at: DateTime, $cursor: Cursor, $limit: int) {
  engagements(filter: $filter, cursor: $cursor, limit: $limit) {
    objects { uuid current(at: $at) { org_unit_uuid } }
    page_info { next_cursor }
  }
}`;

export const TREE_CLASSES = `query TreeClasses($filter: ClassFilter, $at: DateTime, $cursor: Cursor, $limit: int) {
  classes(filter: $filter, cursor: $cursor, limit: $limit) {
    objects { uuid current(at: $at) { name } validities(start: null, end: null) { name } }
    page_info { next_cursor }
  }
}`;

/**
 * What can be in a unit: los2mo's kinds, and the org functions other systems write into MO
 * (associations, KLE, related units, owners, rolebindings) that block a unit's end just the same.
 */
export type UnitContentKind = Kind | 'association' | 'kle' | 'related_unit' | 'owner' | 'rolebinding';

/**
 * What MO has in units (plan/closing-units.ts): every org function MO counts when it refuses a
 * unit's end (`V_TERMINATE_UNIT_WITH_ROLES`, mora/graphapi/org_unit.py) by its unit, and child
 * units by their parent (`…_WITH_CHILDREN`). `field` names the unit; a related unit names its
 * two units in a list (`org_unit_uuids`); a rolebinding has no `org_unit_uuid` in v29, only
 * `org_unit_response { uuid }`. The `org_unit` filter of owners finds only owners of a unit
 * (an owner of a person is in no unit, and MO does not count it).
 */
export const UNIT_CONTENTS: readonly { kind: UnitContentKind; query: string; field: string }[] = [
  { kind: 'address', query: 'addresses', field: 'org_unit_uuid' },
  { kind: 'engagement', query: 'engagements', field: 'org_unit_uuid' },
  { kind: 'ituser', query: 'itusers', field: 'org_unit_uuid' },
  { kind: 'manager', query: 'managers', field: 'org_unit_uuid' },
  { kind: 'association', query: 'associations', field: 'org_unit_uuid' },
  { kind: 'kle', query: 'kles', field: 'org_unit_uuid' },
  { kind: 'related_unit', query: 'related_units', field: 'org_unit_uuids' },
  { kind: 'owner', query: 'owners', field: 'org_unit_uuid' },
  { kind: 'rolebinding', query: 'rolebindings', field: 'org_unit_response' },
  { kind: 'org_unit', query: 'org_units', field: 'parent_uuid' },
];

export function unitContentsQuery(c: (typeof UNIT_CONTENTS)[number]): string {
  const filter = c.kind === 'org_unit' ? 'parent' : 'org_unit';
  return `query UnitContents($u: [UUID!], $cursor: Cursor, $limit: int) {
  ${c.query}(filter: { ${filter}: { uuids: $u, from_date: null, to_date: null }, from_date: null, to_date: null }, cursor: $cursor, limit: $limit) {
    objects { uuid validities(start: null, end: null) { validity { from to } user_key ${c.field}${c.field.endsWith('_response') ? ' { uuid }' : ''} } }
    page_info { next_cursor }
  }
}`;
}

/** Every mutation name los2mo writes with. */
export function writtenMutations(): string[] {
  const names = new Set<string>();
  for (const spec of Object.values(KINDS)) for (const n of [spec.create, spec.update, spec.terminate]) if (n) names.add(n);
  for (const t of Object.values(TIMELESS_MUTATIONS)) for (const n of [t.create, t.update, t.terminate]) if (n) names.add(n);
  return [...names];
}

export interface MoDocument {
  /** e.g. `read org_unit`, `write org_unit_create`, `PersonsByCpr` */
  name: string;
  query: string;
}

/** The fixed set of documents los2mo sends. */
export function moDocuments(): MoDocument[] {
  const docs: MoDocument[] = [
    { name: 'Org', query: ORG_QUERY },
    { name: 'OrgCreate', query: ORG_CREATE },
    { name: 'PersonsByCpr', query: PERSONS_BY_CPR },
    { name: 'ClassFacets', query: CLASS_FACETS },
    { name: 'PersonItUsers', query: PERSON_IT_USERS },
    { name: 'ItUserRolebindings', query: ITUSER_ROLEBINDINGS },
    { name: 'TreeUnits', query: TREE_UNITS },
    { name: 'TreeEngagements', query: TREE_ENGAGEMENTS },
    { name: 'TreeClasses', query: TREE_CLASSES },
  ];
  for (const kind of Object.keys(KINDS) as Kind[]) docs.push({ name: `Read ${kind}`, query: timelineQuery(kind) });
  for (const kind of Object.keys(TIMELESS_READS) as (keyof typeof TIMELESS_READS)[]) docs.push({ name: `ReadCurrent ${kind}`, query: currentQuery(kind) });
  for (const c of UNIT_CONTENTS) docs.push({ name: `UnitContents ${c.kind}`, query: unitContentsQuery(c) });
  for (const field of new Set(Object.values(CREATE_READ_FIELDS))) docs.push({ name: `Committed ${field}`, query: committedQuery(field) });
  for (const name of writtenMutations()) {
    docs.push({ name: `Write ${name}`, query: buildBatch([{ ref: { kind: name, uuid: '' }, mutations: [{ name, input: {} }] }]).query });
  }
  return docs;
}
