/**
 * Failure drill: the importer is killed (SIGKILL: no handler, no cleanup) in the middle of the
 * upload, while a second run is refused. The next run reports the interrupted run from the
 * journal, clears the stale lock and converges to the fault-free state.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { cliAsync, cliP } from './helpers/cli.ts';
import { SECRET, diffDumps, faultFreeDump, journalOf, runImport, sandbox, show, startDrillMo, stateOf, waitFor } from './drills-support.ts';

let started = Date.now();
test.before(() => { started = Date.now(); });

test('SIGKILL mid-upload; a second run meanwhile is refused (exit 2); the next run reports the crash, clears the lock and converges', async () => {
  const expected = await faultFreeDump();
  const mo = await startDrillMo();
  const box = sandbox('drill-crash-');
  const stateDir = path.dirname(box.state);
  const lockFile = path.join(stateDir, 'lock');
  try {
    // a slow upload: 10 mutations per request, one request at a time, answered late once units are written
    mo.emu.setFaults({ delayMs: 30 });
    const env = box.env({ MO_URL: mo.emu.url, CLIENT_SECRET: SECRET });
    const child = cliAsync(['workflow', 'import.yaml', '--set', 'batch_size=10', '--set', 'concurrency=1'], env);
    let out = '';
    child.stdout!.on('data', (d) => (out += d));
    child.stderr!.on('data', (d) => (out += d));
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('close', (code, signal) => resolve({ code, signal })));

    await waitFor(() => mo.count('org_unit') >= 5, 60_000, 'the upload to write org units');
    mo.emu.setFaults({ delayMs: 400 });
    const start = journalOf(box).filter((e) => e.type === 'start');
    assert.is(start.length, 1, 'the journal has the start entry');
    assert.is(start[0].pid, child.pid);
    const lock = JSON.parse(readFileSync(lockFile, 'utf8'));
    assert.is(lock.pid, child.pid);

    // concurrency: a second run while the first holds the lock
    const second = await cliP(['workflow', 'import.yaml'], env);
    assert.is(second.code, 2, show(second));
    assert.match(second.stderr, new RegExp(`another los2mo run holds the lock ${lockFile.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} \\(pid ${child.pid} on [^,]+, since [^)]+\\); not starting a second run`));
    assert.is(JSON.parse(readFileSync(lockFile, 'utf8')).run_id, lock.run_id, 'the lock still belongs to the first run');
    assert.is(journalOf(box).filter((e) => e.type === 'start').length, 1, 'the refused run did not start in the journal');

    // the crash
    child.kill('SIGKILL');
    const end = await exited;
    assert.is(end.signal, 'SIGKILL', out);
    const objects = mo.count(), all = Object.keys(expected.objects).length;
    assert.ok(mo.count('org_unit') >= 5 && objects < all, `MO has some but not all objects (${objects} of ${all})`);
    assert.is(stateOf(box), null, 'the state was not written');
    assert.ok(existsSync(lockFile), 'the killed run left its lock');
    assert.not.ok(journalOf(box).some((e) => e.type === 'end'), 'and no end entry');
    const killedWork = path.join(stateDir, 'work', lock.run_id);
    assert.ok(readdirSync(killedWork).some((n) => n.startsWith('Pers_')), 'the killed run left its downloads');

    // the next run
    mo.emu.setFaults({});
    const next = await runImport(box, mo);
    assert.is(next.code, 0, show(next));
    assert.match(next.stdout, new RegExp(`cleared a stale lock of run ${lock.run_id} \\(pid ${child.pid} on `));
    assert.match(next.stdout, new RegExp(`run ${lock.run_id} started \\S+ was interrupted \\(no end in the journal\\)`));
    assert.ok(next.report.warnings.some((w: string) => w.includes(`run ${lock.run_id} started`)), JSON.stringify(next.report.warnings));
    assert.ok(journalOf(box).some((e) => e.type === 'recovered' && e.run_id === lock.run_id && e.noticed_by === next.report.run_id), 'the journal records that it was reported');
    assert.not.ok(existsSync(lockFile), 'the lock is released');
    assert.equal(readdirSync(path.join(stateDir, 'work')), [], "the killed run's downloads (full CPR numbers) are removed too");
    assert.ok(stateOf(box), 'the state advanced');
    assert.is(diffDumps(expected, mo.dump()), '', 'MO equals the fault-free import');
  } finally {
    await mo.stop();
    box.cleanup();
  }
});

test.after(() => console.log(`  drills-crash: ${((Date.now() - started) / 1000).toFixed(1)} s`));

test.run();
