/** The one-screen summary printed at the end of every run. */
import { formatProblem } from '../errors.ts';
import type { Report } from './report.ts';
import { formatWarningGroup, groupWarnings } from './warnings.ts';

const n = (v: number) => v.toLocaleString('en-US');

export function formatSummary(report: Report, durationMs: number, { quiet = false } = {}): string {
  const lines: string[] = [];
  const mark = report.outcome === 'success' ? '✔' : '✖';
  const outcome = { success: 'success', failed: 'FAILED', 'invalid-input': 'INVALID INPUT', 'mass-change': 'STOPPED (mass change not confirmed)', interrupted: 'INTERRUPTED', running: 'running' }[report.outcome];
  lines.push(`${mark} ${outcome} in ${(durationMs / 1000).toFixed(1)} s — run ${report.run_id}${report.dry_run ? ' (dry run: nothing written)' : ''} — exit ${report.exit_code}`);
  // one column for the labels; the step ids are the workflow's (e.g. merge_units), as long as they are
  const width = Math.max(9, ...(quiet ? [] : report.steps.filter((s) => s.summary).map((s) => s.id.length)));
  const label = (l: string) => `  ${l.padEnd(width)} `;
  const indent = ' '.repeat(width + 3);
  if (!quiet) {
    if (report.files.length) lines.push(`${label('files')}${report.files.length}: ${report.files.slice(0, 6).map((f) => f.name).join(', ')}${report.files.length > 6 ? ', …' : ''}`);
    for (const s of report.steps) if (s.summary) lines.push(`${label(s.id)}${s.summary} (${(s.duration_ms / 1000).toFixed(1)} s)`);
    const ops = Object.entries(report.operations).map(([kind, o]) => `${kind} ${Object.entries(o).map(([op, c]) => `${op} ${n(c)}`).join('/')}`);
    if (ops.length) lines.push(`${label('changes')}${ops.join(', ')}`);
    const plan = (report.plan ?? []) as { kind: string; uuid: string; user_key?: string; operation: string; validity?: { from: string | null; to: string | null }; changed?: string[] }[];
    const planTotal = Math.max(report.plan_total ?? 0, plan.length);
    if (report.dry_run && plan.length) {
      lines.push(`${label('plan')}${n(planTotal)} operation${planTotal === 1 ? '' : 's'} (nothing written):`);
      lines.push(`    ${'kind'.padEnd(11)} ${'uuid'.padEnd(36)} ${'user_key'.padEnd(24)} ${'operation'.padEnd(10)} ${'validity'.padEnd(23)} changed`);
      for (const c of plan.slice(0, 40)) {
        const v = c.validity ? `${c.validity.from ?? '-∞'}..${c.validity.to ?? '∞'}` : '';
        lines.push(`    ${c.kind.padEnd(11)} ${c.uuid.padEnd(36)} ${(c.user_key ?? '').slice(0, 24).padEnd(24)} ${c.operation.padEnd(10)} ${v.padEnd(23)} ${(c.changed ?? []).join(', ')}`);
      }
      if (planTotal > 40) lines.push(`    … ${n(planTotal - 40)} more${planTotal > plan.length ? ` (the report keeps the first ${n(plan.length)})` : ''} in the report (--report FILE.json)`);
    }
    const t = report.totals;
    if (t.http_requests !== undefined) lines.push(`${label('MO')}${n(t.http_requests ?? 0)} requests, ${n(t.mutations ?? 0)} mutations, ${n(t.retries ?? 0)} retries`);
  }
  if (report.mo?.embedded && !quiet) {
    lines.push(`${label('MO')}embedded emulator, ${report.mo.database === null ? 'empty (no database in the state folder yet; a dry run creates none)' : `database ${report.mo.database}`}`);
    if (!report.dry_run) lines.push(`${indent}browse it: ./run mo-emulator --db ${report.mo.database}   (then GraphQL at http://127.0.0.1:5000/graphql/v29)`);
    if (!report.dry_run) lines.push(`${indent}see the tree: ./run show tree   (./run status: the last runs)`);
  }
  if (report.warnings.length) {
    // the same warning for many objects is one line with its count and the first examples
    const groups = groupWarnings(report.warnings);
    lines.push(`${label('warnings')}${n(report.warnings.length)}${groups.length < report.warnings.length ? ` (${groups.length} kind${groups.length === 1 ? '' : 's'})` : ''}`);
    for (const g of groups.slice(0, 8)) lines.push(`    - ${formatWarningGroup(g)}`);
    if (groups.length > 8) lines.push(`    … ${n(groups.length - 8)} more kinds of warning in the report (--report FILE.json)`);
  }
  if (report.errors.length) {
    const total = Math.max(report.errors_total, report.errors.length);
    lines.push(`${label('errors')}${n(total)} (nothing was written; the state was not advanced)`);
    for (const p of report.errors.slice(0, 20)) lines.push(`    ${formatProblem(p)}`);
    if (total > 20) lines.push(`    … ${n(total - 20)} more in the report (--report FILE.json${total > report.errors.length ? `; it keeps the first ${n(report.errors.length)}` : ''})`);
  } else if (report.failure) {
    lines.push(`${label('error')}${report.failure.split('\n').join(`\n${indent}`)}`);
    if (report.outcome !== 'success' && !report.dry_run) lines.push('  the state was not advanced; the next run starts from the same point');
  }
  return lines.join('\n');
}
