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

test.run();
