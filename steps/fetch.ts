/**
 * fetch: list the source (folder, FTP, FTPS, SFTP), take the LOS files modified after the last
 * import, download them into the run's work folder, and order them for processing.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { defineStep } from '../src/engine/step.ts';
import { fetchSchemas } from '../schemas/fetch.schema.ts';
import { openRunSource } from '../src/source/for-run.ts';
import { isNewerThan, SourceError } from '../src/source/source.ts';
import { fileKind, fileDate } from '../src/los/files.ts';
import type { LosFile } from '../schemas/files.schema.ts';
import { isoWithOffset } from '../src/time.ts';

export default defineStep({
  name: 'fetch',
  description: 'Fetch LOS files',
  schemas: fetchSchemas,
})({
  async run({ with: opts, ctx }) {
    const source = await openRunSource(ctx, opts.source);
    ctx.progress.message(`listing ${source.display}`);
    const listing = await source.list();
    const after = opts.all ? null : ctx.run.importFrom;
    const order = opts.order ?? [];
    const wanted = listing
      .map((f) => ({ f, kind: fileKind(f.name) }))
      .filter((x): x is typeof x & { kind: string } => x.kind !== null && order.includes(x.kind))
      .filter((x) => !after || isNewerThan(x.f.mtime, after, source.precisionMs))
      .sort((a, b) => order.indexOf(a.kind) - order.indexOf(b.kind) || a.f.name.localeCompare(b.f.name));
    const unknown = listing.filter((f) => fileKind(f.name) === null || !order.includes(fileKind(f.name)!));
    for (const f of unknown) ctx.log.debug(`ignoring ${f.name}: not a LOS file kind in the workflow's order`);
    ctx.progress.set('listed', listing.length);

    const files: LosFile[] = [];
    await ctx.each(wanted, (x) => x.f.name, async ({ f, kind }, progress) => {
      let path: string;
      try {
        path = await source.download(f, ctx.run.workDir, (bytes) => progress.set('bytes', bytes));
      } catch (err) {
        // the server refuses this one file (550, permission denied): a warning naming it; the others are imported
        if (!(err instanceof SourceError) || !err.file) throw err;
        ctx.report.warn(`${err.message} — ${f.name} is NOT imported; once it is readable, take it with --all or by touching it on the server`);
        return;
      }
      const data = readFileSync(path);
      files.push({ name: f.name, kind, date: fileDate(f.name), path, size: data.length, mtime: isoWithOffset(f.mtime), sha256: createHash('sha256').update(data).digest('hex') });
      ctx.progress.add('files');
      ctx.progress.add('bytes', data.length);
      ctx.report.count('bytes_fetched', data.length);
    });
    ctx.report.files.push(...files.map(({ name, size, mtime, sha256 }) => ({ name, size, mtime, sha256 })));
    for (const w of source.warnings ?? []) ctx.report.warn(w);
    const retries = source.retries; // the source was opened by this step: its connect retries count too
    return { files, source: source.display, skipped: listing.length - unknown.length - wanted.length, retries };
  },
  summarize: (out) =>
    `${out.files.length} file${out.files.length === 1 ? '' : 's'} from ${out.source}${out.skipped ? ` (${out.skipped} not newer than the last import)` : ''}` +
    (out.retries ? `, ${out.retries} transfer retr${out.retries === 1 ? 'y' : 'ies'}` : ''),
});
