/** MO emulator over HTTP: bitemporal create / update / terminate, overwrite, rollback, reads. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { seedBasics, startTestMo, type Basics, type TestMo } from './helpers/mo.ts';

let mo: TestMo;
let b: Basics;

test.before(async () => {
  mo = await startTestMo();
  b = await seedBasics(mo);
});
test.after(async () => {
  await mo.stop();
});

const UNIT_HISTORY = `query($uuid: UUID!) { org_units(filter: {uuids: [$uuid], from_date: null, to_date: null}) {
  objects { validities(start: null, end: null) { name user_key parent_uuid validity { from to } } } } }`;

async function history(uuid: string): Promise<[string, string | null, string | null][]> {
  const data = await mo.ok(UNIT_HISTORY, { uuid });
  const objects = data.org_units.objects;
  if (!objects.length) return [];
  return objects[0].validities.map((v: any) => [v.name, v.validity.from?.slice(0, 10) ?? null, v.validity.to?.slice(0, 10) ?? null]);
}

async function createUnit(name: string, from = '2020-01-01', extra = ''): Promise<string> {
  const data = await mo.ok(
    `mutation { org_unit_create(input: {name: "${name}", org_unit_type: "${b.unitType}", validity: {from: "${from}"} ${extra}}) { uuid } }`,
  );
  return data.org_unit_create.uuid;
}

test('create and read back the full history with validities(start: null, end: null)', async () => {
  const data = await mo.ok(`mutation { org_unit_create(input: {name: "Skole", user_key: "SK1", org_unit_type: "${b.unitType}",
      validity: {from: "2021-03-01", to: "2025-08-01"}}) {
    uuid validities(start: null, end: null) { uuid name user_key validity { from to } unit_type_uuid unit_type_response { uuid current { name } } } } }`);
  const created = data.org_unit_create;
  assert.is(created.validities.length, 1);
  const v = created.validities[0];
  assert.is(v.uuid, created.uuid);
  assert.is(v.name, 'Skole');
  assert.is(v.user_key, 'SK1');
  assert.equal(v.validity, { from: '2021-03-01T00:00:00+01:00', to: '2025-08-01T00:00:00+02:00' });
  assert.is(v.unit_type_uuid, b.unitType);
  assert.is(v.unit_type_response.current.name, 'Afdeling');
  // user_key defaults to the uuid
  const plain = await createUnit('Uden nøgle');
  const read = await mo.ok(`{ org_units(filter: {uuids: ["${plain}"]}) { objects { current { user_key } } } }`);
  assert.is(read.org_units.objects[0].current.user_key, plain);
});

test('half-open [from, to): valid on the day before `to`, not on `to`; CET/CEST offsets', async () => {
  const uuid = (
    await mo.ok(`mutation { org_unit_create(input: {name: "Sommer", org_unit_type: "${b.unitType}", validity: {from: "2024-03-31", to: "2024-10-27"}}) { uuid } }`)
  ).org_unit_create.uuid;
  const at = async (date: string) =>
    (await mo.ok(`{ org_units(filter: {uuids: ["${uuid}"], from_date: "${date}"}) { objects { uuid } } }`)).org_units.objects.length;
  assert.is(await at('2024-03-30'), 0);
  assert.is(await at('2024-03-31'), 1);
  assert.is(await at('2024-10-26'), 1);
  assert.is(await at('2024-10-26T23:59:59+02:00'), 1);
  assert.is(await at('2024-10-27'), 0);
  const current = await mo.ok(`{ org_units(filter: {uuids: ["${uuid}"], from_date: null, to_date: null}) {
    objects { in: current(at: "2024-10-26T12:00:00") { name } out: current(at: "2024-10-27") { name } validities(start: null, end: null) { validity { from to } } } } }`);
  const o = current.org_units.objects[0];
  assert.is(o.in.name, 'Sommer');
  assert.is(o.out, null);
  // 2024-03-31 is the day DST starts (at 02:00), so midnight is still CET; 2024-10-27 midnight is CEST
  assert.equal(o.validities[0].validity, { from: '2024-03-31T00:00:00+01:00', to: '2024-10-27T00:00:00+02:00' });
  const summer = await createUnit('Juli', '2024-07-01');
  assert.is((await history(summer))[0]![1], '2024-07-01');
  const raw = await mo.ok(UNIT_HISTORY, { uuid: summer });
  assert.is(raw.org_units.objects[0].validities[0].validity.from, '2024-07-01T00:00:00+02:00');
  // explicit offsets that are midnight in Copenhagen are accepted, other times refused
  const offset = await mo.gql(`mutation { org_unit_create(input: {name: "Z", org_unit_type: "${b.unitType}", validity: {from: "2024-06-30T22:00:00Z"}}) { uuid validities { validity { from } } } }`);
  assert.is(offset.data?.org_unit_create.validities[0].validity.from, '2024-07-01T00:00:00+02:00');
  const notMidnight = await mo.gql(`mutation { org_unit_create(input: {name: "Z", org_unit_type: "${b.unitType}", validity: {from: "2024-07-01T12:00:00"}}) { uuid } }`);
  assert.is(notMidnight.errors?.[0]?.extensions?.error_context?.error_key, 'E_INVALID_INPUT');
});

test('create with an existing uuid silently overwrites the object and its whole history', async () => {
  const uuid = await createUnit('Original', '2020-01-01');
  await mo.ok(`mutation { org_unit_update(input: {uuid: "${uuid}", name: "Midt", validity: {from: "2022-01-01"}}) { uuid } }`);
  assert.is((await history(uuid)).length, 2);
  const again = await mo.ok(
    `mutation { org_unit_create(input: {uuid: "${uuid}", name: "Ny", org_unit_type: "${b.unitType}", validity: {from: "2023-05-01"}}) { uuid } }`,
  );
  assert.is(again.org_unit_create.uuid, uuid);
  assert.equal(await history(uuid), [['Ny', '2023-05-01', null]]);
});

test('update with only `from` changes the object from that date to infinity', async () => {
  const uuid = await createUnit('Før', '2020-01-01');
  await mo.ok(`mutation { org_unit_update(input: {uuid: "${uuid}", name: "Efter", validity: {from: "2023-01-01"}}) { uuid } }`);
  assert.equal(await history(uuid), [
    ['Før', '2020-01-01', '2023-01-01'],
    ['Efter', '2023-01-01', null],
  ]);
});

test('update with both dates changes only that window; the old value returns after `to`', async () => {
  const uuid = await createUnit('Normal', '2020-01-01');
  await mo.ok(`mutation { org_unit_update(input: {uuid: "${uuid}", name: "Midlertidig", validity: {from: "2023-01-01", to: "2023-07-01"}}) { uuid } }`);
  assert.equal(await history(uuid), [
    ['Normal', '2020-01-01', '2023-01-01'],
    ['Midlertidig', '2023-01-01', '2023-07-01'],
    ['Normal', '2023-07-01', null],
  ]);
  const at = await mo.ok(`{ org_units(filter: {uuids: ["${uuid}"], from_date: "2023-07-01"}) { objects { validities { name } } } }`);
  assert.equal(at.org_units.objects[0].validities, [{ name: 'Normal' }]);
});

test('update: omitted and null fields keep their values', async () => {
  const parent = await createUnit('Forælder');
  const uuid = await createUnit('Barn', '2020-01-01', `, user_key: "BARN", parent: "${parent}"`);
  await mo.ok(`mutation { org_unit_update(input: {uuid: "${uuid}", name: "Barn 2", user_key: null, validity: {from: "2021-01-01"}}) { uuid } }`);
  const data = await mo.ok(`{ org_units(filter: {uuids: ["${uuid}"]}) { objects { current { name user_key parent_uuid unit_type_uuid parent_response { current { name } } } } } }`);
  assert.equal(data.org_units.objects[0].current, {
    name: 'Barn 2',
    user_key: 'BARN',
    parent_uuid: parent,
    unit_type_uuid: b.unitType,
    parent_response: { current: { name: 'Forælder' } },
  });
});

test('org_unit_update with parent: null makes the unit top-level; filter parent: null lists top-level units', async () => {
  const parent = await createUnit('Moder');
  const child = await createUnit('Datter', '2020-01-01', `, parent: "${parent}"`);
  const topLevel = async () =>
    (await mo.ok(`{ org_units(filter: {parent: null}) { objects { uuid } } }`)).org_units.objects.map((o: any) => o.uuid);
  assert.ok(!(await topLevel()).includes(child));
  assert.ok((await topLevel()).includes(parent));
  const children = await mo.ok(`{ org_units(filter: {parent: {uuids: ["${parent}"]}}) { objects { uuid } } }`);
  assert.equal(children.org_units.objects.map((o: any) => o.uuid), [child]);
  // omitted parent (via variables too) keeps it
  await mo.ok(`mutation($input: OrganisationUnitUpdateInput!) { org_unit_update(input: $input) { uuid } }`, {
    input: { uuid: child, name: 'Datter 2', validity: { from: '2021-01-01' } },
  });
  assert.ok(!(await topLevel()).includes(child));
  // explicit null in variables clears it from `from`
  await mo.ok(`mutation($input: OrganisationUnitUpdateInput!) { org_unit_update(input: $input) { uuid } }`, {
    input: { uuid: child, parent: null, validity: { from: '2022-01-01' } },
  });
  assert.ok((await topLevel()).includes(child));
  const h = await mo.ok(UNIT_HISTORY, { uuid: child });
  assert.equal(
    h.org_units.objects[0].validities.map((v: any) => v.parent_uuid),
    [parent, parent, null],
  );
  // literal null works as well
  const other = await createUnit('Søn', '2020-01-01', `, parent: "${parent}"`);
  await mo.ok(`mutation { org_unit_update(input: {uuid: "${other}", parent: null, validity: {from: "2020-01-01"}}) { uuid } }`);
  assert.ok((await topLevel()).includes(other));
});

test('terminate with only `to`: inactive from `to`; with `from` and `to`: a gap', async () => {
  const a = await createUnit('Lukkes', '2020-01-01');
  await mo.ok(`mutation { org_unit_terminate(input: {uuid: "${a}", to: "2024-02-01"}) { uuid } }`);
  assert.equal(await history(a), [['Lukkes', '2020-01-01', '2024-02-01']]);
  const gap = await createUnit('Pause', '2020-01-01');
  await mo.ok(`mutation { org_unit_terminate(input: {uuid: "${gap}", from: "2022-01-01", to: "2022-06-01"}) { uuid } }`);
  assert.equal(await history(gap), [
    ['Pause', '2020-01-01', '2022-01-01'],
    ['Pause', '2022-06-01', null],
  ]);
  // an update with to: null revives a terminated object until infinity
  await mo.ok(`mutation { org_unit_update(input: {uuid: "${a}", name: "Genåbnet", validity: {from: "2025-01-01"}}) { uuid } }`);
  assert.equal(await history(a), [
    ['Lukkes', '2020-01-01', '2024-02-01'],
    ['Genåbnet', '2025-01-01', null],
  ]);
});

test('a terminated class is unpublished and vanishes from classes queries', async () => {
  const created = await mo.ok(`mutation { class_create(input: {user_key: "midl", name: "Midlertidig", facet_uuid: "${b.facets['org_unit_type']}", validity: {}}) { uuid } }`);
  const uuid = created.class_create.uuid;
  const listed = async (extra = '') =>
    (await mo.ok(`{ classes(filter: {facet: {user_keys: ["org_unit_type"]} ${extra}}) { objects { uuid current { name facet_uuid } } } }`)).classes.objects.map(
      (o: any) => o.uuid,
    );
  assert.ok((await listed()).includes(uuid));
  const yesterday = new Date(Date.now() - 86_400_000 * 2).toISOString().slice(0, 10);
  await mo.ok(`mutation { class_terminate(input: {uuid: "${uuid}", to: "${yesterday}"}) { uuid } }`);
  assert.ok(!(await listed()).includes(uuid));
  assert.ok((await listed()).includes(b.unitType));
  // still there in the past
  assert.ok((await listed(`, from_date: "2000-01-01"`)).includes(uuid));
  // facet_user_keys (deprecated) filters the same way
  const old = await mo.ok(`{ classes(filter: {facet_user_keys: ["primary_type"]}) { objects { current { user_key scope } } } }`);
  assert.equal(old.classes.objects.map((o: any) => o.current.user_key).sort(), ['notPrimary', 'primary']);
});

test('class_update replaces the attributes; omitted scope is kept, omitted parent/owner are cleared', async () => {
  const parent = (await mo.ok(`mutation { class_create(input: {user_key: "p", name: "P", facet_uuid: "${b.facets['org_unit_type']}", validity: {}}) { uuid } }`)).class_create.uuid;
  const uuid = (
    await mo.ok(`mutation { class_create(input: {user_key: "c", name: "C", scope: "TEXT", parent_uuid: "${parent}", facet_uuid: "${b.facets['org_unit_type']}", validity: {}}) { uuid } }`)
  ).class_create.uuid;
  await mo.ok(`mutation { class_update(input: {uuid: "${uuid}", user_key: "c", name: "C2", facet_uuid: "${b.facets['org_unit_type']}", validity: {}}) { uuid } }`);
  const data = await mo.ok(`{ classes(filter: {uuids: ["${uuid}"]}) { objects { validities(start: null, end: null) { name scope parent_uuid published validity { from to } } } } }`);
  assert.equal(data.classes.objects[0].validities, [{ name: 'C2', scope: 'TEXT', parent_uuid: null, published: 'Publiceret', validity: { from: null, to: null } }]);
});

test('one request is one transaction: the 3rd of 3 aliased mutations fails, nothing is stored', async () => {
  const r = await mo.gql(`mutation {
    first: org_unit_create(input: {name: "Rulles tilbage 1", org_unit_type: "${b.unitType}", validity: {from: "2020-01-01"}}) { uuid }
    second: org_unit_create(input: {name: "Rulles tilbage 2", org_unit_type: "${b.unitType}", validity: {from: "2020-01-01"}}) { uuid }
    third: org_unit_update(input: {uuid: "7d9a1f3c-0000-4000-8000-000000000000", name: "findes ikke", validity: {from: "2020-01-01"}}) { uuid }
  }`);
  assert.is(r.status, 200);
  assert.is(r.data, null);
  assert.is(r.errors?.length, 1);
  assert.equal(r.errors?.[0]?.path, ['third']);
  assert.is(r.errors?.[0]?.message, 'ErrorCodes.E_ORG_UNIT_NOT_FOUND');
  assert.is(r.errors?.[0]?.extensions?.error_context?.error_key, 'E_ORG_UNIT_NOT_FOUND');
  const found = await mo.ok(`{ org_units(filter: {names: ["Rulles tilbage 1", "Rulles tilbage 2"], from_date: null, to_date: null}) { objects { uuid } } }`);
  assert.is(found.org_units.objects.length, 0);
});

test('persons: given_name/surname, valid from the CPR birth date; engagements with is_primary and shortcuts', async () => {
  const person = (
    await mo.ok(`mutation { employee_create(input: {given_name: "Anna", surname: "Berg Hansen", cpr_number: "0107851234", nickname_given_name: "Anne"}) {
      uuid current { name given_name surname nickname cpr_number user_key validity { from to } } } }`)
  ).employee_create;
  assert.equal(person.current, {
    name: 'Anna Berg Hansen',
    given_name: 'Anna',
    surname: 'Berg Hansen',
    nickname: 'Anne',
    cpr_number: '0107851234',
    user_key: person.uuid,
    validity: { from: '1985-07-01T00:00:00+02:00', to: null },
  });
  const unit = await createUnit('Engagementsenhed', '2000-01-01');
  const eng = await mo.ok(`mutation { engagement_create(input: {person: "${person.uuid}", org_unit: "${unit}", engagement_type: "${b.engagementType}",
      job_function: "${b.jobFunction}", primary: "${b.primary}", user_key: "E1", fraction: 100, extension_1: "x", validity: {from: "2010-01-01"}}) {
    uuid current { is_primary user_key fraction extension_1 employee_uuid org_unit_uuid job_function_uuid engagement_type_uuid primary_uuid
      person_response { current { name } } org_unit_response { validities { name } } job_function_response { current { name } } } } }`);
  const e = eng.engagement_create.current;
  assert.is(e.is_primary, true);
  assert.is(e.user_key, 'E1');
  assert.is(e.employee_uuid, person.uuid);
  assert.is(e.org_unit_uuid, unit);
  assert.is(e.job_function_uuid, b.jobFunction);
  assert.is(e.person_response.current.name, 'Anna Berg Hansen');
  assert.equal(e.org_unit_response.validities, [{ name: 'Engagementsenhed' }]);
  assert.is(e.job_function_response.current.name, 'Udvikler');
  await mo.ok(`mutation { engagement_update(input: {uuid: "${eng.engagement_create.uuid}", primary: "${b.notPrimary}", validity: {from: "2020-01-01"}}) { uuid } }`);
  const after = await mo.ok(`{ engagements(filter: {employee: {cpr_numbers: ["0107851234"]}, from_date: null, to_date: null}) {
    objects { validities(start: null, end: null) { is_primary fraction validity { from to } } } } }`);
  assert.equal(after.engagements.objects[0].validities.map((v: any) => [v.is_primary, v.fraction, v.validity.from.slice(0, 10)]), [
    [true, 100, '2010-01-01'],
    [false, 100, '2020-01-01'],
  ]);
  // employee name change is bitemporal
  await mo.ok(`mutation { employee_update(input: {uuid: "${person.uuid}", surname: "Jensen", validity: {from: "2022-01-01"}}) { uuid } }`);
  const p = await mo.ok(`{ persons(filter: {uuids: ["${person.uuid}"]}) { objects { current { name nickname_given_name cpr_number } validities(start: null, end: null) { surname } } } }`);
  assert.equal(p.persons.objects[0].current, { name: 'Anna Jensen', nickname_given_name: 'Anne', cpr_number: '0107851234' });
  assert.equal(p.persons.objects[0].validities.map((v: any) => v.surname), ['Berg Hansen', 'Jensen']);
});

test('reads: nested filters, user_keys, from_date/to_date, employees alias, addresses, IT users, managers', async () => {
  const unit = await createUnit('Filterenhed', '2000-01-01', ', user_key: "FILTER"');
  const person = (await mo.ok(`mutation { employee_create(input: {given_name: "Bo", surname: "Ek", cpr_number: "0202021234"}) { uuid } }`)).employee_create.uuid;
  await mo.ok(`mutation {
    a: address_create(input: {org_unit: "${unit}", address_type: "${b.ean}", value: "5798000000001", validity: {from: "2020-01-01"}}) { uuid }
    m: address_create(input: {person: "${person}", address_type: "${b.email}", value: "bo@example.dk", validity: {from: "2020-01-01"}}) { uuid }
    i: ituser_create(input: {person: "${person}", itsystem: "${b.itsystem}", user_key: "boek", external_id: "ext-1", validity: {from: "2020-01-01"}}) { uuid }
    l: manager_create(input: {person: "${person}", org_unit: "${unit}", manager_type: "${b.managerType}", manager_level: "${b.managerLevel}", responsibility: ["${b.responsibility}"], validity: {from: "2020-01-01"}}) { uuid }
  }`);
  const data = await mo.ok(`{
    addresses(filter: {org_unit: {user_keys: ["FILTER"]}}) { objects { current { value name address_type_uuid org_unit_uuid employee_uuid address_type_response { current { scope } } } } }
    personal: addresses(filter: {employee: {uuids: ["${person}"]}, address_type: {user_keys: ["email"]}}) { objects { current { value employee_uuid person_response { current { given_name } } } } }
    itusers(filter: {itsystem: {uuids: ["${b.itsystem}"]}, employee: {cpr_numbers: ["0202021234"]}}) { objects { current { user_key external_id itsystem_uuid employee_uuid engagement_uuid engagement_uuids itsystem_response { current { name } } } } }
    managers(filter: {org_unit: {uuids: ["${unit}"]}}) { objects { current { employee_uuid org_unit_uuid manager_type_uuid manager_level_uuid responsibility_uuids } } }
    employees(filter: {cpr_numbers: ["0202021234"]}) { objects { uuid } }
    future: org_units(filter: {user_keys: ["FILTER"], from_date: "1999-01-01", to_date: "1999-12-31"}) { objects { uuid } }
  }`);
  assert.equal(data.addresses.objects.map((o: any) => o.current), [
    { value: '5798000000001', name: '5798000000001', address_type_uuid: b.ean, org_unit_uuid: unit, employee_uuid: null, address_type_response: { current: { scope: 'EAN' } } },
  ]);
  assert.equal(data.personal.objects[0].current, { value: 'bo@example.dk', employee_uuid: person, person_response: { current: { given_name: 'Bo' } } });
  assert.equal(data.itusers.objects[0].current, {
    user_key: 'boek', external_id: 'ext-1', itsystem_uuid: b.itsystem, employee_uuid: person, engagement_uuid: null, engagement_uuids: [],
    itsystem_response: { current: { name: 'Active Directory' } },
  });
  assert.equal(data.managers.objects[0].current, {
    employee_uuid: person, org_unit_uuid: unit, manager_type_uuid: b.managerType, manager_level_uuid: b.managerLevel, responsibility_uuids: [b.responsibility],
  });
  assert.equal(data.employees.objects, [{ uuid: person }]);
  assert.equal(data.future.objects, []);
  // v30: external_ids: null selects IT users without an external id; in v29 it is no filter
  const q = `{ itusers(filter: {employee: {uuids: ["${person}"]}, external_ids: null}) { objects { uuid } } }`;
  assert.is((await mo.ok(q, undefined, { version: 29 })).itusers.objects.length, 1);
  assert.is((await mo.ok(q, undefined, { version: 30 })).itusers.objects.length, 0);
});

test('reads: org unit tree filters (child, descendant, ancestor, hierarchy, engagement) and managers(inherit)', async () => {
  const hierarchyFacet = (await mo.ok(`mutation { facet_create(input: {user_key: "org_unit_hierarchy", validity: {}}) { uuid } }`)).facet_create.uuid;
  const line = (await mo.ok(`mutation { class_create(input: {user_key: "linje", name: "Linje", facet_uuid: "${hierarchyFacet}", validity: {}}) { uuid } }`)).class_create.uuid;
  const root = await createUnit('Trærod', '2000-01-01', `, user_key: "TREE-ROOT", org_unit_hierarchy: "${line}"`);
  const mid = await createUnit('Trægren', '2000-01-01', `, user_key: "TREE-MID", parent: "${root}"`);
  const leaf = await createUnit('Træblad', '2000-01-01', `, user_key: "TREE-LEAF", parent: "${mid}"`);
  const person = (await mo.ok(`mutation { employee_create(input: {given_name: "Leder", surname: "Træ"}) { uuid } }`)).employee_create.uuid;
  await mo.ok(`mutation {
    e: engagement_create(input: {person: "${person}", org_unit: "${leaf}", engagement_type: "${b.engagementType}", job_function: "${b.jobFunction}", validity: {from: "2020-01-01"}}) { uuid }
    m: manager_create(input: {person: "${person}", org_unit: "${root}", manager_type: "${b.managerType}", manager_level: "${b.managerLevel}", responsibility: [], validity: {from: "2020-01-01"}}) { uuid } }`);
  const keys = (objects: any[]) => objects.map((o) => o.current.user_key).sort();
  const data = await mo.ok(`{
    child: org_units(filter: {child: {user_keys: ["TREE-LEAF"]}}) { objects { current { user_key } } }
    desc: org_units(filter: {descendant: {user_keys: ["TREE-LEAF"]}}) { objects { current { user_key } } }
    anc: org_units(filter: {ancestor: {user_keys: ["TREE-ROOT"]}}) { objects { current { user_key } } }
    hier: org_units(filter: {hierarchy: {user_keys: ["linje"]}}) { objects { current { user_key org_unit_hierarchy unit_hierarchy_response { current { name } } } } }
    eng: org_units(filter: {engagement: {employee: {uuids: ["${person}"]}}}) { objects { current { user_key } } }
    own: managers(filter: {org_unit: {uuids: ["${leaf}"]}}) { objects { uuid } }
    inherited: managers(inherit: true, filter: {org_unit: {uuids: ["${leaf}"]}}) { objects { current { org_unit_uuid } } }
  }`);
  assert.equal(keys(data.child.objects), ['TREE-MID']);
  assert.equal(keys(data.desc.objects), ['TREE-LEAF', 'TREE-MID', 'TREE-ROOT']);
  assert.equal(keys(data.anc.objects), ['TREE-LEAF', 'TREE-MID', 'TREE-ROOT']);
  assert.equal(data.hier.objects.map((o: any) => o.current), [
    { user_key: 'TREE-ROOT', org_unit_hierarchy: line, unit_hierarchy_response: { current: { name: 'Linje' } } },
  ]);
  assert.equal(keys(data.eng.objects), ['TREE-LEAF']);
  assert.equal(data.own.objects, []);
  assert.equal(data.inherited.objects.map((o: any) => o.current.org_unit_uuid), [root]);
  // moving a unit below its own descendant is refused
  const cycle = await mo.gql(`mutation { org_unit_update(input: {uuid: "${root}", parent: "${leaf}", validity: {from: "2021-01-01"}}) { uuid } }`);
  assert.is(cycle.errors?.[0]?.extensions?.error_context?.error_key, 'V_ORG_UNIT_MOVE_TO_CHILD');
});

test.run();
