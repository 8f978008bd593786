/**
 * Source URLs: parsing (with the `ftp_folder` setting) and the printable form, which parses back
 * to the same source.
 *
 * Paths follow RFC 1738 and curl:
 * - FTP/FTPS: the path after the host's "/" is relative to the login folder
 *   (`ftp://los@host/in` → `CWD in`); `%2F` makes it absolute (`ftp://los@host/%2Fin` → `CWD /in`).
 * - SFTP: the path is absolute (`sftp://los@host/in` → `/in`); `/~/` starts at the login folder
 *   (`sftp://los@host/~/in` → `in`).
 * - `ftps-implicit://` is FTPS with implicit TLS (TLS from the first byte, port 990 by default).
 */
import path from 'node:path';
import { isIP } from 'node:net';
import { fileURLToPath } from 'node:url';
import { SourceError, redactUrl } from './errors.ts';

export type SourceKind = 'folder' | 'ftp' | 'ftps' | 'sftp';

export interface ParsedTarget {
  kind: SourceKind;
  /** FTPS with implicit TLS (`ftps-implicit://`) */
  implicit: boolean;
  host: string;
  port: number;
  user: string | undefined;
  urlPassword: string | undefined;
  /** remote folder: absolute ("/in") or relative to the login folder ("in"); '' = the login folder */
  folder: string;
}

const dec = (s: string) => {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
};

const SCHEMES = ['ftp', 'ftps', 'ftps-implicit', 'sftp'];

/** Splits the URL (or folder path) and the folder option into what a source needs. */
export function parseSourceUrl(opts: { url: string; folder?: string }): ParsedTarget {
  const raw = (opts.url ?? '').trim();
  if (!raw) throw new SourceError('no source given (set source / LOS_SOURCE)', { operation: 'configure', retryable: false });
  const local = (folder: string): ParsedTarget => ({ kind: 'folder', implicit: false, host: '', port: 0, user: undefined, urlPassword: undefined, folder });
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(raw)) return local(path.resolve(raw));
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw new SourceError(`source is not a valid URL: ${redactUrl(raw)}`, { operation: 'configure', retryable: false });
  }
  const scheme = u.protocol.replace(/:$/, '').toLowerCase();
  if (scheme === 'file') return local(path.resolve(fileURLToPath(u)));
  if (!SCHEMES.includes(scheme)) {
    throw new SourceError(`unsupported source scheme "${scheme}:" in ${redactUrl(raw)} (use a folder, ftp://, ftps://, ftps-implicit:// or sftp://)`, {
      operation: 'configure',
      retryable: false,
    });
  }
  if (!u.hostname) throw new SourceError(`no host in source ${redactUrl(raw)}`, { operation: 'configure', retryable: false });
  const kind: SourceKind = scheme === 'sftp' ? 'sftp' : scheme === 'ftp' ? 'ftp' : 'ftps';
  const segments = (u.pathname || '').replace(/^\//, '').split('/').filter((s, i, all) => s !== '' || i === 0 || i < all.length - 1);
  let folder: string;
  if (kind === 'sftp') {
    // absolute, unless it starts with ~ (the login folder); no path at all is the login folder
    if (segments.length === 1 && segments[0] === '') folder = '';
    else if (segments[0] === '~') folder = segments.slice(1).map(dec).join('/');
    else folder = '/' + segments.map(dec).join('/');
  } else {
    // relative to the login folder; a leading %2F (decoded "/") makes it absolute
    folder = segments.map(dec).join('/');
  }
  if (folder !== '/') folder = folder.replace(/\/+$/, '');
  if (opts.folder) folder = opts.folder.startsWith('/') || !folder ? opts.folder : path.posix.join(folder, opts.folder);
  return {
    kind,
    implicit: scheme === 'ftps-implicit',
    host: u.hostname.replace(/^\[(.*)\]$/, '$1'),
    port: u.port ? Number(u.port) : kind === 'sftp' ? 22 : scheme === 'ftps-implicit' ? 990 : 21,
    user: u.username ? dec(u.username) : undefined,
    urlPassword: u.password ? dec(u.password) : undefined,
    folder,
  };
}

const encodePath = (p: string) => p.split('/').map(encodeURIComponent).join('/');

/** The printable source (never a password), e.g. "ftp://los@host:21/in"; parseSourceUrl reads it back to the same folder. */
export function displayUrl(t: Pick<ParsedTarget, 'kind' | 'implicit' | 'host' | 'port' | 'folder'>, user: string | undefined): string {
  const scheme = t.implicit ? 'ftps-implicit' : t.kind;
  const hostPart = isIP(t.host) === 6 ? `[${t.host}]` : t.host;
  let p = '';
  if (t.kind === 'sftp') {
    if (t.folder.startsWith('/')) p = t.folder === '/' ? '/' : encodePath(t.folder);
    else if (t.folder) p = `/~/${encodePath(t.folder)}`;
  } else if (t.folder.startsWith('/')) {
    p = `/%2F${encodePath(t.folder.slice(1))}`;
  } else if (t.folder) {
    p = `/${encodePath(t.folder)}`;
  }
  return `${scheme}://${user ? encodeURIComponent(user) + '@' : ''}${hostPart}:${t.port}${p}`;
}
