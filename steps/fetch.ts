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
import { copenhagenDay, isoWithOffset } from '../src/time.ts';
import { ignoredNames, showName } from '../src/source/names.ts';
import type { StepContext } from '../src/engine/step.ts';

/** A file modified this much after the run started is "modified in the future" (clocks differ a little). */
const CLOCK_SLACK_MS = 5 * 60_000;

/**
 * Warnings (summary, report, metrics) about the names on the source, on every run while the files
 * are there — the state never moves past them silently: every file whose name is no LOS file name
 * (unless the setting ignore_files lists it), and every LOS file dated or modified in the future.
 */
function warnAboutNames(ctx: StepContext, where: string, listing: readonly { name: string; mtime: Date }[], others: readonly string[]) {
  const ignored = ignoredNames(ctx.settings.get('ignore_files'));
  const unknown = others.filter((n) => !ignored(n));
  for (const name of unknown) {
    ctx.report.warn(`${showName(name)} on ${where} is no LOS file name (PREFIX_YYYYMMDD_HHMMSS.csv, STAM_UUID_<name>.csv) and is not imported: rename it if it belongs to the delivery, or list it in the setting ignore_files; this warning repeats every run until then`);
  }
  ctx.report.count('unknown_files', unknown.length);
  const today = copenhagenDay(ctx.run.startedAt);
  for (const f of listing) {
    const date = fileDate(f.name);
    if (date && date > today) ctx.report.warn(`${f.name}: the date in its name (${date}) is in the future (today is ${today}); it is imported now, in name order`);
    if (f.mtime.getTime() > ctx.run.startedAt.getTime() + CLOCK_SLACK_MS) {
      ctx.report.warn(`${f.name}: modified in the future (${isoWithOffset(f.mtime)}; the run started ${isoWithOffset(ctx.run.startedAt)}): is a clock wrong? Every run takes it again until that time has passed`);
    }
  }
}

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
    warnAboutNames(ctx, source.display, listing, source.otherFiles ?? []);

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
