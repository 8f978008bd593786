/** The runner's memory of validated step outputs: what it lets a later input check skip, and when it stops. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { check } from '../src/engine/schema.ts';
import { ValidatedOutputs } from '../src/engine/validated.ts';
import { lastReaders } from '../src/engine/runner.ts';

const rows = { type: 'array', items: { type: 'object', required: ['uuid'], properties: { uuid: { type: 'string', format: 'uuid' } } } };
const producer = { type: 'object', required: ['rows'], properties: { rows, count: { type: 'integer' } } };
const consumer = { type: 'object', required: ['rows', 'n'], properties: { rows, n: { type: 'integer' } } };
const UUID = '5b98f44d-6356-2544-d13e-aae0cd1c5815';

test('an output that passed is trusted under the identical sub-schema only, until a step is given it', () => {
  const v = new ValidatedOutputs();
  const out = { rows: [{ uuid: UUID }], count: 1 };
  assert.equal(check(producer, out), []);
  v.record('units', producer, out);
  assert.ok(v.trusted(out.rows, rows));
  assert.ok(v.trusted(out, producer));
  assert.not.ok(v.trusted(out.rows, { ...rows }), 'another schema object, even if equal');
  v.expose({ input: { other: '${{ steps.classes.outputs.x }}' } });
  assert.ok(v.trusted(out.rows, rows), 'another step was exposed');
  v.expose({ input: { rows: '${{ steps.units.outputs.rows }}' } });
  assert.not.ok(v.trusted(out.rows, rows), 'given to a step: it may have changed');
});

test('any other use of steps in an expression trusts nothing any more', () => {
  const v = new ValidatedOutputs();
  const out = { rows: [{ uuid: UUID }] };
  v.record('units', producer, out);
  v.expose({ with: { all: '${{ steps }}' } });
  assert.not.ok(v.trusted(out.rows, rows));
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

test('lastReaders: the last step whose input or if reads an output; unnamed access keeps every output', () => {
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
  assert.is(lastReaders([...steps, { id: 'x', input: { f: "${{ steps['fetch'].outputs }}" } }]), null);
});

test.run();
