/**
 * One step as a listr2 task: its condition, its input resolved from earlier outputs and checked,
 * the step run with live counts and sub-tasks, its output checked before later steps may read it.
 */
import { isDeepStrictEqual } from 'node:util';
import type { ListrTaskWrapper, Listr } from 'listr2';
import { Los2moError } from '../errors.ts';
import { redact, type Logger } from '../log.ts';
import type { Settings } from '../settings.ts';
import type { Report, StepReport } from './report.ts';
import { check, preview } from './schema.ts';
import type { ValidatedOutputs } from './validated.ts';
import { interpolate, resolveDeep } from './expressions.ts';
import type { LoadedStep } from './workflow.ts';
import type { RunInfo, StepContext } from './step.ts';
import type { SharedResources } from './resources.ts';
import type { RunHooks } from './hooks.ts';
import { countsText, makeProgress } from './progress.ts';

/** What every step of a run shares. */
export interface RunScope {
  settings: Settings;
  run: RunInfo;
  report: Report;
  log: Logger;
  /** JSON log: step events as records */
  json: boolean;
  /** the interactive view: live counts as task output */
  interactive: boolean;
  /** env, settings and run for expressions */
  staticContext: Record<string, unknown>;
  /** outputs of the steps that ran, by step id, until their last reader has started */
  outputs: Record<string, { outputs: unknown }>;
  /** drop the outputs no step from this index on reads */
  release(index: number): void;
  validated: ValidatedOutputs;
  /** LOS2MO_CHECK_INPUTS=1: fail a step that changes its input */
  checkInputs: boolean;
  shared: SharedResources;
  signal: AbortSignal;
  hooks: RunHooks;
}

type Wrapper = ListrTaskWrapper<unknown, typeof Listr.prototype.rendererClass, typeof Listr.prototype.rendererClass>;

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

const condition = (text: string) => (text.includes('${{') ? text : `\${{ ${text} }}`);

/** false, or why the step is skipped */
function skipReason(scope: RunScope, step: LoadedStep): false | string {
  if (step.if === undefined) return false;
  const value = typeof step.if === 'boolean' ? step.if : interpolate(condition(step.if), { ...scope.staticContext, steps: scope.outputs });
  if (value) return false;
  if (scope.json) scope.log.info('step skipped', { step: step.id, uses: step.uses, reason: `condition false: ${step.if}` });
  return `condition false: ${step.if}`;
}

/** The step's input, resolved and checked against its schema. */
function resolveInput(scope: RunScope, step: LoadedStep, index: number, stepReport: StepReport): Record<string, unknown> {
  const input = resolveDeep(step.input, { ...scope.staticContext, steps: scope.outputs }) as Record<string, unknown>;
  scope.release(index);
  const started = performance.now();
  const problems = check(step.module.schemas.input as object, input, scope.validated.trusted);
  stepReport.validation_ms = Math.round(performance.now() - started);
  if (problems.length) {
    throw new Los2moError(`step "${step.id}" (${step.uses}) got invalid input: ${problems.slice(0, 5).map((v) => `input${v.pointer.replace(/\//g, '.').replace(/^\.$/, '')}: ${v.message} (got ${preview(v.value)})`).join('; ')}`);
  }
  return input;
}

/** The output checked against the step's schema (trusted from then on). */
function checkOutput(scope: RunScope, step: LoadedStep, output: unknown, stepReport: StepReport) {
  const started = performance.now();
  const problems = check(step.module.schemas.output as object, output, scope.validated.trusted);
  stepReport.validation_ms = (stepReport.validation_ms ?? 0) + Math.round(performance.now() - started);
  if (problems.length) {
    throw new Los2moError(`step "${step.id}" (${step.uses}) gave invalid output: ${problems.slice(0, 5).map((v) => `${v.pointer}: ${v.message} (got ${preview(v.value)})`).join('; ')}`);
  }
  scope.validated.record(step.module.schemas.output as object, output);
}

function stepContext(scope: RunScope, step: LoadedStep, stepReport: StepReport, stepLog: Logger, progress: StepContext['progress'], task: Wrapper): StepContext {
  const ctx: StepContext = {
    stepId: step.id,
    settings: scope.settings,
    run: scope.run,
    log: stepLog,
    report: scope.report,
    progress,
    signal: scope.signal,
    checkInterrupted: () => { if (scope.signal.aborted) throw scope.signal.reason; },
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
    shared: (key, create, close) => scope.shared.get(key, create, close),
    each: async (items, title, fn) => {
      const sub = task.newListr(items.map((item) => ({
        title: title(item),
        task: async (_c: unknown, subTask: { output: string; title: string }) => {
          ctx.checkInterrupted();
          const p = makeProgress((pp) => { if (scope.interactive) subTask.output = countsText(pp.counts); });
          try { await fn(item, p); } finally { p.close(); }
          const c = countsText(p.counts);
          if (scope.json) stepLog.debug(`${title(item)}${c ? ` (${c})` : ''}`);
          if (c) subTask.title = `${title(item)} (${c})`;
        },
      })), { concurrent: false, exitOnError: true, renderer: 'silent' } as never);
      await attachSubtasks(task, sub).run();
    },
  };
  return ctx;
}

/** Run the step: input, module, output; the step report and the task title say how it went. */
async function runStep(scope: RunScope, step: LoadedStep, index: number, task: Wrapper) {
  const started = Date.now();
  const stepReport: StepReport = { id: step.id, uses: step.uses, status: 'pending', duration_ms: 0, counts: {} };
  scope.report.steps.push(stepReport);
  const stepLog = scope.log.child({ step: step.id });
  scope.hooks.beforeStep?.({ step, report: stepReport, log: stepLog });
  const progress = makeProgress((p) => { if (scope.interactive) task.output = [countsText(p.counts), p.text].filter(Boolean).join(' — '); });
  let error: string | undefined;
  try {
    const input = resolveInput(scope, step, index, stepReport);
    // the step contract: a step never changes its input (validated.ts relies on it); checked on request
    const before = scope.checkInputs ? structuredClone(input) : undefined;
    const output = await step.module.run({ with: step.with as never, input: input as never, ctx: stepContext(scope, step, stepReport, stepLog, progress, task) });
    if (scope.checkInputs && !isDeepStrictEqual(before, input)) throw new Los2moError(`step "${step.id}" (${step.uses}) changed its input: a step must treat its input as read-only (LOS2MO_CHECK_INPUTS)`);
    if (scope.signal.aborted) throw scope.signal.reason;
    checkOutput(scope, step, output, stepReport);
    scope.outputs[step.id] = { outputs: output };
    scope.release(index);
    stepReport.status = 'done';
    stepReport.counts = { ...progress.counts };
    const summary = step.module.summarize?.(output as never) ?? countsText(progress.counts);
    stepReport.summary = summary;
    task.title = summary ? `${step.title}: ${summary}` : step.title;
  } catch (e) {
    // listr prints the message as it is: never a secret or a full CPR
    if (e instanceof Error) e.message = redact(e.message);
    error = e instanceof Error ? e.message : String(e);
    stepReport.status = 'failed';
    stepReport.counts = { ...progress.counts };
    throw e;
  } finally {
    progress.close();
    stepReport.duration_ms = Date.now() - started;
    stepReport.rss_kb = Math.round(process.memoryUsage.rss() / 1024);
    scope.hooks.afterStep?.({ step, report: stepReport, log: stepLog, error });
  }
}

/** The listr2 task of a step. */
export const stepTask = (scope: RunScope) => (step: LoadedStep, index: number) => ({
  title: step.title,
  skip: () => skipReason(scope, step),
  task: (_ctx: unknown, task: Wrapper) => runStep(scope, step, index, task),
});
