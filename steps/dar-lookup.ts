/**
 * dar-lookup: wash every distinct PostAdresse text (the mapping's `dar: true` columns) of the unit
 * rows into a DAR address id, with the provider and cache of docs/dar.md. Unmatched texts are not
 * imported: their values become null, and they are listed in `failed_addr_<csv name>` in
 * <state>/reports/ and, for an FTP/SFTP source, uploaded to its DARfejlliste folder (best effort)
 * by commit-state at the end of a successful run — never from here, before MO is written.
 * A DAR outage never fails the run. A dry run writes nothing outside the run's work folder.
 */
import { copyFileSync, existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { defineStep } from '../src/engine/step.ts';
import { darLookupSchemas } from '../schemas/dar-lookup.schema.ts';
import { createWasher, type ProviderName, type WashResult } from '../src/dar/index.ts';
import { applyWash, darSuffixes, darTexts, failureLists } from '../src/dar/step-support.ts';
import { ConfigError } from '../src/errors.ts';
import { PROJECT_ROOT } from '../src/engine/workflow.ts';
import { deferUpload } from '../src/source/for-run.ts';

function registerFile(file: string): string {
  if (path.isAbsolute(file) || existsSync(file)) return path.resolve(file);
  const fromRoot = path.join(PROJECT_ROOT, file);
  return existsSync(fromRoot) ? fromRoot : path.resolve(file);
}

/** Unmatched postal addresses (rows × columns) and, when fewer, the distinct texts among them: the summary and the warning say the same. */
const unmatchedText = (addresses: number, texts: number) =>
  `${addresses} postal address${addresses === 1 ? '' : 'es'}${texts !== addresses ? ` (${texts} distinct text${texts === 1 ? '' : 's'})` : ''}`;

export default defineStep({
  name: 'dar-lookup',
  description: 'Wash postal addresses in DAR',
  schemas: darLookupSchemas,
})({
  async run({ with: opts, input, ctx }) {
    const suffixes = darSuffixes(input.spec);
    const texts = darTexts(input.rows, suffixes);
    const addresses = input.rows.reduce((n, r) => n + suffixes.filter((s) => r.addresses[s]).length, 0);
    ctx.progress.set('addresses', addresses);
    if (texts.length === 0) return { rows: input.rows, failed: [], counts: { addresses: 0, texts: 0, requests: 0, cached: 0, failed: 0 } };

    const s = ctx.settings;
    const provider = (opts.provider ?? s.get('dar_provider') ?? 'file') as ProviderName;
    const ttl = opts.cache_ttl_days ?? (s.get('dar_cache_ttl_days') ? s.int('dar_cache_ttl_days') : 30);
    const stateCache = path.join(ctx.run.stateDir, 'dar-cache.sqlite');
    let cacheFile: string | undefined = stateCache;
    if (ctx.run.dryRun) {
      // A dry run reads the cache but writes nothing in the state folder: it reads a copy in the
      // work folder (SQLite may write to a file it opens) and writes nothing to that either.
      mkdirSync(ctx.run.workDir, { recursive: true });
      cacheFile = undefined;
      if (existsSync(stateCache)) copyFileSync(stateCache, (cacheFile = path.join(ctx.run.workDir, 'dar-cache.sqlite')));
    }
    let washer;
    try {
      washer = await createWasher({
        provider,
        dawaUrl: opts.url ?? s.get('dar_url'),
        adressevaskUrl: opts.url ?? s.get('dar_url'),
        token: s.get('dar_token'),
        registerFile: provider === 'file' ? registerFile(opts.file ?? s.get('dar_file') ?? '') : undefined,
        cacheFile,
        cacheTtlDays: ttl,
        refresh: ctx.run.flags.refreshDar === true,
        readOnlyCache: ctx.run.dryRun,
        ...(opts.retries !== undefined ? { retries: opts.retries } : {}),
        onRequest: () => ctx.progress.add('requests'),
      } as Parameters<typeof createWasher>[0]);
    } catch (e) {
      throw new ConfigError(`dar-lookup: ${(e as Error).message}`);
    }
    let results: Map<string, WashResult>;
    let stats: ReturnType<typeof washer.stats>;
    try {
      ctx.progress.message(`washing ${texts.length} addresses (${provider})`);
      results = await washer.wash(texts);
    } finally {
      for (const w of washer.warnings()) ctx.report.warn(w);
      stats = washer.stats();
      await washer.close();
    }
    const values = [...results.values()];
    const cached = values.filter((r) => r.cached).length;
    const requests = provider === 'file' ? values.filter((r) => !r.cached && r.reason !== 'empty address').length : stats.requests;
    const failedTexts = values.filter((r) => !r.id).length;
    const { rows, failed } = applyWash(input.rows, suffixes, results);
    ctx.progress.set('requests', requests);
    ctx.progress.set('cached', cached);
    ctx.progress.set('failed', failed.length);
    ctx.report.count('dar_requests', requests);
    ctx.report.count('dar_failed', failed.length);
    if (stats.indexBuildMs !== undefined) ctx.log.debug(`DAR register: ${stats.registerRecords} records, index built in ${stats.indexBuildMs} ms`);

    const lists = failureLists(failed);
    if (lists.size > 0) {
      ctx.report.warn(`${unmatchedText(failed.length, failedTexts)} not matched in DAR (not imported; MO keeps the postal address it has): ${[...lists.keys()].join(', ')}`);
      if (ctx.run.dryRun) {
        for (const [name, text] of lists) ctx.log.info(`${name} (dry run: not written):\n${text.trimEnd()}`);
      } else {
        const dir = path.join(ctx.run.stateDir, 'reports');
        mkdirSync(dir, { recursive: true });
        for (const [name, text] of lists) {
          const tmp = path.join(dir, `.${name}.part`);
          writeFileSync(tmp, text);
          renameSync(tmp, path.join(dir, name));
        }
        // uploaded to the source by commit-state, once the run has succeeded
        const url = opts.source ?? s.require('source');
        const folder = opts.failure_folder ?? 'DARfejlliste';
        for (const [name, text] of lists) if (await deferUpload(ctx, { url, folder, name, text })) ctx.progress.add('deferred');
      }
    }
    return { rows, failed, counts: { addresses, texts: texts.length, requests, cached, failed: failedTexts } };
  },
  summarize: (out) =>
    `${out.counts.addresses} addresses (${out.counts.texts} texts): ${out.counts.requests} looked up, ${out.counts.cached} cached, ${unmatchedText(out.failed.length, out.counts.failed)} unmatched`,
});
