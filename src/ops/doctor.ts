/**
 * `./run doctor`: the MO preflight on demand (src/mo/preflight.ts) — MO's SDL takes every document
 * los2mo sends, and the token has every realm role they need. Against `mo_url`, or the embedded
 * emulator (on a throw-away database) when no mo_url is set. Exit 0 when all is well, 2 naming
 * each problem.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { EXIT } from '../errors.ts';
import { MoClient, moClientOptionsFromSettings } from '../mo/client.ts';
import { preflight, type PreflightReport } from '../mo/preflight.ts';
import type { Settings } from '../settings.ts';

export async function runDoctor(settings: Settings): Promise<{ report: PreflightReport; target: string }> {
  if (settings.has('mo_url')) {
    const client = new MoClient(moClientOptionsFromSettings(settings, { retries: 2 }));
    try {
      return { report: await preflight(client), target: `MO ${client.endpoint}` };
    } finally {
      client.transport.close();
    }
  }
  const dir = mkdtempSync(path.join(tmpdir(), 'los2mo-doctor-'));
  const { startEmulator } = await import('../mo-emulator/server.ts');
  const emu = await startEmulator({ dbPath: path.join(dir, 'mo.sqlite'), port: 0 });
  const client = new MoClient(moClientOptionsFromSettings(settings, { url: emu.url, authServer: emu.authServer, realm: emu.realm, clientId: emu.clientId, clientSecret: emu.clientSecret, retries: 1 }));
  try {
    return { report: await preflight(client), target: `the embedded MO emulator (${client.endpoint})` };
  } finally {
    client.transport.close();
    await emu.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

export function formatDoctor({ report, target }: { report: PreflightReport; target: string }): string {
  const lines = [`los2mo doctor: ${target}`, `  SDL       ${report.sdlUrl}`, `  documents ${report.documents} GraphQL documents los2mo sends`];
  lines.push(`  roles     ${report.roles.length} realm roles needed: ${report.roles.map((r) => r.role).join(', ')}`);
  if (report.granted) lines.push(`  token     ${report.granted.length} realm roles granted`);
  if (report.problems.length === 0) lines.push('OK: MO takes every document and the token has every role they need');
  else lines.push(`FAILED: ${report.problems.length} problem(s):`, ...report.problems.map((p) => `  ${p}`));
  return lines.join('\n') + '\n';
}

export const doctorExitCode = (report: PreflightReport) => (report.problems.length ? EXIT.usage : EXIT.ok);
