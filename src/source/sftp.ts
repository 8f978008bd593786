/**
 * SFTP with ssh2-sftp-client: password, or private key (+ passphrase). The server's host key must
 * be one of `hostKeyFingerprint` ("SHA256:…" as `ssh-keygen -lf` prints it; several allowed) or
 * of the host's entries in `knownHostsFile`; without either the connection is refused and the
 * error tells which fingerprint the server presented, so it can be checked out of band and
 * configured. Nothing is ever accepted blindly. The client offers only host key algorithms of
 * pinned key types when they are known (known_hosts); with bare fingerprints it asks again for
 * another key type when the server's first choice is not pinned (known-hosts.ts).
 *
 * Uploads are written rw-r--r-- (ssh2's write stream would set 0666 with fchmod).
 * Keep-alives every timeout/4 (at most 10 s) detect a dead connection; a dropped one is named so.
 *
 * Listing uses the READDIR attributes (type from the mode bits, size, mtime in whole seconds —
 * the same values `stat` gives); an entry without an mtime is asked with `stat`.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { FileEntryWithStats, SFTPWrapper } from 'ssh2';
import SftpClient from 'ssh2-sftp-client';
import { BaseSource, type RawEntry } from './base.ts';
import { SourceError, messageOf } from './errors.ts';
import { KEY_TYPES, algorithmsFor, keyType, normalizeHostKeyFingerprint, readKnownHosts, sshFingerprint } from './known-hosts.ts';
import { isSafeRemoteName } from './names.ts';
import type { SourceOptions } from './types.ts';
import { displayUrl, type ParsedTarget } from './url.ts';
import { sleep } from '../http/retry.ts';

export { sshFingerprint, normalizeHostKeyFingerprint } from './known-hosts.ts';

const noop = () => {};

/** ssh2's words for a lost connection or a silent server, said plainly. */
export function dropped(msg: string, keepaliveMs: number, timeoutMs: number): string {
  if (msg.startsWith('cannot connect: ')) return msg; // said plainly already (connectError)
  if (/Timed out while waiting for handshake/i.test(msg)) {
    // readyTimeout: the TCP connection stands but the handshake or the login got no answer
    return `the server stopped answering while connecting: no answer to the SSH handshake or login within ${timeoutMs} ms (${msg})`;
  }
  if (/Keepalive timeout/i.test(msg)) return `the server stopped answering, the connection is dead: no answer to ${2} keep-alives sent every ${keepaliveMs} ms (${msg})`;
  if (/No response from server/i.test(msg)) return `the connection was lost while waiting for the server's answer (${msg})`;
  if (/ECONNRESET|socket hang up|Not connected|ended|closed/i.test(msg)) return `the connection was dropped (${msg})`;
  return msg;
}

/** ssh2-sftp-client internals its types leave out: the SFTP channel (undefined once closed) and the ssh2 connection. */
const internals = (c: SftpClient) => c as unknown as { sftp?: unknown; client: { destroy(): void; on(event: 'error', fn: (err: Error) => void): void } };

export class SftpSource extends BaseSource {
  readonly kind = 'sftp' as const;
  readonly display: string;
  private readonly host: string;
  private readonly port: number;
  private readonly user: string;
  private readonly password: string | undefined;
  private readonly privateKey: Buffer | undefined;
  private readonly passphrase: string | undefined;
  /** trusted host key fingerprints (settings + known_hosts), and the revoked ones */
  private readonly trusted = new Set<string>();
  private readonly revoked = new Set<string>();
  /** key types to offer, when every trusted key's type is known (known_hosts only); else undefined: all, narrowed on mismatch */
  private readonly pinnedTypes: string[] | undefined;
  private readonly keepaliveMs: number;
  private readonly folder: string;
  private client: SftpClient | undefined;
  private baseDir = '.';
  /** the last connection was ended by ssh2 because keep-alives went unanswered (its pending requests then fail with "No response from server") */
  private keepaliveLost = false;

  constructor(opts: SourceOptions, t: ParsedTarget) {
    super(opts, [t.urlPassword]);
    this.host = t.host;
    this.port = t.port;
    this.folder = t.folder;
    const user = opts.user ?? t.user;
    this.display = displayUrl(t, user);
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
    const fps = (opts.hostKeyFingerprint ?? '').split(/[\s,]+/).filter(Boolean);
    for (const fp of fps) this.trusted.add(normalizeHostKeyFingerprint(fp));
    const types = new Set<string>();
    if (opts.knownHostsFile) {
      for (const k of readKnownHosts(opts.knownHostsFile, this.host, this.port)) {
        if (k.revoked) this.revoked.add(k.fingerprint);
        else {
          this.trusted.add(k.fingerprint);
          types.add(k.type);
        }
      }
      for (const r of this.revoked) this.trusted.delete(r);
    }
    this.pinnedTypes = fps.length === 0 && types.size > 0 ? KEY_TYPES.filter((k) => types.has(k)) : undefined;
    this.keepaliveMs = Math.max(500, Math.min(10_000, Math.floor(this.timeoutMs / 4)));
  }

  protected override async connect(): Promise<void> {
    if (this.client && internals(this.client).sftp) return;
    await this.disconnect();
    this.keepaliveLost = false;
    // key types still worth asking for: a server that first offers an unpinned type is asked again without it
    let remaining = this.pinnedTypes ?? KEY_TYPES;
    const presented: string[] = [];
    for (;;) {
      const c = new SftpClient('los2mo', { error: noop, end: noop, close: noop });
      internals(c).client.on('error', (e) => {
        if (/Keepalive timeout/i.test(e?.message ?? '')) this.keepaliveLost = true;
      });
      let key: { type: string; fingerprint: string } | undefined;
      try {
        await c.connect({
          host: this.host,
          port: this.port,
          username: this.user,
          password: this.password,
          privateKey: this.privateKey,
          passphrase: this.passphrase,
          readyTimeout: this.timeoutMs,
          keepaliveInterval: this.keepaliveMs,
          keepaliveCountMax: 2,
          tryKeyboard: false,
          algorithms: { serverHostKey: remaining.flatMap(algorithmsFor) as never },
          hostVerifier: (blob: Buffer) => {
            key = { type: keyType(blob), fingerprint: sshFingerprint(blob) };
            return this.trusted.has(key.fingerprint) && !this.revoked.has(key.fingerprint);
          },
        });
        this.client = c;
        break;
      } catch (err) {
        await c.end().catch(noop);
        if (key && !this.trusted.has(key.fingerprint)) {
          presented.push(`${key.fingerprint} (${key.type})`);
          const next = remaining.filter((t) => t !== key!.type);
          // ask for another type only while fingerprints of unknown type are pinned and the key was not revoked
          if (this.trusted.size + this.revoked.size > 0 && !this.revoked.has(key.fingerprint) && next.length > 0 && next.length < remaining.length) {
            remaining = next;
            continue;
          }
          throw this.hostKeyError(presented, this.revoked.has(key.fingerprint));
        }
        if (!key && presented.length > 0 && /host key|handshake/i.test(messageOf(err))) {
          throw this.hostKeyError(presented, false); // no further key type in common
        }
        throw this.connectError(err);
      }
    }
    const c = this.client!;
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

  private hostKeyError(presented: string[], revoked: boolean): SourceError {
    const shown = presented.join(', ');
    const message = revoked
      ? `SFTP host key of ${this.display} is marked @revoked in the known_hosts file: ${shown}`
      : this.trusted.size > 0
        ? `SFTP host key of ${this.display} does not match host_key_fingerprint / known_hosts: trusted ${[...this.trusted].join(', ')}; the server presented ${shown}`
        : `SFTP ${this.display}: no host_key_fingerprint (LOS_HOST_KEY_FINGERPRINT) or known_hosts entry for this host; the server presented ${shown} — check it with the municipality and configure it`;
    return new SourceError(message, { operation: 'connect', where: this.display, retryable: false });
  }

  private connectError(err: unknown): Error {
    const msg = messageOf(err);
    const level = (err as { level?: string })?.level;
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
    return new Error(`cannot connect: ${dropped(msg, this.keepaliveMs, this.timeoutMs)}`);
  }

  protected override async disconnect(): Promise<void> {
    const c = this.client;
    this.client = undefined;
    if (!c) return;
    await Promise.race([c.end().catch(noop), sleep(500)]);
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
    await c.put(data, target, { writeStreamOptions: { mode: 0o644 } }); // ssh2 defaults to 0666 and sets it with fchmod
    const st = await c.stat(target);
    if (st.size !== data.length) throw new Error(`uploaded ${data.length} bytes but the server has ${st.size}`);
  }

  protected override describe(err: unknown): string {
    const msg = messageOf(err);
    return dropped(this.keepaliveLost && /No response from server/i.test(msg) ? `Keepalive timeout; ${msg}` : msg, this.keepaliveMs, this.timeoutMs);
  }

  protected override isFatal(err: unknown): boolean {
    // ssh2 SFTP status codes: 2 no such file, 3 permission denied
    const code = (err as { code?: unknown })?.code;
    return code === 2 || code === 3 || code === 'ENOENT' || code === 'EACCES';
  }
}
