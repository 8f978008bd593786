/**
 * The run journal: `journal.jsonl` in the state folder, one JSON object per line, appended and
 * fsynced. Each run writes a `start` entry and, when it ends, an `end` entry; a `start` without
 * an `end` is an interrupted run (killed, power loss) and is reported by the next run.
 */
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, writeSync } from 'node:fs';
import path from 'node:path';
import { redactValue } from '../log.ts';

export interface JournalStart {
  type: 'start';
  run_id: string;
  started_at: string;
  workflow: string;
  dry_run: boolean;
  pid: number;
  host: string;
}

export interface JournalEnd {
  type: 'end';
  run_id: string;
  finished_at: string;
  outcome: string;
  exit_code: number;
  duration_ms: number;
  files: { name: string; size: number; mtime: string; sha256?: string; rows?: number }[];
  operations: Record<string, Record<string, number>>;
  totals: Record<string, number>;
  warnings: number;
  errors: number;
  failure?: string;
  state_written?: string | null;
}

/** An interrupted run noticed by a later one. */
export interface JournalRecovered {
  type: 'recovered';
  run_id: string;
  noticed_by: string;
  at: string;
}

export type JournalEntry = JournalStart | JournalEnd | JournalRecovered;

export const journalPath = (stateDir: string) => path.join(stateDir, 'journal.jsonl');

export function appendJournal(stateDir: string, entry: JournalEntry) {
  mkdirSync(stateDir, { recursive: true, mode: 0o700 });
  const fd = openSync(journalPath(stateDir), 'a', 0o600);
  try {
    writeSync(fd, JSON.stringify(redactValue(entry)) + '\n');
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

export function readJournal(stateDir: string): JournalEntry[] {
  let text: string;
  try {
    text = readFileSync(journalPath(stateDir), 'utf8');
  } catch {
    return [];
  }
  const entries: JournalEntry[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    try {
      entries.push(JSON.parse(line) as JournalEntry);
    } catch {
      /* a line torn by a crash: ignore */
    }
  }
  return entries;
}

export interface RunSummary {
  start: JournalStart;
  end?: JournalEnd;
  interrupted: boolean;
}

/** Runs, oldest first. A run with no end entry, not recovered yet, that is not `currentRunId`, was interrupted. */
export function runsFromJournal(entries: JournalEntry[]): RunSummary[] {
  const runs = new Map<string, RunSummary>();
  for (const e of entries) {
    if (e.type === 'start') runs.set(e.run_id, { start: e, interrupted: true });
    else if (e.type === 'end') {
      const r = runs.get(e.run_id);
      if (r) { r.end = e; r.interrupted = false; }
    }
  }
  return [...runs.values()];
}

/** Interrupted runs that no later run has reported yet. */
export function unreportedInterruptions(entries: JournalEntry[], currentRunId?: string): JournalStart[] {
  const recovered = new Set(entries.filter((e): e is JournalRecovered => e.type === 'recovered').map((e) => e.run_id));
  return runsFromJournal(entries)
    .filter((r) => r.interrupted && r.start.run_id !== currentRunId && !recovered.has(r.start.run_id))
    .map((r) => r.start);
}
