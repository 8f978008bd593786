/**
 * What los2mo adds around a run of the engine (src/engine/hooks.ts), wired in by the CLI: the run
 * state file's import time, the lock and the journal (real runs only), metrics after every real run, and in `--log-format json`
 * the step events and the end records.
 */
import { hostname } from 'node:os';
import { rmSync } from 'node:fs';
import path from 'node:path';
import type { RunHooks } from '../engine/hooks.ts';
import { isoWithOffset } from '../time.ts';
import { acquireLock, type HeldLock } from '../state/lock.ts';
import { appendJournal, readJournal, unreportedInterruptions } from '../state/journal.ts';
import { readState } from '../state/state-file.ts';
import { writeRunMetrics } from './metrics.ts';
import { logRunEnd } from './json-log.ts';

export function applicationHooks(): RunHooks {
  let lock: HeldLock | undefined;
  let journalStarted = false;
  let json = false;
  return {
    importFrom: (settings) => readState(settings.require('state_file')),
    beforeRun({ report, run, workflowFile, workflowName, log, json: jsonLog }) {
      json = jsonLog;
      if (!run.dryRun) {
        lock = acquireLock(run.stateDir, run.id);
        if (lock.stale) report.warn(`cleared a stale lock of run ${lock.stale.run_id} (pid ${lock.stale.pid} on ${lock.stale.host}, since ${lock.stale.started_at}): that process is gone`);
        for (const lost of unreportedInterruptions(readJournal(run.stateDir))) {
          report.warn(`run ${lost.run_id} started ${lost.started_at} was interrupted (no end in the journal); its changes were not committed and are re-applied now`);
          // its downloads (Pers files: full CPR numbers) are not kept
          rmSync(path.join(run.stateDir, 'work', lost.run_id), { recursive: true, force: true });
          appendJournal(run.stateDir, { type: 'recovered', run_id: lost.run_id, noticed_by: run.id, at: isoWithOffset(new Date()) });
        }
        appendJournal(run.stateDir, { type: 'start', run_id: run.id, started_at: report.started_at, workflow: workflowFile, dry_run: false, pid: process.pid, host: hostname() });
        journalStarted = true;
      }
      if (json) log.info('run started', { workflow: workflowFile, name: workflowName, dry_run: run.dryRun, import_from: report.import_from, state_dir: run.stateDir });
    },
    beforeStep({ step, log }) {
      if (json) log.info('step started', { uses: step.uses });
    },
    afterStep({ report, log, error }) {
      if (!json) return;
      const fields = { status: report.status, duration_ms: report.duration_ms, counts: report.counts, summary: report.summary, error };
      if (report.status === 'failed') log.error('step failed', fields);
      else log.info('step finished', fields);
    },
    async afterRun({ report, settings, run, durationMs, log, json: jsonLog }) {
      try {
        if (journalStarted && run) {
          try {
            appendJournal(run.stateDir, {
              type: 'end', run_id: run.id, finished_at: report.finished_at, outcome: report.outcome, exit_code: report.exit_code, duration_ms: durationMs,
              files: report.files, operations: report.operations, totals: report.totals, warnings: report.warnings.length, errors: Math.max(report.errors_total, report.errors.length),
              failure: report.failure?.slice(0, 2000), state_written: report.totals.state_written ? report.started_at : null,
            });
          } catch (e) {
            log.error(`could not write the journal: ${(e as Error).message}`);
          }
        }
        // metrics after every real run, also one that stopped before its journal (docs/operations.md); a failed push is a warning, never a failure
        if (settings && !report.dry_run) await writeRunMetrics({ report, settings, log });
      } finally {
        lock?.release();
      }
      if (jsonLog) logRunEnd(report, durationMs);
    },
  };
}
