/**
 * `./run status [--json]`: what an operator needs on one screen — the last runs from the journal
 * (start, duration, outcome, files, rows, changes, DAR failures, warnings, errors), interrupted
 * runs, the lock, the state file's timestamp, and the files waiting on the source (modified after
 * the state). Reads only; never takes the lock, never writes. Exit 0 (2 for bad options/settings).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileKind } from '../los/files.ts';
import { redact } from '../log.ts';
import type { Settings } from '../settings.ts';
import { openSource, type Source } from '../source/source.ts';
import { readJournal, runsFromJournal, type JournalEnd, type JournalRecovered, type JournalStart } from '../state/journal.ts';
import { isStale, lockPath, readLock, type LockInfo } from '../state/lock.ts';
import { readState } from '../state/state-file.ts';
import { isoWithOffset } from '../time.ts';
import { ago, duration, localTime } from './common.ts';
import { metricsFile, OUTCOMES, ROW_TOTALS } from './metrics.ts';

export interface StatusRun {
  run_id: string;
  workflow: string;
  started_at: string;
  finished_at: string | null;
  duration_ms: number | null;
  /** success, failed, invalid-input, interrupted (from the journal) or running (lock held by it) */
  outcome: string;
  exit_code: number | null;
  pid: number;
  host: string;
  files: string[];
  rows: number;
  /** operations written per kind and operation */
  operations: Record<string, Record<string, number>>;
  changes: number;
  totals: Record<string, number>;
  dar_failures: number;
  warnings: number;
  errors: number;
  failure: string | null;
  state_written: string | null;
  /** interrupted runs: the later run that reported (and re-applied) it */
  recovered_by: string | null;
}

export interface Status {
  state_dir: string;
  state_file: { path: string; timestamp: string | null; error?: string };
  lock: (LockInfo & { path: string; stale: boolean }) | null;
  source: { display: string; waiting: { name: string; size: number; mtime: string }[]; listed: number; error?: string } | null;
  /** newest first, at most `limit` */
  runs: StatusRun[];
  runs_in_journal: number;
  /** interrupted runs no later run has reported yet */
  interrupted: StatusRun[];
  metrics_file: string | null;
  /** the metrics file's last run when it is newer than the journal's (a run that failed before starting: settings, lock …) */
  last_attempt: { started_at: string; outcome: string; exit_code: number } | null;
  checked_at: string;
}

export interface StatusOptions {
  /** runs to show, default 10 */
  limit?: number;
  /** don't list the source */
  offline?: boolean;
  /** source timeout, default 15000 ms */
  timeoutMs?: number;
}

function toRun(start: JournalStart, end: JournalEnd | undefined, state: 'interrupted' | 'running' | null, recoveredBy: string | undefined): StatusRun {
  const totals = end?.totals ?? {};
  const ops = end?.operations ?? {};
  return {
    run_id: start.run_id,
    workflow: start.workflow,
    started_at: start.started_at,
    finished_at: end?.finished_at ?? null,
    duration_ms: end?.duration_ms ?? null,
    outcome: end ? end.outcome : state ?? 'interrupted',
    exit_code: end ? end.exit_code : null,
    pid: start.pid,
    host: start.host,
    files: (end?.files ?? []).map((f) => f.name),
    // every row read (journals before stam_rows existed: `rows` held the STAM rows only)
    rows: totals.stam_rows === undefined ? ['rows', ...Object.keys(ROW_TOTALS)].reduce((sum, k) => sum + (totals[k] ?? 0), 0) : totals.rows ?? 0,
    operations: ops,
    changes: Object.values(ops).reduce((sum, o) => sum + Object.values(o).reduce((a, b) => a + b, 0), 0),
    totals,
    dar_failures: totals.dar_failed ?? 0,
    warnings: end?.warnings ?? 0,
    errors: end?.errors ?? 0,
    failure: end?.failure ?? null,
    state_written: end?.state_written ?? null,
    recovered_by: recoveredBy ?? null,
  };
}

/** The metrics file's last run (start seconds, outcome, exit code), if it can be read. */
function readMetricsRun(file: string | null): { start: number; outcome: string; exit_code: number } | null {
  if (!file) return null;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return null;
  }
  const value = (re: RegExp) => {
    const m = re.exec(text);
    return m ? Number(m[1]) : NaN;
  };
  const start = value(/^los2mo_last_run_start_timestamp_seconds (\S+)$/m);
  const exit = value(/^los2mo_last_run_exit_code (\S+)$/m);
  const outcome = OUTCOMES.find((o) => new RegExp(`^los2mo_last_run_outcome\\{outcome="${o}"\\} 1$`, 'm').test(text)) ?? 'unknown';
  return Number.isFinite(start) && Number.isFinite(exit) ? { start, outcome, exit_code: exit } : null;
}

export function sourceOptions(settings: Settings, timeoutMs: number) {
  return {
    url: settings.require('source'),
    folder: settings.get('ftp_folder'),
    user: settings.get('ftp_user'),
    password: settings.get('ftp_pass'),
    privateKey: settings.get('ftp_private_key'),
    passphrase: settings.get('ftp_passphrase'),
    hostKeyFingerprint: settings.get('host_key_fingerprint'),
    tlsFingerprint: settings.get('tls_fingerprint'),
    caFile: settings.get('ca_file'),
    timeoutMs,
    retries: 1,
  };
}

export async function collectStatus(settings: Settings, options: StatusOptions = {}): Promise<Status> {
  const stateDir = settings.stateDir;
  const stateFile = path.resolve(settings.require('state_file'));
  const status: Status = {
    state_dir: stateDir,
    state_file: { path: stateFile, timestamp: null },
    lock: null,
    source: null,
    runs: [],
    runs_in_journal: 0,
    interrupted: [],
    metrics_file: null,
    last_attempt: null,
    checked_at: isoWithOffset(new Date()),
  };
  let stateTime: Date | null = null;
  try {
    stateTime = readState(stateFile);
    status.state_file.timestamp = stateTime ? isoWithOffset(stateTime) : null;
  } catch (e) {
    status.state_file.error = (e as Error).message;
  }

  const lock = readLock(stateDir);
  if (lock) status.lock = { ...lock, path: lockPath(stateDir), stale: isStale(lock) };

  const entries = readJournal(stateDir);
  const recovered = new Map(entries.filter((e): e is JournalRecovered => e.type === 'recovered').map((e) => [e.run_id, e.noticed_by]));
  const runs = runsFromJournal(entries).map((r) => {
    const running = r.interrupted && status.lock && !status.lock.stale && status.lock.run_id === r.start.run_id;
    return toRun(r.start, r.end, r.end ? null : running ? 'running' : 'interrupted', recovered.get(r.start.run_id));
  });
  status.runs_in_journal = runs.length;
  status.runs = runs.slice(-(options.limit ?? 10)).reverse();
  status.interrupted = runs.filter((r) => r.outcome === 'interrupted' && !r.recovered_by).reverse();

  try {
    status.metrics_file = metricsFile(settings);
  } catch {
    status.metrics_file = null;
  }
  const last = readMetricsRun(status.metrics_file);
  const newest = runs.at(-1);
  if (last && (!newest || last.start * 1000 > new Date(newest.started_at).getTime() + 1000)) {
    status.last_attempt = { started_at: isoWithOffset(new Date(last.start * 1000)), outcome: last.outcome, exit_code: last.exit_code };
  }

  if (!options.offline) {
    let source: Source | undefined;
    let display = redact(settings.get('source') ?? '(no source)');
    try {
      source = await openSource(sourceOptions(settings, options.timeoutMs ?? 15_000));
      display = source.display;
      const listing = await source.list();
      const los = listing.filter((f) => fileKind(f.name) !== null);
      status.source = {
        display,
        listed: listing.length,
        waiting: los.filter((f) => !stateTime || f.mtime.getTime() > stateTime.getTime()).map((f) => ({ name: f.name, size: f.size, mtime: isoWithOffset(f.mtime) })),
      };
    } catch (e) {
      status.source = { display, listed: 0, waiting: [], error: redact((e as Error).message) };
    } finally {
      await source?.close().catch(() => undefined);
    }
  }
  return status;
}

const pad = (s: string | number, n: number) => String(s).padEnd(n);
const lpad = (s: string | number, n: number) => String(s).padStart(n);
const firstLine = (s: string, max = 110) => {
  // "3 invalid values in the input files:\nFILE:LINE:…" → both on one line
  const [head, next] = s.split('\n');
  const line = head!.endsWith(':') && next ? `${head} ${next.trim()}` : head!;
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
};
const list = (names: string[], max = 4) => `${names.slice(0, max).join(', ')}${names.length > max ? `, … (${names.length - max} more)` : ''}`;

export function formatStatus(s: Status, now = new Date()): string {
  const lines: string[] = [];
  lines.push(`los2mo status — state folder ${s.state_dir}`);
  const st = s.state_file;
  lines.push(
    `  state file   ${st.error ? `UNREADABLE: ${st.error}` : st.timestamp ? `${st.timestamp} (start of the last successful import, ${ago(st.timestamp, now)})` : `none yet (${st.path}): the next run takes every file`}`,
  );
  const l = s.lock;
  lines.push(
    `  lock         ${!l ? 'free' : l.stale ? `STALE: run ${l.run_id} (pid ${l.pid} on ${l.host}, since ${localTime(l.started_at)}) is gone; the next run clears it` : `held by run ${l.run_id} (pid ${l.pid} on ${l.host}, since ${localTime(l.started_at)}, ${ago(l.started_at, now)}): a run is in progress`}`,
  );
  if (s.source) {
    const src = s.source;
    lines.push(
      `  source       ${src.display}: ${src.error ? `could not list: ${src.error}` : src.waiting.length ? `${src.waiting.length} file${src.waiting.length === 1 ? '' : 's'} waiting (modified after the state): ${list(src.waiting.map((f) => f.name))}` : 'no new files'}`,
    );
  } else lines.push('  source       not checked (--offline)');
  lines.push(`  metrics      ${s.metrics_file ?? 'off'}`);
  for (const r of s.interrupted) {
    lines.push(`  INTERRUPTED  run ${r.run_id} started ${localTime(r.started_at)} (pid ${r.pid} on ${r.host}) has no end: nothing of it was committed; the next run reports it and applies the files again`);
  }
  if (s.last_attempt) {
    const a = s.last_attempt;
    lines.push(`  last attempt ${localTime(a.started_at)}: ${a.outcome.toUpperCase()}, exit ${a.exit_code}, before anything was journalled (settings, state file or lock; see the run's log)`);
  }
  lines.push('');
  if (!s.runs.length) {
    lines.push('No runs in the journal yet. Start one: ./run workflow import.yaml');
    return lines.join('\n') + '\n';
  }
  lines.push(`Last runs, newest first (${s.runs.length} of ${s.runs_in_journal} in ${path.join(s.state_dir, 'journal.jsonl')}):`);
  lines.push(`  ${pad('STARTED', 19)}  ${lpad('DURATION', 8)}  ${pad('OUTCOME', 13)} ${lpad('EXIT', 4)} ${lpad('FILES', 5)} ${lpad('ROWS', 6)} ${lpad('CHANGES', 7)} ${lpad('DAR FAIL', 8)} ${lpad('WARN', 4)} ${lpad('ERR', 4)}  RUN`);
  s.runs.forEach((r, i) => {
    const outcome = r.outcome === 'success' ? 'success' : r.outcome.toUpperCase();
    lines.push(
      `  ${pad(localTime(r.started_at), 19)}  ${lpad(duration(r.duration_ms ?? undefined) || '-', 8)}  ${pad(outcome, 13)} ${lpad(r.exit_code ?? '-', 4)} ${lpad(r.files.length, 5)} ${lpad(r.rows, 6)} ${lpad(r.changes, 7)} ${lpad(r.dar_failures, 8)} ${lpad(r.warnings, 4)} ${lpad(r.errors, 4)}  ${r.run_id}`,
    );
    if (i === 0 && r.changes) lines.push(`      changes: ${Object.entries(r.operations).map(([kind, o]) => `${kind} ${Object.entries(o).map(([op, n]) => `${op} ${n}`).join('/')}`).join(', ')}`);
    if (i === 0 && r.files.length) lines.push(`      files: ${list(r.files)}`);
    if (i === 0 && r.totals.http_requests !== undefined) lines.push(`      MO: ${r.totals.http_requests ?? 0} requests, ${r.totals.mutations ?? 0} mutations, ${r.totals.retries ?? 0} retries`);
    if (r.failure) lines.push(`      error: ${firstLine(r.failure)}`);
    if (r.outcome === 'interrupted') lines.push(`      no end in the journal (killed or power loss)${r.recovered_by ? `; reported and re-applied by run ${r.recovered_by}` : '; the next run reports it'}`);
  });
  return lines.join('\n') + '\n';
}
