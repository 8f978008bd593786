/**
 * The run's MO: a real MO when `mo_url` is set, otherwise the embedded emulator, started for the
 * run as a child process (src/mo-emulator/process.ts) on a free loopback port with its database
 * in the state folder, and stopped with it. Either way the importer talks to it over HTTP through
 * the same client. Before anything is sent, the preflight checks that MO's schema takes every
 * document los2mo sends and that the token has the roles they need (src/mo/preflight.ts).
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { StepContext } from './engine/step.ts';
import { MoClient, moClientOptionsFromSettings } from './mo/client.ts';
import { requirePreflight } from './mo/preflight.ts';

/** The preflight (src/mo/preflight.ts) before anything is read or written: exit 2 naming every mismatch. */
async function checked(ctx: StepContext, client: MoClient): Promise<void> {
  const report = await requirePreflight(client);
  ctx.log.debug(`MO preflight: ${report.documents} documents valid against ${report.sdlUrl}; the token has the ${report.roles.length} roles they need`);
}

export interface RunMo {
  client: MoClient;
  embedded?: { url: string; dbPath: string; pid: number };
}

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
        await checked(ctx, client);
        return { client };
      }
      const { startEmulatorProcess } = await import('./mo-emulator/process.ts');
      const statePath = path.join(ctx.run.stateDir, 'mo.sqlite');
      // a dry run creates nothing in the state folder: with no database yet it reads an empty one in
      // the run's work folder (removed with it)
      const temporary = ctx.run.dryRun && !existsSync(statePath);
      const dbPath = temporary ? path.join(ctx.run.workDir, 'mo.sqlite') : statePath;
      // the embedded MO looks DAR ids up in the register the run washes against (file provider)
      const darRegister = ctx.settings.get('dar_provider') === 'file' ? ctx.settings.get('dar_file') : undefined;
      const mo = await startEmulatorProcess({ dbPath, ...(darRegister ? { darRegister: path.resolve(darRegister) } : {}) });
      const client = new MoClient(moClientOptionsFromSettings(ctx.settings, { url: mo.url, authServer: mo.authServer, realm: mo.realm, clientId: mo.clientId, clientSecret: mo.clientSecret, onEvent }));
      ctx.log.debug(`embedded MO at ${mo.url} (process ${mo.pid}), database ${dbPath}`);
      const report = (ctx.report.mo = { url: mo.url, embedded: true, database: temporary ? null : dbPath } as NonNullable<typeof ctx.report.mo>);
      try {
        await checked(ctx, client);
      } catch (e) {
        await mo.stop();
        throw e;
      }
      return {
        client,
        embedded: { url: mo.url, dbPath, pid: mo.pid },
        stop: async () => { report.peak_rss_kb = (await mo.stop()).peakRssKb; },
      };
    },
    async (mo) => { await mo.stop?.(); },
  );
}
