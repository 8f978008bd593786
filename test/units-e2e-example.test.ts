/**
 * Org units end to end on the example delivery (issue 5, "Done when"): the whole delivery into the
 * MO emulator over HTTP and an idempotent rerun, the history cases of examples/expected.json read
 * back with GraphQL, DAR ids and failure lists; and a nightly delta run (Org_ret after Org_inital
 * and Org_nye) that writes only what the Org_ret file changes.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { copyFileSync, existsSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { cliP as cli, sandbox, ROOT } from './helpers/cli.ts';
import { startTestMo, type TestMo } from './helpers/mo.ts';
import { gen } from './helpers/pinned-uuids.ts';

const expected = JSON.parse(readFileSync(path.join(ROOT, 'examples/expected.json'), 'utf8'));
const org = expected.cases.org;
const INITIAL = 'Org_inital_20240101_000000.csv', NYE = 'Org_nye_20240601_120000.csv', RET = 'Org_ret_20240701_120000.csv';

type Box = ReturnType<typeof sandbox>;
type Run = (...args: string[]) => Promise<{ code: number; stdout: string; stderr: string; report: any }>;

async function withMo(fn: (ctx: { box: Box; mo: TestMo; run: Run }) => Promise<void>) {
  const box = sandbox('los2mo-units-e2e-');
  const mo = await startTestMo();
  const env = box.env({ MO_URL: mo.emu.url, CLIENT_SECRET: 'test-secret' });
  let n = 0;
  const run: Run = async (...args) => {
    const report = path.join(box.dir, `report-${++n}.json`);
    const r = await cli(['workflow', 'import.yaml', '--report', report, ...args], env);
    return { ...r, report: existsSync(report) ? JSON.parse(readFileSync(report, 'utf8')) : null };
  };
  try {
    await fn({ box, mo, run });
  } finally {
    await mo.stop();
    box.cleanup();
  }
}

const day = (d: string | null) => (d === null ? null : d.slice(0, 10));

interface UnitV { from: string; to: string | null; name: string; user_key: string; parent_uuid: string | null; unit_type_uuid: string | null; org_unit_hierarchy: string | null }
async function units(mo: TestMo, uuids?: string[]): Promise<Map<string, UnitV[]>> {
  const data = await mo.ok<{ org_units: { objects: { uuid: string; validities: any[] }[] } }>(
    `query($u: [UUID!]) { org_units(filter: { uuids: $u, from_date: null, to_date: null }) { objects { uuid
       validities(start: null, end: null) { validity { from to } name user_key parent_uuid unit_type_uuid org_unit_hierarchy } } } }`,
    { u: uuids ?? null },
  );
  return new Map(data.org_units.objects.map((o) => [o.uuid, o.validities
    .map((v): UnitV => ({ from: day(v.validity.from)!, to: day(v.validity.to), name: v.name, user_key: v.user_key, parent_uuid: v.parent_uuid, unit_type_uuid: v.unit_type_uuid, org_unit_hierarchy: v.org_unit_hierarchy }))
    .sort((a, b) => a.from.localeCompare(b.from))]));
}

interface AddrV { from: string; to: string | null; value: string; org_unit_uuid: string }
async function addresses(mo: TestMo, uuids: string[]): Promise<Map<string, AddrV[]>> {
  const data = await mo.ok<{ addresses: { objects: { uuid: string; validities: any[] }[] } }>(
    `query($u: [UUID!]) { addresses(filter: { uuids: $u, from_date: null, to_date: null }) { objects { uuid
       validities(start: null, end: null) { validity { from to } value org_unit_uuid } } } }`,
    { u: uuids },
  );
  return new Map(data.addresses.objects.map((o) => [o.uuid, o.validities.map((v) => ({ from: day(v.validity.from)!, to: day(v.validity.to), value: v.value, org_unit_uuid: v.org_unit_uuid }))
    .sort((a, b) => a.from.localeCompare(b.from))]));
}

const spans = (vs: { from: string; to: string | null }[] | undefined) => (vs ?? []).map((v) => `${v.from}..${v.to ?? 'open'}`);
const names = (vs: UnitV[] | undefined) => (vs ?? []).map((v) => `${v.from}..${v.to ?? 'open'} ${v.name}`);
const addr = (suffix: string, unit: string) => gen('AAK', unit + suffix);

test('the example delivery: history cases in MO, DAR ids and failure lists; a rerun writes 0 mutations', async () => {
  await withMo(async ({ box, mo, run }) => {
    const first = await run();
    assert.is(first.code, 0, first.stdout + first.stderr);
    assert.not.match(first.stdout + first.stderr, /V_[A-Z_]+/);

    const all = await units(mo);
    assert.is(all.size, expected.counts.units);
    // history merge: three touching identical rows (one ISO, out of order) → one period
    assert.equal(spans(all.get(org.merge.uuid)), ['2012-08-01..open']);
    // not touching → two periods with the gap
    assert.equal(spans(all.get(org.gap.uuid)), ['2015-01-01..2018-01-01', '2019-01-01..open']);
    // a differing later period → an update from its start
    assert.equal(names(all.get(org.rename.uuid)), ['2014-01-01..2021-01-01 Center for Misbrug', `2021-01-01..open ${org.rename.name}`]);
    const MSB = '25224cea-9a9e-20f6-bac7-0262eebc52f6';
    assert.equal(all.get(org.parentChange.uuid)!.map((v) => [v.from, v.to, v.parent_uuid]), [['2016-01-01', '2020-01-01', MSB], ['2020-01-01', null, org.addressChange.uuid]]);
    assert.equal(all.get(org.linjeChange.uuid)!.map((v) => [v.from, v.to, !!v.org_unit_hierarchy]), [['2013-01-01', '2018-01-01', false], ['2018-01-01', null, true]]);
    // SlutDato 30-06-2022 → to 2022-07-01
    assert.equal(all.get(org.endsInInitial.uuid)!.map((v) => v.to), ['2022-07-01']);
    // top units
    for (const t of org.topUnits) assert.equal(all.get(t.uuid)!.map((v) => v.parent_uuid), [null], t.key);
    // parents listed after their children were written first (no V_ errors above) and are parents in MO
    for (const p of org.parentsAfterChildren) assert.ok([...all.values()].some((vs) => vs.some((v) => v.parent_uuid === p.uuid)), p.key);
    // the Org_ret cases, composed in one run with Org_inital and Org_nye
    assert.equal(names(all.get(org.ret.rename.uuid)), [`2010-01-01..2024-07-01 ${org.ret.rename.name}`, `2024-07-01..open ${org.ret.rename.newName}`]);
    assert.equal(spans(all.get(org.ret.firstSeen.uuid)), ['2024-07-01..open']);
    assert.equal(spans(all.get(org.ret.ended.uuid)), ['2010-01-01..2024-08-01']);
    const a = await addresses(mo, [org.ret.addressEmptied.ean, org.ret.addressChanged.postaddr, org.mergeThenUpdate.pnr, org.addressChange.postaddr]);
    assert.is(a.get(org.ret.addressEmptied.ean)!.at(-1)!.to, '2024-07-01', 'the emptied EAN ends at the file date');
    assert.equal(a.get(org.ret.addressChanged.postaddr)!.at(-1)!.from, '2024-07-01', 'the changed PostAdresse from the file date');
    assert.equal(spans(a.get(org.mergeThenUpdate.pnr)), ['2019-01-01..open'], 'the P-Nr from 2019 only');
    assert.equal(spans(a.get(org.addressChange.postaddr)), ['2012-01-01..2019-03-01', '2019-03-01..open']);

    // every postal address in MO is the DAR id of its text; the unmatched ones are not imported
    const unmatched = new Set(expected.unmatchedAddresses.map((x: any) => x.org));
    const want = new Map<string, Set<string>>();
    for (const x of expected.addresses) if (x.darId) want.set(x.org, (want.get(x.org) ?? new Set()).add(x.darId));
    const post = await addresses(mo, [...new Set([...want.keys(), ...unmatched])].map((o) => addr('postaddr', o as string)));
    for (const [o, ids] of want) {
      const got = post.get(addr('postaddr', o));
      assert.ok(got, `postal address of ${o}`);
      assert.equal(new Set(got!.map((v) => v.value)), ids, o);
      assert.ok(got!.every((v) => v.org_unit_uuid === o));
    }
    for (const o of unmatched) if (!want.has(o as string)) assert.not.ok(post.get(addr('postaddr', o as string)), `no postal address for ${o}`);
    // … and are listed per source CSV in <state>/reports/failed_addr_*
    const reports = path.join(path.dirname(box.state), 'reports');
    const lists = readdirSync(reports).filter((f) => f.startsWith('failed_addr_')).sort();
    assert.equal(lists, [...new Set(expected.unmatchedAddresses.map((x: any) => `failed_addr_${x.file}`))].sort());
    for (const x of expected.unmatchedAddresses) {
      const text = readFileSync(path.join(reports, `failed_addr_${x.file}`), 'utf8');
      assert.ok(text.split(/\r?\n/).some((l) => l.startsWith(`${x.org}#${x.text}#`)), `${x.file}: ${x.org}#${x.text}`);
    }

    const again = await run('--import-from-date', '2000-01-01');
    assert.is(again.code, 0, again.stdout + again.stderr);
    assert.is(again.report.totals.mutations ?? 0, 0, JSON.stringify(again.report.plan));
    assert.equal(again.report.operations, {});
    assert.equal(await units(mo), all);
  });
});

test('a delta run: Org_ret after Org_inital (and Org_nye) writes only the Org_ret changes', async () => {
  await withMo(async ({ box, mo, run }) => {
    for (const f of readdirSync(box.los)) if (!f.startsWith('STAM_') && f !== INITIAL) rmSync(path.join(box.los, f));
    const first = await run();
    assert.is(first.code, 0, first.stdout + first.stderr);
    const add = (name: string) => copyFileSync(path.join(ROOT, 'examples/los', name), path.join(box.los, name)); // a fresh mtime: a new file
    const before = await units(mo);

    // KLI-SEK's parent comes in Org_nye: without it the Org_ret file is refused and nothing is written
    add(RET);
    const refused = await run();
    assert.is(refused.code, 3, refused.stdout + refused.stderr);
    assert.match(refused.stdout + refused.stderr, new RegExp(`${RET}:5:5: ParentUUID: parent unit ${expected.cases.org.nye[2].uuid} is neither in the delivery nor in MO`));
    assert.equal(await units(mo), before);

    rmSync(path.join(box.los, RET));
    add(NYE);
    assert.is((await run()).code, 0);
    const nye = await units(mo);
    assert.is(nye.size, before.size + 3);

    add(RET);
    const delta = await run();
    assert.is(delta.code, 0, delta.stdout + delta.stderr);
    assert.equal(delta.report.files.map((f: any) => f.name), [RET]);
    const ret = org.ret;
    // Org_ret: MBU-TAN renamed, SUN-SUN's PostAdresse changed, NAV-DRN's EAN emptied, KLI-SEK new
    // (5 addresses), SYD-TRA ended (with its 5 addresses); SKO-ROS unchanged
    assert.equal(delta.report.operations, { org_unit: { create: 1, update: 1, terminate: 1 }, address: { create: 5, update: 1, terminate: 6 } });
    const touched = new Set([ret.rename.uuid, ret.addressChanged.uuid, ret.addressEmptied.uuid, ret.firstSeen.uuid, ret.ended.uuid]);
    const suffixes = ['los', 'cvr', 'ean', 'pnr', 'senr', 'debitornr', 'mag_id', 'postaddr'];
    const allowed = new Set([...touched, ...[...touched].flatMap((t) => suffixes.map((s) => addr(s, t)))]);
    for (const c of delta.report.plan.filter((c: any) => c.kind === 'org_unit' || c.kind === 'address')) {
      assert.ok(allowed.has(c.uuid), `only Org_ret units are touched: ${JSON.stringify(c)}`);
      if (c.uuid !== ret.firstSeen.uuid && !suffixes.some((s) => addr(s, ret.firstSeen.uuid) === c.uuid)) {
        assert.ok((c.validity.from ?? c.validity.to) >= '2024-07-01', `changes from the file date: ${JSON.stringify(c)}`);
      }
    }
    const after = await units(mo);
    for (const [uuid, vs] of nye) if (!touched.has(uuid)) assert.equal(after.get(uuid), vs, `${uuid} untouched`);
    assert.equal(names(nye.get(ret.rename.uuid)), [`2010-01-01..open ${ret.rename.name}`]);
    assert.equal(names(after.get(ret.rename.uuid)), [`2010-01-01..2024-07-01 ${ret.rename.name}`, `2024-07-01..open ${ret.rename.newName}`]);
    assert.equal(spans(after.get(ret.ended.uuid)), ['2010-01-01..2024-08-01']);
    assert.equal(spans(after.get(ret.firstSeen.uuid)), ['2024-07-01..open']);

    // the same delivery run whole gives the same MO: nothing to write
    const again = await run('--import-from-date', '2000-01-01');
    assert.is(again.code, 0, again.stdout + again.stderr);
    assert.is(again.report.totals.mutations ?? 0, 0, JSON.stringify(again.report.plan));
  });
});

test.run();
