/**
 * What los2mo owns in MO: classes and IT systems it created or imported from STAM files. Only
 * these are ever ended when a STAM file stops listing them; other sources' classes are not.
 * Kept as `owned.json` in the state folder, written atomically.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { writeFileAtomic } from './files.ts';

export interface Ownership {
  classes: string[];
  itsystems: string[];
}

const file = (stateDir: string) => path.join(stateDir, 'owned.json');

export function readOwnership(stateDir: string): Ownership {
  try {
    const data = JSON.parse(readFileSync(file(stateDir), 'utf8')) as Partial<Ownership>;
    return { classes: data.classes ?? [], itsystems: data.itsystems ?? [] };
  } catch {
    return { classes: [], itsystems: [] };
  }
}

export function addOwnership(stateDir: string, add: Partial<Ownership>) {
  const current = readOwnership(stateDir);
  const merged: Ownership = {
    classes: [...new Set([...current.classes, ...(add.classes ?? [])])].sort(),
    itsystems: [...new Set([...current.itsystems, ...(add.itsystems ?? [])])].sort(),
  };
  if (merged.classes.length === current.classes.length && merged.itsystems.length === current.itsystems.length) return;
  writeFileAtomic(file(stateDir), JSON.stringify(merged, null, 1) + '\n');
}
