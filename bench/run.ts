/**
 * npm run bench — issue 9's figures for the bench delivery (docs/performance.md):
 *   1. parse + merge + plan (a dry run: the parse and merge steps and the upload's pure planning;
 *      the I/O edges — DAR, MO reads — shown apart) vs. bare csv-parse in a fresh process
 *   2. the initial import, 3. the delta run, 4. a rerun with nothing new — each a child process
 *      `./run workflow import.yaml` against the embedded MO emulator (its own child process) in a
 *      fresh temp state folder
 *   5. the requests the earlier importer's pattern would need, and our ratio
 * then the targets with ✔/✘. Results also go to bench/out/results.json.
 *
 * Options: --keep (keep the temp folder), --regenerate (write bench/out/ again),
 *          --profile (run the children with --cpu-prof and print their hot spots),
 *          --only parse (just step 1),
 *          --external-mo (the emulator runs in this process, the importer reaches it by MO_URL,
 *          as it would a real MO)
 */
import { spawn } from 'node:child_process';
import { existsSync, linkSync, mkdirSync, mkdtempSync, readFileSync, rmSync, copyFileSync, statSync, utimesSync, writeFileSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { summarise } from './prof.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const outDir = path.join(root, 'bench', 'out');
const argv = process.argv.slice(2);
const flag = (name: string) => argv.includes(`--${name}`);
const only = argv.includes('--only') ? argv[argv.indexOf('--only') + 1] : undefined;

// ------------------------------------------------------------------ the delivery

interface Manifest {
  seed: string;
  phases: { initial: string[]; delta: string[] };
  counts: Record<string, number>;
}

async function delivery(): Promise<Manifest> {
  const manifestFile = path.join(outDir, 'manifest.json');
  if (!flag('regenerate') && existsSync(manifestFile)) {
    const m = JSON.parse(readFileSync(manifestFile, 'utf8')) as Manifest;
    const files = [...m.phases.initial, ...m.phases.delta].map((f) => path.join(outDir, 'los', f));
    if (files.every((f) => existsSync(f)) && existsSync(path.join(outDir, 'dar', 'adresser.json'))) return m;
  }
  process.stdout.write('generating the bench delivery into bench/out/ …\n');
  const { generateDelivery } = await import('../examples/lib/delivery.ts');
  const r = await generateDelivery({ out: outDir, scale: 'bench' });
  const m: Manifest = { seed: 'default', phases: r.phases, counts: r.counts };
  writeFileSync(manifestFile, JSON.stringify(m, null, 2) + '\n');
  process.stdout.write(`  ${r.files.length} files in ${(r.millis / 1000).toFixed(1)} s\n`);
  return m;
}

/** A folder holding only `names` from bench/out/los (hard links keep the mtimes; copies get them set). */
function folderOf(dir: string, names: string[]): string {
  mkdirSync(dir, { recursive: true });
  for (const name of names) {
    const from = path.join(outDir, 'los', name), to = path.join(dir, name);
    try {
      linkSync(from, to);
    } catch {
      copyFileSync(from, to);
      const { atime, mtime } = statSync(from);
      utimesSync(to, atime, mtime);
    }
  }
  return dir;
}

// ------------------------------------------------------------------ running the importer

interface RunFigures {
  label: string;
  exitCode: number;
  wallMs: number;
  /** CPU time of the importer process (user + system) */
  cpuMs: number;
  peakRssKb: number;
  /** the embedded emulator's process (0 with --external-mo: then it runs in the bench process) */
  emulatorPeakRssKb: number;
  requests: number;
  mutations: number;
  retries: number;
  objectsWritten: number;
  changes: number;
  steps: Record<string, number>;
  /** per step: of its duration, the schema checks of its input and output */
  validation: Record<string, number>;
  /** per step: the parts it timed (upload: references, read, plan, write) */
  phases: Record<string, Record<string, number>>;
  warnings: number;
  failure?: string;
}

function readHwmKb(pid: number): number {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

async function importer(label: string, tmp: string, env: Record<string, string>, args: string[]): Promise<RunFigures> {
  const reportFile = path.join(tmp, `report-${label}.json`);
  const logFile = path.join(tmp, `output-${label}.log`);
  const profDir = path.join(tmp, `prof-${label}`);
  const nodeArgs = flag('profile') ? ['--cpu-prof', `--cpu-prof-dir=${profDir}`] : [];
  const started = performance.now();
  const child = spawn(process.execPath, [...nodeArgs, path.join(root, 'run'), 'workflow', 'import.yaml', '--report', reportFile, ...args], {
    cwd: root,
    env: { ...process.env, CI: 'true', NO_COLOR: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: Buffer[] = [];
  child.stdout.on('data', (b: Buffer) => output.push(b));
  child.stderr.on('data', (b: Buffer) => output.push(b));
  // VmHWM is the peak so far: polling it is the fallback when the report has no peak_rss_kb
  let hwm = 0;
  const poll = setInterval(() => { hwm = Math.max(hwm, readHwmKb(child.pid!)); }, 50);
  const exitCode: number = await new Promise((resolve) => child.on('close', (code) => resolve(code ?? 1)));
  clearInterval(poll);
  const wallMs = performance.now() - started;
  writeFileSync(logFile, Buffer.concat(output));
  if (flag('profile') && existsSync(profDir)) {
    for (const f of readdirSync(profDir).filter((f) => f.endsWith('.cpuprofile')).sort().slice(0, 1)) process.stdout.write(`\n[${label}] ${summarise(path.join(profDir, f), 20)}\n`);
  }
  if (!existsSync(reportFile)) throw new Error(`${label}: the importer wrote no report (exit ${exitCode}); see ${logFile}`);
  const report = JSON.parse(readFileSync(reportFile, 'utf8')) as {
    totals: Record<string, number>;
    steps: { id: string; duration_ms: number; validation_ms?: number; phases_ms?: Record<string, number>; counts: Record<string, number> }[];
    warnings: string[];
    failure?: string;
    mo?: { peak_rss_kb?: number };
  };
  const upload = report.steps.find((s) => s.id === 'upload');
  return {
    label,
    exitCode,
    wallMs,
    cpuMs: report.totals.cpu_ms ?? 0,
    peakRssKb: report.totals.peak_rss_kb ?? hwm,
    emulatorPeakRssKb: report.mo?.peak_rss_kb ?? 0,
    requests: report.totals.http_requests ?? 0,
    mutations: report.totals.mutations ?? 0,
    retries: report.totals.retries ?? 0,
    objectsWritten: upload?.counts.objects ?? 0,
    changes: upload?.counts.changes ?? 0,
    steps: Object.fromEntries(report.steps.map((s) => [s.id, s.duration_ms])),
    validation: Object.fromEntries(report.steps.map((s) => [s.id, s.validation_ms ?? 0])),
    phases: Object.fromEntries(report.steps.map((s) => [s.id, s.phases_ms ?? {}])),
    warnings: report.warnings.length,
    failure: report.failure,
  };
}

// ------------------------------------------------------------------ bare csv-parse

/**
 * The same files parsed by csv-parse alone (sync, arrays, the options of src/los/csv.ts) in a fresh
 * process (bench/bare-csv.ts): the first pass is what an import pays (every run is a fresh
 * process, csv-parse's code not yet optimised); the warm figure is the best of three more passes.
 */
async function bareCsvParse(files: string[]): Promise<{ coldMs: number; warmMs: number; rows: number }> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'bench', 'bare-csv.ts'), ...files], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
  const out: Buffer[] = [];
  child.stdout.on('data', (b: Buffer) => out.push(b));
  const code: number = await new Promise((resolve) => child.on('close', (c) => resolve(c ?? 1)));
  if (code !== 0) throw new Error(`bench/bare-csv.ts failed (exit ${code})`);
  return JSON.parse(Buffer.concat(out).toString()) as { coldMs: number; warmMs: number; rows: number };
}

// ------------------------------------------------------------------ main

/**
 * Parse + merge + plan: the parse and merge steps, and the upload step's pure planning
 * (phases_ms.plan). Not in it, shown apart: the I/O edges — the DAR address washing (the DAR
 * register or service) and the upload's reads from MO (references, timelines).
 */
const PARSE_STEPS = ['classes', 'units', 'merge_units', 'person_rows', 'manager_rows', 'persons'];
const fmtInt = (n: number) => Math.round(n).toLocaleString('en-US');
const fmtS = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const fmtMb = (kb: number) => `${(kb / 1024).toFixed(0)} MB`;

const manifest = await delivery();
const allFiles = [...manifest.phases.initial, ...manifest.phases.delta];
const tmp = mkdtempSync(path.join(os.tmpdir(), 'los2mo-bench-'));
const dar = path.join(outDir, 'dar', 'adresser.json');
const darRecords = manifest.counts['dar.records'] ?? 0;
process.stdout.write(`bench delivery: ${allFiles.length} files (${fmtInt(manifest.counts.units ?? 0)} units, ${fmtInt(manifest.counts.persons ?? 0)} persons, ${fmtInt(manifest.counts.engagements ?? 0)} engagements, ${fmtInt(manifest.counts.managers ?? 0)} managers; DAR ${fmtInt(darRecords)} records); work folder ${tmp}\n`);
process.stdout.write(`node ${process.version}, ${os.cpus().length} cores (${os.cpus()[0]?.model ?? '?'})\n\n`);

const results: Record<string, unknown> = { at: new Date().toISOString(), node: process.version, cores: os.cpus().length, externalMo: flag('external-mo') };
// --external-mo: one emulator per state folder, in this process
const emulators = new Map<string, Awaited<ReturnType<typeof import('../src/mo-emulator/server.ts').startEmulator>>>();
let moEnv: (state: string) => Record<string, string> = () => ({});
if (flag('external-mo')) {
  const { startEmulator } = await import('../src/mo-emulator/server.ts');
  for (const state of ['state-dry', 'state']) {
    mkdirSync(path.join(tmp, state), { recursive: true });
    emulators.set(state, await startEmulator({ dbPath: path.join(tmp, state, 'mo.sqlite'), port: 0 }));
  }
  moEnv = (state) => {
    const mo = emulators.get(state)!;
    return { MO_URL: mo.url, AUTH_SERVER: mo.authServer, CLIENT_ID: mo.clientId, CLIENT_SECRET: mo.clientSecret };
  };
}
try {
  const initialDir = folderOf(path.join(tmp, 'initial'), manifest.phases.initial);
  const allDir = folderOf(path.join(tmp, 'all'), allFiles);
  const losEnv = (dir: string, state: string): Record<string, string> => ({ LOS_SOURCE: dir, LOS_STATE_FILE: path.join(tmp, state, 'state'), DAR_FILE: dar, LOS_METRICS_FILE: 'off', ...moEnv(state) });

  // 1. parse + merge + plan: a dry run over every file against an empty MO
  process.stdout.write('1/5 dry run over all files (parse + merge + plan) …\n');
  const dry = await importer('dry-run', tmp, losEnv(allDir, 'state-dry'), ['--dry-run']);
  if (dry.exitCode !== 0) throw new Error(`the dry run failed (exit ${dry.exitCode}): ${dry.failure ?? ''}`);
  const csvFiles = allFiles.map((f) => path.join(outDir, 'los', f));
  const bare = await bareCsvParse(csvFiles);
  const stepMs = (id: string) => dry.steps[id] ?? 0;
  const uploadPhases = dry.phases.upload ?? {};
  const planMs = uploadPhases.plan ?? stepMs('upload');
  const pmp = PARSE_STEPS.reduce((s, id) => s + stepMs(id), 0) + planMs;
  results.parse = { steps: dry.steps, uploadPhases, parseMergePlanMs: pmp, darMs: stepMs('dar'), bareCsvParseMs: bare.coldMs, bareCsvParseWarmMs: bare.warmMs, rows: bare.rows, dryRunPeakRssKb: dry.peakRssKb };

  let initial: RunFigures | undefined, delta: RunFigures | undefined, rerun: RunFigures | undefined;
  if (only !== 'parse') {
    process.stdout.write('2/5 initial import …\n');
    initial = await importer('initial', tmp, losEnv(initialDir, 'state'), []);
    process.stdout.write('3/5 delta run …\n');
    delta = await importer('delta', tmp, losEnv(allDir, 'state'), ['--import-from-date', '2024-01-02']);
    process.stdout.write('4/5 rerun with nothing new …\n');
    rerun = await importer('rerun', tmp, losEnv(allDir, 'state'), ['--import-from-date', '2000-01-01']);
    for (const r of [initial, delta, rerun]) if (r.exitCode !== 0) throw new Error(`the ${r.label} run failed (exit ${r.exitCode}): ${r.failure ?? ''} (log: ${path.join(tmp, `output-${r.label}.log`)})`);
    results.runs = { initial, delta, rerun };
  }

  // ---------------------------------------------------------------- the table
  const lines: string[] = [];
  const row = (a: string, b: string, c = '') => lines.push(`  ${a.padEnd(44)} ${b.padStart(14)}  ${c}`);
  lines.push('', '1. parse + merge + plan (dry run over all files, empty MO)');
  for (const id of PARSE_STEPS) row(`   step ${id}`, fmtS(stepMs(id)), `(schema checks ${fmtS(dry.validation[id] ?? 0)})`);
  row('   step upload: plan', fmtS(planMs), uploadPhases.plan === undefined ? '(the whole step: it reports no phases)' : '');
  row('parse + merge + plan', fmtS(pmp));
  row('bare csv-parse, same files, fresh process', fmtS(bare.coldMs), `${fmtInt(bare.rows)} rows (warm: ${fmtS(bare.warmMs)})`);
  row('ratio', `${(pmp / bare.coldMs).toFixed(2)}×`, `(${(pmp / bare.warmMs).toFixed(2)}× the warm figure)`);
  lines.push('   not in it, the I/O edges:');
  row('   step dar (DAR register, 200k records)', fmtS(stepMs('dar')));
  for (const [phase, ms] of Object.entries(uploadPhases)) if (phase !== 'plan') row(`   step upload: ${phase}`, fmtS(ms));
  row('   steps seed, fetch', fmtS(stepMs('seed') + stepMs('fetch')));
  row('dry run: wall time, peak RSS', `${fmtS(dry.wallMs)}`, `${fmtMb(dry.peakRssKb)} (CPU ${fmtS(dry.cpuMs)})`);

  let earlier = 0, ours = 0;
  if (initial && delta && rerun) {
    for (const [n, r] of [[2, initial], [3, delta]] as const) {
      lines.push('', `${n}. ${r.label === 'initial' ? 'initial import (initial phase files)' : 'delta run (the delta files, --import-from-date 2024-01-02)'}`);
      row('wall time', fmtS(r.wallMs), `(CPU ${fmtS(r.cpuMs)}; upload step ${fmtS(r.steps.upload ?? 0)})`);
      row('HTTP requests', fmtInt(r.requests), r.retries ? `${r.retries} retries` : '');
      row('mutations', fmtInt(r.mutations), `${fmtInt(r.objectsWritten)} objects written`);
      row('mutations per request', (r.mutations / Math.max(1, r.requests)).toFixed(1));
      row('peak RSS of the importer', fmtMb(r.peakRssKb), r.emulatorPeakRssKb ? `(its MO emulator process: ${fmtMb(r.emulatorPeakRssKb)})` : '');
    }
    lines.push('', '4. rerun with nothing new (--import-from-date 2000-01-01, all files)');
    row('wall time', fmtS(rerun.wallMs), `(CPU ${fmtS(rerun.cpuMs)})`);
    row('mutations', fmtInt(rerun.mutations));
    row('HTTP requests', fmtInt(rerun.requests));
    row('peak RSS', fmtMb(rerun.peakRssKb));
    const retRows = allFiles.filter((f) => /_ret_/.test(f)).reduce((s, f) => s + (manifest.counts[f] ?? 0), 0);
    earlier = initial.objectsWritten + delta.objectsWritten + retRows;
    ours = initial.requests + delta.requests;
    lines.push('', '5. the earlier importer\'s pattern (one request per object written in 2 and 3, every _ret row re-sent)');
    row('requests it would need', fmtInt(earlier), `${fmtInt(initial.objectsWritten)} + ${fmtInt(delta.objectsWritten)} objects + ${fmtInt(retRows)} _ret rows`);
    row('our requests (2 + 3)', fmtInt(ours));
    row('ratio', `${(earlier / Math.max(1, ours)).toFixed(1)}× fewer`);
    results.earlier = { requests: earlier, ours, retRows };
  }

  const peak = Math.max(dry.peakRssKb, initial?.peakRssKb ?? 0, delta?.peakRssKb ?? 0, rerun?.peakRssKb ?? 0);
  const target = (ok: boolean, text: string, got: string) => lines.push(`  ${ok ? '✔' : '✘'} ${text.padEnd(48)} ${got}`);
  lines.push('', 'targets (2 cores)');
  target(pmp <= 2000, 'parse + merge + plan ≤ 2 s', fmtS(pmp));
  target(pmp <= 2 * bare.coldMs, 'parse + merge + plan ≤ 2× bare csv-parse', `${(pmp / bare.coldMs).toFixed(2)}× (${(pmp / bare.warmMs).toFixed(2)}× warm)`);
  if (initial && rerun) {
    const mpr = initial.mutations / Math.max(1, initial.requests);
    target(mpr >= 50, '≥ 50 mutations per request (initial import)', mpr.toFixed(1));
    target(rerun.mutations === 0, 'rerun with nothing new: 0 mutations', fmtInt(rerun.mutations));
    target(peak <= 400 * 1024, 'peak RSS ≤ 400 MB', fmtMb(peak));
    target(earlier / ours >= 20, '≥ 20× fewer requests than the earlier pattern', `${(earlier / Math.max(1, ours)).toFixed(1)}×`);
  } else target(peak <= 400 * 1024, 'peak RSS ≤ 400 MB (dry run only)', fmtMb(peak));
  process.stdout.write(lines.join('\n') + '\n');
  writeFileSync(path.join(outDir, 'results.json'), JSON.stringify(results, null, 2) + '\n');
  process.stdout.write(`\nresults: bench/out/results.json${flag('keep') ? `; reports and logs in ${tmp}` : ''}\n`);
} finally {
  for (const mo of emulators.values()) await mo.stop();
  if (!flag('keep')) rmSync(tmp, { recursive: true, force: true });
}
