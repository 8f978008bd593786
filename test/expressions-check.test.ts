/**
 * One expression grammar (src/engine/expressions.ts) for the workflow check and the run (issue 18),
 * and misspelt names refused (issue 19): `run.` / `settings.` properties in expressions, `--set`
 * keys, `LOS_*` environment names and settings.json's `integrations.aarhus_los.*` keys (exit 2).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { cpSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { evaluate, interpolate, parse, referencedPaths } from '../src/engine/expressions.ts';
import { referenceProblem } from '../src/engine/workflow.ts';
import { resolveSettings } from '../src/settings.ts';
import { cli, sandbox, ROOT } from './helpers/cli.ts';

const ctx = { env: { A: 'x' }, settings: { source: 'examples/los' }, run: { dry_run: false, id: 'r1' }, steps: { f: { outputs: { files: ['a.csv', 'b.csv'], n: 2 } } } };

test('expressions: a[\'b\'] and a.b are the same path, in the check and the run; an index is a literal', () => {
  assert.is(evaluate("settings['source']", ctx), 'examples/los');
  assert.is(evaluate("steps['f'].outputs['files'][1]", ctx), 'b.csv');
  assert.equal(referencedPaths("steps['f'].outputs.files[0] || settings.source"), [['steps', 'f', 'outputs', 'files', '0'], ['settings', 'source']]);
  assert.equal(parse("a['b']"), parse('a.b'));
  assert.throws(() => parse('steps[settings.x]'), /an index must be a 'string' or a number literal/);
  assert.throws(() => parse('a.'), /expected a value/);
  assert.throws(() => parse('a.(b)'), /expected a property name after "\."/);
  // operators: ! binds tighter than ==, && tighter than ||, value-returning
  assert.is(evaluate("!run.dry_run == true && steps.f.outputs.n > 1 || 'no'", ctx), true);
  assert.is(evaluate("run.dry_run || 'fallback'", ctx), 'fallback');
  assert.is(interpolate('n=${{ steps.f.outputs.n }}', ctx), 'n=2');
});

test('expressions: only own properties; prototype members are undefined at run time and unknown at check time', () => {
  for (const name of ['toString', 'constructor', '__proto__', 'hasOwnProperty', 'valueOf']) {
    assert.is(evaluate(`settings.${name}`, ctx), undefined, `settings.${name}`);
    assert.is(evaluate(`settings['${name}']`, ctx), undefined, `settings['${name}']`);
    assert.is(evaluate(`!settings.${name}`, ctx), true, `!settings.${name} (an if: would not run)`);
    assert.throws(() => evaluate(`${name}.x`, ctx), /unknown name/, `${name} as a root`);
  }
  assert.is(evaluate('steps.f.outputs.files.map', ctx), undefined);
  assert.is(evaluate('steps.f.outputs.files.length', ctx), 2, 'an array\'s own length');
  const known = { steps: new Map(), settings: new Set(['source']), run: new Set(['dry_run', 'id']) };
  assert.match(referenceProblem(['settings', 'toString'], known)!, /unknown setting "toString" \(known: source\)/);
  assert.match(referenceProblem(['run', 'dryrun'], known)!, /run has no property "dryrun" \(it has: dry_run, id\)/);
  assert.match(referenceProblem(['run', 'constructor'], known)!, /run has no property "constructor"/);
  assert.match(referenceProblem(['settings', 'source', 'length'], known)!, /settings\.source is a text value; it has no property "length"/);
  assert.is(referenceProblem(['settings', 'source'], known), null);
  assert.is(referenceProblem(['env', 'ANYTHING'], known), null);
  assert.match(referenceProblem(['toString'], known)!, /unknown name "toString"/);
});

function workflow(dir: string, body: string) {
  const file = path.join(dir, 'wf.yaml');
  cpSync(path.join(ROOT, 'workflows/mappings'), path.join(dir, 'mappings'), { recursive: true });
  writeFileSync(file, `name: t\nsteps:\n  - id: fetch\n    uses: fetch\n    with: { source: "\${{ settings['source'] }}" }\n${body}`);
  return file;
}

test('the workflow check: a misspelt run. or settings. property, or a prototype name, is exit 2 with the line', () => {
  const box = sandbox('los2mo-expr-');
  try {
    const wf = workflow(box.dir, [
      '  - id: a', '    uses: parse-classes', '    if: ${{ !run.dryrun }}', '    with: { mapping: mappings/stam.yaml }', '    input: { files: "${{ steps.fetch.outputs.files }}" }',
      '  - id: b', '    uses: parse-classes', '    if: settings.toString', '    with: { mapping: mappings/stam.yaml }', '    input: { files: "${{ steps.fetch.outputs.toString }}" }', '',
    ].join('\n'));
    const r = cli(['workflow', wf, '--dry-run'], box.env());
    assert.is(r.code, 2, r.stdout + r.stderr);
    assert.match(r.stderr, /wf\.yaml:8: if: "run\.dryrun": run has no property "dryrun" \(it has: dry_run, id, import_from, started_at, state_dir\)/);
    assert.match(r.stderr, /wf\.yaml:13: if: "settings\.toString": unknown setting "toString" \(known: .*source.*\)/);
    assert.match(r.stderr, /wf\.yaml:15: input\.files: step "fetch" has no output "toString"/);

    // the same workflow spelt right runs; settings['source'] in with: is the source setting
    const ok = workflow(box.dir, ['  - id: a', '    uses: parse-classes', "    if: ${{ !run['dry_run'] || settings.source != '' }}", '    with: { mapping: mappings/stam.yaml }', '    input: { files: "${{ steps[\'fetch\'].outputs.files }}" }', ''].join('\n'));
    const good = cli(['workflow', ok, '--dry-run', '--report', path.join(box.dir, 'r.json')], box.env());
    assert.is(good.code, 0, good.stdout + good.stderr);
    assert.match(good.stdout, /classes/);
  } finally {
    box.cleanup();
  }
});

test('settings: unknown --set keys, LOS_* environment names and integrations.aarhus_los.* keys are exit 2 naming the known ones', () => {
  const box = sandbox('los2mo-names-');
  try {
    let r = cli(['workflow', 'import.yaml', '--dry-run', '--set', 'no_such_setting=1'], box.env());
    assert.is(r.code, 2, r.stdout + r.stderr);
    assert.match(r.stderr, /--set: unknown setting no_such_setting \(known: .*batch_size.*mass_change_limit.*\)/);
    r = cli(['config', '--set', 'bach_size=5'], box.env());
    assert.is(r.code, 2, r.stdout + r.stderr);
    assert.match(r.stderr, /unknown setting bach_size/);
    r = cli(['workflow', 'import.yaml', '--dry-run'], box.env({ LOS_SORUCE: '/tmp/x' }));
    assert.is(r.code, 2, r.stdout + r.stderr);
    assert.match(r.stderr, /unknown environment variable LOS_SORUCE \(known LOS_ names: .*LOS_SETTINGS_FILE.*LOS_SOURCE.*\)/);
    const settingsFile = path.join(box.dir, 'settings.json');
    writeFileSync(settingsFile, JSON.stringify({ integrations: { aarhus_los: { ftp_user: 'u', ftp_pasword: 'p' } }, 'integrations.aarhus_los.statefile': 'x', mora_base: '' }));
    r = cli(['workflow', 'import.yaml', '--dry-run', '--settings', settingsFile], box.env());
    assert.is(r.code, 2, r.stdout + r.stderr);
    assert.match(r.stderr, /unknown keys integrations\.aarhus_los\.ftp_pasword, integrations\.aarhus_los\.statefile \(known integrations\.aarhus_los\.\* keys: .*ftp_pass.*state_file.*\)/);
    assert.not.match(r.stderr, /\bp\b.*ftp_pasword|"p"/, 'the value is not printed');
    // known names pass: --set by name and by settings.json key, a workflow's own setting
    assert.is(resolveSettings({ env: {}, overrides: ['batch_size=5', 'integrations.aarhus_los.batch_size=6'] }).get('batch_size'), '6');
    assert.is(resolveSettings({ env: {}, overrides: ['my_setting=1'], workflowDefaults: { my_setting: '0' } }).get('my_setting'), '1');
    assert.throws(() => resolveSettings({ env: {}, overrides: ['my_setting=1'] }), /unknown setting my_setting/);
  } finally {
    box.cleanup();
  }
});

test('settings: the retired force setting (settings.json, MO_FORCE, --set) is a warning that it does nothing, not exit 2', () => {
  const box = sandbox('los2mo-retired-');
  try {
    const settingsFile = path.join(box.dir, 's.json');
    writeFileSync(settingsFile, JSON.stringify({ 'integrations.aarhus_los.force': true }));
    let r = cli(['config', '--settings', settingsFile], box.env());
    assert.is(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stderr, /warning: settings file .*s\.json: integrations\.aarhus_los\.force: the setting mo_force is retired and does nothing \(MO ignores \?force=1 on GraphQL/);
    assert.is(r.stderr.trim().split('\n').length, 1, 'one line');
    assert.not.match(r.stdout, /force/, 'it sets nothing');
    r = cli(['workflow', 'import.yaml', '--dry-run', '--settings', settingsFile], box.env({ MO_FORCE: '1' }));
    assert.is(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout + r.stderr, /integrations\.aarhus_los\.force, environment variable MO_FORCE: the setting mo_force is retired and does nothing/);
    assert.equal(resolveSettings({ env: {}, overrides: ['mo_force=true'] }).warnings.length, 1);
    assert.not.ok(resolveSettings({ env: {}, overrides: ['mo_force=true'] }).values.has('mo_force'));
    assert.equal(resolveSettings({ env: {} }).warnings, []);
    // nested form, as in the earlier importer's settings.json, and a misspelling next to it is still exit 2
    writeFileSync(settingsFile, JSON.stringify({ integrations: { aarhus_los: { force: false, forse: true } } }));
    r = cli(['config', '--settings', settingsFile], box.env());
    assert.is(r.code, 2, r.stdout + r.stderr);
    assert.match(r.stderr, /unknown key integrations\.aarhus_los\.forse \(/);
  } finally {
    box.cleanup();
  }
});

test.run();
