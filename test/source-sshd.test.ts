/**
 * SFTP against Debian's OpenSSH 9.2 sshd (internal-sftp), started as a real process per test with
 * an ed25519 and an RSA host key (test/helpers/real-servers.ts). The in-process ssh2 server
 * (source-sftp.test.ts) stays for fault injection.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
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

sshd.run();
