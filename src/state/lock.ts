/**
 * The run lock: `lock` in the state folder, created exclusively, holding pid, host and start time.
 * A lock whose process is gone (same host) is stale: it is reported and replaced.
 */
import { hostname } from 'node:os';
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { LockedError } from '../errors.ts';

export interface LockInfo {
  pid: number;
  host: string;
  started_at: string;
  run_id: string;
}

export const lockPath = (stateDir: string) => path.join(stateDir, 'lock');

function readLockFile(file: string): LockInfo | null {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as LockInfo;
  } catch {
    return null;
  }
}

export const readLock = (stateDir: string) => readLockFile(lockPath(stateDir));

function alive(pid: number) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export const isStale = (lock: LockInfo) => lock.host === hostname() && !alive(lock.pid);

export interface HeldLock {
  /** A stale lock that was cleared to take this one. */
  stale: LockInfo | null;
  release(): void;
}

export function acquireLock(stateDir: string, runId: string): HeldLock {
  mkdirSync(stateDir, { recursive: true, mode: 0o700 });
  const file = lockPath(stateDir);
  const info: LockInfo = { pid: process.pid, host: hostname(), started_at: new Date().toISOString(), run_id: runId };
  let stale: LockInfo | null = null;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      writeFileSync(file, JSON.stringify(info) + '\n', { flag: 'wx', mode: 0o600 });
      let released = false;
      return {
        stale,
        release() {
          if (released) return;
          released = true;
          if (readLock(stateDir)?.run_id === runId) rmSync(file, { force: true });
        },
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const held = readLock(stateDir);
      if (held && !isStale(held)) {
        throw new LockedError(`another los2mo run holds the lock ${file} (pid ${held.pid} on ${held.host}, since ${held.started_at}); not starting a second run`);
      }
      // Claim the stale lock by moving it aside (atomic: of two runs clearing it at once, one
      // rename fails), then check that what was moved is the stale lock that was read — not a
      // lock another run took in between, which is put back.
      const aside = `${file}.stale.${process.pid}.${runId}`;
      try {
        renameSync(file, aside);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue; // someone else cleared it: try again
        throw err;
      }
      const moved = readLockFile(aside);
      if (moved && held && moved.run_id !== held.run_id) {
        renameSync(aside, file);
        throw new LockedError(`another los2mo run took the lock ${file} (pid ${moved.pid} on ${moved.host}); not starting a second run`);
      }
      rmSync(aside, { force: true });
      stale = held;
    }
  }
  throw new LockedError(`could not take the lock ${file}`);
}
