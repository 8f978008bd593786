/**
 * The end of a run in `--log-format json` mode: the warnings and input errors as records of their
 * own (so a log shipper can alert on level), then the summary as ONE record — what the text
 * summary shows, as fields. Nothing goes to stdout in json mode; every stderr line is JSON.
 */
import { formatProblem } from '../errors.ts';
import type { Report } from '../engine/report.ts';
import { formatWarningGroup, groupWarnings } from '../engine/warnings.ts';
import { createLogger, type Logger } from '../log.ts';

const MAX_LISTED = 50;

export function logRunEnd(report: Report, durationMs: number, log?: Logger): void {
  // the summary is always emitted, whatever --quiet says (as the text summary line is)
  const l = log ?? createLogger({ format: 'json', level: 'debug', runId: report.run_id });
  // one record per kind of warning: the first, its count and examples (the report has them all)
  const groups = groupWarnings(report.warnings);
  for (const g of groups.slice(0, MAX_LISTED)) l.warn(formatWarningGroup(g), { kind: 'warning', ...(g.count > 1 ? { count: g.count, examples: g.examples } : {}) });
  if (groups.length > MAX_LISTED) l.warn(`${groups.length - MAX_LISTED} more kinds of warning in the report (--report FILE.json)`, { kind: 'warning' });
  for (const p of report.errors.slice(0, MAX_LISTED)) l.error(formatProblem(p), { kind: 'input-error', file: p.file, line: p.line, column: p.column, field: p.field });
  const errorsTotal = Math.max(report.errors_total, report.errors.length);
  if (errorsTotal > MAX_LISTED) l.error(`${errorsTotal - MAX_LISTED} more input errors in the report (--report FILE.json)`, { kind: 'input-error' });
  const fields = {
    kind: 'summary',
    outcome: report.outcome,
    exit_code: report.exit_code,
    dry_run: report.dry_run,
    workflow: report.workflow,
    started_at: report.started_at,
    finished_at: report.finished_at,
    duration_ms: durationMs,
    import_from: report.import_from,
    files: report.files.map((f) => f.name),
    steps: report.steps.map((s) => ({ id: s.id, status: s.status, duration_ms: s.duration_ms, summary: s.summary })),
    operations: report.operations,
    totals: report.totals,
    warnings: report.warnings.length,
    errors: errorsTotal,
    failure: report.failure,
    mo: report.mo ? { embedded: report.mo.embedded, url: report.mo.embedded ? undefined : report.mo.url, database: report.mo.database } : undefined,
  };
  const message = `run ${report.outcome} in ${(durationMs / 1000).toFixed(1)} s — exit ${report.exit_code}${report.dry_run ? ' (dry run: nothing written)' : ''}`;
  if (report.exit_code === 0) l.info(message, fields);
  else l.error(message, fields);
}
