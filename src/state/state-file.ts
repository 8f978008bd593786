/**
 * The state file: one ISO 8601 timestamp with offset, the time the last successful run STARTED.
 * The earlier importer wrote a date; both forms are read.
 */
import { readFileSync } from 'node:fs';
import { ConfigError } from '../errors.ts';
import { writeFileAtomic } from './files.ts';
import { isoWithOffset, parseIsoDateTime } from '../time.ts';

export function readState(file: string): Date | null {
  let text: string;
  try {
    text = readFileSync(file, 'utf8').trim();
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
  if (!text) return null;
  const date = parseIsoDateTime(text);
  if (!date) throw new ConfigError(`state file ${file} holds "${text.slice(0, 40)}", not an ISO 8601 timestamp; fix or delete it`);
  return date;
}

export function writeState(file: string, startedAt: Date) {
  writeFileAtomic(file, isoWithOffset(startedAt) + '\n', 0o644);
}
