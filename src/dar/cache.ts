/**
 * Persistent wash cache: SQLite (better-sqlite3) in the run's state folder. One row per
 * (provider, normalised address text): DAR id, grade, a source fingerprint and the time it was
 * washed. Matches are stored; for the `file` provider also definite non-matches (id '' and the
 * reason), which are valid only for the same register file (the fingerprint). Writes are batched in one transaction per wash() call, so the
 * file is always consistent (SQLite's journal makes each batch atomic; a crash loses at most the
 * answers of the wash in progress, which are simply asked again next run).
 */
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Grade } from './types.ts';

/** `id` '' = no match (file provider only), with its `reason`. */
export interface CacheRow { provider: string; key: string; text: string; id: string; grade: Grade | null; reason?: string | null; source: string; washedAt: number }

/** A cached answer. */
export interface CacheHit { id: string; grade: Grade | null; reason: string | null; source: string; washedAt: number }

export class DarCache {
  private db: Database.Database;
  private getStmt: Database.Statement<[string, string], { key: string; id: string; grade: Grade | null; reason: string | null; source: string; washed_at: number }>;
  private putStmt: Database.Statement<[string, string, string, string, Grade | null, string | null, string, number]>;

  constructor(file: string) {
    if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
    this.db = new Database(file);
    this.db.pragma('busy_timeout = 5000');
    this.db.exec(`CREATE TABLE IF NOT EXISTS dar_cache (
      provider TEXT NOT NULL, key TEXT NOT NULL, text TEXT NOT NULL, id TEXT NOT NULL, grade TEXT,
      source TEXT NOT NULL DEFAULT '', washed_at INTEGER NOT NULL, reason TEXT, PRIMARY KEY (provider, key)) WITHOUT ROWID`);
    // caches written before non-matches were kept have no reason column
    const columns = this.db.prepare('PRAGMA table_info(dar_cache)').all() as { name: string }[];
    if (!columns.some((c) => c.name === 'reason')) this.db.exec('ALTER TABLE dar_cache ADD COLUMN reason TEXT');
    // all keys of a wash in one statement (thousands of single gets cost ~5 µs each)
    this.getStmt = this.db.prepare('SELECT key, id, grade, reason, source, washed_at FROM dar_cache WHERE provider = ? AND key IN (SELECT value FROM json_each(?))');
    this.putStmt = this.db.prepare(
      'INSERT OR REPLACE INTO dar_cache (provider, key, text, id, grade, reason, source, washed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    );
  }

  /** The rows of these keys that are in the cache. */
  getMany(provider: string, keys: string[]): Map<string, CacheHit> {
    const out = new Map<string, CacheHit>();
    if (keys.length === 0) return out;
    for (const r of this.getStmt.iterate(provider, JSON.stringify(keys))) {
      out.set(r.key, { id: r.id, grade: r.grade, reason: r.reason ?? null, source: r.source, washedAt: r.washed_at });
    }
    return out;
  }

  putMany(rows: CacheRow[]): void {
    if (rows.length === 0) return;
    this.db.transaction((rs: CacheRow[]) => {
      for (const r of rs) this.putStmt.run(r.provider, r.key, r.text, r.id, r.grade, r.reason ?? null, r.source, r.washedAt);
    })(rows);
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}
