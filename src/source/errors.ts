/**
 * Errors of the remote sources.
 *
 * A SourceError always names the host (the source's display form, which never holds a password)
 * and the operation. Its message is built only from redacted text (log.ts `redact`): the FTP
 * password and the SFTP key passphrase are replaced by `***` wherever they would appear (also
 * URL-encoded or base64).
 */

export interface SourceErrorInit {
  /** e.g. "connect", "list", "download", "upload" */
  operation: string;
  /** the source's display form, e.g. "ftps://user@host:21/in" */
  where?: string;
  /** false: retrying cannot help (wrong password, untrusted certificate, host key mismatch, refused name). */
  retryable?: boolean;
  /** Number of attempts made before giving up. */
  attempts?: number;
  /** Set when the server refuses this one file (it exists in the listing but cannot be read): the other files can still be taken. */
  file?: string;
}

export class SourceError extends Error {
  /** Process exit code for the run: connection, authentication and transfer failures are 1. */
  readonly exitCode = 1;
  readonly operation: string;
  readonly where: string | undefined;
  readonly retryable: boolean;
  readonly attempts: number;
  readonly file: string | undefined;

  constructor(message: string, init: SourceErrorInit) {
    super(message);
    this.name = 'SourceError';
    this.operation = init.operation;
    this.where = init.where;
    this.retryable = init.retryable ?? true;
    this.attempts = init.attempts ?? 0;
    this.file = init.file;
  }
}

/**
 * A URL fit for printing: the password part of the user info is replaced by `***`.
 * Strings that are not URLs (folder paths) are returned unchanged.
 */
export function redactUrl(url: string): string {
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(url)) return url;
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    // unparseable: cut any user info rather than risk printing a password
    return url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/@]*@/i, '$1***@');
  }
}

/** The message of anything thrown, as a single line. */
export function messageOf(err: unknown): string {
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code;
    const msg = err.message || err.name;
    return (typeof code === 'string' && !msg.includes(code) ? `${msg} (${code})` : msg).replace(/\s+/g, ' ').trim();
  }
  return String(err).replace(/\s+/g, ' ').trim();
}
