/**
 * SQLite storage (better-sqlite3, WAL) of MO objects: `objects` (kind, uuid, the validity
 * history as a JSON list of periods with full values, and the last written values) and
 * `object_keys` (indexed relation/key values of all periods, to narrow filtered reads).
 * One row per object keeps the pages a batch of writes touches (uuids are random) low.
 */
import Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import type { Data, Period } from './periods.ts';

export type Kind =
  | 'facet'
  | 'class'
  | 'itsystem'
  | 'org_unit'
  | 'employee'
  | 'engagement'
  | 'address'
  | 'ituser'
  | 'manager'
  // written by other systems than los2mo; stored so that they block a unit's termination as in MO
  | 'association'
  | 'kle'
  | 'related_unit'
  | 'owner'
  | 'rolebinding';

/** Fields of each kind's values that are indexed in `object_keys` (null is indexed as ''). */
export const KEY_FIELDS: Record<Kind, readonly string[]> = {
  facet: ['user_key'],
  class: ['user_key', 'facet', 'parent', 'it_system', 'owner'],
  itsystem: ['user_key'],
  org_unit: ['user_key', 'parent', 'org_unit_hierarchy', 'org_unit_type'],
  employee: ['user_key', 'cpr_number'],
  engagement: ['user_key', 'person', 'org_unit', 'job_function', 'engagement_type'],
  address: ['user_key', 'person', 'org_unit', 'address_type', 'engagement', 'ituser', 'visibility'],
  ituser: ['user_key', 'person', 'org_unit', 'itsystem', 'engagements', 'external_id', 'binding_type'],
  manager: ['user_key', 'person', 'org_unit', 'engagement', 'responsibility', 'manager_type'],
  association: ['user_key', 'person', 'org_unit'],
  kle: ['user_key', 'org_unit'],
  related_unit: ['org_units'],
  // an owner of a unit (`org_unit`) or of a person (`person`); `owner` is the owning person
  owner: ['user_key', 'person', 'org_unit', 'owner'],
  // a role bound to an IT user (`ituser`), optionally in a unit (`org_unit`)
  rolebinding: ['user_key', 'org_unit', 'ituser', 'role'],
};

export interface RootOrg { uuid: string; user_key: string; name: string; municipality_code: number | null }

const SCHEMA_VERSION = '1';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS objects (
  kind TEXT NOT NULL, uuid TEXT NOT NULL, periods TEXT NOT NULL, snapshot TEXT NOT NULL,
  PRIMARY KEY (kind, uuid)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS object_keys (
  kind TEXT NOT NULL, field TEXT NOT NULL, value TEXT NOT NULL, uuid TEXT NOT NULL,
  PRIMARY KEY (kind, field, value, uuid)) WITHOUT ROWID;
`;

interface StoredPeriod { from: string; to: string; data: Data }

/** The `object_keys` rows (field NUL value) of a history. */
function keysOf(kind: Kind, periods: readonly StoredPeriod[]): Set<string> {
  const keys = new Set<string>();
  for (const p of periods) {
    for (const field of KEY_FIELDS[kind]) {
      const value = p.data[field];
      for (const v of Array.isArray(value) ? value : [value]) keys.add(`${field}\u0000${v ?? ''}`);
    }
  }
  return keys;
}

export class Store {
  readonly db: Database.Database;
  private readonly stmt;

  constructor(readonly path: string, { cacheMb = 128 }: { cacheMb?: number } = {}) {
    this.db = new Database(path);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    // uuid keys scatter writes over the B-trees: keep the hot pages in memory
    this.db.pragma(`cache_size = -${Math.max(1, Math.round(cacheMb * 1024))}`);
    this.db.pragma('temp_store = MEMORY');
    this.db.pragma('journal_size_limit = 67108864');
    // checkpoint every 64 MiB of WAL instead of every 4 MiB: a batch of writes dirties hundreds of
    // pages, and a page rewritten by many commits is copied back (and fsynced) once, not each time
    this.db.pragma('wal_autocheckpoint = 16384');
    this.db.exec(SCHEMA);
    const db = this.db;
    this.stmt = {
      getMeta: db.prepare<[string], { value: string }>('SELECT value FROM meta WHERE key = ?'),
      setMeta: db.prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value'),
      object: db.prepare<[string, string], { periods: string; snapshot: string }>(
        'SELECT periods, snapshot FROM objects WHERE kind = ? AND uuid = ?',
      ),
      upsertObject: db.prepare(
        'INSERT INTO objects (kind, uuid, periods, snapshot) VALUES (?, ?, ?, ?) ' +
          'ON CONFLICT (kind, uuid) DO UPDATE SET periods = excluded.periods, snapshot = excluded.snapshot',
      ),
      periodsMany: db.prepare<[string, string], { uuid: string; periods: string }>(
        'SELECT uuid, periods FROM objects WHERE kind = ? AND uuid IN (SELECT value FROM json_each(?))',
      ),
      deleteKey: db.prepare('DELETE FROM object_keys WHERE kind = ? AND field = ? AND value = ? AND uuid = ?'),
      insertKey: db.prepare('INSERT OR IGNORE INTO object_keys (kind, field, value, uuid) VALUES (?, ?, ?, ?)'),
      // no DISTINCT: with it SQLite may prefer scanning the whole kind
      byKey: db.prepare<[string, string, string], { uuid: string }>(
        'SELECT uuid FROM object_keys WHERE kind = ? AND field = ? AND value IN (SELECT value FROM json_each(?))',
      ),
      uuidsAfter: db.prepare<[string, string, number], { uuid: string }>(
        'SELECT uuid FROM objects WHERE kind = ? AND uuid > ? ORDER BY uuid LIMIT ?',
      ),
    };
    const version = this.getMeta('schema_version');
    if (version === undefined) this.setMeta('schema_version', SCHEMA_VERSION);
    else if (version !== SCHEMA_VERSION) {
      throw new Error(`${path}: MO emulator database layout ${version} is not supported (expected ${SCHEMA_VERSION})`);
    }
    if (!this.getMeta('root_org')) {
      const org: RootOrg = { uuid: randomUUID(), user_key: 'root', name: 'root', municipality_code: null };
      this.setMeta('root_org', JSON.stringify(org));
    }
  }

  getMeta(key: string): string | undefined {
    return this.stmt.getMeta.get(key)?.value;
  }

  setMeta(key: string, value: string): void {
    this.stmt.setMeta.run(key, value);
  }

  rootOrg(): RootOrg {
    return JSON.parse(this.getMeta('root_org')!) as RootOrg;
  }

  setRootOrg(org: RootOrg): void {
    this.setMeta('root_org', JSON.stringify(org));
  }

  /** The last values written for an object, or undefined if it was never created. */
  snapshot(kind: Kind, uuid: string): Data | undefined {
    const row = this.stmt.object.get(kind, uuid);
    return row ? (JSON.parse(row.snapshot) as Data) : undefined;
  }

  /** An object's history, ordered by `from` (empty if unknown). */
  periods(kind: Kind, uuid: string): Period[] {
    const row = this.stmt.object.get(kind, uuid);
    return row ? (JSON.parse(row.periods) as Period[]) : [];
  }

  /** Histories of many objects at once; unknown objects are absent from the map. */
  periodsMany(kind: Kind, uuids: readonly string[]): Map<string, Period[]> {
    const out = new Map<string, Period[]>();
    if (!uuids.length) return out;
    for (const row of this.stmt.periodsMany.all(kind, JSON.stringify(uuids))) {
      out.set(row.uuid, JSON.parse(row.periods) as Period[]);
    }
    return out;
  }

  /** Replace an object's whole history (and its indexed keys). */
  save(kind: Kind, uuid: string, periods: readonly Period[], snapshot: Data): void {
    const oldKeys = keysOf(kind, this.periods(kind, uuid));
    const newKeys = keysOf(kind, periods);
    this.stmt.upsertObject.run(kind, uuid, JSON.stringify(periods), JSON.stringify(snapshot));
    for (const key of oldKeys) {
      if (newKeys.has(key)) continue;
      const [field, value] = key.split('\u0000') as [string, string];
      this.stmt.deleteKey.run(kind, field, value, uuid);
    }
    for (const key of newKeys) {
      if (oldKeys.has(key)) continue;
      const [field, value] = key.split('\u0000') as [string, string];
      this.stmt.insertKey.run(kind, field, value, uuid);
    }
  }

  /** Uuids of objects whose periods have `field` equal to one of `values` ('' = null). */
  uuidsByKey(kind: Kind, field: string, values: readonly string[]): string[] {
    if (!values.length) return [];
    return [...new Set(this.stmt.byKey.all(kind, field, JSON.stringify(values)).map((r) => r.uuid))];
  }

  /** Object uuids of a kind in uuid order, after `after` ('' = from the start). */
  uuidsAfter(kind: Kind, after: string, limit: number): string[] {
    return this.stmt.uuidsAfter.all(kind, after, limit).map((r) => r.uuid);
  }

  close(): void {
    this.db.close();
  }
}
