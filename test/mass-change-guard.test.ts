/**
 * The mass-change guard (issue 19 ★): a run that would end more existing objects of one kind than
 * `mass_change_limit` stops before writing (exit 3, a table of what it would end, MO and the state
 * untouched); `--allow-mass-changes` confirms that one run. Pure part: planObjects' real phases.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { cliP as cli, sandbox } from './helpers/cli.ts';
import { startTestMo } from './helpers/mo.ts';
import { groupByKind, planObjects, type Timelines } from '../src/plan/objects.ts';
import { endingsByKind, guardMassChanges, MassChangeError } from '../src/plan/mass-change.ts';
import { resolveSettings } from '../src/settings.ts';
import type { TimedFields } from '../src/plan/timeline.ts';
import type { Kind } from '../src/mo/kinds.ts';
import type { DesiredObject } from '../schemas/desired.schema.ts';

// --- pure: the phases planObjects makes ------------------------------------------------------
const u = (n: number) => `20000000-0000-0000-0000-${String(n).padStart(12, '0')}`;
const engagement = (n: number, periods: [string, string | null][]): DesiredObject => ({
  kind: 'engagement', uuid: u(n), owner: { person: u(100_000 + n) }, window: { from: null },
  periods: periods.map(([from, to]) => ({ from, to, fields: { user_key: `E${n}`, person: u(100_000 + n), org_unit: u(900_000), engagement_type: u(900_001), job_function: u(900_002), primary: u(900_003) }, source: { file: 'Pers_luk.csv', line: n + 1 } })),
});
const mo = (objects: DesiredObject[]): Timelines =>
  new Map([['engagement' as Kind, new Map(objects.map((o) => [o.uuid, o.periods.map((p): TimedFields => ({ from: p.from, to: p.to, fields: { ...p.fields } }))]))]]);
/** n engagements in MO, all open; the delivery ends `ended` of them on 2024-08-01 and changes one in the middle of another */
function phasesEnding(n: number, ended: number) {
  const have = Array.from({ length: n }, (_, i) => engagement(i + 1, [['2020-01-01', null]]));
  const want = have.map((o, i) => (i < ended ? engagement(i + 1, [['2020-01-01', '2024-08-01']]) : o));
  // a gap cut out of the middle of one more engagement's timeline: it is not ended
  if (ended < n) want[ended] = engagement(ended + 1, [['2020-01-01', '2021-01-01'], ['2022-01-01', null]]);
  return planObjects(groupByKind([want]), mo(have)).phases;
}

test('endingsByKind: objects ended (terminate open to the past) per kind, once each; a cut out of the middle is not an ending', () => {
  const phases = phasesEnding(30, 12);
  assert.ok(phases.some((p) => p.label === 'ending engagements'), 'the plan has an ending phase');
  const endings = endingsByKind(phases);
  assert.equal([...endings.keys()], ['engagement']);
  assert.is(endings.get('engagement')!.count, 12);
  assert.equal(endings.get('engagement')!.examples.map((e) => [e.user_key, e.to]), [['E1', '2024-08-01'], ['E2', '2024-08-01'], ['E3', '2024-08-01'], ['E4', '2024-08-01'], ['E5', '2024-08-01']]);
  // the middle cut (engagement 13) is a terminate of [2021-01-01, 2022-01-01) in the plan, but no ending
  const all = phases.flatMap((p) => Array.from({ length: p.length }, (_, i) => p.changesOf(i)).flat());
  assert.ok(all.some((c) => c.uuid === u(13) && c.operation === 'terminate'));
});

test('the default limit is 500 per kind: 500 endings pass, 501 stop with exit 3 and a table', () => {
  const limit = resolveSettings({ env: {} }).int('mass_change_limit');
  assert.is(limit, 500);
  const warnings: string[] = [];
  const options = { limit, allowed: false, dryRun: false, warn: (m: string) => warnings.push(m) };
  assert.is(guardMassChanges(phasesEnding(600, 500), options).get('engagement')!.count, 500);
  assert.equal(warnings, []);
  let error: unknown;
  try { guardMassChanges(phasesEnding(600, 501), options); } catch (e) { error = e; }
  assert.instance(error, MassChangeError);
  assert.is((error as MassChangeError).exitCode, 3);
  assert.match((error as Error).message, /would end 501 engagements \(in 502 terminate operations; 1 of them ends nothing: a period cut out of the middle of a timeline\): more than mass_change_limit \(500\)/);
  assert.match((error as Error).message, /✖ engagements\s+501\s+500\s+E1 \(to 2024-08-01\), E2/);
  assert.match((error as Error).message, /--allow-mass-changes/);
  // confirmed, or a dry run: a warning with the table instead
  assert.is(guardMassChanges(phasesEnding(600, 501), { ...options, allowed: true }).get('engagement')!.count, 501);
  assert.is(guardMassChanges(phasesEnding(600, 501), { ...options, dryRun: true }).get('engagement')!.count, 501);
  assert.is(warnings.length, 2);
  // the summary's changes line counts terminate operations (502: the 501 endings and the middle cut); the warning says both
  assert.match(warnings[0]!, /^mass change confirmed by --allow-mass-changes: this run ends 501 engagements \(in 502 terminate operations; 1 of them ends nothing: a period cut out of the middle of a timeline\) \(mass_change_limit 500 per kind\)/);
  assert.is(endingsByKind(phasesEnding(600, 501)).get('engagement')!.terminates, 502);
  // without a cut the two agree and nothing is added
  const noCut = endingsByKind(phasesEnding(501, 501)).get('engagement')!;
  assert.equal([noCut.count, noCut.terminates], [501, 501]);
  guardMassChanges(phasesEnding(501, 501), { ...options, allowed: true });
  assert.match(warnings[2]!, /this run ends 501 engagements \(mass_change_limit 500 per kind\)/);
  assert.match(warnings[1]!, /^a run without --dry-run would stop here/);
});

test('mass_change_limit comes from the environment, settings.json and --set; not a whole number is exit 2', () => {
  assert.is(resolveSettings({ env: { LOS_MASS_CHANGE_LIMIT: '7' } }).int('mass_change_limit'), 7);
  assert.is(resolveSettings({ env: { LOS_MASS_CHANGE_LIMIT: '7' }, overrides: ['mass_change_limit=3'] }).int('mass_change_limit'), 3);
  const box = sandbox('los2mo-guard-settings-');
  try {
    const file = path.join(box.dir, 'settings.json');
    writeFileSync(file, JSON.stringify({ 'integrations.aarhus_los.mass_change_limit': 42 }));
    assert.is(resolveSettings({ env: {}, settingsFile: file }).int('mass_change_limit'), 42);
  } finally {
    box.cleanup();
  }
  assert.throws(() => resolveSettings({ env: {}, overrides: ['mass_change_limit=many'] }).int('mass_change_limit'), (e: any) => e.exitCode === 2);
});

// --- end to end: a delivery that closes many units at once ------------------------------------
const HEADER = 'OrgUUID;BrugervendtNøgle;OrgEnhedsNavn;OrgEnhedsTypeUUID;ParentUUID;Med-i-LinjeOrg;LOSID;CVR;EAN;P-Nr;SE-Nr;IntDebitor-Nr;MagID;PostAdresse;StartDato;SlutDato';
const KOMMUNE = '2b1c8965-9ec8-e499-8d93-f72b1410480d';
const AFDELING = '17c7db5e-29d9-4c02-8836-6b236102112a';
const TOP = u(1);
const LEAVES = Array.from({ length: 12 }, (_, i) => u(10 + i));
const row = (uuid: string, key: string, parent: string, type: string, end = '31-12-9999') => [uuid, key, `Enhed ${key}`, type, parent, '', '', '', '', '', '', '', '', '', '01-01-2010', end].join(';');
const csv = (rows: string[]) => '\uFEFF' + [HEADER, ...rows].join('\r\n') + '\r\n';

test('a delivery closing 12 units with mass_change_limit=10 stops (exit 3, table, MO and state untouched); --allow-mass-changes lets it through', async () => {
  const box = sandbox('los2mo-guard-e2e-');
  for (const f of readdirSync(box.los)) if (!f.startsWith('STAM_')) rmSync(path.join(box.los, f));
  const moServer = await startTestMo();
  const env = box.env({ MO_URL: moServer.emu.url, CLIENT_SECRET: 'test-secret' });
  const allUnits = async () => JSON.stringify((await moServer.ok<{ org_units: { objects: unknown[] } }>(
    `{ org_units(filter: { from_date: null, to_date: null }) { objects { uuid validities(start: null, end: null) { validity { from to } name } } } }`)).org_units.objects);
  let n = 0;
  const run = async (...args: string[]) => {
    const report = path.join(box.dir, `report-${++n}.json`);
    const r = await cli(['workflow', 'import.yaml', '--report', report, ...args], env);
    return { ...r, report: existsSync(report) ? JSON.parse(readFileSync(report, 'utf8')) : null };
  };
  try {
    writeFileSync(path.join(box.los, 'Org_inital_20240101_000000.csv'), csv([row(TOP, 'TOP', TOP, KOMMUNE), ...LEAVES.map((l, i) => row(l, `L${i}`, TOP, AFDELING))]));
    const first = await run('--set', 'mass_change_limit=10');
    assert.is(first.code, 0, first.stdout + first.stderr);
    assert.is(first.report.operations.org_unit.create, 13);

    // the next delivery closes all 12 leaves
    writeFileSync(path.join(box.los, 'Org_ret_20240701_120000.csv'), csv(LEAVES.map((l, i) => row(l, `L${i}`, TOP, AFDELING, '31-08-2024'))));
    const state = readFileSync(box.state, 'utf8');
    const before = await allUnits();

    const stopped = await run('--set', 'mass_change_limit=10');
    assert.is(stopped.code, 3, stopped.stdout + stopped.stderr);
    assert.match(stopped.stderr, /STOPPED/);
    assert.match(stopped.stderr, /the plan would end 12 org units: more than mass_change_limit \(10\)/);
    assert.match(stopped.stderr, /✖ org units\s+12\s+10\s+L0 \(to 2024-09-01\)/);
    assert.match(stopped.stderr, /--allow-mass-changes/);
    assert.is(stopped.report.outcome, 'mass-change');
    assert.is(stopped.report.exit_code, 3);
    assert.is(await allUnits(), before, 'nothing was written to MO');
    assert.is(readFileSync(box.state, 'utf8'), state, 'the state was not advanced');

    // a dry run shows the same table as a warning and exits 0
    const dry = await run('--set', 'mass_change_limit=10', '--dry-run');
    assert.is(dry.code, 0, dry.stdout + dry.stderr);
    assert.ok(dry.report.warnings.some((w: string) => /^a run without --dry-run would stop here: the plan would end 12 org units/.test(w)));

    // 12 is within a limit of 12 (env), and the confirmation lets a limit of 10 through
    const confirmed = await run('--set', 'mass_change_limit=10', '--allow-mass-changes');
    assert.is(confirmed.code, 0, confirmed.stdout + confirmed.stderr);
    assert.is(confirmed.report.operations.org_unit.terminate, 12);
    assert.ok(confirmed.report.warnings.some((w: string) => /^mass change confirmed by --allow-mass-changes: this run ends 12 org units/.test(w)));
    assert.is.not(readFileSync(box.state, 'utf8'), state, 'the confirmed run advanced the state');
    const after = JSON.parse(await allUnits()) as { uuid: string; validities: { validity: { to: string | null } }[] }[];
    for (const l of LEAVES) assert.is(after.find((o) => o.uuid === l)!.validities.at(-1)!.validity.to?.slice(0, 10), '2024-09-01', `unit ${l} ended after 31-08-2024 (MO's to: the day after)`);
  } finally {
    await moServer.stop();
    box.cleanup();
  }
});

test.run();
