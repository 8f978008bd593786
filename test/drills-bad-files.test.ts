/**
 * Failure drill: bad files (test/fixtures/bad/). MO has had a good import; then each broken file
 * arrives as the next delivery. Each must fail with exit 3 and a problem naming file, line, column
 * and field; MO's whole state (every object, every validity) and the state file stay as they were.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { copyFileSync, cpSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import pLimit from 'p-limit';
import path from 'node:path';
import { ROOT } from './helpers/cli.ts';
import { diffDumps, journalOf, runImport, sandbox, show, startDrillMo, stateOf, type Box, type MoDump, type RunResult } from './drills-support.ts';

const BAD = path.join(ROOT, 'test/fixtures/bad');

interface Case {
  name: string;
  /** the file that is delivered: a fixture folder, or written by the test */
  file: string;
  line: number;
  /** none for a problem of the header line as a whole (a missing column) */
  column?: number;
  field: string;
  message: RegExp;
  write?: (dest: string) => void;
}

const ORG = 'Org_nye_20240901_120000.csv';
const PERS = 'Pers_nye_20240901_120000.csv';

const CASES: Case[] = [
  { name: 'invalid-uuid', file: ORG, line: 3, column: 1, field: 'OrgUUID', message: /"0f7e2a10-1111-4c1a-9a00-00000000000Z" is not a uuid/ },
  { name: 'impossible-date', file: ORG, line: 3, column: 15, field: 'StartDato', message: /"31-02-2021" is not a real calendar day/ },
  { name: 'missing-column', file: PERS, line: 1, field: 'CPR', message: /missing required column "CPR"/ },
  { name: 'wrong-delimiter', file: ORG, line: 1, column: 1, field: 'header', message: /no ";" delimiter/ },
  { name: 'truncated-last-line', file: PERS, line: 3, column: 8, field: 'PrimærAnsættelse', message: /expected 15 fields, found 7 \(truncated line\?\)/ },
  { name: 'duplicated-header', file: ORG, line: 1, column: 17, field: 'StartDato', message: /duplicated column \(also column 15\)/ },
  { name: 'unknown-class-pers', file: PERS, line: 3, column: 10, field: 'EngagementTypeUUID', message: /unknown class 0f7e2a10-dead-4c1a-9a00-00000000beef \(expected in facet engagement_type\)/ },
  { name: 'unknown-class-org', file: ORG, line: 3, column: 4, field: 'OrgEnhedsTypeUUID', message: /unknown class 0f7e2a10-dead-4c1a-9a00-00000000cafe \(expected in facet org_unit_type\)/ },
  // a Windows-1252 file read as UTF-8: the header's "ø" (BrugervendtNøgle) is the first bad byte
  { name: 'windows-1252', file: ORG, line: 1, column: 2, field: 'BrugervendtNøgle', message: /byte 0xF8 \(character 21 of the line\) is not valid UTF-8; if the file is Windows-1252, set encoding=windows-1252/ },
  // a UTF-8 file with one Windows-1252 line
  { name: 'mixed-encoding', file: ORG, line: 3, column: 3, field: 'OrgEnhedsNavn', message: /byte 0xC6 \(character 44 of the line\) is not valid UTF-8/ },
  { name: 'empty', file: ORG, line: 1, column: 1, field: 'header', message: /the file is empty/ },
  {
    name: '10 MB field', file: ORG, line: 3, column: 3, field: 'OrgEnhedsNavn', message: /a field is larger than 1 MiB/,
    // written here rather than kept in the repository: the impossible-date file with a 10 MB name
    write: (dest) => {
      const lines = readFileSync(path.join(BAD, 'impossible-date', ORG), 'utf8').split('\r\n');
      const f = lines[2]!.split(';');
      f[2] = 'x'.repeat(10 * 1024 * 1024);
      f[14] = '01-09-2024';
      lines[2] = f.join(';');
      writeFileSync(dest, lines.join('\r\n'));
    },
  },
];

let good: { box: Box; snapshot: string; before: MoDump; state: string | null; owned: string };
let startedAt = 0;
const results = new Map<string, Promise<Outcome>>();

interface Outcome {
  r: RunResult;
  mutations: number;
  diff: string;
  state: string | null;
  owned: string;
  journalEnd: any;
  work: string[];
}

const ownedOf = (box: Box) => readFileSync(path.join(path.dirname(box.state), 'owned.json'), 'utf8');

/** One bad delivery on top of the good import: its own copy of MO and of the state folder. */
async function deliver(c: Case): Promise<Outcome> {
  const box = sandbox('drill-bad-');
  cpSync(path.dirname(good.box.state), path.dirname(box.state), { recursive: true });
  const mo = await startDrillMo({}, good.snapshot);
  try {
    const dest = path.join(box.los, c.file);
    if (c.write) c.write(dest);
    else copyFileSync(path.join(BAD, c.name, readdirSync(path.join(BAD, c.name))[0]!), dest);
    const r = await runImport(box, mo);
    return {
      r,
      mutations: Object.values(mo.emu.metrics().mutations).reduce((a, b) => a + b, 0),
      diff: diffDumps(good.before, mo.dump()),
      state: stateOf(box),
      owned: ownedOf(box),
      journalEnd: journalOf(box).at(-1),
      work: readdirSync(path.join(path.dirname(box.state), 'work')),
    };
  } finally {
    await mo.stop();
    box.cleanup();
  }
}

test.before(async () => {
  startedAt = Date.now();
  const mo = await startDrillMo();
  const box = sandbox('drill-bad-good-');
  try {
    const r = await runImport(box, mo);
    assert.is(r.code, 0, show(r));
    const before = mo.dump();
    assert.ok(Object.keys(before.objects).length > 500, 'MO holds the example delivery');
    good = { box, snapshot: mo.snapshot(path.join(box.dir, 'mo-after-good-import.sqlite')), before, state: stateOf(box), owned: ownedOf(box) };
    assert.ok(good.state, 'the good run wrote the state');
  } finally {
    await mo.stop();
  }
  // three deliveries at a time, each against its own copy of MO and of the state folder
  const limit = pLimit(3);
  for (const c of CASES) results.set(c.name, limit(() => deliver(c)));
  for (const p of results.values()) p.catch(() => {}); // awaited (and reported) by each test
});

test.after(() => {
  good?.box.cleanup();
  console.log(`  drills-bad-files: ${((Date.now() - startedAt) / 1000).toFixed(1)} s`);
});

for (const c of CASES) {
  test(`bad file ${c.name}: exit 3, ${c.file}:${c.line}${c.column ? `:${c.column}` : ''}: ${c.field}; MO and the state unchanged`, async () => {
    const { r, mutations, diff, state, owned, journalEnd, work } = await results.get(c.name)!;
    assert.is(r.code, 3, show(r));
    // the message names file, line, column and field, on stderr and in the report
    const where = `${c.file}:${c.line}${c.column ? `:${c.column}` : ''}: ${c.field}: `;
    const line = r.stderr.split('\n').find((l) => l.includes(where));
    assert.ok(line, `stderr names ${where}\n${show(r)}`);
    assert.match(line!, c.message);
    assert.is(r.report.outcome, 'invalid-input');
    assert.is(r.report.exit_code, 3);
    const problem = r.report.errors.find((p: any) => p.file === c.file && p.line === c.line);
    assert.ok(problem, JSON.stringify(r.report.errors));
    assert.equal({ column: problem.column, field: problem.field }, { column: c.column, field: c.field });
    assert.match(problem.message, c.message);
    // nothing written to MO: not one mutation committed, the whole state identical
    assert.is(mutations, 0, 'no mutation was committed');
    assert.is(diff, '', 'MO is unchanged');
    // the state is not advanced; what los2mo owns is unchanged; the journal records the failure
    assert.is(state, good.state);
    assert.is(owned, good.owned);
    assert.equal([journalEnd.type, journalEnd.outcome, journalEnd.exit_code, journalEnd.state_written], ['end', 'invalid-input', 3, null]);
    // the failed run's downloads (Pers files: full CPR numbers) are not left in the state folder
    assert.equal(work, []);
  });
}

test('windows-1252 with --set encoding=windows-1252: imported, "Ældrecenter Århus Ø" reaches MO intact', async () => {
  const box = sandbox('drill-bad-');
  cpSync(path.dirname(good.box.state), path.dirname(box.state), { recursive: true });
  const mo = await startDrillMo({}, good.snapshot);
  try {
    copyFileSync(path.join(BAD, 'windows-1252', ORG), path.join(box.los, ORG));
    const r = await runImport(box, mo, ['--set', 'encoding=windows-1252']);
    assert.is(r.code, 0, show(r));
    const after = mo.dump();
    const unit = after.objects['org_unit 0f7e2a10-1111-4c1a-9a00-000000000002'] as any;
    assert.ok(unit, 'the unit was created');
    assert.equal(unit.periods.map((p: any) => p.data.name), ['Ældrecenter Århus Ø']);
    assert.ok(after.objects['org_unit 0f7e2a10-1111-4c1a-9a00-000000000001'], 'the other row too');
    assert.is.not(stateOf(box), good.state, 'the state advanced');
  } finally {
    await mo.stop();
    box.cleanup();
  }
});

test.run();
