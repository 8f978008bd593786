/**
 * What all sources share: one operation at a time per source, retries through los2mo's one retry
 * implementation (src/http/retry.ts: exponential backoff with jitter) and a reconnect between attempts, the name filter of listings, and the download into a
 * temporary file that is size-checked and renamed into place.
 */
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { redact } from '../log.ts';
import { SourceError, messageOf } from './errors.ts';
import { isHostileName, isSafeRemoteName, isSafeUploadFolder, isSafeUploadName, safeLocalPath, showName } from './names.ts';
import type { RemoteFile, Source, SourceOptions } from './types.ts';
import type { SourceKind } from './url.ts';
import { TransientError, withRetries, type RetryPolicy } from '../http/retry.ts';

/** An entry of a raw remote listing, before names are checked. */
export interface RawEntry {
  name: string;
  isFile: boolean;
  size: number;
  /** known from the listing (MLSD, SFTP attrs, fs.stat); otherwise `mtimeOf` is asked */
  mtime?: Date;
}

/** Cap of a source's exponential backoff. */
const MAX_BACKOFF_MS = 30_000;

/**
 * The retry policy of a source's operations: `retries` there counts attempts (default 3), the
 * delay before the first retry is `retryDelayMs` (default 1000), doubling, ±50 % jitter so that
 * many runs cut off together do not come back in step.
 */
export function sourceRetryPolicy(opts: Pick<SourceOptions, 'retries' | 'retryDelayMs'>): RetryPolicy {
  return {
    retries: Math.max(1, Math.floor(opts.retries ?? 3)) - 1,
    delayMs: Math.max(0, opts.retryDelayMs ?? 1000),
    maxDelayMs: MAX_BACKOFF_MS,
    maxRetryAfterMs: 0, // FTP and SFTP have no Retry-After
    jitter: true,
  };
}

/** A failed attempt worth another: carries the original error to the final message. */
class RetryableAttempt extends TransientError {
  constructor(
    reason: string,
    readonly original: unknown,
  ) {
    super(reason);
  }
}

export abstract class BaseSource implements Source {
  abstract readonly kind: SourceKind;
  abstract readonly display: string;
  readonly warnings: string[] = [];
  /** Plain files of the last listing whose names are no LOS file names (Source.otherFiles). */
  otherFiles: string[] = [];
  /** Failed attempts that were retried, so far. */
  retries = 0;
  /** whole seconds on FTP and SFTP; the folder source overrides */
  readonly precisionMs: number = 1000;

  protected readonly timeoutMs: number;
  protected readonly attempts: number;
  private readonly policy: RetryPolicy;
  private readonly onWarning: ((message: string) => void) | undefined;
  private readonly onRetry: ((message: string) => void) | undefined;
  private readonly secrets: (string | undefined)[];
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;

  constructor(opts: SourceOptions, extraSecrets: (string | undefined)[] = []) {
    this.timeoutMs = opts.timeoutMs && opts.timeoutMs > 0 ? opts.timeoutMs : 30_000;
    this.policy = sourceRetryPolicy(opts);
    this.attempts = this.policy.retries + 1;
    this.onWarning = opts.onWarning;
    this.onRetry = opts.onRetry;
    this.secrets = [opts.password, opts.passphrase, ...extraSecrets];
  }

  // ---- implemented by each kind ------------------------------------------------------------
  /** Connects when not connected (no-op for a folder). Throws SourceError(retryable:false) for auth/trust failures. */
  protected abstract connect(): Promise<void>;
  /** Drops the connection (after an error or on close); must not throw. */
  protected abstract disconnect(): Promise<void>;
  protected abstract rawList(): Promise<RawEntry[]>;
  protected abstract mtimeOf(name: string): Promise<Date>;
  /** Writes the remote file's bytes into `sink` and ends it (or rejects). */
  protected abstract fetchInto(name: string, sink: Transform): Promise<void>;
  protected abstract put(folder: string, name: string, data: Buffer): Promise<void>;
  /** Errors that retrying cannot fix (besides SourceError with retryable:false). */
  protected isFatal(_err: unknown): boolean {
    return false;
  }
  /** An error's text for messages (SFTP names dropped connections plainly). */
  protected describe(err: unknown): string {
    return messageOf(err);
  }
  protected get label(): string {
    return this.kind === 'folder' ? 'folder' : this.kind.toUpperCase();
  }

  // ---- shared --------------------------------------------------------------------------------
  /** Text with the password and passphrase replaced by `***`. */
  protected redact(text: string): string {
    return redact(text, this.secrets);
  }

  protected warn(message: string): void {
    const m = this.redact(message);
    this.warnings.push(m);
    try {
      this.onWarning?.(m);
    } catch {
      /* a failing warning sink must not break the transfer */
    }
  }

  /** Connects with retries; called once by openSource. */
  async open(): Promise<void> {
    await this.operate('connect', undefined, async () => {});
  }

  async list(): Promise<RemoteFile[]> {
    return this.operate('list', undefined, async () => {
      const entries = await this.rawList();
      const files: RemoteFile[] = [];
      const others: string[] = [];
      this.otherFiles = others;
      const seen = new Set<string>();
      for (const e of entries) {
        if (isHostileName(e.name)) {
          this.warn(`${this.label} ${this.display}: refused remote name ${showName(e.name)} (path separator, '..' or control characters)`);
          continue;
        }
        if (!e.isFile) continue; // directories, links: not ours
        if (!isSafeRemoteName(e.name)) {
          others.push(e.name); // another file: the fetch step warns about it (a misnamed delivery?)
          continue;
        }
        if (seen.has(e.name)) {
          this.warn(`${this.label} ${this.display}: name ${showName(e.name)} listed twice; using the first`);
          continue;
        }
        seen.add(e.name);
        let mtime = e.mtime;
        if (!mtime || Number.isNaN(mtime.getTime())) {
          try {
            mtime = await this.mtimeOf(e.name);
          } catch (err) {
            // a file the server lists but will not describe (e.g. a name with a trailing CR that
            // LIST shows trimmed): a warning naming it; the other files are still taken
            if (err instanceof SourceError || !this.isFatal(err)) throw err;
            this.warn(`${this.label} ${this.display}: ${showName(e.name)} is listed but its modification time cannot be read (${messageOf(err)}); it is NOT imported; once the server has it right, take it with --all or by touching it`);
            continue;
          }
        }
        if (Number.isNaN(mtime.getTime())) throw new Error(`no modification time for ${showName(e.name)}`);
        files.push({ name: e.name, size: e.size, mtime });
      }
      return files.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    });
  }

  async download(file: RemoteFile, destDir: string, onProgress?: (bytes: number) => void): Promise<string> {
    const target = safeLocalPath(destDir, file?.name, this.display); // throws before anything is fetched
    if (!Number.isSafeInteger(file.size) || file.size < 0) {
      throw new SourceError(`download of ${showName(file.name)}: size ${file.size} is not a byte count`, {
        operation: 'download',
        where: this.display,
        retryable: false,
      });
    }
    return this.operate('download', file.name, () => this.receive(file, target, onProgress));
  }

  async upload(folder: string, name: string, data: Buffer | string): Promise<void> {
    const cleanFolder = String(folder ?? '').replace(/^\/+|\/+$/g, '');
    if (!isSafeUploadFolder(cleanFolder) || !isSafeUploadName(name)) {
      throw new SourceError(`refused to upload ${showName(`${folder}/${name}`)}: not a plain relative folder and file name`, {
        operation: 'upload',
        where: this.display,
        retryable: false,
      });
    }
    const buf = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    await this.operate('upload', `${cleanFolder}/${name}`, () => this.put(cleanFolder, name, buf));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.exclusive(() => this.disconnect());
  }

  /** Runs `fn` after every earlier operation of this source has finished. */
  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => {});
    return run;
  }

  /**
   * One operation: connect if needed, run, on failure disconnect, back off (withRetries) and try
   * again. A login, trust, permission or not-found failure ends it at once.
   */
  protected operate<T>(operation: string, subject: string | undefined, fn: () => Promise<T>): Promise<T> {
    return this.exclusive(async () => {
      if (this.closed) {
        throw new SourceError(`${this.label} ${this.display}: ${operation} after close`, { operation, where: this.display, retryable: false });
      }
      const what = `${this.label} ${operation}${subject === undefined ? '' : ` of ${showName(subject)}`} at ${this.display}`;
      let attempts = 0;
      /** why the first attempt failed: kept in the final message when the last one failed otherwise */
      let first: string | undefined;
      const attempt = async (n: number): Promise<T> => {
        attempts = n;
        try {
          await this.connect();
          return await fn();
        } catch (err) {
          await this.disconnect();
          const fatal = (err instanceof SourceError && !err.retryable) || this.isFatal(err);
          if (fatal) throw this.failure(operation, subject, err, n, first);
          const reason = this.redact(this.describe(err));
          first ??= reason;
          throw new RetryableAttempt(reason, err);
        }
      };
      try {
        return await withRetries(attempt, this.policy, (e) => {
          this.retries++;
          try {
            this.onRetry?.(this.redact(`${what}: attempt ${e.attempt} of ${this.attempts} failed (${e.reason}); retrying`));
          } catch {
            /* a failing sink must not break the transfer */
          }
        });
      } catch (err) {
        throw err instanceof RetryableAttempt ? this.failure(operation, subject, err.original, attempts, first) : err;
      }
    });
  }

  /** The final error; `first` is the first attempt's reason (e.g. a silence mid-transfer before reconnects that timed out). */
  private failure(operation: string, subject: string | undefined, err: unknown, attempts: number, first?: string): SourceError {
    if (err instanceof SourceError) {
      // already a complete message (names host and operation)
      return new SourceError(this.redact(err.message), { operation: err.operation, where: err.where ?? this.display, retryable: err.retryable, attempts, file: err.file });
    }
    const what = subject === undefined ? '' : ` of ${showName(subject)}`;
    const tries = attempts > 1 ? ` after ${attempts} attempts` : '';
    // the first attempt's reason leads (e.g. a silence mid-transfer), then how the last reconnect failed
    const last = this.describe(err);
    const reason = attempts > 1 && first !== undefined && !this.redact(last).includes(first) ? `${first}; the last attempt: ${last}` : last;
    const message = this.redact(`${this.label} ${operation}${what} at ${this.display} failed${tries}: ${reason}`);
    // a download the server refuses for this file alone (550 file unavailable, no such file, permission denied)
    const file = operation === 'download' && this.isFatal(err) ? subject : undefined;
    return new SourceError(message, { operation, where: this.display, retryable: !this.isFatal(err), attempts, file });
  }

  /** Fetches into a hidden temporary file next to `target`, checks the size, renames into place. */
  private async receive(file: RemoteFile, target: string, onProgress?: (bytes: number) => void): Promise<string> {
    const tmp = path.join(path.dirname(target), `.${file.name}.${randomBytes(6).toString('hex')}.part`);
    let bytes = 0;
    let idle: NodeJS.Timeout | undefined;
    const counter = new Transform({
      transform(chunk: Buffer, _enc, cb) {
        bytes += chunk.length;
        idle?.refresh();
        try {
          onProgress?.(bytes);
        } catch {
          /* progress display errors are not transfer errors */
        }
        cb(null, chunk);
      },
    });
    idle = setTimeout(
      () => counter.destroy(new Error(`the server stopped answering: no data for ${this.timeoutMs} ms ${bytes ? `after ${bytes} of ${file.size} bytes` : 'before the first byte'} (the connection is idle or dead)`)),
      this.timeoutMs,
    );
    const out = createWriteStream(tmp, { flags: 'wx', mode: 0o600 });
    const written = pipeline(counter, out);
    try {
      await Promise.all([this.fetchInto(file.name, counter), written]);
    } catch (err) {
      counter.destroy();
      await written.catch(() => {});
      await rm(tmp, { force: true });
      throw err;
    } finally {
      clearTimeout(idle);
    }
    if (bytes !== file.size) {
      await rm(tmp, { force: true });
      throw new Error(`${bytes < file.size ? 'short download' : 'size mismatch'}: received ${bytes} bytes, the listing says ${file.size}`);
    }
    await rename(tmp, target);
    return target;
  }
}
