/** Seed, STAM classes and IT systems into an MO emulator over HTTP, through the real CLI. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync, writeFileSync, existsSync, mkdirSync } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';
import { cliP as cli, sandbox } from './helpers/cli.ts';
import { startTestMo } from './helpers/mo.ts';

const readReport = (file: string) => JSON.parse(readFileSync(file, 'utf8'));

async function withMo(fn: (ctx: { box: ReturnType<typeof sandbox>; mo: Awaited<ReturnType<typeof startTestMo>>; env: Record<string, string>; run: (...args: string[]) => Promise<{ code: number; stdout: string; stderr: string; report: any }> }) => Promise<void>) {
  const box = sandbox();
  const mo = await startTestMo();
  const env = box.env({ MO_URL: mo.emu.url, CLIENT_SECRET: 'test-secret' });
  let n = 0;
  const run = async (...args: string[]) => {
    const report = path.join(box.dir, `report-${++n}.json`);
    const r = await cli(['workflow', 'import.yaml', '--report', report, ...args], env);
    return { ...r, report: existsSync(report) ? readReport(report) : null };
  };
  try {
    await fn({ box, mo, env, run });
  } finally {
    await mo.stop();
    box.cleanup();
  }
}

const classesIn = async (mo: Awaited<ReturnType<typeof startTestMo>>, facet: string) =>
  (await mo.ok<{ classes: { objects: { uuid: string; current: { name: string; user_key: string } }[] } }>(
    `query($f: [String!]) { classes(filter: { facet: { user_keys: $f } }) { objects { uuid current { name user_key } } } }`, { f: [facet] },
  )).classes.objects;

test('seed + STAM import, then an immediate rerun writes 0 mutations', async () => {
  await withMo(async ({ mo, run, box }) => {
    const first = await run();
    assert.is(first.code, 0, first.stdout + first.stderr);
    assert.ok(first.report.totals.mutations > 100, 'seed and classes written');
    const enhedstyper = readFileSync(path.join(box.los, 'STAM_UUID_Enhedstype.csv'), 'utf8').trim().split(/\r?\n/).length - 1;
    // the STAM rows and the seeded "Ikke angivet" (the type of a unit delivered without one, issue 16)
    assert.is((await classesIn(mo, 'org_unit_type')).length, enhedstyper + 1);
    const org = await mo.ok<{ org: { uuid: string } }>('{ org { uuid } }');
    assert.ok(org.org.uuid);
    const again = await run('--import-from-date', '2000-01-01');
    assert.is(again.code, 0, again.stdout + again.stderr);
    assert.is(again.report.totals.mutations ?? 0, 0);
    assert.equal(again.report.operations, {});
  });
});

test('a renamed class is one class_update; a removed row one class_terminate; another client\'s class is untouched', async () => {
  await withMo(async ({ mo, run, box }) => {
    // a class no org unit uses (a class in use is never ended: delivery-shape.test.ts)
    const csv = path.join(box.los, 'STAM_UUID_Enhedstype.csv');
    const uuidB = '0a6f4c34-0b8e-4b6e-9d3e-2f6f2f0c0a07';
    writeFileSync(csv, `${readFileSync(csv, 'utf8').replace(/(\r\n)*$/, '')}\r\n${uuidB};Ubrugt\r\n`);
    assert.is((await run()).code, 0);
    // another client adds a class to the same facet
    const facet = (await mo.ok<{ facets: { objects: { uuid: string }[] } }>('{ facets(filter: { user_keys: ["org_unit_type"] }) { objects { uuid } } }')).facets.objects[0]!.uuid;
    const foreign = '11111111-2222-3333-4444-555555555555';
    await mo.ok('mutation($i: ClassCreateInput!) { class_create(input: $i) { uuid } }', { i: { uuid: foreign, name: 'Fremmed', user_key: 'Fremmed', facet_uuid: facet, validity: { from: null, to: null } } });

    const lines = readFileSync(csv, 'utf8').split('\r\n');
    const [uuidA, nameA] = lines[1]!.split(';');
    lines[1] = `${uuidA};${nameA} (omdøbt)`;
    lines.splice(lines.findIndex((l) => l.startsWith(uuidB)), 1);
    writeFileSync(csv, lines.join('\r\n'));
    const r = await run('--import-from-date', '2000-01-01');
    assert.is(r.code, 0, r.stdout + r.stderr);
    assert.equal(r.report.operations, { class: { update: 1, terminate: 1 } });
    const now = await classesIn(mo, 'org_unit_type');
    assert.is(now.find((c) => c.uuid === uuidA)?.current.name, `${nameA} (omdøbt)`);
    assert.not.ok(now.some((c) => c.uuid === uuidB), 'the removed class is unpublished');
    assert.ok(now.some((c) => c.uuid === foreign), 'a class of another source stays');
    assert.ok(now.some((c) => c.uuid === 'b17866df-fded-694f-86d9-b9d7b874c6fe'), 'a STAM_UUID_Enhedstype file never ends the seeded "Ikke angivet"');
  });
});

test('a dry run prints the plan table and writes nothing to MO', async () => {
  await withMo(async ({ mo, run }) => {
    const r = await run('--dry-run');
    assert.is(r.code, 0, r.stderr);
    assert.match(r.stdout, /plan\s+\d+ operations \(nothing written\)/);
    assert.match(r.stdout, /class\s+[0-9a-f-]{36} LOSID\s+create/);
    assert.ok(r.report.plan.length > 50);
    assert.is((await classesIn(mo, 'org_unit_address_type')).length, 0);
  });
});

test('a second run while the lock is held is refused with exit 2', async () => {
  await withMo(async ({ box, run }) => {
    const stateDir = path.dirname(box.state);
    mkdirSync(stateDir, { recursive: true });
    writeFileSync(path.join(stateDir, 'lock'), JSON.stringify({ pid: process.pid, host: hostname(), started_at: new Date().toISOString(), run_id: 'other' }));
    const r = await run();
    assert.is(r.code, 2);
    assert.match(r.stderr, /another los2mo run holds the lock .* \(pid \d+ on /);
    assert.not.ok(existsSync(box.state));
    // a stale lock (its process is gone) is reported and replaced
    writeFileSync(path.join(stateDir, 'lock'), JSON.stringify({ pid: 999999, host: hostname(), started_at: new Date().toISOString(), run_id: 'crashed' }));
    const r2 = await run();
    assert.is(r2.code, 0, r2.stderr);
    assert.match(r2.stdout, /cleared a stale lock of run crashed/);
  });
});

test('a failed upload leaves the state file unchanged', async () => {
  await withMo(async ({ box, run, env }) => {
    assert.is((await run()).code, 0);
    const before = readFileSync(box.state, 'utf8');
    const r = await cli(['workflow', 'import.yaml', '--import-from-date', '2000-01-01'], { ...env, CLIENT_SECRET: 'wrong-secret-xyz' });
    assert.is(r.code, 1, r.stdout + r.stderr);
    assert.is(readFileSync(box.state, 'utf8'), before);
    assert.not.match(r.stdout + r.stderr, /wrong-secret-xyz/);
  });
});

test.run();
