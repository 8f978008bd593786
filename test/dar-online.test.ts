import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createWasher } from '../src/dar/index.ts';
import { redact } from '../src/log.ts';
import { SlidingWindowLimiter, type RateClock } from '../src/dar/online.ts';
import { parseRetryAfter, type RetryEvent } from '../src/http/retry.ts';
import { dawaAnswer, idOf, json, sleep, startServer, vaskAnswer, withTempDir } from './helpers/dar-server.ts';

const fast = { retries: 2, retryDelayMs: 10, ratePerSecond: 1000 };

/** A virtual clock for the rate limiter: sleeping moves its time on at once; `starts` are the request starts. */
function virtualClock(): RateClock & { starts: number[] } {
  let t = 0;
  return { starts: [], now: () => t, sleep: async (ms) => { t += ms; await new Promise((r) => setImmediate(r)); } };
}
/** The most request starts in any window of `ms` (a window [t, t + ms) from each start). */
const busiestWindow = (starts: number[], ms: number) => Math.max(0, ...starts.map((s) => starts.filter((t) => t >= s && t < s + ms).length));
const retries = (events: RetryEvent[]) => events.map((e) => ({ attempt: e.attempt, reason: e.reason, delayMs: e.delayMs }));

test('dawa: A and B matched, C/retired/empty unmatched, current id preferred', async () => {
  const server = await startServer((url, _req, res) => {
    assert.is(url.pathname, '/datavask/adresser');
    const b = url.searchParams.get('betegnelse');
    switch (b) {
      case 'Testvej 1, 8000 Aarhus C': return json(res, dawaAnswer('A', [{ id: idOf(1) }]));
      case 'testvej 2 8000': return json(res, dawaAnswer('B', [{ id: idOf(2) }]));
      case 'Testvej 3': return json(res, dawaAnswer('C', [{ id: idOf(3) }, { id: idOf(33) }]));
      case 'Gammelvej 4, 8000 Aarhus C': return json(res, dawaAnswer('A', [{ id: idOf(4), aktuel: { id: idOf(4), status: 2 } }]));
      case 'Nedlagtvej 5, 8000': return json(res, dawaAnswer('B', [{ id: idOf(5), status: 4, aktuel: null }]));
      case 'Historisk 6, 8000': return json(res, dawaAnswer('B', [{ id: idOf(6), status: 2, aktuel: { id: idOf(66), status: 1 } }]));
      case 'Ingen 7': return json(res, { kategori: 'C', resultater: [] });
      case 'Skrald 8': return json(res, { hello: 'world' });
      default: return json(res, { kategori: 'C', resultater: [] });
    }
  });
  try {
    const w = await createWasher({ provider: 'dawa', dawaUrl: server.url + '/', ...fast });
    const texts = ['Testvej 1, 8000 Aarhus C', 'testvej 2 8000', 'Testvej 3', 'Gammelvej 4, 8000 Aarhus C', 'Nedlagtvej 5, 8000', 'Historisk 6, 8000', 'Ingen 7', 'Skrald 8', '   '];
    const r = await w.wash(texts);
    assert.equal({ id: r.get(texts[0]!)!.id, grade: r.get(texts[0]!)!.grade }, { id: idOf(1), grade: 'A' });
    assert.equal({ id: r.get(texts[1]!)!.id, grade: r.get(texts[1]!)!.grade }, { id: idOf(2), grade: 'B' });
    assert.equal(r.get('Testvej 3')!.id, null);
    assert.is(r.get('Testvej 3')!.reason, 'uncertain (category C)');
    assert.is(r.get('Testvej 3')!.grade, 'C');
    assert.is(r.get(texts[3]!)!.id, null);
    assert.is(r.get(texts[3]!)!.reason, 'retired address');
    assert.is(r.get(texts[4]!)!.reason, 'retired address');
    assert.is(r.get(texts[5]!)!.id, idOf(66), 'the current address (aktueladresse) wins');
    assert.is(r.get('Ingen 7')!.reason, 'no match');
    assert.match(r.get('Skrald 8')!.reason!, /^DAR unavailable: invalid response/);
    assert.is(r.get('   ')!.reason, 'empty address');
    assert.is(r.get(texts[0]!)!.provider, 'dawa');
    assert.is(r.get(texts[0]!)!.cached, false);
    assert.is(server.requests.length, 8, 'one request per non-empty address, none for the empty one');
    const s = w.stats();
    assert.equal(s, { requests: 8, cacheHits: 0, matched: 3, failed: 6 });
    await w.close();
  } finally {
    await server.close();
  }
});

test('dawa: 429 with Retry-After: 0 and 500 are retried, then succeed', async () => {
  const seen = new Map<string, number>();
  const server = await startServer((url, _req, res) => {
    const b = url.searchParams.get('betegnelse')!;
    const n = (seen.get(b) ?? 0) + 1;
    seen.set(b, n);
    if (b === 'Travl 1' && n === 1) return json(res, { type: 'TooManyRequests' }, 429, { 'retry-after': '0' });
    if (b === 'Fejl 2' && n === 1) return json(res, { type: 'InternalError' }, 500);
    return json(res, dawaAnswer('A', [{ id: idOf(b === 'Travl 1' ? 1 : 2) }]));
  });
  try {
    let counted = 0;
    const w = await createWasher({ provider: 'dawa', dawaUrl: server.url, ...fast, onRequest: () => counted++ });
    const r = await w.wash(['Travl 1', 'Fejl 2']);
    assert.is(r.get('Travl 1')!.id, idOf(1));
    assert.is(r.get('Fejl 2')!.id, idOf(2));
    assert.is(seen.get('Travl 1'), 2);
    assert.is(seen.get('Fejl 2'), 2);
    assert.is(counted, 4, 'onRequest counts every attempt');
    assert.is(w.stats().requests, 4);
    await w.close();
  } finally {
    await server.close();
  }
});

test('dawa: Retry-After is honoured (1 s although the backoff is 10 ms)', async () => {
  let n = 0;
  const server = await startServer((_url, _req, res) => {
    if (++n === 1) return json(res, {}, 429, { 'retry-after': '1' });
    return json(res, dawaAnswer('A', [{ id: idOf(1) }]));
  });
  try {
    const events: RetryEvent[] = [];
    const w = await createWasher({ provider: 'dawa', dawaUrl: server.url, ...fast, onRetry: (e) => events.push(e) });
    const r = await w.wash(['Travl 1']);
    assert.is(r.get('Travl 1')!.id, idOf(1));
    // the wait before the retry: the server's 1 s, not the 10 ms backoff
    assert.equal(retries(events), [{ attempt: 1, reason: 'HTTP 429', delayMs: 1000 }]);
    assert.is(server.requests.length, 2);
    await w.close();
  } finally {
    await server.close();
  }
  assert.is(parseRetryAfter('2'), 2000);
  assert.is(parseRetryAfter(new Date(Date.UTC(2026, 10, 1, 0, 0, 5)).toUTCString(), Date.UTC(2026, 10, 1)), 5000);
  assert.is(parseRetryAfter(null), undefined);
  assert.is(parseRetryAfter('soon'), undefined);
});

test('dawa: persistent 500 -> unmatched "DAR unavailable", no throw, retries bounded', async () => {
  const server = await startServer((_url, _req, res) => json(res, { type: 'InternalError' }, 500));
  try {
    const w = await createWasher({ provider: 'dawa', dawaUrl: server.url, ...fast });
    const r = await w.wash(['Nede 1', 'Nede 2']);
    for (const t of ['Nede 1', 'Nede 2']) {
      assert.is(r.get(t)!.id, null);
      assert.is(r.get(t)!.reason, 'DAR unavailable: HTTP 500');
    }
    assert.is(server.requests.length, 2 * 3, 'first attempt + 2 retries per address');
    assert.equal(w.stats().failed, 2);
    await w.close();
  } finally {
    await server.close();
  }
});

test('dawa: network error and timeout -> "DAR unavailable", no throw', async () => {
  const dead = await startServer((_u, _q, res) => json(res, {}));
  const deadUrl = dead.url;
  await dead.close();
  const w1 = await createWasher({ provider: 'dawa', dawaUrl: deadUrl, ...fast, retries: 1 });
  const r1 = await w1.wash(['Testvej 1']);
  assert.is(r1.get('Testvej 1')!.id, null);
  assert.match(r1.get('Testvej 1')!.reason!, /^DAR unavailable: .*ECONNREFUSED/);
  await w1.close();

  const hang = await startServer(() => new Promise(() => {})); // never answers
  try {
    const events: RetryEvent[] = [];
    const w2 = await createWasher({ provider: 'dawa', dawaUrl: hang.url, ...fast, retries: 1, timeoutMs: 150, onRetry: (e) => events.push(e) });
    const r2 = await w2.wash(['Testvej 1']);
    assert.is(r2.get('Testvej 1')!.reason, 'DAR unavailable: timeout after 150 ms');
    assert.is(hang.requests.length, 2);
    assert.equal(retries(events), [{ attempt: 1, reason: 'timeout after 150 ms', delayMs: 10 }], 'the hanging request was given up, then retried once');
    await w2.close();
  } finally {
    await hang.close();
  }
});

test('dawa: breaker stops asking after N addresses in a row failed', async () => {
  const server = await startServer((_url, _req, res) => json(res, {}, 503));
  try {
    const w = await createWasher({ provider: 'dawa', dawaUrl: server.url, ...fast, retries: 1, concurrency: 1, breakerThreshold: 3 });
    const texts = Array.from({ length: 20 }, (_, i) => `Nedevej ${i + 1}`);
    const r = await w.wash(texts);
    assert.is(server.requests.length, 3 * 2, 'three addresses asked (2 attempts each), the rest skipped');
    for (const t of texts) {
      assert.is(r.get(t)!.id, null);
      assert.match(r.get(t)!.reason!, /^DAR unavailable: HTTP 503/);
    }
    assert.match(r.get('Nedevej 20')!.reason!, /not asked/);
    await w.close();
  } finally {
    await server.close();
  }
});

test('dawa: never more than 10 requests in flight (and option honoured)', async () => {
  const server = await startServer(async (url, _req, res) => {
    await sleep(100);
    json(res, dawaAnswer('A', [{ id: idOf(parseInt(url.searchParams.get('betegnelse')!.split(' ')[1]!, 10)) }]));
  });
  try {
    const texts = Array.from({ length: 40 }, (_, i) => `Vej ${i + 1}`);
    const w = await createWasher({ provider: 'dawa', dawaUrl: server.url, ...fast });
    const r = await w.wash(texts);
    assert.is(r.get('Vej 17')!.id, idOf(17));
    assert.is(server.maxInFlight, 10, `max in flight ${server.maxInFlight}`);
    await w.close();

    server.maxInFlight = 0;
    const w3 = await createWasher({ provider: 'dawa', dawaUrl: server.url, ...fast, concurrency: 3 });
    await w3.wash(texts.slice(0, 12).map((t) => t + 'x'));
    assert.is(server.maxInFlight, 3);
    await w3.close();
  } finally {
    await server.close();
  }
});

test('dawa: rate limit holds in every 1 s window (ratePerSecond 5), on a virtual clock', async () => {
  const server = await startServer((_url, _req, res) => json(res, dawaAnswer('B', [{ id: idOf(1) }])));
  try {
    const clock = virtualClock();
    const w = await createWasher({ provider: 'dawa', dawaUrl: server.url, retries: 0, ratePerSecond: 5, rateClock: clock, onRequest: () => clock.starts.push(clock.now()) });
    const texts = Array.from({ length: 12 }, (_, i) => `Hurtigvej ${i + 1}`);
    const r = await w.wash(texts);
    assert.is(server.requests.length, 12);
    assert.ok(texts.every((t) => r.get(t)!.id === idOf(1)));
    assert.equal(clock.starts, [0, 0, 0, 0, 0, 1000, 1000, 1000, 1000, 1000, 2000, 2000], 'five starts per second, the rest wait');
    assert.is(busiestWindow(clock.starts, 1000), 5);
    await w.close();
  } finally {
    await server.close();
  }
  // the limiter itself: 7 acquisitions with 3 per 100 ms window, and a window that slides
  const clock = virtualClock();
  const lim = new SlidingWindowLimiter(3, 100, clock);
  await Promise.all(Array.from({ length: 7 }, () => lim.acquire().then(() => clock.starts.push(clock.now()))));
  assert.equal(clock.starts, [0, 0, 0, 100, 100, 100, 200]);
  const sliding = virtualClock();
  const lim2 = new SlidingWindowLimiter(2, 100, sliding);
  for (const wait of [0, 60, 0, 0]) {
    await sliding.sleep(wait);
    await lim2.acquire();
    sliding.starts.push(sliding.now());
  }
  // starts at 0 and 60; the third must wait until 100 (0 leaves the window), the fourth until 160
  assert.equal(sliding.starts, [0, 60, 100, 160]);
  assert.is(busiestWindow(sliding.starts, 100), 2);
});

test('dawa: text cut to 100 characters, whitespace collapsed, one request per distinct address', async () => {
  const server = await startServer((_url, _req, res) => json(res, dawaAnswer('A', [{ id: idOf(1) }])));
  try {
    const w = await createWasher({ provider: 'dawa', dawaUrl: server.url, ...fast });
    const long = 'Lang vej 1, ' + 'x'.repeat(200);
    const r = await w.wash([long, 'Testvej  1,\t8000 Aarhus C', 'testvej 1, 8000 aarhus c']);
    assert.is(server.requests.length, 2);
    const sent = server.requests.map((q) => q.url.searchParams.get('betegnelse')!);
    assert.ok(sent.some((s) => s.length === 100 && s.startsWith('Lang vej 1, x')));
    assert.ok(sent.includes('Testvej 1, 8000 Aarhus C'));
    assert.is(r.size, 3, 'every input text has its own entry');
    assert.is(r.get('testvej 1, 8000 aarhus c')!.id, idOf(1));
    await w.close();
  } finally {
    await server.close();
  }
});

const TOKEN = 'hemmelig-T0ken+/=abc';

test('adressevask: kode >= 0 with id matches; negative kode is the reason; token never leaks', async () => {
  const server = await startServer((url, _req, res) => {
    assert.is(url.pathname, '/vask/');
    if (url.searchParams.get('token') !== TOKEN) return json(res, { error: `bad token ${url.searchParams.get('token')}` }, 401);
    const a = url.searchParams.get('adresse');
    switch (a) {
      case 'Testvej 1, 8000 Aarhus C': return json(res, vaskAnswer(0, 'Entydigt match', idOf(1)));
      case 'Testvej 2': return json(res, vaskAnswer(2, 'Match med forskelle', idOf(2)));
      case 'Ukendt 3': return json(res, vaskAnswer(-1, 'Adressen blev ikke fundet'));
      case 'Ekko 4': return json(res, vaskAnswer(-2, `ugyldig forespørgsel token=${TOKEN} ${TOKEN}`));
      case 'Uden id 5': return json(res, vaskAnswer(1, 'Delvist match'));
      case 'Nede 6': return json(res, { error: `failed for ${url.href}` }, 500);
      default: return json(res, vaskAnswer(-1, 'Adressen blev ikke fundet'));
    }
  });
  try {
    await withTempDir(async (dir) => {
      const cacheFile = join(dir, 'state', 'dar-cache.sqlite');
      const w = await createWasher({ provider: 'adressevask', adressevaskUrl: server.url, token: TOKEN, cacheFile, ...fast });
      const texts = ['Testvej 1, 8000 Aarhus C', 'Testvej 2', 'Ukendt 3', 'Ekko 4', 'Uden id 5', 'Nede 6'];
      const r = await w.wash(texts);
      assert.is(r.get(texts[0]!)!.id, idOf(1));
      assert.is(r.get(texts[0]!)!.provider, 'adressevask');
      assert.is(r.get('Testvej 2')!.id, idOf(2));
      assert.is(r.get('Ukendt 3')!.id, null);
      assert.is(r.get('Ukendt 3')!.reason, 'kode -1: Adressen blev ikke fundet');
      assert.match(r.get('Ekko 4')!.reason!, /^kode -2: ugyldig forespørgsel token=\*\*\* \*\*\*$/);
      assert.is(r.get('Uden id 5')!.id, null);
      assert.match(r.get('Uden id 5')!.reason!, /^kode 1: Delvist match/);
      assert.is(r.get('Nede 6')!.reason, 'DAR unavailable: HTTP 500');
      assert.ok(server.requests.every((q) => q.url.searchParams.get('token') === TOKEN), 'token is sent');
      await w.close();
      const everything = JSON.stringify([...r.values()]) + w.warnings().join('\n') + (await readFile(cacheFile)).toString('latin1');
      assert.not.ok(everything.includes(TOKEN), 'token leaked into results or cache');
      assert.not.ok(everything.includes(encodeURIComponent(TOKEN)));
    });

    // a wrong token: HTTP 401 is an outage-like failure, the token does not appear
    const wrong = 'wrong-secret-xyz';
    const w2 = await createWasher({ provider: 'adressevask', adressevaskUrl: server.url, token: wrong, ...fast });
    const r2 = await w2.wash(['Testvej 1, 8000 Aarhus C']);
    assert.is(r2.get('Testvej 1, 8000 Aarhus C')!.reason, 'DAR unavailable: HTTP 401');
    assert.not.ok(JSON.stringify([...r2.values()]).includes(wrong));
    await w2.close();
  } finally {
    await server.close();
  }
});

test('adressevask: network failure reason carries no token; missing token is a config error', async () => {
  const dead = await startServer((_u, _q, res) => json(res, {}));
  await dead.close();
  const w = await createWasher({ provider: 'adressevask', adressevaskUrl: dead.url, token: TOKEN, ...fast, retries: 0 });
  const r = await w.wash(['Testvej 1']);
  assert.match(r.get('Testvej 1')!.reason!, /^DAR unavailable: /);
  assert.not.ok(JSON.stringify([...r.values()]).includes(TOKEN));
  await w.close();
  try {
    await createWasher({ provider: 'adressevask', adressevaskUrl: dead.url });
    assert.unreachable('should throw');
  } catch (e) {
    assert.match((e as Error).message, /needs a token/);
  }
});

test('redact removes the secret and token= values', () => {
  assert.is(redact(`GET https://adressevaelger.dk/vask/?token=${encodeURIComponent(TOKEN)}&adresse=x failed`, [TOKEN]), 'GET https://adressevaelger.dk/vask/?token=***&adresse=x failed');
  assert.is(redact('x token=abc&apikey=def y'), 'x token=***&apikey=*** y');
  assert.is(redact(`secret ${TOKEN} here`, [TOKEN]), 'secret *** here');
});

test.run();
