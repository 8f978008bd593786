/**
 * An in-process FTP / FTPS (explicit AUTH TLS) server for tests: ftp-srv serving a temp folder,
 * on 127.0.0.1 with a random control port and passive range (ftp-srv cannot take port 0).
 *
 * Test hooks:
 * - `mlsd: true` adds MLSD/MLST (ftp-srv has none) so the client's MLSD path can be tested;
 *   without it the server is plain ftp-srv (LIST + MDTM).
 * - `hostileNames`: extra entries in every folder listing (e.g. "../evil.csv").
 * - `faults`: per file name, how the first (or every) RETR misbehaves:
 *     cutData  – half the bytes, then the data connection is reset and RETR answered 551
 *     drop     – half the bytes, then data and control connections are destroyed
 *     short    – half the bytes, then a normal end and "226" (a silently short download)
 *     stall    – half the bytes, then nothing more: data and control connections stay open and silent
 *   e.g. `faults: { 'Org_nye_20240102_000000.csv': { kind: 'drop', times: 1 } }`
 * - `retrievals` counts RETR per file name, `logins` the login attempts, `commands` every command.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { randomInt } from 'node:crypto';
import { Readable } from 'node:stream';
import ftpsrv from 'ftp-srv';

const { FtpSrv, FileSystem } = ftpsrv;

export type FtpFaultKind = 'cutData' | 'drop' | 'short' | 'stall';
export interface FtpFault {
  kind: FtpFaultKind;
  /** how many RETRs of the file misbehave (default 1); Infinity for every one */
  times?: number;
}

export interface FtpTestServerOptions {
  root: string;
  user?: string;
  password?: string;
  /** explicit TLS (AUTH TLS) with this key and certificate */
  tls?: { key: string; cert: string };
  mlsd?: boolean;
  hostileNames?: string[];
  faults?: Record<string, FtpFault>;
  /** commands the server refuses with 502 (ftp-srv's blacklist), e.g. ['MDTM'] */
  blacklist?: string[];
}

export interface FtpTestServer {
  host: string;
  port: number;
  /** RETR count per file name (base name) */
  retrievals: Map<string, number>;
  logins: { user: string; ok: boolean }[];
  /** every command directive received, in order (USER, PASS, MLSD, MDTM, RETR, …) */
  commands: string[];
  /** from now on, TLS data connections present this certificate (a man-in-the-middle test) */
  setDataCert(tls: { key: string; cert: string }): void;
  /** "ftp://user@127.0.0.1:port" */
  url(scheme?: 'ftp' | 'ftps', folder?: string): string;
  close(): Promise<void>;
}

const noop = () => {};
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const quiet: any = { child: () => quiet, trace: noop, debug: noop, info: noop, warn: noop, error: noop, fatal: noop };

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Any = any;

/** YYYYMMDDHHMMSS.sss in UTC, as MLSD's modify fact. */
function mlsdTime(d: Date): string {
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${d.getUTCFullYear()}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}.${p(d.getUTCMilliseconds(), 3)}`;
}

/**
 * Adds MLSD to ftp-srv's (process-wide) command registry, and replaces FEAT so that MLST is only
 * announced by servers started with `mlsd: true`; other servers behave exactly as stock ftp-srv.
 */
function installMlsd(): void {
  const require = createRequire(import.meta.url);
  const registry: Record<string, Any> = require('ftp-srv/src/commands/registry.js');
  const mark = Symbol.for('los2mo.ftp-srv.test-hooks');
  if ((registry as Any)[mark]) return;
  Object.defineProperty(registry, mark, { value: true, enumerable: false });

  // ftp-srv bug: passive waitForConnection() keeps polling every 50 ms forever once its 5 s
  // timeout has fired (or the connection has closed), which keeps the test process alive.
  // Same behaviour, but the polling stops at the deadline.
  const srvRequire = createRequire(require.resolve('ftp-srv'));
  const Bluebird = srvRequire('bluebird');
  const Passive = srvRequire('./src/connector/passive.js');
  const { ConnectorError } = srvRequire('./src/errors.js');
  Passive.prototype.waitForConnection = function (this: Any, { timeout = 5000, delay = 50 } = {}) {
    if (!this.dataServer) return Bluebird.reject(new ConnectorError('Passive server not setup'));
    const deadline = Date.now() + timeout;
    const check = (): Any => {
      if (this.dataServer && this.dataServer.listening && this.dataSocket && this.dataSocket.connected) return Bluebird.resolve(this.dataSocket);
      if (!this.dataServer || Date.now() >= deadline) return Bluebird.reject(new Bluebird.TimeoutError('operation timed out'));
      return Bluebird.delay(delay).then(check);
    };
    return check();
  };

  // ftp-srv keeps an idle passive data server for 30 s with a ref'd timer when no client connects
  // to it (e.g. a TLS data connection the client drops before the handshake ends), which would keep
  // the test process alive. The same setupServer, with that timer unref'd.
  const ip = srvRequire('ip');
  const net = require('node:net');
  const tls = require('node:tls');
  Passive.prototype.setupServer = function (this: Any) {
    this.closeServer();
    return this.server.getNextPasvPort().then((port: number) => {
      this.dataSocket = null;
      let idleServerTimeout: NodeJS.Timeout | undefined;
      const connectionHandler = (socket: Any) => {
        if (!ip.isEqual(this.connection.commandSocket.remoteAddress, socket.remoteAddress)) {
          socket.destroy();
          return this.connection.reply(550, 'Remote addresses do not match').then(() => this.connection.close());
        }
        clearTimeout(idleServerTimeout);
        this.dataSocket = socket;
        this.dataSocket.on('error', (err: Error) => this.server && this.server.emit('client-error', { connection: this.connection, context: 'dataSocket', error: err }));
        this.dataSocket.once('close', () => this.closeServer());
        if (!this.connection.secure) this.dataSocket.connected = true;
      };
      const serverOptions = Object.assign({}, this.connection.secure ? this.server.options.tls : {}, { pauseOnConnect: true });
      this.dataServer = (this.connection.secure ? tls : net).createServer(serverOptions, connectionHandler);
      this.dataServer.maxConnections = 1;
      this.dataServer.on('error', (err: Error) => this.server && this.server.emit('client-error', { connection: this.connection, context: 'dataServer', error: err }));
      this.dataServer.once('close', () => this.end());
      if (this.connection.secure) this.dataServer.on('secureConnection', (socket: Any) => (socket.connected = true));
      return new Bluebird((resolve: Any, reject: Any) => {
        this.dataServer.listen(port, this.server.url.hostname, (err: Error) => {
          if (err) return reject(err);
          idleServerTimeout = setTimeout(() => this.closeServer(), 30_000);
          idleServerTimeout.unref();
          resolve(this.dataServer);
        });
      });
    });
  };
  registry.MLSD = {
    directive: 'MLSD',
    syntax: '{{cmd}} [<path>]',
    description: 'Machine-readable listing (test hook)',
    flags: { feat: 'MLST type*;size*;modify*;' },
    handler: async function (this: Any, { command }: Any) {
      if (!this.server.options.mlsd) return this.reply(502, 'Command not allowed: MLSD');
      try {
        await this.connector.waitForConnection();
        this.commandSocket.pause();
        const files: Any[] = await this.fs.list(command.arg || '.');
        const lines = files.map((f) => ({
          raw: true,
          socket: this.connector.socket,
          message: `type=${f.isDirectory() ? 'dir' : 'file'};size=${f.size};modify=${mlsdTime(new Date(f.mtime))}; ${f.name}`,
        }));
        await this.reply(150);
        if (lines.length) await this.reply({}, ...lines);
        else await this.reply({ socket: this.connector.socket, useEmptyMessage: true });
        await this.reply(226);
      } catch (err) {
        await this.reply(451, (err as Error).message || 'No directory');
      } finally {
        this.connector.end();
        this.commandSocket.resume();
      }
    },
  };
  // record the commands each test server received (server.options.commandLog)
  for (const [directive, cmd] of Object.entries(registry)) {
    const handler = cmd.handler;
    registry[directive] = {
      ...cmd,
      handler: function (this: Any, args: Any) {
        this.server?.options?.commandLog?.push(directive);
        return handler.call(this, args);
      },
    };
  }
  registry.FEAT = {
    ...registry.FEAT,
    handler: function (this: Any) {
      this.server?.options?.commandLog?.push('FEAT');
      const feats = new Set<string>(['UTF8']);
      for (const cmd of Object.values(registry)) {
        const f = cmd?.flags?.feat;
        if (f && (this.server.options.mlsd || !String(f).startsWith('MLST'))) feats.add(f);
      }
      const lines = [...feats].sort().map((f) => ({ message: ` ${f}`, raw: true }));
      return this.reply(211, 'Extensions supported', ...lines, 'End');
    },
  };
}

interface Control {
  opts: FtpTestServerOptions;
  retrievals: Map<string, number>;
}

class TestFs extends FileSystem {
  private readonly ctl: Control;
  private readonly conn: Any;
  constructor(connection: Any, root: string, ctl: Control) {
    super(connection, { root, cwd: '/' });
    this.ctl = ctl;
    this.conn = connection;
  }

  override async list(p = '.'): Promise<Any> {
    const files: Any[] = await super.list(p);
    {
      for (const name of this.ctl.opts.hostileNames ?? []) {
        files.push({ name, size: 4, mtime: new Date('2024-03-05T10:20:30Z'), mode: 0o100644, uid: 1, gid: 1, isDirectory: () => false });
      }
    }
    return files;
  }

  override async read(fileName: string, opts: { start?: Any } = {}): Promise<Any> {
    const base = path.posix.basename(fileName);
    const n = (this.ctl.retrievals.get(base) ?? 0) + 1;
    this.ctl.retrievals.set(base, n);
    const res = await super.read(fileName, opts);
    const fault = this.ctl.opts.faults?.[base];
    if (!fault || n > (fault.times ?? 1)) return res;
    res.stream.destroy();
    const { fsPath } = (this as Any)._resolvePath(fileName);
    const content = await readFile(fsPath);
    const half = content.subarray(0, Math.max(1, Math.floor(content.length / 2)));
    if (fault.kind === 'short') return { stream: Readable.from([half]), clientPath: res.clientPath };
    const conn = this.conn;
    const stream = new Readable({ read() {} });
    stream.push(half);
    if (fault.kind === 'stall') return { stream, clientPath: res.clientPath }; // never ends: the server hangs mid-transfer
    setTimeout(() => {
      const data = conn.connector?.socket;
      if (data && typeof data.resetAndDestroy === 'function' && !conn.secure) data.resetAndDestroy();
      else data?.destroy();
      if (fault.kind === 'drop') {
        conn.commandSocket?.destroy();
        stream.destroy();
      } else {
        // the server's RETR then answers "551 Connection closed; transfer aborted"
        stream.destroy(new Error('Connection closed; transfer aborted'));
      }
    }, 50);
    return { stream, clientPath: res.clientPath };
  }
}

export async function startFtpServer(opts: FtpTestServerOptions): Promise<FtpTestServer> {
  installMlsd();
  const user = opts.user ?? 'los';
  const password = opts.password ?? 'secret';
  const ctl: Control = { opts, retrievals: new Map() };
  const logins: { user: string; ok: boolean }[] = [];
  const commands: string[] = [];
  for (let tries = 0; ; tries++) {
    const port = 20000 + randomInt(20000);
    const pasvMin = 40000 + randomInt(200) * 100;
    const signals = ['SIGTERM', 'SIGINT', 'SIGQUIT'] as const;
    const before = new Map(signals.map((s) => [s, new Set(process.listeners(s))]));
    const server = new FtpSrv({
      url: `ftp://127.0.0.1:${port}`,
      pasv_url: '127.0.0.1',
      pasv_min: pasvMin,
      pasv_max: pasvMin + 99,
      anonymous: false,
      log: quiet,
      tls: opts.tls ? { key: opts.tls.key, cert: opts.tls.cert } : false,
      mlsd: !!opts.mlsd,
      blacklist: opts.blacklist ?? [],
      commandLog: commands,
    } as Any);
    // ftp-srv installs process signal handlers (which exit the process) per server: take them off
    for (const s of signals) for (const l of process.listeners(s)) if (!before.get(s)!.has(l)) process.removeListener(s, l);
    server.on('login', ({ connection, username, password: pw }, resolve, reject) => {
      const ok = username === user && pw === password;
      logins.push({ user: username, ok });
      if (ok) resolve({ fs: new TestFs(connection, opts.root, ctl) as Any });
      else reject(new Error('Login incorrect'));
    });
    server.on('client-error', noop);
    try {
      await server.listen();
    } catch (err) {
      if ((err as { code?: string }).code === 'EADDRINUSE' && tries < 30) continue;
      throw err;
    }
    return {
      host: '127.0.0.1',
      port,
      retrievals: ctl.retrievals,
      logins,
      commands,
      setDataCert: (tls) => {
        (server as Any).options.tls = { key: tls.key, cert: tls.cert };
      },
      url: (scheme = 'ftp', folder = '') => `${scheme}://${user}@127.0.0.1:${port}${folder}`,
      close: async () => {
        await server.close();
      },
    };
  }
}
