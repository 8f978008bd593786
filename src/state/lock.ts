/**
 * The run lock: `lock` in the state folder, holding pid, host, start time and run id. A lock whose
 * process is gone (same host) is stale: it is reported and replaced.
 *
 * Taking the lock is atomic with its content: the lock is written in full to a private temp file
 * and then hard-linked to `lock` (link(2) fails with EEXIST when the lock exists), so no run ever
 * sees an empty or half-written lock. A stale lock is removed only under a second, equally taken
 * lock (`lock.clearing`) and only when it is still the stale lock that was read; the run then tries
 * to link its own lock like any other run, so of several runs clearing at once exactly one wins.
 */
import { hostname } from 'node:os';
import { linkSync, mkdirSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
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

/** Create `file` holding `info`, atomically with its content; false when it exists. */
function linkWithContent(file: string, info: LockInfo): boolean {
  const tmp = `${file}.${process.pid}.${info.run_id}.tmp`;
  writeFileSync(tmp, JSON.stringify(info) + '\n', { mode: 0o600 });
  try {
    linkSync(tmp, file);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw e;
  } finally {
    rmSync(tmp, { force: true });
  }
}

const same = (a: LockInfo | null, b: LockInfo | null) => !!a && !!b && a.run_id === b.run_id && a.pid === b.pid && a.host === b.host;

/**
 * Remove the stale lock `held` if it is still the lock: under `lock.clearing`, itself taken by a
 * link. Another run clearing at the same time: nothing done here (the caller tries again).
 */
function clearStale(file: string, held: LockInfo, info: LockInfo) {
  const clearing = `${file}.clearing`;
  if (!linkWithContent(clearing, info)) {
    // a clearer that died while clearing (a window of microseconds) leaves its lock behind
    const other = readLockFile(clearing);
    if (other && isStale(other) && same(readLockFile(clearing), other)) rmSync(clearing, { force: true });
    return;
  }
  try {
    if (same(readLockFile(file), held)) unlinkSync(file);
  } finally {
    rmSync(clearing, { force: true });
  }
}

export function acquireLock(stateDir: string, runId: string): HeldLock {
  mkdirSync(stateDir, { recursive: true, mode: 0o700 });
  const file = lockPath(stateDir);
  const info: LockInfo = { pid: process.pid, host: hostname(), started_at: new Date().toISOString(), run_id: runId };
  let stale: LockInfo | null = null;
  for (let attempt = 0; attempt < 50; attempt++) {
    if (linkWithContent(file, info)) {
      let released = false;
      return {
        stale,
        release() {
          if (released) return;
          released = true;
          if (readLock(stateDir)?.run_id === runId) rmSync(file, { force: true });
        },
      };
    }
    const held = readLock(stateDir);
    // the lock is always written in full before it appears, so an unreadable lock is one removed
    // since (try again) or damaged by hand (never taken for stale: refused below after the tries)
    if (!held) continue;
    if (!isStale(held)) {
      throw new LockedError(`another los2mo run holds the lock ${file} (pid ${held.pid} on ${held.host}, since ${held.started_at}); not starting a second run`);
    }
    clearStale(file, held, info);
    stale = held;
  }
  throw new LockedError(`could not take the lock ${file}: it cannot be read or keeps changing (remove it by hand if no los2mo run is running)`);
}
