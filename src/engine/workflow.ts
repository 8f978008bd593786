/**
 * Loading a workflow: YAML checked against schemas/workflow.schema, every `uses:` resolved to a
 * step module, every expression parsed and its references checked, every `with:` checked against
 * the step's own schema — all before anything runs. Problems name the file, line and rule.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL, fileURLToPath } from 'node:url';
import { ConfigError } from '../errors.ts';
import { workflowSchema, type Workflow, type WorkflowStep } from '../../schemas/workflow.schema.ts';
import { readYaml, schemaMessages, type YamlFile } from './yaml-file.ts';
import { check, preview } from './schema.ts';
import { expressionsIn, parse, pathsOf, resolveDeep, stringsIn } from './expressions.ts';
import type { StepModule } from './step.ts';
import type { Settings } from '../settings.ts';

export const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const STEPS_DIR = path.join(PROJECT_ROOT, 'steps');
export const WORKFLOWS_DIR = path.join(PROJECT_ROOT, 'workflows');

/** `import.yaml` → workflows/import.yaml; a path with a slash is taken as it is. */
export function resolveWorkflowPath(name: string): string {
  if (name.includes('/') || name.includes(path.sep) || existsSync(name) && !existsSync(path.join(WORKFLOWS_DIR, name))) return path.resolve(name);
  const candidates = [name, `${name}.yaml`, `${name}.yml`].map((n) => path.join(WORKFLOWS_DIR, n));
  return candidates.find((c) => existsSync(c)) ?? candidates[0]!;
}

export interface LoadedStep {
  id: string;
  title: string;
  uses: string;
  module: StepModule;
  /** Options after expression resolution, checked. */
  with: Record<string, unknown>;
  /** Raw input spec, resolved when the step starts. */
  input: Record<string, unknown>;
  if?: string | boolean;
  line: number;
}

export interface LoadedWorkflow {
  file: string;
  dir: string;
  name: string;
  yaml: YamlFile<Workflow>;
  settingsDefaults: Record<string, string>;
  steps: LoadedStep[];
}

const moduleCache = new Map<string, StepModule>();

export async function loadStepModule(uses: string, workflowDir: string): Promise<StepModule | null> {
  const file = uses.startsWith('.') || uses.startsWith('/') ? path.resolve(workflowDir, uses) : path.join(STEPS_DIR, `${uses}.ts`);
  if (!/^[\w./-]+$/.test(uses) || !existsSync(file)) return null;
  let mod = moduleCache.get(file);
  if (!mod) {
    mod = ((await import(pathToFileURL(file).href)) as { default: StepModule }).default;
    if (!mod || typeof mod.run !== 'function' || !mod.schemas) throw new ConfigError(`${file} does not default-export a step (defineStep)`);
    moduleCache.set(file, mod);
  }
  return mod;
}

/** Phase 1: read and check the YAML structure; returns the settings defaults (with env expressions resolved). */
export function readWorkflow(file: string, env: NodeJS.ProcessEnv = process.env): { yaml: YamlFile<Workflow>; settingsDefaults: Record<string, string> } {
  if (!existsSync(file)) throw new ConfigError(`workflow ${file} not found (a name without a path is looked up in ${path.relative(process.cwd(), WORKFLOWS_DIR) || 'workflows'}/)`);
  const yaml = readYaml<Workflow>(file);
  const problems = schemaMessages(yaml, workflowSchema);
  if (problems.length) throw new ConfigError(`invalid workflow ${file}:\n  ${problems.join('\n  ')}`);
  const settingsDefaults: Record<string, string> = {};
  for (const [k, v] of Object.entries(yaml.data.settings ?? {})) {
    try {
      settingsDefaults[k] = String(resolveDeep(String(v), { env: { ...env } }) ?? '');
    } catch (e) {
      throw new ConfigError(`${file}:${yaml.lineOf(['settings', k])}: settings.${k}: ${(e as Error).message}`);
    }
  }
  return { yaml, settingsDefaults };
}

/** Phase 2: resolve step modules and check every step against its schemas. */
export async function checkWorkflow(
  file: string,
  yaml: YamlFile<Workflow>,
  settingsDefaults: Record<string, string>,
  settings: Settings,
  staticContext: Record<string, unknown>,
): Promise<LoadedWorkflow> {
  const dir = path.dirname(file);
  const problems: string[] = [];
  const seen = new Map<string, StepModule | null>();
  const steps: LoadedStep[] = [];
  const knownSettings = new Set([...settings.names(), ...Object.keys(settingsDefaults)]);
  const knownRun = new Set(Object.keys((staticContext.run as object | undefined) ?? {}));

  for (const [index, step] of (yaml.data.steps as WorkflowStep[]).entries()) {
    const at = (...p: (string | number)[]) => `${file}:${yaml.lineOf(['steps', index, ...p])}`;
    if (seen.has(step.id)) problems.push(`${at('id')}: steps[${index}].id: duplicate step id "${step.id}"`);
    const module = await loadStepModule(step.uses, dir);
    if (!module) problems.push(`${at('uses')}: steps[${index}].uses: unknown step "${step.uses}" (known: ${await knownSteps()})`);

    // every expression must parse and refer to known things
    const checkExpressions = (value: unknown, base: string, allowSteps: boolean) => {
      for (const [text, p] of stringsIn(value, [base])) {
        for (const expr of expressionsIn(text)) {
          let paths: string[][];
          try {
            paths = pathsOf(parse(expr));
          } catch (e) {
            problems.push(`${at(...p)}: ${p.join('.')}: ${(e as Error).message}`);
            continue;
          }
          for (const ref of paths) {
            const problem = allowSteps || ref[0] !== 'steps'
              ? referenceProblem(ref, { steps: seen, settings: knownSettings, run: knownRun })
              : 'step outputs cannot be used in "with" (it is checked before the run); use "input"';
            if (problem) problems.push(`${at(...p)}: ${p.join('.')}: ${problem}`);
          }
        }
      }
    };
    checkExpressions(step.with ?? {}, 'with', false);
    checkExpressions(step.input ?? {}, 'input', true);
    if (typeof step.if === 'string') checkExpressions(step.if.includes('${{') ? step.if : `\${{ ${step.if} }}`, 'if', true);

    let resolvedWith: Record<string, unknown> = {};
    if (module) {
      try {
        resolvedWith = resolveDeep(step.with ?? {}, staticContext) as Record<string, unknown>;
      } catch (e) {
        problems.push(`${at('with')}: with: ${(e as Error).message}`);
      }
      const invalid = check(module.schemas.with as object, resolvedWith);
      for (const v of invalid) {
        const p = ['with', ...v.path];
        problems.push(`${at(...p)}: step "${step.id}" (${step.uses}): ${p.join('.')}: ${v.message}${v.value === undefined ? '' : ` (got ${preview(v.value)})`}`);
      }
      // the step's own checks (its mapping file): before anything runs, like the workflow itself
      if (!invalid.length && module.check) problems.push(...module.check(resolvedWith as never, dir));
    }
    seen.set(step.id, module);
    if (module) steps.push({ id: step.id, title: step.name ?? module.description ?? step.id, uses: step.uses, module, with: resolvedWith, input: (step.input ?? {}) as Record<string, unknown>, if: step.if, line: yaml.lineOf(['steps', index]) });
  }
  if (problems.length) throw new ConfigError(`invalid workflow ${file}:\n  ${problems.join('\n  ')}`);
  return { file, dir, name: yaml.data.name, yaml, settingsDefaults, steps };
}

const list = (names: Iterable<string>) => [...names].sort().join(', ') || 'nothing';

/**
 * What is wrong with a path an expression reads, or null: the roots env, settings, run and steps;
 * `settings.<name>` a known setting, `run.<name>` a property of the run, `steps.<id>.outputs.<name>`
 * an output the step's schema declares, of a step that runs before. Own names only: `toString`,
 * `constructor` and the like are unknown everywhere.
 */
export function referenceProblem(ref: string[], known: { steps: Map<string, StepModule | null>; settings: Set<string>; run: Set<string> }): string | null {
  const [root, name, ...rest] = ref;
  const whole = ref.join('.');
  switch (root) {
    case 'env':
    case 'settings':
    case 'run': {
      if (name === undefined) return null;
      if (root === 'settings' && !known.settings.has(name)) return `"${whole}": unknown setting "${name}" (known: ${list(known.settings)})`;
      if (root === 'run' && !known.run.has(name)) return `"${whole}": run has no property "${name}" (it has: ${list(known.run)})`;
      if (rest.length) return `"${whole}": ${root}.${name} is a text value; it has no property "${rest[0]}"`;
      return null;
    }
    case 'steps': {
      const [outputs, output] = rest;
      if (name === undefined || !known.steps.has(name)) return `"${whole}" refers to step "${name}", which does not run before this step`;
      if (outputs !== 'outputs') return `write steps.${name}.outputs or steps.${name}.outputs.<name>`;
      if (output === undefined) return null;
      const props = ((known.steps.get(name)?.schemas.output as { properties?: Record<string, unknown> })?.properties) ?? {};
      return Object.hasOwn(props, output) ? null : `step "${name}" has no output "${output}" (it gives: ${Object.keys(props).join(', ') || 'nothing'})`;
    }
    default:
      return `unknown name "${root}" (use env, settings, run or steps)`;
  }
}

export async function knownSteps(): Promise<string> {
  const { readdirSync } = await import('node:fs');
  return readdirSync(STEPS_DIR).filter((f) => f.endsWith('.ts')).map((f) => f.slice(0, -3)).sort().join(', ');
}
