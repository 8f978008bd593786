/**
 * SFTP with ssh2-sftp-client: password, or private key (+ passphrase). The server's host key must
 * match `hostKeyFingerprint` ("SHA256:…" as `ssh-keygen -lf` prints it); without one the
 * connection is refused and the error tells which fingerprint the server presented, so it can be
 * checked out of band and configured. Nothing is ever accepted blindly.
 *
 * Listing uses the READDIR attributes (type from the mode bits, size, mtime in whole seconds —
 * the same values `stat` gives); an entry without an mtime is asked with `stat`.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import path from 'node:path';
import type { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { FileEntryWithStats, SFTPWrapper } from 'ssh2';
import SftpClient from 'ssh2-sftp-client';
import { BaseSource, type RawEntry } from './base.ts';
import { SourceError, messageOf } from './errors.ts';
import { isSafeRemoteName } from './names.ts';
import type { ParsedTarget, SourceOptions } from './source.ts';

/** "SHA256:<base64 without padding>" of an SSH public key blob, as ssh-keygen -l prints it. */
export function sshFingerprint(keyBlob: Buffer): string {
  return `SHA256:${createHash('sha256').update(keyBlob).digest('base64').replace(/=+$/, '')}`;
}

/** Accepts "SHA256:abc…", "abc…" (with or without '=' padding). */
export function normalizeHostKeyFingerprint(fp: string): string {
  const b64 = fp.trim().replace(/^sha256:/i, '').replace(/=+$/, '');
  if (!/^[A-Za-z0-9+/]{43}$/.test(b64)) {
    throw new SourceError('host_key_fingerprint is not a SHA256 fingerprint ("SHA256:" + 43 base64 characters, as ssh-keygen -lf prints)', {
      operation: 'configure',
      retryable: false,
    });
  }
  return `SHA256:${b64}`;
}

const noop = () => {};

/** ssh2-sftp-client internals its types leave out: the SFTP channel (undefined once closed) and the ssh2 connection. */
const internals = (c: SftpClient) => c as unknown as { sftp?: unknown; client: { destroy(): void } };

export class SftpSource extends BaseSource {
  readonly kind = 'sftp' as const;
  readonly display: string;
  private readonly host: string;
  private readonly port: number;
  private readonly user: string;
  private readonly password: string | undefined;
  private readonly privateKey: Buffer | undefined;
  private readonly passphrase: string | undefined;
  private readonly expected: string | undefined;
  private readonly folder: string;
  private client: SftpClient | undefined;
  private baseDir = '.';

  constructor(opts: SourceOptions, t: ParsedTarget) {
    super(opts, [t.urlPassword]);
    this.host = t.host;
    this.port = t.port;
    this.folder = t.folder;
    const user = opts.user ?? t.user;
    const hostPart = isIP(this.host) === 6 ? `[${this.host}]` : this.host;
    this.display = `sftp://${user ? encodeURIComponent(user) + '@' : ''}${hostPart}:${this.port}${this.folder ? (this.folder.startsWith('/') ? '' : '/') + this.folder : ''}`;
    if (!user) throw new SourceError(`${this.display}: no user (put it in the URL, sftp://user@host/…, or set ftp_user)`, { operation: 'configure', retryable: false });
    this.user = user;
    this.password = opts.password ?? t.urlPassword;
    if (t.urlPassword) this.warn(`${this.display}: a password in the source URL is used; prefer ftp_pass / LOS_FTP_PASS`);
    this.passphrase = opts.passphrase;
    if (opts.privateKey) {
      try {
        this.privateKey = readFileSync(opts.privateKey);
      } catch (err) {
        throw new SourceError(`ftp_private_key ${opts.privateKey} cannot be read: ${messageOf(err)}`, { operation: 'configure', retryable: false });
      }
    }
    if (!this.password && !this.privateKey) {
      throw new SourceError(`${this.display}: give a password (ftp_pass) or a private key (ftp_private_key)`, { operation: 'configure', retryable: false });
    }
    this.expected = opts.hostKeyFingerprint ? normalizeHostKeyFingerprint(opts.hostKeyFingerprint) : undefined;
  }

  protected override async connect(): Promise<void> {
    if (this.client && internals(this.client).sftp) return;
    await this.disconnect();
    const c = new SftpClient('los2mo', { error: noop, end: noop, close: noop });
    let presented: string | undefined;
    try {
      await c.connect({
        host: this.host,
        port: this.port,
        username: this.user,
        password: this.password,
        privateKey: this.privateKey,
        passphrase: this.passphrase,
        readyTimeout: this.timeoutMs,
        keepaliveInterval: Math.min(10_000, this.timeoutMs),
        keepaliveCountMax: 3,
        tryKeyboard: false,
        hostVerifier: (key: Buffer) => {
          presented = sshFingerprint(key);
          return this.expected !== undefined && presented === this.expected;
        },
      });
    } catch (err) {
      await c.end().catch(noop);
      throw this.connectError(err, presented);
    }
    this.client = c;
    try {
      // an absolute folder is used as is; a relative one is below the login folder
      this.baseDir = this.folder ? (await c.realPath(this.folder)) || this.folder : await c.realPath('.');
      if (!this.baseDir) throw new Error('the login folder cannot be resolved');
      const type = await c.exists(this.baseDir);
      if (type !== 'd') {
        throw new SourceError(`SFTP folder ${JSON.stringify(this.folder || this.baseDir)} at ${this.display} does not exist`, {
          operation: 'connect',
          where: this.display,
          retryable: false,
        });
      }
    } catch (err) {
      await this.disconnect();
      throw err;
    }
  }

  private connectError(err: unknown, presented: string | undefined): Error {
    const msg = messageOf(err);
    const level = (err as { level?: string })?.level;
    if (/host denied|verification failed/i.test(msg) || (presented && presented !== this.expected)) {
      return new SourceError(
        this.expected
          ? `SFTP host key of ${this.display} does not match host_key_fingerprint: expected ${this.expected}, the server presented ${presented ?? 'an unreadable key'}`
          : `SFTP ${this.display}: no host_key_fingerprint configured (LOS_HOST_KEY_FINGERPRINT); the server presented ${presented ?? 'an unreadable key'} — check it with the municipality and configure it`,
        { operation: 'connect', where: this.display, retryable: false },
      );
    }
    if (level === 'client-authentication' || /authentication methods failed/i.test(msg)) {
      return new SourceError(`SFTP login as "${this.user}" at ${this.display} refused (wrong user, password or key): ${msg}`, {
        operation: 'connect',
        where: this.display,
        retryable: false,
      });
    }
    if (/privateKey|passphrase|encrypted/i.test(msg)) {
      return new SourceError(`SFTP private key for ${this.display} cannot be used (wrong passphrase or format?): ${msg}`, {
        operation: 'connect',
        where: this.display,
        retryable: false,
      });
    }
    return new Error(`cannot connect: ${msg}`);
  }

  protected override async disconnect(): Promise<void> {
    const c = this.client;
    this.client = undefined;
    if (!c) return;
    await Promise.race([c.end().catch(noop), new Promise((r) => setTimeout(r, 500))]);
    try {
      internals(c).client.destroy();
    } catch {
      /* already gone */
    }
  }

  private get c(): SftpClient {
    if (!this.client || !internals(this.client).sftp) throw new Error('not connected');
    return this.client;
  }

  private remote(name: string): string {
    return path.posix.join(this.baseDir, name);
  }

  protected override async rawList(): Promise<RawEntry[]> {
    // READDIR through ssh2 directly: the file type comes from the attributes' mode bits (the
    // "longname" that ssh2-sftp-client's list() reads the type from has no defined format)
    const sftp = internals(this.c).sftp as SFTPWrapper;
    const entries = await new Promise<FileEntryWithStats[]>((resolve, reject) =>
      sftp.readdir(this.baseDir, (err, list) => (err ? reject(err) : resolve(list))),
    );
    const out: RawEntry[] = [];
    for (const e of entries) {
      const a = e.attrs;
      const entry: RawEntry = {
        name: e.filename,
        isFile: typeof a?.mode === 'number' ? a.isFile() : typeof e.longname === 'string' && e.longname.startsWith('-'),
        size: typeof a?.size === 'number' ? a.size : NaN,
        mtime: typeof a?.mtime === 'number' && a.mtime > 0 ? new Date(a.mtime * 1000) : undefined,
      };
      if ((Number.isNaN(entry.size) || !entry.mtime) && isSafeRemoteName(entry.name)) {
        // a server that leaves attributes out of READDIR: ask stat
        const st = await this.c.stat(this.remote(entry.name));
        Object.assign(entry, { isFile: st.isFile, size: st.size, mtime: new Date(st.modifyTime) });
      }
      out.push(entry);
    }
    return out;
  }

  protected override async mtimeOf(name: string): Promise<Date> {
    const st = await this.c.stat(this.remote(name));
    return new Date(st.modifyTime);
  }

  protected override async fetchInto(name: string, sink: Transform): Promise<void> {
    await pipeline(this.c.createReadStream(this.remote(name)), sink);
  }

  protected override async put(folder: string, name: string, data: Buffer): Promise<void> {
    const c = this.c;
    const dir = this.remote(folder);
    if ((await c.exists(dir)) !== 'd') await c.mkdir(dir, true);
    const target = path.posix.join(dir, name);
    await c.put(data, target);
    const st = await c.stat(target);
    if (st.size !== data.length) throw new Error(`uploaded ${data.length} bytes but the server has ${st.size}`);
  }

  protected override isFatal(err: unknown): boolean {
    // ssh2 SFTP status codes: 2 no such file, 3 permission denied
    const code = (err as { code?: unknown })?.code;
    return code === 2 || code === 3 || code === 'ENOENT' || code === 'EACCES';
  }
}
