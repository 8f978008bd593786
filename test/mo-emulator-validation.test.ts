/** MO emulator over HTTP: validators and their error keys; `?force=1` changes nothing (as in MO's GraphQL). */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { seedBasics, startTestMo, type Basics, type GqlResult, type TestMo } from './helpers/mo.ts';

let mo: TestMo;
let b: Basics;
let unit: string;
let person: string;

test.before(async () => {
  mo = await startTestMo();
  b = await seedBasics(mo);
  unit = (await mo.ok(`mutation { org_unit_create(input: {name: "Enhed", org_unit_type: "${b.unitType}", validity: {from: "2020-01-01", to: "2030-01-01"}}) { uuid } }`)).org_unit_create.uuid;
  person = (await mo.ok(`mutation { employee_create(input: {given_name: "Carl", surname: "Dahl", cpr_number: "1503901234"}) { uuid } }`)).employee_create.uuid;
});
test.after(async () => {
  await mo.stop();
});

const keyOf = (r: GqlResult) => r.errors?.[0]?.extensions?.error_context?.error_key;

function assertError(r: GqlResult, key: string): void {
  assert.is(r.status, 200);
  assert.is(r.data, null, 'data must be null');
  assert.is(keyOf(r), key, JSON.stringify(r.errors));
  assert.is(r.errors?.[0]?.message, `ErrorCodes.${key}`);
  const context = r.errors?.[0]?.extensions?.error_context;
  assert.is(context?.['error'], true);
  assert.type(context?.['description'], 'string');
  assert.type(context?.['status'], 'number');
}

const engagement = (validity: string, extra = '') =>
  `mutation { engagement_create(input: {person: "${person}", org_unit: "${unit}", engagement_type: "${b.engagementType}", job_function: "${b.jobFunction}", validity: ${validity} ${extra}}) { uuid } }`;

test('V_EXISTING_CPR: the same CPR under another uuid; the same uuid may keep its CPR', async () => {
  const r = await mo.gql(`mutation { employee_create(input: {given_name: "X", surname: "Y", cpr_number: "1503901234"}) { uuid } }`);
  assertError(r, 'V_EXISTING_CPR');
  assert.is(r.errors?.[0]?.extensions?.error_context?.['status'], 409);
  const again = await mo.gql(`mutation { employee_create(input: {uuid: "${person}", given_name: "Carl", surname: "Dahl", cpr_number: "1503901234"}) { uuid } }`);
  assert.is(again.errors, undefined);
});

test('V_DUPLICATED_IT_USER never fires on GraphQL: an identical IT user is taken (mora/handler/impl/it.py is_graphql keys)', async () => {
  const create = (uuidPart = '') =>
    `mutation { ituser_create(input: {${uuidPart} person: "${person}", itsystem: "${b.itsystem}", user_key: "cd", validity: {from: "2021-01-01"}}) { uuid } }`;
  const first = await mo.ok(create());
  const second = await mo.gql(create());
  assert.is(second.errors, undefined, JSON.stringify(second.errors));
  assert.is.not(second.data.ituser_create.uuid, first.ituser_create.uuid);
  const again = await mo.gql(create(`uuid: "${first.ituser_create.uuid}",`));
  assert.is(again.errors, undefined, JSON.stringify(again.errors));
});

test('V_DATE_OUTSIDE_ORG_UNIT_RANGE: before the unit starts, past its end, child outside its parent', async () => {
  assertError(await mo.gql(engagement(`{from: "2019-12-01"}`)), 'V_DATE_OUTSIDE_ORG_UNIT_RANGE');
  assertError(await mo.gql(engagement(`{from: "2021-01-01"}`)), 'V_DATE_OUTSIDE_ORG_UNIT_RANGE'); // unit ends 2030
  assert.is((await mo.gql(engagement(`{from: "2021-01-01", to: "2030-01-01"}`))).errors, undefined);
  assertError(
    await mo.gql(`mutation { org_unit_create(input: {name: "Barn", parent: "${unit}", org_unit_type: "${b.unitType}", validity: {from: "2019-01-01", to: "2021-01-01"}}) { uuid } }`),
    'V_DATE_OUTSIDE_ORG_UNIT_RANGE',
  );
  // ?force=1 changes nothing on GraphQL (mora/graphapi/middleware.py clears the query arguments)
  assertError(await mo.gql(engagement(`{from: "2019-12-01"}`), undefined, { force: true }), 'V_DATE_OUTSIDE_ORG_UNIT_RANGE');
});

test('V_DATE_OUTSIDE_EMPL_RANGE: an engagement before the CPR birth date', async () => {
  const young = (await mo.ok(`mutation { employee_create(input: {given_name: "Ung", surname: "Person", cpr_number: "0101254321"}) { uuid } }`)).employee_create.uuid;
  const r = await mo.gql(`mutation { engagement_create(input: {person: "${young}", org_unit: "${unit}", engagement_type: "${b.engagementType}", job_function: "${b.jobFunction}", validity: {from: "2024-06-01", to: "2029-01-01"}}) { uuid } }`);
  assertError(r, 'V_DATE_OUTSIDE_EMPL_RANGE'); // born 2025-01-01 (7th digit 4, year 25 → 2025)
  const ok = await mo.gql(`mutation { engagement_create(input: {person: "${young}", org_unit: "${unit}", engagement_type: "${b.engagementType}", job_function: "${b.jobFunction}", validity: {from: "2025-01-01", to: "2029-01-01"}}) { uuid } }`);
  assert.is(ok.errors, undefined);
});

test('V_TERMINATE_UNIT_WITH_CHILDREN_AND_ROLES (and _CHILDREN): active children or roles at the date', async () => {
  const parent = (await mo.ok(`mutation { org_unit_create(input: {name: "Top", org_unit_type: "${b.unitType}", validity: {from: "2020-01-01"}}) { uuid } }`)).org_unit_create.uuid;
  const child = (await mo.ok(`mutation { org_unit_create(input: {name: "Under", parent: "${parent}", org_unit_type: "${b.unitType}", validity: {from: "2020-01-01"}}) { uuid } }`)).org_unit_create.uuid;
  await mo.ok(`mutation { engagement_create(input: {person: "${person}", org_unit: "${parent}", engagement_type: "${b.engagementType}", job_function: "${b.jobFunction}", validity: {from: "2020-01-01", to: "2024-01-01"}}) { uuid } }`);
  assertError(await mo.gql(`mutation { org_unit_terminate(input: {uuid: "${parent}", to: "2023-01-01"}) { uuid } }`), 'V_TERMINATE_UNIT_WITH_CHILDREN_AND_ROLES');
  // after the engagement ended only the child remains
  assertError(await mo.gql(`mutation { org_unit_terminate(input: {uuid: "${parent}", to: "2024-06-01"}) { uuid } }`), 'V_TERMINATE_UNIT_WITH_CHILDREN');
  // terminate the child first, then the parent at the same date
  const both = await mo.gql(`mutation {
    c: org_unit_terminate(input: {uuid: "${child}", to: "2024-06-01"}) { uuid }
    p: org_unit_terminate(input: {uuid: "${parent}", to: "2024-06-01"}) { uuid } }`);
  assert.is(both.errors, undefined, JSON.stringify(both.errors));
});

// mora/service/orgunit.py prepare_edit, mora/graphapi/org_unit.py terminate_org_unit_validation → validator.is_date_range_in_org_unit_range
test('E_NOT_FOUND / E_ORG_UNIT_NOT_FOUND: update and terminate of an unknown uuid', async () => {
  const missing = '11111111-2222-4333-8444-555555555555';
  assertError(await mo.gql(`mutation { employee_update(input: {uuid: "${missing}", given_name: "x", validity: {from: "2020-01-01"}}) { uuid } }`), 'E_NOT_FOUND');
  assertError(await mo.gql(`mutation { engagement_terminate(input: {uuid: "${missing}", to: "2020-01-01"}) { uuid } }`), 'E_NOT_FOUND');
  assertError(await mo.gql(`mutation { org_unit_update(input: {uuid: "${missing}", name: "x", validity: {from: "2020-01-01"}}) { uuid } }`), 'E_ORG_UNIT_NOT_FOUND');
  assertError(await mo.gql(`mutation { org_unit_terminate(input: {uuid: "${missing}", to: "2020-01-01"}) { uuid } }`), 'E_ORG_UNIT_NOT_FOUND');
});

test('E_INVALID_INPUT: engagement without person, from after to, date not at midnight', async () => {
  assertError(
    await mo.gql(`mutation { engagement_create(input: {org_unit: "${unit}", engagement_type: "${b.engagementType}", job_function: "${b.jobFunction}", validity: {from: "2021-01-01", to: "2022-01-01"}}) { uuid } }`),
    'E_INVALID_INPUT',
  );
  assertError(await mo.gql(engagement(`{from: "2022-01-01", to: "2021-01-01"}`)), 'E_INVALID_INPUT');
  assertError(await mo.gql(engagement(`{from: "2022-01-01T08:00:00+01:00", to: "2023-01-01"}`)), 'E_INVALID_INPUT');
  assertError(
    await mo.gql(`mutation { org_unit_create(input: {name: "x", parent: "99999999-2222-4333-8444-555555555555", org_unit_type: "${b.unitType}", validity: {from: "2021-01-01"}}) { uuid } }`),
    'E_ORG_UNIT_NOT_FOUND',
  );
  // a CPR number with an impossible date is not a valid CPR scalar (validation error, no key)
  const cpr = await mo.gql(`mutation { employee_create(input: {given_name: "x", surname: "y", cpr_number: "3102901234"}) { uuid } }`);
  assert.is(cpr.data, null);
  assert.ok(cpr.errors?.length);
});

test('address values are checked by the address type scope, also with ?force=1', async () => {
  const address = (type: string, value: string) =>
    `mutation { address_create(input: {person: "${person}", address_type: "${type}", value: "${value}", validity: {from: "2021-01-01"}}) { uuid } }`;
  assertError(await mo.gql(address(b.email, 'not-an-email')), 'V_INVALID_ADDRESS_EMAIL');
  assertError(await mo.gql(address(b.phone, '12 34 56 ab')), 'V_INVALID_ADDRESS_PHONE');
  const unitAddress = (type: string, value: string) =>
    `mutation { address_create(input: {org_unit: "${unit}", address_type: "${type}", value: "${value}", validity: {from: "2021-01-01", to: "2029-01-01"}}) { uuid } }`;
  assertError(await mo.gql(unitAddress(b.ean, '123')), 'V_INVALID_ADDRESS_EAN');
  assert.is((await mo.gql(address(b.email, 'carl@example.dk'))).errors, undefined);
  assert.is((await mo.gql(address(b.phone, '+4512345678'))).errors, undefined);
  assert.is((await mo.gql(unitAddress(b.text, 'anything at all'))).errors, undefined);
  assertError(await mo.gql(address(b.email, 'not-an-email'), undefined, { force: true }), 'V_INVALID_ADDRESS_EMAIL');
  // an address needs exactly one of org_unit / person
  assertError(
    await mo.gql(`mutation { address_create(input: {address_type: "${b.email}", value: "a@b.dk", validity: {from: "2021-01-01"}}) { uuid } }`),
    'E_INVALID_INPUT',
  );
});

test('errors are counted by key in /metrics', async () => {
  const text = await (await fetch(`${mo.emu.url}/metrics`)).text();
  assert.match(text, /^mo_emulator_errors_total\{error_key="V_EXISTING_CPR"\} 1$/m);
  assert.match(text, /^mo_emulator_errors_total\{error_key="V_INVALID_ADDRESS_EMAIL"\} 2$/m);
});

test.run();
