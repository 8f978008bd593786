/**
 * Issue 17, fixes 2–5: small purpose-made LOS deliveries (the example's STAM files give the
 * classes) imported night by night by the real CLI into an MO emulator over HTTP, read back with
 * GraphQL. Each test has its own MO and delivery folder.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { cliP, sandbox, ROOT } from './helpers/cli.ts';
import { startTestMo, type TestMo } from './helpers/mo.ts';

const dashed = (hex: string) => `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
const md5 = (s: string) => createHash('md5').update(s, 'utf8').digest('hex');
/** gen("AAK", value) of los-format.md, written independently of src/uuid.ts */
const aak = (value: string) => dashed(md5(dashed(md5('AAK')) + value));

const ORG_HEADER = 'OrgUUID;BrugervendtNøgle;OrgEnhedsNavn;OrgEnhedsTypeUUID;ParentUUID;Med-i-LinjeOrg;LOSID;CVR;EAN;P-Nr;SE-Nr;IntDebitor-Nr;MagID;PostAdresse;StartDato;SlutDato';
const PERS_HEADER = 'UUID;BrugervendtNøgle;CPR;CPRNavn;StartTid;SlutTid;Email;PrimærAnsættelse;OrgenhedUUID;EngagementTypeUUID;StillingsBetegnelseUUID;AZID;ADITSystemUUID;ADkonto;ADkontoUUID';
const LEDER_HEADER = 'OrgUUID;CPR;LedertypeUUID;LederniveauUUID;LederansvarUUID';

const stam = (file: string) => new Map(readFileSync(path.join(ROOT, 'examples/los', file), 'utf8').replace(/^\ufeff/, '').trim().split(/\r?\n/).slice(1).map((l) => { const [u, n] = l.split(';'); return [n!, u!] as const; }));
const UNIT_TYPE = [...stam('STAM_UUID_Enhedstype.csv').values()][0]!;
const ETYPE = [...stam('STAM_UUID_Engagementstype.csv').values()][0]!;
const JOB = [...stam('STAM_UUID_Stillingsbetegnelse.csv').values()][0]!;
const MTYPE = [...stam('STAM_UUID_Ledertype.csv').values()][0]!;
const LEVEL = [...stam('STAM_UUID_Lederniveau.csv').values()][0]!;
const RESP = [...stam('STAM_UUID_Lederansvar.csv').values()][0]!;

// a text the example's DAR register matches, and one it does not (examples/expected.json)
const DAR_OK = { text: 'Rådhuspladsen 2, 8000 Aarhus C', id: '239a6851-3e66-ddc4-40a0-bdba6cdb9c98' };
const DAR_MISS = 'Tretommervje 10, 8200 Aarhus N';

const u = (n: number) => `20000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

interface Org { uuid: string; key: string; name?: string; parent?: string; type?: string; ean?: string; post?: string; start: string; end?: string }
const orgLine = (r: Org) => [r.uuid, r.key, r.name ?? r.key, r.type ?? UNIT_TYPE, r.parent ?? r.uuid, 'true', '', '', r.ean ?? '', '', '', '', '', r.post ?? '', r.start, r.end ?? '31-12-9999'].join(';');
interface Pers { uuid: string; cpr: string; name: string; start: string; end?: string; email?: string; azid?: string; unit: string }
const persLine = (r: Pers) => [r.uuid, `K${r.uuid.slice(-4)}`, r.cpr, r.name, r.start, r.end ?? '31-12-9999', r.email ?? '', 'Ja', r.unit, ETYPE, JOB, r.azid ?? '', '', '', ''].join(';');

type Box = ReturnType<typeof sandbox>;
interface Ctx { box: Box; mo: TestMo; write: (name: string, header: string, lines: string[]) => void; run: (...args: string[]) => Promise<{ code: number; out: string; report: any }> }

async function withMo(fn: (c: Ctx) => Promise<void>) {
  const box = sandbox('los2mo-fidelity-');
  for (const f of readdirSync(box.los)) if (!f.startsWith('STAM_')) rmSync(path.join(box.los, f));
  const mo = await startTestMo();
  const env = box.env({ MO_URL: mo.emu.url, CLIENT_SECRET: 'test-secret' });
  let n = 0;
  const c: Ctx = {
    box, mo,
    write: (name, header, lines) => writeFileSync(path.join(box.los, name), '\ufeff' + [header, ...lines].join('\r\n') + '\r\n'),
    run: async (...args) => {
      const report = path.join(box.dir, `report-${++n}.json`);
      const r = await cliP(['workflow', 'import.yaml', '--report', report, ...args], env);
      return { code: r.code, out: r.stdout + r.stderr, report: existsSync(report) ? JSON.parse(readFileSync(report, 'utf8')) : null };
    },
  };
  try {
    await fn(c);
  } finally {
    await mo.stop();
    box.cleanup();
  }
}

type V = { from: string; to: string | null } & Record<string, unknown>;
const day = (d: string | null) => (d === null ? null : d.slice(0, 10));
async function validities(mo: TestMo, kind: string, uuid: string, fields: string): Promise<V[]> {
  const data = await mo.ok(`query($u: [UUID!]) { ${kind}(filter: { uuids: $u, from_date: null, to_date: null }) { objects { validities(start: null, end: null) { ${fields} validity { from to } } } } }`, { u: [uuid] });
  const objects = data[kind].objects as { validities: any[] }[];
  return (objects[0]?.validities ?? []).map(({ validity, ...rest }) => ({ ...rest, from: day(validity.from)!, to: day(validity.to) })).sort((a, b) => a.from.localeCompare(b.from));
}

// ---------------------------------------------------------------- fix 2

test('fix 2: the e-mail address and the AZ IT user end with the engagement\'s SlutTid (the latest of the person\'s rows)', () =>
  withMo(async ({ write, run, mo }) => {
    const unit = u(1);
    write('Org_inital_20240101_000000.csv', ORG_HEADER, [orgLine({ uuid: unit, key: 'U1', start: '01-01-2010' })]);
    const A = '0101801234', B = '1502752346';
    write('Pers_nye_20240601_120000.csv', PERS_HEADER, [
      persLine({ uuid: u(101), cpr: A, name: 'Anne Test', start: '01-01-2020', end: '31-12-2025', email: 'anne@aarhus.dk', azid: 'az1', unit }),
      persLine({ uuid: u(102), cpr: A, name: 'Anne Test', start: '01-01-2021', end: '2026-06-30 00:00:00.000000', email: 'anne@aarhus.dk', azid: 'az1', unit }),
      persLine({ uuid: u(103), cpr: B, name: 'Bo Test', start: '01-01-2020', email: 'bo@aarhus.dk', azid: 'az2', unit }),
    ]);
    const r = await run();
    assert.is(r.code, 0, r.out);
    const emailOf = (cpr: string) => validities(mo, 'addresses', aak(`${cpr}email`), 'value');
    const azOf = (cpr: string) => validities(mo, 'itusers', aak(`${cpr}azid`), 'user_key');
    assert.equal(await emailOf(A), [{ value: 'anne@aarhus.dk', from: '2024-06-01', to: '2026-07-01' }]);
    assert.equal(await azOf(A), [{ user_key: 'az1', from: '2024-06-01', to: '2026-07-01' }]);
    assert.equal(await emailOf(B), [{ value: 'bo@aarhus.dk', from: '2024-06-01', to: null }]);
    assert.equal(await azOf(B), [{ user_key: 'az2', from: '2024-06-01', to: null }]);

    // Pers_ret: B leaves at the end of 2024 → the address and the AZ account end with the engagement
    write('Pers_ret_20240901_120000.csv', PERS_HEADER, [persLine({ uuid: u(103), cpr: B, name: 'Bo Test', start: '01-01-2020', end: '31-12-2024', email: 'bo@aarhus.dk', azid: 'az2', unit })]);
    const r2 = await run();
    assert.is(r2.code, 0, r2.out);
    assert.equal(await emailOf(B), [{ value: 'bo@aarhus.dk', from: '2024-06-01', to: '2025-01-01' }]);
    assert.equal(await azOf(B), [{ user_key: 'az2', from: '2024-06-01', to: '2025-01-01' }]);
  }));

// ---------------------------------------------------------------- fixes 3 and 4

test('fix 3 and 4: an unmatched PostAdresse in Org_ret keeps MO\'s postal address; a first EAN on a unit MO has starts at the row\'s effective date', () =>
  withMo(async ({ write, run, mo, box }) => {
    const unit = u(2), fresh = u(3);
    write('Org_inital_20120701_000000.csv', ORG_HEADER, [orgLine({ uuid: unit, key: 'U2', post: DAR_OK.text, start: '01-07-2012' })]);
    const r1 = await run();
    assert.is(r1.code, 0, r1.out);
    const post = aak(`${unit}postaddr`), ean = aak(`${unit}ean`);
    assert.equal(await validities(mo, 'addresses', post, 'value'), [{ value: DAR_OK.id, from: '2012-07-01', to: null }]);

    write('Org_ret_20210201_000000.csv', ORG_HEADER, [
      orgLine({ uuid: unit, key: 'U2', post: DAR_MISS, ean: '5798000000001', start: '01-07-2012' }),
      // a unit MO does not have, first seen in Org_ret: created from its StartDato, with its EAN
      orgLine({ uuid: fresh, key: 'U3', parent: unit, ean: '5798000000002', start: '01-03-2020' }),
    ]);
    const r2 = await run();
    assert.is(r2.code, 0, r2.out);
    // fix 3: the address MO has is kept (not ended from 2021-02-01), the text is listed and warned about
    assert.equal(await validities(mo, 'addresses', post, 'value'), [{ value: DAR_OK.id, from: '2012-07-01', to: null }]);
    const list = path.join(path.dirname(box.state), 'reports', 'failed_addr_Org_ret_20210201_000000.csv');
    assert.ok(existsSync(list), 'failure list written');
    assert.match(readFileSync(list, 'utf8'), `${unit}#${DAR_MISS}`);
    assert.match(r2.report.warnings.join('\n'), /not matched in DAR.*MO keeps the postal address it has/);
    // fix 4: the EAN starts at max(file date, StartDato), not at the unit's StartDato
    assert.equal(await validities(mo, 'addresses', ean, 'value'), [{ value: '5798000000001', from: '2021-02-01', to: null }]);
    assert.equal(await validities(mo, 'addresses', aak(`${fresh}ean`), 'value'), [{ value: '5798000000002', from: '2020-03-01', to: null }]);

    // a later Org_ret with a matched text changes the address from its date; an unmatched one after it keeps that
    write('Org_ret_20220301_000000.csv', ORG_HEADER, [orgLine({ uuid: unit, key: 'U2', post: 'Ellevangsvej 29, 8240 Risskov', ean: '5798000000001', start: '01-07-2012' })]);
    write('Org_ret_20220401_000000.csv', ORG_HEADER, [orgLine({ uuid: unit, key: 'U2', post: DAR_MISS, ean: '5798000000001', start: '01-07-2012' })]);
    const r3 = await run();
    assert.is(r3.code, 0, r3.out);
    assert.equal(await validities(mo, 'addresses', post, 'value'), [
      { value: DAR_OK.id, from: '2012-07-01', to: '2022-03-01' },
      { value: '28f204d5-f7b1-f4ac-b737-fac0741194a7', from: '2022-03-01', to: null },
    ]);
  }));

// ---------------------------------------------------------------- fix 5

test('fix 5: --skip-invalid-rows drops what depends on a dropped unit, transitively, and says why; value errors still fail the file', () =>
  withMo(async ({ write, run, mo, box }) => {
    const P = u(10), C = u(11), G = u(12), Q = u(13);
    const BAD_TYPE = '20000000-0000-4000-8000-0000000000ff'; // a class neither delivered nor in MO
    const ORG = 'Org_inital_20240101_000000.csv';
    write(ORG, ORG_HEADER, [
      orgLine({ uuid: P, key: 'P', type: BAD_TYPE, ean: '5798000000010', start: '01-01-2010' }), // line 2: rejected (unknown class)
      orgLine({ uuid: C, key: 'C', parent: P, start: '01-01-2010' }), // line 3: its parent is dropped
      orgLine({ uuid: G, key: 'G', parent: C, ean: '5798000000011', start: '01-01-2010' }), // line 4: its grandparent is
      orgLine({ uuid: Q, key: 'Q', start: '01-01-2010' }), // line 5: unaffected
    ]);
    const A = '0101801234', B = '1502752346';
    write('Pers_nye_20240601_120000.csv', PERS_HEADER, [
      persLine({ uuid: u(201), cpr: A, name: 'Anne Test', start: '01-01-2020', unit: G }), // line 2: in a dropped unit
      persLine({ uuid: u(202), cpr: B, name: 'Bo Test', start: '01-01-2020', unit: Q }), // line 3: fine
    ]);
    write('Leder_nye_20240601_120000.csv', LEDER_HEADER, [[C, B, MTYPE, LEVEL, RESP].join(';'), [Q, B, MTYPE, LEVEL, RESP].join(';')]);

    const r = await run('--skip-invalid-rows');
    assert.is(r.code, 0, r.out);
    const warnings = r.report.warnings.join('\n');
    assert.match(warnings, `${ORG}:2:`);
    assert.match(warnings, new RegExp(`${ORG}:3:\\d+: ParentUUID: depends on dropped unit ${P} from ${ORG}:2`));
    assert.match(warnings, new RegExp(`${ORG}:4:\\d+: ParentUUID: depends on dropped unit ${C} from ${ORG}:3`));
    assert.match(warnings, new RegExp(`Pers_nye_20240601_120000.csv:2:\\d+: \\w+: depends on dropped unit ${G} from ${ORG}:4`));
    assert.match(warnings, new RegExp(`Leder_nye_20240601_120000.csv:2:\\d+: \\w+: depends on dropped unit ${C} from ${ORG}:3`));
    assert.is(r.report.errors.length, 5, JSON.stringify(r.report.errors));

    const units = await mo.ok(`query($u: [UUID!]) { org_units(filter: { uuids: $u, from_date: null, to_date: null }) { objects { uuid } } }`, { u: [P, C, G, Q] });
    assert.equal(units.org_units.objects.map((o: { uuid: string }) => o.uuid), [Q]);
    assert.equal(await validities(mo, 'addresses', aak(`${G}ean`), 'value'), []);
    assert.equal(await validities(mo, 'engagements', u(201), 'user_key'), []);
    assert.equal((await validities(mo, 'engagements', u(202), 'org_unit_uuid')).map((v) => v.org_unit_uuid), [Q]);
    assert.equal(await validities(mo, 'managers', aak(`${C}${B}manager`), 'org_unit_uuid'), []);
    assert.equal((await validities(mo, 'managers', aak(`${Q}${B}manager`), 'org_unit_uuid')).map((v) => v.org_unit_uuid), [Q]);

    // a value error (a bad date) fails the whole file, with or without the flag, and writes nothing
    const before = JSON.stringify(await mo.ok('{ org_units(filter: { from_date: null, to_date: null }) { objects { uuid } } }'));
    write('Org_ret_20240901_000000.csv', ORG_HEADER, [orgLine({ uuid: Q, key: 'Q2', start: '31-02-2024' }), orgLine({ uuid: u(14), key: 'N', start: '01-01-2024' })]);
    const bad = await run('--skip-invalid-rows');
    assert.is.not(bad.code, 0, bad.out);
    assert.match(bad.out, /Org_ret_20240901_000000\.csv:2:\d+: StartDato/);
    assert.is(JSON.stringify(await mo.ok('{ org_units(filter: { from_date: null, to_date: null }) { objects { uuid } } }')), before);
    assert.ok(box.dir);
  }));

test.run();
