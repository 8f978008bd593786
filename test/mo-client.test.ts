/** MoClient against the MO emulator over HTTP: batching, isolation of failing objects, ordered groups, paging. */
import { randomUUID } from 'node:crypto';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { MoClient, MoError, type MoClientOptions, type MoEvent, type MutationGroup } from '../src/mo/client.ts';
import { buildBatch, packBatches, packRanges } from '../src/mo/batch.ts';
import { inputTypeOf } from '../src/mo/input-types.ts';
import { startTestMo, type TestMo } from './helpers/mo.ts';

function client(mo: TestMo, extra: Partial<MoClientOptions> = {}, events: MoEvent[] = []): MoClient {
  const { emu } = mo;
  return new MoClient({
    url: emu.url,
    authServer: emu.authServer,
    realm: emu.realm,
    clientId: emu.clientId,
    clientSecret: emu.clientSecret,
    retryDelayMs: 1,
    timeoutMs: 5000,
    onEvent: (e) => events.push(e),
    ...extra,
  });
}

async function newFacet(mo: TestMo, userKey = `f${randomUUID().slice(0, 8)}`): Promise<string> {
  const data = await mo.ok(`mutation($k: String!) { facet_create(input: {user_key: $k, validity: {}}) { uuid } }`, { k: userKey });
  return data.facet_create.uuid;
}

const classGroup = (facet: string, i: number, extra: Partial<{ uuid: string; line: number }> = {}): MutationGroup => {
  const uuid = extra.uuid ?? randomUUID();
  return {
    ref: { kind: 'class', uuid, user_key: `k${i}`, file: 'STAM_UUID_Enhedstype.csv', line: extra.line ?? i + 2 },
    mutations: [{ name: 'class_create', input: { uuid, user_key: `k${i}`, name: `Class ${i}`, facet_uuid: facet, validity: { from: '2020-01-01' } } }],
  };
};

const CLASSES_OF_FACET = `query($facet: UUID!, $cursor: Cursor, $limit: int) {
  classes(filter: {facet: {uuids: [$facet]}}, cursor: $cursor, limit: $limit) {
    objects { uuid current { user_key name } }
    page_info { next_cursor }
  }
}`;

interface ClassRow { uuid: string; current: { user_key: string; name: string } | null }


/** A mutation MO refuses: an update of an org unit it does not have (E_ORG_UNIT_NOT_FOUND). A class with an unknown facet is no longer one: MO takes it (LoRa relations have no foreign keys). */
const refusedByMo = () => ({ name: 'org_unit_update', input: { uuid: randomUUID(), name: 'x', validity: { from: '2020-01-01' } } });

test('input types come from the SDL', () => {
  assert.is(inputTypeOf('class_create'), 'ClassCreateInput');
  assert.is(inputTypeOf('org_unit_update'), 'OrganisationUnitUpdateInput');
  assert.is(inputTypeOf('itsystem_terminate'), 'ITSystemTerminateInput');
  assert.is(inputTypeOf('ituser_create'), 'ITUserCreateInput');
  assert.is(inputTypeOf('facet_update'), 'FacetUpdateInput');
  assert.is(inputTypeOf('org_create'), 'OrganisationCreate');
  assert.is(inputTypeOf('no_such_mutation'), undefined);
});

test('packing never splits a group; an oversized group travels alone', () => {
  const g = (n: number): MutationGroup => ({ ref: { kind: 'x', uuid: String(n) }, mutations: Array.from({ length: n }, () => ({ name: 'class_create', input: {} })) });
  const batches = packBatches([g(2), g(2), g(1), g(7), g(0), g(3), g(2)], 5);
  assert.equal(batches.map((b) => b.map((x) => x.mutations.length)), [[2, 2, 1], [7], [3, 2]]);
  const doc = buildBatch([g(2), g(1)]);
  assert.match(doc.query, /\$m0: ClassCreateInput!, \$m1: ClassCreateInput!, \$m2: ClassCreateInput!/);
  assert.match(doc.query, /m2: class_create\(input: \$m2\) \{ uuid \}/);
  assert.equal(doc.owners.map((o) => o.group), [0, 0, 1]);
});

test('packing ranges of sizes gives the batches packBatches gives for the same groups', () => {
  const g = (n: number): MutationGroup => ({ ref: { kind: 'x', uuid: String(n) }, mutations: Array.from({ length: n }, () => ({ name: 'class_create', input: {} })) });
  for (const sizes of [[2, 2, 1, 7, 0, 3, 2], [0, 0], [], [5, 5, 5], [0, 1, 0, 4, 0], [9], [1, 1, 1, 1, 1, 1]]) {
    const groups = sizes.map(g);
    const viaRanges = packRanges(sizes, 5).map(([from, to]) => groups.slice(from, to).filter((x) => x.mutations.length > 0));
    assert.equal(viaRanges, packBatches(groups, 5), `sizes ${sizes.join(',')}`);
  }
});

test('a GroupSource: groups made batch by batch as they are sent, committed ones to onWritten; the same requests as a list', async () => {
  const mo = await startTestMo();
  try {
    const facet = await newFacet(mo);
    const groups = Array.from({ length: 250 }, (_, i) => classGroup(facet, i));
    const made: [number, number][] = [];
    const written: MutationGroup[] = [];
    const events: MoEvent[] = [];
    const c = client(mo, { batchSize: 100, concurrency: 2 }, events);
    const result = await c.write(
      { sizes: groups.map(() => 1), names: ['class_create'], make: (from, to) => (made.push([from, to]), groups.slice(from, to)) },
      { onWritten: (batch) => written.push(...batch) },
    );
    assert.equal(made.sort((a, b) => a[0] - b[0]), [[0, 100], [100, 200], [200, 250]]);
    assert.is(result.written.length, 0, 'given onWritten, written stays empty');
    assert.equal(new Set(written.map((g) => g.ref.uuid)), new Set(groups.map((g) => g.ref.uuid)));
    assert.is(result.requests, 3);
    assert.is(result.mutations, 250);
    assert.equal(events.filter((e) => e.type === 'request').map((e) => (e.type === 'request' ? e.mutations : -1)).sort(), [100, 100, 50]);
    // a name the SDL does not know is refused before anything is sent
    const before = mo.emu.metrics().graphqlRequests;
    try {
      await c.write({ sizes: [1], names: ['class_create', 'no_such_mutation'], make: () => [] });
      assert.unreachable('should have thrown');
    } catch (error) {
      assert.instance(error, MoError);
      assert.match((error as MoError).message, /unknown mutation "no_such_mutation"/);
    }
    assert.is(mo.emu.metrics().graphqlRequests, before);
  } finally {
    await mo.stop();
  }
});

test('250 class creates with batchSize 100 → 3 requests, all written, queryAll reads them over 3 pages', async () => {
  const mo = await startTestMo();
  try {
    const facet = await newFacet(mo);
    const before = mo.emu.metrics();
    const events: MoEvent[] = [];
    const c = client(mo, { batchSize: 100 }, events);
    const groups = Array.from({ length: 250 }, (_, i) => classGroup(facet, i));
    const result = await c.write(groups);
    assert.is(result.failed.length, 0);
    assert.is(result.written.length, 250);
    assert.is(result.requests, 3);
    assert.is(result.mutations, 250);
    const after = mo.emu.metrics();
    assert.is(after.graphqlRequests - before.graphqlRequests, 3);
    assert.is((after.mutations.class_create ?? 0) - (before.mutations.class_create ?? 0), 250);
    const requestEvents = events.filter((e) => e.type === 'request');
    assert.equal(requestEvents.map((e) => (e.type === 'request' ? e.mutations : -1)).sort(), [100, 100, 50]);

    const pagesBefore = mo.emu.metrics().graphqlRequests;
    const rows = await c.queryAll<ClassRow>(CLASSES_OF_FACET, { facet }, ['classes'], 100);
    assert.is(rows.length, 250);
    assert.is(new Set(rows.map((r) => r.uuid)).size, 250);
    assert.equal(new Set(rows.map((r) => r.uuid)), new Set(groups.map((g) => g.ref.uuid)));
    // 100 + 100 + 50, and the emulator may need one more request to learn the last page is the last
    const pages = mo.emu.metrics().graphqlRequests - pagesBefore;
    assert.ok(pages >= 3 && pages <= 4, `pages: ${pages}`);
    const s = c.stats();
    assert.is(s.mutations, 250);
    assert.is(s.tokens, 1);
    assert.is(s.requests, 3 + pages);
  } finally {
    await mo.stop();
  }
});

test('one invalid group among 10 → 9 written, the invalid one reported with its ref and error key', async () => {
  const mo = await startTestMo();
  try {
    const facet = await newFacet(mo);
    const events: MoEvent[] = [];
    const c = client(mo, { batchSize: 100 }, events);
    const groups = Array.from({ length: 10 }, (_, i) => classGroup(facet, i, { line: 100 + i }));
    const bad = groups[6]!;
    bad.mutations[0] = refusedByMo();
    const result = await c.write(groups);
    assert.is(result.written.length, 9);
    assert.is(result.failed.length, 1);
    const failed = result.failed[0]!;
    assert.is(failed.group, bad);
    assert.is(failed.group.ref.uuid, bad.ref.uuid);
    assert.is(failed.group.ref.line, 106);
    assert.ok(failed.error.error_key, 'has an error key');
    assert.match(failed.error.error_key!, /^E_/);
    assert.is(failed.error.mutation, 'org_unit_update');
    // the error's path named the alias: the failing request, then one without the culprit
    assert.is(result.requests, 2);
    assert.is(result.mutations, 9);
    const failedEvents = events.filter((e) => e.type === 'failed-object');
    assert.is(failedEvents.length, 1);
    assert.is(failedEvents[0]!.type === 'failed-object' && failedEvents[0]!.ref.uuid, bad.ref.uuid);

    const rows = await c.queryAll<ClassRow>(CLASSES_OF_FACET, { facet }, ['classes']);
    assert.equal(new Set(rows.map((r) => r.uuid)), new Set(groups.filter((g) => g !== bad).map((g) => g.ref.uuid)));
  } finally {
    await mo.stop();
  }
});

test('an invalid variable value is pinned on its group by the variable name', async () => {
  const mo = await startTestMo();
  try {
    const facet = await newFacet(mo);
    const c = client(mo);
    const groups = Array.from({ length: 6 }, (_, i) => classGroup(facet, i));
    groups[2]!.mutations[0]!.input.facet_uuid = 'not-a-uuid';
    groups[4]!.mutations[0]!.input.validity = { from: '2020-13-45' };
    const result = await c.write(groups);
    assert.equal(result.failed.map((f) => f.group.ref.user_key).sort(), ['k2', 'k4']);
    assert.is(result.written.length, 4);
    for (const f of result.failed) assert.match(f.error.message, /\$m\d+/);
    // failing request, then fewer than a full bisection
    assert.ok(result.requests <= 3, `requests: ${result.requests}`);
    const rows = await c.queryAll<ClassRow>(CLASSES_OF_FACET, { facet }, ['classes']);
    assert.is(rows.length, 4);
  } finally {
    await mo.stop();
  }
});

test('a group is one unit: create + update in order; a failing update rolls back its create', async () => {
  const mo = await startTestMo();
  try {
    const facet = await newFacet(mo);
    const c = client(mo);
    const ok = randomUUID();
    const broken = randomUUID();
    const base = (uuid: string, key: string) => ({ uuid, user_key: key, facet_uuid: facet, validity: { from: '2020-01-01' } });
    const groups: MutationGroup[] = [
      {
        ref: { kind: 'class', uuid: ok, file: 'a.csv', line: 2 },
        mutations: [
          { name: 'class_create', input: { ...base(ok, 'ok'), name: 'First' } },
          { name: 'class_update', input: { ...base(ok, 'ok'), name: 'Second', validity: { from: '2020-01-01' } } },
        ],
      },
      {
        ref: { kind: 'class', uuid: broken, file: 'a.csv', line: 3 },
        mutations: [
          { name: 'class_create', input: { ...base(broken, 'broken'), name: 'Created' } },
          refusedByMo(),
        ],
      },
    ];
    const result = await c.write(groups, { ordered: true });
    assert.is(result.written.length, 1);
    assert.is(result.written[0]!.ref.uuid, ok);
    assert.is(result.failed.length, 1);
    assert.is(result.failed[0]!.group.ref.uuid, broken);
    assert.is(result.failed[0]!.error.mutation, 'org_unit_update');
    assert.ok(result.failed[0]!.error.error_key);
    const rows = await c.queryAll<ClassRow>(CLASSES_OF_FACET, { facet }, ['classes']);
    assert.is(rows.length, 1, 'the broken group left nothing behind');
    assert.is(rows[0]!.uuid, ok);
    assert.is(rows[0]!.current?.name, 'Second');
  } finally {
    await mo.stop();
  }
});

test('ordered writes: one request at a time, in order (a child after its parent across batches)', async () => {
  const mo = await startTestMo();
  try {
    const facet = await newFacet(mo, 'org_unit_type');
    const type = (await mo.ok(`mutation($f: UUID!) { class_create(input: {user_key: "Afd", name: "Afdeling", facet_uuid: $f, validity: {}}) { uuid } }`, { f: facet })).class_create.uuid;
    const c = client(mo, { batchSize: 1, concurrency: 4 });
    const uuids = Array.from({ length: 6 }, () => randomUUID());
    const groups: MutationGroup[] = uuids.map((uuid, i) => ({
      ref: { kind: 'org_unit', uuid, line: i + 2 },
      mutations: [{ name: 'org_unit_create', input: { uuid, name: `Unit ${i}`, org_unit_type: type, parent: i ? uuids[i - 1] : null, validity: { from: '2020-01-01' } } }],
    }));
    const result = await c.write(groups, { ordered: true });
    assert.is(result.failed.length, 0, JSON.stringify(result.failed.map((f) => f.error)));
    assert.is(result.requests, 6);
    const data = await c.query<{ org_units: { objects: { uuid: string; current: { parent_uuid: string | null } | null }[] } }>(
      `query($u: [UUID!]) { org_units(filter: {uuids: $u}) { objects { uuid current { parent_uuid } } } }`,
      { u: [uuids[5]] },
    );
    assert.is(data.org_units.objects[0]!.current?.parent_uuid, uuids[4]);
  } finally {
    await mo.stop();
  }
});

test('query: GraphQL errors become a MoError naming the operation and the error', async () => {
  const mo = await startTestMo();
  try {
    const c = client(mo);
    try {
      await c.query(`query ReadIt { no_such_field { uuid } }`);
      assert.unreachable('should throw');
    } catch (error) {
      assert.instance(error, MoError);
      assert.match((error as MoError).message, /ReadIt/);
      assert.match((error as MoError).message, /no_such_field/);
      assert.is((error as MoError).exitCode, 1);
    }
    try {
      await c.write([{ ref: { kind: 'class', uuid: randomUUID() }, mutations: [{ name: 'klass_create', input: {} }] }]);
      assert.unreachable('should throw');
    } catch (error) {
      assert.instance(error, MoError);
      assert.match((error as Error).message, /unknown mutation "klass_create"/);
    }
    assert.is(mo.emu.metrics().graphqlRequests, 1, 'an unknown mutation is refused before anything is sent');
  } finally {
    await mo.stop();
  }
});

test.run();
