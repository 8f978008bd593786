/**
 * FTP and FTPS (explicit TLS "AUTH TLS", or implicit TLS with `ftps-implicit://`) with basic-ftp.
 *
 * FTPS verifies the server certificate: against the system CAs, or against `caFile`; with
 * `tlsFingerprint` the certificate's SHA-256 fingerprint must match (and then a self-signed
 * certificate is accepted — the pin is the trust). The pin is checked on the control connection,
 * after the TLS handshake and before the password is sent. A TLS data connection is trusted when
 * it resumes the session of that verified control connection (the only session the client offers;
 * vsftpd and proftpd require this, and on a resumed session no certificate is sent again) or when
 * it presents the pinned certificate itself. A server that refuses AUTH TLS is an error, never a
 * fallback to plain FTP.
 *
 * Listing: MLSD when the server announces MLST (then `modify` gives the mtime, UTC), otherwise
 * LIST plus MDTM (`lastMod`) per LOS file, read in `serverTimezone` when set (default UTC).
 * After an upload the file's MDTM is compared with the upload time (the clock check, clock.ts).
 */
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { Readable, type Transform } from 'node:stream';
import { TLSSocket, type ConnectionOptions } from 'node:tls';
import { Client, FTPError } from 'basic-ftp';
import { BaseSource, type RawEntry } from './base.ts';
import { checkTimeZone, clockCheck, fromZoneWallClock } from './clock.ts';
import { SourceError, messageOf } from './errors.ts';
import type { SourceOptions } from './types.ts';
import { displayUrl, type ParsedTarget } from './url.ts';
import { sleep } from '../http/retry.ts';

/** "AA:BB:…" upper case, from any of "aa:bb…", "AABB…", "SHA256:AA:BB…". */
export function normalizeTlsFingerprint(fp: string): string {
  const hex = fp.trim().replace(/^sha-?256[:=]?/i, '').replace(/[:\s-]/g, '').toUpperCase();
  if (!/^[0-9A-F]{64}$/.test(hex)) {
    throw new SourceError('tls_fingerprint is not a SHA-256 fingerprint (64 hex digits, e.g. AA:BB:…)', {
      operation: 'configure',
      retryable: false,
    });
  }
  return hex.match(/../g)!.join(':');
}

const TLS_TRUST_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'CERT_SIGNATURE_FAILURE',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'HOSTNAME_MISMATCH',
]);

export class FtpSource extends BaseSource {
  readonly kind: 'ftp' | 'ftps';
  readonly display: string;
  private readonly host: string;
  private readonly port: number;
  private readonly user: string;
  private readonly password: string;
  private readonly folder: string;
  private readonly pin: string | undefined;
  private readonly tlsOptions: ConnectionOptions | undefined;
  private readonly implicit: boolean;
  private readonly serverTimezone: string | undefined;
  private client: Client | undefined;
  /** the clock check's result, once a file was uploaded: minutes the MDTM times are ahead of UTC */
  serverClockOffsetMinutes: number | undefined;
  private clockChecked = false;
  /** absolute remote path of the source folder, from PWD after the first CWD */
  private baseDir = '/';

  constructor(opts: SourceOptions, t: ParsedTarget) {
    super(opts, [t.urlPassword]);
    this.kind = t.kind === 'ftps' ? 'ftps' : 'ftp';
    this.host = t.host;
    this.port = t.port;
    this.user = opts.user ?? t.user ?? 'anonymous';
    this.password = opts.password ?? t.urlPassword ?? '';
    this.folder = t.folder;
    this.implicit = t.kind === 'ftps' && t.implicit;
    this.display = displayUrl(t, this.user);
    this.serverTimezone = opts.serverTimezone ? checkTimeZone(opts.serverTimezone) : undefined;
    if (t.urlPassword) this.warn(`${this.display}: a password in the source URL is used; prefer ftp_pass / LOS_FTP_PASS`);
    if (this.kind === 'ftp') {
      if (opts.tlsFingerprint || opts.caFile) {
        throw new SourceError(`${this.display}: tls_fingerprint / ca_file need an ftps:// source`, { operation: 'configure', retryable: false });
      }
      if (this.password && this.user !== 'anonymous') {
        this.warn(`${this.display}: plain FTP sends the password unencrypted; use ftps:// if the server allows it`);
      }
      return;
    }
    this.pin = opts.tlsFingerprint ? normalizeTlsFingerprint(opts.tlsFingerprint) : undefined;
    let ca: Buffer | undefined;
    if (opts.caFile) {
      try {
        ca = readFileSync(opts.caFile);
      } catch (err) {
        throw new SourceError(`ca_file ${opts.caFile} cannot be read: ${messageOf(err)}`, { operation: 'configure', retryable: false });
      }
    }
    this.tlsOptions = {
      host: this.host,
      servername: isIP(this.host) ? undefined : this.host,
      ca,
      // With a pin and no CA file, the pin is the trust anchor (a self-signed certificate is fine);
      // the fingerprint is checked by verifyPin() before anything else is sent.
      rejectUnauthorized: !(this.pin && !ca),
      minVersion: 'TLSv1.2',
    };
  }

  protected override async connect(): Promise<void> {
    if (this.client && !this.client.closed) return;
    const c = new Client(this.timeoutMs);
    c.ftp.verbose = false;
    try {
      if (this.implicit) {
        try {
          await c.connectImplicitTLS(this.host, this.port, { ...this.tlsOptions });
        } catch (err) {
          throw this.tlsError(err);
        }
        this.verifyPin(c.ftp.socket);
        this.pinDataConnections(c);
      } else {
        try {
          await c.connect(this.host, this.port);
        } catch (err) {
          // an implicit-TLS server waits for a TLS handshake and never greets: say what it probably is
          const hint = this.kind === 'ftps' && /timeout/i.test(messageOf(err)) ? ' — no FTP greeting: if the server uses implicit TLS (usually port 990), use ftps-implicit://' : '';
          throw new Error(`cannot connect: ${messageOf(err)}${hint}`);
        }
      }
      if (this.kind === 'ftps' && !this.implicit) {
        try {
          await c.useTLS({ ...this.tlsOptions });
        } catch (err) {
          throw this.tlsError(err);
        }
        this.verifyPin(c.ftp.socket);
        this.pinDataConnections(c);
      }
      await c.sendIgnoringError('OPTS UTF8 ON');
      try {
        await c.login(this.user, this.password);
      } catch (err) {
        if (err instanceof FTPError && (err.code === 530 || err.code === 532 || err.code === 331 || err.code === 332)) {
          throw new SourceError(`${this.label} login as "${this.user}" at ${this.display} refused (wrong user or password): ${messageOf(err)}`, {
            operation: 'connect',
            where: this.display,
            retryable: false,
          });
        }
        throw err;
      }
      await c.useDefaultSettings();
      if (this.folder) {
        try {
          await c.cd(this.folder);
        } catch (err) {
          throw new SourceError(`${this.label} folder ${JSON.stringify(this.folder)} at ${this.display} cannot be opened: ${messageOf(err)}`, {
            operation: 'connect',
            where: this.display,
            retryable: !(err instanceof FTPError && err.code >= 500),
          });
        }
      }
      this.baseDir = await c.pwd();
    } catch (err) {
      c.close();
      throw err;
    }
    this.client = c;
  }

  protected override async disconnect(): Promise<void> {
    const c = this.client;
    this.client = undefined;
    if (c && !c.closed) {
      // QUIT politely but never wait long for it
      await Promise.race([c.send('QUIT').catch(() => {}), sleep(200)]);
      c.close();
    }
  }

  private get c(): Client {
    if (!this.client) throw new Error('not connected');
    return this.client;
  }

  protected override async rawList(): Promise<RawEntry[]> {
    const entries = await this.c.list();
    return entries.map((e) => ({ name: e.name, isFile: e.isFile, size: e.size, mtime: e.modifiedAt }));
  }

  protected override async mtimeOf(name: string): Promise<Date> {
    try {
      const t = await this.c.lastMod(name);
      return this.serverTimezone ? fromZoneWallClock(this.serverTimezone, t) : t;
    } catch (err) {
      if (err instanceof FTPError && (err.code === 500 || err.code === 502 || err.code === 504)) {
        throw new SourceError(`${this.label} ${this.display}: the server supports neither MLSD nor MDTM, so exact modification times cannot be read (${messageOf(err)})`, {
          operation: 'list',
          where: this.display,
          retryable: false,
        });
      }
      throw err;
    }
  }

  protected override async fetchInto(name: string, sink: Transform): Promise<void> {
    await this.c.downloadTo(sink, name);
  }

  protected override async put(folder: string, name: string, data: Buffer): Promise<void> {
    const c = this.c;
    try {
      await c.cd(this.baseDir);
      await c.ensureDir(folder); // creates what is missing (when allowed) and enters it
      const before = new Date();
      await c.uploadFrom(Readable.from([data]), name);
      const after = new Date();
      let size: number | undefined;
      try {
        size = await c.size(name);
      } catch {
        size = undefined; // SIZE not supported: nothing to compare
      }
      if (size !== undefined && size !== data.length) throw new Error(`uploaded ${data.length} bytes but the server has ${size}`);
      // rw-r--r-- whatever the server's umask (vsftpd's default local_umask 077 gives 0600, 000 gives 0666)
      await c.sendIgnoringError(`SITE CHMOD 644 ${name}`);
      if (!this.clockChecked) await this.checkClock(c, name, before, after);
    } finally {
      if (!c.closed) await c.cd(this.baseDir).catch(() => {});
    }
  }

  /** The clock check (clock.ts): the uploaded file's MDTM against the upload time; warns when they disagree. */
  private async checkClock(c: Client, name: string, before: Date, after: Date): Promise<void> {
    let mdtm: Date;
    try {
      mdtm = await c.lastMod(name);
    } catch {
      return; // no MDTM: then the listing uses MLSD (UTC by RFC 3659) or cannot work at all
    }
    this.clockChecked = true;
    const { offsetMinutes, warning } = clockCheck(mdtm, before, after, this.serverTimezone);
    this.serverClockOffsetMinutes = offsetMinutes;
    if (warning) this.warn(`${this.label} ${this.display}: ${warning}`);
  }

  /** basic-ftp's idle timeouts (`Timeout (control socket)`, `Timeout (data socket)`) said plainly. */
  protected override describe(err: unknown): string {
    const msg = messageOf(err);
    return msg.replace(/Timeout \((control|data) socket\)/i, (m, which: string) => `the server stopped answering: nothing on the ${which} connection for ${this.timeoutMs} ms (${m})`);
  }

  protected override isFatal(err: unknown): boolean {
    // 550 file unavailable / permission denied, 553 name not allowed: a retry gets the same answer
    return err instanceof FTPError && (err.code === 530 || err.code === 550 || err.code === 553);
  }

  private tlsError(err: unknown): Error {
    const code = (err as { code?: string })?.code;
    if (err instanceof FTPError) {
      return new SourceError(`${this.display}: the server refused AUTH TLS (${messageOf(err)}); not falling back to plain FTP`, {
        operation: 'connect',
        where: this.display,
        retryable: false,
      });
    }
    if (code && TLS_TRUST_CODES.has(code)) {
      return new SourceError(
        `${this.display}: the server's TLS certificate is not trusted (${messageOf(err)}); ` +
          'trust its CA with ca_file / LOS_CA_FILE or pin it with tls_fingerprint / LOS_TLS_FINGERPRINT',
        { operation: 'connect', where: this.display, retryable: false },
      );
    }
    return new Error(`TLS handshake failed: ${messageOf(err)}`);
  }

  /** The pin on the control connection: its certificate must have the pinned fingerprint. */
  private verifyPin(socket: unknown): void {
    if (!this.pin) return;
    const got = socket instanceof TLSSocket ? socket.getPeerCertificate()?.fingerprint256 : undefined;
    if (got?.toUpperCase() !== this.pin) {
      throw new SourceError(
        `${this.display}: the server's TLS certificate has fingerprint ${got ?? '(none sent)'}, not the pinned tls_fingerprint ${this.pin}` +
          ' — if the server got a new certificate, confirm its fingerprint with the municipality and update tls_fingerprint',
        { operation: 'connect', where: this.display, retryable: false },
      );
    }
  }

  /** Why a TLS data connection is not trusted, or undefined when it is. */
  private dataConnectionProblem(socket: TLSSocket): string | undefined {
    // basic-ftp offers only the session of the verified control connection (or a ticket a
    // trusted data connection received): a resumed session proves it is the same server
    if (socket.isSessionReused()) return undefined;
    const got = socket.getPeerCertificate()?.fingerprint256;
    if (got?.toUpperCase() === this.pin) return undefined;
    return (
      `${this.display}: a TLS data connection neither resumed the verified control connection's session nor presented the pinned certificate ` +
      `(it presented ${got ?? 'no certificate'}, the pin is ${this.pin}); refused`
    );
  }

  /**
   * With a pin (and therefore no CA verification) each TLS data connection is checked by
   * dataConnectionProblem() as soon as its handshake is done, before it is used. Hooks the
   * `dataSocket` setter of this client's FTPContext.
   */
  private pinDataConnections(c: Client): void {
    if (!this.pin) return;
    const ftp = c.ftp;
    const desc = Object.getOwnPropertyDescriptor(Object.getPrototypeOf(ftp), 'dataSocket');
    if (!desc?.set || !desc.get) return; // basic-ftp changed; session resumption still binds the data connection
    Object.defineProperty(ftp, 'dataSocket', {
      configurable: true,
      enumerable: true,
      get() {
        return desc.get!.call(this);
      },
      set: (socket: unknown) => {
        if (socket instanceof TLSSocket) {
          socket.once('secureConnect', () => {
            const problem = this.dataConnectionProblem(socket);
            if (problem) {
              // never resume a session from a refused connection
              (ftp as unknown as { tlsSessionStore?: unknown }).tlsSessionStore = undefined;
              socket.destroy(new SourceError(problem, { operation: 'connect', where: this.display, retryable: false }));
            }
          });
        }
        desc.set!.call(ftp, socket);
      },
    });
  }
}
