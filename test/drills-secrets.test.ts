/**
 * Failure drills: secrets and personal data, and hostile remote names.
 * - A full run with a known FTP password, MO client secret and DAR (Adressevask) token, source an
 *   in-process FTP server: none of them appears in stdout, stderr, the report, the journal or any
 *   file of the state folder; no full CPR number of the delivery appears anywhere but in MO.
 * - An FTP listing with "../evil.csv": refused with a warning, nothing written outside the work
 *   folder, the rest of the delivery imported (MO ends exactly as after a fault-free import).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ROOT } from './helpers/cli.ts';
import { startFtpServer } from './helpers/ftp-server.ts';
import { SECRET, diffDumps, faultFreeDump, filesUnder, journalOf, runImport, sandbox, show, startDrillMo } from './drills-support.ts';

let started = Date.now();
test.before(() => { started = Date.now(); });
const FTP_PASS = 'ftp-Drill+Pa55/word=7d1';
const DAR_TOKEN = 'dar-Drill+T0ken/xyz=42';

/** Every CPR number of the example delivery (Pers and Leder files). */
function exampleCprs(): string[] {
  const dir = path.join(ROOT, 'examples/los');
  const out = new Set<string>();
  for (const name of readdirSync(dir).filter((n) => /^(Pers|Leder)_/.test(n))) {
    const [head, ...rows] = readFileSync(path.join(dir, name), 'utf8').replace(/^\uFEFF/, '').split(/\r?\n/).filter(Boolean);
    const i = head!.split(';').indexOf('CPR');
    for (const r of rows) out.add(r.split(';')[i]!);
  }
  return [...out];
}

/** A fake Klimadatastyrelsen Adressevask: GET /vask/?token=…&adresse=… → a stable id per text ("… 999 …": not found). */
async function startAdressevask(token: string) {
  const seen = { requests: 0, badToken: 0 };
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    seen.requests++;
    res.setHeader('content-type', 'application/json');
    if (url.pathname !== '/vask/') { res.statusCode = 404; res.end('{}'); return; }
    if (url.searchParams.get('token') !== token) { seen.badToken++; res.statusCode = 401; res.end(JSON.stringify({ error: 'bad token' })); return; }
    if (/\b999\b/.test(url.searchParams.get('adresse') ?? '')) { res.end(JSON.stringify({ vaskestatus: { kode: -1, tekst: 'Adressen blev ikke fundet' } })); return; }
    const h = createHash('sha256').update(url.searchParams.get('adresse') ?? '').digest('hex');
    const id = `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
    res.end(JSON.stringify({ vaskestatus: { kode: 0, tekst: 'Entydigt match' }, vaskeresultat: { adresse_id_lokalid: id } }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen, close: () => new Promise<void>((r) => server.close(() => r())) };
}

test('secrets and CPR numbers: a full FTP + MO + Adressevask run leaks none of them', async () => {
  const mo = await startDrillMo();
  const box = sandbox('drill-secrets-');
  const ftp = await startFtpServer({ root: box.los, user: 'los', password: FTP_PASS });
  const dar = await startAdressevask(DAR_TOKEN);
  const ftpBefore = new Set(filesUnder(box.los).map((f) => f.file));
  try {
    const r = await runImport(box, mo, ['--verbose'], {
      LOS_SOURCE: ftp.url('ftp'),
      LOS_FTP_PASS: FTP_PASS,
      DAR_PROVIDER: 'adressevask',
      DAR_URL: dar.url,
      DAR_TOKEN: DAR_TOKEN,
    });
    assert.is(r.code, 0, show(r));
    // the secrets were really used
    assert.ok(ftp.logins.some((l) => l.ok), 'logged in to FTP with the password');
    assert.ok(dar.seen.requests > 10 && dar.seen.badToken === 0, `Adressevask asked with the token: ${JSON.stringify(dar.seen)}`);
    assert.ok(r.report.totals.mutations > 600, 'MO written with the client secret');
    assert.ok(r.report.files.length === 18, 'the whole delivery came over FTP');

    const secrets = [FTP_PASS, SECRET, DAR_TOKEN].flatMap((s) => [s, encodeURIComponent(s), Buffer.from(s).toString('base64')]);
    const cprs = exampleCprs();
    assert.ok(cprs.length >= 50, `${cprs.length} CPR numbers`);
    const cprForms = cprs.flatMap((c) => [c, `${c.slice(0, 6)}-${c.slice(6)}`]);

    const stateDir = path.dirname(box.state);
    const places: { name: string; text: string }[] = [
      { name: 'stdout', text: r.stdout },
      { name: 'stderr', text: r.stderr },
      { name: 'report', text: r.reportText },
      { name: 'journal', text: readFileSync(path.join(stateDir, 'journal.jsonl'), 'utf8') },
      // every file in the state folder (sqlite caches, metrics, ownership, reports …), as bytes
      ...filesUnder(stateDir).map((f) => ({ name: path.relative(box.dir, f.file), text: f.data.toString('latin1') })),
      // what the run wrote back to the FTP server (the DAR failure lists)
      ...filesUnder(box.los).filter((f) => !ftpBefore.has(f.file)).map((f) => ({ name: `ftp:${path.relative(box.los, f.file)}`, text: f.data.toString('latin1') })),
    ];
    assert.ok(places.length >= 8, places.map((p) => p.name).join(', '));
    assert.ok(places.some((p) => p.name.endsWith('journal.jsonl')) && places.some((p) => p.name.includes('dar-cache')), places.map((p) => p.name).join(', '));
    assert.ok(places.some((p) => p.name.startsWith('ftp:')), 'the DAR failure list went back to the server');
    for (const p of places) {
      for (const s of secrets) assert.not.ok(p.text.includes(s), `a secret (${s.slice(0, 4)}…) appears in ${p.name}`);
      const cpr = cprForms.find((c) => p.text.includes(c));
      assert.not.ok(cpr, `the full CPR ${cpr?.slice(0, 6)}-xxxx appears in ${p.name}`);
    }
    // MO itself has them (the positive control: the search would find them)
    const inMo = readFileSync(mo.dbPath).toString('latin1') + (existsSync(mo.dbPath + '-wal') ? readFileSync(mo.dbPath + '-wal').toString('latin1') : '');
    assert.ok(cprs.filter((c) => inMo.includes(c)).length >= 50, 'MO holds the CPR numbers');
    // the work folder of a successful run is gone (it held the downloaded Pers files)
    assert.is(readdirSync(path.join(stateDir, 'work')).length, 0, 'work folder emptied');
  } finally {
    await ftp.close();
    await dar.close();
    await mo.stop();
    box.cleanup();
  }
});

test('hostile remote name "../evil.csv": refused with a warning, nothing written outside the work folder, the rest imported', async () => {
  const expected = await faultFreeDump();
  const mo = await startDrillMo();
  const box = sandbox('drill-hostile-');
  // what "../evil.csv" would fetch if the server resolved it (ftp-srv jails it to its root)
  writeFileSync(path.join(box.los, 'evil.csv'), 'evil');
  const ftp = await startFtpServer({ root: box.los, user: 'los', password: FTP_PASS, hostileNames: ['../evil.csv', '..\\Org_nye_20240102_000000.csv', '../../Pers_nye_20990101_000000.csv'] });
  const tmpBefore = new Set(readdirSync(tmpdir()));
  try {
    const r = await runImport(box, mo, [], { LOS_SOURCE: ftp.url('ftp'), LOS_FTP_PASS: FTP_PASS });
    assert.is(r.code, 0, show(r));
    for (const name of ['../evil.csv', '..\\Org_nye_20240102_000000.csv', '../../Pers_nye_20990101_000000.csv']) {
      // the warning shows the name JSON-escaped (a backslash doubled, control characters as \r …)
      assert.ok(r.report.warnings.some((w: string) => w.includes(`refused remote name ${JSON.stringify(name)}`)), `warned about ${name}: ${JSON.stringify(r.report.warnings)}`);
    }
    assert.not.ok([...ftp.retrievals.keys()].some((n) => /evil|2099|20240102/.test(n)), `never asked for: ${[...ftp.retrievals.keys()].join(', ')}`);
    assert.not.ok(r.report.files.some((f: any) => /evil|\.\./.test(f.name)), 'not among the fetched files');
    // nothing written outside the work folder: no evil.csv / Pers_nye_2099 anywhere in the sandbox or next to it
    const stray = filesUnder(box.dir).map((f) => path.relative(box.dir, f.file)).filter((f) => /evil\.csv|20990101|20240102/.test(f) && f !== path.join('los', 'evil.csv'));
    assert.equal(stray, []);
    const newInTmp = readdirSync(tmpdir()).filter((n) => !tmpBefore.has(n) && /evil|2099|20240102/.test(n));
    assert.equal(newInTmp, []);
    // the rest of the delivery is imported exactly as from a folder
    assert.is(r.report.files.length, 18);
    assert.is(diffDumps(expected, mo.dump()), '', 'MO equals the fault-free import');
    assert.ok(journalOf(box).at(-1).outcome === 'success');
  } finally {
    await ftp.close();
    await mo.stop();
    box.cleanup();
  }
});

test.after(() => console.log(`  drills-secrets: ${((Date.now() - started) / 1000).toFixed(1)} s`));

test.run();
