/**
 * A server that goes silent never hangs the fetch. Between the source and the real in-process
 * server (ssh2 for SFTP, ftp-srv for FTP) sits a TCP proxy (helpers/silent-proxy.ts) that on cue
 * stops forwarding in both directions and keeps both sockets open: no FIN, no RST, exactly what a
 * firewall that dropped the connection's state or a frozen server host looks like. The source runs
 * with a small `timeoutMs`; each case must END (the guard below fails a case that hangs) with an
 * error that says the server stopped answering, names the host and the operation, and never holds
 * the password — or, when the silence was only the old connection's, succeed on the retry.
 * No elapsed times are asserted.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { openSource, SourceError, type Source, type SourceOptions } from '../src/source/source.ts';
import { startSftpServer, type SftpTestServerOptions } from './helpers/sftp-server.ts';
import { startFtpServer, type FtpTestServerOptions } from './helpers/ftp-server.ts';
import { startSilentProxy, type SilentProxy, type SilentProxyOptions } from './helpers/silent-proxy.ts';

const PASSWORD = 'St1lle-Server-Pa55';
const TIMEOUT_MS = 1000;
/** far longer than any bounded ending here takes: a case still running then has hung */
const HANG_GUARD_MS = 60_000;

const BIG = 'Pers_ret_20240105_000000.csv';
const SMALL = 'Org_ret_20240102_000000.csv';
const FILES: Record<string, Buffer> = {
  [SMALL]: Buffer.from('OrgUUID;BrugervendtNøgle\n'),
  [BIG]: randomBytes(400_000), // several SFTP reads, several FTP data chunks
};

/** the SFTP server goes silent when asked for bytes from here on: the client has some of the file by then */
const HALF = FILES[BIG]!.length / 2;

const tmp = (prefix: string) => mkdtempSync(path.join(tmpdir(), `los2mo-${prefix}-`));

/** `p`, or a failure naming `what` when it has not ended after HANG_GUARD_MS. */
async function ends<T>(p: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const guard = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new assert.Assertion({ message: `${what} hung: still running after ${HANG_GUARD_MS} ms` } as never)), HANG_GUARD_MS);
  });
  try {
    return await Promise.race([p, guard]);
  } finally {
    clearTimeout(timer);
  }
}

/** The SourceError `p` rejects with (failing when it resolves or hangs). */
async function failure(p: Promise<unknown>, what: string): Promise<SourceError> {
  try {
    await ends(p, what);
  } catch (err) {
    if (err instanceof assert.Assertion) throw err;
    assert.instance(err, SourceError, String(err));
    return err as SourceError;
  }
  assert.unreachable(`${what}: expected a failure`);
  throw new Error('unreachable');
}

function assertClear(err: SourceError, where: string, operation: string, pattern: RegExp) {
  assert.ok(err.message.includes(where), `names the host ${where}: ${err.message}`);
  assert.match(err.message, new RegExp(`${operation}`), `names the operation: ${err.message}`);
  assert.match(err.message, pattern, `says the server stopped answering: ${err.message}`);
  const text = `${err.message}\n${err.stack}\n${JSON.stringify(err)}`;
  assert.not.ok(text.includes(PASSWORD), `the password appears: ${text}`);
}

function delivery(): string {
  const root = tmp('silent-root');
  mkdirSync(path.join(root, 'in'));
  for (const [name, body] of Object.entries(FILES)) writeFileSync(path.join(root, 'in', name), body);
  return root;
}

interface Rig {
  proxy: SilentProxy;
  retries: string[];
  open(extra?: Partial<SourceOptions>): Promise<Source>;
  /** the source being opened/used, closed by the rig */
  dest: string;
}

const FAST = (retries: string[]): Partial<SourceOptions> => ({ timeoutMs: TIMEOUT_MS, retryDelayMs: 5, onRetry: (m) => retries.push(m) });

// ---- SFTP ----------------------------------------------------------------------------------------

async function withSftp(
  proxyOpts: Omit<SilentProxyOptions, 'target'>,
  serverOpts: (proxy: () => SilentProxy) => Omit<SftpTestServerOptions, 'root'>,
  fn: (rig: Rig & { opens: Map<string, number> }) => Promise<void>,
) {
  const root = delivery();
  let proxy: SilentProxy | undefined;
  const srv = await startSftpServer({ password: PASSWORD, ...serverOpts(() => proxy!), root });
  proxy = await startSilentProxy({ ...proxyOpts, target: { host: srv.host, port: srv.port } });
  const retries: string[] = [];
  const sources: Source[] = [];
  const dest = tmp('silent-dest');
  const p = proxy;
  try {
    await fn({
      proxy: p,
      retries,
      dest,
      opens: srv.opens,
      open: async (extra = {}) => {
        const s = await openSource({ url: `sftp://los@127.0.0.1:${p.port}/in`, password: PASSWORD, hostKeyFingerprint: srv.hostKeyFingerprint, ...FAST(retries), ...extra });
        sources.push(s);
        return s;
      },
    });
  } finally {
    for (const s of sources) await ends(s.close(), 'close');
    await p.close();
    await srv.close();
    rmSync(root, { recursive: true, force: true });
    rmSync(dest, { recursive: true, force: true });
  }
}

const sftp = suite('silent server: SFTP');

sftp('silent during the handshake (after the banner): connect ends after 3 attempts, "no answer", host named', async () => {
  await withSftp({ silenceWhen: (dir, _c, conn) => dir === 'down' && conn.down > 0 }, () => ({}), async ({ proxy, retries, open }) => {
    const err = await failure(open(), 'connect to a server silent in the handshake');
    assertClear(err, `sftp://los@127.0.0.1:${proxy.port}/in`, 'SFTP connect', /stopped answering|no answer/);
    assert.is(err.attempts, 3);
    assert.is(retries.length, 2, 'two retries counted');
    assert.is(proxy.connections, 3, 'each attempt is a new connection');
  });
});

sftp('silent at the login (the password was sent, no answer comes): connect ends, not taken for a wrong password', async () => {
  await withSftp({}, (proxy) => ({ onRequest: (r) => r === 'auth' && proxy().silence() }), async ({ proxy, retries, open }) => {
    const err = await failure(open(), 'connect to a server silent at the login');
    assertClear(err, `sftp://los@127.0.0.1:${proxy.port}/in`, 'SFTP connect', /stopped answering|no answer/);
    assert.not.match(err.message, /refused|wrong/, 'a silent server is no refused login');
    assert.is(err.attempts, 3);
    assert.is(retries.length, 2);
  });
});

sftp('silent while listing (READDIR never answered; no transfer timer runs): the keep-alives find the dead connection, the listing ends', async () => {
  await withSftp({}, (proxy) => ({ onRequest: (r) => r === 'list' && proxy().silence() }), async ({ proxy, retries, open }) => {
    const src = await open();
    const err = await failure(src.list(), 'list on a silent server');
    assertClear(err, `sftp://los@127.0.0.1:${proxy.port}/in`, 'SFTP list', /stopped answering/);
    assert.match(err.message, /failed after 3 attempts: the server stopped answering, the connection is dead: no answer to 2 keep-alives/, `the keep-alives ended it: ${err.message}`);
    assert.is(err.attempts, 3);
    assert.is(retries.length, 2);
  });
});

sftp('silent between the listing and the download: the download ends, names the file and the dead connection', async () => {
  await withSftp({}, (proxy) => ({ onRequest: (r) => r === 'open' && proxy().silence() }), async ({ proxy, retries, open, dest }) => {
    const src = await open();
    const list = await ends(src.list(), 'list');
    assert.equal(list.map((f) => f.name), [SMALL, BIG]);
    const err = await failure(src.download(list.find((f) => f.name === SMALL)!, dest), 'download after a silence');
    assertClear(err, `sftp://los@127.0.0.1:${proxy.port}/in`, `SFTP download of "${SMALL}"`, /stopped answering|no answer|connection is dead/);
    assert.is(err.attempts, 3);
    assert.is(retries.length, 2);
    assert.is(src.retries, 2);
    assert.equal(readdirSync(dest), [], 'no partial file is left');
  });
});

sftp('silent mid-transfer (some bytes received): the download ends with the idle/dead connection named; a retry on a fresh connection completes', async () => {
  await withSftp(
    { afterSilence: 'forward' },
    (proxy) => ({ onRequest: (r, d) => r === 'read' && d.name === BIG && d.offset! >= HALF && proxy().silenced === 0 && proxy().silence() }),
    async ({ proxy, retries, open, dest, opens }) => {
      const src = await open();
      const big = (await ends(src.list(), 'list')).find((f) => f.name === BIG)!;
      const progress: number[] = [];
      const file = await ends(src.download(big, dest, (n) => progress.push(n)), 'download silent mid-transfer');
      assert.ok(readFileSync(file).equals(FILES[BIG]!), 'the retry fetched the whole file');
      assert.is(proxy.silenced, 1);
      assert.is(opens.get(BIG), 2, 'opened twice');
      assert.is(src.retries, 1);
      assert.is(retries.length, 1);
      assert.match(retries[0]!, new RegExp(`SFTP download of "${BIG}" at sftp://los@127\\.0\\.0\\.1:${proxy.port}/in: attempt 1 of 3 failed \\(.*(stopped answering|no answer|connection is dead)`));
      assert.ok(progress.some((n, i) => i > 0 && n < progress[i - 1]!), 'bytes had arrived before the silence (progress restarted)');
    },
  );
});

sftp('silent mid-transfer for good: the download ends after 3 attempts, nothing left behind', async () => {
  await withSftp({}, (proxy) => ({ onRequest: (r, d) => r === 'read' && d.name === BIG && d.offset! >= HALF && proxy().silence() }), async ({ proxy, retries, open, dest }) => {
    const src = await open();
    const big = (await ends(src.list(), 'list')).find((f) => f.name === BIG)!;
    let most = 0;
    const err = await failure(src.download(big, dest, (n) => (most = Math.max(most, n))), 'download silent mid-transfer');
    assert.ok(most > 0 && most < big.size, `some bytes arrived before the silence (${most})`);
    assertClear(err, `sftp://los@127.0.0.1:${proxy.port}/in`, `SFTP download of "${BIG}"`, /stopped answering|no answer|connection is dead/);
    assert.is(err.attempts, 3);
    assert.is(retries.length, 2);
    assert.equal(readdirSync(dest), [], 'no partial file is left');
  });
});

sftp('silent between two operations (the idle connection was dropped by a firewall), then an upload: ends, names the upload', async () => {
  await withSftp({}, () => ({}), async ({ proxy, retries, open }) => {
    const src = await open();
    await ends(src.list(), 'list');
    proxy.silence();
    const err = await failure(src.upload('DARfejlliste', 'failed_addr_Org_ret_20240101_000000.csv', 'x;y\n'), 'upload to a silent server');
    assertClear(err, `sftp://los@127.0.0.1:${proxy.port}/in`, 'SFTP upload of "DARfejlliste/failed_addr_Org_ret_20240101_000000.csv"', /stopped answering/);
    assert.is(err.attempts, 3);
    assert.is(retries.length, 2);
  });
});

sftp.run();

// ---- FTP -----------------------------------------------------------------------------------------

/** The FTP control connection goes through the proxy; passive data connections go to the server directly. */
async function withFtp(
  proxyOpts: Omit<SilentProxyOptions, 'target'>,
  serverOpts: Omit<FtpTestServerOptions, 'root'>,
  fn: (rig: Rig & { retrievals: Map<string, number>; commands: string[] }) => Promise<void>,
) {
  const root = delivery();
  const srv = await startFtpServer({ ...serverOpts, root, password: PASSWORD });
  const proxy = await startSilentProxy({ ...proxyOpts, target: { host: srv.host, port: srv.port } });
  const retries: string[] = [];
  const sources: Source[] = [];
  const dest = tmp('silent-dest');
  try {
    await fn({
      proxy,
      retries,
      dest,
      retrievals: srv.retrievals,
      commands: srv.commands,
      open: async (extra = {}) => {
        const s = await openSource({ url: `ftp://los@127.0.0.1:${proxy.port}/in`, password: PASSWORD, ...FAST(retries), ...extra });
        sources.push(s);
        return s;
      },
    });
  } finally {
    for (const s of sources) await ends(s.close(), 'close');
    await proxy.close();
    await srv.close();
    rmSync(root, { recursive: true, force: true });
    rmSync(dest, { recursive: true, force: true });
  }
}

/** A client's command on the (plain) control connection. */
const command = (verb: string) => (dir: string, chunk: Buffer) => dir === 'up' && chunk.toString('latin1').toUpperCase().startsWith(`${verb} `);

const ftp = suite('silent server: FTP');

ftp('control connection silent at the login (PASS never answered): connect ends after 3 attempts, no refused login, no password', async () => {
  await withFtp({ silenceWhen: command('PASS') }, {}, async ({ proxy, retries, open, commands }) => {
    const err = await failure(open(), 'connect to a server silent at the login');
    assertClear(err, `ftp://los@127.0.0.1:${proxy.port}/in`, 'FTP connect', /stopped answering/);
    assert.not.match(err.message, /refused|wrong/, 'a silent server is no refused login');
    assert.is(err.attempts, 3);
    assert.is(retries.length, 2);
    assert.not.ok(commands.includes('PASS'), 'the server never got the password');
  });
});

ftp('control connection silent after the greeting of a frozen host: connect ends', async () => {
  await withFtp({ silenceWhen: (dir, _c, conn) => dir === 'down' && conn.down > 0 }, {}, async ({ proxy, retries, open }) => {
    const err = await failure(open(), 'connect to a server silent after its greeting');
    assertClear(err, `ftp://los@127.0.0.1:${proxy.port}/in`, 'FTP connect', /stopped answering/);
    assert.is(err.attempts, 3);
    assert.is(retries.length, 2);
  });
});

ftp('control connection silent between the listing and the download (RETR never answered): the download ends, names the file', async () => {
  await withFtp({ silenceWhen: command('RETR') }, {}, async ({ proxy, retries, open, dest, retrievals }) => {
    const src = await open();
    const list = await ends(src.list(), 'list');
    assert.equal(list.map((f) => f.name), [SMALL, BIG]);
    const err = await failure(src.download(list[0]!, dest), 'download after a silence');
    assertClear(err, `ftp://los@127.0.0.1:${proxy.port}/in`, `FTP download of "${SMALL}"`, /stopped answering/);
    assert.is(err.attempts, 3);
    assert.is(retries.length, 2);
    assert.is(src.retries, 2);
    assert.is(retrievals.get(SMALL), undefined, 'the server never got the RETR');
    assert.equal(readdirSync(dest), [], 'no partial file is left');
  });
});

ftp('data connection silent mid-transfer (half the file sent, then nothing, both connections open): retried on a fresh connection, completes', async () => {
  await withFtp({}, { faults: { [BIG]: { kind: 'stall', times: 1 } } }, async ({ retries, open, dest, retrievals, proxy }) => {
    const src = await open();
    const big = (await ends(src.list(), 'list')).find((f) => f.name === BIG)!;
    const progress: number[] = [];
    const file = await ends(src.download(big, dest, (n) => progress.push(n)), 'download silent mid-transfer');
    assert.ok(readFileSync(file).equals(FILES[BIG]!), 'the retry fetched the whole file');
    assert.is(retrievals.get(BIG), 2);
    assert.is(src.retries, 1);
    assert.is(retries.length, 1);
    assert.match(retries[0]!, new RegExp(`FTP download of "${BIG}" at ftp://los@127\\.0\\.0\\.1:${proxy.port}/in: attempt 1 of 3 failed \\(the server stopped answering`));
    assert.ok(progress.some((n, i) => i > 0 && n < progress[i - 1]!), 'bytes had arrived before the silence (progress restarted)');
  });
});

ftp('data connection silent mid-transfer for good: the download ends after 3 attempts, nothing left behind', async () => {
  await withFtp({}, { faults: { [BIG]: { kind: 'stall', times: Infinity } } }, async ({ retries, open, dest, retrievals, proxy }) => {
    const src = await open();
    const big = (await ends(src.list(), 'list')).find((f) => f.name === BIG)!;
    let most = 0;
    const err = await failure(src.download(big, dest, (n) => (most = Math.max(most, n))), 'download silent mid-transfer');
    assert.ok(most > 0 && most < big.size, `some bytes arrived before the silence (${most})`);
    assertClear(err, `ftp://los@127.0.0.1:${proxy.port}/in`, `FTP download of "${BIG}"`, /stopped answering/);
    assert.is(err.attempts, 3);
    assert.is(retrievals.get(BIG), 3);
    assert.is(retries.length, 2);
    assert.equal(readdirSync(dest), [], 'no partial file is left');
    // the source is still usable: the next file comes whole
    const small = await ends(src.download((await ends(src.list(), 'list'))[0]!, dest), 'download after the failure');
    assert.ok(readFileSync(small).equals(FILES[SMALL]!));
  });
});

ftp('silent between two operations, then an upload: ends, names the upload', async () => {
  await withFtp({}, {}, async ({ proxy, retries, open }) => {
    const src = await open();
    await ends(src.list(), 'list');
    proxy.silence();
    const err = await failure(src.upload('DARfejlliste', 'failed_addr_Org_ret_20240101_000000.csv', 'x;y\n'), 'upload to a silent server');
    assertClear(err, `ftp://los@127.0.0.1:${proxy.port}/in`, 'FTP upload of "DARfejlliste/failed_addr_Org_ret_20240101_000000.csv"', /stopped answering/);
    assert.is(err.attempts, 3);
    assert.is(retries.length, 2);
  });
});

ftp.run();
