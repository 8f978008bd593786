/**
 * MoClient under failure, against the MO emulator over HTTP (plus, for what the emulator can't
 * do, a small node:http proxy in front of it): tokens, auth failures, retries on 500 / 429 /
 * reset / timeout, bounded concurrency, bisection, secrets.
 */
import { randomUUID } from 'node:crypto';
import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { MoClient, MoError, type MoClientOptions, type MoEvent, type MutationGroup } from '../src/mo/client.ts';
import { startEmulator } from '../src/mo-emulator/server.ts';
import { startTestMo, type TestMo } from './helpers/mo.ts';

interface Target { url: string; authServer: string; realm: string; clientId: string; clientSecret: string }

function client(emu: Target, extra: Partial<MoClientOptions> = {}, events: MoEvent[] = []): MoClient {
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

/**
 * A loopback proxy in front of the emulator. `intercept` may answer a GraphQL request itself
 * (return true); `rewrite` may change a forwarded GraphQL answer's JSON. Tracks requests in flight
 * and the bearer tokens it saw.
 */
async function startProxy(
  upstream: string,
  hooks: {
    intercept?: (req: IncomingMessage, res: ServerResponse, n: number) => boolean;
    rewrite?: (body: any) => any;
  } = {},
) {
  let inFlight = 0;
  let maxInFlight = 0;
  let graphql = 0;
  const tokens = new Set<string>();
  const target = new URL(upstream);
  const server = createServer((req, res) => {
    const isGraphql = (req.url ?? '').startsWith('/graphql');
    const auth = /^Bearer (\S+)/.exec(req.headers.authorization ?? '');
    if (auth) tokens.add(auth[1]!);
    if (isGraphql) {
      graphql++;
      if (hooks.intercept?.(req, res, graphql)) return;
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
    }
    const up = httpRequest(
      { host: target.hostname, port: target.port, path: req.url, method: req.method, headers: { ...req.headers, host: target.host } },
      (upRes) => {
        const chunks: Buffer[] = [];
        upRes.on('data', (c: Buffer) => chunks.push(c));
        upRes.on('end', () => {
          if (isGraphql) inFlight--;
          let body = Buffer.concat(chunks);
          if (isGraphql && hooks.rewrite && upRes.statusCode === 200) body = Buffer.from(JSON.stringify(hooks.rewrite(JSON.parse(body.toString('utf8')))));
          const headers = { ...upRes.headers, 'content-length': String(body.length) };
          delete headers['transfer-encoding'];
          res.writeHead(upRes.statusCode ?? 502, headers);
          res.end(body);
        });
      },
    );
    up.on('error', () => {
      if (isGraphql) inFlight--;
      res.destroy();
    });
    req.pipe(up);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    tokens,
    get maxInFlight() {
      return maxInFlight;
    },
    get graphql() {
      return graphql;
    },
    resetMax() {
      maxInFlight = 0;
    },
    async stop() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
    },
  };
}

const via = (mo: TestMo, proxyUrl: string): Target => ({ ...mo.emu, url: proxyUrl, authServer: `${proxyUrl}/auth` });

async function newFacet(mo: TestMo): Promise<string> {
  const data = await mo.ok(`mutation($k: String!) { facet_create(input: {user_key: $k, validity: {}}) { uuid } }`, { k: `f${randomUUID().slice(0, 8)}` });
  return data.facet_create.uuid;
}

const classGroups = (facet: string, n: number): MutationGroup[] =>
  Array.from({ length: n }, (_, i) => {
    const uuid = randomUUID();
    return {
      ref: { kind: 'class', uuid, user_key: `k${i}`, file: 'STAM.csv', line: i + 2 },
      mutations: [{ name: 'class_create', input: { uuid, user_key: `k${i}`, name: `Class ${i}`, facet_uuid: facet, validity: {} } }],
    };
  });

async function classCount(mo: TestMo, facet: string): Promise<number> {
  const data = await mo.ok(`query($f: UUID!) { classes(filter: {facet: {uuids: [$f]}}) { objects { uuid } } }`, { f: facet });
  return data.classes.objects.length;
}

const FACETS = `query { facets { objects { uuid } } }`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));


/** A mutation MO refuses: an update of an org unit it does not have (E_ORG_UNIT_NOT_FOUND). A class with an unknown facet is no longer one: MO takes it (LoRa relations have no foreign keys). */
const refusedByMo = () => ({ name: 'org_unit_update', input: { uuid: randomUUID(), name: 'x', validity: { from: '2020-01-01' } } });

test('token: fetched once for concurrent requests, renewed before it expires', async () => {
  const mo = await startTestMo({ tokenLifetimeSeconds: 2 });
  try {
    const events: MoEvent[] = [];
    const c = client(mo.emu, { concurrency: 4 }, events);
    await Promise.all(Array.from({ length: 8 }, () => c.query(FACETS)));
    assert.is(c.stats().tokens, 1, 'concurrent requests share one token fetch');
    await sleep(1000);
    await c.query(FACETS);
    assert.is(c.stats().tokens, 1, 'still valid, not renewed yet');
    await sleep(900); // ≥ 1.9 s of a 2 s lifetime: inside the renewal margin (or past expiry)
    await c.query(FACETS);
    assert.is(c.stats().tokens, 2, 'renewed ahead of expiry');
    assert.is(events.filter((e) => e.type === 'token').length, 2);
    assert.is(mo.emu.metrics().errors.UNAUTHENTICATED ?? 0, 0, 'no request went out with an expired token');
  } finally {
    await mo.stop();
  }
});

test('token: "User is not authenticated" renews the token once and resends', async () => {
  const mo = await startTestMo();
  let second: Awaited<ReturnType<typeof startEmulator>> | undefined;
  try {
    const c = client(mo.emu);
    await c.query(FACETS);
    // MO forgets every token (restart on the same port): the cached token is now refused
    const port = Number(new URL(mo.emu.url).port);
    await mo.emu.stop();
    second = await startEmulator({ dbPath: mo.dbPath, port, clientSecret: mo.emu.clientSecret });
    const data = await c.query<{ facets: { objects: unknown[] } }>(FACETS);
    assert.ok(Array.isArray(data.facets.objects));
    assert.is(c.stats().tokens, 2);
    assert.is(second.metrics().errors.UNAUTHENTICATED, 1, 'one refused request, then the resend');
  } finally {
    await second?.stop();
    await mo.stop();
  }
});

test('unauthenticated: wrong secret and no secret give clear MoErrors without secrets', async () => {
  const mo = await startTestMo();
  try {
    const wrong = 'wrong-secret-Zq83kd';
    const bad = client({ ...mo.emu, clientSecret: wrong }, { retries: 3 });
    try {
      await bad.query(FACETS);
      assert.unreachable('should throw');
    } catch (error) {
      assert.instance(error, MoError);
      const message = (error as Error).message;
      assert.match(message, /authentication failed/);
      assert.match(message, /HTTP 401/);
      assert.match(message, /client "dipex"/);
      assert.not.ok(message.includes(wrong), 'no secret in the message');
      assert.not.ok(JSON.stringify((error as MoError).errors).includes(wrong));
      assert.is(bad.stats().retries, 0, 'a refused token is not retried');
    }
    const anonymous = new MoClient({ url: mo.emu.url, clientId: 'dipex', retryDelayMs: 1, batchSize: 1, concurrency: 1 });
    try {
      await anonymous.query(FACETS);
      assert.unreachable('should throw');
    } catch (error) {
      assert.instance(error, MoError);
      assert.match((error as Error).message, /User is not authenticated \(no client_secret configured\)/);
    }
    const groups = classGroups(randomUUID(), 3);
    try {
      await anonymous.write(groups);
      assert.unreachable('should throw');
    } catch (error) {
      assert.instance(error, MoError);
      assert.match((error as Error).message, /refused: User is not authenticated/);
      assert.is(anonymous.stats().requests, 2, 'no isolation, no further batches: one query, one write request');
      assert.equal((error as MoError).partial, { written: [], failed: [], requests: 1, mutations: 0 });
    }
  } finally {
    await mo.stop();
  }
});

test('HTTP 500 (injected) is retried until the write goes through', async () => {
  const mo = await startTestMo();
  try {
    const facet = await newFacet(mo);
    mo.emu.setFaults({ errorRate: 0.4, seed: 11 });
    const events: MoEvent[] = [];
    const c = client(mo.emu, { batchSize: 5, retries: 10 }, events);
    const result = await c.write(classGroups(facet, 40));
    mo.emu.setFaults({});
    assert.is(result.failed.length, 0);
    assert.is(result.written.length, 40);
    const injected = mo.emu.metrics().faults.error ?? 0;
    assert.ok(injected > 0, 'faults were injected');
    assert.is(c.stats().retries, injected, 'one retry per 500');
    assert.is(result.requests, 8 + injected);
    assert.ok(events.some((e) => e.type === 'retry' && e.reason === 'HTTP 500'));
    assert.is(await classCount(mo, facet), 40);
  } finally {
    await mo.stop();
  }
});

test('HTTP 500 on every attempt: MoError after the configured retries', async () => {
  const mo = await startTestMo();
  try {
    mo.emu.setFaults({ errorRate: 1 });
    const c = client(mo.emu, { retries: 2 });
    try {
      await c.query(FACETS);
      assert.unreachable('should throw');
    } catch (error) {
      assert.instance(error, MoError);
      assert.match((error as Error).message, /query facets failed after 3 attempts: HTTP 500/);
    }
    assert.is(mo.emu.metrics().graphqlRequests, 3);
  } finally {
    await mo.stop();
  }
});

test('HTTP 429 is retried and Retry-After is honoured', async () => {
  const mo = await startTestMo();
  const proxy = await startProxy(mo.emu.url, {
    intercept: (req, res, n) => {
      if (n > 1) return false;
      req.resume();
      res.writeHead(429, { 'retry-after': '1', 'content-type': 'application/json' });
      res.end('{"detail":"Too Many Requests"}');
      return true;
    },
  });
  try {
    const events: MoEvent[] = [];
    const c = client(via(mo, proxy.url), { retryDelayMs: 0 }, events);
    await c.query(FACETS);
    // the wait the client slept before the retry: Retry-After: 1 although the backoff is 0
    assert.equal(events.filter((e) => e.type === 'retry'), [{ type: 'retry', attempt: 1, reason: 'HTTP 429', delayMs: 1000 }]);
    assert.is(proxy.graphql, 2);
  } finally {
    await proxy.stop();
    await mo.stop();
  }
});

test('connection resets are retried', async () => {
  const mo = await startTestMo();
  try {
    const facet = await newFacet(mo);
    mo.emu.setFaults({ resetRate: 0.4, seed: 5 });
    const c = client(mo.emu, { batchSize: 4, retries: 10 });
    const result = await c.write(classGroups(facet, 24));
    mo.emu.setFaults({});
    assert.is(result.failed.length, 0);
    const resets = mo.emu.metrics().faults.reset ?? 0;
    assert.ok(resets > 0, 'resets were injected');
    assert.ok(c.stats().retries >= resets, `retries ${c.stats().retries} ≥ resets ${resets}`);
    assert.is(await classCount(mo, facet), 24);
  } finally {
    await mo.stop();
  }
});

test('a timed-out write that MO committed is read back, not sent again', async () => {
  const mo = await startTestMo();
  try {
    const facet = await newFacet(mo);
    mo.emu.setFaults({ delayMs: 1500 });
    const events: MoEvent[] = [];
    const c = client(mo.emu, {
      timeoutMs: 300,
      onEvent: (e) => {
        events.push(e);
        if (e.type === 'retry') mo.emu.setFaults({}); // MO is fast again for the retry
      },
    });
    const result = await c.write(classGroups(facet, 1));
    assert.is(result.written.length, 1);
    assert.is(result.mutations, 1);
    assert.equal(events.filter((e) => e.type === 'retry').map((e) => e.type === 'retry' && [e.attempt, e.reason]), [[1, 'timeout after 300 ms']]);
    assert.equal(events.filter((e) => e.type === 'reconciled'), [{ type: 'reconciled', committed: 1, resent: 0 }]);
    assert.is(mo.emu.metrics().mutations.class_create, 1, 'committed once: the create was found by its uuid and not sent again');
    assert.is(await classCount(mo, facet), 1);
  } finally {
    await mo.stop();
  }
});

test('answers lost after commit (emulator fault "lost"): what MO committed is read back and not sent again', async () => {
  const mo = await startTestMo();
  try {
    const facet = await newFacet(mo);
    const events: MoEvent[] = [];
    // every answer is lost until the first retry: the first write request commits, its answer never comes
    mo.emu.setFaults({ lostRate: 1 });
    const c = client(mo.emu, { batchSize: 5, concurrency: 1, onEvent: (e) => { events.push(e); if (e.type === 'retry') mo.emu.setFaults({}); } });
    const result = await c.write(classGroups(facet, 10));
    assert.is(mo.emu.metrics().faults.lost, 1);
    assert.is(result.failed.length, 0);
    assert.is(result.written.length, 10);
    assert.is(result.mutations, 10);
    assert.equal(events.filter((e) => e.type === 'reconciled'), [{ type: 'reconciled', committed: 5, resent: 0 }]);
    assert.is(mo.emu.metrics().mutations.class_create, 10, 'each class committed exactly once');
    assert.is(await classCount(mo, facet), 10);
  } finally {
    await mo.stop();
  }
});

test('HTTP 502 before MO executed (emulator fault, errorStatus 502): nothing found, the whole batch is sent again', async () => {
  const mo = await startTestMo();
  try {
    const facet = await newFacet(mo);
    const events: MoEvent[] = [];
    mo.emu.setFaults({ errorRate: 1, errorStatus: 502 });
    const c = client(mo.emu, { batchSize: 5, concurrency: 1, onEvent: (e) => { events.push(e); if (e.type === 'retry') mo.emu.setFaults({}); } });
    const result = await c.write(classGroups(facet, 5));
    assert.is(mo.emu.metrics().faults.error, 1);
    assert.equal(events.filter((e) => e.type === 'retry').map((e) => e.type === 'retry' && e.reason), ['HTTP 502']);
    assert.equal(events.filter((e) => e.type === 'reconciled'), [{ type: 'reconciled', committed: 0, resent: 5 }]);
    assert.is(result.written.length, 5);
    assert.is(mo.emu.metrics().mutations.class_create, 5);
  } finally {
    await mo.stop();
  }
});

test('HTTP 500 (MO answered and rolled back) is not ambiguous: sent again without a read-back', async () => {
  const mo = await startTestMo();
  try {
    const facet = await newFacet(mo);
    const events: MoEvent[] = [];
    mo.emu.setFaults({ errorRate: 1 });
    const c = client(mo.emu, { onEvent: (e) => { events.push(e); if (e.type === 'retry') mo.emu.setFaults({}); } });
    const result = await c.write(classGroups(facet, 3));
    assert.is(result.written.length, 3);
    assert.is(events.filter((e) => e.type === 'reconciled').length, 0);
  } finally {
    await mo.stop();
  }
});

test('at most `concurrency` requests in flight', async () => {
  const mo = await startTestMo();
  const proxy = await startProxy(mo.emu.url);
  try {
    const facet = await newFacet(mo);
    mo.emu.setFaults({ delayMs: 60 });
    const c = client(via(mo, proxy.url), { batchSize: 2, concurrency: 3 });
    const result = await c.write(classGroups(facet, 20));
    assert.is(result.requests, 10);
    assert.is(proxy.maxInFlight, 3);
    proxy.resetMax();
    const ordered = await c.write(classGroups(facet, 6), { ordered: true });
    assert.is(ordered.requests, 3);
    assert.is(proxy.maxInFlight, 1, 'ordered: one request at a time');
  } finally {
    await proxy.stop();
    await mo.stop();
  }
});

test('without an error path the failing group is found by bisection', async () => {
  const mo = await startTestMo();
  // strip `path` from every error: the client can't tell which alias failed
  const proxy = await startProxy(mo.emu.url, {
    rewrite: (body) => (body.errors ? { ...body, errors: body.errors.map(({ path: _p, ...e }: any) => e) } : body),
  });
  try {
    const facet = await newFacet(mo);
    const groups = classGroups(facet, 10);
    groups[7]!.mutations[0] = refusedByMo();
    const c = client(via(mo, proxy.url));
    const result = await c.write(groups, { ordered: true });
    assert.is(result.written.length, 9);
    assert.is(result.failed.length, 1);
    assert.is(result.failed[0]!.group.ref.line, 9);
    assert.is(result.failed[0]!.group.ref.uuid, groups[7]!.ref.uuid);
    assert.ok(result.failed[0]!.error.error_key);
    // [10] ✗ → [5] ✓ [5] ✗ → [3] ✗ → [2] ✓ [1] ✗ … a handful, not one per group
    assert.ok(result.requests >= 4 && result.requests <= 8, `requests: ${result.requests}`);
    assert.is(result.mutations, 9);
    assert.is(await classCount(mo, facet), 9);
    // ordered: groups were written in their original order
    assert.equal(
      result.written.map((g) => g.ref.line),
      groups.filter((_, i) => i !== 7).map((g) => g.ref.line),
    );
  } finally {
    await proxy.stop();
    await mo.stop();
  }
});

test('the client secret and tokens never appear in errors or events', async () => {
  const secret = 'S3cret-abcdefghijklmnop';
  const mo = await startTestMo({ clientSecret: secret, tokenLifetimeSeconds: 1 });
  const proxy = await startProxy(mo.emu.url);
  try {
    const facet = await newFacet(mo);
    const events: MoEvent[] = [];
    const target = via(mo, proxy.url);
    const c = client(target, {}, events);
    const groups = classGroups(facet, 3);
    groups[1]!.mutations[0] = refusedByMo();
    const result = await c.write(groups);
    await sleep(1000);
    await c.query(FACETS);
    mo.emu.setFaults({ errorRate: 1 });
    const errors: string[] = [];
    try {
      await client(target, { retries: 1 }).query(FACETS);
    } catch (error) {
      errors.push((error as Error).message, JSON.stringify((error as MoError).errors));
    }
    mo.emu.setFaults({});
    try {
      await client({ ...target, clientSecret: `${secret}x` }).query(FACETS);
    } catch (error) {
      errors.push((error as Error).message, JSON.stringify((error as MoError).errors));
    }
    assert.ok(proxy.tokens.size >= 2, 'tokens were used');
    assert.is(errors.length, 4);
    const everything = JSON.stringify([events, result.failed.map((f) => f.error), errors]);
    assert.not.ok(everything.includes(secret), 'secret leaked');
    for (const token of proxy.tokens) assert.not.ok(everything.includes(token), 'token leaked');
  } finally {
    await proxy.stop();
    await mo.stop();
  }
});

test.run();
