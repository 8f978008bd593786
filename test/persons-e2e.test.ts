/**
 * Issue 7's "Done when", proven through MO over HTTP: small purpose-made Pers/Leder deliveries
 * (the example's STAM and Org files give units and classes) imported by the real CLI into an
 * emulator this process serves, read back with GraphQL.
 *
 * One MO and one delivery folder for the story; each test adds the next files and runs the CLI
 * once more (incremental: the state file picks only the new files), so the tests run in order.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { cliP, sandbox, ROOT } from './helpers/cli.ts';
import { startTestMo, type TestMo } from './helpers/mo.ts';
import { gen } from './helpers/pinned-uuids.ts';
import { loadSeed } from '../src/seed.ts';

// ---------------------------------------------------------------- delivery helpers

const PERS_HEADER = 'UUID;BrugervendtNøgle;CPR;CPRNavn;StartTid;SlutTid;Email;PrimærAnsættelse;OrgenhedUUID;EngagementTypeUUID;StillingsBetegnelseUUID;AZID;ADITSystemUUID;ADkonto;ADkontoUUID';
const LUK_HEADER = 'UUID;CPR;CPRNavn';
const LEDER_HEADER = 'OrgUUID;CPR;LedertypeUUID;LederniveauUUID;LederansvarUUID';

interface PersRow { uuid: string; key: string; cpr: string; name: string; start: string; end?: string; email?: string; primary: 'Ja' | 'Nej'; unit: string; type: string; job: string; azid?: string }
const AD = '09449939-e371-ac9a-03a3-cca4bda31b02';
const persLine = (r: PersRow) => [r.uuid, r.key, r.cpr, r.name, r.start, r.end ?? '31-12-9999', r.email ?? '', r.primary, r.unit, r.type, r.job, r.azid ?? '', r.azid ? AD : '', r.azid ?? '', ''].join(';');
const lederLine = (unit: string, cpr: string, type: string, level: string, resp: string) => [unit, cpr, type, level, resp].join(';');

/** A LOS file as delivered: CRLF, a BOM on Pers_nye/Pers_ret. */
function writeLos(dir: string, name: string, header: string, lines: string[]) {
  const bom = /^Pers_(nye|ret)/.test(name) ? '\ufeff' : '';
  writeFileSync(path.join(dir, name), bom + [header, ...lines].join('\r\n') + '\r\n');
}

type Box = ReturnType<typeof sandbox>;
type Run = { code: number; stdout: string; stderr: string; report: any };

async function start(box: Box) {
  const mo = await startTestMo();
  const env = box.env({ MO_URL: mo.emu.url, CLIENT_SECRET: 'test-secret' });
  let n = 0;
  const outputs: string[] = [];
  const run = async (...args: string[]): Promise<Run> => {
    const report = path.join(box.dir, `report-${++n}.json`);
    const r = await cliP(['workflow', 'import.yaml', '--report', report, ...args], env);
    const text = existsSync(report) ? readFileSync(report, 'utf8') : null;
    outputs.push(r.stdout, r.stderr, text ?? '');
    return { ...r, report: text ? JSON.parse(text) : null };
  };
  return { mo, run, outputs };
}

/** Every file under a folder, as text. */
function filesUnder(dir: string): [string, string][] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name): [string, string][] => {
    const p = path.join(dir, name);
    return statSync(p).isDirectory() ? filesUnder(p) : [[p, readFileSync(p, 'latin1') + readFileSync(p, 'utf8')]];
  });
}

function assertNoCpr(texts: [string, string][], cprs: string[]) {
  for (const [where, text] of texts) for (const cpr of cprs) assert.not.ok(text.includes(cpr), `CPR ${cpr.slice(0, 6)}xxxx appears unmasked in ${where}`);
}

// ---------------------------------------------------------------- MO read-backs

const day = (v: string | null) => (v === null ? null : v.slice(0, 10));
type Validity = { from: string | null; to: string | null };
const V = 'validity { from to }';
const normal = <T extends { validity: Validity }>(v: T) => ({ ...v, validity: { from: day(v.validity.from), to: day(v.validity.to) } });
const byFrom = (a: { validity: Validity }, b: { validity: Validity }) => String(a.validity.from).localeCompare(String(b.validity.from));

async function personsWithCpr(mo: TestMo, cpr: string) {
  const data = await mo.ok<{ persons: { objects: { uuid: string; validities: { uuid: string; cpr_number: string; given_name: string; surname: string; validity: Validity }[] }[] } }>(
    `query($c: [CPR!]) { persons(filter: { cpr_numbers: $c, from_date: null, to_date: null }) { objects { uuid validities(start: null, end: null) { uuid cpr_number given_name surname ${V} } } } }`, { c: [cpr] });
  return data.persons.objects.map((o) => ({ uuid: o.uuid, validities: o.validities.map(normal).sort(byFrom) }));
}

const SEL = {
  engagements: 'user_key employee_uuid org_unit_uuid engagement_type_uuid job_function_uuid primary_uuid',
  addresses: 'value address_type_uuid employee_uuid',
  itusers: 'user_key itsystem_uuid employee_uuid',
  managers: 'employee_uuid org_unit_uuid manager_type_uuid manager_level_uuid responsibility_uuids',
} as const;

/** Objects of a kind (by uuids, or of a person), each with all its validities. */
async function read(mo: TestMo, kind: keyof typeof SEL, by: { uuids: string[] } | { person: string }) {
  const f = 'uuids' in by ? `uuids: ${JSON.stringify(by.uuids)}` : `employee: { uuids: ["${by.person}"] }`;
  const data = await mo.ok<Record<string, { objects: { uuid: string; validities: any[] }[] }>>(
    `{ ${kind}(filter: { ${f}, from_date: null, to_date: null }) { objects { uuid validities(start: null, end: null) { ${SEL[kind]} ${V} } } } }`);
  return data[kind]!.objects.map((o) => ({ uuid: o.uuid, validities: o.validities.map(normal).sort(byFrom) }));
}
const one = async (mo: TestMo, kind: keyof typeof SEL, uuid: string) => {
  const found = await read(mo, kind, { uuids: [uuid] });
  assert.is(found.length, 1, `${kind} ${uuid} in MO`);
  return found[0]!.validities;
};
const spans = (vs: { validity: Validity }[]) => vs.map((v) => [v.validity.from, v.validity.to]);

/** Everything MO holds of the kinds this import touches. */
async function dump(mo: TestMo) {
  const sel: Record<string, string> = { ...SEL, persons: 'cpr_number given_name surname', org_units: 'name user_key parent_uuid', classes: 'name user_key' };
  return mo.ok(`{ ${Object.keys(sel).map((k) => `${k}(filter: { from_date: null, to_date: null }) { objects { uuid validities(start: null, end: null) { ${sel[k]} ${V} } } }`).join('\n')} }`);
}

// ---------------------------------------------------------------- the data

const stam = (file: string) => new Map(readFileSync(path.join(ROOT, 'examples/los', file), 'utf8').replace(/^\ufeff/, '').trim().split(/\r?\n/).slice(1).map((l) => { const [u, n] = l.split(';'); return [n!, u!] as const; }));
const JOB = stam('STAM_UUID_Stillingsbetegnelse.csv');
const ETYPE = stam('STAM_UUID_Engagementstype.csv');
const MTYPE = stam('STAM_UUID_Ledertype.csv');
const LEVEL = stam('STAM_UUID_Lederniveau.csv');
const RESP = stam('STAM_UUID_Lederansvar.csv');
const seed = loadSeed();
const PRIMARY = seed.classUuid('primary_type', 'primary');
const NON_PRIMARY = seed.classUuid('primary_type', 'non-primary');
const EMAIL = seed.classUuid('employee_address_type', 'EmailEmployee');
const AZ = seed.itsystems.find((s) => s.user_key === 'AZ')!.uuid;

const UNIT = { ros: 'a5ceac8d-cc3a-bec7-7f91-a2d1f06c694f', sol: 'e87b81b8-a284-4a1c-d745-267b49c74a6c', vej: '26d0c80c-a1bf-301d-65af-264e8ced2c65' };
// fake but valid CPR numbers (date part and century digit)
const CPR = { a: '0101801234', b: '1502752346', c: '2010653457', d: '0303904568', e: '1107851235', f: '2212702469', g: '0509681357', h: '3006882580', unknown: '1404771122' };
const ENG = Object.fromEntries(['e1', 'e2', 'e3', 'e4', 'e5', 'e6', 'e7', 'e8', 'e9', 'e10', 'nope'].map((k) => [k, gen('persons-e2e', k)])) as Record<'e1' | 'e2' | 'e3' | 'e4' | 'e5' | 'e6' | 'e7' | 'e8' | 'e9' | 'e10' | 'nope', string>;
const F_IN_MO = '0f0f0f0f-1111-4222-8333-444444444444';
const G_IN_MO = '0f0f0f0f-5555-4666-8777-888888888888';
const G_AZ_IN_MO = '0f0f0f0f-9999-4aaa-8bbb-cccccccccccc';
const UNKNOWN_UNIT = '0f0f0f0f-dddd-4eee-8fff-000000000000';
const employee = (cpr: string) => gen('AAK', cpr);
const email = (cpr: string) => gen('AAK', `${cpr}email`);
const azid = (cpr: string) => gen('AAK', `${cpr}azid`);
const manager = (unit: string, cpr: string) => gen('AAK', `${unit}${cpr}manager`);
const M = MTYPE.get('Leder')!, L4 = LEVEL.get('Niveau 4')!, L3 = LEVEL.get('Niveau 3')!, L2 = LEVEL.get('Niveau 2')!, L5 = LEVEL.get('Niveau 5')!;
const PA = RESP.get('Personaleansvar')!;

const NYE: PersRow[] = [
  { uuid: ENG.e1, key: '90000001', cpr: CPR.a, name: 'Anne Marie Testesen', start: '01-08-2015', email: 'anne.testesen@aarhus.dk', primary: 'Ja', unit: UNIT.ros, type: ETYPE.get('Månedslønnet')!, job: JOB.get('Lærer')!, azid: 'az10001' },
  { uuid: ENG.e2, key: '90000002', cpr: CPR.a, name: 'Anne Marie Testesen', start: '2020-01-01 00:00:00.000000', end: '2025-12-31 00:00:00.000000', email: 'anne.testesen@aarhus.dk', primary: 'Nej', unit: UNIT.sol, type: ETYPE.get('Timelønnet')!, job: JOB.get('Pædagog')!, azid: 'az10001' },
  { uuid: ENG.e3, key: '90000003', cpr: CPR.b, name: 'Bo Testsen', start: '01-03-2018', email: 'bo.testsen@aarhus.dk', primary: 'Ja', unit: UNIT.sol, type: ETYPE.get('Månedslønnet')!, job: JOB.get('Pædagogmedhjælper')!, azid: 'az20002' },
  { uuid: ENG.e4, key: '90000004', cpr: CPR.c, name: 'Carl Testrup', start: '01-01-2019', primary: 'Ja', unit: UNIT.vej, type: ETYPE.get('Månedslønnet')!, job: JOB.get('Sygeplejerske')! },
  { uuid: ENG.e5, key: '90000005', cpr: CPR.d, name: 'Dorte Testholm', start: '01-01-2021', email: 'dorte.testholm@aarhus.dk', primary: 'Ja', unit: UNIT.vej, type: ETYPE.get('Månedslønnet')!, job: JOB.get('Sygeplejerske')!, azid: 'az40004' },
  { uuid: ENG.e6, key: '90000006', cpr: CPR.e, name: 'Erik Testvad', start: '01-01-2022', email: 'erik.testvad@aarhus.dk', primary: 'Ja', unit: UNIT.ros, type: ETYPE.get('Timelønnet')!, job: JOB.get('Lærer')!, azid: 'az50005' },
  { uuid: ENG.e7, key: '90000007', cpr: CPR.f, name: 'Frida Testgaard', start: '01-05-2016', email: 'frida.testgaard@aarhus.dk', primary: 'Ja', unit: UNIT.vej, type: ETYPE.get('Månedslønnet')!, job: JOB.get('Sygeplejerske')!, azid: 'az60006' },
];
const RET: PersRow[] = [
  { ...NYE[2]!, name: 'Bo Nyholm Testsen', job: JOB.get('Pædagog')!, email: 'bo.nyholm@mbu.aarhus.dk', azid: 'az20003' },
  { ...NYE[3]!, email: 'carl.testrup@aarhus.dk', azid: 'az30003' },
  { ...NYE[4]!, email: '', azid: '' },
  // G (only in MO, with an AZ IT user of another source) first seen in a Pers_ret file
  { uuid: ENG.e8, key: '90000008', cpr: CPR.g, name: 'Gitte Testlund', start: '01-02-2017', email: 'gitte.testlund@aarhus.dk', primary: 'Ja', unit: UNIT.vej, type: ETYPE.get('Månedslønnet')!, job: JOB.get('Sygeplejerske')!, azid: 'az70007' },
];

// ---------------------------------------------------------------- the story

/**
 * One delivery sequence through one MO, as at a municipality: each story delivers the next files,
 * runs the import and asserts what that run did (no story only reads what another one wrote).
 */
const story = suite('persons through MO');
const S = {} as { box: Box; mo: TestMo; run: (...a: string[]) => Promise<Run>; outputs: string[] };
const started = Date.now();

story.before(async () => {
  S.box = sandbox('los2mo-persons-e2e-');
  for (const name of readdirSync(S.box.los)) if (/^(Pers|Leder)_/.test(name)) rmSync(path.join(S.box.los, name));
  Object.assign(S, await start(S.box));
  // F and G are in MO before the first import, under uuids of another source
  await S.mo.ok(`mutation { f: employee_create(input: { uuid: "${F_IN_MO}", given_name: "Frida", surname: "Gammelnavn", cpr_number: "${CPR.f}" }) { uuid }
    g: employee_create(input: { uuid: "${G_IN_MO}", given_name: "Gitte", surname: "Testlund", cpr_number: "${CPR.g}" }) { uuid } }`);
});
story.after(async () => {
  await S.mo?.stop();
  S.box?.cleanup();
  console.log(`  persons-e2e story: ${((Date.now() - started) / 1000).toFixed(1)} s`);
});

story('Pers_nye/Leder_nye: a person with two engagements, one employee, the right classes and validities', async () => {
  writeLos(S.box.los, 'Pers_nye_20240601_120000.csv', PERS_HEADER, NYE.map(persLine));
  writeLos(S.box.los, 'Leder_nye_20240601_120000.csv', LEDER_HEADER, [
    lederLine(UNIT.ros, CPR.a, M, L4, PA),
    lederLine(UNIT.sol, CPR.b, M, L5, RESP.get('Faglig ledelse')!),
    lederLine(UNIT.vej, CPR.g, MTYPE.get('Chef')!, L2, RESP.get('Budgetansvar')!),
    lederLine(UNIT.vej, CPR.f, MTYPE.get('Souschef')!, L5, PA),
  ]);
  const r = await S.run();
  assert.is(r.code, 0, r.stdout + r.stderr);

  const persons = await personsWithCpr(S.mo, CPR.a);
  assert.is(persons.length, 1, 'one employee for the CPR');
  assert.is(persons[0]!.uuid, employee(CPR.a));
  assert.equal(persons[0]!.validities.map((v) => [v.given_name, v.surname, v.cpr_number]), [['Anne Marie', 'Testesen', CPR.a]]);

  const engagements = await read(S.mo, 'engagements', { person: employee(CPR.a) });
  assert.equal(engagements.map((e) => e.uuid).sort(), [ENG.e1, ENG.e2].sort());
  const e1 = await one(S.mo, 'engagements', ENG.e1);
  assert.equal(e1, [{ user_key: '90000001', employee_uuid: employee(CPR.a), org_unit_uuid: UNIT.ros, engagement_type_uuid: ETYPE.get('Månedslønnet'), job_function_uuid: JOB.get('Lærer'), primary_uuid: PRIMARY, validity: { from: '2015-08-01', to: null } }]);
  const e2 = await one(S.mo, 'engagements', ENG.e2);
  assert.equal(e2, [{ user_key: '90000002', employee_uuid: employee(CPR.a), org_unit_uuid: UNIT.sol, engagement_type_uuid: ETYPE.get('Timelønnet'), job_function_uuid: JOB.get('Pædagog'), primary_uuid: NON_PRIMARY, validity: { from: '2020-01-01', to: '2026-01-01' } }]);
  // one e-mail address and one AZ IT user for the two rows, from the file's date
  assert.equal(await read(S.mo, 'addresses', { person: employee(CPR.a) }), [{ uuid: email(CPR.a), validities: [{ value: 'anne.testesen@aarhus.dk', address_type_uuid: EMAIL, employee_uuid: employee(CPR.a), validity: { from: '2024-06-01', to: null } }] }]);
  assert.equal(await read(S.mo, 'itusers', { person: employee(CPR.a) }), [{ uuid: azid(CPR.a), validities: [{ user_key: 'az10001', itsystem_uuid: AZ, employee_uuid: employee(CPR.a), validity: { from: '2024-06-01', to: null } }] }]);
  // C has neither
  assert.equal(await read(S.mo, 'addresses', { person: employee(CPR.c) }), []);
  assert.equal(await read(S.mo, 'itusers', { person: employee(CPR.c) }), []);

  // a person already in MO with the CPR is reused: no second person, everything points to its uuid
  const f = await personsWithCpr(S.mo, CPR.f);
  assert.equal(f.map((p) => p.uuid), [F_IN_MO], 'still one person with the CPR, under its own uuid');
  assert.is(f[0]!.validities.at(-1)!.given_name, 'Frida');
  assert.is(f[0]!.validities.at(-1)!.surname, 'Testgaard', 'the Pers_nye name is written to the existing person');
  const none = await S.mo.ok<{ persons: { objects: unknown[] } }>(`{ persons(filter: { uuids: ["${employee(CPR.f)}"], from_date: null, to_date: null }) { objects { uuid } } }`);
  assert.equal(none.persons.objects, [], 'no person under the provisional uuid');
  assert.equal((await one(S.mo, 'engagements', ENG.e7)).map((v) => v.employee_uuid), [F_IN_MO]);
  assert.equal((await one(S.mo, 'addresses', email(CPR.f))).map((v) => v.employee_uuid), [F_IN_MO]);
  assert.equal((await one(S.mo, 'itusers', azid(CPR.f))).map((v) => v.employee_uuid), [F_IN_MO]);
  assert.equal((await one(S.mo, 'managers', manager(UNIT.vej, CPR.f))).map((v) => v.employee_uuid), [F_IN_MO]);
  // G is only in MO (a Leder row, no Pers row): the manager is G's
  assert.equal((await one(S.mo, 'managers', manager(UNIT.vej, CPR.g))).map((v) => [v.employee_uuid, v.manager_type_uuid, v.validity.from]), [[G_IN_MO, MTYPE.get('Chef'), '2024-06-01']]);
  assert.equal((await personsWithCpr(S.mo, CPR.g)).map((p) => p.uuid), [G_IN_MO]);

  // managers are created from the file's date (not today) with type, level and responsibility
  assert.equal(await one(S.mo, 'managers', manager(UNIT.ros, CPR.a)), [{ employee_uuid: employee(CPR.a), org_unit_uuid: UNIT.ros, manager_type_uuid: M, manager_level_uuid: L4, responsibility_uuids: [PA], validity: { from: '2024-06-01', to: null } }]);
  assert.equal((await one(S.mo, 'managers', manager(UNIT.sol, CPR.b))).map((v) => [v.manager_level_uuid, v.validity.from, v.validity.to]), [[L5, '2024-06-01', null]]);
});

story('Pers_ret/Leder_ret: engagement, name, e-mail, AZ and manager level change from the file\'s date; history stays', async () => {
  // another source gave G the AZ IT user the Pers_ret file will give: it must not be duplicated
  await S.mo.ok(`mutation { ituser_create(input: { uuid: "${G_AZ_IN_MO}", user_key: "az70007", itsystem: "${AZ}", person: "${G_IN_MO}", validity: { from: "2020-01-01" } }) { uuid } }`);
  writeLos(S.box.los, 'Pers_ret_20240701_120000.csv', PERS_HEADER, RET.map(persLine));
  writeLos(S.box.los, 'Leder_ret_20240701_120000.csv', LEDER_HEADER, [lederLine(UNIT.ros, CPR.a, M, L3, PA)]);
  const r = await S.run();
  assert.is(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /fetch +2 files/);

  // engagement: the job function from 2024-07-01; before that the old one (earlier history intact)
  const e3 = await one(S.mo, 'engagements', ENG.e3);
  assert.equal(e3.map((v) => [v.validity.from, v.validity.to, v.job_function_uuid]), [['2018-03-01', '2024-07-01', JOB.get('Pædagogmedhjælper')], ['2024-07-01', null, JOB.get('Pædagog')]]);
  assert.ok(e3.every((v) => v.employee_uuid === employee(CPR.b) && v.primary_uuid === PRIMARY && v.org_unit_uuid === UNIT.sol));
  // the name from 2024-07-01
  const b = await personsWithCpr(S.mo, CPR.b);
  assert.is(b.length, 1);
  const names = b[0]!.validities.map((v) => [v.validity.to, v.given_name, v.surname]);
  assert.equal(names.at(-1), [null, 'Bo Nyholm', 'Testsen']);
  assert.is(b[0]!.validities.at(-1)!.validity.from, '2024-07-01');
  assert.equal(names.at(-2), ['2024-07-01', 'Bo', 'Testsen']);
  // C's engagement is unchanged: one period, not split at the file's date
  assert.equal(spans(await one(S.mo, 'engagements', ENG.e4)), [['2019-01-01', null]]);

  // e-mail and AZ IT user: added, changed and removed (ended) from the file's date, never a duplicate IT user
  // changed (B): same object, new value from 2024-07-01
  assert.equal((await one(S.mo, 'addresses', email(CPR.b))).map((v) => [v.validity.from, v.validity.to, v.value]), [['2024-06-01', '2024-07-01', 'bo.testsen@aarhus.dk'], ['2024-07-01', null, 'bo.nyholm@mbu.aarhus.dk']]);
  assert.equal((await one(S.mo, 'itusers', azid(CPR.b))).map((v) => [v.validity.from, v.validity.to, v.user_key, v.itsystem_uuid]), [['2024-06-01', '2024-07-01', 'az20002', AZ], ['2024-07-01', null, 'az20003', AZ]]);
  assert.is((await read(S.mo, 'itusers', { person: employee(CPR.b) })).length, 1, 'one AZ IT user for B');
  // added (C)
  assert.equal(await one(S.mo, 'addresses', email(CPR.c)), [{ value: 'carl.testrup@aarhus.dk', address_type_uuid: EMAIL, employee_uuid: employee(CPR.c), validity: { from: '2024-07-01', to: null } }]);
  assert.equal(await one(S.mo, 'itusers', azid(CPR.c)), [{ user_key: 'az30003', itsystem_uuid: AZ, employee_uuid: employee(CPR.c), validity: { from: '2024-07-01', to: null } }]);
  // removed (D): ended, the last day is the day before the file's date
  assert.equal(spans(await one(S.mo, 'addresses', email(CPR.d))), [['2024-06-01', '2024-07-01']]);
  assert.equal(spans(await one(S.mo, 'itusers', azid(CPR.d))), [['2024-06-01', '2024-07-01']]);
  // G's AZ IT user existed in MO under another uuid: reused, not duplicated
  assert.equal(await read(S.mo, 'itusers', { person: G_IN_MO }), [{ uuid: G_AZ_IN_MO, validities: [{ user_key: 'az70007', itsystem_uuid: AZ, employee_uuid: G_IN_MO, validity: { from: '2020-01-01', to: null } }] }]);
  assert.not.ok(S.mo.emu.metrics().errors['V_DUPLICATED_IT_USER'], 'MO never answered V_DUPLICATED_IT_USER');

  // an engagement first seen in Pers_ret is created with its own StartTid, for the person MO already has
  assert.equal(spans(await one(S.mo, 'engagements', ENG.e8)), [['2017-02-01', null]]);
  assert.equal((await one(S.mo, 'engagements', ENG.e8)).map((v) => v.employee_uuid), [G_IN_MO]);
  assert.equal((await personsWithCpr(S.mo, CPR.g)).map((p) => p.uuid), [G_IN_MO]);

  // Leder_ret: the level changes from the file's date
  assert.equal((await one(S.mo, 'managers', manager(UNIT.ros, CPR.a))).map((v) => [v.validity.from, v.validity.to, v.manager_level_uuid, v.employee_uuid]), [['2024-06-01', '2024-07-01', L4, employee(CPR.a)], ['2024-07-01', null, L3, employee(CPR.a)]]);
});

story('Pers_luk/Leder_luk: the file\'s date is the last day (MO to = date + 1)', async () => {
  writeLos(S.box.los, 'Pers_luk_20240801_120000.csv', LUK_HEADER, [`${ENG.e6};${CPR.e};Erik Testvad`, `${ENG.nope};${CPR.e};Erik Testvad`]);
  writeLos(S.box.los, 'Leder_luk_20240801_120000.csv', LEDER_HEADER.split(';').slice(0, 2).join(';'), [`${UNIT.sol};${CPR.b}`, `${UNIT.sol};${CPR.c}`]);
  const r = await S.run();
  assert.is(r.code, 0, r.stdout + r.stderr);
  assert.equal(spans(await one(S.mo, 'engagements', ENG.e6)), [['2022-01-01', '2024-08-02']]);
  assert.equal(spans(await one(S.mo, 'managers', manager(UNIT.sol, CPR.b))), [['2024-06-01', '2024-08-02']]);
  // the others stay open
  assert.equal(spans(await one(S.mo, 'managers', manager(UNIT.ros, CPR.a))).at(-1), ['2024-07-01', null]);
  assert.equal(spans(await one(S.mo, 'engagements', ENG.e3)).at(-1), ['2024-07-01', null]);
  // luk rows for what does not exist: warnings naming the row, not errors
  const nothing = r.report.warnings.filter((w: string) => /nothing to end/.test(w));
  assert.equal(nothing.map((w: string) => w.split(': ')[0]).sort(), ['Leder_luk_20240801_120000.csv:3', 'Pers_luk_20240801_120000.csv:3'], r.report.warnings.join('\n'));
  assert.equal(await read(S.mo, 'engagements', { uuids: [ENG.nope] }), []);
  assert.equal(await read(S.mo, 'managers', { uuids: [manager(UNIT.sol, CPR.c)] }), []);
});

story('an unknown CPR in a Leder row: exit 3 naming FILE:LINE:COLUMN (CPR masked), nothing written; with --skip-invalid-rows the rest', async () => {
  writeLos(S.box.los, 'Leder_ret_20240901_120000.csv', LEDER_HEADER, [lederLine(UNIT.ros, CPR.a, M, L2, PA), lederLine(UNIT.vej, CPR.unknown, M, L5, PA)]);
  // H: two engagements, the second in a unit nobody knows
  writeLos(S.box.los, 'Pers_nye_20240901_120000.csv', PERS_HEADER, [
    persLine({ uuid: ENG.e9, key: '90000009', cpr: CPR.h, name: 'Hans Testbjerg', start: '01-09-2024', email: 'hans.testbjerg@aarhus.dk', primary: 'Ja', unit: UNIT.ros, type: ETYPE.get('Månedslønnet')!, job: JOB.get('Lærer')!, azid: 'az80008' }),
    persLine({ uuid: ENG.e10, key: '90000010', cpr: CPR.h, name: 'Hans Testbjerg', start: '01-09-2024', email: 'hans.testbjerg@aarhus.dk', primary: 'Nej', unit: UNKNOWN_UNIT, type: ETYPE.get('Timelønnet')!, job: JOB.get('Lærer')!, azid: 'az80008' }),
  ]);
  const before = await dump(S.mo);
  const mutations = S.mo.emu.metrics().mutations;
  const r = await S.run();
  assert.is(r.code, 3, r.stdout + r.stderr);
  const out = r.stdout + r.stderr;
  assert.match(out, /Leder_ret_20240901_120000\.csv:3:2: CPR: unknown person with CPR 140477xxxx/);
  assert.match(out, /Pers_nye_20240901_120000\.csv:3:9: OrgenhedUUID: unknown org unit 0f0f0f0f-dddd-4eee-8fff-000000000000/);
  assert.not.match(out, /Leder_ret_20240901_120000\.csv:2:/, 'the valid row is not an error');
  assert.not.match(out, /Pers_nye_20240901_120000\.csv:2:/, 'the valid row is not an error');
  assert.equal(S.mo.emu.metrics().mutations, mutations, 'no mutation committed');
  assert.equal(await dump(S.mo), before, 'MO unchanged');

  // the same with --skip-invalid-rows: exit 0, the other rows imported, the rejected row in the report
  const skip = await S.run('--skip-invalid-rows');
  assert.is(skip.code, 0, skip.stdout + skip.stderr);
  assert.equal(skip.report.errors.map((e: any) => [e.file, e.line, e.column, e.field]).sort(), [['Leder_ret_20240901_120000.csv', 3, 2, 'CPR'], ['Pers_nye_20240901_120000.csv', 3, 9, 'OrgenhedUUID']]);
  assert.ok(skip.report.warnings.some((w: string) => w.includes('Leder_ret_20240901_120000.csv:3:2') && w.includes('140477xxxx')), skip.report.warnings.join('\n'));
  assert.match(skip.stdout, /2 invalid rows skipped/);
  // H: the valid row's engagement, the person, the e-mail and the AZ IT user are imported
  const h = await personsWithCpr(S.mo, CPR.h);
  assert.equal(h.map((p) => p.uuid), [employee(CPR.h)]);
  assert.equal((await read(S.mo, 'engagements', { person: employee(CPR.h) })).map((e) => e.uuid), [ENG.e9]);
  assert.equal(spans(await one(S.mo, 'addresses', email(CPR.h))), [['2024-09-01', null]]);
  assert.equal(spans(await one(S.mo, 'itusers', azid(CPR.h))), [['2024-09-01', null]]);
  // line 2 imported: A's manager is level 2 from 2024-09-01
  assert.equal((await one(S.mo, 'managers', manager(UNIT.ros, CPR.a))).map((v) => [v.validity.from, v.validity.to, v.manager_level_uuid]), [['2024-06-01', '2024-07-01', L4], ['2024-07-01', '2024-09-01', L3], ['2024-09-01', null, L2]]);
  // line 3 not: no manager, no person for the unknown CPR
  assert.equal(await read(S.mo, 'managers', { uuids: [manager(UNIT.vej, CPR.unknown)] }), []);
  assert.equal(await personsWithCpr(S.mo, CPR.unknown), []);
});

story('the whole delivery again: 0 mutations; no full CPR in any output, report, journal or the state folder', async () => {
  const r = await S.run('--import-from-date', '2000-01-01', '--skip-invalid-rows');
  assert.is(r.code, 0, r.stdout + r.stderr);
  assert.is(r.report.totals.mutations ?? 0, 0, JSON.stringify(r.report.plan?.slice(0, 10), null, 1));
  // state/work/<run> of the run that stopped with exit 3 keeps its downloaded copies of the LOS files (the
  // engine removes a run's work folder only on success): raw input, not output, so not scanned here
  const state = filesUnder(path.dirname(S.box.state)).filter(([p]) => !p.startsWith(path.join(path.dirname(S.box.state), 'work') + path.sep));
  assert.ok(state.some(([p]) => /journal/.test(p)), 'the journal is scanned');
  assertNoCpr([...S.outputs.map((t, i): [string, string] => [`output ${i}`, t]), ...state], Object.values(CPR));
});

story.run();

// ---------------------------------------------------------------- the example delivery

const example = suite('the example delivery through MO');

example('imports, a rerun writes 0 mutations, and no full CPR appears anywhere', async () => {
  const box = sandbox('los2mo-persons-e2e-example-');
  const { mo, run, outputs } = await start(box);
  try {
    const first = await run();
    assert.is(first.code, 0, first.stdout + first.stderr);
    const expected = JSON.parse(readFileSync(path.join(ROOT, 'examples/expected.json'), 'utf8'));
    const counts = await mo.ok<any>('{ persons(filter: { from_date: null, to_date: null }) { objects { uuid } } engagements(filter: { from_date: null, to_date: null }) { objects { uuid } } managers(filter: { from_date: null, to_date: null }) { objects { uuid } } }');
    assert.is(counts.persons.objects.length, 51);
    assert.is(counts.engagements.objects.length, 61);
    assert.is(counts.managers.objects.length, 8);
    const named = expected.cases.persons.ret.name;
    const person = await personsWithCpr(mo, named.cpr);
    assert.equal(person.map((p) => p.uuid), [named.employee]);
    assert.equal(person[0]!.validities.at(-1)!.validity.from, '2024-07-01');
    assert.is(`${person[0]!.validities.at(-1)!.given_name} ${person[0]!.validities.at(-1)!.surname}`, named.name);

    const again = await run('--import-from-date', '2000-01-01');
    assert.is(again.code, 0, again.stdout + again.stderr);
    assert.is(again.report.totals.mutations ?? 0, 0, JSON.stringify(again.report.plan?.slice(0, 10), null, 1));
    assert.equal(again.report.operations, {});

    const cprs = new Set<string>();
    for (const name of readdirSync(box.los).filter((n) => /^(Pers|Leder)_/.test(n))) {
      const [head, ...rows] = readFileSync(path.join(box.los, name), 'utf8').replace(/^\ufeff/, '').trim().split(/\r?\n/);
      const at = head!.split(';').indexOf('CPR');
      for (const row of rows) cprs.add(row.split(';')[at]!);
    }
    assert.is(cprs.size, 51);
    assertNoCpr([...outputs.map((t, i): [string, string] => [`output ${i}`, t]), ...filesUnder(path.dirname(box.state))], [...cprs]);
  } finally {
    await mo.stop();
    box.cleanup();
  }
});

example.run();
