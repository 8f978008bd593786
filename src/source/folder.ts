/**
 * A local folder as source (LOS_SOURCE=/data/los, file:///data/los, or .import_csv_folder).
 * Listing follows symbolic links to files; mtime is fs.stat's (ms precision).
 */
import { createReadStream } from 'node:fs';
import { mkdir, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { randomBytes } from 'node:crypto';
import { BaseSource, type RawEntry } from './base.ts';
import { SourceError, messageOf } from './errors.ts';
import type { SourceOptions } from './types.ts';

export class FolderSource extends BaseSource {
  readonly kind = 'folder' as const;
  readonly display: string;
  override readonly precisionMs = 1;
  private readonly dir: string;

  constructor(opts: SourceOptions, dir: string) {
    super(opts);
    this.dir = dir;
    this.display = dir;
  }

  protected override async connect(): Promise<void> {
    let st;
    try {
      st = await stat(this.dir);
    } catch (err) {
      throw new SourceError(`source folder ${this.dir} cannot be read: ${messageOf(err)}`, {
        operation: 'connect',
        where: this.display,
        retryable: false,
      });
    }
    if (!st.isDirectory()) {
      throw new SourceError(`source ${this.dir} is not a folder`, { operation: 'connect', where: this.display, retryable: false });
    }
  }

  protected override async disconnect(): Promise<void> {}

  protected override async rawList(): Promise<RawEntry[]> {
    const names = await readdir(this.dir);
    const out: RawEntry[] = [];
    for (const name of names) {
      try {
        const st = await stat(path.join(this.dir, name));
        out.push({ name, isFile: st.isFile(), size: st.size, mtime: st.mtime });
      } catch {
        /* vanished, or a dangling link: not a file */
      }
    }
    return out;
  }

  protected override async mtimeOf(name: string): Promise<Date> {
    return (await stat(path.join(this.dir, name))).mtime;
  }

  protected override async fetchInto(name: string, sink: Transform): Promise<void> {
    await pipeline(createReadStream(path.join(this.dir, name)), sink);
  }

  protected override async put(folder: string, name: string, data: Buffer): Promise<void> {
    const dir = path.join(this.dir, ...folder.split('/'));
    await mkdir(dir, { recursive: true });
    const tmp = path.join(dir, `.${name}.${randomBytes(6).toString('hex')}.part`);
    try {
      await writeFile(tmp, data, { flag: 'wx' });
      await rename(tmp, path.join(dir, name));
    } catch (err) {
      await rm(tmp, { force: true });
      throw err;
    }
  }

  protected override isFatal(err: unknown): boolean {
    const code = (err as { code?: string })?.code;
    return code === 'EACCES' || code === 'EPERM' || code === 'ENOENT' || code === 'ENOTDIR';
  }
}
