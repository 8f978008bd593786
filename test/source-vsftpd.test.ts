/**
 * Remote sources against Debian's vsftpd 3.0.3, started as a real process per test
 * (test/helpers/real-servers.ts): plain FTP, explicit FTPS with vsftpd's TLS session reuse
 * (require_ssl_reuse=YES) and implicit FTPS. The in-process ftp-srv (source-ftp.test.ts) stays for
 * fault injection; these show what only a real server shows.
 */
import { mkdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { isNewerThan, openSource, type SourceOptions } from '../src/source/source.ts';
import { giveToAccount, startVsftpd, type RealServer, type VsftpdOptions } from './helpers/real-servers.ts';

const FAST: Partial<SourceOptions> = { retryDelayMs: 5, timeoutMs: 5000, retries: 2 };
const fail = (why: string): Error => {
  assert.unreachable(why);
  return new Error(why);
};
const tmp = (prefix: string) => mkdtempSync(path.join(tmpdir(), `los2mo-${prefix}-`));

const FILES: Record<string, string> = {
  'STAM_UUID_Enhedstype.csv': 'EnhedstypeUUID;Enhedstype\n11111111-1111-1111-1111-111111111111;Afdeling\n',
  'Org_nye_20240102_000000.csv': 'OrgUUID;BrugervendtNøgle\n' + 'x;Ærø\n'.repeat(2000),
  'Pers_nye_20240103_000000.csv': 'UUID;CPR\n',
};
const MTIME = new Date(Date.UTC(2024, 2, 5, 10, 20, 30));

/** The delivery in `<login folder>/in`, owned by the FTP account. */
function writeDelivery(home: string): void {
  const dir = path.join(home, 'in');
  mkdirSync(dir, { recursive: true });
  for (const [name, body] of Object.entries(FILES)) {
    writeFileSync(path.join(dir, name), body);
    utimesSync(path.join(dir, name), MTIME, MTIME);
  }
  writeFileSync(path.join(dir, 'readme.txt'), 'not LOS');
  giveToAccount(dir);
}

async function withVsftpd(opts: VsftpdOptions, fn: (srv: RealServer) => Promise<void>): Promise<void> {
  const srv = await startVsftpd(opts);
  try {
    writeDelivery(srv.home);
    await fn(srv);
  } catch (err) {
    throw new Error(`${(err as Error).stack}\n--- vsftpd log ---\n${srv.log().slice(-3000)}`);
  } finally {
    await srv.close();
  }
}

async function listAndDownload(opts: SourceOptions): Promise<void> {
  const src = await openSource({ ...FAST, ...opts });
  try {
    const list = await src.list();
    assert.equal(list.map((f) => f.name), Object.keys(FILES).sort());
    for (const f of list) {
      assert.is(f.mtime.toISOString(), MTIME.toISOString(), `mtime of ${f.name}`);
      assert.is(f.size, Buffer.byteLength(FILES[f.name]!));
    }
    const dest = tmp('vsftpd-dest');
    for (const f of list) assert.is(readFileSync(await src.download(f, dest), 'utf8'), FILES[f.name]);
    rmSync(dest, { recursive: true });
    await src.upload('DARfejlliste', 'failed_addr_Org_nye_20240102_000000.csv', 'OrgUUID;PostAdresse\n');
  } finally {
    await src.close();
  }
}

const ftp = suite('source: vsftpd');

ftp('plain FTP: LIST + MDTM, downloads and an upload into a new folder', async () => {
  await withVsftpd({}, async (srv) => {
    await listAndDownload({ url: `ftp://${srv.host}:${srv.port}`, folder: 'in', user: srv.user, password: srv.password });
    const up = path.join(srv.home, 'in', 'DARfejlliste', 'failed_addr_Org_nye_20240102_000000.csv');
    assert.is(readFileSync(up, 'utf8'), 'OrgUUID;PostAdresse\n');
    assert.ok(srv.log().includes('MDTM'), 'vsftpd has no MLSD: mtimes come from MDTM');
  });
});

ftp('explicit FTPS with a pinned self-signed certificate: data connections resume the verified session (require_ssl_reuse=YES)', async () => {
  await withVsftpd({ tls: 'explicit' }, async (srv) => {
    await listAndDownload({ url: `ftps://${srv.user}@${srv.host}:${srv.port}/in`, password: srv.password, tlsFingerprint: srv.tlsFingerprint });
    // the same with the certificate as CA file (no pin)
    await listAndDownload({ url: `ftps://${srv.user}@${srv.host}:${srv.port}/in`, password: srv.password, caFile: srv.certFile });
    assert.not.match(srv.log(), /session reuse required/, 'every data connection resumed the control session');
    // a wrong pin fails on the control connection, before the password is sent
    const other = 'AA:' + srv.tlsFingerprint!.slice(3).replace(/^./, (c) => (c === '0' ? '1' : '0'));
    const err = await openSource({ ...FAST, url: `ftps://${srv.user}@${srv.host}:${srv.port}/in`, password: srv.password, tlsFingerprint: other }).then(() => fail('a wrong pin must fail'), (e: Error) => e);
    assert.match(err.message, /the server's TLS certificate has fingerprint .* not the pinned tls_fingerprint/);
    assert.not.match(err.message, /data connection/);
    assert.not.ok(err.message.includes(srv.password));
  });
});

ftp('implicit FTPS (ftps-implicit://): pinned and with a CA file', async () => {
  await withVsftpd({ tls: 'implicit' }, async (srv) => {
    await listAndDownload({ url: `ftps-implicit://${srv.user}@${srv.host}:${srv.port}/in`, password: srv.password, tlsFingerprint: srv.tlsFingerprint });
    await listAndDownload({ url: `ftps-implicit://${srv.user}@${srv.host}:${srv.port}/in`, password: srv.password, caFile: srv.certFile });
    // explicit FTPS against an implicit server fails with a TLS error, not a 90 s wait
    const err = await openSource({ ...FAST, timeoutMs: 1500, url: `ftps://${srv.user}@${srv.host}:${srv.port}/in`, password: srv.password, caFile: srv.certFile }).then(() => fail('explicit against implicit must fail'), (e: Error) => e);
    assert.match(err.message, /no FTP greeting: if the server uses implicit TLS .* use ftps-implicit:\/\//);
    assert.not.ok(err.message.includes(srv.password));
  });
});

ftp('mtimes are whole seconds: a file written 0.5 s after the state time is still taken', async () => {
  await withVsftpd({}, async (srv) => {
    const name = path.join(srv.home, 'in', 'Org_nye_20240102_000000.csv');
    const written = new Date(Date.UTC(2024, 2, 5, 12, 0, 0, 800));
    utimesSync(name, written, written);
    const state = new Date(Date.UTC(2024, 2, 5, 12, 0, 0, 300)); // the last import started 0.5 s earlier
    const src = await openSource({ ...FAST, url: `ftp://${srv.host}:${srv.port}/in`, user: srv.user, password: srv.password });
    const f = (await src.list()).find((x) => x.name === 'Org_nye_20240102_000000.csv')!;
    await src.close();
    assert.is(f.mtime.toISOString(), '2024-03-05T12:00:00.000Z', 'MDTM has whole seconds');
    assert.is(src.precisionMs, 1000);
    assert.not.ok(f.mtime.getTime() > state.getTime(), 'compared exactly it would be skipped on every run');
    assert.ok(isNewerThan(f.mtime, state, src.precisionMs), 'compared at the server precision it is taken');
  });
});

ftp('URL paths are relative to the login folder (RFC 1738); %2F makes them absolute; the printed source works pasted back', async () => {
  await withVsftpd({}, async (srv) => {
    const base = `ftp://${srv.user}@${srv.host}:${srv.port}`;
    const src = await openSource({ ...FAST, url: `${base}/in`, password: srv.password });
    assert.is((await src.list()).length, Object.keys(FILES).length);
    assert.is(src.display, `${base}/in`);
    await src.close();
    const pasted = await openSource({ ...FAST, url: src.display, password: srv.password });
    assert.is((await pasted.list()).length, Object.keys(FILES).length, 'the printed source, pasted back');
    await pasted.close();
    // vsftpd does not jail the user (Debian's default): /in is the file system's /in, which does not exist
    const err = await openSource({ ...FAST, url: `${base}/%2Fin`, password: srv.password }).then(() => fail('/in does not exist'), (e: Error) => e);
    assert.match(err.message, /folder "\/in" at .* cannot be opened: 550/);
    const abs = await openSource({ ...FAST, url: `${base}/%2F${srv.home.slice(1)}/in`, password: srv.password });
    assert.is((await abs.list()).length, Object.keys(FILES).length, 'an absolute path with %2F');
    assert.is(abs.display, `${base}/%2F${srv.home.slice(1)}/in`);
    await abs.close();
  });
});

ftp('uploads are rw-r--r-- whatever the server umask (local_umask=000 would give 0666)', async () => {
  await withVsftpd({ extra: ['local_umask=000'] }, async (srv) => {
    const src = await openSource({ ...FAST, url: `ftp://${srv.host}:${srv.port}/in`, user: srv.user, password: srv.password });
    await src.upload('DARfejlliste', 'failed_addr_Org_nye_20240102_000000.csv', 'a;b\n');
    await src.close();
    const st = statSync(path.join(srv.home, 'in', 'DARfejlliste', 'failed_addr_Org_nye_20240102_000000.csv'));
    assert.is((st.mode & 0o777).toString(8), '644');
  });
});

ftp('a file name with a trailing CR is a warning naming it; the other files are listed', async () => {
  await withVsftpd({}, async (srv) => {
    const odd = path.join(srv.home, 'in', 'Org_ret_20240104_000000.csv\r');
    writeFileSync(odd, 'OrgUUID\n');
    giveToAccount(odd);
    const warnings: string[] = [];
    const src = await openSource({ ...FAST, url: `ftp://${srv.host}:${srv.port}/in`, user: srv.user, password: srv.password, onWarning: (w) => warnings.push(w) });
    const list = await src.list();
    assert.equal(list.map((f) => f.name), Object.keys(FILES).sort(), 'the other files are taken');
    assert.ok(warnings.some((w) => w.includes('Org_ret_20240104_000000.csv')), warnings.join('\n'));
    await src.close();
  });
});

ftp('MDTM in local time (use_localtime=YES): server_timezone reads it right; the clock check warns without it', async () => {
  await withVsftpd({ useLocaltime: true, tz: 'CET-1CEST,M3.5.0,M10.5.0/3' }, async (srv) => {
    const url = `ftp://${srv.host}:${srv.port}/in`;
    // without the setting: every time is an hour off (MTIME is in March: CET, UTC+1), and the upload's clock check says so
    const warnings: string[] = [];
    const naive = await openSource({ ...FAST, url, user: srv.user, password: srv.password, onWarning: (w) => warnings.push(w) });
    const shifted = await naive.list();
    assert.is(shifted[0]!.mtime.getTime() - MTIME.getTime(), 3_600_000, 'read as UTC: one hour late');
    await naive.upload('DARfejlliste', 'failed_addr_Org_nye_20240102_000000.csv', 'x\n');
    await naive.close();
    const clock = warnings.find((w) => /file times are UTC\+/.test(w));
    assert.ok(clock, warnings.join('\n'));
    assert.match(clock!, /no server_timezone .* set server_timezone/);
    // with it: exact times, and no clock warning
    const w2: string[] = [];
    const right = await openSource({ ...FAST, url, user: srv.user, password: srv.password, serverTimezone: 'Europe/Copenhagen', onWarning: (w) => w2.push(w) });
    for (const f of await right.list()) assert.is(f.mtime.toISOString(), MTIME.toISOString(), f.name);
    await right.upload('DARfejlliste', 'failed_addr_Org_nye_20240102_000000.csv', 'y\n');
    await right.close();
    assert.not.ok(w2.some((w) => /file times are/.test(w)), w2.join('\n'));
  });
});

ftp.run();
