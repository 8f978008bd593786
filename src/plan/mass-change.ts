/**
 * The mass-change guard (README "A guard against mass changes"): before anything is written,
 * count the existing objects of each kind the plan would end or remove; more than
 * `mass_change_limit` of one kind stops the run (exit 3) unless `--allow-mass-changes` confirms it.
 * Like Microsoft Entra Connect's "prevent accidental deletes" (default 500 objects).
 */
import { EXIT, Los2moError } from '../errors.ts';
import type { Phase } from './phase.ts';
import type { PlannedChange } from './operations.ts';

export const DEFAULT_MASS_CHANGE_LIMIT = 500;

/** The kinds guarded, in the order of the table, with their readable names. */
export const GUARDED_KINDS: Record<string, string> = {
  org_unit: 'org units',
  engagement: 'engagements',
  manager: 'managers',
  address: 'addresses',
  ituser: 'IT users',
  class: 'classes',
  itsystem: 'IT systems',
};

export interface Ending {
  kind: string;
  uuid: string;
  user_key?: string;
  /** the first day the object is no longer valid */
  to: string | null;
  file?: string;
  line?: number;
}

export interface KindEndings {
  kind: string;
  count: number;
  /**
   * every terminate operation of the kind, as the run summary's `changes` line counts them: the
   * endings plus cuts out of the middle of a timeline (and a second terminate of the same object)
   */
  terminates: number;
  /** the first few, for the table */
  examples: Ending[];
}

const EXAMPLES = 5;

/**
 * The objects each phase would end (a terminate operation open to the past: the object is inactive
 * from that day on), per kind, each object counted once. Cuts out of the middle of a timeline
 * (`from` and `to` both set) do not end an object and are not counted. Forward phases hold no
 * terminations (plan/operations.ts), so only the phases that can terminate are walked.
 */
export function endingsByKind(phases: readonly Phase[]): Map<string, KindEndings> {
  // a kind whose terminates are all cuts has an entry with count 0 (never over a limit, not in the table)
  const out = new Map<string, KindEndings>();
  const seen = new Set<string>();
  for (const phase of phases) {
    if (![...phase.names].some((n) => n.endsWith('_terminate'))) continue;
    // object phases of creates and updates name their kind's terminate mutation too but never plan one
    if (phase.label !== 'classes' && phase.label !== 'IT systems' && !phase.label.startsWith('ending ')) continue;
    for (let i = 0; i < phase.length; i++) {
      for (const c of phase.changesOf(i) as PlannedChange[]) {
        if (c.operation !== 'terminate' || !(c.kind in GUARDED_KINDS)) continue;
        let entry = out.get(c.kind);
        if (!entry) out.set(c.kind, (entry = { kind: c.kind, count: 0, terminates: 0, examples: [] }));
        entry.terminates++;
        const key = `${c.kind}:${c.uuid}`;
        if ((c.validity?.from ?? null) !== null || seen.has(key)) continue;
        seen.add(key);
        entry.count++;
        if (entry.examples.length < EXAMPLES) entry.examples.push({ kind: c.kind, uuid: c.uuid, user_key: c.user_key, to: c.validity?.to ?? null, file: c.file, line: c.line });
      }
    }
  }
  return out;
}

/** The run stopped before writing: the plan ends more objects of a kind than the limit allows. Exit 3. */
export class MassChangeError extends Los2moError {
  constructor(message: string, readonly endings: KindEndings[], readonly limit: number) {
    super(message, EXIT.input);
  }
}

/** The table of what the plan would end (every guarded kind it ends, over the limit marked). */
export function endingsTable(endings: Map<string, KindEndings>, limit: number): string {
  const lines = [`  ${'kind'.padEnd(12)} ${'would end'.padStart(9)}  ${'limit'.padStart(5)}  examples`];
  for (const kind of Object.keys(GUARDED_KINDS)) {
    const e = endings.get(kind);
    if (!e?.count) continue;
    const examples = e.examples.map((x) => `${x.user_key ?? x.uuid}${x.to ? ` (to ${x.to})` : ''}`).join(', ');
    lines.push(`${e.count > limit ? '✖' : ' '} ${GUARDED_KINDS[kind]!.padEnd(12)} ${String(e.count).padStart(9)}  ${String(limit).padStart(5)}  ${examples}${e.count > e.examples.length ? ', …' : ''}`);
  }
  return lines.join('\n');
}

export interface GuardOptions {
  limit: number;
  /** --allow-mass-changes: the operator confirmed this run */
  allowed: boolean;
  dryRun: boolean;
  warn: (message: string) => void;
}

/**
 * Throws MassChangeError when a kind's endings exceed the limit and the run was not confirmed.
 * A confirmed run, or a dry run (which writes nothing), gets a warning with the table instead.
 */
export function guardMassChanges(phases: readonly Phase[], options: GuardOptions): Map<string, KindEndings> {
  const endings = endingsByKind(phases);
  const over = [...endings.values()].filter((e) => e.count > options.limit);
  if (!over.length) return endings;
  // "ends 54 engagements" counts objects; the summary's changes line ("engagement terminate 55")
  // counts terminate operations: say how the two differ when they do
  const what = over.map((e) => `${e.count} ${GUARDED_KINDS[e.kind]}${e.terminates !== e.count ? ` (in ${e.terminates} terminate operations; ${e.terminates - e.count} of them end${e.terminates - e.count === 1 ? 's' : ''} nothing: a period cut out of the middle of a timeline)` : ''}`).join(', ');
  const table = endingsTable(endings, options.limit);
  if (options.allowed) {
    options.warn(`mass change confirmed by --allow-mass-changes: this run ends ${what} (mass_change_limit ${options.limit} per kind)\n${table}`);
    return endings;
  }
  const message = `the plan would end ${what}: more than mass_change_limit (${options.limit}) of one kind in one run. Nothing was written and the state was not advanced.\n${table}\nIf the delivery is right, run again with --allow-mass-changes to confirm this one run (or raise mass_change_limit).`;
  if (options.dryRun) {
    options.warn(`a run without --dry-run would stop here: ${message}`);
    return endings;
  }
  throw new MassChangeError(message, over, options.limit);
}
