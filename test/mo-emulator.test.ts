/** MO emulator over HTTP: endpoints, auth, validation, paging, persistence, metrics, faults. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { fetchToken, seedBasics, startTestMo, type TestMo } from './helpers/mo.ts';

let mo: TestMo;

test.before(async () => {
  mo = await startTestMo();
});
test.after(async () => {
  await mo.stop();
});

test('token: client credentials give a bearer token; wrong secret gives 401 unauthorized_client', async () => {
  const res = await fetchToken(mo.emu);
  assert.is(res.status, 200);
  const body = (await res.json()) as Record<string, unknown>;
  assert.is(body['token_type'], 'Bearer');
  assert.is(body['expires_in'], 300);
  assert.type(body['access_token'], 'string');

  const bad = await fetchToken(mo.emu, 'wrong');
  assert.is(bad.status, 401);
  assert.is(((await bad.json()) as Record<string, unknown>)['error'], 'unauthorized_client');

  const otherRealm = await fetch(`${mo.emu.url}/auth/realms/other/protocol/openid-connect/token`, { method: 'POST', body: '' });
  assert.is(otherRealm.status, 404);
});

test('a GraphQL request without a valid token: HTTP 200, data null, "User is not authenticated"', async () => {
  for (const token of [null, 'not-a-token']) {
    const r = await mo.gql('{ org { uuid } }', undefined, { token });
    assert.is(r.status, 200);
    assert.is(r.data, null);
    assert.is(r.errors?.[0]?.message, 'User is not authenticated');
  }
  const ok = await mo.gql('{ org { uuid } }');
  assert.ok(ok.data?.org?.uuid);
});

test('an expired token is refused', async () => {
  const short = await startTestMo({ tokenLifetimeSeconds: 0 });
  try {
    const r = await short.gql('{ org { uuid } }');
    assert.is(r.errors?.[0]?.message, 'User is not authenticated');
  } finally {
    await short.stop();
  }
});

test('a field not in the schema is a GraphQL validation error (HTTP 200, data null)', async () => {
  const r = await mo.gql('{ org_units { objects { uuid current { name nonexistent_field } } } }');
  assert.is(r.status, 200);
  assert.is(r.data, null);
  assert.match(r.errors?.[0]?.message ?? '', /Cannot query field "nonexistent_field" on type "OrganisationUnit"/);
  // `name` is not an input of employee_create (given_name/surname are): rejected too
  const e = await mo.gql('mutation { employee_create(input: {name: "A B", given_name: "A", surname: "B"}) { uuid } }');
  assert.match(e.errors?.[0]?.message ?? '', /Field "name" is not defined by type "EmployeeCreateInput"/);
});

test('routes: v29 and v30 serve, other versions 404, /graphql redirects to v30, SDL is served', async () => {
  const token = await mo.token();
  const post = (path: string) =>
    fetch(`${mo.emu.url}${path}`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query: '{ org { user_key } }' }),
    });
  assert.is(((await (await post('/graphql/v30')).json()) as any).data.org.user_key, 'root');
  assert.is((await post('/graphql/v28')).status, 404);
  assert.is((await post('/graphql/v31')).status, 404);
  const redirect = await fetch(`${mo.emu.url}/graphql`, { redirect: 'manual' });
  assert.ok([301, 302, 307, 308].includes(redirect.status));
  assert.is(redirect.headers.get('location'), '/graphql/v30');
  const sdl = await fetch(`${mo.emu.url}/graphql/v29/schema.graphql`);
  assert.is(sdl.status, 200);
  const text = await sdl.text();
  assert.match(text, /org_unit_create\(input: OrganisationUnitCreateInput!\): OrganisationUnitResponse!/);
  assert.match(text, /parent_uuid: UUID @deprecated/);
});

test('root organisation exists as "root"; org_create sets the municipality code', async () => {
  const before = await mo.ok('{ org { uuid user_key name municipality_code } }');
  assert.is(before.org.user_key, 'root');
  assert.is(before.org.name, 'root');
  const created = await mo.ok('mutation { org_create(input: {municipality_code: 751}) { uuid municipality_code } }');
  assert.is(created.org_create.uuid, before.org.uuid);
  assert.is((await mo.ok('{ org { municipality_code } }')).org.municipality_code, 751);
});

test('paging: limit + next_cursor across 3 pages, keyset by uuid, no duplicates', async () => {
  const basics = await seedBasics(mo);
  const count = 7;
  await mo.ok(
    `mutation { ${Array.from({ length: count }, (_, i) => `u${i}: org_unit_create(input: {name: "Paged ${i}", user_key: "paged-${i}", org_unit_type: "${basics.unitType}", validity: {from: "2020-01-01"}}) { uuid }`).join('\n')} }`,
  );
  const query = `query($cursor: Cursor, $limit: int) {
    org_units(limit: $limit, cursor: $cursor, filter: {names: [${Array.from({ length: count }, (_, i) => `"Paged ${i}"`).join(',')}]}) {
      objects { uuid current { name } } page_info { next_cursor } } }`;
  const seen: string[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const data: any = await mo.ok(query, { cursor, limit: 3 });
    pages++;
    assert.ok(data.org_units.objects.length <= 3);
    seen.push(...data.org_units.objects.map((o: any) => o.uuid));
    cursor = data.org_units.page_info.next_cursor;
  } while (cursor && pages < 10);
  assert.is(pages, 3);
  assert.is(seen.length, count);
  assert.is(new Set(seen).size, count);
  assert.equal(seen, [...seen].sort());
  const all = await mo.ok(`{ org_units(filter: {query: "paged"}) { objects { uuid } page_info { next_cursor } } }`);
  assert.is(all.org_units.objects.length, count);
  assert.is(all.org_units.page_info.next_cursor, null);
});

test('persistence: objects survive a restart of the emulator on the same SQLite file', async () => {
  const db = await startTestMo();
  try {
    const basics = await seedBasics(db);
    const created = await db.ok(
      `mutation { org_unit_create(input: {name: "Persistent", org_unit_type: "${basics.unitType}", validity: {from: "2021-01-01"}}) { uuid } }`,
    );
    const uuid = created.org_unit_create.uuid;
    await db.ok(`mutation { org_unit_update(input: {uuid: "${uuid}", name: "Renamed", validity: {from: "2022-01-01"}}) { uuid } }`);
    await db.restart();
    const old = await db.gql('{ org { uuid } }', undefined, { token: 'stale' });
    assert.is(old.errors?.[0]?.message, 'User is not authenticated');
    const data = await db.ok(`{ org_units(filter: {uuids: ["${uuid}"], from_date: null, to_date: null}) {
      objects { validities(start: null, end: null) { name validity { from to } } } } }`);
    assert.equal(
      data.org_units.objects[0].validities.map((v: any) => [v.name, v.validity.from, v.validity.to]),
      [
        ['Persistent', '2021-01-01T00:00:00+01:00', '2022-01-01T00:00:00+01:00'],
        ['Renamed', '2022-01-01T00:00:00+01:00', null],
      ],
    );
  } finally {
    await db.stop();
  }
});

test('metrics: Prometheus text with requests, mutations by name and errors by key', async () => {
  const m = await startTestMo();
  try {
    const basics = await seedBasics(m);
    await m.ok(`mutation { a: org_unit_create(input: {name: "A", org_unit_type: "${basics.unitType}", validity: {from: "2020-01-01"}}) { uuid }
      b: org_unit_create(input: {name: "B", org_unit_type: "${basics.unitType}", validity: {from: "2020-01-01"}}) { uuid } }`);
    await m.gql(`mutation { org_unit_update(input: {uuid: "00000000-0000-4000-8000-000000000001", name: "x", validity: {from: "2020-01-01"}}) { uuid } }`);
    const text = await (await fetch(`${m.emu.url}/metrics`)).text();
    assert.match(text, /^mo_emulator_requests_total \d+$/m);
    assert.match(text, /^mo_emulator_graphql_requests_total 4$/m);
    assert.match(text, /^mo_emulator_mutations_total\{name="org_unit_create"\} 2$/m);
    assert.match(text, /^mo_emulator_mutations_total\{name="class_create"\} 12$/m);
    assert.match(text, /^mo_emulator_errors_total\{error_key="E_ORG_UNIT_NOT_FOUND"\} 1$/m);
    assert.match(text, /^# TYPE mo_emulator_mutations_total counter$/m);
    const snap = m.emu.metrics();
    assert.is(snap.mutations['org_unit_create'], 2);
    assert.is(snap.mutations['org_unit_update'], undefined);
    assert.is(snap.rollbacks, 1);
  } finally {
    await m.stop();
  }
});

test('fault injection: errorRate answers roughly that fraction with HTTP 500 and writes nothing', async () => {
  const f = await startTestMo({ faults: { errorRate: 0.3, seed: 42 } });
  try {
    const token = await f.token();
    let failures = 0;
    const n = 200;
    for (let i = 0; i < n; i++) {
      const r = await f.gql(`mutation { facet_create(input: {user_key: "f${i}", validity: {}}) { uuid } }`, undefined, { token });
      if (r.status === 500) failures++;
      else assert.ok(r.data?.facet_create?.uuid);
    }
    assert.ok(failures > n * 0.2 && failures < n * 0.4, `failures ${failures}`);
    f.emu.setFaults({});
    const stored = await f.ok('{ facets { objects { uuid } } }');
    assert.is(stored.facets.objects.length, n - failures);
    assert.is(f.emu.metrics().faults['error'], failures);
  } finally {
    await f.stop();
  }
});

test('fault injection: resetRate destroys the connection, delayMs delays the answer, same seed same faults', async () => {
  const f = await startTestMo();
  try {
    const token = await f.token();
    f.emu.setFaults({ resetRate: 1 });
    let failed = false;
    try {
      await f.gql('{ org { uuid } }', undefined, { token });
    } catch {
      failed = true;
    }
    assert.ok(failed, 'reset connection should fail the request');
    f.emu.setFaults({ delayMs: 150 });
    const t0 = Date.now();
    const r = await f.gql('{ org { uuid } }', undefined, { token });
    assert.ok(r.data?.org?.uuid);
    assert.ok(Date.now() - t0 >= 140, `delay ${Date.now() - t0}`);
    const run = async () => {
      f.emu.setFaults({ errorRate: 0.5, seed: 7 });
      const statuses: number[] = [];
      for (let i = 0; i < 20; i++) statuses.push((await f.gql('{ org { uuid } }', undefined, { token })).status);
      return statuses;
    };
    const first = await run();
    assert.equal(await run(), first);
    assert.ok(first.includes(500) && first.includes(200));
  } finally {
    await f.stop();
  }
});

test.run();
