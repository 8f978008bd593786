/**
 * The importer within MO's rules (issue 16), end to end: purpose-made LOS files → the real CLI →
 * the MO emulator over HTTP, with every MO check on (no `force`), read back with GraphQL.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { cliP as cli, sandbox } from './helpers/cli.ts';
import { startTestMo, type TestMo } from './helpers/mo.ts';
import { gen } from '../src/uuid.ts';
import { loadSeed } from '../src/seed.ts';
import { Store } from '../src/mo-emulator/store.ts';

const ORG_HEADER = 'OrgUUID;BrugervendtNøgle;OrgEnhedsNavn;OrgEnhedsTypeUUID;ParentUUID;Med-i-LinjeOrg;LOSID;CVR;EAN;P-Nr;SE-Nr;IntDebitor-Nr;MagID;PostAdresse;StartDato;SlutDato';
const PERS_HEADER = 'UUID;BrugervendtNøgle;CPR;CPRNavn;StartTid;SlutTid;Email;PrimærAnsættelse;OrgenhedUUID;EngagementTypeUUID;StillingsBetegnelseUUID;AZID;ADITSystemUUID;ADkonto;ADkontoUUID';
const AFDELING = '17c7db5e-29d9-4c02-8836-6b236102112a';
const MAANEDSLOENNET = '417f6a6d-71f7-f0e0-ea03-38f98b58fcd1';
const DIREKTOER = 'f57179d8-15de-3ca0-dc08-6f12370e018b';
const u = (n: number) => `16000000-0000-0000-0000-${String(n).padStart(12, '0')}`;

interface OrgRow { uuid: string; key: string; name: string; parent: string; type?: string; los?: string; ean?: string; pnr?: string; start: string; end?: string }
const orgLine = (r: OrgRow) =>
  [r.uuid, r.key, r.name, r.type ?? AFDELING, r.parent, '', r.los ?? '', '', r.ean ?? '', r.pnr ?? '', '', '', '', '', r.start, r.end ?? '31-12-9999'].join(';');
interface PersRow { uuid: string; cpr: string; name: string; start: string; email?: string; unit: string }
const persLine = (r: PersRow) => [r.uuid, r.cpr, r.cpr, r.name, r.start, '31-12-9999', r.email ?? '', 'Ja', r.unit, MAANEDSLOENNET, DIREKTOER, '', '', '', ''].join(';');

type Run = (...args: string[]) => Promise<{ code: number; stdout: string; stderr: string; report: any }>;

async function withMo(fn: (ctx: { mo: TestMo; run: Run; write: (name: string, header: string, lines: string[]) => void }) => Promise<void>) {
  const box = sandbox('los2mo-mo-rules-');
  for (const f of readdirSync(box.los)) if (!f.startsWith('STAM_')) rmSync(path.join(box.los, f));
  const mo = await startTestMo();
  const env = box.env({ MO_URL: mo.emu.url, CLIENT_SECRET: 'test-secret' });
  let n = 0;
  const run: Run = async (...args) => {
    const report = path.join(box.dir, `report-${++n}.json`);
    const r = await cli(['workflow', 'import.yaml', '--report', report, ...args], env);
    return { ...r, report: existsSync(report) ? JSON.parse(readFileSync(report, 'utf8')) : null };
  };
  const write = (name: string, header: string, lines: string[]) => writeFileSync(path.join(box.los, name), '\uFEFF' + [header, ...lines].join('\r\n') + '\r\n');
  try {
    await fn({ mo, run, write });
  } finally {
    await mo.stop();
    box.cleanup();
  }
}

/** A phone number typed into MO by hand on a unit (from 2021-01-01). */
async function handTypedPhone(mo: TestMo, unit: string): Promise<string> {
  const phoneType = loadSeed().classUuid('org_unit_address_type', 'UnitPhone');
  return (await mo.ok(`mutation { address_create(input: {org_unit: "${unit}", address_type: "${phoneType}", value: "87130000", validity: {from: "2021-01-01"}}) { uuid } }`)).address_create.uuid;
}

/** A person another system created in MO. */
async function otherSystemPerson(mo: TestMo): Promise<string> {
  return (await mo.ok(`mutation { employee_create(input: {given_name: "Anne", surname: "Andersen", cpr_number: "0101801234"}) { uuid } }`)).employee_create.uuid;
}

/**
 * The blocker tests' set-up: a unit AFD (with its LOSID address and a phone typed by hand) that an
 * Org_ret ends from 2024-07-01, beside a unit AND the same file renames, and a person of another
 * system; `state()` reads back AFD's end, AND's name and the ends of AFD's two addresses.
 */
async function closingUnit(mo: TestMo, run: Run, write: (name: string, header: string, lines: string[]) => void) {
  const top = u(1), unit = u(2), other = u(3);
  write('Org_inital_20240101_000000.csv', ORG_HEADER, [
    orgLine({ uuid: top, key: 'TOP', name: 'Top', parent: top, start: '01-01-2020' }),
    orgLine({ uuid: unit, key: 'AFD', name: 'Afdeling', parent: top, start: '01-01-2020', los: '2' }),
    orgLine({ uuid: other, key: 'AND', name: 'Anden', parent: top, start: '01-01-2020' }),
  ]);
  assert.is((await run()).code, 0);
  const phone = await handTypedPhone(mo, unit);
  const person = await otherSystemPerson(mo);
  write('Org_ret_20240701_000000.csv', ORG_HEADER, [
    orgLine({ uuid: unit, key: 'AFD', name: 'Afdeling', parent: top, start: '01-01-2020', end: '30-06-2024', los: '2' }),
    orgLine({ uuid: other, key: 'AND', name: 'Anden omdøbt', parent: top, start: '01-01-2020' }),
  ]);
  const state = async () => {
    const data = await mo.ok<{ org_units: { objects: { uuid: string; validities: { name: string; validity: { to: string | null } }[] }[] }; addresses: { objects: { uuid: string; validities: { validity: { to: string | null } }[] }[] } }>(
      `{ org_units(filter: {uuids: ["${unit}", "${other}"], from_date: null, to_date: null}) { objects { uuid validities(start: null, end: null) { name validity { to } } } }
         addresses(filter: {org_unit: {uuids: ["${unit}"]}, from_date: null, to_date: null}) { objects { uuid validities(start: null, end: null) { validity { to } } } } }`,
    );
    const last = (uuid: string) => data.org_units.objects.find((o) => o.uuid === uuid)!.validities.at(-1)!;
    const ends = new Map(data.addresses.objects.map((o) => [o.uuid, o.validities.at(-1)!.validity.to?.slice(0, 10) ?? null]));
    return { unitEnd: last(unit).validity.to?.slice(0, 10) ?? null, otherName: last(other).name, phone: ends.get(phone), los: ends.get(gen('AAK', `${unit}los`)) };
  };
  return { unit, other, person, state };
}

async function addressValues(mo: TestMo, uuids: string[]): Promise<Map<string, string>> {
  const data = await mo.ok<{ addresses: { objects: { uuid: string; validities: { value: string }[] }[] } }>(
    `query($u: [UUID!]) { addresses(filter: { uuids: $u, from_date: null, to_date: null }) { objects { uuid validities(start: null, end: null) { value } } } }`,
    { u: uuids },
  );
  return new Map(data.addresses.objects.map((o) => [o.uuid, o.validities.map((v) => v.value).join('|')]));
}

test('address values MO would refuse (EAN, P-number, Email) are skipped with a FILE:LINE:COLUMN warning; the rest is imported', () =>
  withMo(async ({ mo, run, write }) => {
    const top = u(1), unit = u(2);
    write('Org_inital_20240101_000000.csv', ORG_HEADER, [
      orgLine({ uuid: top, key: 'TOP', name: 'Top', parent: top, start: '01-01-2020', los: '1' }),
      orgLine({ uuid: unit, key: 'AFD', name: 'Afdeling', parent: top, start: '01-01-2020', los: '2', ean: '579800012345', pnr: '1001234567' }),
    ]);
    write('Pers_nye_20240101_000000.csv', PERS_HEADER, [
      persLine({ uuid: u(100), cpr: '1503901234', name: 'Jens Hansen', start: '01-01-2021', email: 'jens..hansen@aarhus.dk', unit }),
      persLine({ uuid: u(101), cpr: '1604901234', name: 'Mette Larsen', start: '01-01-2021', email: 'mette.larsen@aarhus.dk', unit }),
    ]);
    const r = await run();
    assert.is(r.code, 0, r.stderr);
    const warnings: string[] = r.report.warnings;
    // EAN is column 9 of line 3; Email is column 7 of line 2
    assert.ok(warnings.some((w) => w.startsWith('Org_inital_20240101_000000.csv:3:9: EAN "579800012345"') && w.includes('V_INVALID_ADDRESS_EAN')), warnings.join('\n'));
    assert.ok(warnings.some((w) => w.startsWith('Pers_nye_20240101_000000.csv:2:7: Email "jens..hansen@aarhus.dk"') && w.includes('V_INVALID_ADDRESS_EMAIL')), warnings.join('\n'));
    assert.not.ok(warnings.some((w) => w.includes('1001234567')), 'a valid P-number is not warned about');
    const values = await addressValues(mo, [gen('AAK', `${unit}ean`), gen('AAK', `${unit}pnr`), gen('AAK', `${unit}los`)]);
    assert.is(values.get(gen('AAK', `${unit}ean`)), undefined, 'the bad EAN is not written');
    assert.is(values.get(gen('AAK', `${unit}pnr`)), '1001234567');
    assert.is(values.get(gen('AAK', `${unit}los`)), '2');
    // both persons and engagements are imported; only Mette has an e-mail address
    const persons = await mo.ok<{ persons: { objects: { uuid: string }[] } }>(`{ persons(filter: {cpr_numbers: ["1503901234", "1604901234"]}) { objects { uuid } } }`);
    assert.is(persons.persons.objects.length, 2);
    const engagements = await mo.ok<{ engagements: { objects: { uuid: string }[] } }>(`{ engagements(filter: {org_unit: {uuids: ["${unit}"]}}) { objects { uuid } } }`);
    assert.is(engagements.engagements.objects.length, 2);
    const emails = await mo.ok<{ addresses: { objects: { current: { value: string } }[] } }>(`{ addresses(filter: {address_type: {user_keys: ["EmailEmployee"]}}) { objects { current { value } } } }`);
    assert.equal(emails.addresses.objects.map((o) => o.current.value), ['mette.larsen@aarhus.dk']);
  }));

test('org_unit_update: an Org_ret with an empty OrgEnhedsNavn keeps MO\'s names, also across a rename MO has planned', () =>
  withMo(async ({ mo, run, write }) => {
    const top = u(1), unit = u(2);
    write('Org_inital_20240101_000000.csv', ORG_HEADER, [
      orgLine({ uuid: top, key: 'TOP', name: 'Top', parent: top, start: '01-01-2020' }),
      orgLine({ uuid: unit, key: 'AFD', name: 'Gammel', parent: top, start: '01-01-2020' }),
    ]);
    assert.is((await run()).code, 0);
    // someone plans a rename in MO from 2025
    await mo.ok(`mutation { org_unit_update(input: {uuid: "${unit}", name: "Ny", user_key: "AFD", validity: {from: "2025-01-01"}}) { uuid } }`);
    // the delivery changes the type from 2024-07-01 and leaves the name empty (= keep MO's)
    const KOMMUNE = '2b1c8965-9ec8-e499-8d93-f72b1410480d';
    write('Org_ret_20240701_000000.csv', ORG_HEADER, [orgLine({ uuid: unit, key: 'AFD', name: '', parent: top, type: KOMMUNE, start: '01-01-2020' })]);
    const r = await run();
    assert.is(r.code, 0, r.stderr);
    const data = await mo.ok<{ org_units: { objects: { validities: { name: string; unit_type_uuid: string; validity: { from: string } }[] }[] } }>(
      `{ org_units(filter: {uuids: ["${unit}"], from_date: null, to_date: null}) { objects { validities(start: null, end: null) { name unit_type_uuid validity { from } } } } }`,
    );
    const periods = data.org_units.objects[0]!.validities.map((v) => `${v.validity.from.slice(0, 10)} ${v.name} ${v.unit_type_uuid === KOMMUNE ? 'Kommune' : 'Afdeling'}`);
    assert.equal(periods, ['2020-01-01 Gammel Afdeling', '2024-07-01 Gammel Kommune', '2025-01-01 Ny Kommune']);
  }));

test('V_TERMINATE_UNIT_WITH_ROLES: a unit\'s end first ends the addresses the delivery does not plan (one typed into MO by hand)', () =>
  withMo(async ({ mo, run, write }) => {
    const top = u(1), unit = u(2);
    write('Org_inital_20240101_000000.csv', ORG_HEADER, [
      orgLine({ uuid: top, key: 'TOP', name: 'Top', parent: top, start: '01-01-2020' }),
      orgLine({ uuid: unit, key: 'AFD', name: 'Afdeling', parent: top, start: '01-01-2020', los: '2' }),
    ]);
    assert.is((await run()).code, 0);
    const phone = await handTypedPhone(mo, unit);
    write('Org_ret_20240701_000000.csv', ORG_HEADER, [orgLine({ uuid: unit, key: 'AFD', name: 'Afdeling', parent: top, start: '01-01-2020', end: '30-06-2024', los: '2' })]);
    const r = await run();
    assert.is(r.code, 0, r.stderr + r.stdout);
    const data = await mo.ok<{ org_units: { objects: { validities: { validity: { to: string | null } }[] }[] }; addresses: { objects: { uuid: string; validities: { validity: { to: string | null } }[] }[] } }>(
      `{ org_units(filter: {uuids: ["${unit}"], from_date: null, to_date: null}) { objects { validities(start: null, end: null) { validity { to } } } }
         addresses(filter: {org_unit: {uuids: ["${unit}"]}, from_date: null, to_date: null}) { objects { uuid validities(start: null, end: null) { validity { to } } } } }`,
    );
    assert.equal(data.org_units.objects[0]!.validities.map((v) => v.validity.to?.slice(0, 10)), ['2024-07-01']);
    const ends = new Map(data.addresses.objects.map((o) => [o.uuid, o.validities.at(-1)!.validity.to?.slice(0, 10)]));
    assert.is(ends.get(phone), '2024-07-01', 'the hand-typed phone number ends with its unit');
    assert.is(ends.get(gen('AAK', `${unit}los`)), '2024-07-01');
  }));

test('V_TERMINATE_UNIT_WITH_ROLES: another system\'s engagement blocks a unit\'s end: one error naming both, the rest written, retried next run', () =>
  withMo(async ({ mo, run, write }) => {
    const top = u(1), unit = u(2), other = u(3);
    write('Org_inital_20240101_000000.csv', ORG_HEADER, [
      orgLine({ uuid: top, key: 'TOP', name: 'Top', parent: top, start: '01-01-2020' }),
      orgLine({ uuid: unit, key: 'AFD', name: 'Afdeling', parent: top, start: '01-01-2020' }),
      orgLine({ uuid: other, key: 'AND', name: 'Anden', parent: top, start: '01-01-2020' }),
    ]);
    assert.is((await run()).code, 0);
    const person = await otherSystemPerson(mo);
    const engagement = (await mo.ok(`mutation { engagement_create(input: {person: "${person}", org_unit: "${unit}", engagement_type: "${MAANEDSLOENNET}", job_function: "${DIREKTOER}", user_key: "andet-system", validity: {from: "2021-01-01"}}) { uuid } }`)).engagement_create.uuid;
    write('Org_ret_20240701_000000.csv', ORG_HEADER, [
      orgLine({ uuid: unit, key: 'AFD', name: 'Afdeling', parent: top, start: '01-01-2020', end: '30-06-2024' }),
      orgLine({ uuid: other, key: 'AND', name: 'Anden omdøbt', parent: top, start: '01-01-2020' }),
    ]);
    const r = await run();
    assert.is(r.code, 1, r.stderr);
    const text = r.stderr + r.stdout;
    assert.match(text, `Org_ret_20240701_000000.csv:2: org unit ${unit} (AFD) cannot be ended from 2024-07-01`);
    assert.match(text, `engagement ${engagement} (andet-system)`);
    const names = async () => (await mo.ok<{ org_units: { objects: { uuid: string; validities: { name: string; validity: { to: string | null } }[] }[] } }>(
      `{ org_units(filter: {uuids: ["${unit}", "${other}"], from_date: null, to_date: null}) { objects { uuid validities(start: null, end: null) { name validity { to } } } } }`,
    )).org_units.objects;
    let objects = await names();
    assert.is(objects.find((o) => o.uuid === other)!.validities.at(-1)!.name, 'Anden omdøbt', 'the rest of the file is written');
    assert.is(objects.find((o) => o.uuid === unit)!.validities.at(-1)!.validity.to, null, 'the blocked unit is not ended');
    // the other system ends its engagement; the next run (the same files: the state was not advanced) ends the unit
    await mo.ok(`mutation { engagement_terminate(input: {uuid: "${engagement}", to: "2024-07-01"}) { uuid } }`);
    const again = await run();
    assert.is(again.code, 0, again.stderr);
    objects = await names();
    assert.is(objects.find((o) => o.uuid === unit)!.validities.at(-1)!.validity.to?.slice(0, 10), '2024-07-01');
  }));

test('a blocked unit end keeps the unit whole: its hand-typed phone and its own LOSID address stay open until the end is written', () =>
  withMo(async ({ mo, run, write }) => {
    const top = u(1), unit = u(2);
    write('Org_inital_20240101_000000.csv', ORG_HEADER, [
      orgLine({ uuid: top, key: 'TOP', name: 'Top', parent: top, start: '01-01-2020' }),
      orgLine({ uuid: unit, key: 'AFD', name: 'Afdeling', parent: top, start: '01-01-2020', los: '2' }),
    ]);
    assert.is((await run()).code, 0);
    const phone = await handTypedPhone(mo, unit);
    const person = await otherSystemPerson(mo);
    const engagement = (await mo.ok(`mutation { engagement_create(input: {person: "${person}", org_unit: "${unit}", engagement_type: "${MAANEDSLOENNET}", job_function: "${DIREKTOER}", user_key: "andet-system", validity: {from: "2021-01-01"}}) { uuid } }`)).engagement_create.uuid;
    write('Org_ret_20240701_000000.csv', ORG_HEADER, [orgLine({ uuid: unit, key: 'AFD', name: 'Afdeling', parent: top, start: '01-01-2020', end: '30-06-2024', los: '2' })]);
    const ends = async () => {
      const data = await mo.ok<{ org_units: { objects: { validities: { validity: { to: string | null } }[] }[] }; addresses: { objects: { uuid: string; validities: { value: string; validity: { to: string | null } }[] }[] } }>(
        `{ org_units(filter: {uuids: ["${unit}"], from_date: null, to_date: null}) { objects { validities(start: null, end: null) { validity { to } } } }
           addresses(filter: {org_unit: {uuids: ["${unit}"]}, from_date: null, to_date: null}) { objects { uuid validities(start: null, end: null) { value validity { to } } } } }`,
      );
      const end = (v: { validity: { to: string | null } } | undefined) => v?.validity.to?.slice(0, 10) ?? null;
      return { unit: end(data.org_units.objects[0]!.validities.at(-1)), addresses: new Map(data.addresses.objects.map((o) => [o.uuid, `${o.validities.at(-1)!.value} ${end(o.validities.at(-1))}`])) };
    };
    const r = await run();
    assert.is(r.code, 1, r.stderr);
    assert.match(r.stderr + r.stdout, `org unit ${unit} (AFD) cannot be ended from 2024-07-01: MO still has active in it engagement ${engagement} (andet-system)`);
    let now = await ends();
    assert.is(now.unit, null, 'the blocked unit is not ended');
    assert.is(now.addresses.get(phone), '87130000 null', 'the hand-typed phone is not ended while its unit stays');
    assert.is(now.addresses.get(gen('AAK', `${unit}los`)), '2 null', 'the unit\'s own LOSID address is not ended while its unit stays');
    // the blocker goes; the next run (the same files) ends the unit and both addresses with it
    await mo.ok(`mutation { engagement_terminate(input: {uuid: "${engagement}", to: "2024-07-01"}) { uuid } }`);
    const again = await run();
    assert.is(again.code, 0, again.stderr);
    now = await ends();
    assert.is(now.unit, '2024-07-01');
    assert.is(now.addresses.get(phone), '87130000 2024-07-01');
    assert.is(now.addresses.get(gen('AAK', `${unit}los`)), '2 2024-07-01');
  }));

test('V_TERMINATE_UNIT_WITH_ROLES: another system\'s association, KLE and related unit are read before writing: the unit and its hand-typed phone stay whole, retried next run', () =>
  withMo(async ({ mo, run, write }) => {
    const { unit, other, person, state } = await closingUnit(mo, run, write);
    // another system's association, KLE and related unit (MO's own kinds, written into its database)
    const blockers = { association: crypto.randomUUID(), kle: crypto.randomUUID(), related: crypto.randomUUID() };
    const put = (to: string) => {
      const store = new Store(mo.dbPath);
      try {
        const save = (kind: 'association' | 'kle' | 'related_unit', uuid: string, data: Record<string, unknown>) => store.save(kind, uuid, [{ from: '2021-01-01', to, data }], data);
        save('association', blockers.association, { user_key: 'tilknytning', person, org_unit: unit });
        save('kle', blockers.kle, { user_key: '00.01', org_unit: unit });
        save('related_unit', blockers.related, { user_key: 'AND <-> AFD', org_units: [other, unit] });
      } finally {
        store.close();
      }
    };
    put('infinity');
    const r = await run();
    assert.is(r.code, 1, r.stderr + r.stdout);
    const text = r.stderr + r.stdout;
    assert.match(text, `Org_ret_20240701_000000.csv:2: org unit ${unit} (AFD) cannot be ended from 2024-07-01: MO still has active in it`);
    for (const named of [`association ${blockers.association} (tilknytning)`, `KLE ${blockers.kle} (00.01)`, `related unit ${blockers.related} (AND <-> AFD)`]) assert.match(text, named);
    assert.not.match(text, 'Tilknytning', 'found before writing, not refused by MO');
    let now = await state();
    assert.equal(now, { unitEnd: null, otherName: 'Anden omdøbt', phone: null, los: null }, 'the rest is written; the unit and both its addresses stay whole');
    // the other system ends them; the next run (the same files: the state was not advanced) ends the unit and its addresses
    put('2024-07-01');
    const again = await run();
    assert.is(again.code, 0, again.stderr + again.stdout);
    now = await state();
    assert.equal(now, { unitEnd: '2024-07-01', otherName: 'Anden omdøbt', phone: '2024-07-01', los: '2024-07-01' });
  }));

// mora/graphapi/org_unit.py counts an owner of the unit ("owner", mora/service/owner.py) and a rolebinding in it
// ("Rollebinding", mora/service/role.py); an owner of a person is in no unit and does not block
test('V_TERMINATE_UNIT_WITH_ROLES: an owner set by hand on a closing unit and a rolebinding in it are read before writing: one error names them, the unit and its hand-typed phone stay whole, retried next run', () =>
  withMo(async ({ mo, run, write }) => {
    const { unit, other, person, state } = await closingUnit(mo, run, write);
    const itsystem = (await mo.ok(`mutation { itsystem_create(input: {user_key: "rettigheder", name: "Rettigheder", validity: {from: "2020-01-01"}}) { uuid } }`)).itsystem_create.uuid;
    const ituser = (await mo.ok(`mutation { ituser_create(input: {person: "${person}", itsystem: "${itsystem}", user_key: "anne", validity: {from: "2020-01-01"}}) { uuid } }`)).ituser_create.uuid;
    const role = loadSeed().classUuid('org_unit_address_type', 'UnitPhone');
    const blockers = { owner: crypto.randomUUID(), rolebinding: crypto.randomUUID(), personOwner: crypto.randomUUID() };
    const put = (to: string) => {
      const store = new Store(mo.dbPath);
      try {
        const save = (kind: 'owner' | 'rolebinding', uuid: string, data: Record<string, unknown>, until = to) => store.save(kind, uuid, [{ from: '2021-01-01', to: until, data }], data);
        save('owner', blockers.owner, { user_key: 'ejer', org_unit: unit, owner: person });
        save('rolebinding', blockers.rolebinding, { user_key: 'admin', org_unit: unit, ituser, role });
        // an owner of a person: in no unit, MO does not count it (it stays)
        save('owner', blockers.personOwner, { user_key: 'personejer', person, owner: person }, 'infinity');
      } finally {
        store.close();
      }
    };
    put('infinity');
    const r = await run();
    assert.is(r.code, 1, r.stderr + r.stdout);
    const text = r.stderr + r.stdout;
    // one error: the run's failure names the one unit end left out, with both blockers
    const failure = r.report.failure as string;
    assert.match(failure, /^1 org unit end\(s\) left out/);
    const line = failure.split('\n').filter((l) => l.includes('cannot be ended'));
    assert.is(line.length, 1, failure);
    assert.match(line[0]!, `Org_ret_20240701_000000.csv:2: org unit ${unit} (AFD) cannot be ended from 2024-07-01: MO still has active in it`);
    for (const named of [`owner ${blockers.owner} (ejer)`, `rolebinding ${blockers.rolebinding} (admin)`]) assert.match(line[0]!, named);
    assert.not.match(text, blockers.personOwner, 'an owner of a person is not in the unit');
    assert.not.match(text, 'Rollebinding', 'found before writing, not refused by MO');
    let now = await state();
    assert.equal(now, { unitEnd: null, otherName: 'Anden omdøbt', phone: null, los: null }, 'the rest is written; the unit and both its addresses stay whole');
    // the other system ends them; the next run (the same files: the state was not advanced) ends the unit and its addresses
    put('2024-07-01');
    const again = await run();
    assert.is(again.code, 0, again.stderr + again.stdout);
    now = await state();
    assert.equal(now, { unitEnd: '2024-07-01', otherName: 'Anden omdøbt', phone: '2024-07-01', los: '2024-07-01' });
  }));

test('V_TERMINATE_UNIT_WITH_CHILDREN: a parent ending with its child is held back (with its addresses) when the child\'s end is blocked', () =>
  withMo(async ({ mo, run, write }) => {
    const top = u(1), parent = u(2), child = u(3);
    write('Org_inital_20240101_000000.csv', ORG_HEADER, [
      orgLine({ uuid: top, key: 'TOP', name: 'Top', parent: top, start: '01-01-2020' }),
      orgLine({ uuid: parent, key: 'FAR', name: 'Forælder', parent: top, start: '01-01-2020', los: '2' }),
      orgLine({ uuid: child, key: 'BARN', name: 'Barn', parent, start: '01-01-2020' }),
    ]);
    assert.is((await run()).code, 0);
    const phone = await handTypedPhone(mo, parent);
    const person = await otherSystemPerson(mo);
    const engagement = (await mo.ok(`mutation { engagement_create(input: {person: "${person}", org_unit: "${child}", engagement_type: "${MAANEDSLOENNET}", job_function: "${DIREKTOER}", user_key: "andet-system", validity: {from: "2021-01-01"}}) { uuid } }`)).engagement_create.uuid;
    write('Org_ret_20240701_000000.csv', ORG_HEADER, [
      orgLine({ uuid: parent, key: 'FAR', name: 'Forælder', parent: top, start: '01-01-2020', end: '30-06-2024', los: '2' }),
      orgLine({ uuid: child, key: 'BARN', name: 'Barn', parent, start: '01-01-2020', end: '30-06-2024' }),
    ]);
    const state = async () => {
      const data = await mo.ok<{ org_units: { objects: { uuid: string; validities: { validity: { to: string | null } }[] }[] }; addresses: { objects: { uuid: string; validities: { validity: { to: string | null } }[] }[] } }>(
        `{ org_units(filter: {uuids: ["${parent}", "${child}"], from_date: null, to_date: null}) { objects { uuid validities(start: null, end: null) { validity { to } } } }
           addresses(filter: {org_unit: {uuids: ["${parent}"]}, from_date: null, to_date: null}) { objects { uuid validities(start: null, end: null) { validity { to } } } } }`,
      );
      const out = new Map<string, string | null>();
      for (const o of [...data.org_units.objects, ...data.addresses.objects]) out.set(o.uuid, o.validities.at(-1)!.validity.to?.slice(0, 10) ?? null);
      return out;
    };
    const r = await run();
    assert.is(r.code, 1, r.stderr + r.stdout);
    const text = r.stderr + r.stdout;
    assert.match(text, `org unit ${child} (BARN) cannot be ended from 2024-07-01: MO still has active in it engagement ${engagement} (andet-system)`);
    assert.match(text, `org unit ${parent} (FAR) cannot be ended from 2024-07-01: MO still has active in it child unit ${child} (BARN) whose own end is blocked`);
    assert.match(text, 'V_TERMINATE_UNIT_WITH_CHILDREN');
    let now = await state();
    assert.equal([now.get(parent), now.get(child), now.get(phone), now.get(gen('AAK', `${parent}los`))], [null, null, null, null], 'parent, child and the parent\'s addresses all stay open');
    await mo.ok(`mutation { engagement_terminate(input: {uuid: "${engagement}", to: "2024-07-01"}) { uuid } }`);
    const again = await run();
    assert.is(again.code, 0, again.stderr + again.stdout);
    now = await state();
    assert.equal([now.get(parent), now.get(child), now.get(phone), now.get(gen('AAK', `${parent}los`))], ['2024-07-01', '2024-07-01', '2024-07-01', '2024-07-01']);
  }));

test('a new unit without OrgEnhedsTypeUUID gets "Ikke angivet", one without OrgEnhedsNavn its BrugervendtNøgle: warnings name the rows, nothing is refused', () =>
  withMo(async ({ mo, run, write }) => {
    const top = u(1), a = u(2), b = u(3);
    write('Org_inital_20240101_000000.csv', ORG_HEADER, [
      orgLine({ uuid: top, key: 'TOP', name: 'Top', parent: top, start: '01-01-2020' }),
      orgLine({ uuid: a, key: 'UTYPE', name: 'Uden type', parent: top, type: '', start: '01-01-2020' }),
      orgLine({ uuid: b, key: 'UNAVN', name: '', parent: top, type: '', start: '01-01-2020' }),
    ]);
    const r = await run();
    assert.is(r.code, 0, r.stderr + r.stdout);
    const warnings: string[] = r.report.warnings;
    assert.ok(warnings.some((w) => w.startsWith('2 new org units without OrgEnhedsTypeUUID') && w.includes('"Ikke angivet"') && w.includes('Org_inital_20240101_000000.csv:3, Org_inital_20240101_000000.csv:4')), warnings.join('\n'));
    assert.ok(warnings.some((w) => w.startsWith('1 new org unit without OrgEnhedsNavn') && w.includes('Org_inital_20240101_000000.csv:4')), warnings.join('\n'));
    const notGiven = loadSeed().classUuid('org_unit_type', 'ikke_angivet');
    assert.is(notGiven, 'b17866df-fded-694f-86d9-b9d7b874c6fe');
    const data = await mo.ok<{ org_units: { objects: { uuid: string; current: { name: string; unit_type_uuid: string } }[] } }>(`{ org_units(filter: {uuids: ["${a}", "${b}"]}) { objects { uuid current { name unit_type_uuid } } } }`);
    const byUuid = new Map(data.org_units.objects.map((o) => [o.uuid, o.current]));
    assert.equal(byUuid.get(a), { name: 'Uden type', unit_type_uuid: notGiven });
    assert.equal(byUuid.get(b), { name: 'UNAVN', unit_type_uuid: notGiven });
    // a STAM_UUID_Enhedstype file (delivered with every run) never ends the class
    const cls = await mo.ok<{ classes: { objects: { uuid: string }[] } }>(`{ classes(filter: {uuids: ["${notGiven}"]}) { objects { uuid } } }`);
    assert.is(cls.classes.objects.length, 1);
  }));

test('V_DATE_OUTSIDE_ORG_UNIT_RANGE: a child before its parent and an engagement after its unit closed are input errors naming both rows; nothing is written', () =>
  withMo(async ({ mo, run, write }) => {
    const top = u(1), child = u(2), closed = u(3);
    write('Org_inital_20240101_000000.csv', ORG_HEADER, [
      orgLine({ uuid: top, key: 'TOP', name: 'Top', parent: top, start: '01-01-2021' }),
      orgLine({ uuid: child, key: 'BARN', name: 'Barn', parent: top, start: '01-01-2020' }),
    ]);
    let r = await run();
    assert.is(r.code, 3, r.stderr + r.stdout);
    assert.match(r.stderr, 'Org_inital_20240101_000000.csv:3');
    assert.match(r.stderr, `org unit ${child} from 2020-01-01 lies outside its parent unit ${top}, valid 2021-01-01..open (Org_inital_20240101_000000.csv:2)`);
    const none = await mo.ok<{ org_units: { objects: unknown[] } }>(`{ org_units(filter: {from_date: null, to_date: null}) { objects { uuid } } }`);
    assert.is(none.org_units.objects.length, 0, 'nothing of the file is written');

    write('Org_inital_20240101_000000.csv', ORG_HEADER, [
      orgLine({ uuid: top, key: 'TOP', name: 'Top', parent: top, start: '01-01-2020' }),
      orgLine({ uuid: closed, key: 'LUKKET', name: 'Lukket', parent: top, start: '01-01-2020', end: '31-12-2023' }),
    ]);
    assert.is((r = await run()).code, 0, r.stderr);
    write('Pers_nye_20240601_000000.csv', PERS_HEADER, [persLine({ uuid: u(100), cpr: '1503901234', name: 'Jens Hansen', start: '01-06-2024', unit: closed })]);
    r = await run();
    assert.is(r.code, 3, r.stderr + r.stdout);
    assert.match(r.stderr, `Pers_nye_20240601_000000.csv:2`);
    assert.match(r.stderr, `engagement ${u(100)} from 2024-06-01 lies outside its unit ${closed}, valid 2020-01-01..before 2024-01-01`);
    const persons = await mo.ok<{ persons: { objects: unknown[] } }>(`{ persons(filter: {cpr_numbers: ["1503901234"]}) { objects { uuid } } }`);
    assert.is(persons.persons.objects.length, 0, 'nothing of the Pers file is written');
  }));

test('V_DATE_OUTSIDE_ORG_UNIT_RANGE on org_unit_update: an Org_ret that keeps a unit open past its parent\'s end is an input error naming both rows; nothing of the file is written', () =>
  withMo(async ({ mo, run, write }) => {
    const top = u(1), parent = u(2), child = u(3), other = u(4);
    write('Org_inital_20240101_000000.csv', ORG_HEADER, [
      orgLine({ uuid: top, key: 'TOP', name: 'Top', parent: top, start: '01-01-2020' }),
      orgLine({ uuid: parent, key: 'FAR', name: 'Forælder', parent: top, start: '01-01-2020', end: '31-12-2024' }),
      orgLine({ uuid: child, key: 'BARN', name: 'Barn', parent, start: '01-01-2020', end: '31-12-2024' }),
      orgLine({ uuid: other, key: 'AND', name: 'Anden', parent: top, start: '01-01-2020' }),
    ]);
    let r = await run();
    assert.is(r.code, 0, r.stderr + r.stdout);
    // the child is renamed from mid-2024 and kept open, under a parent that still ends with 2024: MO refuses the update
    write('Org_ret_20240601_000000.csv', ORG_HEADER, [
      orgLine({ uuid: other, key: 'AND', name: 'Anden omdøbt', parent: top, start: '01-01-2020' }),
      orgLine({ uuid: child, key: 'BARN', name: 'Barn omdøbt', parent, start: '01-01-2020' }),
    ]);
    r = await run();
    assert.is(r.code, 3, r.stderr + r.stdout);
    assert.match(r.stderr, `Org_ret_20240601_000000.csv:3`);
    assert.match(r.stderr, `org unit ${child} from 2024-06-01 lies outside its parent unit ${parent}, valid 2020-01-01..before 2025-01-01 (in MO)`);
    const names = await mo.ok<{ org_units: { objects: { uuid: string; validities: { name: string }[] }[] } }>(
      `{ org_units(filter: {uuids: ["${child}", "${other}"], from_date: null, to_date: null}) { objects { uuid validities(start: null, end: null) { name } } } }`,
    );
    assert.equal(names.org_units.objects.map((o) => o.validities.map((v) => v.name).join('|')).sort(), ['Anden', 'Barn'], 'nothing of the file is written');
  }));

// mora/graphapi/it_user.py: ituser_terminate is refused while a rolebinding of the IT user is active
// (V_TERMINATE_ITUSER_WITH_ROLEBINDINGS); los2mo reads them before writing and leaves that end out
test('V_TERMINATE_ITUSER_WITH_ROLEBINDINGS: an AZ IT user with another system\'s rolebinding is not ended: one error naming it, the person (CPR masked) and the rolebinding; the rest written; retried next run', () =>
  withMo(async ({ mo, run, write }) => {
    const top = u(1), engagement = u(100), cpr = '1503901234';
    const AD = '09449939-e371-ac9a-03a3-cca4bda31b02';
    const line = (name: string, azid: string) => [engagement, cpr, cpr, name, '01-01-2024', '31-12-9999', '', 'Ja', top, MAANEDSLOENNET, DIREKTOER, azid, azid ? AD : '', azid, ''].join(';');
    write('Org_inital_20240101_000000.csv', ORG_HEADER, [orgLine({ uuid: top, key: 'TOP', name: 'Top', parent: top, start: '01-01-2020' })]);
    write('Pers_nye_20240101_000000.csv', PERS_HEADER, [line('Jens Hansen', 'az1234')]);
    const first = await run();
    assert.is(first.code, 0, first.stderr + first.stdout);
    const ituser = gen('AAK', `${cpr}azid`);
    const state = async () => {
      const data = await mo.ok<{ itusers: { objects: { validities: { validity: { to: string | null } }[] }[] }; persons: { objects: { validities: { given_name: string; surname: string }[] }[] } }>(
        `{ itusers(filter: {uuids: ["${ituser}"], from_date: null, to_date: null}) { objects { validities(start: null, end: null) { validity { to } } } }
           persons(filter: {cpr_numbers: ["${cpr}"], from_date: null, to_date: null}) { objects { validities(start: null, end: null) { given_name surname } } } }`,
      );
      const v = data.persons.objects[0]!.validities.at(-1)!;
      return { ituserEnd: data.itusers.objects[0]!.validities.at(-1)!.validity.to?.slice(0, 10) ?? null, name: `${v.given_name} ${v.surname}` };
    };
    assert.equal(await state(), { ituserEnd: null, name: 'Jens Hansen' });
    // another system binds a role to the AZ IT user (written into MO's database: the subset SDL has no rolebinding mutations)
    const rolebinding = crypto.randomUUID();
    const role = loadSeed().classUuid('org_unit_address_type', 'UnitPhone');
    const put = (to: string) => {
      const store = new Store(mo.dbPath);
      try {
        const data = { user_key: 'sd-admin', ituser, role };
        store.save('rolebinding', rolebinding, [{ from: '2024-02-01', to, data }], data);
      } finally {
        store.close();
      }
    };
    put('infinity');
    // the AZID is taken away (the AZ IT user ends) and the name changes
    write('Pers_ret_20240701_000000.csv', PERS_HEADER, [line('Jens Nyholm Hansen', '')]);
    const r = await run();
    assert.is(r.code, 1, r.stderr + r.stdout);
    const text = r.stderr + r.stdout;
    const failure = r.report.failure as string;
    assert.match(failure, /^1 IT user end\(s\) left out/);
    const lines = failure.split('\n').filter((l) => l.includes('cannot be ended'));
    assert.is(lines.length, 1, failure);
    assert.match(lines[0]!, `Pers_ret_20240701_000000.csv:2: IT user ${ituser} of person 150390xxxx cannot be ended from 2024-07-01: MO still has active rolebinding ${rolebinding} (sd-admin)`);
    assert.not.match(text + JSON.stringify(r.report), cpr, 'the CPR number only masked');
    assert.not.match(text, 'ErrorCodes.V_TERMINATE_ITUSER_WITH_ROLEBINDINGS', 'found before writing, not refused by MO');
    assert.equal(await state(), { ituserEnd: null, name: 'Jens Nyholm Hansen' }, 'the rest is written; the IT user stays');
    // the other system ends the rolebinding; the next run (the same files: the state was not advanced) ends the IT user
    put('2024-07-01');
    const again = await run();
    assert.is(again.code, 0, again.stderr + again.stdout);
    assert.equal(await state(), { ituserEnd: '2024-07-01', name: 'Jens Nyholm Hansen' });
  }));

test.run();
