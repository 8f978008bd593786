/**
 * Remote sources, part 2: FTP and FTPS against an in-process ftp-srv (test/helpers/ftp-server.ts).
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { openSource, SourceError, type RemoteFile, type Source, type SourceOptions } from '../src/source/source.ts';
import { startFtpServer, type FtpTestServer, type FtpTestServerOptions } from './helpers/ftp-server.ts';
import { makeSelfSignedCert } from './helpers/tls.ts';

const PASSWORD = 'Hemmel1g-FTP-pa55';
const FAST: Partial<SourceOptions> = { retryDelayMs: 5, timeoutMs: 5000 };

async function rejects(p: Promise<unknown>, check: RegExp | ((e: unknown) => boolean), msg?: string): Promise<unknown> {
  try {
    await p;
  } catch (err) {
    const ok = check instanceof RegExp ? check.test(String((err as Error)?.message ?? err)) : check(err);
    assert.ok(ok, `${msg ?? 'unexpected error'}: ${String(err)}`);
    return err;
  }
  assert.unreachable(msg ?? 'expected a rejection');
}

const tmp = (prefix: string) => mkdtempSync(path.join(tmpdir(), `los2mo-${prefix}-`));

const BIG = 'Pers_ret_20240105_000000.csv';
const FILES: Record<string, Buffer> = {
  'STAM_UUID_Enhedstype.csv': Buffer.from('EnhedstypeUUID;Enhedstype\n11111111-1111-1111-1111-111111111111;Afdeling\n'),
  'Org_inital_20240101_010203.csv': Buffer.from('\uFEFFOrgUUID;BrugervendtNøgle;PostAdresse\n' + 'x;Ærø; "afd.";Ågade 1\n'.repeat(300)),
  'Org_nye_20240102_000000.csv': Buffer.from('OrgUUID;BrugervendtNøgle\n'),
  'Pers_nye_20240103_000000.CSV': Buffer.from('UUID;CPR\n'),
  'Leder_luk_20240104_000000.csv': Buffer.alloc(0),
  [BIG]: randomBytes(200_000),
};
const NOISE = ['readme.txt', 'Org_nye_2024.csv', 'failed_addr_Org_ret_20240101_000000.csv'];

/** The delivery in `dir/in`; mtimes whole seconds, each file its own. */
function writeDelivery(root: string): Map<string, Date> {
  const dir = path.join(root, 'in');
  mkdirSync(dir, { recursive: true });
  const mtimes = new Map<string, Date>();
  let i = 0;
  for (const [name, body] of Object.entries(FILES)) {
    writeFileSync(path.join(dir, name), body);
    const t = new Date(Date.UTC(2024, 2, 5, 10, 20, 30 + i++)); // 2024-03-05T10:20:30Z, :31, …
    utimesSync(path.join(dir, name), t, t);
    mtimes.set(name, t);
  }
  for (const n of NOISE) writeFileSync(path.join(dir, n), 'x');
  mkdirSync(path.join(dir, 'Org_ret_20240106_000000.csv'));
  return mtimes;
}

async function withServer(
  opts: Omit<FtpTestServerOptions, 'root' | 'password'>,
  fn: (srv: FtpTestServer, root: string) => Promise<void>,
): Promise<void> {
  const root = tmp('ftp-root');
  writeDelivery(root);
  const srv = await startFtpServer({ ...opts, root, password: PASSWORD });
  try {
    await fn(srv, root);
  } finally {
    await srv.close();
    rmSync(root, { recursive: true, force: true });
  }
}

/** All files of the listing downloaded into a fresh folder; checks contents. */
async function downloadAll(src: Source, list: RemoteFile[]): Promise<string> {
  const dest = tmp('ftp-dest');
  for (const f of list) {
    const p = await src.download(f, dest);
    assert.is(p, path.join(dest, f.name));
    assert.ok(readFileSync(p).equals(FILES[f.name]!), `content of ${f.name}`);
  }
  assert.equal(readdirSync(dest).sort(), list.map((f) => f.name).sort(), 'exactly the files, no temporary leftovers');
  return dest;
}

function assertNoSecret(err: unknown, ...secrets: string[]) {
  const text = `${(err as Error)?.message}\n${(err as Error)?.stack}\n${JSON.stringify(err)}`;
  for (const s of secrets) assert.not.ok(text.includes(s), `secret leaked in: ${text}`);
}

const cert = makeSelfSignedCert();
const otherCert = makeSelfSignedCert();

// ---------------------------------------------------------------------------------------------
const ftp = suite('source: FTP');

ftp('LIST + MDTM: only LOS names, exact mtimes, downloads with content and progress', async () => {
  const root = tmp('ftp-root');
  const mtimes = writeDelivery(root);
  await withServer({}, async (srv) => {
    const warnings: string[] = [];
    const src = await openSource({ url: srv.url('ftp'), folder: '/in', password: PASSWORD, onWarning: (w) => warnings.push(w), ...FAST });
    assert.is(src.kind, 'ftp');
    assert.is(src.display, `ftp://los@127.0.0.1:${srv.port}/%2Fin`, 'an absolute folder prints as %2F (RFC 1738)');
    const list = await src.list();
    assert.equal(list.map((f) => f.name), Object.keys(FILES).sort());
    for (const f of list) {
      assert.is(f.mtime.toISOString(), mtimes.get(f.name)!.toISOString(), `mtime of ${f.name}`);
      assert.is(f.size, FILES[f.name]!.length);
    }
    assert.ok(srv.commands.includes('MDTM'), 'mtimes from MDTM');
    assert.not.ok(srv.commands.includes('MLSD'), 'ftp-srv has no MLSD');
    assert.ok(warnings.some((w) => /plain FTP sends the password unencrypted/.test(w)));
    assert.not.ok(warnings.join('\n').includes(PASSWORD));

    const progress: number[] = [];
    const dest = tmp('ftp-dest');
    const big = list.find((f) => f.name === BIG)!;
    await src.download(big, dest, (n) => progress.push(n));
    assert.is(progress.at(-1), FILES[BIG]!.length);
    assert.ok(progress.length > 1 && progress.every((n, k) => k === 0 || n >= progress[k - 1]!));
    rmSync(dest, { recursive: true });
    rmSync(await downloadAll(src, list), { recursive: true });
    await src.close();
  });
  rmSync(root, { recursive: true });
});

ftp('MLSD (when the server announces it): mtimes from the listing, no MDTM', async () => {
  const root = tmp('ftp-root');
  const mtimes = writeDelivery(root);
  await withServer({ mlsd: true }, async (srv) => {
    const src = await openSource({ url: srv.url('ftp', '/in'), password: PASSWORD, ...FAST });
    const list = await src.list();
    assert.equal(list.map((f) => f.name), Object.keys(FILES).sort());
    for (const f of list) assert.is(f.mtime.getTime(), mtimes.get(f.name)!.getTime(), f.name);
    assert.ok(srv.commands.includes('MLSD'));
    assert.not.ok(srv.commands.includes('MDTM'), 'no MDTM needed');
    await src.close();
  });
  rmSync(root, { recursive: true });
});

ftp('neither MLSD nor MDTM: a clear error instead of guessed times', async () => {
  await withServer({ blacklist: ['MDTM'] }, async (srv) => {
    const src = await openSource({ url: srv.url('ftp', '/in'), password: PASSWORD, ...FAST });
    const err = (await rejects(src.list(), (e) => e instanceof SourceError)) as SourceError;
    assert.match(err.message, /supports neither MLSD nor MDTM/);
    assert.is(err.attempts, 1, 'not retried');
    assert.is(srv.logins.length, 1, 'no reconnects');
    await src.close();
  });
});

ftp('concurrent downloads on one source are serialized and all complete', async () => {
  await withServer({}, async (srv) => {
    const src = await openSource({ url: srv.url('ftp', '/in'), password: PASSWORD, ...FAST });
    const list = await src.list();
    const dest = tmp('ftp-par');
    const paths = await Promise.all(list.map((f) => src.download(f, dest)));
    for (const [k, p] of paths.entries()) assert.ok(readFileSync(p).equals(FILES[list[k]!.name]!));
    await src.close();
    rmSync(dest, { recursive: true });
  });
});

ftp('DARfejlliste upload: folder created, content exact, listing unaffected', async () => {
  await withServer({}, async (srv, root) => {
    const src = await openSource({ url: srv.url('ftp', '/in'), password: PASSWORD, ...FAST });
    const body = 'org_uuid#post_address\n11111111-1111-1111-1111-111111111111#Ærøvej 1, 8000 Aarhus\n';
    await src.upload('DARfejlliste', 'failed_addr_Org_ret_20240102_000000.csv', body);
    await src.upload('DARfejlliste', 'failed_addr_Org_nye_20240102_000000.csv', Buffer.from('b'));
    assert.is(readFileSync(path.join(root, 'in', 'DARfejlliste', 'failed_addr_Org_ret_20240102_000000.csv'), 'utf8'), body);
    assert.is(readFileSync(path.join(root, 'in', 'DARfejlliste', 'failed_addr_Org_nye_20240102_000000.csv'), 'utf8'), 'b');
    // still working in the source folder afterwards
    assert.equal((await src.list()).map((f) => f.name), Object.keys(FILES).sort());
    await rejects(src.upload('../DARfejlliste', 'x.csv', 'x'), /refused to upload/);
    await src.close();
  });
});

ftp('wrong password: SourceError, exit 1, one attempt, password not in the message', async () => {
  await withServer({}, async (srv) => {
    const wrong = 'Wr0ng-Pa55word-xyz';
    const err = await rejects(openSource({ url: srv.url('ftp', '/in'), password: wrong, ...FAST }), (e) => e instanceof SourceError);
    const e = err as SourceError;
    assert.is(e.exitCode, 1);
    assert.is(e.retryable, false);
    assert.match(e.message, /login as "los" at ftp:\/\/los@127\.0\.0\.1:\d+\/in refused/);
    assertNoSecret(e, wrong, PASSWORD);
    assert.is(srv.logins.length, 1, 'a refused login is not retried');
  });
});

ftp('a password in the URL is used, warned about and never shown', async () => {
  await withServer({}, async (srv) => {
    const warnings: string[] = [];
    const url = srv.url('ftp', '/in').replace('los@', `los:${encodeURIComponent(PASSWORD)}@`);
    const src = await openSource({ url, onWarning: (w) => warnings.push(w), ...FAST });
    assert.is(src.display, `ftp://los@127.0.0.1:${srv.port}/in`);
    assert.ok(warnings.some((w) => /password in the source URL/.test(w)));
    assert.not.ok(warnings.join('\n').includes(PASSWORD));
    await src.close();
  });
});

ftp('a connection that cannot be made fails after 3 attempts with host and operation', async () => {
  const t0 = Date.now();
  const err = (await rejects(
    openSource({ url: 'ftp://los@127.0.0.1:1/in', password: PASSWORD, ...FAST }),
    (e) => e instanceof SourceError,
  )) as SourceError;
  assert.is(err.attempts, 3);
  assert.match(err.message, /^FTP connect at ftp:\/\/los@127\.0\.0\.1:1\/in failed after 3 attempts: .*ECONNREFUSED/);
  assertNoSecret(err, PASSWORD);
  assert.ok(Date.now() - t0 < 3000);
});

ftp('data connection cut mid-transfer: retried and completed', async () => {
  await withServer({ faults: { [BIG]: { kind: 'cutData', times: 1 } } }, async (srv) => {
    const retries: string[] = [];
    const src = await openSource({ url: srv.url('ftp', '/in'), password: PASSWORD, onRetry: (m) => retries.push(m), ...FAST });
    const list = await src.list();
    const seen: number[] = [];
    const dest = tmp('ftp-cut');
    const p = await src.download(list.find((f) => f.name === BIG)!, dest, (n) => seen.push(n));
    assert.ok(readFileSync(p).equals(FILES[BIG]!));
    assert.is(srv.retrievals.get(BIG), 2, 'first attempt cut, second completed');
    assert.is(src.retries, 1, 'the retry is counted');
    assert.match(retries.join('\n'), new RegExp(`FTP download of "${BIG}" at .*: attempt 1 of 3 failed .*; retrying`));
    assert.ok(seen.some((n) => n < FILES[BIG]!.length) && seen.at(-1) === FILES[BIG]!.length);
    assert.equal(readdirSync(dest), [BIG]);
    await src.close();
    rmSync(dest, { recursive: true });
  });
});

ftp('control and data connection dropped mid-transfer: reconnects, retries, completes', async () => {
  await withServer({ faults: { [BIG]: { kind: 'drop', times: 1 } } }, async (srv) => {
    const src = await openSource({ url: srv.url('ftp', '/in'), password: PASSWORD, ...FAST });
    const list = await src.list();
    rmSync(await downloadAll(src, list), { recursive: true });
    assert.is(srv.retrievals.get(BIG), 2);
    assert.is(srv.logins.filter((l) => l.ok).length, 2, 'logged in again after the drop');
    await src.close();
  });
});

ftp('a cut that persists: SourceError after 3 attempts, nothing left in destDir', async () => {
  await withServer({ faults: { [BIG]: { kind: 'drop', times: Infinity } } }, async (srv) => {
    const src = await openSource({ url: srv.url('ftp', '/in'), password: PASSWORD, ...FAST });
    const list = await src.list();
    const dest = tmp('ftp-persist');
    const err = (await rejects(src.download(list.find((f) => f.name === BIG)!, dest), (e) => e instanceof SourceError)) as SourceError;
    assert.is(err.exitCode, 1);
    assert.is(err.attempts, 3);
    assert.is(srv.retrievals.get(BIG), 3);
    assert.match(err.message, new RegExp(`^FTP download of "${BIG}" at ftp://los@127\\.0\\.0\\.1:\\d+/in failed after 3 attempts`));
    assertNoSecret(err, PASSWORD);
    assert.equal(readdirSync(dest), []);
    // the source still works for other files
    const ok = list.find((f) => f.name === 'Org_nye_20240102_000000.csv')!;
    assert.ok(readFileSync(await src.download(ok, dest)).equals(FILES[ok.name]!));
    await src.close();
    rmSync(dest, { recursive: true });
  });
});

ftp('short download (226 after half the bytes) is detected and retried', async () => {
  await withServer({ faults: { [BIG]: { kind: 'short', times: 1 }, 'Org_nye_20240102_000000.csv': { kind: 'short', times: Infinity } } }, async (srv) => {
    const src = await openSource({ url: srv.url('ftp', '/in'), password: PASSWORD, ...FAST });
    const list = await src.list();
    const dest = tmp('ftp-short');
    const p = await src.download(list.find((f) => f.name === BIG)!, dest);
    assert.ok(readFileSync(p).equals(FILES[BIG]!));
    assert.is(srv.retrievals.get(BIG), 2);
    const err = await rejects(src.download(list.find((f) => f.name === 'Org_nye_20240102_000000.csv')!, dest), new RegExp(`short download: received ${Math.floor(FILES['Org_nye_20240102_000000.csv']!.length / 2)} bytes, the listing says ${FILES['Org_nye_20240102_000000.csv']!.length}`));
    assert.is((err as SourceError).attempts, 3);
    assert.equal(readdirSync(dest), [BIG]);
    await src.close();
    rmSync(dest, { recursive: true });
  });
});

ftp('hostile listing: "../evil.csv" refused and reported; nothing written outside destDir', async () => {
  await withServer({ hostileNames: ['../evil.csv', 'Org_nye_20240102_000000.csv\r\nDELE x', '..'] }, async (srv, root) => {
    writeFileSync(path.join(root, 'evil.csv'), 'evil'); // what "../evil.csv" would fetch
    const src = await openSource({ url: srv.url('ftp', '/in'), password: PASSWORD, ...FAST });
    const list = await src.list();
    assert.equal(list.map((f) => f.name), Object.keys(FILES).sort());
    assert.ok(src.warnings!.some((w) => w.includes('refused remote name "../evil.csv"')), src.warnings!.join('\n'));
    const base = tmp('ftp-hostile');
    const dest = path.join(base, 'work');
    mkdirSync(dest);
    await rejects(src.download({ name: '../evil.csv', size: 4, mtime: new Date() }, dest), (e) => e instanceof SourceError && /refused/.test(e.message));
    assert.not.ok(srv.commands.includes('RETR'), 'nothing was even requested');
    rmSync(await downloadAll(src, list), { recursive: true });
    assert.equal(readdirSync(dest), []);
    assert.equal(readdirSync(base), ['work']);
    await src.close();
    rmSync(base, { recursive: true });
  });
});

ftp('hostile MLSD listing is refused as well', async () => {
  await withServer({ mlsd: true, hostileNames: ['..\\evil.csv', '../evil.csv'] }, async (srv) => {
    const src = await openSource({ url: srv.url('ftp', '/in'), password: PASSWORD, ...FAST });
    const list = await src.list();
    assert.equal(list.map((f) => f.name), Object.keys(FILES).sort());
    assert.ok(src.warnings!.some((w) => w.includes('refused remote name "..\\\\evil.csv"')), src.warnings!.join('\n'));
    await src.close();
  });
});

ftp.run();

// ---------------------------------------------------------------------------------------------
const ftps = suite('source: FTPS');

const tlsServer = (opts: Omit<FtpTestServerOptions, 'root' | 'password'>, fn: (srv: FtpTestServer, root: string) => Promise<void>) =>
  withServer({ tls: cert, ...opts }, fn);

ftps('trusted via ca_file: list, download, upload over TLS', async () => {
  await tlsServer({}, async (srv, root) => {
    const warnings: string[] = [];
    const src = await openSource({ url: srv.url('ftps', '/in'), password: PASSWORD, caFile: cert.certFile, onWarning: (w) => warnings.push(w), ...FAST });
    assert.is(src.kind, 'ftps');
    assert.is(src.display, `ftps://los@127.0.0.1:${srv.port}/in`);
    const list = await src.list();
    assert.equal(list.map((f) => f.name), Object.keys(FILES).sort());
    rmSync(await downloadAll(src, list), { recursive: true });
    await src.upload('DARfejlliste', 'failed_addr_Org_ret_20240102_000000.csv', 'x#y\n');
    assert.is(readFileSync(path.join(root, 'in', 'DARfejlliste', 'failed_addr_Org_ret_20240102_000000.csv'), 'utf8'), 'x#y\n');
    assert.ok(srv.commands.slice(0, 3).includes('AUTH'), 'TLS before login');
    assert.ok(srv.commands.indexOf('AUTH') < srv.commands.indexOf('PASS'));
    assert.ok(srv.commands.includes('PROT'), 'data connections protected');
    assert.equal(warnings, []);
    await src.close();
  });
});

ftps('untrusted certificate refused before the password is sent', async () => {
  await tlsServer({}, async (srv) => {
    for (const opts of [{}, { caFile: otherCert.certFile }]) {
      const err = (await rejects(openSource({ url: srv.url('ftps', '/in'), password: PASSWORD, ...opts, ...FAST }), (e) => e instanceof SourceError)) as SourceError;
      assert.match(err.message, /TLS certificate is not trusted .*ca_file.*tls_fingerprint/);
      assert.is(err.retryable, false);
      assertNoSecret(err, PASSWORD);
    }
    assert.equal(srv.logins, [], 'no login was attempted');
    assert.not.ok(srv.commands.includes('PASS'));
  });
});

ftps('fingerprint pin: the right one connects (self-signed), a wrong one is refused before login', async () => {
  await tlsServer({}, async (srv) => {
    const pinned = await openSource({ url: srv.url('ftps', '/in'), password: PASSWORD, tlsFingerprint: cert.fingerprint256.toLowerCase(), ...FAST });
    const list = await pinned.list();
    rmSync(await downloadAll(pinned, list.slice(0, 2)), { recursive: true });
    await pinned.close();
    const logins = srv.logins.length;
    const err = (await rejects(
      openSource({ url: srv.url('ftps', '/in'), password: PASSWORD, tlsFingerprint: otherCert.fingerprint256, ...FAST }),
      (e) => e instanceof SourceError,
    )) as SourceError;
    assert.match(err.message, /has fingerprint .* not the pinned tls_fingerprint/);
    assert.ok(err.message.includes(otherCert.fingerprint256));
    assert.is(srv.logins.length, logins, 'no login with a wrong pin');
    await rejects(openSource({ url: srv.url('ftps', '/in'), password: PASSWORD, tlsFingerprint: 'AB:CD', ...FAST }), /not a SHA-256 fingerprint/);
  });
});

ftps('pinned: a data connection with another certificate is refused', async () => {
  await tlsServer({}, async (srv) => {
    const src = await openSource({ url: srv.url('ftps', '/in'), password: PASSWORD, tlsFingerprint: cert.fingerprint256, ...FAST });
    assert.is((await src.list()).length, Object.keys(FILES).length);
    srv.setDataCert(otherCert); // a man in the middle of the data connections
    const err = (await rejects(src.list(), (e) => e instanceof SourceError)) as SourceError;
    assert.match(err.message, /a TLS data connection neither resumed the verified control connection's session nor presented the pinned certificate/);
    assert.ok(err.message.includes(otherCert.fingerprint256), 'names what it presented');
    assert.is(err.retryable, false);
    await src.close();
  });
});

ftps('a server without TLS is refused, never a fallback to plain FTP', async () => {
  await withServer({}, async (srv) => {
    const err = (await rejects(openSource({ url: srv.url('ftps', '/in'), password: PASSWORD, caFile: cert.certFile, ...FAST }), (e) => e instanceof SourceError)) as SourceError;
    assert.match(err.message, /refused AUTH TLS.*not falling back to plain FTP/);
    assert.equal(srv.logins, []);
  });
});

ftps('wrong password over TLS: clear error without the password', async () => {
  await tlsServer({}, async (srv) => {
    const wrong = 'Wr0ng-TLS-pa55';
    const err = (await rejects(openSource({ url: srv.url('ftps', '/in'), password: wrong, caFile: cert.certFile, ...FAST }), (e) => e instanceof SourceError)) as SourceError;
    assert.match(err.message, /^FTPS login as "los" at ftps:\/\/los@127\.0\.0\.1:\d+\/in refused \(wrong user or password\)/);
    assertNoSecret(err, wrong);
  });
});

ftps('connection dropped mid-transfer over TLS: reconnects and completes', async () => {
  await tlsServer({ faults: { [BIG]: { kind: 'drop', times: 1 }, 'Org_inital_20240101_010203.csv': { kind: 'cutData', times: 1 } } }, async (srv) => {
    const src = await openSource({ url: srv.url('ftps', '/in'), password: PASSWORD, caFile: cert.certFile, ...FAST });
    rmSync(await downloadAll(src, await src.list()), { recursive: true });
    assert.is(srv.retrievals.get(BIG), 2);
    assert.is(srv.retrievals.get('Org_inital_20240101_010203.csv'), 2);
    await src.close();
  });
});

ftps('tls options need ftps://', async () => {
  await rejects(openSource({ url: 'ftp://los@127.0.0.1:1/in', password: PASSWORD, caFile: cert.certFile }), /need an ftps:\/\/ source/);
});

ftps.run();
