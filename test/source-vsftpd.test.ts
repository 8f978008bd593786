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
import { openSource, type SourceOptions } from '../src/source/source.ts';
import { giveToAccount, startVsftpd, type RealServer, type VsftpdOptions } from './helpers/real-servers.ts';

const FAST: Partial<SourceOptions> = { retryDelayMs: 5, timeoutMs: 5000, retries: 2 };
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

ftp.run();
