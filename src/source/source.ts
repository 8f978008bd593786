/**
 * Remote sources of the LOS files: a local folder, FTP, FTPS (explicit TLS) or SFTP.
 *
 *   const src = await openSource({ url: 'ftps://los@ftp.aarhus.dk/in', password, caFile });
 *   for (const f of await src.list()) await src.download(f, workDir, (n) => progress(n));
 *   await src.upload('DARfejlliste', 'failed_addr_Org_ret_20240101_000000.csv', text);
 *   await src.close();
 *
 * See docs/sources.md. Every failure is a SourceError (exit code 1) whose message names the host
 * and the operation and never holds the password or passphrase.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { SourceError, redactUrl } from './errors.ts';
import type { BaseSource } from './base.ts';
import { FolderSource } from './folder.ts';
import { FtpSource } from './ftp.ts';
import { SftpSource } from './sftp.ts';

export { SourceError, redactUrl } from './errors.ts';
export { isSafeRemoteName, isHostileName, safeLocalPath, LOS_TIMED_PREFIXES } from './names.ts';

export interface RemoteFile {
  name: string;
  size: number;
  mtime: Date;
}

export type SourceKind = 'folder' | 'ftp' | 'ftps' | 'sftp';

export interface Source {
  readonly kind: SourceKind;
  /** e.g. "ftps://user@host:21/in" — never a password */
  readonly display: string;
  /** Warnings so far (refused hostile names, a password sent over plain FTP, …); also passed to `onWarning`. */
  readonly warnings?: readonly string[];
  /** Plain files with LOS names, sorted by name; mtime exact (MLSD, else MDTM; SFTP attrs; fs.stat). */
  list(): Promise<RemoteFile[]>;
  /**
   * Downloads `file` into `destDir` and returns the local path (always directly inside destDir).
   * Retried with reconnects; the size must equal the listing's. `onProgress` gets the bytes of
   * this file received so far (restarting at 0 on a retry).
   */
  download(file: RemoteFile, destDir: string, onProgress?: (bytes: number) => void): Promise<string>;
  /** Writes `folder/name` below the source folder; `folder` is created when missing. */
  upload(folder: string, name: string, data: Buffer | string): Promise<void>;
  close(): Promise<void>;
}

export interface SourceOptions {
  /** folder path, file://, ftp://, ftps://, sftp:// (a user may be in the URL; the password should come from `password`) */
  url: string;
  /** remote folder (integrations.aarhus_los.ftp_folder) when not in the URL path; a relative one is joined to the URL path. Ignored for a local folder source. */
  folder?: string;
  user?: string;
  password?: string;
  /** SFTP: path of a private key file (OpenSSH or PEM) */
  privateKey?: string;
  passphrase?: string;
  /** SFTP, required: "SHA256:base64" as `ssh-keygen -lf` prints it */
  hostKeyFingerprint?: string;
  /** FTPS: pin of the server certificate's SHA-256 fingerprint ("AA:BB:…", colons and case optional) */
  tlsFingerprint?: string;
  /** FTPS: trust this CA file (PEM) instead of the system CAs */
  caFile?: string;
  /** idle timeout of connections and transfers, default 30000 */
  timeoutMs?: number;
  /** attempts per operation (connect, list, download, upload), default 3 */
  retries?: number;
  /** delay before the first retry, doubled for each further one; default 1000 */
  retryDelayMs?: number;
  /** called for each warning (refused names etc.); warnings are also kept in `source.warnings` */
  onWarning?: (message: string) => void;
}

interface ParsedTarget {
  kind: SourceKind;
  host: string;
  port: number;
  user: string | undefined;
  urlPassword: string | undefined;
  folder: string;
}

/** Splits the URL (or folder path) and the folder option into what a source needs. */
export function parseSourceUrl(opts: Pick<SourceOptions, 'url' | 'folder'>): ParsedTarget {
  const raw = (opts.url ?? '').trim();
  if (!raw) throw new SourceError('no source given (set source / LOS_SOURCE)', { operation: 'configure', retryable: false });
  const isUrl = /^[a-z][a-z0-9+.-]*:\/\//i.test(raw);
  if (!isUrl) {
    return { kind: 'folder', host: '', port: 0, user: undefined, urlPassword: undefined, folder: path.resolve(raw) };
  }
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw new SourceError(`source is not a valid URL: ${redactUrl(raw)}`, { operation: 'configure', retryable: false });
  }
  const scheme = u.protocol.replace(/:$/, '').toLowerCase();
  if (scheme === 'file') {
    return { kind: 'folder', host: '', port: 0, user: undefined, urlPassword: undefined, folder: path.resolve(fileURLToPath(u)) };
  }
  if (scheme !== 'ftp' && scheme !== 'ftps' && scheme !== 'sftp') {
    throw new SourceError(`unsupported source scheme "${scheme}:" in ${redactUrl(raw)} (use a folder, ftp://, ftps:// or sftp://)`, {
      operation: 'configure',
      retryable: false,
    });
  }
  if (!u.hostname) throw new SourceError(`no host in source ${redactUrl(raw)}`, { operation: 'configure', retryable: false });
  const dec = (s: string) => {
    try {
      return decodeURIComponent(s);
    } catch {
      return s;
    }
  };
  const urlPath = dec(u.pathname || '');
  let folder = urlPath === '/' ? '' : urlPath;
  if (opts.folder) folder = opts.folder.startsWith('/') || !folder ? opts.folder : path.posix.join(folder, opts.folder);
  return {
    kind: scheme,
    host: u.hostname.replace(/^\[(.*)\]$/, '$1'),
    port: u.port ? Number(u.port) : scheme === 'sftp' ? 22 : 21,
    user: u.username ? dec(u.username) : undefined,
    urlPassword: u.password ? dec(u.password) : undefined,
    folder,
  };
}

/**
 * Opens a source and connects (so a wrong password or an untrusted server fails here).
 * Throws SourceError.
 */
export async function openSource(opts: SourceOptions): Promise<Source> {
  const target = parseSourceUrl(opts);
  let source: BaseSource;
  switch (target.kind) {
    case 'folder':
      source = new FolderSource(opts, target.folder);
      break;
    case 'ftp':
    case 'ftps':
      source = new FtpSource(opts, target);
      break;
    case 'sftp':
      source = new SftpSource(opts, target);
      break;
  }
  await source.open();
  return source;
}

export type { ParsedTarget };
