/**
 * The embedded MO emulator of a run as a child process: the importer and "its MO" are two
 * processes, as they are with a real MO, so the emulator's SQLite work runs on another core and
 * its memory is not the importer's. The child (this file, run as a script) serves the emulator on
 * a free loopback port and tells the parent its address over the IPC channel; it stops when told
 * to, or when the parent goes away (the channel closes: also after a SIGKILL of the importer).
 * The client secret travels in the environment, never on the command line (`ps` shows that).
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';

const SECRET_ENV = 'LOS2MO_EMULATOR_CLIENT_SECRET';

export interface EmulatorProcess {
  url: string;
  authServer: string;
  realm: string;
  clientId: string;
  clientSecret: string;
  pid: number;
  /** Stop the emulator (its database closed cleanly) and wait for the process to end. */
  stop(): Promise<{ peakRssKb: number }>;
}

type FromChild =
  | { type: 'ready'; url: string; authServer: string; realm: string; clientId: string }
  | { type: 'error'; message: string }
  | { type: 'stopped'; peakRssKb: number };

export async function startEmulatorProcess(opts: { dbPath: string; cacheMb?: number; darRegister?: string }): Promise<EmulatorProcess> {
  const clientSecret = randomBytes(24).toString('base64url');
  const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url)], {
    // its own process group: a Ctrl-C in the terminal goes to the importer, which stops it in order
    detached: true,
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    env: { ...process.env, [SECRET_ENV]: clientSecret, LOS2MO_EMULATOR_DB: opts.dbPath, LOS2MO_EMULATOR_CACHE_MB: String(opts.cacheMb ?? ''), LOS2MO_EMULATOR_DAR: opts.darRegister ?? '' },
  });
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (s: string) => { stderr = (stderr + s).slice(-4000); });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const next = () => new Promise<FromChild>((resolve, reject) => {
    const onMessage = (m: FromChild) => { cleanup(); resolve(m); };
    const onExit = (code: number | null) => { cleanup(); reject(new Error(`the embedded MO emulator exited (code ${code})${stderr ? `: ${stderr.trim()}` : ''}`)); };
    const cleanup = () => { child.off('message', onMessage); child.off('exit', onExit); };
    child.on('message', onMessage);
    child.on('exit', onExit);
  });
  const first = await next();
  if (first.type !== 'ready') {
    await exited;
    throw new Error(`the embedded MO emulator did not start: ${first.type === 'error' ? first.message : first.type}`);
  }
  // the run may end without stop() (an uncaught error): the child must not keep it alive
  const channel = child.channel as unknown as { ref(): void; unref(): void } | undefined;
  child.unref();
  channel?.unref();
  let stopping: Promise<{ peakRssKb: number }> | undefined;
  return {
    ...first,
    clientSecret,
    pid: child.pid!,
    stop: () => (stopping ??= (async () => {
      if (child.exitCode !== null || !child.connected) { await exited; return { peakRssKb: 0 }; }
      // waiting for the child's answer and exit must keep this process alive
      child.ref();
      channel?.ref();
      const reply = next().catch(() => ({ type: 'stopped', peakRssKb: 0 }) as const);
      child.send('stop');
      const m = await reply;
      await exited;
      return { peakRssKb: m.type === 'stopped' ? m.peakRssKb : 0 };
    })()),
  };
}

// ------------------------------------------------------------------ the child

async function serve() {
  const { startEmulator } = await import('./server.ts');
  const send = (m: FromChild) => process.send!(m);
  let emulator: Awaited<ReturnType<typeof startEmulator>>;
  try {
    const cacheMb = Number(process.env.LOS2MO_EMULATOR_CACHE_MB) || undefined;
    emulator = await startEmulator({ dbPath: process.env.LOS2MO_EMULATOR_DB!, port: 0, clientSecret: process.env[SECRET_ENV], ...(cacheMb ? { cacheMb } : {}), ...(process.env.LOS2MO_EMULATOR_DAR ? { darRegister: process.env.LOS2MO_EMULATOR_DAR } : {}) });
  } catch (e) {
    send({ type: 'error', message: (e as Error).message });
    process.disconnect();
    process.exitCode = 1;
    return;
  }
  delete process.env[SECRET_ENV];
  // the importer decides when its MO stops: signals to the group are its to handle
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => {});
  let stopped = false;
  const stop = async (reply: boolean) => {
    if (stopped) return;
    stopped = true;
    await emulator.stop();
    if (reply && process.connected) send({ type: 'stopped', peakRssKb: process.resourceUsage().maxRSS });
    if (process.connected) process.disconnect();
    process.exit(0);
  };
  process.on('message', (m) => { if (m === 'stop') void stop(true); });
  process.on('disconnect', () => void stop(false));
  send({ type: 'ready', url: emulator.url, authServer: emulator.authServer, realm: emulator.realm, clientId: emulator.clientId });
}

if (process.argv[1] === fileURLToPath(import.meta.url) && process.send) await serve();
