import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createWasher, type WashOptions } from '../src/dar/index.ts';
import { dawaAnswer, idOf, json, startServer, withTempDir, type TestServer } from './helpers/dar-server.ts';

const DAY = 86_400_000;
const T0 = Date.UTC(2026, 10, 20, 8, 0, 0);
const fast = { retries: 1, retryDelayMs: 5, ratePerSecond: 1000 };

/** A DAWA mirror: 'Vej <n>' -> A match idOf(n); 'Ukendt …' -> no match; down=true -> 503. */
async function mirror(): Promise<TestServer & { down: boolean }> {
  const s = (await startServer((url, _req, res) => {
    if (s.down) return json(res, {}, 503);
    const b = url.searchParams.get('betegnelse')!;
    const m = /^vej (\d+)/i.exec(b);
    if (!m) return json(res, { kategori: 'C', resultater: [] });
    return json(res, dawaAnswer('A', [{ id: idOf(Number(m[1])) }]));
  })) as TestServer & { down: boolean };
  s.down = false;
  return s;
}

const texts = ['Vej 1, 8000 Aarhus C', 'Vej 2, 8000 Aarhus C', 'Ukendt 3'];

async function run(server: TestServer, o: Partial<WashOptions>, input = texts) {
  const before = server.requests.length;
  const w = await createWasher({ provider: 'dawa', dawaUrl: server.url, ...fast, ...o });
  const r = await w.wash(input);
  const stats = w.stats();
  await w.close();
  return { r, stats, requests: server.requests.length - before };
}

test('cache: a second run asks DAR only for the failures; refresh asks again', async () => {
  const server = await mirror();
  try {
    await withTempDir(async (dir) => {
      const cacheFile = join(dir, 'state', 'dar-cache.sqlite');
      const first = await run(server, { cacheFile, now: () => T0 });
      assert.is(first.requests, 3);
      assert.is(first.r.get(texts[0]!)!.cached, false);

      const second = await run(server, { cacheFile, now: () => T0 + 1000 });
      assert.is(second.requests, 1, 'only the unmatched address is asked again');
      assert.is(second.r.get(texts[0]!)!.id, idOf(1));
      assert.is(second.r.get(texts[0]!)!.cached, true);
      assert.is(second.r.get(texts[0]!)!.grade, 'A');
      assert.is(second.r.get('Ukendt 3')!.cached, false);
      assert.equal(second.stats, { requests: 1, cacheHits: 2, matched: 2, failed: 1 });

      const matchedOnly = await run(server, { cacheFile, now: () => T0 + 2000 }, [texts[0]!, '  VEJ 2,  8000 aarhus c ']);
      assert.is(matchedOnly.requests, 0, 'known addresses (also in another spelling of case/whitespace): no requests');
      assert.is(matchedOnly.r.get('  VEJ 2,  8000 aarhus c ')!.id, idOf(2));

      const refreshed = await run(server, { cacheFile, refresh: true, now: () => T0 + 3000 }, [texts[0]!, texts[1]!]);
      assert.is(refreshed.requests, 2, '--refresh-dar ignores the cache');
      assert.is(refreshed.r.get(texts[0]!)!.cached, false);

      // refresh within one washer: what this run washed is reused
      const w = await createWasher({ provider: 'dawa', dawaUrl: server.url, ...fast, cacheFile, refresh: true, now: () => T0 + 4000 });
      const before = server.requests.length;
      await w.wash([texts[0]!]);
      await w.wash([texts[0]!]);
      assert.is(server.requests.length - before, 1);
      await w.close();

      // the other provider's answers are not used
      const other = await createWasher({ provider: 'adressevask', adressevaskUrl: server.url, token: 't', ...fast, cacheFile });
      const o = await other.wash([texts[0]!]);
      assert.is(o.get(texts[0]!)!.cached, false);
      await other.close();
    });
  } finally {
    await server.close();
  }
});

test('cache: failures are not cached; after an outage the next run retries and matches', async () => {
  const server = await mirror();
  try {
    await withTempDir(async (dir) => {
      const cacheFile = join(dir, 'dar-cache.sqlite');
      server.down = true;
      const outage = await run(server, { cacheFile, now: () => T0 });
      assert.is(outage.r.get(texts[0]!)!.reason, 'DAR unavailable: HTTP 503');
      assert.is(outage.stats.matched, 0);
      server.down = false;
      const next = await run(server, { cacheFile, now: () => T0 + DAY });
      assert.is(next.requests, 3);
      assert.is(next.r.get(texts[0]!)!.id, idOf(1));
      assert.is(next.r.get(texts[0]!)!.cached, false);
    });
  } finally {
    await server.close();
  }
});

test('cache: TTL expiry (default 30 days, configurable)', async () => {
  const server = await mirror();
  try {
    await withTempDir(async (dir) => {
      const cacheFile = join(dir, 'dar-cache.sqlite');
      const two = [texts[0]!, texts[1]!];
      assert.is((await run(server, { cacheFile, now: () => T0 }, two)).requests, 2);
      assert.is((await run(server, { cacheFile, now: () => T0 + 29 * DAY }, two)).requests, 0);
      assert.is((await run(server, { cacheFile, now: () => T0 + 31 * DAY }, two)).requests, 2, 'expired after 30 days');
      // re-washed entries are fresh again
      assert.is((await run(server, { cacheFile, now: () => T0 + 32 * DAY }, two)).requests, 0);
      assert.is((await run(server, { cacheFile, cacheTtlDays: 0.5, now: () => T0 + 33 * DAY }, two)).requests, 2);
    });
  } finally {
    await server.close();
  }
});

test('cache: the file provider reuses answers only for the same register file and loads it lazily', async () => {
  await withTempDir(async (dir) => {
    const registerFile = join(dir, 'adresse.csv');
    const cacheFile = join(dir, 'dar-cache.sqlite');
    await writeFile(registerFile, `${idOf(1)};Vej 1, 8000 Aarhus C\n${idOf(2)};Vej 2, 8000 Aarhus C\n`);
    const w1 = await createWasher({ provider: 'file', registerFile, cacheFile });
    await w1.wash(['Vej 1, 8000 Aarhus C']);
    assert.is(w1.stats().registerRecords, 2);
    await w1.close();

    const w2 = await createWasher({ provider: 'file', registerFile, cacheFile });
    const r2 = await w2.wash(['Vej 1, 8000 Aarhus C']);
    assert.is(r2.get('Vej 1, 8000 Aarhus C')!.cached, true);
    assert.is(w2.stats().registerRecords, undefined, 'all answers cached: the register was not read');
    await w2.close();

    // a new register (the address moved to another id)
    await writeFile(registerFile, `${idOf(11)};Vej 1, 8000 Aarhus C\n`);
    await utimes(registerFile, new Date(T0 / 1000), new Date(T0 + 5000));
    const w3 = await createWasher({ provider: 'file', registerFile, cacheFile });
    const r3 = await w3.wash(['Vej 1, 8000 Aarhus C']);
    assert.is(r3.get('Vej 1, 8000 Aarhus C')!.cached, false);
    assert.is(r3.get('Vej 1, 8000 Aarhus C')!.id, idOf(11));
    await w3.close();
  });
});

test('cache: an unusable cache file is a warning, washing goes on', async () => {
  const server = await mirror();
  try {
    await withTempDir(async (dir) => {
      const cacheFile = join(dir, 'dar-cache.sqlite');
      await writeFile(cacheFile, 'this is not a database '.repeat(100));
      const w = await createWasher({ provider: 'dawa', dawaUrl: server.url, ...fast, cacheFile });
      const r = await w.wash([texts[0]!]);
      assert.is(r.get(texts[0]!)!.id, idOf(1));
      assert.is(w.warnings().length, 1);
      assert.match(w.warnings()[0]!, /DAR cache .* unusable/);
      await w.close();
    });
  } finally {
    await server.close();
  }
});

test.run();
