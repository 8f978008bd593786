/**
 * What MO's updates cannot change of a person, end to end (issue 16, audit K1/K2): purpose-made LOS
 * files → the real CLI → the MO emulator over HTTP, read back with GraphQL. An engagement stays on
 * the person it was created on (engagement_update ignores `person`); an empty surname is skipped
 * (employee_update `if surname:`). Nothing is re-planned night after night, and no update that
 * changes nothing is sent (it would fail the request it is in).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { cliP as cli, sandbox } from './helpers/cli.ts';
import { startTestMo, type TestMo } from './helpers/mo.ts';
import { gen } from '../src/uuid.ts';

const ORG_HEADER = 'OrgUUID;BrugervendtNøgle;OrgEnhedsNavn;OrgEnhedsTypeUUID;ParentUUID;Med-i-LinjeOrg;LOSID;CVR;EAN;P-Nr;SE-Nr;IntDebitor-Nr;MagID;PostAdresse;StartDato;SlutDato';
const PERS_HEADER = 'UUID;BrugervendtNøgle;CPR;CPRNavn;StartTid;SlutTid;Email;PrimærAnsættelse;OrgenhedUUID;EngagementTypeUUID;StillingsBetegnelseUUID;AZID;ADITSystemUUID;ADkonto;ADkontoUUID';
const AFDELING = '17c7db5e-29d9-4c02-8836-6b236102112a';
const MAANEDSLOENNET = '417f6a6d-71f7-f0e0-ea03-38f98b58fcd1';
const DIREKTOER = 'f57179d8-15de-3ca0-dc08-6f12370e018b';
const u = (n: number) => `16120000-0000-0000-0000-${String(n).padStart(12, '0')}`;
const TOP = u(1), UNIT = u(2), OTHER = u(3);
const orgLine = (uuid: string, key: string, parent: string) => [uuid, key, key, AFDELING, parent, '', '', '', '', '', '', '', '', '', '01-01-2020', '31-12-9999'].join(';');
interface PersRow { uuid: string; key: string; cpr: string; name: string; unit: string; email?: string; azid?: string }
const persLine = (r: PersRow) => [r.uuid, r.key, r.cpr, r.name, '01-01-2021', '31-12-9999', r.email ?? '', 'Ja', r.unit, MAANEDSLOENNET, DIREKTOER, r.azid ?? '', '', '', ''].join(';');
const emailOf = (cpr: string) => gen('AAK', `${cpr}email`);
const azidOf = (cpr: string) => gen('AAK', `${cpr}azid`);

type Run = (...args: string[]) => Promise<{ code: number; stdout: string; stderr: string; report: any }>;

async function withMo(fn: (ctx: { mo: TestMo; run: Run; write: (name: string, header: string, lines: string[]) => void }) => Promise<void>) {
  const box = sandbox('los2mo-mo-fields-');
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
    write('Org_inital_20240101_000000.csv', ORG_HEADER, [orgLine(TOP, 'TOP', TOP), orgLine(UNIT, 'AFD', TOP), orgLine(OTHER, 'AND', TOP)]);
    await fn({ mo, run, write });
  } finally {
    await mo.stop();
    box.cleanup();
  }
}

const warningsOf = (r: { report: any }) => (r.report?.warnings ?? []) as string[];

async function personsWithCpr(mo: TestMo, cpr: string): Promise<{ uuid: string; names: string[] }[]> {
  const data = await mo.ok<{ persons: { objects: { uuid: string; validities: { given_name: string; surname: string; validity: { from: string } }[] }[] } }>(
    `query($c: [CPR!]) { persons(filter: {cpr_numbers: $c, from_date: null, to_date: null}) { objects { uuid validities(start: null, end: null) { given_name surname validity { from } } } } }`,
    { c: [cpr] },
  );
  return data.persons.objects.map((o) => ({ uuid: o.uuid, names: o.validities.map((v) => `${v.validity.from.slice(0, 10)} [${v.given_name}] [${v.surname}]`) }));
}

test('an engagement re-delivered under another CPR stays on its person in MO: one warning naming the row and both persons (masked), its other values imported, the next night plans nothing', () =>
  withMo(async ({ mo, run, write }) => {
    const E = u(100), CPR1 = '1503901234', CPR2 = '1604901234';
    write('Pers_nye_20240101_000000.csv', PERS_HEADER, [persLine({ uuid: E, key: 'E-1', cpr: CPR1, name: 'Jens Hansen', unit: UNIT, email: 'jens@aarhus.dk', azid: 'az1001' })]);
    const first = await run();
    assert.is(first.code, 0, first.stderr);
    const [p1] = await personsWithCpr(mo, CPR1);
    assert.ok(p1, 'night 1 creates the person');

    // night 2: the substitute CPR is replaced by the real one, and the engagement moves to another unit
    write('Pers_ret_20240201_000000.csv', PERS_HEADER, [persLine({ uuid: E, key: 'E-1', cpr: CPR2, name: 'Jens Hansen', unit: OTHER, email: 'jens@aarhus.dk', azid: 'az1001' })]);
    const second = await run();
    assert.is(second.code, 0, second.stderr);
    const kept = warningsOf(second).filter((w) => w.includes(`engagement ${E}`));
    assert.is(kept.length, 1, JSON.stringify(warningsOf(second)));
    assert.ok(kept[0]!.startsWith(`Pers_ret_20240201_000000.csv:2: engagement ${E} (E-1) is in MO on the person with CPR 150390xxxx; this row gives CPR 160490xxxx.`), kept[0]);
    assert.match(kept[0]!, 'MO keeps it on CPR 150390xxxx');
    assert.match(kept[0]!, 'have LOS end the engagement and deliver it under a new UUID');
    assert.not.match(second.stdout + second.stderr + JSON.stringify(second.report), /1503901234|1604901234/, 'CPR numbers only masked');

    const data = await mo.ok<{ engagements: { objects: { validities: { employee_uuid: string; org_unit_uuid: string; validity: { from: string } }[] }[] } }>(
      `{ engagements(filter: {uuids: ["${E}"], from_date: null, to_date: null}) { objects { validities(start: null, end: null) { employee_uuid org_unit_uuid validity { from } } } } }`,
    );
    const periods = data.engagements.objects[0]!.validities.map((v) => `${v.validity.from.slice(0, 10)} ${v.employee_uuid === p1!.uuid ? 'P1' : v.employee_uuid} ${v.org_unit_uuid === OTHER ? 'AND' : 'AFD'}`);
    assert.equal(periods, ['2021-01-01 P1 AFD', '2024-02-01 P1 AND'], 'the other values are imported, on MO\'s person');
    // the row's person-level values belong to CPR2, who gets no engagement: none of them is created
    assert.equal(await personsWithCpr(mo, CPR2), [], 'no person with the row\'s CPR');
    const owned = await mo.ok<{ addresses: { objects: { uuid: string }[] }; itusers: { objects: { uuid: string }[] } }>(
      `query($a: [UUID!], $i: [UUID!]) { addresses(filter: {uuids: $a, from_date: null, to_date: null}) { objects { uuid } } itusers(filter: {uuids: $i, from_date: null, to_date: null}) { objects { uuid } } }`,
      { a: [emailOf(CPR1), emailOf(CPR2)], i: [azidOf(CPR1), azidOf(CPR2)] },
    );
    assert.equal(owned.addresses.objects.map((o) => o.uuid), [emailOf(CPR1)]);
    assert.equal(owned.itusers.objects.map((o) => o.uuid), [azidOf(CPR1)]);

    // night 3: LOS sends the row again: nothing to plan (no person change, no update that changes nothing), the warning again
    write('Pers_ret_20240301_000000.csv', PERS_HEADER, [persLine({ uuid: E, key: 'E-1', cpr: CPR2, name: 'Jens Hansen', unit: OTHER, email: 'jens@aarhus.dk', azid: 'az1001' })]);
    const third = await run();
    assert.is(third.code, 0, third.stderr);
    assert.is(third.report.plan_total, 0, JSON.stringify(third.report.plan));
    assert.is(warningsOf(third).filter((w) => w.startsWith(`Pers_ret_20240301_000000.csv:2: engagement ${E} (E-1) is in MO on the person with CPR 150390xxxx`)).length, 1);
  }));

test('a person renamed to one word keeps MO\'s surname: a warning naming the row, no update that changes nothing, the next night plans nothing', () =>
  withMo(async ({ mo, run, write }) => {
    const A = '1705901234', B = '1806901234';
    write('Pers_nye_20240101_000000.csv', PERS_HEADER, [
      persLine({ uuid: u(200), key: 'A-1', cpr: A, name: 'Anna Hansen', unit: UNIT }),
      persLine({ uuid: u(201), key: 'B-1', cpr: B, name: 'Bo Berg', unit: UNIT }),
    ]);
    // the same first night renames B to one word: B is created and the rename cannot be written
    write('Pers_ret_20240115_000000.csv', PERS_HEADER, [persLine({ uuid: u(201), key: 'B-1', cpr: B, name: 'Bo', unit: UNIT })]);
    const first = await run();
    assert.is(first.code, 0, first.stderr);
    assert.ok(warningsOf(first).some((w) => w.startsWith('Pers_ret_20240115_000000.csv:2: person with CPR 180690xxxx: CPRNavn gives no surname')), JSON.stringify(warningsOf(first)));
    assert.equal((await personsWithCpr(mo, B))[0]!.names, ['1990-06-18 [Bo] [Berg]']);

    write('Pers_ret_20240201_000000.csv', PERS_HEADER, [persLine({ uuid: u(200), key: 'A-1', cpr: A, name: 'Madonna', unit: UNIT })]);
    const second = await run();
    assert.is(second.code, 0, second.stderr);
    const named = warningsOf(second).filter((w) => /CPRNavn gives no surname/.test(w));
    assert.equal(named.length, 1, JSON.stringify(warningsOf(second)));
    assert.ok(named[0]!.startsWith('Pers_ret_20240201_000000.csv:2: person with CPR 170590xxxx: CPRNavn gives no surname; MO\'s employee_update skips an empty surname'), named[0]);
    assert.equal((await personsWithCpr(mo, A))[0]!.names, ['1990-05-17 [Anna] [Hansen]', '2024-02-01 [Madonna] [Hansen]'], 'MO has what MO would have');

    write('Pers_ret_20240301_000000.csv', PERS_HEADER, [persLine({ uuid: u(200), key: 'A-1', cpr: A, name: 'Madonna', unit: UNIT })]);
    const third = await run();
    assert.is(third.code, 0, third.stderr);
    assert.is(third.report.plan_total, 0, JSON.stringify(third.report.plan));
    assert.equal((await personsWithCpr(mo, A))[0]!.names, ['1990-05-17 [Anna] [Hansen]', '2024-02-01 [Madonna] [Hansen]']);
  }));

test.run();
