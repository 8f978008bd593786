/**
 * Which remote names are accepted, and where they may be written locally.
 *
 * A remote listing is untrusted input: only names of the LOS delivery (los-format.md) are used,
 * and a name is never joined to a local path unless it is a plain file name.
 */
import path from 'node:path';
import { SourceError } from './errors.ts';
import { fileKind, LOS_TIMED_KINDS } from '../los/files.ts';

/** Prefixes of the timestamped LOS files: `PREFIX_YYYYMMDD_HHMMSS.csv` (the one list: src/los/files.ts). */
export const LOS_TIMED_PREFIXES = LOS_TIMED_KINDS;

// eslint-disable-next-line no-control-regex
const CONTROL_RE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;

/**
 * True for names that try to leave the folder they are listed in or that carry control
 * characters: such a name in a listing is refused and reported, not just skipped.
 */
export function isHostileName(name: string): boolean {
  return (
    typeof name !== 'string' ||
    name === '' ||
    name === '.' ||
    name.includes('/') ||
    name.includes('\\') ||
    name.includes('..') ||
    name.includes(':') ||
    CONTROL_RE.test(name)
  );
}

/** True when `name` is an expected LOS file name and nothing else (no path, no `..`, no control chars). */
export function isSafeRemoteName(name: string): boolean {
  if (typeof name !== 'string' || name.length > 200 || isHostileName(name)) return false;
  return fileKind(name) !== null;
}

/** A name for printing: quoted, control characters escaped, cut to 100 characters. */
export function showName(name: string): string {
  const s = JSON.stringify(String(name));
  return s.length > 100 ? `${s.slice(0, 97)}…"` : s;
}

/**
 * The local path of remote file `name` inside `destDir`. Throws (not retryable) unless `name` is
 * a safe LOS name whose path stays directly inside `destDir`.
 */
export function safeLocalPath(destDir: string, name: string, where?: string): string {
  if (!isSafeRemoteName(name)) {
    throw new SourceError(`refused to download ${showName(name)}: not an expected LOS file name`, {
      operation: 'download',
      where,
      retryable: false,
    });
  }
  const dir = path.resolve(destDir);
  const target = path.resolve(dir, name);
  if (path.dirname(target) !== dir || path.basename(target) !== name) {
    throw new SourceError(`refused to download ${showName(name)}: it would be written outside ${dir}`, {
      operation: 'download',
      where,
      retryable: false,
    });
  }
  return target;
}

/** A file name we upload (e.g. `failed_addr_Org_ret_20240101_000000.csv`): a plain, printable name. */
export function isSafeUploadName(name: string): boolean {
  return typeof name === 'string' && name.length <= 200 && !isHostileName(name) && /^[\p{L}\p{N}_.() -]+$/u.test(name);
}

/** A remote folder we upload into (e.g. `DARfejlliste`, or `out/DARfejlliste`): relative, no `..`. */
export function isSafeUploadFolder(folder: string): boolean {
  if (typeof folder !== 'string' || folder === '' || folder.length > 200) return false;
  return folder.split('/').every((seg) => isSafeUploadName(seg));
}

/**
 * A test of file names against the `ignore_files` setting: comma-separated names or globs, where
 * `*` is any run of characters and `?` one character (case-sensitive, as the names on the server).
 */
export function ignoredNames(setting: string | undefined): (name: string) => boolean {
  const globs = (setting ?? '').split(',').map((g) => g.trim()).filter(Boolean);
  if (!globs.length) return () => false;
  const re = new RegExp(`^(?:${globs.map((g) => g.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')).join('|')})$`, 's');
  return (name) => re.test(name);
}
