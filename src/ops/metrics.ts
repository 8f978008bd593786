/**
 * Run metrics in the Prometheus text exposition format (version 0.0.4), written after every run
 * that is not a dry run:
 *
 *  - as a node_exporter textfile (`metrics_file`, default `<state folder>/los2mo.prom`), written
 *    atomically (temp file in the same folder + rename, so the collector never reads half a file);
 *  - optionally PUT to a Prometheus Pushgateway (`pushgateway_url` → `PUT {url}/metrics/job/los2mo`),
 *    best effort: a failed push is a warning of the run, never a failure.
 *
 * Every metric describes the LAST run (gauges), so there are no `_total` counters; the names are
 * listed in docs/operations.md. No metric carries a run id or a file name as a label: the series
 * stay the same from night to night.
 */
import path from 'node:path';
import type { Response } from 'node-fetch';
import { Agents } from '../http/agent.ts';
import { networkReason } from '../http/retry.ts';
import { addSecret, redact, type Logger } from '../log.ts';
import type { Report } from '../engine/report.ts';
import type { Settings } from '../settings.ts';
import { readJournal, type JournalEnd } from '../state/journal.ts';
import { writeFileAtomic } from '../state/files.ts';
import { parseIsoDateTime } from '../time.ts';

export const METRICS_JOB = 'los2mo';

/** The outcomes a run can end with; each gets a `los2mo_last_run_outcome{outcome}` series (1 for the one that happened). */
export const OUTCOMES = ['success', 'failed', 'invalid-input', 'mass-change', 'interrupted'] as const;

/** Report totals → `los2mo_rows{kind}`: the rows read per file kind. */
export const ROW_TOTALS: Record<string, string> = { stam_rows: 'stam', unit_rows: 'org', person_rows: 'pers', manager_rows: 'leder' };

interface Sample {
  labels?: Record<string, string>;
  value: number;
}

interface Family {
  name: string;
  help: string;
  samples: Sample[];
}

const escapeLabel = (v: string) => v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
const escapeHelp = (v: string) => v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
const formatValue = (v: number) => (Number.isNaN(v) ? 'NaN' : v === Infinity ? '+Inf' : v === -Infinity ? '-Inf' : String(v));

/** Prometheus text format: HELP, TYPE (all gauges), then the samples of each family together. */
export function formatFamilies(families: Family[]): string {
  const lines: string[] = [];
  for (const f of families) {
    if (!f.samples.length) continue;
    lines.push(`# HELP ${f.name} ${escapeHelp(f.help)}`, `# TYPE ${f.name} gauge`);
    for (const s of f.samples) {
      const labels = Object.entries(s.labels ?? {});
      const l = labels.length ? `{${labels.map(([k, v]) => `${k}="${escapeLabel(v)}"`).join(',')}}` : '';
      lines.push(`${f.name}${l} ${formatValue(s.value)}`);
    }
  }
  return lines.join('\n') + '\n';
}

const seconds = (iso: string | undefined | null) => {
  const d = iso ? parseIsoDateTime(iso) : null;
  return d ? d.getTime() / 1000 : NaN;
};

export interface MetricsInput {
  report: Report;
  /** The start of the last successful run, seconds since the epoch (from the journal), if any. */
  lastSuccess?: number;
}

/** The metrics text of a finished run. */
export function runMetrics({ report, lastSuccess }: MetricsInput): string {
  const t = report.totals;
  const start = seconds(report.started_at);
  const end = seconds(report.finished_at);
  const one = (name: string, help: string, value: number): Family => ({ name, help, samples: [{ value }] });
  const families: Family[] = [
    one('los2mo_last_run_start_timestamp_seconds', 'Start of the last run (not a dry run), seconds since the epoch', start),
    one('los2mo_last_run_end_timestamp_seconds', 'End of the last run, seconds since the epoch', end),
    one('los2mo_last_run_duration_seconds', 'Duration of the last run in seconds', Number.isFinite(end - start) ? +(end - start).toFixed(3) : NaN),
    one('los2mo_last_run_success', '1 if the last run succeeded, else 0', report.outcome === 'success' ? 1 : 0),
    {
      name: 'los2mo_last_run_outcome',
      help: 'Outcome of the last run: 1 for the outcome that happened, 0 for the others',
      samples: OUTCOMES.map((o) => ({ labels: { outcome: o }, value: report.outcome === o ? 1 : 0 })),
    },
    one('los2mo_unknown_files', 'Files on the source of the last run whose names are no LOS file names (not imported; setting ignore_files)', t.unknown_files ?? 0),
    one('los2mo_last_run_exit_code', 'Exit status of the last run: 0 success, 1 failed, 2 configuration or lock, 3 invalid input', report.exit_code),
    ...(lastSuccess !== undefined ? [one('los2mo_last_success_timestamp_seconds', 'Start of the last successful run (from the journal), seconds since the epoch', lastSuccess)] : []),
    {
      name: 'los2mo_step_duration_seconds',
      help: 'Duration of each step of the last run in seconds (0 for a skipped step)',
      samples: report.steps.map((s) => ({ labels: { step: s.id }, value: +(s.duration_ms / 1000).toFixed(3) })),
    },
    {
      name: 'los2mo_step_success',
      help: '1 if the step of the last run finished (or was skipped), 0 if it failed or did not run',
      samples: report.steps.map((s) => ({ labels: { step: s.id }, value: s.status === 'done' || s.status === 'skipped' ? 1 : 0 })),
    },
    one('los2mo_files', 'LOS files fetched by the last run', report.files.length),
    one('los2mo_bytes_fetched', 'Bytes of LOS files fetched by the last run', t.bytes_fetched ?? 0),
    {
      name: 'los2mo_rows',
      help: 'CSV rows read by the last run, per file kind (stam, org, pers, leder)',
      samples: Object.entries(ROW_TOTALS).map(([total, kind]) => ({ labels: { kind }, value: t[total] ?? 0 })),
    },
    {
      name: 'los2mo_operations',
      help: 'Changes written to MO by the last run, per object kind and operation (create, edit, terminate …)',
      samples: Object.entries(report.operations).flatMap(([kind, ops]) => Object.entries(ops).map(([operation, n]) => ({ labels: { kind, operation }, value: n }))),
    },
    one('los2mo_mutations', 'GraphQL mutations sent to MO by the last run', t.mutations ?? 0),
    one('los2mo_http_requests', 'GraphQL requests sent to MO by the last run', t.http_requests ?? 0),
    one('los2mo_retries', 'MO requests retried by the last run', t.retries ?? 0),
    one('los2mo_transfer_retries', 'File transfers from the LOS source retried by the last run (connection or download cut, then tried again)', t.transfer_retries ?? 0),
    one('los2mo_dar_requests', 'Addresses looked up in DAR by the last run', t.dar_requests ?? 0),
    one('los2mo_dar_failures', 'Postal addresses the last run could not match in DAR (not imported)', t.dar_failed ?? 0),
    one('los2mo_warnings', 'Warnings of the last run', report.warnings.length),
    one('los2mo_input_errors', 'Invalid values in the input files found by the last run', Math.max(report.errors_total, report.errors.length)),
  ];
  return formatFamilies(families);
}

/** The start of the newest successful run in the journal, seconds since the epoch. */
export function lastSuccessFromJournal(stateDir: string): number | undefined {
  const entries = readJournal(stateDir);
  const starts = new Map(entries.flatMap((e) => (e.type === 'start' ? [[e.run_id, e.started_at] as const] : [])));
  for (let i = entries.length - 1; i >= 0; i--) {
    const e = entries[i]!;
    if (e.type === 'end' && (e as JournalEnd).outcome === 'success') {
      const s = seconds(starts.get(e.run_id));
      if (Number.isFinite(s)) return s;
    }
  }
  return undefined;
}

/** Where the textfile goes: `metrics_file`, default `<state folder>/los2mo.prom`; null when `off`. */
export function metricsFile(settings: Settings): string | null {
  const v = settings.get('metrics_file');
  if (v && ['off', 'none', 'false', '-'].includes(v.toLowerCase())) return null;
  return v ? path.resolve(v) : path.join(settings.stateDir, 'los2mo.prom');
}

/** `PUT {url}/metrics/job/los2mo`; credentials in the URL become a Basic authorization header. */
export async function pushMetrics(url: string, text: string, timeoutMs = 10_000): Promise<void> {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new Error(`pushgateway_url is not a URL: ${redact(url)}`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error(`pushgateway_url must be http(s)://…, got ${redact(url)}`);
  const headers: Record<string, string> = { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' };
  if (u.username || u.password) {
    const user = decodeURIComponent(u.username);
    const pass = decodeURIComponent(u.password);
    addSecret(pass);
    headers.authorization = `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;
    u.username = '';
    u.password = '';
  }
  const target = `${u.origin}${u.pathname.replace(/\/+$/, '')}/metrics/job/${METRICS_JOB}`;
  const agents = new Agents();
  try {
    let res: Response;
    try {
      res = await agents.fetch(target, { method: 'PUT', headers, body: text, signal: AbortSignal.timeout(timeoutMs) });
    } catch (e) {
      const name = (e as { name?: string }).name;
      throw new Error(`${target}: ${name === 'AbortError' || name === 'TimeoutError' ? `timeout after ${timeoutMs} ms` : networkReason(e)}`);
    }
    if (res.status < 200 || res.status >= 300) {
      const body = (await res.text().catch(() => '')).slice(0, 200).trim();
      throw new Error(`${target}: HTTP ${res.status}${body ? ` ${body}` : ''}`);
    }
    await res.arrayBuffer().catch(() => undefined);
  } finally {
    agents.destroy();
  }
}

export interface WriteMetricsOptions {
  report: Report;
  settings: Settings;
  log: Logger;
}

/**
 * After a run (not a dry run): write the textfile and push. Never throws: a failed textfile write
 * is logged as an error, a failed push becomes a warning of the run (in the summary and report).
 */
export async function writeRunMetrics({ report, settings, log }: WriteMetricsOptions): Promise<{ file: string | null; text: string } | undefined> {
  let text: string;
  let file: string | null = null;
  try {
    let lastSuccess: number | undefined;
    try {
      lastSuccess = lastSuccessFromJournal(settings.stateDir);
    } catch {
      /* no state folder yet */
    }
    text = runMetrics({ report, lastSuccess });
    file = metricsFile(settings);
  } catch (e) {
    log.error(redact(`could not build the metrics: ${(e as Error).message}`));
    return undefined;
  }
  if (file) {
    try {
      // readable by node_exporter's textfile collector (no secrets in it)
      writeFileAtomic(file, text, 0o644);
      log.debug(`metrics written to ${file}`);
    } catch (e) {
      log.error(redact(`could not write the metrics file ${file}: ${(e as Error).message}`));
    }
  }
  const url = settings.get('pushgateway_url');
  if (url) {
    try {
      await pushMetrics(url, text);
      log.debug(redact(`metrics pushed to ${url}`));
    } catch (e) {
      report.warn(redact(`could not push the metrics to the Pushgateway: ${(e as Error).message}`));
    }
  }
  return { file, text };
}
