/**
 * Remote sources of the LOS files: a local folder, FTP, FTPS (explicit or implicit TLS) or SFTP.
 *
 *   const src = await openSource({ url: 'ftps://los@ftp.aarhus.dk/in', password, caFile });
 *   for (const f of await src.list()) await src.download(f, workDir, (n) => progress(n));
 *   await src.upload('DARfejlliste', 'failed_addr_Org_ret_20240101_000000.csv', text);
 *   await src.close();
 *
 * See docs/sources.md. Every failure is a SourceError (exit code 1) whose message names the host
 * and the operation and never holds the password or passphrase.
 */
import type { BaseSource } from './base.ts';
import { FolderSource } from './folder.ts';
import { FtpSource } from './ftp.ts';
import { SftpSource } from './sftp.ts';
import { parseSourceUrl } from './url.ts';
import type { Source, SourceOptions } from './types.ts';

export { SourceError, redactUrl } from './errors.ts';
export { parseSourceUrl, displayUrl, type ParsedTarget, type SourceKind } from './url.ts';
export type { RemoteFile, Source, SourceOptions } from './types.ts';
export { isSafeRemoteName, isHostileName, safeLocalPath, LOS_TIMED_PREFIXES } from './names.ts';

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


/**
 * Whether a file with modification time `mtime` (as the source reports it, to `precisionMs`)
 * is to be taken after `after` (the last import). Compared at the source's precision and erring on
 * taking the file: on a server with whole seconds, a file written at 12:00:00.800 shows 12:00:00
 * and is taken after a state of 12:00:00.300 (taking a file twice writes nothing the second time;
 * missing it loses it).
 */
export function isNewerThan(mtime: Date, after: Date, precisionMs = 1): boolean {
  const p = Math.max(1, Math.floor(precisionMs));
  if (p === 1) return mtime.getTime() > after.getTime();
  return mtime.getTime() >= Math.floor(after.getTime() / p) * p;
}
