/**
 * What the application adds around a run, without the engine knowing it: the run lock, the
 * journal, metrics, JSON end records (src/ops/run-hooks.ts, wired in by the CLI). The engine calls
 * these hooks; it imports nothing above itself.
 */
import type { Logger } from '../log.ts';
import type { Settings } from '../settings.ts';
import type { Report, StepReport } from './report.ts';
import type { RunInfo } from './step.ts';
import type { LoadedStep } from './workflow.ts';

export interface RunStart {
  report: Report;
  settings: Settings;
  run: RunInfo;
  workflowFile: string;
  workflowName: string;
  log: Logger;
  /** the log is JSON (`--log-format json`) */
  json: boolean;
}

export interface RunEnd {
  /** final: outcome, exit code, totals, finished_at */
  report: Report;
  /** absent when the run stopped before its settings were read */
  settings?: Settings;
  run?: RunInfo;
  durationMs: number;
  log: Logger;
  /** the log is JSON (`--log-format json`): nothing but JSON records on stderr */
  json: boolean;
}

export interface StepEvent {
  step: LoadedStep;
  report: StepReport;
  log: Logger;
  /** afterStep of a failed step: its (redacted) error */
  error?: string;
}

export interface RunHooks {
  /** the time files must be modified after when --import-from-date is not given (the state file); none: null, everything */
  importFrom?(settings: Settings): Date | null;
  /** after the workflow check, before any step or work folder: may refuse the run by throwing */
  beforeRun?(start: RunStart): void | Promise<void>;
  beforeStep?(event: StepEvent): void;
  afterStep?(event: StepEvent): void;
  /** after every run, whatever its outcome or where it stopped; a throw is logged, never the outcome */
  afterRun?(end: RunEnd): void | Promise<void>;
}
