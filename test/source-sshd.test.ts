/**
 * SFTP against Debian's OpenSSH 9.2 sshd (internal-sftp), started as a real process per test with
 * an ed25519 and an RSA host key (test/helpers/real-servers.ts). The in-process ssh2 server
 * (source-sftp.test.ts) stays for fault injection.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { openSource, type SourceOptions } from '../src/source/source.ts';
import { giveToAccount, startSshd, type RealServer, type SshdOptions } from './helpers/real-servers.ts';

const FAST: Partial<SourceOptions> = { retryDelayMs: 5, timeoutMs: 5000, retries: 2 };
const tmp = (prefix: string) => mkdtempSync(path.join(tmpdir(), `los2mo-${prefix}-`));

const FILES: Record<string, string> = {
  'STAM_UUID_Lederniveau.csv': 'LederniveauUUID;Lederniveau;Loadtime\n',
  'Org_ret_20240102_000000.csv': 'OrgUUID;BrugervendtNøgle\n' + 'x;Ærø\n'.repeat(3000),
};
const MTIME = new Date(Date.UTC(2023, 10, 1, 8, 0, 59));

function writeDelivery(home: string): void {
  const dir = path.join(home, 'in');
  mkdirSync(dir, { recursive: true });
  for (const [name, body] of Object.entries(FILES)) {
    writeFileSync(path.join(dir, name), body);
    utimesSync(path.join(dir, name), MTIME, MTIME);
  }
  giveToAccount(dir);
}

async function withSshd(opts: SshdOptions, fn: (srv: RealServer) => Promise<void>): Promise<void> {
  const srv = await startSshd(opts);
  try {
    writeDelivery(srv.home);
    await fn(srv);
  } catch (err) {
    throw new Error(`${(err as Error).stack}\n--- sshd output ---\n${srv.log()}`);
  } finally {
    await srv.close();
  }
}

const url = (srv: RealServer, p = '/~/in') => `sftp://${srv.user}@${srv.host}:${srv.port}${p}`;

const sshd = suite('source: OpenSSH sshd');

sshd('ed25519 host key pinned: list, download, upload', async () => {
  await withSshd({}, async (srv) => {
    const src = await openSource({ ...FAST, url: url(srv, path.join(srv.home, 'in')), password: srv.password, hostKeyFingerprint: srv.hostKeys!.ed25519 });
    const list = await src.list();
    assert.equal(list.map((f) => f.name), Object.keys(FILES).sort());
    for (const f of list) assert.is(f.mtime.toISOString(), MTIME.toISOString());
    const dest = tmp('sshd-dest');
    for (const f of list) assert.is(readFileSync(await src.download(f, dest), 'utf8'), FILES[f.name]);
    rmSync(dest, { recursive: true });
    await src.upload('DARfejlliste', 'failed_addr_Org_ret_20240102_000000.csv', 'a;b\n');
    await src.close();
    assert.is(readFileSync(path.join(srv.home, 'in', 'DARfejlliste', 'failed_addr_Org_ret_20240102_000000.csv'), 'utf8'), 'a;b\n');
  });
});

const fail = (why: string): Error => {
  assert.unreachable(why);
  return new Error(why);
};

sshd('the RSA host key pinned: the client asks for the RSA key (the server would send ed25519 first)', async () => {
  await withSshd({}, async (srv) => {
    const src = await openSource({ ...FAST, url: url(srv), password: srv.password, hostKeyFingerprint: srv.hostKeys!.rsa });
    assert.is((await src.list()).length, Object.keys(FILES).length);
    await src.close();
    // both, as a list
    const both = await openSource({ ...FAST, url: url(srv), password: srv.password, hostKeyFingerprint: `${srv.hostKeys!.rsa}, ${srv.hostKeys!.ed25519}` });
    await both.close();
  });
});

sshd('a wrong pin: refused before authenticating, naming every key the server presented', async () => {
  await withSshd({}, async (srv) => {
    const wrong = 'SHA256:' + 'A'.repeat(43);
    const err = await openSource({ ...FAST, url: url(srv), password: srv.password, hostKeyFingerprint: wrong }).then(() => fail('a wrong pin must fail'), (e: Error) => e);
    assert.match(err.message, /does not match host_key_fingerprint/);
    assert.ok(err.message.includes(srv.hostKeys!.ed25519) && err.message.includes(srv.hostKeys!.rsa), err.message);
    assert.not.ok(err.message.includes(srv.password));
    assert.not.match(srv.log(), /Accepted password|Failed password/, 'no password was offered');
  });
});

sshd('an OpenSSH known_hosts file (ssh-keyscan, hashed with ssh-keygen -H): only its key type is negotiated', async () => {
  await withSshd({}, async (srv) => {
    const dir = tmp('sshd-kh');
    const file = path.join(dir, 'known_hosts');
    const scanned = execFileSync('ssh-keyscan', ['-p', String(srv.port), '-t', 'rsa', '127.0.0.1'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    assert.match(scanned, /^\[127\.0\.0\.1\]:\d+ ssh-rsa /m);
    writeFileSync(file, scanned);
    execFileSync('ssh-keygen', ['-H', '-f', file], { stdio: 'ignore' });
    assert.match(readFileSync(file, 'utf8'), /^\|1\|/m, 'hashed');
    const src = await openSource({ ...FAST, url: url(srv), password: srv.password, knownHostsFile: file });
    assert.is((await src.list()).length, Object.keys(FILES).length);
    await src.close();
    assert.match(srv.log(), /Accepted password/);
    // the same key marked @revoked is refused
    writeFileSync(file, `@revoked ${scanned.trim()}\n`);
    const err = await openSource({ ...FAST, url: url(srv), password: srv.password, knownHostsFile: file, hostKeyFingerprint: srv.hostKeys!.rsa }).then(() => fail('revoked'), (e: Error) => e);
    assert.match(err.message, /revoked|does not match/);
    rmSync(dir, { recursive: true });
  });
});

sshd('uploads are rw-r--r--, not the 0666 ssh2 sets by default', async () => {
  await withSshd({}, async (srv) => {
    const src = await openSource({ ...FAST, url: url(srv), password: srv.password, hostKeyFingerprint: srv.hostKeys!.ed25519 });
    await src.upload('DARfejlliste', 'failed_addr_Org_ret_20240102_000000.csv', 'a;b\n');
    await src.close();
    const st = statSync(path.join(srv.home, 'in', 'DARfejlliste', 'failed_addr_Org_ret_20240102_000000.csv'));
    assert.is((st.mode & 0o777).toString(8), '644');
  });
});

sshd('relative folder (/~/in) and the printed source pasted back; a wrong password is refused and never shown', async () => {
  await withSshd({}, async (srv) => {
    const src = await openSource({ ...FAST, url: `sftp://${srv.user}@${srv.host}:${srv.port}`, folder: 'in', password: srv.password, hostKeyFingerprint: srv.hostKeys!.ed25519 });
    assert.is(src.display, url(srv));
    await src.close();
    const pasted = await openSource({ ...FAST, url: src.display, password: srv.password, hostKeyFingerprint: srv.hostKeys!.ed25519 });
    assert.is((await pasted.list()).length, Object.keys(FILES).length);
    await pasted.close();
    const bad = 'Wr0ng-pa55word-xyz';
    const err = await openSource({ ...FAST, url: url(srv), password: bad, hostKeyFingerprint: srv.hostKeys!.ed25519 }).then(() => fail('wrong password'), (e: Error) => e);
    assert.match(err.message, /login as "los2mo_test" .* refused/);
    assert.not.ok(`${err.message}${err.stack}`.includes(bad));
  });
});

sshd.run();
