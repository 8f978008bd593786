/** A stand-in for a los2mo run that only takes the run lock, driven over IPC by test/state-lock.test.ts. */
import { acquireLock, type HeldLock } from '../../src/state/lock.ts';

let held: HeldLock | undefined;
process.on('message', (m: { cmd: 'acquire'; dir: string; runId: string } | { cmd: 'release' } | { cmd: 'exit' }) => {
  if (m.cmd === 'acquire') {
    try {
      held = acquireLock(m.dir, m.runId);
      process.send!({ got: true, stale: held.stale?.run_id ?? null });
    } catch (e) {
      process.send!({ got: false, error: (e as Error).message });
    }
  } else if (m.cmd === 'release') {
    held?.release();
    held = undefined;
    process.send!({ released: true });
  } else process.exit(0);
});
process.send!({ ready: true });
