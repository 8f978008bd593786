/**
 * An in-process SFTP server for tests: ssh2's Server on 127.0.0.1 (port 0), SFTP requests mapped
 * to a temp folder. Handles REALPATH, STAT/LSTAT/FSTAT, OPENDIR/READDIR, OPEN/READ/WRITE/CLOSE,
 * MKDIR, SETSTAT/FSETSTAT (accepted, ignored), REMOVE, RENAME.
 *
 * Auth: password, and/or public key (`authorizedKey`, OpenSSH public key line).
 * Test hooks:
 * - `hostileNames`: extra READDIR entries of every folder (e.g. "../evil.csv").
 * - `faults`: per file name, how the first (or every) download misbehaves:
 *     drop   – once half the file has been read, the TCP connection is destroyed
 *     short  – reads end (EOF) at half the file, while STAT still reports the full size
 * - `bareReaddir`: READDIR entries without attributes (type, size and mtime only from STAT).
 * - `onRequest`: called before the server answers an authentication, an OPENDIR, a read-OPEN or a READ.
 * - `opens` counts read-OPENs per file name, `logins` the authentication attempts, `stats` STATs.
 */
import { createHash } from 'node:crypto';
import { promises as fsp, type Stats } from 'node:fs';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import ssh2, { type Attributes, type Connection, type ParsedKey, type SFTPWrapper } from 'ssh2';

const { Server, utils } = ssh2;
const { STATUS_CODE, OPEN_MODE } = utils.sftp;

export interface SftpFault {
  kind: 'drop' | 'short';
  /** how many downloads of the file misbehave (default 1); Infinity for every one */
  times?: number;
}

export interface SftpTestServerOptions {
  root: string;
  user?: string;
  /** accepted password; undefined: password auth refused */
  password?: string;
  /** OpenSSH public key line accepted for publickey auth */
  authorizedKey?: string;
  hostileNames?: string[];
  faults?: Record<string, SftpFault>;
  /** READDIR without attributes and with a bare longname (some servers): clients must ask STAT */
  bareReaddir?: boolean;
  /** called as the server takes a request, before it answers (e.g. to silence a proxy in front of it) */
  onRequest?: (request: 'auth' | 'list' | 'open' | 'read', detail: { name?: string; offset?: number }) => void;
}

export interface SftpTestServer {
  host: string;
  port: number;
  /** "SHA256:…" of the server's host key, as ssh-keygen -lf prints it */
  hostKeyFingerprint: string;
  opens: Map<string, number>;
  stats: string[];
  logins: { user: string; method: string; ok: boolean }[];
  url(folder?: string): string;
  close(): Promise<void>;
}

/** An ed25519 key pair in OpenSSH format, optionally encrypted with `passphrase`. */
export function makeSshKeyPair(passphrase?: string): { privateKey: string; publicKey: string; fingerprint: string } {
  // ssh2 1.17's generateKeyPairSync('ed25519') writes a malformed key (31-byte field) when the
  // key starts with a zero byte, about 1 in 100: generate until both halves parse
  for (let i = 0; ; i++) {
    const kp = passphrase
      ? utils.generateKeyPairSync('ed25519', { passphrase, cipher: 'aes256-ctr', rounds: 4 })
      : utils.generateKeyPairSync('ed25519');
    const pub = utils.parseKey(kp.public);
    const priv = utils.parseKey(kp.private, passphrase);
    if (pub instanceof Error || priv instanceof Error) {
      if (i < 20) continue;
      throw pub instanceof Error ? pub : priv;
    }
    return { privateKey: kp.private, publicKey: kp.public, fingerprint: fingerprintOf((pub as ParsedKey).getPublicSSH()) };
  }
}

function fingerprintOf(blob: Buffer): string {
  return `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;
}

function attrsOf(st: Stats): Attributes {
  return {
    mode: st.mode,
    uid: st.uid,
    gid: st.gid,
    size: st.size,
    atime: Math.floor(st.atimeMs / 1000),
    mtime: Math.floor(st.mtimeMs / 1000),
  };
}

function longnameOf(name: string, st: { isDirectory(): boolean; size: number }): string {
  return `${st.isDirectory() ? 'd' : '-'}rw-r--r--    1 los      los      ${String(st.size).padStart(8)} Mar  5 10:20 ${name}`;
}

type Handle =
  | { type: 'file'; fh: fsp.FileHandle; name: string; fault?: SftpFault['kind']; size: number }
  | { type: 'dir'; dir: string; done: boolean };

export async function startSftpServer(opts: SftpTestServerOptions): Promise<SftpTestServer> {
  const user = opts.user ?? 'los';
  const root = path.resolve(opts.root);
  const hostKey = makeSshKeyPair();
  const hostKeyFingerprint = hostKey.fingerprint;
  const authorized = opts.authorizedKey ? (utils.parseKey(opts.authorizedKey) as ParsedKey) : undefined;
  const opens = new Map<string, number>();
  const stats: string[] = [];
  const logins: { user: string; method: string; ok: boolean }[] = [];
  const clients = new Set<Connection>();

  const local = (p: string) => path.join(root, path.posix.normalize('/' + p));

  const serveSftp = (sftp: SFTPWrapper, client: Connection) => {
    const handles = new Map<string, Handle>();
    let next = 0;
    const newHandle = (h: Handle) => {
      const b = Buffer.alloc(4);
      b.writeUInt32BE(next++);
      handles.set(b.toString('hex'), h);
      return b;
    };
    const fail = (reqid: number, err: unknown) => {
      const code = (err as { code?: string })?.code;
      sftp.status(
        reqid,
        code === 'ENOENT' ? STATUS_CODE.NO_SUCH_FILE : code === 'EACCES' || code === 'EPERM' ? STATUS_CODE.PERMISSION_DENIED : STATUS_CODE.FAILURE,
        (err as Error)?.message,
      );
    };
    const guard = (reqid: number, fn: () => Promise<void>) => fn().catch((err) => fail(reqid, err));

    sftp.on('REALPATH', (reqid, p) => {
      const norm = path.posix.normalize('/' + (p === '.' ? '' : p)).replace(/(.)\/$/, '$1');
      sftp.name(reqid, [{ filename: norm, longname: norm, attrs: {} as Attributes }]);
    });
    const statLike = (reqid: number, p: string, lstat: boolean) =>
      guard(reqid, async () => {
        const st = await (lstat ? fsp.lstat(local(p)) : fsp.stat(local(p)));
        sftp.attrs(reqid, attrsOf(st));
      });
    sftp.on('STAT', (reqid, p) => {
      stats.push(p);
      statLike(reqid, p, false);
    });
    sftp.on('LSTAT', (reqid, p) => statLike(reqid, p, true));
    sftp.on('OPENDIR', (reqid, p) =>
      guard(reqid, async () => {
        opts.onRequest?.('list', {});
        const dir = local(p);
        if (!(await fsp.stat(dir)).isDirectory()) throw Object.assign(new Error('not a directory'), { code: 'ENOTDIR' });
        sftp.handle(reqid, newHandle({ type: 'dir', dir, done: false }));
      }),
    );
    sftp.on('READDIR', (reqid, handle) =>
      guard(reqid, async () => {
        const h = handles.get(handle.toString('hex'));
        if (!h || h.type !== 'dir') return void sftp.status(reqid, STATUS_CODE.FAILURE, 'bad handle');
        if (h.done) return void sftp.status(reqid, STATUS_CODE.EOF);
        h.done = true;
        const names = [];
        for (const name of await fsp.readdir(h.dir)) {
          const st = await fsp.stat(path.join(h.dir, name));
          if (opts.bareReaddir) names.push({ filename: name, longname: name, attrs: {} as Attributes });
          else names.push({ filename: name, longname: longnameOf(name, st), attrs: attrsOf(st) });
        }
        {
          for (const name of opts.hostileNames ?? []) {
            const fake = { isDirectory: () => false, size: 4 };
            const mtime = Date.parse('2024-03-05T10:20:30Z') / 1000;
            names.push({ filename: name, longname: longnameOf(name, fake), attrs: { mode: 0o100644, uid: 1, gid: 1, size: 4, atime: mtime, mtime } });
          }
        }
        sftp.name(reqid, names);
      }),
    );
    sftp.on('OPEN', (reqid, filename, flags) =>
      guard(reqid, async () => {
        const mode = utils.sftp.flagsToString(flags) ?? 'r';
        const fh = await fsp.open(local(filename), mode);
        const name = path.posix.basename(filename);
        let fault: SftpFault['kind'] | undefined;
        if (flags & OPEN_MODE.READ && !(flags & OPEN_MODE.WRITE)) {
          opts.onRequest?.('open', { name });
          const n = (opens.get(name) ?? 0) + 1;
          opens.set(name, n);
          const f = opts.faults?.[name];
          if (f && n <= (f.times ?? 1)) fault = f.kind;
        }
        const size = (await fh.stat()).size;
        sftp.handle(reqid, newHandle({ type: 'file', fh, name, fault, size }));
      }),
    );
    sftp.on('READ', (reqid, handle, offset, len) =>
      guard(reqid, async () => {
        const h = handles.get(handle.toString('hex'));
        if (!h || h.type !== 'file') return void sftp.status(reqid, STATUS_CODE.FAILURE, 'bad handle');
        opts.onRequest?.('read', { name: h.name, offset });
        const half = Math.floor(h.size / 2);
        if (h.fault === 'drop' && offset >= half) {
          // the connection dies in the middle of the transfer
          (client as unknown as { _sock: { destroy(): void } })._sock.destroy();
          return;
        }
        let want = len;
        if (h.fault === 'short') want = Math.min(len, half - offset);
        if (want <= 0) return void sftp.status(reqid, STATUS_CODE.EOF);
        const buf = Buffer.alloc(want);
        const { bytesRead } = await h.fh.read(buf, 0, want, offset);
        if (bytesRead === 0) sftp.status(reqid, STATUS_CODE.EOF);
        else sftp.data(reqid, buf.subarray(0, bytesRead));
      }),
    );
    sftp.on('WRITE', (reqid, handle, offset, data) =>
      guard(reqid, async () => {
        const h = handles.get(handle.toString('hex'));
        if (!h || h.type !== 'file') return void sftp.status(reqid, STATUS_CODE.FAILURE, 'bad handle');
        await h.fh.write(data, 0, data.length, offset);
        sftp.status(reqid, STATUS_CODE.OK);
      }),
    );
    sftp.on('FSTAT', (reqid, handle) =>
      guard(reqid, async () => {
        const h = handles.get(handle.toString('hex'));
        if (!h) return void sftp.status(reqid, STATUS_CODE.FAILURE, 'bad handle');
        const st = h.type === 'file' ? await h.fh.stat() : await fsp.stat(h.dir);
        // a 'short' fault still reports the whole size: the client must notice the difference
        sftp.attrs(reqid, attrsOf(st));
      }),
    );
    sftp.on('CLOSE', (reqid, handle) =>
      guard(reqid, async () => {
        const key = handle.toString('hex');
        const h = handles.get(key);
        handles.delete(key);
        if (h?.type === 'file') await h.fh.close();
        sftp.status(reqid, h ? STATUS_CODE.OK : STATUS_CODE.FAILURE);
      }),
    );
    sftp.on('MKDIR', (reqid, p) =>
      guard(reqid, async () => {
        await fsp.mkdir(local(p));
        sftp.status(reqid, STATUS_CODE.OK);
      }),
    );
    sftp.on('SETSTAT', (reqid) => sftp.status(reqid, STATUS_CODE.OK));
    sftp.on('FSETSTAT', (reqid) => sftp.status(reqid, STATUS_CODE.OK));
    sftp.on('REMOVE', (reqid, p) =>
      guard(reqid, async () => {
        await fsp.unlink(local(p));
        sftp.status(reqid, STATUS_CODE.OK);
      }),
    );
    sftp.on('RENAME', (reqid, from, to) =>
      guard(reqid, async () => {
        await fsp.rename(local(from), local(to));
        sftp.status(reqid, STATUS_CODE.OK);
      }),
    );
    sftp.on('close', () => {
      for (const h of handles.values()) if (h.type === 'file') h.fh.close().catch(() => {});
      handles.clear();
    });
  };

  const server = new Server({ hostKeys: [hostKey.privateKey] }, (client) => {
    clients.add(client);
    client.on('close', () => clients.delete(client));
    client.on('error', () => {});
    client.on('authentication', (ctx) => {
      let ok = false;
      if (ctx.username === user) {
        if (ctx.method === 'password') ok = opts.password !== undefined && ctx.password === opts.password;
        else if (ctx.method === 'publickey' && authorized) {
          const match = ctx.key.algo === authorized.type && ctx.key.data.equals(authorized.getPublicSSH());
          if (match && !ctx.signature) return ctx.accept(); // the client asks whether the key would do
          ok = match && !!ctx.blob && !!ctx.signature && authorized.verify(ctx.blob, ctx.signature, ctx.hashAlgo);
        }
      }
      if (ctx.method !== 'none') logins.push({ user: ctx.username, method: ctx.method, ok });
      if (ctx.method !== 'none') opts.onRequest?.('auth', {});
      if (ok) ctx.accept();
      else ctx.reject(['password', 'publickey']);
    });
    client.on('ready', () => {
      client.on('session', (accept) => {
        const session = accept();
        session.on('sftp', (acceptSftp) => serveSftp(acceptSftp(), client));
      });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.removeListener('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  return {
    host: '127.0.0.1',
    port,
    hostKeyFingerprint,
    opens,
    stats,
    logins,
    url: (folder = '') => `sftp://${user}@127.0.0.1:${port}${folder}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const c of clients) c.end();
        server.close(() => resolve());
      }),
  };
}
