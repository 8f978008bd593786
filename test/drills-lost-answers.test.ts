/**
 * Failure drill (issue 16 point 8): MO's answers get lost after MO committed. Night 1 imports the
 * master data and the initial units cleanly; night 2 (the rest of the example delivery: new units,
 * persons with IT users, managers, changes and ends) runs while 5 % of MO's answers are dropped
 * after commit, 10 % of requests fail with HTTP 502 and 3 % of connections are reset (the
 * emulator's seeded fault injection, so the pattern is the same every run). The night must end
 * with exit 0 and MO exactly as after the same two nights without faults — and no create MO had
 * committed may be sent again: every create is committed as often as in the fault-free nights
 * (before the read-back, a retry re-sent creates MO already had).
 * A second drill: a night of only updates and terminations whose every write answer is lost after
 * commit. Before batches without creates were read back (their timelines, src/mo/reconcile.ts),
 * they were sent again, and MO refuses a repeated org_unit_terminate (V_DATE_OUTSIDE_ORG_UNIT_RANGE).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdirSync, readdirSync, readFileSync, renameSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { diffDumps, runImport, sandbox, show, startDrillMo, type Box, type DrillMo, type MoDump } from './drills-support.ts';
import { ROOT } from './helpers/cli.ts';

/** fast retries, small batches (more requests, so more of them meet a fault), enough retries for 18 % faults */
const ARGS = ['--set', 'mo_retry_delay_ms=5', '--set', 'batch_size=3', '--set', 'mo_retries=8'];

/** Night 1: the STAM files and the initial units; the rest of the delivery waits in `later`. */
function holdBack(box: Box): () => void {
  const later = path.join(box.dir, 'later');
  mkdirSync(later);
  const held = readdirSync(box.los).filter((f) => !/^STAM_|^Org_inital_/.test(f));
  for (const f of held) renameSync(path.join(box.los, f), path.join(later, f));
  // they arrive after night 1's run: newer than its state
  return () => {
    const now = new Date();
    for (const f of held) {
      renameSync(path.join(later, f), path.join(box.los, f));
      utimesSync(path.join(box.los, f), now, now);
    }
  };
}

async function twoNights(faults: Parameters<DrillMo['emu']['setFaults']>[0] | null): Promise<{ night2: Awaited<ReturnType<typeof runImport>>; dump: MoDump; mutations: Record<string, number>; faults: Record<string, number>; retries: number }> {
  const mo = await startDrillMo();
  const box = sandbox('drill-lost-');
  try {
    const release = holdBack(box);
    const night1 = await runImport(box, mo, ARGS);
    assert.is(night1.code, 0, show(night1));
    release();
    const before = mo.emu.metrics().graphqlRequests;
    if (faults) mo.emu.setFaults(faults);
    const night2 = await runImport(box, mo, ARGS);
    mo.emu.setFaults({});
    const m = mo.emu.metrics();
    return { night2, dump: mo.dump(), mutations: m.mutations, faults: { ...m.faults, requests: m.graphqlRequests - before }, retries: night2.report?.totals?.retries ?? 0 };
  } finally {
    await mo.stop();
    box.cleanup();
  }
}

test('answers lost after commit, 502s and resets in night 2: exit 0, MO equals the fault-free nights, nothing committed twice', async () => {
  const clean = await twoNights(null);
  assert.is(clean.night2.code, 0, show(clean.night2));
  const faulty = await twoNights({ lostRate: 0.05, errorRate: 0.1, errorStatus: 502, resetRate: 0.03, seed: 16 });
  assert.is(faulty.night2.code, 0, show(faulty.night2));
  assert.ok((faulty.faults.lost ?? 0) >= 2, `answers lost after commit: ${JSON.stringify(faulty.faults)}`);
  assert.ok((faulty.faults.error ?? 0) >= 2 && (faulty.faults.reset ?? 0) >= 1, JSON.stringify(faulty.faults));
  assert.ok(faulty.retries >= (faulty.faults.lost ?? 0), `retries in the report: ${faulty.retries}`);
  assert.is(diffDumps(clean.dump, faulty.dump), '', 'MO equals the fault-free nights');
  // no create that MO had committed was sent again (updates and terminations may be: they are idempotent)
  const creates = (m: Record<string, number>) => Object.fromEntries(Object.entries(m).filter(([k]) => k.endsWith('_create')).sort());
  assert.equal(creates(faulty.mutations), creates(clean.mutations), 'every create committed exactly as often as without faults');
});

/**
 * A night of only updates and terminations, after the whole example delivery: two leaf units
 * close (their addresses end first), two are renamed, a person leaves (the engagement ends), a
 * manager leaves, another manager's level and an engagement's job
 * change. Rows are the example's own, changed in one column.
 */
function updatesAndEnds(box: Box): void {
  const los = path.join(ROOT, 'examples/los');
  const lines = (file: string) => readFileSync(path.join(los, file), 'utf8').split(/\r?\n/).filter(Boolean);
  /** the last row of `files` that starts with `key`, with columns changed */
  const row = (files: string[], key: string, change: Record<number, string> = {}) => {
    const found = files.flatMap(lines).filter((l) => l.startsWith(key)).pop();
    if (!found) throw new Error(`no row ${key}`);
    const cols = found.split(';');
    for (const [i, v] of Object.entries(change)) cols[Number(i)] = v;
    return cols.join(';');
  };
  const orgFiles = readdirSync(los).filter((f) => /^Org_/.test(f)).sort();
  const persFiles = readdirSync(los).filter((f) => /^Pers_(nye|ret)/.test(f)).sort();
  const leaderFiles = readdirSync(los).filter((f) => /^Leder_(nye|ret)/.test(f)).sort();
  const write = (name: string, header: string, rows: string[]) => writeFileSync(path.join(box.los, name), [header, ...rows].join('\r\n') + '\r\n');
  // columns: Org 2 OrgEnhedsNavn, 15 SlutDato; Pers 10 StillingsBetegnelseUUID; Leder 3 LederniveauUUID
  write('Org_ret_20240901_120000.csv', lines('Org_ret_20240701_120000.csv')[0]!, [
    row(orgFiles, '1652eef1-d619-5309-dd46-9df81e72e640', { 15: '30-09-2024' }), // MBA-OEP closes
    row(orgFiles, '4df8419e-20c0-35ab-cd0e-39a9b09cbfb1', { 15: '30-09-2024' }), // MBA-DIG closes
    row(orgFiles, '530aac06-5723-ba65-58cf-34bb7577c194', { 2: 'Tandplejen i Aarhus' }),
    row(orgFiles, 'a5ceac8d-cc3a-bec7-7f91-a2d1f06c694f', { 2: 'Rosenvangskolen Viby' }),
  ]);
  write('Pers_ret_20240901_120000.csv', lines('Pers_ret_20240701_120000.csv')[0]!, [
    row(persFiles, 'e849e4e9-339d-f412-d56a-89df61d0381e', { 10: 'f57179d8-15de-3ca0-dc08-6f12370e018b' }),
  ]);
  write('Pers_luk_20240901_120000.csv', 'UUID;CPR;CPRNavn', ['526f2c0c-bed4-d060-3ac8-8ce5959298d3;1209570843;Steen Thomsen']);
  write('Leder_ret_20240901_120000.csv', lines('Leder_ret_20240701_120000.csv')[0]!, [
    row(leaderFiles, '26d0c80c-a1bf-301d-65af-264e8ced2c65', { 3: '9bc845a3-d22a-61fc-09bc-a79461c393e7' }),
  ]);
  write('Leder_luk_20240901_120000.csv', 'OrgUUID;CPR', ['a5ceac8d-cc3a-bec7-7f91-a2d1f06c694f;2406661465']);
}

const WRITE = /^\s*mutation\b/;

/** The example delivery, then the night of updates and ends with `faults(writes)` set (writes: the clean night's write requests). */
async function updateNight(faults: ((writes: number) => Parameters<DrillMo['emu']['setFaults']>[0]) | null, writes = 0) {
  let documents = 0;
  const mo = await startDrillMo({ onDocument: (q) => { if (WRITE.test(q)) documents++; } });
  const box = sandbox('drill-lost-updates-');
  try {
    const night1 = await runImport(box, mo, ARGS);
    assert.is(night1.code, 0, show(night1));
    updatesAndEnds(box);
    const before = mo.emu.metrics();
    documents = 0;
    if (faults) mo.emu.setFaults(faults(writes));
    const night2 = await runImport(box, mo, ARGS);
    mo.emu.setFaults({});
    const m = mo.emu.metrics();
    const delta = (a: Record<string, number>, b: Record<string, number>) => Object.fromEntries(Object.entries(a).map(([k, v]) => [k, v - (b[k] ?? 0)]).filter(([, v]) => v !== 0).sort());
    return { night2, dump: mo.dump(), writes: documents, mutations: delta(m.mutations, before.mutations), errors: delta(m.errors, before.errors), lost: (m.faults.lost ?? 0) - (before.faults.lost ?? 0) };
  } finally {
    await mo.stop();
    box.cleanup();
  }
}

test('a night of only updates and terminations, every write answer lost after commit: exit 0, MO equals the fault-free night, no refusal, nothing sent twice', async () => {
  const clean = await updateNight(null);
  assert.is(clean.night2.code, 0, show(clean.night2));
  assert.equal(Object.keys(clean.mutations).filter((k) => k.endsWith('_create')), [], `the night has no creates: ${JSON.stringify(clean.mutations)}`);
  for (const name of ['org_unit_terminate', 'address_terminate', 'engagement_terminate', 'manager_terminate', 'org_unit_update', 'engagement_update', 'manager_update']) {
    assert.ok(clean.mutations[name], `the night sends ${name}: ${JSON.stringify(clean.mutations)}`);
  }
  assert.equal(clean.errors, {}, 'the night is valid in MO');
  // the answer of every write request is lost after MO committed it
  const faulty = await updateNight((writes) => ({ loseWrites: Array.from({ length: writes }, (_, i) => i + 1) }), clean.writes);
  assert.is(faulty.night2.code, 0, show(faulty.night2));
  assert.is(faulty.lost, clean.writes, `every write answer lost: ${faulty.lost} of ${clean.writes}`);
  assert.equal(faulty.errors, {}, 'MO refused nothing');
  assert.is(faulty.writes, clean.writes, 'no write request sent again');
  assert.equal(faulty.mutations, clean.mutations, 'every mutation committed exactly once');
  assert.is(diffDumps(clean.dump, faulty.dump), '', 'MO equals the fault-free night');
});

test.run();
