/** planObjects (pure): desired objects + MO's timelines → phases in writing order; phases build their groups on demand. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { groupByKind, planObjects, type Timelines } from '../src/plan/objects.ts';
import { planObject } from '../src/plan/operations.ts';
import { firstChanges, listPhase } from '../src/plan/phase.ts';
import { planTimeline, type TimedFields, type TimelineOp } from '../src/plan/timeline.ts';
import type { Kind } from '../src/mo/kinds.ts';
import type { DesiredObject } from '../schemas/desired.schema.ts';

const u = (n: number) => `00000000-0000-0000-0000-${String(n).padStart(12, '0')}`;
const src = (line: number) => ({ file: 'Org_inital.csv', line });

const unit = (n: number, parent: number | null, periods: [string, string | null, string][] = [['2020-01-01', null, `U${n}`]], windowFrom: string | null = null): DesiredObject => ({
  kind: 'org_unit', uuid: u(n), window: { from: windowFrom },
  periods: periods.map(([from, to, name], i) => ({ from, to, fields: { user_key: `K${n}`, name, parent: parent === null ? null : u(parent), org_unit_type: u(900), org_unit_hierarchy: null }, source: src(n * 10 + i) })),
});
const engagement = (n: number, unitN: number, to: string | null = null): DesiredObject => ({
  kind: 'engagement', uuid: u(500 + n), owner: { person: u(700 + n) }, window: { from: null },
  periods: [{ from: '2021-01-01', to, fields: { user_key: `E${n}`, person: u(700 + n), org_unit: u(unitN), engagement_type: u(901), job_function: u(902), primary: u(903) }, source: { file: 'Pers_nye.csv', line: n + 1 } }],
});
const asMo = (o: DesiredObject): TimedFields[] => o.periods.map((p) => ({ from: p.from, to: p.to, fields: { ...p.fields } }));
const timelinesOf = (objects: DesiredObject[]): Timelines => {
  const out: Timelines = new Map();
  for (const o of objects) {
    const kind = o.kind as Kind;
    if (!out.has(kind)) out.set(kind, new Map());
    out.get(kind)!.set(o.uuid, asMo(o));
  }
  return out;
};
const groupsOf = (phase: { length: number; make(from: number, to: number): unknown[] }) => phase.make(0, phase.length);

test('an empty MO: every object is created, org units parents first by level, then the other kinds by rank', () => {
  const objects = [unit(3, 2), unit(1, null), unit(2, 1), engagement(1, 3), unit(4, 1, [['2020-01-01', '2022-01-01', 'A'], ['2022-01-01', null, 'B']])];
  const { phases } = planObjects(groupByKind([objects]), new Map());
  assert.equal(phases.map((p) => [p.label, p.length, p.changes]), [
    ['org units (level 1)', 1, 1], ['org units (level 2)', 2, 3], ['org units (level 3)', 1, 1], ['engagements', 1, 1],
  ]);
  // a phase's groups, built when written, are what planObject builds for each object (in delivery order within a level)
  assert.equal(groupsOf(phases[1]!), [planObject(objects[2]!, null)!.forward!.group, planObject(objects[4]!, null)!.forward!.group]);
  assert.equal(phases[1]!.changesOf(1), planObject(objects[4]!, null)!.forward!.changes);
  assert.equal(phases[1]!.sizes, [1, 2]);
  assert.equal(groupsOf(phases[1]!).map((g) => (g as { mutations: { name: string }[] }).mutations.map((m) => m.name)), [['org_unit_create'], ['org_unit_create', 'org_unit_update']]);
  // the report's first changes, in writing order
  const all = phases.flatMap((p) => Array.from({ length: p.length }, (_, i) => p.changesOf(i)).flat());
  assert.is(all.length, 6);
  assert.equal(firstChanges(phases, 4), all.slice(0, 4));
  assert.equal(firstChanges(phases, 100), all);
});

test('MO already equal: nothing; changed and ended objects: forward phases, then endings (roles first, children before parents)', () => {
  const now = [unit(1, null), unit(2, 1), unit(3, 2), engagement(1, 3), engagement(2, 3)];
  assert.equal(planObjects(groupByKind([now]), timelinesOf(now)).phases, []);

  const mo = timelinesOf(now);
  const next = [
    unit(1, null, [['2020-01-01', null, 'Renamed']]),
    unit(2, 1, [['2020-01-01', '2024-06-01', 'U2']]),
    unit(3, 2, [['2020-01-01', '2024-06-01', 'U3']]),
    engagement(1, 3, '2024-06-01'),
    engagement(2, 3),
  ];
  const { phases } = planObjects(groupByKind([next]), mo);
  assert.equal(phases.map((p) => [p.label, p.length]), [['org units (level 1)', 1], ['ending engagements', 1], ['ending org units (level 3)', 1], ['ending org units (level 2)', 1]]);
  assert.equal(groupsOf(phases[0]!), [planObject(next[0]!, mo.get('org_unit')!.get(u(1))!)!.forward!.group]);
  assert.equal(groupsOf(phases[1]!), [{ ref: { kind: 'engagement', uuid: u(501), user_key: 'E1', file: 'Pers_nye.csv', line: 2 }, mutations: [{ name: 'engagement_terminate', input: { uuid: u(501), to: '2024-06-01' } }] }]);
});

test('Med-i-LinjeOrg true in MO, false in the delivery (inside its window): a warning naming the row; MO cannot clear it', () => {
  const warnings: string[] = [];
  const inMo = (hierarchy: string | null, from = '2020-01-01') => new Map([['org_unit' as Kind, new Map([[u(1), [{ from, to: null, fields: { user_key: 'K1', name: 'U1', parent: null, org_unit_type: u(900), org_unit_hierarchy: hierarchy } }]]])]]);
  planObjects(groupByKind([[unit(1, null)]]), inMo(u(950)), { warn: (m) => warnings.push(m) });
  assert.equal(warnings, [`Org_inital.csv:10: org unit ${u(1)}: Med-i-LinjeOrg is false, but MO has the unit in the line organisation (org_unit_hierarchy); MO cannot clear that field through its API, so it is left as it is: remove it in MO if the unit has left the line organisation`]);
  warnings.length = 0;
  planObjects(groupByKind([[unit(1, null)]]), inMo(null), { warn: (m) => warnings.push(m) });
  planObjects(groupByKind([[unit(1, null)]]), new Map(), { warn: (m) => warnings.push(m) });
  assert.equal(warnings, [], 'MO agrees, or MO lacks the unit');
  // MO's line organisation lies before the window the delivery speaks for: not the delivery's business
  const mo = new Map([['org_unit' as Kind, new Map([[u(1), [{ from: '2020-01-01', to: '2023-01-01', fields: { user_key: 'K1', name: 'U1', parent: null, org_unit_type: u(900), org_unit_hierarchy: u(950) } }, { from: '2023-01-01', to: null, fields: { user_key: 'K1', name: 'U1', parent: null, org_unit_type: u(900), org_unit_hierarchy: null } }]]])]]);
  planObjects(groupByKind([[unit(1, null, [['2024-01-01', null, 'U1']], '2024-01-01')]]), mo, { warn: (m) => warnings.push(m) });
  assert.equal(warnings, []);
});

test('fallback periods when MO lacks the object; luk rows that end nothing are warned about', () => {
  const object = { ...engagement(1, 3), window: { from: '2024-07-01' } };
  const fallback = { kind: 'engagement', uuid: object.uuid, window: { from: null }, periods: [{ ...object.periods[0]!, from: '2019-01-01' }] };
  const warnings: string[] = [];
  const { phases } = planObjects(groupByKind([[object]]), new Map(), {
    fallbacks: [fallback],
    ends: [{ kind: 'engagement', uuid: u(999), last_day: '2024-01-01', source: { file: 'Pers_luk.csv', line: 2 } }, { kind: 'engagement', uuid: object.uuid, last_day: '2024-01-01', source: { file: 'Pers_luk.csv', line: 3 } }],
    warn: (m) => warnings.push(m),
  });
  const groups = groupsOf(phases[0]!) as { mutations: { input: { validity?: { from: string } } }[] }[];
  assert.is(groups[0]!.mutations[0]!.input.validity!.from, '2019-01-01');
  assert.equal(warnings, [`Pers_luk.csv:2: engagement ${u(999)} does not exist in MO or has already ended by 2024-01-01; nothing to end`]);
});

test('a list phase (facets, classes, IT systems) gives its groups and one change per mutation', () => {
  const group = (n: number) => ({ ref: { kind: 'class', uuid: u(n) }, mutations: [{ name: 'class_create', input: { uuid: u(n) } }] });
  const change = (n: number) => ({ kind: 'class', uuid: u(n), operation: 'create' });
  const phase = listPhase('classes', { groups: [group(1), group(2), group(3)], changes: [change(1), change(2), change(3)] });
  assert.equal([phase.length, phase.changes, phase.names], [3, 3, ['class_create']]);
  assert.equal(phase.make(1, 3), [group(2), group(3)]);
  assert.equal(phase.changesOf(2), [change(3)]);
});

// ---------------------------------------------------------------- planTimeline against the plain algorithm

/** The planner without its shortcuts (as it was written first): every segment between every boundary. */
function reference(desired: TimedFields[], windowFrom: string | null, actual: TimedFields[] | null, nullable: ReadonlySet<string>): TimelineOp[] {
  const MIN = '0000-01-01', MAX = '9999-99-99';
  const lo = (d: string | null) => d ?? MIN, hi = (d: string | null) => d ?? MAX;
  if (!actual || actual.length === 0) {
    if (desired.length === 0) return [];
    const [first, ...rest] = desired;
    return [{ op: 'create', validity: { from: first!.from, to: first!.to }, fields: first!.fields }, ...rest.map((p): TimelineOp => ({ op: 'update', validity: { from: p.from, to: p.to }, fields: p.fields, changed: Object.keys(p.fields) }))];
  }
  const clip = (ps: TimedFields[]) => (windowFrom === null ? ps : ps.filter((p) => hi(p.to) > windowFrom).map((p) => (lo(p.from) < windowFrom ? { ...p, from: windowFrom } : p)));
  const want = clip(desired), have = clip(actual);
  const changedFields = (d: Record<string, string | null>, a: Record<string, string | null>) => Object.entries(d).filter(([k, v]) => !(v === null && !nullable.has(k)) && (a[k] ?? null) !== v).map(([k]) => k);
  const at = (ps: TimedFields[], day: string) => ps.find((p) => lo(p.from) <= day && day < hi(p.to));
  const points = [...new Set([...(windowFrom ? [windowFrom] : []), ...[...want, ...have].flatMap((p) => [lo(p.from), hi(p.to)])])].sort();
  type Seg = { from: string; to: string; action: string; fields?: Record<string, string | null>; changed?: string[] };
  const segs: Seg[] = [];
  for (let i = 0; i + 1 < points.length; i++) {
    const from = points[i]!, to = points[i + 1]!, d = at(want, from), a = at(have, from);
    if (!d && !a) continue;
    if (d && a) {
      const changed = changedFields(d.fields, a.fields);
      segs.push(changed.length ? { from, to, action: 'set', fields: d.fields, changed } : { from, to, action: 'keep', fields: d.fields });
    } else if (d) segs.push({ from, to, action: 'set', fields: d.fields, changed: Object.keys(d.fields).filter((k) => d.fields[k] !== null || nullable.has(k)) });
    else segs.push({ from, to, action: 'clear' });
  }
  const runs: Seg[] = [];
  const json = (f: unknown) => JSON.stringify(f);
  for (const s of segs) {
    const last = runs[runs.length - 1], before = runs[runs.length - 2];
    if (last && last.to === s.from && last.action === s.action && s.action !== 'keep' && (s.action === 'clear' || json(last.fields) === json(s.fields))) {
      last.to = s.to;
      last.changed = [...new Set([...(last.changed ?? []), ...(s.changed ?? [])])];
    } else if (s.action === 'set' && last?.action === 'keep' && before?.action === 'set' && before.to === last.from && last.to === s.from && json(before.fields) === json(last.fields) && json(last.fields) === json(s.fields)) {
      before.to = s.to; // set X | keep X | set X → one update
      before.changed = [...new Set([...(before.changed ?? []), ...(s.changed ?? [])])];
      runs.pop();
    } else runs.push({ ...s });
  }
  const day = (d: string) => (d === MIN || d === MAX ? null : d);
  const ops: TimelineOp[] = [];
  for (const r of runs) {
    if (r.action === 'set') ops.push({ op: 'update', validity: { from: day(r.from), to: day(r.to) }, fields: r.fields!, changed: r.changed ?? [] });
    else if (r.action === 'clear') {
      if (r.to === MAX) ops.push({ op: 'terminate', validity: { from: null, to: day(r.from) } });
      else if (r.from !== MIN) ops.push({ op: 'terminate', validity: { from: day(r.from), to: day(r.to) } });
    }
  }
  return ops;
}

test('planTimeline equals the plain algorithm on 20,000 random timelines (equal, shifted, changed, clipped, null fields)', () => {
  let seed = 42;
  // mulberry32: a small, well-mixed deterministic generator
  const rnd = (n: number) => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) % n;
  };
  const days = ['2019-01-01', '2020-01-01', '2020-06-01', '2021-01-01', '2022-01-01', '2023-01-01'];
  const timeline = (): TimedFields[] => {
    const cuts = [...new Set(Array.from({ length: 1 + rnd(4) }, () => days[rnd(days.length)]!))].sort();
    const out: TimedFields[] = [];
    for (let i = 0; i < cuts.length; i++) {
      if (rnd(5) === 0) continue; // a gap
      const to = i + 1 < cuts.length ? cuts[i + 1]! : rnd(3) === 0 ? days[days.length - 1]! : null;
      if (to !== null && to <= cuts[i]!) continue;
      out.push({ from: rnd(8) === 0 && i === 0 ? null : cuts[i]!, to, fields: { name: ['A', 'B'][rnd(2)]!, parent: rnd(3) === 0 ? null : 'P', extra: rnd(4) === 0 ? null : 'x' } });
    }
    return out;
  };
  const nullable = new Set(['parent']);
  for (let i = 0; i < 20000; i++) {
    const desired = timeline();
    const kind = rnd(4);
    const actual = kind === 0 ? null : kind === 1 ? desired.map((p) => ({ ...p, fields: { ...p.fields } })) : timeline();
    const windowFrom = rnd(2) ? null : days[rnd(days.length)]!;
    assert.equal(planTimeline(desired, windowFrom, actual, { nullable }), reference(desired, windowFrom, actual, nullable), JSON.stringify({ desired, windowFrom, actual }));
  }
});

test.run();
