/**
 * The step contract. A module in steps/ default-exports `defineStep({...})({ run })`: JSON schemas (kept in
 * schemas/) for its `with:` options, the data it takes (`input:`) and the data it gives (outputs),
 * and a `run` whose parameter and result types are derived from those schemas.
 */
import type { FromSchema, JSONSchema } from 'json-schema-to-ts';
import type { Settings } from '../settings.ts';
import type { Logger } from '../log.ts';
import type { Report } from './report.ts';

/** Facts about the current run, shared by all steps. */
export interface RunInfo {
  id: string;
  startedAt: Date;
  dryRun: boolean;
  /** The time files must be modified after: state file, or --import-from-date; null = everything. */
  importFrom: Date | null;
  stateDir: string;
  /** Per-run work folder inside the state folder (downloads). */
  workDir: string;
  /** Folder of the workflow file: mapping paths are relative to it. */
  workflowDir: string;
  /** Command-line switches steps may honour, e.g. skipInvalidRows, refreshDar. */
  flags: Record<string, boolean | string | undefined>;
}

/** Live counts shown in the progress view (files, rows, objects, requests …). */
export interface Progress {
  set(name: string, value: number): void;
  add(name: string, n?: number): void;
  /** A one-line status message (e.g. the file being read). */
  message(text: string): void;
  readonly counts: Record<string, number>;
}

export interface StepContext {
  stepId: string;
  settings: Settings;
  run: RunInfo;
  log: Logger;
  report: Report;
  progress: Progress;
  signal: AbortSignal;
  /** Run `fn` for each item as a sub-task (one line per file in the interactive view), in order. */
  each<T>(items: readonly T[], title: (item: T) => string, fn: (item: T, progress: Progress) => Promise<void>): Promise<void>;
  /** A resource shared by the steps of a run (MO client, remote source …), created once, closed at the end. */
  shared<T>(key: string, create: () => Promise<T>, close?: (value: T) => Promise<void>): Promise<T>;
  /** Throw InterruptedError if Ctrl-C was pressed. */
  checkInterrupted(): void;
  /**
   * Run `fn` and add its wall time to the step report's `phases_ms[phase]` (e.g. the upload step's
   * "read" from MO versus its pure "plan"): what the bench and operators see of a step's parts.
   */
  time<T>(phase: string, fn: () => T): T;
}

export interface StepSchemas {
  with: JSONSchema;
  input: JSONSchema;
  output: JSONSchema;
}

export interface StepArgs<S extends StepSchemas> {
  with: FromSchema<S['with']>;
  input: FromSchema<S['input']>;
  ctx: StepContext;
}

export interface StepModule<S extends StepSchemas = StepSchemas> {
  /** Name used in `uses:` */
  name: string;
  description: string;
  schemas: S;
  run(args: StepArgs<S>): Promise<FromSchema<S['output']>>;
  /** One line for the summary and the progress view after the step, from its output. */
  summarize?(output: FromSchema<S['output']>): string;
  /**
   * Checks of the step's options that need more than the schema (e.g. reading the mapping file it
   * names), made when the workflow is checked, before anything runs: `FILE:LINE: …` messages.
   */
  check?(options: FromSchema<S['with']>, workflowDir: string): string[];
}

export type StepImplementation<S extends StepSchemas> = Pick<StepModule<S>, 'run' | 'summarize' | 'check'>;

/**
 * `defineStep({ name, description, schemas })({ run, summarize })`. Two calls, so that the schemas
 * fix the types before `run` is checked against them.
 */
export const defineStep =
  <const S extends StepSchemas>(meta: Pick<StepModule<S>, 'name' | 'description' | 'schemas'>) =>
  (impl: StepImplementation<S>): StepModule<S> => ({ ...meta, ...impl });

export const empty = { type: 'object', additionalProperties: false, properties: {} } as const;
