/**
 * The runner: a workflow's steps as listr2 tasks. Options were checked when the workflow loaded;
 * here each step's input is resolved from earlier outputs and checked, the step runs with live
 * counts, and its output is checked before later steps may read it.
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { existsSync, mkdirSync, rmdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { Listr, type ListrTaskWrapper, type ListrRendererValue } from 'listr2';
import { ConfigError, EXIT, exitCodeOf, InputError, InterruptedError, Los2moError } from '../errors.ts';
import { createLogger, redact, type Logger, type LogFormat } from '../log.ts';
import { resolveSettings, type Settings } from '../settings.ts';
import { copenhagenMidnight, isoWithOffset, isValidDay } from '../time.ts';
import { readState } from '../state/state-file.ts';
import { acquireLock, type HeldLock } from '../state/lock.ts';
import { appendJournal, readJournal, unreportedInterruptions } from '../state/journal.ts';
import { Report, type StepReport } from './report.ts';
import { check, preview } from './schema.ts';
import { ValidatedOutputs } from './validated.ts';
import { resolveDeep, interpolate, referencedPaths, expressionsIn, stringsIn } from './expressions.ts';
import { checkWorkflow, readWorkflow, resolveWorkflowPath, type LoadedStep, type LoadedWorkflow } from './workflow.ts';
import type { Progress, RunInfo, StepContext } from './step.ts';
import { formatSummary } from './summary.ts';
import { writeRunMetrics } from '../ops/metrics.ts';
import { logRunEnd } from '../ops/json-log.ts';

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

const countsText = (counts: Record<string, number>) =>
  Object.entries(counts).filter(([, v]) => v !== 0).map(([k, v]) => `${v.toLocaleString('en-US')} ${k}`).join(' · ');

/** Live counts, redrawn at most every 100 ms; `close()` stops redraws once the task is done. */
function makeProgress(onChange: (p: Progress) => void): Progress & { close(): void } {
  const counts: Record<string, number> = {};
  let last = 0;
  let timer: NodeJS.Timeout | undefined;
  let closed = false;
  const changed = () => {
    if (closed) return;
    const now = Date.now();
    if (now - last > 100) { last = now; onChange(progress); }
    else if (!timer) timer = setTimeout(() => { timer = undefined; last = Date.now(); onChange(progress); }, 110).unref();
  };
  const progress: Progress & { close(): void } = {
    counts,
    close() { closed = true; if (timer) clearTimeout(timer); },
    set(name, value) { counts[name] = value; changed(); },
    add(name, n = 1) { counts[name] = (counts[name] ?? 0) + n; changed(); },
    message(text) { (progress as unknown as { text?: string }).text = text; changed(); },
  };
  return progress;
}

/**
 * Run a list of sub-tasks as the running task's own sub-tasks: drawn by the step list's renderer
 * (under the step while it runs; one line each in the line-based view), never by a renderer of
 * their own — two renderers drawing one terminal is what left hundreds of stale frames in the
 * scrollback. This is what listr2 does for a task that returns a Listr (Task.run, handleResult);
 * a step cannot return one, as it runs its sub-tasks in the middle of its own work.
 */
function attachSubtasks<T extends { tasks: unknown[] }>(wrapper: unknown, sub: T): T {
  const owner = (wrapper as { task: { subtasks: unknown[]; emit(event: string, value: unknown): void } }).task;
  owner.subtasks = sub.tasks;
  owner.emit('SUBTASK', sub.tasks);
  return sub;
}

/** Shared resources of a run (MO client, remote source …), closed at the end, last first. */
class SharedResources {
  private values = new Map<string, Promise<unknown>>();
  private closers: (() => Promise<void>)[] = [];
  get<T>(key: string, create: () => Promise<T>, close?: (v: T) => Promise<void>): Promise<T> {
    let p = this.values.get(key) as Promise<T> | undefined;
    if (!p) {
      p = create();
      this.values.set(key, p);
      if (close) this.closers.push(async () => {
        const value = await p!.catch(() => undefined); // creation failed: nothing to close
        if (value !== undefined) await close(value);
      });
    }
    return p;
  }
  async closeAll(log: Logger) {
    for (const close of this.closers.reverse()) {
      try { await close(); } catch (e) { log.warn(`closing a resource failed: ${(e as Error).message}`); }
    }
  }
}

export async function runWorkflow(options: RunOptions): Promise<RunResult> {
  const env = options.env ?? process.env;
  const report = new Report();
  const startedAt = new Date();
  const out = options.out ?? ((t: string) => process.stdout.write(t));
  const logFormat: LogFormat = options.logFormat ?? (env.LOS_LOG_FORMAT === 'json' ? 'json' : 'text');
  report.run_id = newRunId(startedAt);
  report.started_at = isoWithOffset(startedAt);
  report.dry_run = !!options.dryRun;
  let log = createLogger({ format: logFormat, level: options.verbose ? 'debug' : options.quiet ? 'warn' : 'info', runId: report.run_id });
  // json: every line on stderr is a JSON record (no listr view, step events and the summary as records)
  let json = logFormat === 'json';
  let lock: HeldLock | undefined;
  let settings: Settings | undefined;
  let workflow: LoadedWorkflow | undefined;
  const shared = new SharedResources();
  const abort = new AbortController();
  let interruptedBy = '';
  const onSignal = (signal: NodeJS.Signals) => {
    if (interruptedBy) { if (json) log.error(`${signal} again: exiting at once`); else process.stderr.write(`\n${signal} again: exiting at once\n`); process.exit(130); }
    interruptedBy = signal;
    const text = `${signal}: stopping after the current operation; nothing will be committed (press Ctrl-C again to exit at once)`;
    if (json) log.warn(text); else process.stderr.write(`\n${text}\n`);
    abort.abort(new InterruptedError(signal));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  let journalStarted = false;
  let createdStateDir = false;
  let runInfo: RunInfo | undefined;

  try {
    const file = resolveWorkflowPath(options.workflow);
    report.workflow = file;
    const { yaml, settingsDefaults } = readWorkflow(file, env);
    settings = resolveSettings({ overrides: options.overrides, env, settingsFile: options.settingsFile, workflowDefaults: settingsDefaults });
    if (!options.logFormat && settings.get('log_format') === 'json') { log = createLogger({ format: 'json', level: options.verbose ? 'debug' : options.quiet ? 'warn' : 'info', runId: report.run_id }); json = true; }
    const stateDir = settings.stateDir;
    const importFrom = options.importFromDate ? parseImportFrom(options.importFromDate) : readState(settings.require('state_file'));
    report.import_from = importFrom ? isoWithOffset(importFrom) : null;
    runInfo = {
      id: report.run_id,
      startedAt,
      dryRun: !!options.dryRun,
      importFrom,
      stateDir,
      workDir: path.join(stateDir, 'work', report.run_id),
      workflowDir: path.dirname(file),
      flags: options.flags ?? {},
    };
    const runContext = { id: runInfo.id, dry_run: runInfo.dryRun, started_at: report.started_at, import_from: report.import_from, state_dir: stateDir };
    const staticContext = { env: { ...env }, settings: settings.toObject(), run: runContext };
    workflow = await checkWorkflow(file, yaml, settingsDefaults, settings, staticContext);

    if (!runInfo.dryRun) {
      lock = acquireLock(stateDir, runInfo.id);
      if (lock.stale) report.warn(`cleared a stale lock of run ${lock.stale.run_id} (pid ${lock.stale.pid} on ${lock.stale.host}, since ${lock.stale.started_at}): that process is gone`);
      const entries = readJournal(stateDir);
      for (const lost of unreportedInterruptions(entries)) {
        report.warn(`run ${lost.run_id} started ${lost.started_at} was interrupted (no end in the journal); its changes were not committed and are re-applied now`);
        // its downloads (Pers files: full CPR numbers) are not kept
        rmSync(path.join(stateDir, 'work', lost.run_id), { recursive: true, force: true });
        appendJournal(stateDir, { type: 'recovered', run_id: lost.run_id, noticed_by: runInfo.id, at: isoWithOffset(new Date()) });
      }
      appendJournal(stateDir, { type: 'start', run_id: runInfo.id, started_at: report.started_at, workflow: file, dry_run: false, pid: process.pid, host: hostname() });
      journalStarted = true;
    }
    createdStateDir = runInfo.dryRun && !existsSync(stateDir);
    mkdirSync(runInfo.workDir, { recursive: true, mode: 0o700 });
    log.debug(`run ${runInfo.id}: workflow ${file}, state ${stateDir}, import from ${report.import_from ?? 'the beginning'}`);

    const outputs: Record<string, { outputs: unknown }> = {};
    const validated = new ValidatedOutputs();
    const checkInputs = env.LOS2MO_CHECK_INPUTS === '1';
    const lastReader = lastReaders(workflow.steps);
    /** Drop the outputs no step from `index` on reads (a skipped step's are dropped by the next step that runs). */
    const release = (index: number) => {
      if (!lastReader) return;
      for (const id of Object.keys(outputs)) if ((lastReader.get(id) ?? Infinity) <= index) delete outputs[id];
    };
    const renderer = json ? 'silent' : options.renderer ?? (options.quiet ? 'silent' : options.verbose ? 'verbose' : process.stdout.isTTY && !env.CI ? 'default' : 'simple');
    const interactive = renderer === 'default';

    const stepTask = (step: LoadedStep, index: number) => ({
      title: step.title,
      skip: () => {
        if (step.if === undefined) return false;
        const value = typeof step.if === 'boolean' ? step.if : interpolate(step.if.includes('${{') ? step.if : `\${{ ${step.if} }}`, { ...staticContext, steps: outputs });
        if (!value && json) log.info('step skipped', { step: step.id, uses: step.uses, reason: `condition false: ${step.if}` });
        return value ? false : `condition false: ${typeof step.if === 'string' ? step.if : step.if}`;
      },
      task: async (_ctx: unknown, task: ListrTaskWrapper<unknown, typeof Listr.prototype.rendererClass, typeof Listr.prototype.rendererClass>) => {
        const started = Date.now();
        const stepReport: StepReport = { id: step.id, uses: step.uses, status: 'pending', duration_ms: 0, counts: {} };
        report.steps.push(stepReport);
        const stepLog = log.child({ step: step.id });
        if (json) stepLog.info('step started', { uses: step.uses });
        let stepError: string | undefined;
        const show = (p: Progress) => {
          const text = (p as unknown as { text?: string }).text;
          if (interactive) task.output = [countsText(p.counts), text].filter(Boolean).join(' — ');
        };
        const progress = makeProgress(show);
        const input = resolveDeep(step.input, { ...staticContext, steps: outputs }) as Record<string, unknown>;
        release(index);
        let checkStarted = performance.now();
        const inputProblems = check(step.module.schemas.input as object, input, validated.trusted);
        stepReport.validation_ms = Math.round(performance.now() - checkStarted);
        if (inputProblems.length) {
          throw new Los2moError(`step "${step.id}" (${step.uses}) got invalid input: ${inputProblems.map((v) => `input${v.pointer.replace(/\//g, '.').replace(/^\.$/, '')}: ${v.message} (got ${preview(v.value)})`).join('; ')}`);
        }
        const ctx: StepContext = {
          stepId: step.id,
          settings: settings!,
          run: runInfo!,
          log: stepLog,
          report,
          progress,
          signal: abort.signal,
          checkInterrupted: () => { if (abort.signal.aborted) throw abort.signal.reason; },
          time: (phase, fn) => {
            const t = performance.now();
            const add = () => {
              const phases = (stepReport.phases_ms ??= {});
              phases[phase] = (phases[phase] ?? 0) + Math.round(performance.now() - t);
            };
            const result = fn();
            if (result instanceof Promise) return result.finally(add) as typeof result;
            add();
            return result;
          },
          shared: (key, create, close) => shared.get(key, create, close),
          each: async (items, title, fn) => {
            const sub = task.newListr(items.map((item) => ({
              title: title(item),
              task: async (_c: unknown, subTask: { output: string; title: string }) => {
                ctx.checkInterrupted();
                const p = makeProgress((pp) => { if (interactive) subTask.output = countsText(pp.counts); });
                try { await fn(item, p); } finally { p.close(); }
                const c = countsText(p.counts);
                if (json) stepLog.debug(`${title(item)}${c ? ` (${c})` : ''}`);
                if (c) subTask.title = `${title(item)} (${c})`;
              },
            })), { concurrent: false, exitOnError: true, renderer: 'silent' } as never);
            await attachSubtasks(task, sub).run();
          },
        };
        try {
          // the step contract: a step never changes its input (validated.ts relies on it); checked on request
          const before = checkInputs ? structuredClone(input) : undefined;
          const output = await step.module.run({ with: step.with as never, input: input as never, ctx });
          if (checkInputs && !isDeepStrictEqual(before, input)) throw new Los2moError(`step "${step.id}" (${step.uses}) changed its input: a step must treat its input as read-only (LOS2MO_CHECK_INPUTS)`);
          ctx.checkInterrupted();
          checkStarted = performance.now();
          const outputProblems = check(step.module.schemas.output as object, output, validated.trusted);
          stepReport.validation_ms += Math.round(performance.now() - checkStarted);
          if (!outputProblems.length) validated.record(step.module.schemas.output as object, output);
          if (outputProblems.length) {
            throw new Los2moError(`step "${step.id}" (${step.uses}) gave invalid output: ${outputProblems.slice(0, 5).map((v) => `${v.pointer}: ${v.message} (got ${preview(v.value)})`).join('; ')}`);
          }
          outputs[step.id] = { outputs: output };
          release(index);
          stepReport.status = 'done';
          stepReport.counts = { ...progress.counts };
          const summary = step.module.summarize?.(output as never) ?? countsText(progress.counts);
          stepReport.summary = summary;
          task.title = summary ? `${step.title}: ${summary}` : step.title;
        } catch (e) {
          // listr prints the message as it is: never a secret or a full CPR
          if (e instanceof Error) e.message = redact(e.message);
          stepError = e instanceof Error ? e.message : String(e);
          stepReport.status = 'failed';
          stepReport.counts = { ...progress.counts };
          throw e;
        } finally {
          progress.close();
          stepReport.duration_ms = Date.now() - started;
          stepReport.rss_kb = Math.round(process.memoryUsage.rss() / 1024);
          if (json) {
            const fields = { status: stepReport.status, duration_ms: stepReport.duration_ms, counts: stepReport.counts, summary: stepReport.summary, error: stepError };
            if (stepReport.status === 'failed') stepLog.error('step failed', fields); else stepLog.info('step finished', fields);
          }
        }
      },
    });

    const listr = new Listr(workflow.steps.map(stepTask), {
      renderer: renderer as ListrRendererValue,
      fallbackRenderer: 'simple',
      exitOnError: true,
      registerSignalListeners: false,
      collectErrors: false,
      rendererOptions: { collapseSubtasks: true, showErrorMessage: false, formatOutput: 'truncate', persistentOutput: false },
    } as never);
    if (json) log.info('run started', { workflow: file, name: workflow.name, dry_run: runInfo.dryRun, import_from: report.import_from, state_dir: stateDir });
    if (!interactive && renderer !== 'silent') out(`los2mo run ${runInfo.id}: ${workflow.name} (${path.relative(process.cwd(), file) || file})${runInfo.dryRun ? ' — dry run' : ''}\n`);
    try {
      await listr.run();
    } catch (e) {
      if (abort.signal.aborted) throw abort.signal.reason;
      throw e;
    }
    for (const s of workflow.steps) if (!report.steps.some((r) => r.id === s.id)) report.steps.push({ id: s.id, uses: s.uses, status: 'skipped', duration_ms: 0, counts: {} });
    report.outcome = 'success';
    report.exit_code = EXIT.ok;
  } catch (error) {
    report.exit_code = exitCodeOf(error);
    report.outcome = error instanceof InterruptedError ? 'interrupted' : error instanceof InputError ? 'invalid-input' : (error as Error)?.name === 'MassChangeError' ? 'mass-change' : 'failed';
    if (error instanceof InputError) report.errors.push(...error.problems);
    const expected = error instanceof Los2moError || typeof (error as { exitCode?: unknown })?.exitCode === 'number';
    report.failure = redact(expected ? (error as Error).message : (error as Error)?.stack ?? String(error));
    if (!expected) log.debug(redact((error as Error)?.stack ?? String(error)));
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await shared.closeAll(log);
    const finishedAt = new Date();
    report.finished_at = isoWithOffset(finishedAt);
    const durationMs = finishedAt.getTime() - startedAt.getTime();
    // peak resident set of this process so far (KiB) and its CPU time (ms): bench/run.ts reads them from the report
    const usage = process.resourceUsage();
    report.totals.peak_rss_kb = usage.maxRSS;
    report.totals.cpu_ms = Math.round((usage.userCPUTime + usage.systemCPUTime) / 1000);
    // the downloads hold full CPR numbers: never kept after the run, whatever its outcome (the source still has them)
    if (runInfo) {
      rmSync(runInfo.workDir, { recursive: true, force: true });
      // a dry run leaves a state folder it created as it found it: absent
      if (createdStateDir) for (const dir of [path.dirname(runInfo.workDir), runInfo.stateDir]) try { rmdirSync(dir); } catch { /* not empty */ }
    }
    if (journalStarted && runInfo) {
      try {
        appendJournal(runInfo.stateDir, {
          type: 'end', run_id: runInfo.id, finished_at: report.finished_at, outcome: report.outcome, exit_code: report.exit_code, duration_ms: durationMs,
          files: report.files, operations: report.operations, totals: report.totals, warnings: report.warnings.length, errors: report.errors.length,
          failure: report.failure?.slice(0, 2000), state_written: report.totals.state_written ? report.started_at : null,
        });
      } catch (e) {
        log.error(`could not write the journal: ${(e as Error).message}`);
      }
    }
    // metrics after every real run (docs/operations.md); a failed push is a warning, never a failure
    if (settings && !options.dryRun) await writeRunMetrics({ report, settings, log });
    lock?.release();
    if (options.reportFile) {
      try {
        mkdirSync(path.dirname(path.resolve(options.reportFile)), { recursive: true });
        // redact the text itself: a round trip through JSON.parse costs a second copy of a large report
        writeFileSync(options.reportFile, redact(JSON.stringify(report, null, 2)) + '\n', { mode: 0o600 });
      } catch (e) {
        log.error(`could not write the report ${options.reportFile}: ${(e as Error).message}`);
      }
    }
    const summary = redact(formatSummary(report, durationMs, { quiet: !!options.quiet })) + '\n';
    if (json) logRunEnd(report, durationMs);
    else if (report.exit_code !== 0) (options.err ?? ((t: string) => process.stderr.write(t)))(summary);
    else if (!options.quiet) out(summary);
  }
  return { exitCode: report.exit_code, report, workflow };
}
