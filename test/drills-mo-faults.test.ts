/**
 * Failure drill: MO misbehaves (emulator fault injection). Each run either completes with retries
 * or fails with exit 1 leaving the state unchanged; either way the next clean run ends with MO in
 * exactly the state a fault-free import produces (the whole dump, nothing excluded).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import pLimit from 'p-limit';
import { diffDumps, faultFreeDump, journalOf, runImport, sandbox, show, startDrillMo, stateOf, waitFor, type Box, type DrillMo, type RunResult } from './drills-support.ts';
import type { EmulatorOptions } from '../src/mo-emulator/server.ts';

/** fast retries: the drills are about what happens, not about waiting */
const FAST = ['--set', 'mo_retry_delay_ms=20'];

async function drill(options: Partial<EmulatorOptions>, faulty: (mo: DrillMo, box: Box) => Promise<RunResult>, check: (r: RunResult, mo: DrillMo, box: Box) => void) {
  const expected = await faultFreeDump();
  const mo = await startDrillMo(options);
  const box = sandbox('drill-mo-');
  // an earlier import's state, older than every example file (so the whole delivery is taken)
  const OLD_STATE = '2000-01-01T00:00:00.000+01:00\n';
  mkdirSync(path.dirname(box.state), { recursive: true });
  writeFileSync(box.state, OLD_STATE);
  try {
    const r = await faulty(mo, box);
    assert.ok(r.code === 0 || r.code === 1, show(r));
    const stateAfterFault = stateOf(box);
    if (r.code === 1) {
      assert.is(stateAfterFault, OLD_STATE, 'a failed run leaves the state unchanged');
      assert.is(r.report.outcome, 'failed');
      assert.is(journalOf(box).at(-1).state_written, null);
    } else {
      assert.is.not(stateAfterFault, OLD_STATE, 'a completed run advanced the state');
    }
    check(r, mo, box);
    // the next clean run converges
    mo.emu.setFaults({});
    const clean = await runImport(box, mo);
    assert.is(clean.code, 0, show(clean));
    assert.is(diffDumps(expected, mo.dump()), '', 'MO equals the fault-free import');
    assert.ok(!existsSync(path.join(path.dirname(box.state), 'lock')), 'no lock is left behind');
  } finally {
    await mo.stop();
    box.cleanup();
  }
}

const SCENARIOS: [string, () => Promise<void>][] = [
  ['20% of MO requests answered HTTP 500: retried; the clean run after it equals the fault-free import', () =>
    drill({ faults: { errorRate: 0.2, seed: 20 } }, (mo, box) => runImport(box, mo, FAST), (r, mo) => {
      assert.ok(mo.emu.metrics().faults.error! >= 5, `faults injected: ${JSON.stringify(mo.emu.metrics().faults)}`);
      assert.is(r.code, 0, `with 5 retries a 20% error rate is ridden out\n${show(r)}`);
      assert.ok(r.report.totals.retries >= 5, `retries counted in the report: ${JSON.stringify(r.report.totals)}`);
    })],
  ['20% of MO connections reset: retried; the clean run after it equals the fault-free import', () =>
    drill({ faults: { resetRate: 0.2, seed: 21 } }, (mo, box) => runImport(box, mo, FAST), (r, mo) => {
      assert.ok(mo.emu.metrics().faults.reset! >= 5, `faults injected: ${JSON.stringify(mo.emu.metrics().faults)}`);
      assert.is(r.code, 0, show(r));
      assert.ok(r.report.totals.retries >= 5, JSON.stringify(r.report.totals));
    })],
  ['MO answers slower than timeout_ms in the middle of the upload: writes committed but unanswered; exit 1, state unchanged; the clean run converges', () =>
    drill({}, async (mo, box) => {
      // a slow-ish upload (10 mutations per request, one at a time), then MO stalls past the client timeout
      const run = runImport(box, mo, [...FAST, '--set', 'timeout_ms=400', '--set', 'mo_retries=2', '--set', 'batch_size=10', '--set', 'concurrency=1']);
      mo.emu.setFaults({ delayMs: 30 });
      await waitFor(() => mo.count('org_unit') >= 5, 90_000, 'the upload to start writing org units');
      mo.emu.setFaults({ delayMs: 1200 });
      return run;
    }, (r, mo) => {
      assert.is(r.code, 1, show(r));
      assert.match(r.report.failure, /timeout after 400 ms/);
      assert.ok(mo.emu.metrics().faults.delay! >= 3, JSON.stringify(mo.emu.metrics().faults));
      assert.ok(mo.count('org_unit') < 49, 'the run stopped part-way');
    })],
  ['the token expires mid-run (1 s tokens): renewed, the run completes; MO equals the fault-free import', () =>
    drill({ tokenLifetimeSeconds: 1 }, async (mo, box) => {
      // long enough (≈ 35 requests × 120 ms, one at a time) for several 1 s tokens to expire
      mo.emu.setFaults({ delayMs: 120 });
      return runImport(box, mo, [...FAST, '--set', 'batch_size=20', '--set', 'concurrency=1']);
    }, (r, mo) => {
      assert.is(r.code, 0, show(r));
      const m = mo.emu.metrics();
      assert.ok(m.requests - m.graphqlRequests >= 3, `the token was renewed during the run (${m.requests - m.graphqlRequests} token requests)`);
      assert.ok(r.report.totals.tokens >= 3, JSON.stringify(r.report.totals));
    })],
  ['MO restarts mid-upload (connections cut, every token forgotten): reconnected, token renewed, the run completes; MO equals the fault-free import', () =>
    drill({}, async (mo, box) => {
      const run = runImport(box, mo, [...FAST, '--set', 'batch_size=10', '--set', 'concurrency=2']);
      mo.emu.setFaults({ delayMs: 30 });
      await waitFor(() => mo.count('org_unit') >= 5, 90_000, 'the upload to start writing org units');
      await mo.restart();
      mo.emu.setFaults({ delayMs: 30 });
      return run;
    }, (r, mo) => {
      assert.is(r.code, 0, show(r));
      // the old token was refused by the restarted MO and a new one fetched
      assert.ok((mo.emu.metrics().errors.UNAUTHENTICATED ?? 0) >= 1, JSON.stringify(mo.emu.metrics().errors));
      assert.ok(r.report.totals.tokens >= 2, JSON.stringify(r.report.totals));
    })],
];

// two drills at a time (each has its own MO and state folder); every test awaits its own
const limit = pLimit(2);
let startedAt = 0;
const running = new Map<string, Promise<void>>();
test.before(() => {
  startedAt = Date.now();
  for (const [name, fn] of SCENARIOS) {
    const p = limit(fn);
    p.catch(() => {}); // reported by its test
    running.set(name, p);
  }
});
for (const [name] of SCENARIOS) test(name, () => running.get(name)!);

test.after(() => console.log(`  drills-mo-faults: ${((Date.now() - startedAt) / 1000).toFixed(1)} s`));

test.run();
