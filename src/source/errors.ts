/**
 * Errors of the remote sources, and the redaction every message goes through.
 *
 * A SourceError always names the host (the source's display form, which never holds a password)
 * and the operation. Its message is built only from redacted text: the FTP password and the SFTP
 * key passphrase are replaced by `***` wherever they would appear (also URL-encoded).
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
}

export class SourceError extends Error {
  /** Process exit code for the run: connection, authentication and transfer failures are 1. */
  readonly exitCode = 1;
  readonly operation: string;
  readonly where: string | undefined;
  readonly retryable: boolean;
  readonly attempts: number;

  constructor(message: string, init: SourceErrorInit) {
    super(message);
    this.name = 'SourceError';
    this.operation = init.operation;
    this.where = init.where;
    this.retryable = init.retryable ?? true;
    this.attempts = init.attempts ?? 0;
  }
}

/** Replaces every non-trivial secret (and its URL-encoded form) in `text` by `***`. */
export function redact(text: string, secrets: readonly (string | undefined)[]): string {
  let out = text;
  const forms = new Set<string>();
  for (const s of secrets) {
    if (!s || s.length < 3) continue; // too short to redact without mangling the message
    forms.add(s);
    forms.add(encodeURIComponent(s));
    forms.add(Buffer.from(s, 'utf8').toString('base64'));
  }
  // longest first, so a secret containing another is replaced whole
  for (const f of [...forms].sort((a, b) => b.length - a.length)) out = out.split(f).join('***');
  return out;
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
