/**
 * The run lock: `lock` in the state folder, created exclusively, holding pid, host and start time.
 * A lock whose process is gone (same host) is stale: it is reported and replaced.
 */
import { hostname } from 'node:os';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { LockedError } from '../errors.ts';

export interface LockInfo {
  pid: number;
  host: string;
  started_at: string;
  run_id: string;
}

export const lockPath = (stateDir: string) => path.join(stateDir, 'lock');

export function readLock(stateDir: string): LockInfo | null {
  try {
    return JSON.parse(readFileSync(lockPath(stateDir), 'utf8')) as LockInfo;
  } catch {
    return null;
  }
}

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
  for (let attempt = 0; attempt < 2; attempt++) {
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
      stale = held;
      rmSync(file, { force: true });
    }
  }
  throw new LockedError(`could not take the lock ${file}`);
}
