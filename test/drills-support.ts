/**
 * Support for the failure drills (test/drills*.test.ts): MO emulators that all start from the
 * same empty database (so even the root organisation's uuid is the same and two dumps can be
 * compared with nothing excluded), a full dump of MO's state, and the CLI run with a report.
 */
import Database from 'better-sqlite3';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startEmulator, type EmulatorOptions, type RunningEmulator } from '../src/mo-emulator/server.ts';
import { cliP, sandbox } from './helpers/cli.ts';

export const SECRET = 'drill-client-secret-9f3a7c';

let template: string | undefined;

/** An empty emulator database, made once per test process and copied for every MO. */
async function templateDb(): Promise<string> {
  if (template) return template;
  const dir = mkdtempSync(path.join(tmpdir(), 'drill-mo-template-'));
  const file = path.join(dir, 'mo.sqlite');
  const emu = await startEmulator({ dbPath: file, port: 0, clientSecret: SECRET });
  await emu.stop();
  for (const ext of ['-wal', '-shm']) if (existsSync(file + ext) && statSync(file + ext).size > 0) throw new Error(`template ${file}${ext} not checkpointed`);
  template = file;
  process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  return file;
}

export interface DrillMo {
  emu: RunningEmulator;
  dbPath: string;
  /** MO's whole state: every object of every kind with its full validity history, sorted. */
  dump(): MoDump;
  /** Stop and start again on the same port and database. */
  restart(): Promise<void>;
  /** A consistent copy of the database as it is now (a file in `dir`), to start other MOs from. */
  snapshot(file: string): string;
  /** How many objects MO holds (of one kind). */
  count(kind?: string): number;
  stop(): Promise<void>;
}

/** A new MO: empty, or a copy of `from` (a `snapshot()` of another one). */
export async function startDrillMo(options: Partial<EmulatorOptions> = {}, from?: string): Promise<DrillMo> {
  const dir = mkdtempSync(path.join(tmpdir(), 'drill-mo-'));
  const dbPath = path.join(dir, 'mo.sqlite');
  copyFileSync(from ?? (await templateDb()), dbPath);
  let emu = await startEmulator({ port: 0, clientSecret: SECRET, ...options, dbPath });
  return {
    get emu() {
      return emu;
    },
    dbPath,
    async restart() {
      // same port, same database; open connections are cut and issued tokens are forgotten (as when MO restarts)
      const port = Number(new URL(emu.url).port);
      await emu.stop();
      emu = await startEmulator({ clientSecret: SECRET, ...options, dbPath, port });
    },
    dump: () => dumpMo(dbPath),
    snapshot: (file) => {
      const db = new Database(dbPath, { readonly: true, fileMustExist: true });
      try {
        db.prepare('VACUUM INTO ?').run(file);
      } finally {
        db.close();
      }
      return file;
    },
    count: (kind) => {
      const db = new Database(dbPath, { readonly: true, fileMustExist: true });
      try {
        const row = (kind ? db.prepare('SELECT count(*) AS n FROM objects WHERE kind = ?').get(kind) : db.prepare('SELECT count(*) AS n FROM objects').get()) as { n: number };
        return row.n;
      } finally {
        db.close();
      }
    },
    async stop() {
      await emu.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface MoDump {
  meta: Record<string, unknown>;
  /** `kind uuid` → { periods (every validity with its values), snapshot (the last values written) } */
  objects: Record<string, { periods: unknown; snapshot: unknown }>;
}

/** Read the emulator's SQLite file (a second, read-only connection; WAL readers see every commit). */
export function dumpMo(dbPath: string): MoDump {
  const db = new Database(dbPath, { readonly: true, fileMustExist: true });
  try {
    const meta = Object.fromEntries(
      db.prepare<[], { key: string; value: string }>('SELECT key, value FROM meta ORDER BY key').all().map((r) => {
        try { return [r.key, JSON.parse(r.value)]; } catch { return [r.key, r.value]; }
      }),
    );
    const objects: MoDump['objects'] = {};
    for (const r of db.prepare<[], { kind: string; uuid: string; periods: string; snapshot: string }>('SELECT kind, uuid, periods, snapshot FROM objects ORDER BY kind, uuid').all()) {
      objects[`${r.kind} ${r.uuid}`] = { periods: JSON.parse(r.periods), snapshot: JSON.parse(r.snapshot) };
    }
    return { meta, objects };
  } finally {
    db.close();
  }
}

export const countByKind = (d: MoDump) => {
  const out: Record<string, number> = {};
  for (const key of Object.keys(d.objects)) { const kind = key.split(' ')[0]!; out[kind] = (out[kind] ?? 0) + 1; }
  return out;
};

/** '' when equal, otherwise the first differences, readable. */
export function diffDumps(a: MoDump, b: MoDump, max = 8): string {
  const out: string[] = [];
  if (JSON.stringify(a.meta) !== JSON.stringify(b.meta)) out.push(`meta: ${JSON.stringify(a.meta)} ≠ ${JSON.stringify(b.meta)}`);
  const keys = [...new Set([...Object.keys(a.objects), ...Object.keys(b.objects)])].sort();
  for (const k of keys) {
    if (out.length >= max) { out.push('…'); break; }
    const x = a.objects[k], y = b.objects[k];
    if (!x) out.push(`only in the second: ${k}`);
    else if (!y) out.push(`only in the first: ${k}`);
    else if (JSON.stringify(x) !== JSON.stringify(y)) out.push(`${k}:\n    ${JSON.stringify(x).slice(0, 600)}\n  ≠ ${JSON.stringify(y).slice(0, 600)}`);
  }
  return out.join('\n  ');
}

export type Box = ReturnType<typeof sandbox>;

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
  /** the --report file, parsed (null if not written) */
  report: any;
  reportText: string;
}

let reports = 0;

/** `./run workflow import.yaml --report …` against `mo` in `box`, without blocking this process (it serves MO). */
export async function runImport(box: Box, mo: DrillMo | null, args: string[] = [], extraEnv: Record<string, string> = {}): Promise<RunResult> {
  const report = path.join(box.dir, `report-${++reports}.json`);
  const env = box.env({ ...(mo ? { MO_URL: mo.emu.url, CLIENT_SECRET: SECRET } : {}), ...extraEnv });
  const r = await cliP(['workflow', 'import.yaml', '--report', report, ...args], env);
  const reportText = existsSync(report) ? readFileSync(report, 'utf8') : '';
  return { ...r, report: reportText ? JSON.parse(reportText) : null, reportText };
}

export const show = (r: { code: number; stdout: string; stderr: string }) => `exit ${r.code}\n--- stdout\n${r.stdout.slice(-3000)}\n--- stderr\n${r.stderr.slice(-3000)}`;

/** Every file under a folder (recursively) with its bytes. */
export function filesUnder(dir: string): { file: string; data: Buffer }[] {
  if (!existsSync(dir)) return [];
  const out: { file: string; data: Buffer }[] = [];
  for (const name of readdirSync(dir)) {
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) out.push(...filesUnder(p));
    else out.push({ file: p, data: readFileSync(p) });
  }
  return out;
}

/** The state file's bytes, or null when there is none. */
export const stateOf = (box: Box): string | null => (existsSync(box.state) ? readFileSync(box.state, 'utf8') : null);

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export { sandbox };

let baseline: Promise<MoDump> | undefined;

/** MO after a fault-free import of the example delivery into an empty MO (once per test process). */
export function faultFreeDump(): Promise<MoDump> {
  baseline ??= (async () => {
    const mo = await startDrillMo();
    const box = sandbox('drill-baseline-');
    try {
      const r = await runImport(box, mo);
      if (r.code !== 0) throw new Error(`the fault-free import failed: ${show(r)}`);
      return mo.dump();
    } finally {
      await mo.stop();
      box.cleanup();
    }
  })();
  return baseline;
}

/** Poll until `cond()` holds (or throw after `ms`). */
export async function waitFor(cond: () => boolean, ms: number, what: string, every = 25): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await sleep(every);
  }
}

/** The journal's entries (empty when there is none). */
export function journalOf(box: Box): any[] {
  const file = path.join(path.dirname(box.state), 'journal.jsonl');
  return existsSync(file) ? readFileSync(file, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l)) : [];
}
