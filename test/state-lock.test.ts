/**
 * The run lock (issue 18): taking it is atomic with its content. Two runs racing for it, many
 * times over (real processes, the same state folder), never both get it — also when both find a
 * stale lock of a dead run and race to clear it. Before the fix the lock was created empty (`wx`)
 * and written afterwards: a racing run read the empty file, took it for stale and ran too.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { fork, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { acquireLock, lockPath, readLock } from '../src/state/lock.ts';

const WORKER = path.join(path.dirname(fileURLToPath(import.meta.url)), 'helpers/lock-worker.ts');
const ROUNDS = 400;

interface Worker { child: ChildProcess; next(): Promise<any> }
function startWorker(): Worker {
  const child = fork(WORKER, [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const queue: any[] = [];
  const waiting: ((m: any) => void)[] = [];
  child.on('message', (m) => (waiting.length ? waiting.shift()!(m) : queue.push(m)));
  return { child, next: () => (queue.length ? Promise.resolve(queue.shift()) : new Promise((r) => waiting.push(r))) };
}

/** A pid no process has (a process that has exited). */
const deadPid = () => spawnSync(process.execPath, ['-e', '0']).pid!;

test(`two runs racing for the lock ${ROUNDS} times: exactly one gets it each time (half the rounds start from a stale lock)`, async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'los2mo-lock-race-'));
  const workers = [startWorker(), startWorker()];
  try {
    for (const w of workers) assert.equal(await w.next(), { ready: true });
    const dead = deadPid();
    let staleRounds = 0, staleCleared = 0;
    for (let round = 0; round < ROUNDS; round++) {
      const stale = round % 2 === 1;
      if (stale) {
        staleRounds++;
        writeFileSync(lockPath(dir), JSON.stringify({ pid: dead, host: hostname(), started_at: '2024-01-01T00:00:00Z', run_id: `dead-${round}` }) + '\n');
      }
      workers.forEach((w, i) => w.child.send({ cmd: 'acquire', dir, runId: `run-${round}-${i}` }));
      const answers = await Promise.all(workers.map((w) => w.next()));
      const winners = answers.filter((a) => a.got);
      assert.is(winners.length, 1, `round ${round}: ${JSON.stringify(answers)}`);
      const loser = answers.find((a) => !a.got)!;
      assert.match(loser.error, /another los2mo run (holds|took) the lock/);
      const winner = answers.indexOf(winners[0]);
      assert.is(readLock(dir)?.run_id, `run-${round}-${winner}`, 'the lock names the run that holds it');
      if (stale && winners[0].stale === `dead-${round}`) staleCleared++;
      workers[winner]!.child.send({ cmd: 'release' });
      assert.equal(await workers[winner]!.next(), { released: true });
      assert.not.ok(existsSync(lockPath(dir)), 'released');
    }
    assert.is(staleRounds, ROUNDS / 2);
    assert.ok(staleCleared > 0, 'stale locks were cleared by the run that then held the lock');
    assert.equal(readdirSync(dir), [], 'no temp or clearing files are left behind');
  } finally {
    for (const w of workers) w.child.kill();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a lock of a live run is refused; a stale one is reported and replaced; release removes only its own lock', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'los2mo-lock-'));
  try {
    const first = acquireLock(dir, 'first');
    assert.is(first.stale, null);
    assert.throws(() => acquireLock(dir, 'second'), (e: any) => e.exitCode === 2 && /pid \d+ on/.test(e.message));
    first.release();
    assert.not.ok(existsSync(lockPath(dir)));
    writeFileSync(lockPath(dir), JSON.stringify({ pid: deadPid(), host: hostname(), started_at: 'x', run_id: 'gone' }));
    const third = acquireLock(dir, 'third');
    assert.is(third.stale?.run_id, 'gone');
    assert.is(readLock(dir)?.run_id, 'third');
    // a lock of another host is never taken for stale (its pid means nothing here)
    third.release();
    writeFileSync(lockPath(dir), JSON.stringify({ pid: deadPid(), host: 'elsewhere', started_at: 'x', run_id: 'remote' }));
    assert.throws(() => acquireLock(dir, 'fourth'), /pid \d+ on elsewhere/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
