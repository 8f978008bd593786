/** The runner's memory of validated step outputs: what it lets a later input check skip, and when it stops. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { check } from '../src/engine/schema.ts';
import { ValidatedOutputs } from '../src/engine/validated.ts';
import { lastReaders } from '../src/engine/runner.ts';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { cli, sandbox, ROOT } from './helpers/cli.ts';

const rows = { type: 'array', items: { type: 'object', required: ['uuid'], properties: { uuid: { type: 'string', format: 'uuid' } } } };
const producer = { type: 'object', required: ['rows'], properties: { rows, count: { type: 'integer' } } };
const consumer = { type: 'object', required: ['rows', 'n'], properties: { rows, n: { type: 'integer' } } };
const UUID = '5b98f44d-6356-2544-d13e-aae0cd1c5815';

test('an output that passed is trusted under the same sub-schema (one object or equal JSON), not under another', () => {
  const v = new ValidatedOutputs();
  const out = { rows: [{ uuid: UUID }], count: 1 };
  assert.equal(check(producer, out), []);
  v.record(producer, out);
  assert.ok(v.trusted(out.rows, rows));
  assert.ok(v.trusted(out, producer));
  assert.ok(v.trusted(out.rows, { ...rows }), 'another schema object with the same JSON');
  assert.not.ok(v.trusted(out.rows, { ...rows, minItems: 1 }), 'a stricter schema');
  assert.not.ok(v.trusted([...out.rows], rows), 'a copy is not the validated value');
});

test('trust reaches nested properties: a validated value passed on inside another object is not walked again', () => {
  const v = new ValidatedOutputs();
  const out = { rows: [{ uuid: UUID }] };
  v.record(producer, out);
  const wrapper = { type: 'object', required: ['again'], properties: { again: { type: 'object', required: ['rows', 'n'], properties: { rows, n: { type: 'integer' } } } } };
  // a broken row behind a trusted reference is not seen (it was not broken when validated) …
  out.rows.push({ uuid: 'changed afterwards' });
  assert.equal(check(wrapper, { again: { rows: out.rows, n: 1 } }, v.trusted), []);
  // … but the rest of the nested object is checked, and without trust everything is
  assert.equal(check(wrapper, { again: { rows: out.rows, n: 'x' } }, v.trusted).map((p) => p.pointer), ['/again/n']);
  assert.equal(check(wrapper, { again: { rows: out.rows, n: 1 } }).map((p) => p.pointer), ['/again/rows/1/uuid']);
});

test('check skips trusted properties and still checks the rest', () => {
  const trustedRows = [{ uuid: 'not walked again' }];
  const trusted = (value: object) => value === trustedRows;
  assert.equal(check(consumer, { rows: trustedRows, n: 1 }, trusted), []);
  const problems = check(consumer, { rows: trustedRows, n: 'x' }, trusted);
  assert.equal(problems.map((p) => p.pointer), ['/n']);
  // without trust the same data is walked in full
  assert.equal(check(consumer, { rows: trustedRows, n: 1 }).map((p) => p.pointer), ['/rows/0/uuid']);
  // a required property is still required, trusted or not
  assert.equal(check(consumer, { n: 1 }, trusted).map((p) => p.message), ['missing required property "rows"']);
});

test('lastReaders: the last step whose input or if reads an output (an index names it too); the whole steps object keeps every output', () => {
  const steps = [
    { id: 'fetch', input: {} },
    { id: 'units', input: { files: '${{ steps.fetch.outputs.files }}' } },
    { id: 'merge', input: { rows: '${{ steps.units.outputs.rows }}', n: 'x ${{ steps.fetch.outputs.count }} y' } },
    { id: 'upload', input: { units: '${{ steps.merge.outputs }}' } },
    { id: 'report', input: {}, if: 'steps.units.outputs.count > 0 && !run.dry_run' },
    { id: 'commit', input: {}, if: '${{ !run.dry_run }}' },
  ];
  assert.equal(Object.fromEntries(lastReaders(steps)!), { fetch: 2, units: 4, merge: 3, upload: -1, report: -1, commit: -1 });
  assert.is(lastReaders([...steps, { id: 'x', input: { all: '${{ steps }}' } }]), null);
  // an index is a literal (expressions.ts): steps['fetch'] is a static path like steps.fetch
  assert.equal(lastReaders([...steps, { id: 'x', input: { f: "${{ steps['fetch'].outputs }}" } }])!.get('fetch'), 6);
  assert.is(lastReaders([...steps, { id: 'x', input: { f: '${{ steps.fetch }}' } }]), null);
});

test('LOS2MO_CHECK_INPUTS=1 (set for every CLI run of the tests) fails a step that changes its input', () => {
  const box = sandbox();
  try {
    const step = (name: string, body: string) => writeFileSync(path.join(box.dir, `${name}.ts`), `
      import { defineStep } from ${JSON.stringify(path.join(ROOT, 'src/engine/step.ts'))};
      const rows = { type: 'array', items: { type: 'object', properties: { n: { type: 'integer' } } } } as const;
      export default defineStep({ name: '${name}', description: '${name}', schemas: {
        with: { type: 'object', properties: {} },
        input: { type: 'object', properties: { rows } },
        output: { type: 'object', properties: { rows } },
      } })({ async run({ input }) { ${body} } });`);
    writeFileSync(path.join(box.dir, 'package.json'), '{ "type": "module" }\n');
    step('make', 'return { rows: [{ n: 1 }, { n: 2 }] };');
    step('mutate', 'const rows = (input.rows ?? []) as { n: number }[]; rows[1]!.n = 3; return { rows };');
    step('copy', 'return { rows: (input.rows ?? []).map((r) => ({ ...r, n: (r.n ?? 0) + 1 })) };');
    const workflow = (second: string) => {
      writeFileSync(path.join(box.dir, 'wf.yaml'), `name: t\nsteps:\n  - id: a\n    uses: ./make.ts\n  - id: b\n    uses: ./${second}.ts\n    input:\n      rows: \${{ steps.a.outputs.rows }}\n`);
      return path.join(box.dir, 'wf.yaml');
    };
    const bad = cli(['workflow', workflow('mutate')], box.env());
    assert.is(bad.code, 1, bad.stdout + bad.stderr);
    assert.match(bad.stdout + bad.stderr, /step "b" \(\.\/mutate\.ts\) changed its input/);
    const off = cli(['workflow', workflow('mutate')], box.env({ LOS2MO_CHECK_INPUTS: '0' }));
    assert.is(off.code, 0, 'without the check the run does not look');
    const good = cli(['workflow', workflow('copy')], box.env());
    assert.is(good.code, 0, good.stdout + good.stderr);
  } finally {
    box.cleanup();
  }
});

test.run();
