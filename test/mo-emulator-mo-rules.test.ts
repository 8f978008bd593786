/**
 * The MO emulator refuses exactly what OS2mo refuses (issue 16), each rule named after MO's error
 * key and citing the OS2mo source (github OS2mo/os2mo at d0aa3718) it imitates.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Store } from '../src/mo-emulator/store.ts';
import { seedBasics, startTestMo, type Basics, type GqlResult, type TestMo } from './helpers/mo.ts';

let mo: TestMo;
let b: Basics;
let person: string;

test.before(async () => {
  mo = await startTestMo({ darRegister: new URL('../examples/dar/adresser.json', import.meta.url).pathname });
  b = await seedBasics(mo);
  person = (await mo.ok(`mutation { employee_create(input: {given_name: "Carl", surname: "Dahl", cpr_number: "1503901234"}) { uuid } }`)).employee_create.uuid;
});
test.after(async () => {
  await mo.stop();
});

const keyOf = (r: GqlResult) => r.errors?.[0]?.extensions?.error_context?.error_key;
const assertKey = (r: GqlResult, key: string) => {
  assert.is(r.data, null, 'data must be null');
  assert.is(keyOf(r), key, JSON.stringify(r.errors));
};
const assertOk = (r: GqlResult) => assert.is(r.errors, undefined, JSON.stringify(r.errors));

async function newUnit(from: string, to?: string, parent?: string, name = 'Enhed'): Promise<string> {
  const validity = to ? `{from: "${from}", to: "${to}"}` : `{from: "${from}"}`;
  const data = await mo.ok(`mutation { org_unit_create(input: {name: "${name}", user_key: "${name}", org_unit_type: "${b.unitType}", ${parent ? `parent: "${parent}", ` : ''}validity: ${validity}}) { uuid } }`);
  return data.org_unit_create.uuid;
}

const terminateUnit = (uuid: string, to: string) => mo.gql(`mutation { org_unit_terminate(input: {uuid: "${uuid}", to: "${to}"}) { uuid } }`);

// mora/graphapi/org_unit.py terminate_org_unit_validation; tests/test_integration_org_unit.py::test_terminate_not_allowed_with_addrs
test('V_TERMINATE_UNIT_WITH_ROLES: an address of the unit (also one typed into MO by hand) blocks its termination', async () => {
  const unit = await newUnit('2020-01-01');
  const address = (await mo.ok(`mutation { address_create(input: {org_unit: "${unit}", address_type: "${b.text}", value: "typed by hand", validity: {from: "2021-01-01"}}) { uuid } }`)).address_create.uuid;
  const r = await terminateUnit(unit, '2024-01-01');
  assertKey(r, 'V_TERMINATE_UNIT_WITH_ROLES');
  assert.is(r.errors?.[0]?.extensions?.error_context?.roles, 'Adresse');
  // ending the address first lets the unit end at the same date
  assertOk(await mo.gql(`mutation { a: address_terminate(input: {uuid: "${address}", to: "2024-01-01"}) { uuid } u: org_unit_terminate(input: {uuid: "${unit}", to: "2024-01-01"}) { uuid } }`));
});

test('V_TERMINATE_UNIT_WITH_ROLES: engagements, IT users and managers of the unit, listed by their LoRa names', async () => {
  const unit = await newUnit('2020-01-01');
  await mo.ok(`mutation {
    e: engagement_create(input: {person: "${person}", org_unit: "${unit}", engagement_type: "${b.engagementType}", job_function: "${b.jobFunction}", validity: {from: "2021-01-01"}}) { uuid }
    i: ituser_create(input: {org_unit: "${unit}", itsystem: "${b.itsystem}", user_key: "unit-account", validity: {from: "2021-01-01"}}) { uuid }
    m: manager_create(input: {org_unit: "${unit}", manager_type: "${b.managerType}", manager_level: "${b.managerLevel}", responsibility: ["${b.responsibility}"], validity: {from: "2021-01-01"}}) { uuid } }`);
  const r = await terminateUnit(unit, '2024-01-01');
  assertKey(r, 'V_TERMINATE_UNIT_WITH_ROLES');
  assert.is(r.errors?.[0]?.extensions?.error_context?.roles, 'Engagement, IT-system, Leder');
});

test('V_TERMINATE_UNIT_WITH_ROLES: associations, KLE and related units written by other systems block it too', async () => {
  const units = [await newUnit('2020-01-01'), await newUnit('2020-01-01'), await newUnit('2020-01-01')];
  const other = await newUnit('2020-01-01');
  // another system's objects, written into MO's database directly (the subset SDL has no mutations for them)
  const store = new Store(mo.dbPath);
  try {
    const period = (data: Record<string, unknown>) => [{ from: '2021-01-01', to: 'infinity', data }];
    store.save('association', crypto.randomUUID(), period({ user_key: 'a', person, org_unit: units[0] }), { person, org_unit: units[0] });
    store.save('kle', crypto.randomUUID(), period({ user_key: 'k', org_unit: units[1] }), { org_unit: units[1] });
    store.save('related_unit', crypto.randomUUID(), period({ org_units: [units[2], other] }), { org_units: [units[2], other] });
  } finally {
    store.close();
  }
  const roles = [];
  for (const unit of units) {
    const r = await terminateUnit(unit, '2024-01-01');
    assertKey(r, 'V_TERMINATE_UNIT_WITH_ROLES');
    roles.push(r.errors?.[0]?.extensions?.error_context?.roles);
  }
  assert.equal(roles, ['Tilknytning', 'KLE', 'Relateret Enhed']);
  // before they start, nothing blocks
  assertOk(await mo.gql(`mutation { org_unit_terminate(input: {uuid: "${units[0]}", from: "2020-06-01", to: "2020-07-01"}) { uuid } }`));
});

// mora/graphapi/resolvers.py association_predicate, kle_predicate, related_unit_predicate (`org_unit` matches
// the function's tilknyttedeenheder: both units of a related unit; `it_association` = has an IT user);
// field shapes as the v29 SDL (OS2mo/os2mo-ldap-import-export schema.graphql): org_unit_uuid, org_unit_uuids
test('reads of associations, KLE and related units by their unit, as MO\'s v29 filters (what los2mo reads before ending a unit)', async () => {
  const [a, c] = [await newUnit('2020-01-01', undefined, undefined, 'A'), await newUnit('2020-01-01', undefined, undefined, 'C')];
  const ids = { assoc: crypto.randomUUID(), itAssoc: crypto.randomUUID(), kle: crypto.randomUUID(), related: crypto.randomUUID(), old: crypto.randomUUID() };
  const store = new Store(mo.dbPath);
  try {
    const save = (kind: 'association' | 'kle' | 'related_unit', uuid: string, data: Record<string, unknown>, from = '2021-01-01', to = 'infinity') =>
      store.save(kind, uuid, [{ from, to, data }], data);
    save('association', ids.assoc, { user_key: 'tilknytning', person, org_unit: a });
    save('association', ids.itAssoc, { user_key: 'it-tilknytning', person, org_unit: a, it_user: crypto.randomUUID() });
    save('kle', ids.kle, { user_key: 'kle', org_unit: a });
    save('related_unit', ids.related, { user_key: 'C <-> A', org_units: [c, a] });
    save('kle', ids.old, { user_key: 'ended', org_unit: c }, '2020-01-01', '2021-01-01');
  } finally {
    store.close();
  }
  const read = async (query: string, unit: string, extra = '') =>
    (await mo.ok<Record<string, { objects: { uuid: string; validities: Record<string, unknown>[] }[] }>>(
      `query($u: [UUID!]) { ${query}(filter: { org_unit: { uuids: $u, from_date: null, to_date: null }, from_date: null, to_date: null${extra} }) { objects { uuid validities(start: null, end: null) { user_key validity { from to } ${query === 'related_units' ? 'org_unit_uuids' : 'org_unit_uuid'} } } } }`,
      { u: [unit] },
    ))[query]!.objects;
  const assoc = await read('associations', a);
  assert.equal(assoc.map((o) => o.uuid).sort(), [ids.assoc, ids.itAssoc].sort());
  assert.equal(assoc.find((o) => o.uuid === ids.assoc)!.validities, [{ user_key: 'tilknytning', validity: { from: '2021-01-01T00:00:00+01:00', to: null }, org_unit_uuid: a }]);
  assert.equal((await read('associations', a, ', it_association: true')).map((o) => o.uuid), [ids.itAssoc]);
  assert.equal((await read('associations', a, ', it_association: false')).map((o) => o.uuid), [ids.assoc]);
  assert.equal((await read('associations', c)).length, 0);
  assert.equal((await read('kles', a)).map((o) => [o.uuid, o.validities[0]!['org_unit_uuid']]), [[ids.kle, a]]);
  // a related unit is found from either of its units and names both
  for (const unit of [a, c]) {
    const related = (await read('related_units', unit)).filter((o) => o.uuid === ids.related);
    assert.equal(related.map((o) => o.validities[0]!['org_unit_uuids']), [[c, a]]);
  }
  // the KLE that ended in 2021 is found over all time, not now
  assert.equal((await read('kles', c)).map((o) => o.uuid), [ids.old]);
  const now = await mo.ok<{ kles: { objects: unknown[] } }>(`query($u: [UUID!]) { kles(filter: { org_unit: { uuids: $u } }) { objects { uuid } } }`, { u: [c] });
  assert.equal(now.kles.objects, []);
});

// mora/graphapi/org_unit.py terminate_org_unit_validation counts every active organisationfunktion with
// tilknyttedeenheder = the unit: an owner of the unit (mora/service/owner.py: funktionsnavn "owner",
// tilknyttedeenheder only when it owns a unit) and a rolebinding naming the unit (mora/service/role.py:
// "Rollebinding"); the names are sorted as Python sorts them ("Rollebinding" before "owner")
test('V_TERMINATE_UNIT_WITH_ROLES: an owner of the unit and a rolebinding in it block it ("owner", "Rollebinding"); an owner of a person does not', async () => {
  const units = [await newUnit('2020-01-01'), await newUnit('2020-01-01'), await newUnit('2020-01-01'), await newUnit('2020-01-01')];
  const ituser = (await mo.ok(`mutation { ituser_create(input: {person: "${person}", itsystem: "${b.itsystem}", user_key: "rb-account", validity: {from: "2020-01-01"}}) { uuid } }`)).ituser_create.uuid;
  const store = new Store(mo.dbPath);
  try {
    const save = (kind: 'owner' | 'rolebinding', data: Record<string, unknown>) => store.save(kind, crypto.randomUUID(), [{ from: '2021-01-01', to: 'infinity', data }], data);
    save('owner', { user_key: 'ejer', org_unit: units[0], owner: person });
    save('rolebinding', { user_key: 'rolle', org_unit: units[1], ituser, role: b.text });
    save('owner', { user_key: 'ejer', org_unit: units[2], owner: person });
    save('rolebinding', { user_key: 'rolle', org_unit: units[2], ituser, role: b.text });
    // an owner of a person and a rolebinding without a unit are in no unit
    save('owner', { user_key: 'personejer', person, owner: person });
    save('rolebinding', { user_key: 'uden enhed', ituser, role: b.text });
  } finally {
    store.close();
  }
  const roles = [];
  for (const unit of units.slice(0, 3)) {
    const r = await terminateUnit(unit, '2024-01-01');
    assertKey(r, 'V_TERMINATE_UNIT_WITH_ROLES');
    roles.push(r.errors?.[0]?.extensions?.error_context?.roles);
  }
  assert.equal(roles, ['owner', 'Rollebinding', 'Rollebinding, owner']);
  assertOk(await terminateUnit(units[3]!, '2024-01-01'));
  // before they start, nothing blocks
  assertOk(await mo.gql(`mutation { org_unit_terminate(input: {uuid: "${units[2]}", from: "2020-06-01", to: "2020-07-01"}) { uuid } }`));
});

// mora/graphapi/resolvers.py owner_predicate, rolebinding_predicate: `org_unit` matches tilknyttedeenheder,
// owner `employee` the owned person (tilknyttedebrugere), rolebinding `ituser` the IT user (tilknyttedefunktioner);
// field shapes as the v29 SDL (OS2mo/os2mo-ldap-import-export schema.graphql): Owner.org_unit_uuid, RoleBinding
// has only org_unit_response / ituser_response
test('reads of owners and rolebindings by unit (and rolebindings by IT user), as MO\'s v29 filters and fields', async () => {
  const unit = await newUnit('2020-01-01');
  const ituser = (await mo.ok(`mutation { ituser_create(input: {person: "${person}", itsystem: "${b.itsystem}", user_key: "rb-read", validity: {from: "2020-01-01"}}) { uuid } }`)).ituser_create.uuid;
  const ids = { unitOwner: crypto.randomUUID(), personOwner: crypto.randomUUID(), unitBinding: crypto.randomUUID(), bareBinding: crypto.randomUUID() };
  const store = new Store(mo.dbPath);
  try {
    const save = (kind: 'owner' | 'rolebinding', uuid: string, data: Record<string, unknown>) => store.save(kind, uuid, [{ from: '2021-01-01', to: 'infinity', data }], data);
    save('owner', ids.unitOwner, { user_key: 'ejer', org_unit: unit, owner: person });
    save('owner', ids.personOwner, { user_key: 'personejer', person, owner: person });
    save('rolebinding', ids.unitBinding, { user_key: 'rolle', org_unit: unit, ituser, role: b.text });
    save('rolebinding', ids.bareBinding, { user_key: 'uden enhed', ituser, role: b.text });
  } finally {
    store.close();
  }
  const all = '{ uuids: $u, from_date: null, to_date: null }';
  const data = await mo.ok<Record<string, { objects: { uuid: string; validities: Record<string, unknown>[] }[] }>>(
    `query($u: [UUID!], $i: [UUID!], $p: [UUID!]) {
      byUnit: owners(filter: { org_unit: ${all}, from_date: null, to_date: null }) { objects { uuid validities(start: null, end: null) { user_key validity { from to } org_unit_uuid employee_uuid owner_uuid } } }
      byPerson: owners(filter: { employee: { uuids: $p } }) { objects { uuid validities { org_unit_uuid employee_uuid } } }
      bindings: rolebindings(filter: { org_unit: ${all}, from_date: null, to_date: null }) { objects { uuid validities(start: null, end: null) { user_key org_unit_response { uuid } ituser_response { uuid } } } }
      byItuser: rolebindings(filter: { ituser: { uuids: $i, from_date: null, to_date: null }, from_date: null, to_date: null }) { objects { uuid } }
    }`,
    { u: [unit], i: [ituser], p: [person] },
  );
  assert.equal(data['byUnit']!.objects, [{ uuid: ids.unitOwner, validities: [{ user_key: 'ejer', validity: { from: '2021-01-01T00:00:00+01:00', to: null }, org_unit_uuid: unit, employee_uuid: null, owner_uuid: person }] }]);
  // by the owned person: the owner of the person (the first test's owner of the same person too), not the unit's owner
  const byPerson = data['byPerson']!.objects.map((o) => o.uuid);
  assert.ok(byPerson.includes(ids.personOwner) && !byPerson.includes(ids.unitOwner), byPerson.join());
  assert.equal(data['bindings']!.objects, [{ uuid: ids.unitBinding, validities: [{ user_key: 'rolle', org_unit_response: { uuid: unit }, ituser_response: { uuid: ituser } }] }]);
  assert.equal(data['byItuser']!.objects.map((o) => o.uuid).sort(), [ids.unitBinding, ids.bareBinding].sort());
});

// mora/graphapi/it_user.py terminate_ituser / _validate_no_active_rolebindings: organisationfunktion
// "Rollebinding" with tilknyttedefunktioner = the IT user, active at the date (`from`, else `to`);
// mora/exceptions.py V_TERMINATE_ITUSER_WITH_ROLEBINDINGS (400) with the sorted rolebinding_uuids
test('V_TERMINATE_ITUSER_WITH_ROLEBINDINGS: an IT user with a rolebinding active at the date cannot be terminated', async () => {
  const [ituser, other] = [
    (await mo.ok(`mutation { ituser_create(input: {person: "${person}", itsystem: "${b.itsystem}", user_key: "rb-term", validity: {from: "2020-01-01"}}) { uuid } }`)).ituser_create.uuid,
    (await mo.ok(`mutation { ituser_create(input: {person: "${person}", itsystem: "${b.itsystem}", user_key: "rb-other", validity: {from: "2020-01-01"}}) { uuid } }`)).ituser_create.uuid,
  ];
  const bindings = [crypto.randomUUID(), crypto.randomUUID()];
  const store = new Store(mo.dbPath);
  try {
    for (const rb of bindings) {
      const data = { user_key: 'rolle', ituser, role: b.text };
      store.save('rolebinding', rb, [{ from: '2021-01-01', to: '2023-01-01', data }], data);
    }
  } finally {
    store.close();
  }
  const terminateIt = (uuid: string, validity: string) => mo.gql(`mutation { ituser_terminate(input: {uuid: "${uuid}", ${validity}}) { uuid } }`);
  const r = await terminateIt(ituser, 'to: "2022-01-01"');
  assertKey(r, 'V_TERMINATE_ITUSER_WITH_ROLEBINDINGS');
  assert.equal(r.errors?.[0]?.extensions?.error_context?.rolebinding_uuids, [...bindings].sort());
  assert.is(r.errors?.[0]?.extensions?.error_context?.status, 400);
  // with `from`, MO looks at `from`: inside the rolebindings it is refused, before them it is taken
  assertKey(await terminateIt(ituser, 'from: "2022-06-01", to: "2030-01-01"'), 'V_TERMINATE_ITUSER_WITH_ROLEBINDINGS');
  assertOk(await terminateIt(ituser, 'from: "2020-06-01", to: "2020-07-01"'));
  // an IT user without rolebindings, and this one after they ended, are taken
  assertOk(await terminateIt(other, 'to: "2022-01-01"'));
  assertOk(await terminateIt(ituser, 'to: "2023-01-01"'));
});

test('V_DATE_OUTSIDE_ORG_UNIT_RANGE: a unit cannot be terminated at a date it is not active', async () => {
  const unit = await newUnit('2020-01-01', '2022-01-01');
  assertKey(await terminateUnit(unit, '2023-01-01'), 'V_DATE_OUTSIDE_ORG_UNIT_RANGE');
});

// mora/service/address_handler/email.py: parse_obj_as(EmailStr, value), pydantic v1 + email-validator 2.2.0
test('V_INVALID_ADDRESS_EMAIL: as email-validator 2.2.0 (double dot, dot before @, _ in the domain, special-use TLD)', async () => {
  const address = (value: string) =>
    mo.gql(`mutation($v: String!) { address_create(input: {person: "${person}", address_type: "${b.email}", value: $v, validity: {from: "2021-01-01"}}) { uuid } }`, { v: value });
  for (const bad of ['jens..hansen@aarhus.dk', 'mette.larsen.@aarhus.dk', 'x@aarhus_kommune.dk', 'x@y.local', 'x@y.test', '.x@aarhus.dk', 'x@aarhus', 'x@-aarhus.dk', '"x"@aarhus.dk', 'x y@aarhus.dk']) {
    assertKey(await address(bad), 'V_INVALID_ADDRESS_EMAIL');
  }
  for (const good of ['jens.hansen@aarhus.dk', 'søren@aarhus.dk', 'x+tag@sub.aarhus.dk', ' x@aarhus.dk ', 'Jens Hansen <jens@aarhus.dk>']) assertOk(await address(good));
});

// mora/service/address_handler/{ean,pnumber,phone,www}.py
test('V_INVALID_ADDRESS_EAN / _PNUMBER / _PHONE / _WWW: 13 digits, 10 digits, digits after an optional +, http(s) URL', async () => {
  const cls = await mo.ok(`mutation {
    p: class_create(input: {user_key: "pnr", name: "P-nummer", facet_uuid: "${b.facets['org_unit_address_type']}", scope: "PNUMBER", validity: {}}) { uuid }
    w: class_create(input: {user_key: "www", name: "Web", facet_uuid: "${b.facets['org_unit_address_type']}", scope: "WWW", validity: {}}) { uuid } }`);
  const unit = await newUnit('2020-01-01');
  const address = (type: string, value: string) =>
    mo.gql(`mutation($v: String!) { address_create(input: {org_unit: "${unit}", address_type: "${type}", value: $v, validity: {from: "2021-01-01"}}) { uuid } }`, { v: value });
  assertKey(await address(b.ean, '579800012345'), 'V_INVALID_ADDRESS_EAN');
  assertKey(await address(b.ean, '5798000123456 '), 'V_INVALID_ADDRESS_EAN');
  assertOk(await address(b.ean, '5798000123456'));
  assertKey(await address(cls.p.uuid, '10012345'), 'V_INVALID_ADDRESS_PNUMBER');
  assertOk(await address(cls.p.uuid, '1001234567'));
  assertKey(await address(cls.w.uuid, 'www.aarhus.dk'), 'V_INVALID_ADDRESS_WWW');
  assertKey(await address(cls.w.uuid, 'ftp://aarhus.dk'), 'V_INVALID_ADDRESS_WWW');
  assertKey(await address(cls.w.uuid, 'https://aarhus dk'), 'V_INVALID_ADDRESS_WWW');
  assertOk(await address(cls.w.uuid, 'https://www.aarhus.dk/om-kommunen?x=1#top'));
  assertOk(await address(cls.w.uuid, 'http://intranet:8080/'));
  const phone = (v: string) =>
    mo.gql(`mutation($v: String!) { address_create(input: {person: "${person}", address_type: "${b.phone}", value: $v, validity: {from: "2021-01-01"}}) { uuid } }`, { v });
  assertKey(await phone('87 13 00 00'), 'V_INVALID_ADDRESS_PHONE');
  assertOk(await phone('+4587130000'));
});

// mora/service/address_handler/dar.py: the id is looked up in DAR (address or access address)
test('V_INVALID_ADDRESS_DAR: an id not in the emulator\'s DAR register is refused; one in it is taken', async () => {
  const dar = (await mo.ok(`mutation { c: class_create(input: {user_key: "adr", name: "Postadresse", facet_uuid: "${b.facets['org_unit_address_type']}", scope: "DAR", validity: {}}) { uuid } }`)).c.uuid;
  const unit = await newUnit('2020-01-01');
  const address = (value: string) =>
    mo.gql(`mutation($v: String!) { address_create(input: {org_unit: "${unit}", address_type: "${dar}", value: $v, validity: {from: "2021-01-01"}}) { uuid } }`, { v: value });
  assertKey(await address('11111111-2222-4333-8444-555555555555'), 'V_INVALID_ADDRESS_DAR');
  assertKey(await address('not a uuid'), 'V_INVALID_ADDRESS_DAR');
  assertOk(await address('a4aefd47-1068-3997-f2c6-1176489747b9')); // Bakkegårdsvej 1, 8230 Åbyhøj
  assertOk(await address('df1fdab4-af68-f92a-e411-e7ca4e53a80a')); // its access address (husnummer)
});

test('V_INVALID_ADDRESS_DAR: without a register only the UUID form is checked', async () => {
  const plain = await startTestMo();
  try {
    const basics = await seedBasics(plain);
    const dar = (await plain.ok(`mutation { c: class_create(input: {user_key: "adr", name: "Postadresse", facet_uuid: "${basics.facets['org_unit_address_type']}", scope: "DAR", validity: {}}) { uuid } }`)).c.uuid;
    const unit = (await plain.ok(`mutation { org_unit_create(input: {name: "E", org_unit_type: "${basics.unitType}", validity: {from: "2020-01-01"}}) { uuid } }`)).org_unit_create.uuid;
    const address = (value: string) =>
      plain.gql(`mutation($v: String!) { address_create(input: {org_unit: "${unit}", address_type: "${dar}", value: $v, validity: {from: "2021-01-01"}}) { uuid } }`, { v: value });
    assertOk(await address('11111111-2222-4333-8444-555555555555'));
    assertKey(await address('not a uuid'), 'V_INVALID_ADDRESS_DAR');
  } finally {
    await plain.stop();
  }
});

// mora/service/orgunit.py prepare_edit, get_lora_dict_current_attr
test('org_unit_update without name copies the LAST overlapping name over its whole window', async () => {
  const unit = await newUnit('2020-01-01', undefined, undefined, 'Gammel');
  await mo.ok(`mutation { org_unit_update(input: {uuid: "${unit}", name: "Ny", validity: {from: "2023-01-01"}}) { uuid } }`);
  // an update of the type only, over a window spanning the rename
  await mo.ok(`mutation { org_unit_update(input: {uuid: "${unit}", org_unit_type: "${b.unitType}", validity: {from: "2021-01-01"}}) { uuid } }`);
  const data = await mo.ok(`{ org_units(filter: {uuids: ["${unit}"], from_date: null, to_date: null}) { objects { validities(start: null, end: null) { name validity { from } } } } }`);
  const names = data.org_units.objects[0].validities.map((v: { name: string; validity: { from: string } }) => `${v.validity.from.slice(0, 10)} ${v.name}`);
  assert.equal(names, ['2020-01-01 Gammel', '2021-01-01 Ny']);
});

// mora/service/validation/validator.py is_candidate_parent_valid (at the update's from date)
test('V_ORG_UNIT_MOVE_TO_CHILD: checked at the update\'s from date only', async () => {
  const a = await newUnit('2020-01-01');
  const b1 = await newUnit('2020-01-01', undefined, a);
  // b1 is a's child until 2022; from 2022 b1 is top-level
  await mo.ok(`mutation { org_unit_update(input: {uuid: "${b1}", parent: null, validity: {from: "2022-01-01"}}) { uuid } }`);
  assertKey(await mo.gql(`mutation { org_unit_update(input: {uuid: "${a}", parent: "${b1}", validity: {from: "2021-01-01"}}) { uuid } }`), 'V_ORG_UNIT_MOVE_TO_CHILD');
  // from 2022 on b1 is no longer below a: allowed, although the earlier window would have made a cycle
  assertOk(await mo.gql(`mutation { org_unit_update(input: {uuid: "${a}", parent: "${b1}", validity: {from: "2022-01-01"}}) { uuid } }`));
});

// mora/service/{engagement,address,itsystem,manager}.py: prepare_create checks the unit's range, prepare_edit does not (manager: against the original unit)
test('V_DATE_OUTSIDE_ORG_UNIT_RANGE: not on manager_create, nor on engagement/address/IT-user updates', async () => {
  const unit = await newUnit('2020-01-01', '2022-01-01');
  assertOk(await mo.gql(`mutation { manager_create(input: {org_unit: "${unit}", person: "${person}", manager_type: "${b.managerType}", manager_level: "${b.managerLevel}", responsibility: ["${b.responsibility}"], validity: {from: "2021-01-01"}}) { uuid } }`));
  const e = (await mo.ok(`mutation { engagement_create(input: {person: "${person}", org_unit: "${unit}", engagement_type: "${b.engagementType}", job_function: "${b.jobFunction}", validity: {from: "2020-06-01", to: "2021-06-01"}}) { uuid } }`)).engagement_create.uuid;
  assertKey(await mo.gql(`mutation { engagement_create(input: {person: "${person}", org_unit: "${unit}", engagement_type: "${b.engagementType}", job_function: "${b.jobFunction}", validity: {from: "2021-06-01"}}) { uuid } }`), 'V_DATE_OUTSIDE_ORG_UNIT_RANGE');
  assertOk(await mo.gql(`mutation { engagement_update(input: {uuid: "${e}", validity: {from: "2021-06-01"}}) { uuid } }`));
});

// mora/service/employee.py: the CPR check is in prepare_create only
test('V_EXISTING_CPR: on create only (an update may give a CPR another person has)', async () => {
  const other = (await mo.ok(`mutation { employee_create(input: {given_name: "A", surname: "B", cpr_number: "0101801234"}) { uuid } }`)).employee_create.uuid;
  assertKey(await mo.gql(`mutation { employee_create(input: {given_name: "C", surname: "D", cpr_number: "0101801234"}) { uuid } }`), 'V_EXISTING_CPR');
  assertOk(await mo.gql(`mutation { employee_update(input: {uuid: "${other}", cpr_number: "1503901234", validity: {from: "2021-01-01"}}) { uuid } }`));
});

// mora/graphapi/models.py ManagerUpdate.to_handler_dict
test('manager_update without person makes the manager vacant', async () => {
  const unit = await newUnit('2020-01-01');
  const m = (await mo.ok(`mutation { manager_create(input: {org_unit: "${unit}", person: "${person}", manager_type: "${b.managerType}", manager_level: "${b.managerLevel}", responsibility: ["${b.responsibility}"], validity: {from: "2021-01-01"}}) { uuid } }`)).manager_create.uuid;
  await mo.ok(`mutation { manager_update(input: {uuid: "${m}", manager_level: "${b.managerLevel}", validity: {from: "2023-01-01"}}) { uuid } }`);
  const data = await mo.ok(`{ managers(filter: {uuids: ["${m}"], from_date: null, to_date: null}) { objects { validities(start: null, end: null) { employee_uuid validity { from } } } } }`);
  const people = data.managers.objects[0].validities.map((v: { employee_uuid: string | null }) => v.employee_uuid);
  assert.equal(people, [person, null]);
});

// Issue 16, the audit's "stricter than MO" and "kinder than MO" items (OS2mo d0aa3718).

// mora/lora.py Scope.update: LoRa's NotFoundException (oio_rest/oio_base.py patch_object_direct, after a
// read-only existence check) is swallowed; mora/graphapi/{classes,facets,itsystem}.py return input.uuid
test('class/facet/IT system update and terminate of an unknown uuid: MO answers the uuid, creates nothing, aborts nothing', async () => {
  const ids = Array.from({ length: 5 }, () => crypto.randomUUID());
  const r = await mo.gql(`mutation {
    cu: class_update(input: {uuid: "${ids[0]}", user_key: "x", name: "x", facet_uuid: "${b.facets['org_unit_type']}", validity: {}}) { uuid }
    ct: class_terminate(input: {uuid: "${ids[1]}", to: "2024-01-01"}) { uuid }
    fu: facet_update(input: {uuid: "${ids[2]}", user_key: "ny_facet", validity: {}}) { uuid }
    iu: itsystem_update(input: {uuid: "${ids[3]}", user_key: "x", name: "x", validity: {}}) { uuid }
    it: itsystem_terminate(input: {uuid: "${ids[4]}", to: "2024-01-01"}) { uuid }
    made: class_create(input: {user_key: "efter", name: "Efter", facet_uuid: "${b.facets['org_unit_type']}", validity: {}}) { uuid } }`);
  assertOk(r);
  assert.equal([r.data.cu.uuid, r.data.ct.uuid, r.data.fu.uuid, r.data.iu.uuid, r.data.it.uuid], ids);
  const found = await mo.ok(`{
    classes(filter: {uuids: ["${ids[0]}", "${ids[1]}", "${r.data.made.uuid}"], from_date: null, to_date: null}) { objects { uuid } }
    facets(filter: {uuids: ["${ids[2]}"], from_date: null, to_date: null}) { objects { uuid } }
    itsystems(filter: {uuids: ["${ids[3]}", "${ids[4]}"], from_date: null, to_date: null}) { objects { uuid } } }`);
  // nothing was made of the unknown uuids; the create in the same request committed
  assert.equal(found.classes.objects.map((o: { uuid: string }) => o.uuid), [r.data.made.uuid]);
  assert.equal([found.facets.objects.length, found.itsystems.objects.length], [0, 0]);
});

// LoRa relations have no foreign keys; no mora/service/*.py prepare_create looks a class up (address types aside)
test('class references are not looked up: unknown and unpublished classes are taken', async () => {
  const unknown = crypto.randomUUID();
  const gone = (await mo.ok(`mutation { class_create(input: {user_key: "gone", name: "Gone", facet_uuid: "${b.facets['engagement_job_function']}", validity: {}}) { uuid } }`)).class_create.uuid;
  await mo.ok(`mutation { class_terminate(input: {uuid: "${gone}", to: "1900-01-01"}) { uuid } }`);
  const unit = (await mo.ok(`mutation { org_unit_create(input: {name: "Ukendt type", org_unit_type: "${unknown}", org_unit_level: "${gone}", validity: {from: "2020-01-01"}}) { uuid } }`)).org_unit_create.uuid;
  assertOk(await mo.gql(`mutation { org_unit_update(input: {uuid: "${unit}", org_unit_hierarchy: "${unknown}", validity: {from: "2021-01-01"}}) { uuid } }`));
  assertOk(await mo.gql(`mutation {
    e: engagement_create(input: {person: "${person}", org_unit: "${unit}", engagement_type: "${unknown}", job_function: "${gone}", primary: "${unknown}", validity: {from: "2021-01-01"}}) { uuid }
    m: manager_create(input: {org_unit: "${unit}", manager_type: "${unknown}", manager_level: "${gone}", responsibility: ["${unknown}"], validity: {from: "2021-01-01"}}) { uuid }
    c: class_create(input: {user_key: "løs", name: "Løs", facet_uuid: "${unknown}", parent_uuid: "${gone}", it_system_uuid: "${unknown}", owner: "${unknown}", validity: {}}) { uuid } }`));
});

// mora/service/manager.py prepare_create: only the person's range is checked, the unit is not looked up
test('manager_create in an unknown unit is taken', async () => {
  assertOk(await mo.gql(`mutation { manager_create(input: {org_unit: "${crypto.randomUUID()}", manager_type: "${b.managerType}", manager_level: "${b.managerLevel}", responsibility: ["${b.responsibility}"], validity: {from: "2021-01-01"}}) { uuid } }`));
});

// mora/service/itsystem.py prepare_edit: no range check (prepare_create checks unit and person)
test('ituser_update before the person\'s birth date is taken (no V_DATE_OUTSIDE_EMPL_RANGE on update)', async () => {
  const it = (await mo.ok(`mutation { ituser_create(input: {person: "${person}", itsystem: "${b.itsystem}", user_key: "cd", validity: {from: "2010-01-01"}}) { uuid } }`)).ituser_create.uuid;
  assertKey(await mo.gql(`mutation { ituser_create(input: {person: "${person}", itsystem: "${b.itsystem}", user_key: "cd2", validity: {from: "1980-01-01"}}) { uuid } }`), 'V_DATE_OUTSIDE_EMPL_RANGE');
  assertOk(await mo.gql(`mutation { ituser_update(input: {uuid: "${it}", user_key: "cd-gammel", validity: {from: "1980-01-01", to: "2010-01-01"}}) { uuid } }`));
});

// validator.is_date_range_in_obj_range (E_USER_NOT_FOUND), mora/service/itsystem.py prepare_create (E_NOT_FOUND),
// validator.is_date_range_in_org_unit_range (E_ORG_UNIT_NOT_FOUND), mora/service/address.py + util.checked_get (V_MISSING_REQUIRED_VALUE)
test('E_USER_NOT_FOUND, E_NOT_FOUND (IT system), E_ORG_UNIT_NOT_FOUND, V_MISSING_REQUIRED_VALUE (address type without scope or unknown)', async () => {
  const unit = await newUnit('2020-01-01');
  const nobody = crypto.randomUUID();
  assertKey(await mo.gql(`mutation { engagement_create(input: {person: "${nobody}", org_unit: "${crypto.randomUUID()}", engagement_type: "${b.engagementType}", job_function: "${b.jobFunction}", validity: {from: "2021-01-01"}}) { uuid } }`), 'E_USER_NOT_FOUND');
  assertKey(await mo.gql(`mutation { engagement_create(input: {person: "${person}", org_unit: "${crypto.randomUUID()}", engagement_type: "${b.engagementType}", job_function: "${b.jobFunction}", validity: {from: "2021-01-01"}}) { uuid } }`), 'E_ORG_UNIT_NOT_FOUND');
  assertKey(await mo.gql(`mutation { manager_create(input: {org_unit: "${unit}", person: "${nobody}", manager_type: "${b.managerType}", manager_level: "${b.managerLevel}", responsibility: [], validity: {from: "2021-01-01"}}) { uuid } }`), 'E_USER_NOT_FOUND');
  assertKey(await mo.gql(`mutation { address_create(input: {person: "${nobody}", address_type: "${b.email}", value: "a@aarhus.dk", validity: {from: "2021-01-01"}}) { uuid } }`), 'E_USER_NOT_FOUND');
  assertKey(await mo.gql(`mutation { ituser_create(input: {person: "${person}", itsystem: "${crypto.randomUUID()}", user_key: "x", validity: {from: "2021-01-01"}}) { uuid } }`), 'E_NOT_FOUND');
  const noScope = (await mo.ok(`mutation { class_create(input: {user_key: "uden_scope", name: "Uden scope", facet_uuid: "${b.facets['org_unit_address_type']}", validity: {}}) { uuid } }`)).class_create.uuid;
  for (const type of [noScope, crypto.randomUUID()]) {
    assertKey(await mo.gql(`mutation { address_create(input: {org_unit: "${unit}", address_type: "${type}", value: "x", validity: {from: "2021-01-01"}}) { uuid } }`), 'V_MISSING_REQUIRED_VALUE');
  }
});

// mora/service/validation/validator.py _is_date_range_valid: valid_from >= valid_to → False (v29: `to` is exclusive,
// mora/util.py get_valid_to), so a zero-length window fails every range check a create runs
test('V_DATE_OUTSIDE_EMPL_RANGE / _ORG_UNIT_RANGE: a create with from == to (a zero-length validity)', async () => {
  const unit = await newUnit('2020-01-01');
  const day = '{from: "2021-01-01", to: "2021-01-01"}';
  assertKey(await mo.gql(`mutation { engagement_create(input: {person: "${person}", org_unit: "${unit}", engagement_type: "${b.engagementType}", job_function: "${b.jobFunction}", validity: ${day}}) { uuid } }`), 'V_DATE_OUTSIDE_EMPL_RANGE');
  assertKey(await mo.gql(`mutation { address_create(input: {org_unit: "${unit}", address_type: "${b.text}", value: "x", validity: ${day}}) { uuid } }`), 'V_DATE_OUTSIDE_ORG_UNIT_RANGE');
  assertKey(await mo.gql(`mutation { ituser_create(input: {person: "${person}", itsystem: "${b.itsystem}", user_key: "nul", validity: ${day}}) { uuid } }`), 'V_DATE_OUTSIDE_EMPL_RANGE');
  assertKey(await mo.gql(`mutation { manager_create(input: {org_unit: "${unit}", person: "${person}", manager_type: "${b.managerType}", manager_level: "${b.managerLevel}", responsibility: [], validity: ${day}}) { uuid } }`), 'V_DATE_OUTSIDE_EMPL_RANGE');
  assertKey(await mo.gql(`mutation { org_unit_create(input: {name: "Nul", parent: "${unit}", org_unit_type: "${b.unitType}", validity: ${day}}) { uuid } }`), 'V_DATE_OUTSIDE_ORG_UNIT_RANGE');
  // an update with from == to fails the range checks its kind runs on update (manager: its unit)
  const m = (await mo.ok(`mutation { manager_create(input: {org_unit: "${unit}", manager_type: "${b.managerType}", manager_level: "${b.managerLevel}", responsibility: [], validity: {from: "2021-01-01"}}) { uuid } }`)).manager_create.uuid;
  assertKey(await mo.gql(`mutation { manager_update(input: {uuid: "${m}", manager_level: "${b.managerLevel}", validity: {from: "2022-01-01", to: "2022-01-01"}}) { uuid } }`), 'V_DATE_OUTSIDE_ORG_UNIT_RANGE');
  // one day is [from, from + 1 day): taken
  assertOk(await mo.gql(`mutation { engagement_create(input: {person: "${person}", org_unit: "${unit}", engagement_type: "${b.engagementType}", job_function: "${b.jobFunction}", validity: {from: "2021-01-01", to: "2021-01-02"}}) { uuid } }`));
});

// mora/service/employee.py prepare_create: `if (not name) and (not givenname) and (not surname)`
test('V_MISSING_REQUIRED_VALUE: employee_create with both name parts empty; one part is enough', async () => {
  assertKey(await mo.gql(`mutation { employee_create(input: {given_name: "", surname: ""}) { uuid } }`), 'V_MISSING_REQUIRED_VALUE');
  assertOk(await mo.gql(`mutation { employee_create(input: {given_name: "Cher", surname: ""}) { uuid } }`));
});

// mora/graphapi/models.py ITUserCreate.validation: exactly one of person and org_unit
test('E_INVALID_INPUT: ituser_create with both person and org_unit (or neither)', async () => {
  const unit = await newUnit('2020-01-01');
  assertKey(await mo.gql(`mutation { ituser_create(input: {person: "${person}", org_unit: "${unit}", itsystem: "${b.itsystem}", user_key: "begge", validity: {from: "2021-01-01"}}) { uuid } }`), 'E_INVALID_INPUT');
  assertKey(await mo.gql(`mutation { ituser_create(input: {itsystem: "${b.itsystem}", user_key: "ingen", validity: {from: "2021-01-01"}}) { uuid } }`), 'E_INVALID_INPUT');
});

// mora/service/manager.py prepare_edit → validator.is_distinct_responsibility; models.py ManagerUpdate.to_handler_dict `if self.responsibility`
test('V_DUPLICATED_RESPONSIBILITY on manager_update (not on create); responsibility: [] keeps the old list', async () => {
  const unit = await newUnit('2020-01-01');
  const twice = `["${b.responsibility}", "${b.responsibility}"]`;
  assertOk(await mo.gql(`mutation { manager_create(input: {org_unit: "${unit}", manager_type: "${b.managerType}", manager_level: "${b.managerLevel}", responsibility: ${twice}, validity: {from: "2021-01-01"}}) { uuid } }`));
  const m = (await mo.ok(`mutation { manager_create(input: {org_unit: "${unit}", person: "${person}", manager_type: "${b.managerType}", manager_level: "${b.managerLevel}", responsibility: ["${b.responsibility}"], validity: {from: "2021-01-01"}}) { uuid } }`)).manager_create.uuid;
  const r = await mo.gql(`mutation { manager_update(input: {uuid: "${m}", person: "${person}", responsibility: ${twice}, validity: {from: "2022-01-01"}}) { uuid } }`);
  assertKey(r, 'V_DUPLICATED_RESPONSIBILITY');
  assert.equal(r.errors?.[0]?.extensions?.error_context?.duplicates, [b.responsibility]);
  assertOk(await mo.gql(`mutation { manager_update(input: {uuid: "${m}", person: "${person}", responsibility: [], validity: {from: "2022-01-01"}}) { uuid } }`));
  const data = await mo.ok(`{ managers(filter: {uuids: ["${m}"], from_date: null, to_date: null}) { objects { validities(start: null, end: null) { responsibility_uuids } } } }`);
  const lists = data.managers.objects[0].validities.map((v: { responsibility_uuids: string[] }) => v.responsibility_uuids);
  assert.equal(lists, [[b.responsibility]]);
});

// mora/service/orgunit.py prepare_edit `data[mapping.ORG_UNIT_TYPE]["uuid"]` with the null strip_unset keeps: a TypeError,
// which mora/graphapi/schema.py add_exception_extension passes on without error_context
test('org_unit_update with org_unit_type: null fails as MO does (a TypeError, no error key), nothing is written', async () => {
  const unit = await newUnit('2020-01-01', undefined, undefined, 'Uændret');
  const r = await mo.gql(`mutation { org_unit_update(input: {uuid: "${unit}", name: "Ændret", org_unit_type: null, validity: {from: "2021-01-01"}}) { uuid } }`);
  assert.is(r.data, null);
  assert.is(r.errors?.[0]?.message, "'NoneType' object is not subscriptable");
  assert.is(keyOf(r), undefined);
  const data = await mo.ok(`{ org_units(filter: {uuids: ["${unit}"], from_date: null, to_date: null}) { objects { validities(start: null, end: null) { name } } } }`);
  assert.equal(data.org_units.objects[0].validities.map((v: { name: string }) => v.name), ['Uændret']);
});

test.run();
