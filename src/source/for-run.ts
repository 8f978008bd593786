/** The run's source connection, opened once from the settings and shared by fetch and dar-lookup. */
import type { StepContext } from '../engine/step.ts';
import { openSource, type Source } from './source.ts';

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
        onWarning: (m) => ctx.log.warn(m),
      }),
    (source) => source.close(),
  );
}
