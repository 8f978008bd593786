/**
 * The engine and the application (issue 18): the runner imports nothing of ops/ or state/; lock,
 * journal, metrics and JSON records come in as hooks from the CLI, called in a fixed order. And
 * issue 20 item 6: a run with hundreds of thousands of input problems ends as exit 3 with every
 * problem counted and the first ones kept — no spread of an unbounded array.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { cli, sandbox, ROOT } from './helpers/cli.ts';
import { runWorkflow } from '../src/engine/runner.ts';
import type { RunHooks } from '../src/engine/hooks.ts';
import { ERRORS_KEPT } from '../src/engine/report.ts';

function writeSteps(dir: string, steps: Record<string, string>) {
  writeFileSync(path.join(dir, 'package.json'), '{ "type": "module" }\n');
  for (const [name, body] of Object.entries(steps)) {
    writeFileSync(path.join(dir, `${name}.ts`), `
      import { defineStep } from ${JSON.stringify(path.join(ROOT, 'src/engine/step.ts'))};
      import { InputError } from ${JSON.stringify(path.join(ROOT, 'src/errors.ts'))};
      export default defineStep({ name: '${name}', description: 'step ${name}', schemas: {
        with: { type: 'object', properties: {} },
        input: { type: 'object', properties: {} },
        output: { type: 'object', properties: { n: { type: 'integer' } } },
      } })({ async run({ ctx }) { ${body} } });`);
  }
}

test('engine modules import nothing from ops/ or state/ (the application comes in as hooks)', () => {
  const dir = path.join(ROOT, 'src/engine');
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.ts'))) {
    const imports = [...readFileSync(path.join(dir, file), 'utf8').matchAll(/^import[^;]*?from '([^']+)'/gms)].map((m) => m[1]!);
    if (file === 'runner.ts') assert.ok(imports.includes('listr2') && imports.includes('./step-task.ts'), 'the import pattern reads the runner\'s imports');
    for (const i of imports) assert.not.match(i, /^\.\.\/(ops|state|mo|plan|los|dar|source)\//, `${file} imports ${i}`);
  }
});

test('hooks: importFrom, beforeRun, beforeStep/afterStep per step, afterRun with the final report; without hooks no lock, journal or metrics', async () => {
  const box = sandbox('los2mo-hooks-');
  try {
    writeSteps(box.dir, { one: 'ctx.progress.set("things", 2); return { n: 1 };', two: 'return { n: 2 };' });
    const wf = path.join(box.dir, 'wf.yaml');
    writeFileSync(wf, 'name: t\nsteps:\n  - id: a\n    uses: ./one.ts\n  - id: b\n    uses: ./two.ts\n  - id: c\n    uses: ./two.ts\n    if: false\n');
    const calls: string[] = [];
    const hooks: RunHooks = {
      importFrom: () => { calls.push('importFrom'); return new Date('2024-01-01T00:00:00Z'); },
      beforeRun: ({ run, report }) => { calls.push(`beforeRun ${run.id === report.run_id} ${report.import_from}`); },
      beforeStep: ({ step, report }) => { calls.push(`beforeStep ${step.id} ${report.status}`); },
      afterStep: ({ step, report }) => { calls.push(`afterStep ${step.id} ${report.status} ${JSON.stringify(report.counts)}`); },
      afterRun: ({ report }) => { calls.push(`afterRun ${report.outcome} ${report.exit_code} ${report.finished_at !== ''}`); },
    };
    const env = { ...box.env(), CI: '1' };
    const r = await runWorkflow({ workflow: wf, env, hooks, renderer: 'silent', quiet: true });
    assert.is(r.exitCode, 0, r.report.failure);
    assert.equal(calls, [
      'importFrom', 'beforeRun true 2024-01-01T01:00:00.000+01:00',
      'beforeStep a pending', 'afterStep a done {"things":2}', 'beforeStep b pending', 'afterStep b done {}',
      'afterRun success 0 true',
    ]);
    // the engine alone: no lock, journal or metrics file in the state folder
    const stateDir = path.dirname(box.state);
    assert.equal(existsSync(stateDir) ? readdirSync(stateDir).filter((f) => f !== 'work') : [], []);

    // a hook that refuses the run (as the lock does): exit from its error, no step ran, afterRun still called
    calls.length = 0;
    const refused = await runWorkflow({ workflow: wf, env, renderer: 'silent', quiet: true, err: () => {}, hooks: { ...hooks, beforeRun: () => { throw Object.assign(new Error('locked'), { exitCode: 2 }); } } });
    assert.is(refused.exitCode, 2);
    assert.equal(calls, ['importFrom', 'afterRun failed 2 true']);
  } finally {
    box.cleanup();
  }
});

test('300,000 input problems: exit 3, every problem counted, the first kept, in the report, journal and summary', () => {
  const box = sandbox('los2mo-problems-');
  try {
    const N = 300_000;
    writeSteps(box.dir, { many: `throw new InputError(Array.from({ length: ${N} }, (_, i) => ({ file: 'Pers_nye.csv', line: i + 2, column: 2, field: 'CPR', message: 'not a CPR number' })));` });
    const wf = path.join(box.dir, 'wf.yaml');
    writeFileSync(wf, 'name: t\nsteps:\n  - id: a\n    uses: ./many.ts\n');
    const reportFile = path.join(box.dir, 'report.json');
    const r = cli(['workflow', wf, '--report', reportFile], box.env());
    assert.is(r.code, 3, r.stdout + r.stderr.slice(0, 3000));
    assert.match(r.stderr, /errors {4}300,000 \(nothing was written; the state was not advanced\)/);
    assert.match(r.stderr, /… 299,980 more in the report \(--report FILE\.json; it keeps the first 1,000\)/);
    const report = JSON.parse(readFileSync(reportFile, 'utf8'));
    assert.is(report.outcome, 'invalid-input');
    assert.is(report.errors_total, N);
    assert.is(report.errors.length, ERRORS_KEPT);
    assert.equal(report.errors[0], { file: 'Pers_nye.csv', line: 2, column: 2, field: 'CPR', message: 'not a CPR number' });
    const journal = readFileSync(path.join(path.dirname(box.state), 'journal.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    const end = journal.find((e) => e.type === 'end');
    assert.equal([end.outcome, end.exit_code, end.errors], ['invalid-input', 3, N]);
  } finally {
    box.cleanup();
  }
});

test.run();
