/**
 * The run's source connection, opened once from the settings and shared by the steps, and the
 * files to upload to it once the run has succeeded (the DAR failure lists: dar-lookup defers
 * them, commit-state uploads them after the state is written — a run that fails later uploads
 * nothing).
 */
import type { StepContext } from '../engine/step.ts';
import { openSource, parseSourceUrl, type Source } from './source.ts';

export function openRunSource(ctx: StepContext, url = ctx.settings.require('source')): Promise<Source> {
  const s = ctx.settings;
  return ctx.shared(
    `source:${url}`,
    () =>
      openSource({
        url,
        folder: s.get('ftp_folder'),
        user: s.get('ftp_user'),
        password: s.get('ftp_pass'),
        privateKey: s.get('ftp_private_key'),
        passphrase: s.get('ftp_passphrase'),
        hostKeyFingerprint: s.get('host_key_fingerprint'),
        tlsFingerprint: s.get('tls_fingerprint'),
        caFile: s.get('ca_file'),
        knownHostsFile: s.get('known_hosts'),
        serverTimezone: s.get('server_timezone'),
        timeoutMs: s.has('source_timeout_ms') ? s.int('source_timeout_ms') : undefined,
        onWarning: (m) => ctx.log.warn(m),
        onRetry: (m) => {
          ctx.log.warn(m);
          ctx.report.count('transfer_retries');
        },
      }),
    (source) => source.close(),
  );
}

export interface PendingUpload {
  /** the source URL (as the step was given it) */
  url: string;
  folder: string;
  name: string;
  text: string;
}

const pending = (ctx: StepContext) => ctx.shared('deferred-uploads', async () => [] as PendingUpload[]);

/** Remembers a file for the source, uploaded by `uploadDeferred` when the run has succeeded. Folder sources get nothing. */
export async function deferUpload(ctx: StepContext, upload: PendingUpload): Promise<boolean> {
  if (parseSourceUrl({ url: upload.url, folder: ctx.settings.get('ftp_folder') }).kind === 'folder') return false;
  (await pending(ctx)).push(upload);
  return true;
}

/**
 * Uploads the deferred files (best effort: a failure is a warning). Returns how many were
 * written. Warnings of the source during the uploads (e.g. the clock check) go to the report.
 */
export async function uploadDeferred(ctx: StepContext): Promise<number> {
  const list = (await pending(ctx)).splice(0);
  let uploaded = 0;
  const byUrl = new Map<string, PendingUpload[]>();
  for (const u of list) byUrl.set(u.url, [...(byUrl.get(u.url) ?? []), u]);
  for (const [url, uploads] of byUrl) {
    let source: Source;
    try {
      source = await openRunSource(ctx, url);
    } catch (e) {
      ctx.report.warn(`could not upload ${uploads.map((u) => u.name).join(', ')}: ${(e as Error).message}`);
      continue;
    }
    const seen = source.warnings?.length ?? 0;
    for (const u of uploads) {
      try {
        await source.upload(u.folder, u.name, u.text);
        uploaded++;
      } catch (e) {
        ctx.report.warn(`could not upload ${u.name} to ${u.folder}: ${(e as Error).message}`);
      }
    }
    for (const w of (source.warnings ?? []).slice(seen)) ctx.report.warn(w);
  }
  return uploaded;
}
