/**
 * The deterministic uuids the tests expect, as literal values computed independently of
 * src/uuid.ts: by Python's uuid and hashlib modules, the way the earlier importer made them
 * (test/helpers/pinned-uuids.py writes test/fixtures/pinned-uuids.json). A test that expects
 * gen(base, value) reads the literal here, so a fault in src/uuid.ts cannot hide behind itself.
 */
import { readFileSync } from 'node:fs';

/** base → value → uuid. */
export const PINNED = JSON.parse(readFileSync(new URL('../fixtures/pinned-uuids.json', import.meta.url), 'utf8')) as Record<string, Record<string, string>>;

/** The pinned gen(base, value); a pair not in the table is an error (add it, run pinned-uuids.py). */
export function gen(base: string, value: string): string {
  const uuid = PINNED[base]?.[value];
  if (!uuid) throw new Error(`no pinned uuid for gen(${JSON.stringify(base)}, ${JSON.stringify(value)}): add it to test/fixtures/pinned-uuids.json and run python3 test/helpers/pinned-uuids.py`);
  return uuid;
}

/** Objects derived from LOS rows use base `AAK`. */
export const derivedUuid = (value: string) => gen('AAK', value);
