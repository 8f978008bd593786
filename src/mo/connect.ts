/**
 * The run's MO: a real MO when `mo_url` is set, otherwise the embedded emulator started
 * in-process on a free loopback port with its database in the state folder. Either way the
 * importer talks to it over HTTP through the same client.
 */
import path from 'node:path';
import type { StepContext } from '../engine/step.ts';
import { MoClient, moClientOptionsFromSettings } from './client.ts';

export interface RunMo {
  client: MoClient;
  embedded?: { url: string; dbPath: string };
}

/** SQLite page cache of the embedded emulator (MiB); docs/performance.md has the measurement. */
export const EMBEDDED_CACHE_MB = 32;

export function connectMo(ctx: StepContext): Promise<RunMo> {
  return ctx.shared<RunMo & { stop?: () => Promise<void> }>(
    'mo',
    async () => {
      const onEvent = (e: Parameters<NonNullable<ConstructorParameters<typeof MoClient>[0]['onEvent']>>[0]) => {
        if (e.type === 'request') ctx.report.count('http_requests');
        else if (e.type === 'retry') { ctx.report.count('retries'); ctx.log.debug(`MO retry ${e.attempt}: ${e.reason}`); }
        else if (e.type === 'token') ctx.report.count('tokens');
      };
      if (ctx.settings.has('mo_url')) {
        const client = new MoClient(moClientOptionsFromSettings(ctx.settings, { onEvent }));
        ctx.report.mo = { url: client.endpoint, embedded: false };
        return { client };
      }
      const { startEmulator } = await import('../mo-emulator/server.ts');
      const dbPath = path.join(ctx.run.stateDir, 'mo.sqlite');
      // it shares the importer's process: a smaller page cache than the standalone emulator's 128 MiB
      const mo = await startEmulator({ dbPath, port: 0, cacheMb: EMBEDDED_CACHE_MB });
      const client = new MoClient(moClientOptionsFromSettings(ctx.settings, { url: mo.url, authServer: mo.authServer, realm: mo.realm, clientId: mo.clientId, clientSecret: mo.clientSecret, onEvent }));
      ctx.log.debug(`embedded MO at ${mo.url}, database ${dbPath}`);
      ctx.report.mo = { url: mo.url, embedded: true, database: dbPath };
      return { client, embedded: { url: mo.url, dbPath }, stop: () => mo.stop() };
    },
    async (mo) => { await mo.stop?.(); },
  );
}
