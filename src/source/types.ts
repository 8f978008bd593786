/**
 * What every source is and takes: the interface the folder, FTP and SFTP sources implement and the
 * options they are opened with. Below them and below source.ts, which picks one (openSource).
 */
import type { SourceKind } from './url.ts';

export interface RemoteFile {
  name: string;
  size: number;
  mtime: Date;
}

export interface Source {
  readonly kind: SourceKind;
  /** e.g. "ftps://user@host:21/in" — never a password; parseSourceUrl reads it back to the same source */
  readonly display: string;
  /** The resolution of `mtime` in ms: 1000 for FTP and SFTP (whole seconds), 1 for a folder. */
  readonly precisionMs: number;
  /** Failed attempts of operations that were retried (connect, list, download, upload), so far. */
  readonly retries: number;
  /** Warnings so far (refused hostile names, a password sent over plain FTP, …); also passed to `onWarning`. */
  readonly warnings?: readonly string[];
  /** Plain files of the last `list()` whose names are no LOS file names (not listed; the fetch step warns about them). */
  readonly otherFiles?: readonly string[];
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
  /** SFTP: the server's host key(s), "SHA256:base64" as `ssh-keygen -lf` prints it; several separated by commas or spaces */
  hostKeyFingerprint?: string;
  /** SFTP: an OpenSSH known_hosts file whose entries for the host are trusted (hashed names, [host]:port, @revoked understood) */
  knownHostsFile?: string;
  /** FTPS: pin of the server certificate's SHA-256 fingerprint ("AA:BB:…", colons and case optional) */
  tlsFingerprint?: string;
  /** FTPS: trust this CA file (PEM) instead of the system CAs */
  caFile?: string;
  /** FTP/FTPS: the IANA time zone of the server's MDTM times (e.g. "Europe/Copenhagen" for vsftpd's use_localtime=YES); default UTC as RFC 3659 says */
  serverTimezone?: string;
  /** idle timeout of connections and transfers, default 30000 */
  timeoutMs?: number;
  /** attempts per operation (connect, list, download, upload), default 3 */
  retries?: number;
  /** delay before the first retry, doubled for each further one (±50 % jitter, at most 30 s; src/http/retry.ts); default 1000 */
  retryDelayMs?: number;
  /** called for each warning (refused names etc.); warnings are also kept in `source.warnings` */
  onWarning?: (message: string) => void;
  /** called before each retry with the redacted reason */
  onRetry?: (message: string) => void;
}
