/** Running the real `./run` launcher as a child process, with an isolated state folder. */
import { spawnSync, spawn, type SpawnSyncReturns } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, rmSync, utimesSync } from 'node:fs';
import { stampMillis } from '../../examples/lib/dates.ts';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const RUN = path.join(ROOT, 'run');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Give each LOS file the modification time of the timestamp in its name (STAM files: the earliest
 * one), as the delivery had on the server — a git checkout gives every file the checkout time.
 */
export function setDeliveryTimes(dir: string) {
  const names = readdirSync(dir).filter((n) => n.endsWith('.csv'));
  const stamps = names.map((n) => /_(\d{8}_\d{6})\.csv$/.exec(n)?.[1]).filter((x): x is string => !!x).sort();
  for (const name of names) {
    const stamp = /_(\d{8}_\d{6})\.csv$/.exec(name)?.[1] ?? stamps[0];
    if (!stamp) continue;
    const t = new Date(stampMillis(stamp));
    utimesSync(path.join(dir, name), t, t);
  }
}

/** A temp folder with a copy of the example delivery and an empty state folder. */
export function sandbox(prefix = 'los2mo-test-') {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  const los = path.join(dir, 'los');
  cpSync(path.join(ROOT, 'examples/los'), los, { recursive: true });
  setDeliveryTimes(los);
  return {
    dir,
    los,
    state: path.join(dir, 'state', 'state'),
    env: (extra: Record<string, string> = {}) => ({ LOS_SOURCE: los, LOS_STATE_FILE: path.join(dir, 'state', 'state'), ...extra }),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

const baseEnv = () => {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !/^(LOS_|MO_|CLIENT_|AUTH_|DAR_)/.test(k)) env[k] = v;
  // every CLI run of the tests checks the step contract: no step changes its input (src/engine/validated.ts)
  return { ...env, NO_COLOR: '1', CI: '1', LOS2MO_CHECK_INPUTS: '1' };
};

export function cli(args: string[], env: Record<string, string> = {}, cwd = ROOT): CliResult {
  const r: SpawnSyncReturns<string> = spawnSync(RUN, args, { cwd, env: { ...baseEnv(), ...env }, encoding: 'utf8', timeout: 120_000 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** Start the CLI without waiting (for concurrency and kill tests). */
export function cliAsync(args: string[], env: Record<string, string> = {}, cwd = ROOT) {
  return spawn(RUN, args, { cwd, env: { ...baseEnv(), ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Run a command line under a pseudo-terminal (util-linux `script`), returning what the terminal saw. */
export function underPty(commandLine: string, env: Record<string, string> = {}, cwd = ROOT): CliResult {
  const clean = baseEnv();
  delete (clean as Record<string, string | undefined>).CI;
  const r = spawnSync('script', ['-qec', `stty cols 120 rows 40; ${commandLine}`, '/dev/null'], { cwd, env: { ...clean, TERM: 'xterm-256color', COLUMNS: '120', LINES: '40', ...env }, encoding: 'utf8', timeout: 120_000 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** cli() without blocking this process's event loop (needed when the test itself serves MO). */
export function cliP(args: string[], env: Record<string, string> = {}, cwd = ROOT): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = cliAsync(args, env, cwd);
    let stdout = '', stderr = '';
    child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 180_000);
    child.on('error', reject);
    child.on('close', (code) => { clearTimeout(timer); resolve({ code: code ?? -1, stdout, stderr }); });
  });
}
