/** The pure timeline planner: desired vs MO periods → fewest operations. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { planTimeline, type TimedFields } from '../src/plan/timeline.ts';
import { planObject } from '../src/plan/operations.ts';

const p = (from: string | null, to: string | null, name: string, extra: Record<string, string | null> = {}): TimedFields => ({ from, to, fields: { name, ...extra } });

test('absent in MO: create the first period, update from each later one', () => {
  const ops = planTimeline([p('2020-01-01', '2021-01-01', 'A'), p('2021-01-01', null, 'B')], null, null);
  assert.equal(ops.map((o) => [o.op, o.validity.from, o.validity.to]), [['create', '2020-01-01', '2021-01-01'], ['update', '2021-01-01', null]]);
});

test('identical timelines produce nothing', () => {
  const t = [p('2020-01-01', '2021-01-01', 'A'), p('2021-01-01', null, 'B')];
  assert.equal(planTimeline(t, null, t), []);
});

test('a rename from a date is one update with only that window', () => {
  const ops = planTimeline([p('2020-01-01', '2024-07-01', 'A'), p('2024-07-01', null, 'B')], null, [p('2020-01-01', null, 'A')]);
  assert.equal(ops, [{ op: 'update', validity: { from: '2024-07-01', to: null }, fields: { name: 'B' }, changed: ['name'] }]);
});

test('a window leaves the history before it alone', () => {
  const actual = [p('2010-01-01', '2015-01-01', 'Old'), p('2015-01-01', null, 'A')];
  assert.equal(planTimeline([p('2024-07-01', null, 'A')], '2024-07-01', actual), []);
  const ops = planTimeline([p('2024-07-01', null, 'B')], '2024-07-01', actual);
  assert.equal(ops.map((o) => [o.op, o.validity.from, o.validity.to]), [['update', '2024-07-01', null]]);
});

test('an empty window ends the object from its start; a finite end terminates after it', () => {
  assert.equal(planTimeline([], '2024-07-01', [p('2020-01-01', null, 'A')]), [{ op: 'terminate', validity: { from: null, to: '2024-07-01' } }]);
  assert.equal(planTimeline([p('2020-01-01', '2024-08-01', 'A')], null, [p('2020-01-01', null, 'A')]), [{ op: 'terminate', validity: { from: null, to: '2024-08-01' } }]);
});

test('MO alternating B|A|B against a desired A: one update over the whole span, not two', () => {
  const actual = [p('2020-01-01', '2021-01-01', 'B'), p('2021-01-01', '2022-01-01', 'A'), p('2022-01-01', null, 'B')];
  assert.equal(planTimeline([p('2020-01-01', null, 'A')], null, actual), [{ op: 'update', validity: { from: '2020-01-01', to: null }, fields: { name: 'A' }, changed: ['name'] }]);
  // B|A|B|A|B: still one
  const five = [p('2020-01-01', '2021-01-01', 'B'), p('2021-01-01', '2022-01-01', 'A'), p('2022-01-01', '2023-01-01', 'B'), p('2023-01-01', '2024-01-01', 'A'), p('2024-01-01', null, 'B')];
  assert.equal(planTimeline([p('2020-01-01', null, 'A')], null, five).map((o) => [o.op, o.validity.from, o.validity.to]), [['update', '2020-01-01', null]]);
  // the kept middle wants other fields than its neighbours: nothing to join, two updates
  const desired = [p('2020-01-01', '2021-01-01', 'A'), p('2021-01-01', '2022-01-01', 'C'), p('2022-01-01', null, 'A')];
  const mo = [p('2020-01-01', '2021-01-01', 'B'), p('2021-01-01', '2022-01-01', 'C'), p('2022-01-01', null, 'B')];
  assert.equal(planTimeline(desired, null, mo).map((o) => [o.op, o.validity.from, o.validity.to]), [['update', '2020-01-01', '2021-01-01'], ['update', '2022-01-01', null]]);
});

test('a gap in the desired timeline is cut out of MO with from and to', () => {
  const ops = planTimeline([p('2020-01-01', '2021-01-01', 'A'), p('2022-01-01', null, 'A')], null, [p('2020-01-01', null, 'A')]);
  assert.equal(ops, [{ op: 'terminate', validity: { from: '2021-01-01', to: '2022-01-01' } }]);
});

test('an already ended object that should be valid again is reopened by an update', () => {
  const ops = planTimeline([p('2020-01-01', null, 'A')], null, [p('2020-01-01', '2023-01-01', 'A')]);
  assert.equal(ops.map((o) => [o.op, o.validity.from, o.validity.to]), [['update', '2023-01-01', null]]);
});

test('null means "no opinion" unless the field is nullable', () => {
  assert.equal(planTimeline([p('2020-01-01', null, 'A', { org_unit_type: null })], null, [p('2020-01-01', null, 'A', { org_unit_type: 'x' })]), []);
  const ops = planTimeline([p('2020-01-01', null, 'A', { parent: null })], null, [p('2020-01-01', null, 'A', { parent: 'x' })], { nullable: new Set(['parent']) });
  assert.equal(ops.map((o) => o.op), ['update']);
});

test('neighbouring changed segments with the same values become one update', () => {
  const actual = [p('2020-01-01', '2021-01-01', 'X'), p('2021-01-01', null, 'Y')];
  const ops = planTimeline([p('2020-01-01', null, 'Z')], null, actual);
  assert.equal(ops.length, 1);
  assert.equal(ops[0]!.validity, { from: '2020-01-01', to: null });
});

test('a past without a start in MO is never "ended before X" by a terminate that would end the future', () => {
  const ops = planTimeline([p('1980-01-01', null, 'A')], null, [p(null, '2020-01-01', 'A'), p('2020-01-01', null, 'A')]);
  assert.equal(ops, []);
});

test('an object that changes and ends in one run: the update goes forward, the termination to the ending phase', () => {
  const src = { file: 'Org_ret.csv', line: 2 };
  const plan = planObject(
    { kind: 'org_unit', uuid: '11111111-1111-1111-1111-111111111111', window: { from: '2024-07-01' }, periods: [{ from: '2024-07-01', to: '2024-09-01', fields: { name: 'B', user_key: 'U' }, source: src }] },
    [{ from: '2020-01-01', to: null, fields: { name: 'A', user_key: 'U' } }],
  )!;
  assert.equal(plan.forward!.group.mutations.map((m) => m.name), ['org_unit_update']);
  assert.equal(plan.ending!.group.mutations.map((m) => [m.name, m.input.to]), [['org_unit_terminate', '2024-09-01']]);
  assert.equal(plan.ending!.changes.map((c) => c.operation), ['terminate']);
});

test('employees are never terminated', () => {
  const src = { file: 'Pers_nye.csv', line: 2 };
  const plan = planObject({ kind: 'employee', uuid: '22222222-2222-2222-2222-222222222222', window: { from: null }, periods: [{ from: '1980-01-01', to: '2030-01-01', fields: { given_name: 'A', surname: 'B' }, source: src }] }, [{ from: '1980-01-01', to: null, fields: { given_name: 'A', surname: 'B' } }]);
  assert.is(plan, null);
});

test.run();
