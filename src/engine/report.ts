/** What a run did: counts, operations, warnings, input problems, durations. Written by --report and into the journal. */
import type { InputProblem } from '../errors.ts';

export interface StepReport {
  id: string;
  uses: string;
  status: 'done' | 'skipped' | 'failed' | 'pending';
  duration_ms: number;
  /** of duration_ms: checking the step's input and output against its schemas */
  validation_ms?: number;
  /** of duration_ms: the named parts the step timed with ctx.time (e.g. upload: read, plan, write) */
  phases_ms?: Record<string, number>;
  /** resident set of the process when the step ended (KiB) */
  rss_kb?: number;
  counts: Record<string, number>;
  summary?: string;
}

export interface FileReport {
  name: string;
  size: number;
  mtime: string;
  sha256?: string;
  rows?: number;
  /** the encoding the parse step read it in (a BOM or valid UTF-8: utf-8, else the setting encoding) */
  encoding?: string;
}

/** How many input problems the report keeps (`errors`); `errors_total` counts them all. */
export const ERRORS_KEPT = 1000;

export class Report {
  run_id = '';
  workflow = '';
  started_at = '';
  finished_at = '';
  dry_run = false;
  outcome: 'success' | 'failed' | 'invalid-input' | 'mass-change' | 'interrupted' | 'running' = 'running';
  exit_code = 0;
  import_from: string | null = null;
  files: FileReport[] = [];
  steps: StepReport[] = [];
  /** counts per kind and operation, e.g. operations.class.create = 3 */
  operations: Record<string, Record<string, number>> = {};
  totals: Record<string, number> = {};
  warnings: string[] = [];
  /** the first ERRORS_KEPT input problems (`addErrors`); `errors_total` counts them all */
  errors: InputProblem[] = [];
  errors_total = 0;
  failure?: string;
  /** Which MO the run talked to. */
  mo?: { url: string; embedded: boolean; /** null: a dry run against an empty embedded MO (no database in the state folder yet, none created) */ database?: string | null; /** the embedded emulator's process: its peak RSS (KiB) */ peak_rss_kb?: number };
  /** The planned changes (dry-run and real runs): the first 1,000 (steps/upload.ts PLAN_KEPT); not in the journal. */
  plan?: unknown[];
  /** How many changes were planned in all (`plan` may hold only the first of them). */
  plan_total?: number;

  /** Add to a total. Rows are counted per file kind (`stam_rows`, `unit_rows` …); `rows` is their sum, every row read. */
  count(name: string, n = 1) {
    this.totals[name] = (this.totals[name] ?? 0) + n;
    if (name !== 'rows' && name.endsWith('_rows')) this.totals.rows = (this.totals.rows ?? 0) + n;
  }
  operation(kind: string, op: string, n = 1) {
    const k = (this.operations[kind] ??= {});
    k[op] = (k[op] ?? 0) + n;
  }
  /** Record input problems: every one counted, the first ERRORS_KEPT kept (never spread: 125,000 problems exceed the argument limit). */
  addErrors(problems: readonly InputProblem[]) {
    this.errors_total += problems.length;
    for (const p of problems) {
      if (this.errors.length >= ERRORS_KEPT) break;
      this.errors.push(p);
    }
  }
  warn(message: string) {
    this.warnings.push(message);
  }
  toJSON() {
    const { ...plain } = this;
    return plain;
  }
}
