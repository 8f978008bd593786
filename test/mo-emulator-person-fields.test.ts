/**
 * What MO's updates ignore of a person (issue 16, audit K1/K2), each test citing the OS2mo source
 * (github OS2mo/os2mo at d0aa3718) it imitates: the emulator answers as MO does.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { seedBasics, startTestMo, type Basics, type GqlResult, type TestMo } from './helpers/mo.ts';

let mo: TestMo;
let b: Basics;
/** born 1990-03-15, 1950-01-01 and 2010-01-01 */
let p1990: string, p1950: string, p2010: string;

test.before(async () => {
  mo = await startTestMo();
  b = await seedBasics(mo);
  const d = await mo.ok(`mutation {
    a: employee_create(input: {given_name: "Carl", surname: "Dahl", cpr_number: "1503901234"}) { uuid }
    b: employee_create(input: {given_name: "Ella", surname: "Eriksen", cpr_number: "0101501234"}) { uuid }
    c: employee_create(input: {given_name: "Finn", surname: "Frost", cpr_number: "0101104234"}) { uuid } }`);
  p1990 = d.a.uuid;
  p1950 = d.b.uuid;
  p2010 = d.c.uuid;
});
test.after(async () => {
  await mo.stop();
});

const keyOf = (r: GqlResult) => r.errors?.[0]?.extensions?.error_context?.error_key;
const assertOk = (r: GqlResult) => assert.is(r.errors, undefined, JSON.stringify(r.errors));

async function engagementOn(person: string, from: string): Promise<string> {
  const unit = (await mo.ok(`mutation { org_unit_create(input: {name: "E", user_key: "E", org_unit_type: "${b.unitType}", validity: {from: "1900-01-01"}}) { uuid } }`)).org_unit_create.uuid;
  return (await mo.ok(`mutation { engagement_create(input: {person: "${person}", org_unit: "${unit}", engagement_type: "${b.engagementType}", job_function: "${b.jobFunction}", user_key: "E1", validity: {from: "${from}"}}) { uuid } }`)).engagement_create.uuid;
}

async function engagementPeriods(uuid: string): Promise<string[]> {
  const data = await mo.ok<{ engagements: { objects: { validities: { user_key: string; employee_uuid: string; validity: { from: string } }[] }[] } }>(
    `{ engagements(filter: {uuids: ["${uuid}"], from_date: null, to_date: null}) { objects { validities(start: null, end: null) { user_key employee_uuid validity { from } } } } }`,
  );
  return data.engagements.objects[0]!.validities.map((v) => `${v.validity.from.slice(0, 10)} ${v.user_key} ${v.employee_uuid}`);
}

// mora/service/engagement.py EngagementRequestHandler.prepare_edit: reads user_key, job_function,
// engagement_type, org_unit, primary, fraction and extensions from the request, never `person`
// (EngagementUpdate.to_handler_dict passes it on); USER_FIELD is kept from the original by ensure_bounds
test('engagement_update ignores person: the engagement stays on its person, the other fields change', async () => {
  const e = await engagementOn(p1990, '2021-01-01');
  assertOk(await mo.gql(`mutation { engagement_update(input: {uuid: "${e}", person: "${p1950}", user_key: "E2", validity: {from: "2022-01-01"}}) { uuid } }`));
  assert.equal(await engagementPeriods(e), [`2021-01-01 E1 ${p1990}`, `2022-01-01 E2 ${p1990}`]);
  // `employee` (the deprecated alias) likewise
  assertOk(await mo.gql(`mutation { engagement_update(input: {uuid: "${e}", employee: "${p1950}", user_key: "E3", validity: {from: "2023-01-01"}}) { uuid } }`));
  assert.equal((await engagementPeriods(e)).at(-1), `2023-01-01 E3 ${p1990}`);
});

// prepare_edit: `is_date_range_in_employee_range({"uuid": employee_uuid}, ...)` with employee_uuid
// = mapping.USER_FIELD.get_uuid(original): the ORIGINAL person's range, whatever `person` says
test('V_DATE_OUTSIDE_EMPL_RANGE on engagement_update: checked against the engagement\'s own person, not the given one', async () => {
  const e = await engagementOn(p1990, '2000-01-01');
  // before the new person's birth (2010), within the engagement's person's (1990): MO takes it
  assertOk(await mo.gql(`mutation { engagement_update(input: {uuid: "${e}", person: "${p2010}", user_key: "X", validity: {from: "2005-01-01"}}) { uuid } }`));
  assert.is((await engagementPeriods(e)).at(-1), `2005-01-01 X ${p1990}`);
  // before the engagement's person's birth (1990), within the given person's (1950): MO refuses it
  const r = await mo.gql(`mutation { engagement_update(input: {uuid: "${e}", person: "${p1950}", user_key: "Y", validity: {from: "1985-01-01"}}) { uuid } }`);
  assert.is(keyOf(r), 'V_DATE_OUTSIDE_EMPL_RANGE', JSON.stringify(r.errors));
});

// prepare_edit never looks the given person up: an unknown uuid is no error, and an update that
// gives only `person` changes nothing (alone it is taken; in a request of several it fails them all,
// see test/mo-client-resend.test.ts on no-op writes)
test('engagement_update with an unknown person is not refused; one that gives only a person changes nothing', async () => {
  const e = await engagementOn(p1990, '2021-01-01');
  const before = await engagementPeriods(e);
  assertOk(await mo.gql(`mutation { engagement_update(input: {uuid: "${e}", person: "00000000-0000-0000-0000-00000000dead", validity: {from: "2022-01-01"}}) { uuid } }`));
  assert.equal(await engagementPeriods(e), before);
  const r = await mo.gql(`mutation {
    a: engagement_update(input: {uuid: "${e}", person: "${p1950}", validity: {from: "2022-01-01"}}) { uuid }
    b: engagement_update(input: {uuid: "${e}", user_key: "Z", validity: {from: "2023-01-01"}}) { uuid } }`);
  assert.is(keyOf(r), 'E_UNKNOWN', 'a no-op in a request of several fails the request');
  assert.equal(await engagementPeriods(e), before, 'nothing of the failed request is written');
});

async function names(uuid: string): Promise<string[]> {
  const data = await mo.ok<{ persons: { objects: { validities: { given_name: string; surname: string; nickname_given_name: string | null; validity: { from: string } }[] }[] } }>(
    `{ persons(filter: {uuids: ["${uuid}"], from_date: null, to_date: null}) { objects { validities(start: null, end: null) { given_name surname nickname_given_name validity { from } } } } }`,
  );
  return data.persons.objects[0]!.validities.map((v) => `${v.validity.from.slice(0, 10)} [${v.given_name}] [${v.surname}]${v.nickname_given_name != null ? ` nick [${v.nickname_given_name}]` : ''}`);
}

// mora/service/employee.py EmployeeRequestHandler.prepare_edit: `if givenname:` / `if surname:`
// (an empty one is not written); nicknames are written when `is not None`, so "" clears them
test('employee_update skips an empty given_name or surname: MO keeps the value; an empty nickname is written', async () => {
  const p = (await mo.ok(`mutation { employee_create(input: {given_name: "Anna", surname: "Hansen", nickname_given_name: "Annie", cpr_number: "0202801234"}) { uuid } }`)).employee_create.uuid;
  assertOk(await mo.gql(`mutation { employee_update(input: {uuid: "${p}", given_name: "Madonna", surname: "", validity: {from: "2024-01-01"}}) { uuid } }`));
  assert.equal(await names(p), ['1980-02-02 [Anna] [Hansen] nick [Annie]', '2024-01-01 [Madonna] [Hansen] nick [Annie]']);
  assertOk(await mo.gql(`mutation { employee_update(input: {uuid: "${p}", given_name: "", surname: "Berg", nickname_given_name: "", validity: {from: "2025-01-01"}}) { uuid } }`));
  assert.equal((await names(p)).at(-1), '2025-01-01 [Madonna] [Berg] nick []');
  // an update whose only change is an empty surname changes nothing: in a request of several it fails them all
  const r = await mo.gql(`mutation {
    a: employee_update(input: {uuid: "${p}", given_name: "Madonna", surname: "", validity: {from: "2025-01-01"}}) { uuid }
    b: employee_update(input: {uuid: "${p}", given_name: "Mona", validity: {from: "2026-01-01"}}) { uuid } }`);
  assert.is(keyOf(r), 'E_UNKNOWN', JSON.stringify(r.errors));
});

// prepare_create: one empty part is stored as it is; `if (not name) and (not givenname) and (not surname)`:
// V_MISSING_REQUIRED_VALUE
test('employee_create takes one empty name part (stored empty); both empty is V_MISSING_REQUIRED_VALUE', async () => {
  const p = (await mo.ok(`mutation { employee_create(input: {given_name: "Madonna", surname: "", cpr_number: "0303801234"}) { uuid } }`)).employee_create.uuid;
  assert.equal(await names(p), ['1980-03-03 [Madonna] []']);
  const r = await mo.gql(`mutation { employee_create(input: {given_name: "", surname: "", cpr_number: "0404801234"}) { uuid } }`);
  assert.is(keyOf(r), 'V_MISSING_REQUIRED_VALUE', JSON.stringify(r.errors));
  assert.is(r.data, null);
});

test.run();
