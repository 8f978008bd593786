/**
 * Org units end to end (issue 5, "Done when"): purpose-made Org files → the real CLI → the MO
 * emulator over HTTP, read back with GraphQL. History merge, gaps, updates, Org_ret from the file
 * date, emptied address columns, SlutDato, top units, parent-first order, derived address uuids,
 * and a parent that exists nowhere.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { cliP as cli, sandbox } from './helpers/cli.ts';
import { startTestMo, type TestMo } from './helpers/mo.ts';
import { gen } from './helpers/pinned-uuids.ts';

const HEADER = 'OrgUUID;BrugervendtNøgle;OrgEnhedsNavn;OrgEnhedsTypeUUID;ParentUUID;Med-i-LinjeOrg;LOSID;CVR;EAN;P-Nr;SE-Nr;IntDebitor-Nr;MagID;PostAdresse;StartDato;SlutDato';
const KOMMUNE = '2b1c8965-9ec8-e499-8d93-f72b1410480d'; // STAM_UUID_Enhedstype: Kommune
const AFDELING = '17c7db5e-29d9-4c02-8836-6b236102112a'; // Magistratsafdeling
const u = (n: number) => `10000000-0000-0000-0000-${String(n).padStart(12, '0')}`;

interface Row {
  uuid: string; key: string; name: string; parent: string; type?: string; linje?: string;
  los?: string; cvr?: string; ean?: string; start: string; end?: string;
}
const line = (r: Row) =>
  [r.uuid, r.key, r.name, r.type ?? AFDELING, r.parent, r.linje ?? '', r.los ?? '', r.cvr ?? '', r.ean ?? '', '', '', '', '', '', r.start, r.end ?? '31-12-9999'].join(';');
const csv = (rows: Row[]) => '\uFEFF' + [HEADER, ...rows.map(line)].join('\r\n') + '\r\n';

type Box = ReturnType<typeof sandbox>;
type Run = (...args: string[]) => Promise<{ code: number; stdout: string; stderr: string; report: any }>;

/** A sandbox whose source holds the example's STAM files only, and a fresh MO. */
async function withMo(fn: (ctx: { box: Box; mo: TestMo; run: Run; write: (name: string, rows: Row[]) => void }) => Promise<void>) {
  const box = sandbox('los2mo-units-e2e-');
  for (const f of readdirSync(box.los)) if (!f.startsWith('STAM_')) rmSync(path.join(box.los, f));
  const mo = await startTestMo();
  const env = box.env({ MO_URL: mo.emu.url, CLIENT_SECRET: 'test-secret' });
  let n = 0;
  const run: Run = async (...args) => {
    const report = path.join(box.dir, `report-${++n}.json`);
    const r = await cli(['workflow', 'import.yaml', '--report', report, ...args], env);
    return { ...r, report: existsSync(report) ? JSON.parse(readFileSync(report, 'utf8')) : null };
  };
  const write = (name: string, rows: Row[]) => writeFileSync(path.join(box.los, name), csv(rows));
  try {
    await fn({ box, mo, run, write });
  } finally {
    await mo.stop();
    box.cleanup();
  }
}

interface UnitV { from: string; to: string | null; name: string; user_key: string; parent_uuid: string | null; unit_type_uuid: string | null; org_unit_hierarchy: string | null }
interface AddrV { from: string; to: string | null; value: string; org_unit_uuid: string }
const day = (d: string | null) => (d === null ? null : d.slice(0, 10));

async function units(mo: TestMo, uuids: string[]): Promise<Map<string, UnitV[]>> {
  const data = await mo.ok<{ org_units: { objects: { uuid: string; validities: any[] }[] } }>(
    `query($u: [UUID!]) { org_units(filter: { uuids: $u, from_date: null, to_date: null }) { objects { uuid
       validities(start: null, end: null) { validity { from to } name user_key parent_uuid unit_type_uuid org_unit_hierarchy } } } }`,
    { u: uuids },
  );
  return new Map(data.org_units.objects.map((o) => [o.uuid, o.validities
    .map((v): UnitV => ({ from: day(v.validity.from)!, to: day(v.validity.to), name: v.name, user_key: v.user_key, parent_uuid: v.parent_uuid, unit_type_uuid: v.unit_type_uuid, org_unit_hierarchy: v.org_unit_hierarchy }))
    .sort((a, b) => a.from.localeCompare(b.from))]));
}

async function addresses(mo: TestMo, uuids: string[]): Promise<Map<string, AddrV[]>> {
  const data = await mo.ok<{ addresses: { objects: { uuid: string; validities: any[] }[] } }>(
    `query($u: [UUID!]) { addresses(filter: { uuids: $u, from_date: null, to_date: null }) { objects { uuid
       validities(start: null, end: null) { validity { from to } value org_unit_uuid } } } }`,
    { u: uuids },
  );
  return new Map(data.addresses.objects.map((o) => [o.uuid, o.validities.map((v) => ({ from: day(v.validity.from)!, to: day(v.validity.to), value: v.value, org_unit_uuid: v.org_unit_uuid }))
    .sort((a, b) => a.from.localeCompare(b.from))]));
}

/** Every org unit MO has, all validities, for before/after comparisons. */
const allUnits = async (mo: TestMo) =>
  JSON.stringify((await mo.ok<{ org_units: { objects: unknown[] } }>(
    `{ org_units(filter: { from_date: null, to_date: null }) { objects { uuid validities(start: null, end: null) { validity { from to } name user_key parent_uuid } } } }`,
  )).org_units.objects);

const spans = (vs: { from: string; to: string | null }[]) => vs.map((v) => `${v.from}..${v.to ?? 'open'}`);

// --- the delivery ---------------------------------------------------------------------------
const TOP = u(1), CHILD = u(2), PARENT = u(3), MRG = u(4), GAP = u(5), UPD = u(6), END = u(7);
const RET = u(8), LATE = u(9), EMP = u(10), ENDR = u(11), NEW = u(12);
const CHECK = '00000000-0000-0000-0000-000000000001';
const CHECK_LOS = 'c4461c82-9614-3731-18b4-18c1682ed9c9'; // los-format.md: gen("AAK", CHECK + "los")

const INITIAL: Row[] = [
  { uuid: TOP, key: 'TOP', name: 'Topenheden', parent: TOP, type: KOMMUNE, linje: 'true', los: '100001', start: '01-01-2000' },
  // a child listed before its parent, whose own parent comes later still
  { uuid: CHILD, key: 'CHILD', name: 'Barn', parent: PARENT, los: '100002', start: '01-01-2006' },
  { uuid: MRG, key: 'MRG', name: 'Samlet', parent: TOP, los: '100004', start: '01-01-2015', end: '2019-12-31 00:00:00.000000' },
  { uuid: MRG, key: 'MRG', name: 'Samlet', parent: TOP, los: '100004', start: '01-01-2020' },
  { uuid: MRG, key: 'MRG', name: 'Samlet', parent: TOP, los: '100004', start: '01-01-2010', end: '31-12-2014' },
  { uuid: GAP, key: 'GAP', name: 'Hul', parent: TOP, los: '100005', start: '01-01-2010', end: '31-12-2012' },
  { uuid: GAP, key: 'GAP', name: 'Hul', parent: TOP, los: '100005', start: '01-01-2014' },
  { uuid: UPD, key: 'UPD', name: 'Før', parent: TOP, los: '100006', start: '01-01-2010', end: '31-12-2015' },
  { uuid: UPD, key: 'UPD', name: 'Efter', parent: TOP, los: '100006', start: '01-01-2016' },
  { uuid: END, key: 'END', name: 'Slutter', parent: TOP, los: '100007', start: '01-01-2010', end: '2022-06-30 00:00:00.000000' },
  { uuid: CHECK, key: 'CHECK', name: 'Kontrolværdi', parent: TOP, los: '424242', start: '01-01-2010' },
  { uuid: RET, key: 'RET', name: 'Ret tidlig', parent: TOP, los: '100008', start: '01-01-2010', end: '31-12-2017' },
  { uuid: RET, key: 'RET', name: 'Ret midt', parent: TOP, los: '100008', start: '01-01-2018' },
  { uuid: LATE, key: 'LATE', name: 'Sen gammel', parent: TOP, los: '100009', start: '01-01-2010' },
  { uuid: EMP, key: 'EMP', name: 'Tømmes', parent: TOP, los: '100010', cvr: '55133018', ean: '5798000000011', start: '01-01-2010' },
  { uuid: ENDR, key: 'ENDR', name: 'Lukkes', parent: TOP, los: '100011', start: '01-01-2010' },
  { uuid: PARENT, key: 'PARENT', name: 'Forælder', parent: TOP, los: '100003', start: '01-01-2005' },
];

// file date 2024-07-01
const RET_ROWS: Row[] = [
  { uuid: RET, key: 'RET', name: 'Ret ny', parent: TOP, los: '100008', start: '01-01-2018' }, // StartDato before the file date
  { uuid: LATE, key: 'LATE', name: 'Sen ny', parent: TOP, los: '100009', start: '01-09-2024' }, // StartDato after the file date
  { uuid: EMP, key: 'EMP', name: 'Tømmes', parent: TOP, los: '100010', cvr: '55133018', ean: '', start: '01-01-2010' }, // EAN emptied
  { uuid: ENDR, key: 'ENDR', name: 'Lukkes', parent: TOP, los: '100011', start: '01-01-2010', end: '31-08-2024' },
  { uuid: NEW, key: 'NEW', name: 'Ny i ret', parent: PARENT, los: '100012', start: '01-03-2024' }, // first seen in Org_ret
];

const addr = (suffix: string, unit: string) => gen('AAK', unit + suffix);

test('Org_inital history, top units, parent-first order and derived uuids; then Org_ret as a delta run; then a full rerun writes nothing', async () => {
  await withMo(async ({ mo, run, write }) => {
    write('Org_inital_20240101_000000.csv', INITIAL);
    const first = await run();
    assert.is(first.code, 0, first.stdout + first.stderr);
    assert.not.match(first.stdout + first.stderr, /V_[A-Z_]+/, 'MO refused nothing (parents were written first)');
    assert.is(first.report.operations.org_unit.create, 12);

    const all = [TOP, CHILD, PARENT, MRG, GAP, UPD, END, CHECK, RET, LATE, EMP, ENDR];
    let mo1 = await units(mo, all);
    assert.is(mo1.size, all.length, 'every unit is in MO');

    // touching identical rows (out of order, mixed date formats) → one period
    assert.equal(spans(mo1.get(MRG)!), ['2010-01-01..open']);
    // a gap: two periods, MO has nothing in 2013
    assert.equal(spans(mo1.get(GAP)!), ['2010-01-01..2013-01-01', '2014-01-01..open']);
    // a differing later period: a second period from its start
    assert.equal(mo1.get(UPD)!.map((v) => [v.from, v.to, v.name]), [['2010-01-01', '2016-01-01', 'Før'], ['2016-01-01', null, 'Efter']]);
    const updOps = first.report.plan.filter((c: any) => c.kind === 'org_unit' && c.uuid === UPD).map((c: any) => [c.operation, c.validity.from, c.validity.to]);
    assert.equal(updOps, [['create', '2010-01-01', '2016-01-01'], ['update', '2016-01-01', null]]);
    // SlutDato 30-06-2022 (ISO form): the last day; MO's `to` is the day after
    assert.equal(spans(mo1.get(END)!), ['2010-01-01..2022-07-01']);
    // top unit: no parent, with type and the linjeorg hierarchy; children point at it
    const top = mo1.get(TOP)!;
    assert.equal(spans(top), ['2000-01-01..open']);
    assert.is(top[0]!.parent_uuid, null);
    assert.is(top[0]!.unit_type_uuid, KOMMUNE);
    assert.ok(top[0]!.org_unit_hierarchy, 'Med-i-LinjeOrg true → a hierarchy class');
    assert.is(mo1.get(PARENT)![0]!.org_unit_hierarchy, null, 'Med-i-LinjeOrg empty → no hierarchy');
    assert.is(mo1.get(PARENT)![0]!.parent_uuid, TOP);
    assert.is(mo1.get(CHILD)![0]!.parent_uuid, PARENT);
    // parents first: PARENT is created in an earlier phase than CHILD
    const order = first.report.plan.filter((c: any) => c.kind === 'org_unit' && c.operation === 'create').map((c: any) => c.uuid);
    assert.ok(order.indexOf(TOP) < order.indexOf(PARENT) && order.indexOf(PARENT) < order.indexOf(CHILD), 'created parents first');
    // the derived address uuid of the check value
    const check = await addresses(mo, [CHECK_LOS, addr('los', MRG), addr('los', END)]);
    assert.equal(check.get(CHECK_LOS), [{ from: '2010-01-01', to: null, value: '424242', org_unit_uuid: CHECK }]);
    assert.equal(spans(check.get(addr('los', MRG))!), ['2010-01-01..open'], 'an address merges like its unit');
    assert.equal(spans(check.get(addr('los', END))!), ['2010-01-01..2022-07-01'], 'an address ends with its unit');

    // --- delta: only the Org_ret file is new --------------------------------------------------
    write('Org_ret_20240701_120000.csv', RET_ROWS);
    const delta = await run();
    assert.is(delta.code, 0, delta.stdout + delta.stderr);
    assert.equal(delta.report.files.map((f: any) => f.name), ['Org_ret_20240701_120000.csv'], 'a delta run reads only the new file');
    const mo2 = await units(mo, [...all, NEW]);
    // from the file date; the earlier history is untouched
    assert.equal(mo2.get(RET)!.map((v) => [v.from, v.to, v.name]), [['2010-01-01', '2018-01-01', 'Ret tidlig'], ['2018-01-01', '2024-07-01', 'Ret midt'], ['2024-07-01', null, 'Ret ny']]);
    // from StartDato when it is later than the file date
    assert.equal(mo2.get(LATE)!.map((v) => [v.from, v.to, v.name]), [['2010-01-01', '2024-09-01', 'Sen gammel'], ['2024-09-01', null, 'Sen ny']]);
    // a finite SlutDato in Org_ret ends the unit after that day, and its addresses with it
    assert.equal(spans(mo2.get(ENDR)!), ['2010-01-01..2024-09-01']);
    // first seen in Org_ret: created from its own StartDato
    assert.equal(mo2.get(NEW)!.map((v) => [v.from, v.to, v.name, v.parent_uuid]), [['2024-03-01', null, 'Ny i ret', PARENT]]);
    // an emptied address column ends the address: valid until the file date; the others stay
    const a2 = await addresses(mo, [addr('ean', EMP), addr('cvr', EMP), addr('los', ENDR), addr('los', NEW)]);
    assert.equal(a2.get(addr('ean', EMP)), [{ from: '2010-01-01', to: '2024-07-01', value: '5798000000011', org_unit_uuid: EMP }]);
    assert.equal(spans(a2.get(addr('cvr', EMP))!), ['2010-01-01..open']);
    assert.equal(spans(a2.get(addr('los', ENDR))!), ['2010-01-01..2024-09-01']);
    assert.equal(spans(a2.get(addr('los', NEW))!), ['2024-03-01..open']);
    // untouched units are untouched
    for (const uuid of [TOP, CHILD, PARENT, MRG, GAP, UPD, END, CHECK]) assert.equal(mo2.get(uuid), mo1.get(uuid), uuid);
    assert.equal(delta.report.operations, { org_unit: { create: 1, update: 2, terminate: 1 }, address: { create: 1, terminate: 2 } });

    // everything again (Org_inital then Org_ret composed in one run) is what MO already has
    const again = await run('--import-from-date', '2000-01-01');
    assert.is(again.code, 0, again.stdout + again.stderr);
    assert.is(again.report.totals.mutations ?? 0, 0, JSON.stringify(again.report.plan));
    mo1 = await units(mo, [...all, NEW]);
    assert.equal(mo1, mo2);
  });
});

test('a parent that exists nowhere: exit 3 naming file, line, column and ParentUUID; nothing written', async () => {
  await withMo(async ({ mo, run, write }) => {
    write('Org_inital_20240101_000000.csv', INITIAL.filter((r) => r.uuid === TOP || r.uuid === PARENT));
    assert.is((await run()).code, 0);
    const before = await allUnits(mo);
    const missing = '99999999-9999-9999-9999-999999999999';
    write('Org_nye_20240601_120000.csv', [
      { uuid: u(20), key: 'OK', name: 'Gyldig ny', parent: TOP, los: '100020', start: '01-06-2024' },
      { uuid: u(21), key: 'LOST', name: 'Forældreløs', parent: missing, los: '100021', start: '01-06-2024' },
    ]);
    write('Org_ret_20240701_120000.csv', [{ uuid: PARENT, key: 'PARENT', name: 'Omdøbt', parent: TOP, los: '100003', start: '01-01-2005' }]);
    const r = await run();
    assert.is(r.code, 3, r.stdout + r.stderr);
    assert.match(r.stdout + r.stderr, new RegExp(`Org_nye_20240601_120000\\.csv:3:5: ParentUUID: .*${missing}`));
    assert.is(r.report.totals.mutations ?? 0, 0);
    assert.is(await allUnits(mo), before, 'MO is unchanged');
  });
});

test.run();
