/**
 * Issue 17's property: a night's result must not depend on how the files were grouped into runs.
 * For a few seeds, the example generator (examples/lib) makes a delivery with its own DAR
 * register; its files are spread over 2–4 nights (consecutive file dates, cut where the seed
 * says). One MO imports it night by night, another in one run (`--import-from-date`); the full
 * dumps of the two MOs must be identical.
 *
 * Why it can hold: every effective date comes from a file's own date (the name's timestamp), never
 * from the run — an Org_ret row speaks from max(file date, StartDato), a Pers_ret row and the
 * e-mail/AZ from the file's date, a luk row ends at it — and one run applies the files in the
 * same order as the nights do (docs/migration.md, "Nights and runs").
 *
 * Bounded: 3 seeds of the example scale (~60 persons, ~60 units), each ≤ 5 CLI runs.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { copyFileSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { cliP, sandbox } from './helpers/cli.ts';
import { startTestMo, type TestMo } from './helpers/mo.ts';
import { generateDelivery } from '../examples/lib/delivery.ts';
import { Rng } from '../examples/lib/random.ts';

const V = 'validity { from to }';
const DUMP: Record<string, string> = {
  facets: 'user_key',
  classes: 'user_key name scope facet_uuid',
  itsystems: 'user_key name',
  org_units: 'user_key name parent_uuid unit_type_uuid org_unit_hierarchy',
  addresses: 'value address_type_uuid org_unit_uuid employee_uuid',
  persons: 'cpr_number given_name surname',
  engagements: 'user_key employee_uuid org_unit_uuid engagement_type_uuid job_function_uuid primary_uuid',
  itusers: 'user_key itsystem_uuid employee_uuid',
  managers: 'employee_uuid org_unit_uuid manager_type_uuid manager_level_uuid responsibility_uuids',
};

/** Everything MO holds of the kinds an import writes: every object with all its validities, sorted. */
async function dump(mo: TestMo) {
  const data = await mo.ok<Record<string, { objects: { uuid: string; validities: unknown[] }[] }>>(
    `{ ${Object.entries(DUMP).map(([k, f]) => `${k}(filter: { from_date: null, to_date: null }) { objects { uuid validities(start: null, end: null) { ${f} ${V} } } }`).join('\n')} }`,
  );
  const out: Record<string, [string, string[]][]> = {};
  for (const kind of Object.keys(DUMP)) {
    out[kind] = data[kind]!.objects.map((o): [string, string[]] => [o.uuid, o.validities.map((v) => JSON.stringify(v)).sort()]).sort((a, b) => a[0].localeCompare(b[0]));
  }
  return out;
}

/** The delivery's files by date (STAM files with the first), cut into `nights` consecutive groups where the seed says. */
function nightsOf(files: string[], seed: number): string[][] {
  const dateOf = (f: string) => /_(\d{8})_\d{6}\.csv$/.exec(f)?.[1] ?? '00000000';
  const dates = [...new Set(files.map(dateOf).filter((d) => d !== '00000000'))].sort();
  const rng = new Rng(seed);
  const nights = Math.min(dates.length, 2 + rng.int(0, 2));
  const cuts = new Set(rng.shuffle(dates.slice(1).map((_, i) => i + 1)).slice(0, nights - 1));
  const groups: string[][] = [];
  let current: string[] = [];
  dates.forEach((d, i) => {
    if (cuts.has(i)) groups.push((current = []));
    else if (i === 0) groups.push(current);
    current.push(...files.filter((f) => dateOf(f) === d || (i === 0 && dateOf(f) === '00000000')));
  });
  return groups;
}

for (const seed of [11, 12, 13]) {
  test(`seed ${seed}: importing night by night and in one run gives the same MO`, async () => {
    const box = sandbox(`los2mo-nights-${seed}-`);
    const generated = path.join(box.dir, 'gen');
    await generateDelivery({ out: generated, scale: 'example', seed });
    const files = readdirSync(path.join(generated, 'los')).filter((f) => f.endsWith('.csv'));
    const nights = nightsOf(files, seed);
    assert.ok(nights.length >= 2 && nights.length <= 4, `${nights.length} nights`);
    assert.is(nights.flat().length, files.length);

    const [nightly, once] = [await startTestMo(), await startTestMo()];
    try {
      const env = (mo: TestMo, los: string, state: string) => ({
        LOS_SOURCE: los, LOS_STATE_FILE: state, DAR_FILE: path.join(generated, 'dar', 'adresser.json'), MO_URL: mo.emu.url, CLIENT_SECRET: 'test-secret',
      });
      // night by night: each night's files appear in the source folder after the run before
      const losA = path.join(box.dir, 'nightly');
      mkdirSync(losA);
      for (const [i, night] of nights.entries()) {
        for (const f of night) copyFileSync(path.join(generated, 'los', f), path.join(losA, f));
        const r = await cliP(['workflow', 'import.yaml'], env(nightly, losA, path.join(box.dir, 'state-a', 'state')));
        assert.is(r.code, 0, `night ${i + 1}: ${r.stdout}${r.stderr}`);
      }
      // all files in one run
      const r = await cliP(['workflow', 'import.yaml', '--import-from-date', '2000-01-01'], env(once, path.join(generated, 'los'), path.join(box.dir, 'state-b', 'state')));
      assert.is(r.code, 0, r.stdout + r.stderr);

      const [a, b] = [await dump(nightly), await dump(once)];
      assert.ok(a.org_units!.length > 20 && a.engagements!.length > 20 && a.managers!.length > 3, 'the delivery imported something');
      for (const kind of Object.keys(DUMP)) assert.equal(a[kind], b[kind], `${kind} differ (nights: ${nights.map((n) => n.length).join('+')} files)`);
    } finally {
      await nightly.stop();
      await once.stop();
      rmSync(generated, { recursive: true, force: true });
      box.cleanup();
    }
  });
}

test.run();
