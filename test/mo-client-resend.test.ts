/**
 * Issue 16 point 8 for batches WITHOUT creates: an answer lost after MO committed a batch of only
 * updates and terminations (the emulator's `loseWrites` fault: exactly the Nth write request's
 * answer is dropped after commit). Sending such a batch again is not harmless in MO:
 * - `org_unit_terminate` validates that the unit is active at the date (v29: `to`), and after the
 *   first terminate it is not: `V_DATE_OUTSIDE_ORG_UNIT_RANGE` (`mora/graphapi/org_unit.py`
 *   `terminate_org_unit_validation` → `mora/service/validation/validator.py`
 *   `is_date_range_in_org_unit_range` over `[to, to + 1 µs]`);
 * - an org function's terminate (engagement, address, IT user, manager) is taken again: the
 *   handler only loads the object at the date and raises E_NOT_FOUND when LoRa has none
 *   (`mora/service/handlers.py` `OrgFunkRequestHandler.prepare_terminate`), and ends it again;
 * - updates write the same values over the same window again.
 * So after an ambiguous failure the client reads the objects' timelines back and sends nothing
 * when the batch is in effect (src/mo/reconcile.ts); when it is not (HTTP 502 before MO executed),
 * the whole batch is sent again.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { MoClient, type MoEvent, type MutationGroup } from '../src/mo/client.ts';
import { readTimelines } from '../src/mo/read.ts';
import { KINDS, type Kind } from '../src/mo/kinds.ts';
import { inEffect } from '../src/mo/reconcile.ts';
import { mutationsFor } from '../src/plan/operations.ts';
import { createOps, planTimeline, type TimedFields } from '../src/plan/timeline.ts';
import type { Fields } from '../src/mo/validity.ts';
import { Rng } from '../examples/lib/random.ts';
import { seedBasics, startTestMo, type Basics, type GqlResult, type TestMo } from './helpers/mo.ts';

function client(mo: TestMo, events: MoEvent[], onEvent?: (e: MoEvent) => void): MoClient {
  const emu = mo.emu;
  return new MoClient({
    url: emu.url, authServer: emu.authServer, realm: emu.realm, clientId: emu.clientId, clientSecret: emu.clientSecret,
    retryDelayMs: 1, timeoutMs: 5000, batchSize: 20, concurrency: 1, onEvent: (e) => { events.push(e); onEvent?.(e); },
  });
}

const keyOf = (r: GqlResult) => r.errors?.[0]?.extensions?.error_context?.error_key;

/** Units U and W, U's child C with two addresses and an engagement, an IT user, a manager in U. */
async function world(mo: TestMo, b: Basics) {
  const d = await mo.ok(`mutation {
    p: employee_create(input: {given_name: "Carl", surname: "Dahl", cpr_number: "1503901234"}) { uuid }
    u: org_unit_create(input: {name: "Skolen", user_key: "SKO", org_unit_type: "${b.unitType}", validity: {from: "2020-01-01"}}) { uuid }
    w: org_unit_create(input: {name: "Andet", user_key: "AND", org_unit_type: "${b.unitType}", validity: {from: "2020-01-01"}}) { uuid } }`);
  const [person, unit, other] = [d.p.uuid, d.u.uuid, d.w.uuid] as string[];
  const child = (await mo.ok(`mutation { c: org_unit_create(input: {name: "Kontoret", user_key: "KON", org_unit_type: "${b.unitType}", parent: "${unit}", validity: {from: "2020-01-01"}}) { uuid } }`)).c.uuid as string;
  const f = await mo.ok(`mutation {
    a1: address_create(input: {org_unit: "${child}", address_type: "${b.ean}", value: "5798000123456", validity: {from: "2021-01-01"}}) { uuid }
    a2: address_create(input: {org_unit: "${child}", address_type: "${b.text}", value: "Kontoret", validity: {from: "2021-01-01"}}) { uuid }
    e: engagement_create(input: {person: "${person}", org_unit: "${child}", engagement_type: "${b.engagementType}", job_function: "${b.jobFunction}", validity: {from: "2021-01-01"}}) { uuid }
    i: ituser_create(input: {person: "${person}", itsystem: "${b.itsystem}", user_key: "az1", validity: {from: "2021-01-01"}}) { uuid }
    m: manager_create(input: {person: "${person}", org_unit: "${unit}", manager_type: "${b.managerType}", manager_level: "${b.managerLevel}", responsibility: ["${b.responsibility}"], validity: {from: "2021-01-01"}}) { uuid } }`);
  return { person, unit, other, child, address1: f.a1.uuid as string, address2: f.a2.uuid as string, engagement: f.e.uuid as string, ituser: f.i.uuid as string, manager: f.m.uuid as string };
}

const ref = (kind: string, uuid: string) => ({ kind, uuid });

/** A night's create-less batch: C closes (its addresses first, its engagement moved out), a rename, an update then the end of W, a vacancy, an IT user ends. */
function night(w: Awaited<ReturnType<typeof world>>, b: Basics): MutationGroup[] {
  return [
    { ref: ref('org_unit', w.unit), mutations: [{ name: 'org_unit_update', input: { uuid: w.unit, name: 'Skolen Nord', user_key: 'SKO', validity: { from: '2024-03-01', to: null } } }] },
    // an update and then the terminate of one object, in one group
    { ref: ref('org_unit', w.other), mutations: [
      { name: 'org_unit_update', input: { uuid: w.other, name: 'Andet 2', user_key: 'AND', validity: { from: '2024-02-01', to: null } } },
      { name: 'org_unit_terminate', input: { uuid: w.other, to: '2024-09-01' } },
    ] },
    // an engagement moved out of the closing unit C by an update whose window crosses C's end
    { ref: ref('engagement', w.engagement), mutations: [{ name: 'engagement_update', input: { uuid: w.engagement, org_unit: w.unit, job_function: b.jobFunction, validity: { from: '2024-05-01', to: null } } }] },
    { ref: ref('manager', w.manager), mutations: [{ name: 'manager_update', input: { uuid: w.manager, org_unit: w.unit, validity: { from: '2024-04-01', to: null } } }] }, // no person: vacant
    { ref: ref('ituser', w.ituser), mutations: [{ name: 'ituser_terminate', input: { uuid: w.ituser, to: '2024-07-01' } }] },
    { ref: ref('address', w.address1), mutations: [{ name: 'address_terminate', input: { uuid: w.address1, to: '2024-06-01' } }] },
    { ref: ref('address', w.address2), mutations: [{ name: 'address_terminate', input: { uuid: w.address2, to: '2024-06-01' } }] },
    { ref: ref('org_unit', w.child), mutations: [{ name: 'org_unit_terminate', input: { uuid: w.child, to: '2024-06-01' } }] },
  ];
}

const TIMELINES = `query($u: [UUID!]) {
  org_units(filter: {uuids: $u, from_date: null, to_date: null}) { objects { uuid validities(start: null, end: null) { name user_key parent_uuid validity { from to } } } }
  engagements(filter: {uuids: $u, from_date: null, to_date: null}) { objects { uuid validities(start: null, end: null) { org_unit_uuid job_function_uuid validity { from to } } } }
  addresses(filter: {uuids: $u, from_date: null, to_date: null}) { objects { uuid validities(start: null, end: null) { value validity { from to } } } }
  itusers(filter: {uuids: $u, from_date: null, to_date: null}) { objects { uuid validities(start: null, end: null) { user_key validity { from to } } } }
  managers(filter: {uuids: $u, from_date: null, to_date: null}) { objects { uuid validities(start: null, end: null) { employee_uuid validity { from to } } } }
}`;

/** Every object's full timeline, uuids named by their role in `world` and `b` (so two MOs compare). */
async function timelines(mo: TestMo, w: Awaited<ReturnType<typeof world>>, b: Basics): Promise<string> {
  const name = new Map([...Object.entries(b), ...Object.entries(w)].flatMap(([k, v]) => (typeof v === 'string' ? [[v, k] as const] : [])));
  const data = await mo.ok<Record<string, { objects: { uuid: string; validities: Record<string, unknown>[] }[] }>>(TIMELINES, { u: Object.values(w) });
  const out: [string, string][] = [];
  for (const [kind, { objects }] of Object.entries(data)) for (const o of objects) out.push([`${kind} ${name.get(o.uuid)}`, JSON.stringify(o.validities, (_k, v) => (typeof v === 'string' && name.has(v) ? name.get(v) : v))]);
  return out.sort((a, b) => a[0].localeCompare(b[0])).map((x) => x.join(': ')).join('\n');
}

/** The same night written without faults into another MO: the timelines it ends with. */
async function faultFree(): Promise<string> {
  const mo = await startTestMo();
  try {
    const b = await seedBasics(mo);
    const w = await world(mo, b);
    const result = await client(mo, []).write(night(w, b), { ordered: true });
    assert.equal(result.failed, [], 'the night is valid in MO');
    return await timelines(mo, w, b);
  } finally {
    await mo.stop();
  }
}

test('MO (and the emulator): a repeated org_unit_terminate is refused; a repeated update or terminate is taken alone, but fails the request it shares', async () => {
  const mo = await startTestMo();
  try {
    const b = await seedBasics(mo);
    const w = await world(mo, b);
    const unitEnd = `mutation { e: engagement_update(input: {uuid: "${w.engagement}", org_unit: "${w.unit}", validity: {from: "2024-05-01"}}) { uuid } a1: address_terminate(input: {uuid: "${w.address1}", to: "2024-06-01"}) { uuid } a2: address_terminate(input: {uuid: "${w.address2}", to: "2024-06-01"}) { uuid } c: org_unit_terminate(input: {uuid: "${w.child}", to: "2024-06-01"}) { uuid } }`;
    assert.is((await mo.gql(unitEnd)).errors, undefined);
    // the unit's last day is 2024-05-31; at `to` it is no longer active
    assert.is(keyOf(await mo.gql(`mutation { c: org_unit_terminate(input: {uuid: "${w.child}", to: "2024-06-01"}) { uuid } }`)), 'V_DATE_OUTSIDE_ORG_UNIT_RANGE');
    const writes = [
      `e: engagement_terminate(input: {uuid: "${w.engagement}", to: "2024-07-01"}) { uuid }`,
      `i: ituser_terminate(input: {uuid: "${w.ituser}", to: "2024-07-01"}) { uuid }`,
      `m: manager_update(input: {uuid: "${w.manager}", org_unit: "${w.unit}", validity: {from: "2024-04-01"}}) { uuid }`, // vacant
      `a: address_terminate(input: {uuid: "${w.address1}", to: "2024-06-01"}) { uuid }`, // already ended above
      `u: org_unit_update(input: {uuid: "${w.unit}", name: "Skolen Nord", user_key: "SKO", validity: {from: "2024-03-01"}}) { uuid }`,
    ];
    for (const m of writes.filter((m) => !m.startsWith('a:'))) assert.is((await mo.gql(`mutation { ${m} }`)).errors, undefined);
    const before = await timelines(mo, w, b);
    // each again on its own: taken (LoRa's "does not give raise to a new registration" is swallowed, mora/lora.py)
    for (const m of writes) assert.is((await mo.gql(`mutation { ${m} }`)).errors, undefined, m);
    assert.is(await timelines(mo, w, b), before, 'nothing changed');
    // together in one request: the first no-op aborted the transaction (mora/graphapi/mutators.py, engagements_update's note)
    const together = await mo.gql(`mutation { ${writes.join('\n')} }`);
    assert.is(keyOf(together), 'E_UNKNOWN', JSON.stringify(together.errors));
    assert.match(String(together.errors?.[0]?.extensions?.error_context?.message), /InFailedSqlTransaction/);
    assert.equal(together.errors?.[0]?.path, ['i'], 'the mutation after the first no-op fails');
    // a real change with a no-op after it: nothing of the request is committed
    const rename = `r: org_unit_update(input: {uuid: "${w.unit}", name: "Skolen Syd", user_key: "SKO", validity: {from: "2024-10-01"}}) { uuid }`;
    assert.is(keyOf(await mo.gql(`mutation { ${rename} ${writes[0]} }`)), 'E_UNKNOWN');
    assert.is(keyOf(await mo.gql(`mutation { ${writes[0]} ${rename} }`)), 'E_UNKNOWN');
    assert.is(await timelines(mo, w, b), before, 'nothing changed');
    assert.is((await mo.gql(`mutation { ${rename} }`)).errors, undefined, 'the change alone is taken');
  } finally {
    await mo.stop();
  }
});

test('answer lost after MO committed a batch without creates: read back, nothing sent again, no refusal, MO as without the fault', async () => {
  const expected = await faultFree();
  const mo = await startTestMo();
  try {
    const b = await seedBasics(mo);
    const w = await world(mo, b);
    const events: MoEvent[] = [];
    const before = mo.emu.metrics();
    mo.emu.setFaults({ loseWrites: [1] });
    const result = await client(mo, events).write(night(w, b), { ordered: true });
    const after = mo.emu.metrics();
    assert.is(after.faults.lost, 1, 'the one write request lost its answer after commit');
    assert.equal(result.failed, [], 'no group failed');
    assert.is(result.written.length, 8);
    assert.equal(after.errors, before.errors, `MO refused nothing: ${JSON.stringify(after.errors)}`);
    assert.equal(events.filter((e) => e.type === 'reconciled'), [{ type: 'reconciled', committed: 8, resent: 0 }]);
    const sent = (name: string) => (after.mutations[name] ?? 0) - (before.mutations[name] ?? 0);
    assert.equal([sent('org_unit_terminate'), sent('org_unit_update'), sent('address_terminate'), sent('engagement_update')], [2, 2, 2, 1], 'each committed once');
    assert.is(await timelines(mo, w, b), expected, 'MO holds what the fault-free write made');
  } finally {
    await mo.stop();
  }
});

test('answer lost after MO committed a batch of class and IT system updates and ends: read as they are now, nothing sent again', async () => {
  const mo = await startTestMo();
  try {
    const b = await seedBasics(mo);
    const facet = b.facets['engagement_type']!;
    const d = await mo.ok(`mutation {
      c1: class_create(input: {user_key: "k1", name: "Klasse 1", facet_uuid: "${facet}", validity: {}}) { uuid }
      c2: class_create(input: {user_key: "k2", name: "Klasse 2", facet_uuid: "${facet}", validity: {}}) { uuid }
      s: itsystem_create(input: {user_key: "SYS", name: "System", validity: {}}) { uuid } }`);
    const today = new Date().toISOString().slice(0, 10);
    const groups: MutationGroup[] = [
      { ref: ref('class', d.c1.uuid), mutations: [{ name: 'class_update', input: { uuid: d.c1.uuid, user_key: 'k1', name: 'Klasse 1a', facet_uuid: facet, validity: { from: null, to: null } } }] },
      { ref: ref('class', d.c2.uuid), mutations: [{ name: 'class_terminate', input: { uuid: d.c2.uuid, to: today } }] },
      { ref: ref('itsystem', d.s.uuid), mutations: [{ name: 'itsystem_update', input: { uuid: d.s.uuid, user_key: 'SYS', name: 'Systemet', validity: { from: null, to: null } } }] },
    ];
    const events: MoEvent[] = [];
    const before = mo.emu.metrics();
    mo.emu.setFaults({ loseWrites: [1] });
    const result = await client(mo, events).write(groups);
    const after = mo.emu.metrics();
    assert.is(after.faults.lost, 1);
    assert.equal(result.failed, [], 'nothing failed (sent again, the three no-ops would fail the request: E_UNKNOWN, InFailedSqlTransaction)');
    assert.equal(after.errors, before.errors);
    assert.equal(events.filter((e) => e.type === 'reconciled'), [{ type: 'reconciled', committed: 3, resent: 0 }]);
    const now = await mo.ok(`{ classes(filter: {facet: {uuids: ["${facet}"]}}) { objects { current { user_key name } } } itsystems(filter: {uuids: ["${d.s.uuid}"]}) { objects { current { name } } } }`);
    assert.equal(now.classes.objects.map((o: any) => o.current.name).filter((n: string) => n.startsWith('Klasse')), ['Klasse 1a']);
    assert.is(now.itsystems.objects[0].current.name, 'Systemet');
  } finally {
    await mo.stop();
  }
});

test('HTTP 502 before MO executed a batch without creates: the read-back finds it not in effect, the whole batch is sent again', async () => {
  const expected = await faultFree();
  const mo = await startTestMo();
  try {
    const b = await seedBasics(mo);
    const w = await world(mo, b);
    const events: MoEvent[] = [];
    mo.emu.setFaults({ errorRate: 1, errorStatus: 502 });
    // MO answers 502 without executing until the first retry
    const result = await client(mo, events, (e) => e.type === 'retry' && mo.emu.setFaults({})).write(night(w, b), { ordered: true });
    assert.equal(result.failed, []);
    assert.ok(events.some((e) => e.type === 'retry'));
    assert.is(mo.emu.metrics().faults.error, 1);
    assert.equal(events.filter((e) => e.type === 'reconciled'), [{ type: 'reconciled', committed: 0, resent: 8 }]);
    assert.is(await timelines(mo, w, b), expected);
  } finally {
    await mo.stop();
  }
});

/** Random periods on a few boundaries (gaps, open ends, changing fields). */
function randomTimeline(rng: Rng, fields: () => Fields): TimedFields[] {
  const days = ['2020-01-01', '2021-01-01', '2022-01-01', '2023-01-01', '2024-01-01'].filter(() => rng.chance(0.6));
  if (days.length === 0) days.push('2021-01-01');
  const bounds: (string | null)[] = [...days, ...(rng.chance(0.7) ? [null] : [])];
  const out: TimedFields[] = [];
  for (let i = 0; i + 1 < bounds.length; i++) if (out.length === 0 || rng.chance(0.75)) out.push({ from: bounds[i]!, to: bounds[i + 1]!, fields: fields() });
  return out.length ? out : [{ from: days[0]!, to: null, fields: fields() }];
}

test('inEffect agrees with the emulator on what the planner sends: false before the write, true after it (random timelines)', async () => {
  const mo = await startTestMo();
  try {
    const b = await seedBasics(mo);
    const c = client(mo, []);
    const d = await mo.ok(`mutation {
      p: employee_create(input: {given_name: "Carl", surname: "Dahl", cpr_number: "1503901234"}) { uuid }
      u1: org_unit_create(input: {name: "U1", user_key: "U1", org_unit_type: "${b.unitType}", validity: {from: "2000-01-01"}}) { uuid }
      u2: org_unit_create(input: {name: "U2", user_key: "U2", org_unit_type: "${b.unitType}", validity: {from: "2000-01-01"}}) { uuid } }`);
    const other = (await mo.ok(`mutation { j: class_create(input: {user_key: "j2", name: "J2", facet_uuid: "${b.facets['engagement_job_function']}", validity: {}}) { uuid } }`)).j.uuid as string;
    const rng = new Rng(16);
    const makers: Record<'engagement' | 'org_unit', () => Fields> = {
      engagement: () => ({ user_key: 'E', person: d.p.uuid, org_unit: rng.pick([d.u1.uuid, d.u2.uuid]), engagement_type: b.engagementType, job_function: rng.pick([b.jobFunction, other]), primary: null }),
      org_unit: () => ({ user_key: 'K', name: rng.pick(['A', 'B', 'C']), parent: null, org_unit_type: b.unitType, org_unit_hierarchy: null }),
    };
    let checked = 0;
    for (let i = 0; i < 60; i++) {
      const kind: Kind = i % 2 ? 'engagement' : 'org_unit';
      const spec = KINDS[kind];
      const uuid = crypto.randomUUID();
      const start = randomTimeline(rng, makers[kind]);
      const made = await c.write([{ ref: ref(kind, uuid), mutations: mutationsFor(kind, uuid, createOps(start)) }], { ordered: true });
      assert.equal(made.failed, [], `created ${JSON.stringify(start)}`);
      const desired = randomTimeline(rng, makers[kind]);
      const windowFrom = rng.pick([null, '2021-01-01', '2022-06-01']);
      const before = (await readTimelines(c, kind, [uuid])).get(uuid) ?? [];
      const mutations = mutationsFor(kind, uuid, planTimeline(desired, windowFrom, before, { nullable: spec.nullable, ...(spec.carried ? { carried: spec.carried } : {}) }));
      const what = `${kind} ${JSON.stringify(before)} → ${JSON.stringify(desired)} from ${windowFrom}: ${JSON.stringify(mutations)}`;
      assert.is(inEffect(kind, before, mutations), mutations.length === 0, `before: ${what}`);
      if (mutations.length === 0) continue;
      const written = await c.write([{ ref: ref(kind, uuid), mutations }], { ordered: true });
      assert.equal(written.failed, [], what);
      const after = (await readTimelines(c, kind, [uuid])).get(uuid) ?? [];
      assert.ok(inEffect(kind, after, mutations), `after: ${what} → ${JSON.stringify(after)}`);
      checked++;
    }
    assert.ok(checked >= 40, `${checked} writes checked`);
  } finally {
    await mo.stop();
  }
});

test('inEffect: MO semantics of update and terminate on a timeline (pure)', () => {
  const f = (name: string, parent: string | null = null) => ({ user_key: 'K', name, parent, org_unit_type: 't', org_unit_hierarchy: null });
  const unit = [{ from: '2020-01-01', to: '2024-03-01', fields: f('A') }, { from: '2024-03-01', to: null, fields: f('B') }];
  const rename = { name: 'org_unit_update', input: { uuid: 'u', name: 'B', user_key: 'K', validity: { from: '2024-03-01', to: null } } };
  assert.ok(inEffect('org_unit', unit, [rename]));
  assert.not.ok(inEffect('org_unit', unit, [{ ...rename, input: { ...rename.input, validity: { from: '2024-02-01', to: null } } }]));
  // without name: MO carries the last overlapping period's name over the whole window (B over [2024-02-01, ∞))
  assert.not.ok(inEffect('org_unit', unit, [{ name: 'org_unit_update', input: { uuid: 'u', org_unit_type: 't', validity: { from: '2024-02-01', to: null } } }]));
  const ended = [{ from: '2020-01-01', to: '2024-06-01', fields: f('A') }];
  assert.ok(inEffect('org_unit', ended, [{ name: 'org_unit_terminate', input: { uuid: 'u', to: '2024-06-01' } }]));
  assert.not.ok(inEffect('org_unit', ended, [{ name: 'org_unit_terminate', input: { uuid: 'u', to: '2024-05-01' } }]));
  // update then terminate: the update revives the object after its end, the terminate ends it again
  assert.ok(inEffect('org_unit', ended, [{ name: 'org_unit_update', input: { uuid: 'u', name: 'A', user_key: 'K', validity: { from: '2021-01-01', to: null } } }, { name: 'org_unit_terminate', input: { uuid: 'u', to: '2024-06-01' } }]));
  assert.not.ok(inEffect('org_unit', ended, [{ name: 'org_unit_update', input: { uuid: 'u', name: 'A', user_key: 'K', validity: { from: '2021-01-01', to: null } } }]), 'alone it would revive it');
  // a vacant manager: manager_update without person
  const m = (person: string | null) => ({ person, org_unit: 'o', manager_type: 't', manager_level: 'l', responsibility: 'r1,r2' });
  const manager = [{ from: '2021-01-01', to: '2024-04-01', fields: m('p') }, { from: '2024-04-01', to: null, fields: m(null) }];
  assert.ok(inEffect('manager', manager, [{ name: 'manager_update', input: { uuid: 'm', org_unit: 'o', responsibility: ['r2', 'r1'], validity: { from: '2024-04-01', to: null } } }]));
  assert.not.ok(inEffect('manager', manager, [{ name: 'manager_update', input: { uuid: 'm', person: 'p', validity: { from: '2024-04-01', to: null } } }]));
});

test.run();
