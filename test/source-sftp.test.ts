/**
 * Remote sources, part 3: SFTP against an in-process ssh2 server (test/helpers/sftp-server.ts).
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { openSource, SourceError, type RemoteFile, type Source, type SourceOptions } from '../src/source/source.ts';
import { makeSshKeyPair, startSftpServer, type SftpTestServer, type SftpTestServerOptions } from './helpers/sftp-server.ts';

const PASSWORD = 'Hemmel1g-SFTP-pa55';
const PASSPHRASE = 'N0gle-Passphrase-42';
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
  'STAM_UUID_Lederniveau.csv': Buffer.from('LederniveauUUID;Lederniveau;Loadtime\n'),
  'Org_inital_20240101_010203.csv': Buffer.from('OrgUUID;BrugervendtNøgle\n' + 'x;Ærø; afd.\n'.repeat(400)),
  'Org_ret_20240102_000000.csv': Buffer.from('OrgUUID;BrugervendtNøgle\n'),
  'Pers_luk_20240103_000000.CSV': Buffer.from('UUID;CPR;CPRNavn\n'),
  'Leder_nye_20240104_000000.csv': Buffer.alloc(0),
  [BIG]: randomBytes(300_000), // several SFTP reads
};

function writeDelivery(root: string): Map<string, Date> {
  const dir = path.join(root, 'in');
  mkdirSync(dir, { recursive: true });
  const mtimes = new Map<string, Date>();
  let i = 0;
  for (const [name, body] of Object.entries(FILES)) {
    writeFileSync(path.join(dir, name), body);
    const t = new Date(Date.UTC(2023, 10, 1 + i++, 8, 0, 59)); // SFTP v3 mtimes are whole seconds
    utimesSync(path.join(dir, name), t, t);
    mtimes.set(name, t);
  }
  for (const n of ['readme.txt', 'Org_ret_2024.csv', 'failed_addr_Org_ret_20240101_000000.csv']) writeFileSync(path.join(dir, n), 'x');
  mkdirSync(path.join(dir, 'Leder_ret_20240106_000000.csv'));
  return mtimes;
}

const keys = makeSshKeyPair(PASSPHRASE);

async function withServer(
  opts: Omit<SftpTestServerOptions, 'root'>,
  fn: (srv: SftpTestServer, root: string, mtimes: Map<string, Date>) => Promise<void>,
): Promise<void> {
  const root = tmp('sftp-root');
  const mtimes = writeDelivery(root);
  const srv = await startSftpServer({ password: PASSWORD, authorizedKey: keys.publicKey, ...opts, root });
  try {
    await fn(srv, root, mtimes);
  } finally {
    await srv.close();
    rmSync(root, { recursive: true, force: true });
  }
}

const open = (srv: SftpTestServer, extra: Partial<SourceOptions> = {}) =>
  openSource({ url: srv.url('/in'), password: PASSWORD, hostKeyFingerprint: srv.hostKeyFingerprint, ...FAST, ...extra });

async function downloadAll(src: Source, list: RemoteFile[]): Promise<string> {
  const dest = tmp('sftp-dest');
  for (const f of list) {
    const p = await src.download(f, dest);
    assert.is(p, path.join(dest, f.name));
    assert.ok(readFileSync(p).equals(FILES[f.name]!), `content of ${f.name}`);
  }
  assert.equal(readdirSync(dest).sort(), list.map((f) => f.name).sort());
  return dest;
}

function assertNoSecret(err: unknown, ...secrets: string[]) {
  const text = `${(err as Error)?.message}\n${(err as Error)?.stack}\n${JSON.stringify(err)}`;
  for (const s of secrets) assert.not.ok(text.includes(s), `secret leaked in: ${text}`);
}

const sftp = suite('source: SFTP');

sftp('password login: only LOS names, exact mtimes, all files downloaded with content', async () => {
  await withServer({}, async (srv, _root, mtimes) => {
    const src = await open(srv);
    assert.is(src.kind, 'sftp');
    assert.is(src.display, `sftp://los@127.0.0.1:${srv.port}/in`);
    const list = await src.list();
    assert.equal(list.map((f) => f.name), Object.keys(FILES).sort());
    for (const f of list) {
      assert.is(f.mtime.toISOString(), mtimes.get(f.name)!.toISOString(), f.name);
      assert.is(f.size, FILES[f.name]!.length);
    }
    const progress: number[] = [];
    const dest = tmp('sftp-progress');
    await src.download(list.find((f) => f.name === BIG)!, dest, (n) => progress.push(n));
    assert.ok(progress.length > 1 && progress.at(-1) === FILES[BIG]!.length);
    rmSync(dest, { recursive: true });
    rmSync(await downloadAll(src, list), { recursive: true });
    assert.equal(src.warnings, []);
    await src.close();
  });
});

sftp('a server that leaves attributes out of READDIR: type, size and mtime from STAT', async () => {
  await withServer({ bareReaddir: true, hostileNames: ['../evil.csv'] }, async (srv, _root, mtimes) => {
    const src = await open(srv);
    const list = await src.list();
    assert.equal(list.map((f) => f.name), Object.keys(FILES).sort());
    for (const f of list) {
      assert.is(f.mtime.getTime(), mtimes.get(f.name)!.getTime(), f.name);
      assert.is(f.size, FILES[f.name]!.length);
    }
    assert.ok(srv.stats.some((p) => p.endsWith('/in/Org_ret_20240102_000000.csv')));
    assert.not.ok(srv.stats.some((p) => p.includes('evil') || p.endsWith('readme.txt')), 'only LOS names are asked about');
    rmSync(await downloadAll(src, list), { recursive: true });
    await src.close();
  });
});

sftp('private key with passphrase; folder given separately', async () => {
  await withServer({ password: undefined }, async (srv) => {
    const dir = tmp('sftp-key');
    const keyFile = path.join(dir, 'id_ed25519');
    writeFileSync(keyFile, keys.privateKey, { mode: 0o600 });
    const src = await openSource({
      url: `sftp://los@127.0.0.1:${srv.port}`,
      folder: '/in',
      privateKey: keyFile,
      passphrase: PASSPHRASE,
      hostKeyFingerprint: srv.hostKeyFingerprint,
      ...FAST,
    });
    assert.is(src.display, `sftp://los@127.0.0.1:${srv.port}/in`);
    assert.is((await src.list()).length, Object.keys(FILES).length);
    assert.equal(srv.logins.map((l) => [l.method, l.ok]), [['publickey', true]]);
    await src.close();

    const err = (await rejects(
      openSource({ url: srv.url('/in'), privateKey: keyFile, passphrase: 'not-the-passphrase', hostKeyFingerprint: srv.hostKeyFingerprint, ...FAST }),
      (e) => e instanceof SourceError,
    )) as SourceError;
    assert.match(err.message, /private key .* cannot be used/);
    assertNoSecret(err, 'not-the-passphrase', PASSPHRASE);
    rmSync(dir, { recursive: true });
  });
});

sftp('DARfejlliste upload: folder created, content exact', async () => {
  await withServer({}, async (srv, root) => {
    const src = await open(srv);
    const body = 'org_uuid#post_address\n22222222-2222-2222-2222-222222222222#Ærøvej 1\n';
    await src.upload('DARfejlliste', 'failed_addr_Org_ret_20240102_000000.csv', body);
    await src.upload('DARfejlliste', 'failed_addr_Org_nye_20240102_000000.csv', Buffer.from('2'));
    assert.is(readFileSync(path.join(root, 'in', 'DARfejlliste', 'failed_addr_Org_ret_20240102_000000.csv'), 'utf8'), body);
    assert.equal(readdirSync(path.join(root, 'in', 'DARfejlliste')).sort(), ['failed_addr_Org_nye_20240102_000000.csv', 'failed_addr_Org_ret_20240102_000000.csv']);
    await src.close();
  });
});

sftp('wrong password: SourceError, exit 1, not retried, password not shown', async () => {
  await withServer({}, async (srv) => {
    const wrong = 'Wr0ng-SFTP-pa55';
    const err = (await rejects(open(srv, { password: wrong }), (e) => e instanceof SourceError)) as SourceError;
    assert.is(err.exitCode, 1);
    assert.is(err.retryable, false);
    assert.match(err.message, /^SFTP login as "los" at sftp:\/\/los@127\.0\.0\.1:\d+\/in refused/);
    assertNoSecret(err, wrong, PASSWORD);
    assert.is(srv.logins.filter((l) => l.method === 'password').length, 1);
  });
});

sftp('wrong or missing host key fingerprint: refused before authenticating', async () => {
  await withServer({}, async (srv) => {
    const other = makeSshKeyPair().fingerprint;
    const err = (await rejects(open(srv, { hostKeyFingerprint: other }), (e) => e instanceof SourceError)) as SourceError;
    assert.match(err.message, /host key of sftp:\/\/los@127\.0\.0\.1:\d+\/in does not match host_key_fingerprint/);
    assert.ok(err.message.includes(other) && err.message.includes(srv.hostKeyFingerprint), 'names expected and presented');
    assert.is(err.retryable, false);
    assertNoSecret(err, PASSWORD);
    const missing = (await rejects(open(srv, { hostKeyFingerprint: undefined }), (e) => e instanceof SourceError)) as SourceError;
    assert.match(missing.message, /no host_key_fingerprint .* presented SHA256:/);
    assert.equal(srv.logins, [], 'no password or key was offered to an unverified server');
    await rejects(open(srv, { hostKeyFingerprint: 'MD5:aa:bb' }), /not a SHA256 fingerprint/);
    // the fingerprint without "SHA256:" and with padding, as some tools print it, is fine
    const src = await open(srv, { hostKeyFingerprint: srv.hostKeyFingerprint.slice(7) + '=' });
    await src.close();
  });
});

sftp('connection dropped in the middle of a transfer: reconnects, retries, completes', async () => {
  await withServer({ faults: { [BIG]: { kind: 'drop', times: 1 } } }, async (srv) => {
    const retries: string[] = [];
    const src = await open(srv, { onRetry: (m) => retries.push(m) });
    const list = await src.list();
    const seen: number[] = [];
    const dest = tmp('sftp-drop');
    assert.is(src.retries, 0);
    const p = await src.download(list.find((f) => f.name === BIG)!, dest, (n) => seen.push(n));
    assert.ok(readFileSync(p).equals(FILES[BIG]!));
    assert.is(srv.opens.get(BIG), 2);
    assert.is(src.retries, 1, 'the retry is counted');
    assert.is(retries.length, 1);
    assert.match(retries[0]!, new RegExp(`SFTP download of "${BIG}" at sftp://los@127\\.0\\.0\\.1:\\d+/in: attempt 1 of 3 failed \\(the connection was (lost|dropped)`));
    assertNoSecret(retries[0], PASSWORD);
    assert.ok(seen.some((n) => n > 0 && n < FILES[BIG]!.length), 'the first attempt got part of the file');
    assert.is(srv.logins.filter((l) => l.ok).length, 2, 'logged in again');
    assert.equal(readdirSync(dest), [BIG]);
    // and the source keeps working
    rmSync(await downloadAll(src, list), { recursive: true });
    await src.close();
    rmSync(dest, { recursive: true });
  });
});

sftp('persistent drop: SourceError after 3 attempts, nothing left behind', async () => {
  await withServer({ faults: { [BIG]: { kind: 'drop', times: Infinity } } }, async (srv) => {
    const src = await open(srv);
    const list = await src.list();
    const dest = tmp('sftp-persist');
    const err = (await rejects(src.download(list.find((f) => f.name === BIG)!, dest), (e) => e instanceof SourceError)) as SourceError;
    assert.is(err.attempts, 3);
    assert.is(srv.opens.get(BIG), 3);
    assert.match(err.message, new RegExp(`^SFTP download of "${BIG}" at sftp://los@127\\.0\\.0\\.1:\\d+/in failed after 3 attempts`));
    assertNoSecret(err, PASSWORD);
    assert.equal(readdirSync(dest), []);
    await src.close();
    rmSync(dest, { recursive: true });
  });
});

sftp('short download (EOF at half the file) is detected and retried', async () => {
  await withServer({ faults: { [BIG]: { kind: 'short', times: 1 }, 'Org_ret_20240102_000000.csv': { kind: 'short', times: Infinity } } }, async (srv) => {
    const src = await open(srv);
    const list = await src.list();
    const dest = tmp('sftp-short');
    assert.ok(readFileSync(await src.download(list.find((f) => f.name === BIG)!, dest)).equals(FILES[BIG]!));
    assert.is(srv.opens.get(BIG), 2);
    const small = FILES['Org_ret_20240102_000000.csv']!.length;
    await rejects(
      src.download(list.find((f) => f.name === 'Org_ret_20240102_000000.csv')!, dest),
      new RegExp(`short download: received ${Math.floor(small / 2)} bytes, the listing says ${small}`),
    );
    assert.equal(readdirSync(dest), [BIG]);
    await src.close();
    rmSync(dest, { recursive: true });
  });
});

sftp('hostile listing: "../evil.csv" refused and reported; nothing written outside destDir', async () => {
  await withServer({ hostileNames: ['../evil.csv', '../../etc/Org_nye_20240102_000000.csv', 'Org_nye_20240102_000000.csv\u0007'] }, async (srv, root) => {
    writeFileSync(path.join(root, 'evil.csv'), 'evil');
    const warnings: string[] = [];
    const src = await open(srv, { onWarning: (w) => warnings.push(w) });
    const list = await src.list();
    assert.equal(list.map((f) => f.name), Object.keys(FILES).sort());
    assert.is(warnings.length, 3);
    assert.ok(warnings[0]!.includes('refused remote name "../evil.csv"'));
    assert.ok(warnings[2]!.includes('\\u0007'), 'control characters are escaped in the warning');
    assert.equal(src.warnings, warnings);
    const base = tmp('sftp-hostile');
    const dest = path.join(base, 'work');
    mkdirSync(dest);
    await rejects(src.download({ name: '../evil.csv', size: 4, mtime: new Date() }, dest), (e) => e instanceof SourceError && /refused/.test(e.message));
    assert.is(srv.opens.size, 0, 'nothing was requested');
    assert.equal(readdirSync(base), ['work']);
    assert.equal(readdirSync(dest), []);
    await src.close();
    rmSync(base, { recursive: true });
  });
});

sftp('a missing remote folder is a clear error', async () => {
  await withServer({}, async (srv) => {
    await rejects(openSource({ url: srv.url('/nope'), password: PASSWORD, hostKeyFingerprint: srv.hostKeyFingerprint, ...FAST }), /SFTP folder "\/nope" .* does not exist/);
  });
});

sftp.run();
