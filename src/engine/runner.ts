/**
 * The runner: a workflow's steps as listr2 tasks (step-task.ts). Options were checked when the
 * workflow loaded; each step's input is resolved from earlier outputs and checked, the step runs
 * with live counts, and its output is checked before later steps may read it. What the
 * application adds around a run (lock, journal, metrics, JSON end records) comes in as hooks
 * (hooks.ts); the engine imports nothing above itself.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, rmdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Listr, type ListrRendererValue } from 'listr2';
import { ConfigError, EXIT, exitCodeOf, InputError, InterruptedError, Los2moError } from '../errors.ts';
import { createLogger, redact, type Logger, type LogFormat } from '../log.ts';
import { resolveSettings, type Settings } from '../settings.ts';
import { copenhagenMidnight, isoWithOffset, isValidDay } from '../time.ts';
import { Report } from './report.ts';
import { ValidatedOutputs } from './validated.ts';
import { referencedPaths, expressionsIn, stringsIn } from './expressions.ts';
import { checkWorkflow, readWorkflow, resolveWorkflowPath, type LoadedStep, type LoadedWorkflow } from './workflow.ts';
import type { RunInfo } from './step.ts';
import { formatSummary } from './summary.ts';
import { SharedResources } from './resources.ts';
import { stepTask, type RunScope } from './step-task.ts';
import type { RunHooks } from './hooks.ts';

export type { RunHooks } from './hooks.ts';

export interface RunOptions {
  workflow: string;
  dryRun?: boolean;
  importFromDate?: string;
  reportFile?: string;
  overrides?: string[];
  settingsFile?: string;
  quiet?: boolean;
  verbose?: boolean;
  logFormat?: LogFormat;
  flags?: Record<string, boolean | string | undefined>;
  env?: NodeJS.ProcessEnv;
  /** Force a renderer (tests); default: interactive on a terminal, line-based otherwise. */
  renderer?: 'default' | 'simple' | 'verbose' | 'silent';
  /** What the application adds around the run (src/ops/run-hooks.ts): lock, journal, metrics, JSON records. */
  hooks?: RunHooks;
  out?: (text: string) => void;
  err?: (text: string) => void;
}

export interface RunResult {
  exitCode: number;
  report: Report;
  workflow?: LoadedWorkflow;
}

/**
 * For each step id, the index of the last step whose `input:` or `if:` reads `steps.<id>.outputs`
 * (-1: none does). After that step has started (its input resolved, its condition evaluated), the
 * runner drops the output, so large arrays (rows, timelines) become garbage once the last step that
 * needs them has them. `null` when an expression reads the whole `steps` object or a step without
 * its outputs: then every output is kept. (Every path is static: an index is a literal, expressions.ts.)
 */
export function lastReaders(steps: Pick<LoadedStep, 'id' | 'input' | 'if'>[]): Map<string, number> | null {
  const last = new Map<string, number>(steps.map((s) => [s.id, -1]));
  for (const [index, step] of steps.entries()) {
    const texts = [...stringsIn(step.input ?? {})].map(([t]) => t);
    if (typeof step.if === 'string') texts.push(step.if.includes('${{') ? step.if : `\${{ ${step.if} }}`);
    for (const text of texts) {
      for (const expr of expressionsIn(text)) {
        for (const ref of referencedPaths(expr)) {
          if (ref[0] !== 'steps') continue;
          if (!ref[1] || ref[2] !== 'outputs') return null;
          last.set(ref[1], Math.max(last.get(ref[1]) ?? -1, index));
        }
      }
    }
  }
  return last;
}

const newRunId = (at: Date) => `${isoWithOffset(at).slice(0, 19).replace(/[-:]/g, '').replace('T', '-')}-${randomBytes(3).toString('hex')}`;

function parseImportFrom(text: string): Date {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!m || !isValidDay(+m[1]!, +m[2]!, +m[3]!)) throw new ConfigError(`--import-from-date expects YYYY-MM-DD, got "${text}"`);
  return copenhagenMidnight(text);
}

/** A run in progress: what its parts share. */
interface Run {
  options: RunOptions;
  env: NodeJS.ProcessEnv;
  report: Report;
  startedAt: Date;
  log: Logger;
  /** every stderr line a JSON record: no listr view */
  json: boolean;
  hooks: RunHooks;
  shared: SharedResources;
  abort: AbortController;
  settings?: Settings;
  workflow?: LoadedWorkflow;
  info?: RunInfo;
  /** a dry run created the state folder (for its work folder): removed again at the end */
  createdStateDir: boolean;
}

const logLevel = (o: RunOptions) => (o.verbose ? 'debug' : o.quiet ? 'warn' : 'info');

function startRun(options: RunOptions): Run {
  const env = options.env ?? process.env;
  const report = new Report();
  const startedAt = new Date();
  report.run_id = newRunId(startedAt);
  report.started_at = isoWithOffset(startedAt);
  report.dry_run = !!options.dryRun;
  const format: LogFormat = options.logFormat ?? (env.LOS_LOG_FORMAT === 'json' ? 'json' : 'text');
  return {
    options, env, report, startedAt,
    log: createLogger({ format, level: logLevel(options), runId: report.run_id }),
    json: format === 'json',
    hooks: options.hooks ?? {},
    shared: new SharedResources(),
    abort: new AbortController(),
    createdStateDir: false,
  };
}

/** Ctrl-C / SIGTERM: stop after the current operation; a second one exits at once. Returns the remover. */
function onSignals(run: Run): () => void {
  let interruptedBy = '';
  const say = (text: string, level: 'warn' | 'error') => (run.json ? run.log[level](text) : process.stderr.write(`\n${text}\n`));
  const handler = (signal: NodeJS.Signals) => {
    if (interruptedBy) { say(`${signal} again: exiting at once`, 'error'); process.exit(130); }
    interruptedBy = signal;
    say(`${signal}: stopping after the current operation; nothing will be committed (press Ctrl-C again to exit at once)`, 'warn');
    run.abort.abort(new InterruptedError(signal));
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return () => { process.off('SIGINT', handler); process.off('SIGTERM', handler); };
}

/** Settings, the state's import time, the run's facts and the checked workflow; nothing runs yet. */
async function prepare(run: Run): Promise<{ staticContext: Record<string, unknown> }> {
  const { options, env, report } = run;
  const file = resolveWorkflowPath(options.workflow);
  report.workflow = file;
  const { yaml, settingsDefaults } = readWorkflow(file, env);
  const settings = (run.settings = resolveSettings({ overrides: options.overrides, env, settingsFile: options.settingsFile, workflowDefaults: settingsDefaults }));
  if (!options.logFormat && settings.get('log_format') === 'json') {
    run.log = createLogger({ format: 'json', level: logLevel(options), runId: report.run_id });
    run.json = true;
  }
  for (const w of settings.warnings) { run.log.warn(w); report.warn(w); }
  const stateDir = settings.stateDir;
  const importFrom = options.importFromDate ? parseImportFrom(options.importFromDate) : run.hooks.importFrom?.(settings) ?? null;
  report.import_from = importFrom ? isoWithOffset(importFrom) : null;
  const info: RunInfo = (run.info = {
    id: report.run_id,
    startedAt: run.startedAt,
    dryRun: !!options.dryRun,
    importFrom,
    stateDir,
    workDir: path.join(stateDir, 'work', report.run_id),
    workflowDir: path.dirname(file),
    flags: options.flags ?? {},
  });
  const runContext = { id: info.id, dry_run: info.dryRun, started_at: report.started_at, import_from: report.import_from, state_dir: stateDir };
  const staticContext = { env: { ...env }, settings: settings.toObject(), run: runContext };
  run.workflow = await checkWorkflow(file, yaml, settingsDefaults, settings, staticContext);
  return { staticContext };
}

/** The steps as one listr2 task list, run to the end or the first failure. */
async function runSteps(run: Run, staticContext: Record<string, unknown>) {
  const { options, env, report, log, json } = run;
  const workflow = run.workflow!, info = run.info!;
  const outputs: RunScope['outputs'] = {};
  const lastReader = lastReaders(workflow.steps);
  const renderer = json ? 'silent' : options.renderer ?? (options.quiet ? 'silent' : options.verbose ? 'verbose' : process.stdout.isTTY && !env.CI ? 'default' : 'simple');
  const scope: RunScope = {
    settings: run.settings!, run: info, report, log, json,
    interactive: renderer === 'default',
    staticContext, outputs,
    /** Drop the outputs no step from `index` on reads (a skipped step's are dropped by the next step that runs). */
    release: (index) => {
      if (!lastReader) return;
      for (const id of Object.keys(outputs)) if ((lastReader.get(id) ?? Infinity) <= index) delete outputs[id];
    },
    validated: new ValidatedOutputs(),
    checkInputs: env.LOS2MO_CHECK_INPUTS === '1',
    shared: run.shared,
    signal: run.abort.signal,
    hooks: run.hooks,
  };
  const listr = new Listr(workflow.steps.map(stepTask(scope)), {
    renderer: renderer as ListrRendererValue,
    fallbackRenderer: 'simple',
    exitOnError: true,
    registerSignalListeners: false,
    collectErrors: false,
    // sub-tasks show under their step while it runs; the final frame is one line per step
    rendererOptions: { collapseSubtasks: true, showErrorMessage: false, formatOutput: 'truncate', persistentOutput: false },
  } as never);
  if (!scope.interactive && renderer !== 'silent') {
    (options.out ?? ((t: string) => process.stdout.write(t)))(`los2mo run ${info.id}: ${workflow.name} (${path.relative(process.cwd(), workflow.file) || workflow.file})${info.dryRun ? ' — dry run' : ''}\n`);
  }
  try {
    await listr.run();
  } catch (e) {
    if (run.abort.signal.aborted) throw run.abort.signal.reason;
    throw e;
  }
  for (const s of workflow.steps) if (!report.steps.some((r) => r.id === s.id)) report.steps.push({ id: s.id, uses: s.uses, status: 'skipped', duration_ms: 0, counts: {} });
}

/** How the run failed, in the report: exit code, outcome, input problems (capped, all counted), the message. */
function recordFailure(run: Run, error: unknown) {
  const { report } = run;
  report.exit_code = exitCodeOf(error);
  report.outcome = error instanceof InterruptedError ? 'interrupted' : error instanceof InputError ? 'invalid-input' : (error as Error)?.name === 'MassChangeError' ? 'mass-change' : 'failed';
  if (error instanceof InputError) report.addErrors(error.problems);
  const expected = error instanceof Los2moError || typeof (error as { exitCode?: unknown })?.exitCode === 'number';
  report.failure = redact(expected ? (error as Error).message : (error as Error)?.stack ?? String(error));
  if (!expected) run.log.debug(redact((error as Error)?.stack ?? String(error)));
}

/** After every run: resources closed, totals, the work folder gone, the hooks, the report file, the summary. */
async function finish(run: Run) {
  const { options, report, log } = run;
  await run.shared.closeAll(log);
  const finishedAt = new Date();
  report.finished_at = isoWithOffset(finishedAt);
  const durationMs = finishedAt.getTime() - run.startedAt.getTime();
  // peak resident set of this process so far (KiB) and its CPU time (ms): bench/run.ts reads them from the report
  const usage = process.resourceUsage();
  report.totals.peak_rss_kb = usage.maxRSS;
  report.totals.cpu_ms = Math.round((usage.userCPUTime + usage.systemCPUTime) / 1000);
  // the downloads hold full CPR numbers: never kept after the run, whatever its outcome (the source still has them)
  if (run.info) {
    rmSync(run.info.workDir, { recursive: true, force: true });
    // a dry run leaves a state folder it created as it found it: absent
    if (run.createdStateDir) for (const dir of [path.dirname(run.info.workDir), run.info.stateDir]) try { rmdirSync(dir); } catch { /* not empty */ }
  }
  try {
    await run.hooks.afterRun?.({ report, settings: run.settings, run: run.info, durationMs, log, json: run.json });
  } catch (e) {
    log.error(`after the run: ${(e as Error).message}`);
  }
  if (options.reportFile) {
    try {
      mkdirSync(path.dirname(path.resolve(options.reportFile)), { recursive: true });
      // redact the text itself: a round trip through JSON.parse costs a second copy of a large report
      writeFileSync(options.reportFile, redact(JSON.stringify(report, null, 2)) + '\n', { mode: 0o600 });
    } catch (e) {
      log.error(`could not write the report ${options.reportFile}: ${(e as Error).message}`);
    }
  }
  if (run.json) return; // the JSON end records are the hooks' (src/ops/json-log.ts)
  const summary = redact(formatSummary(report, durationMs, { quiet: !!options.quiet })) + '\n';
  if (report.exit_code !== 0) (options.err ?? ((t: string) => process.stderr.write(t)))(summary);
  else if (!options.quiet) (options.out ?? ((t: string) => process.stdout.write(t)))(summary);
}

export async function runWorkflow(options: RunOptions): Promise<RunResult> {
  const run = startRun(options);
  const offSignals = onSignals(run);
  try {
    const { staticContext } = await prepare(run);
    const info = run.info!;
    await run.hooks.beforeRun?.({ report: run.report, settings: run.settings!, run: info, workflowFile: run.workflow!.file, workflowName: run.workflow!.name, log: run.log, json: run.json });
    run.createdStateDir = info.dryRun && !existsSync(info.stateDir);
    mkdirSync(info.workDir, { recursive: true, mode: 0o700 });
    run.log.debug(`run ${info.id}: workflow ${run.workflow!.file}, state ${info.stateDir}, import from ${run.report.import_from ?? 'the beginning'}`);
    await runSteps(run, staticContext);
    run.report.outcome = 'success';
    run.report.exit_code = EXIT.ok;
  } catch (error) {
    recordFailure(run, error);
  } finally {
    offSignals();
    await finish(run);
  }
  return { exitCode: run.report.exit_code, report: run.report, workflow: run.workflow };
}
