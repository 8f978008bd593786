/**
 * DAR address washing: free-text PostAdresse -> DAR address id (docs/dar.md).
 *
 * Providers: 'dawa' (DAWA datavask protocol, configurable base URL), 'adressevask'
 * (Klimadatastyrelsen, secret token), 'file' (offline register file). Matches are cached
 * persistently (provider + normalised text). Failures of the online providers are never cached, so
 * a later run asks again; the `file` provider also caches "no match" answers for the same register
 * file (name, size, mtime), so a run whose texts are all cached does not load the register.
 */
import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { DarCache, type CacheRow } from './cache.ts';
import { textKey } from './normalise.ts';
import { redact } from '../log.ts';
import { OnlineClient, adressevaskProvider, dawaProvider, type HttpOptions } from './online.ts';
import { loadRegister } from './register.ts';
import type { Grade, ProviderName, WashResult } from './types.ts';

export type { Grade, ProviderName, WashResult } from './types.ts';
export { loadRegister, RegisterIndex } from './register.ts';
export { parseAddress, simpleKey, textKey } from './normalise.ts';

export const DEFAULT_ADRESSEVASK_URL = 'https://adressevaelger.dk';

export interface WashOptions {
  provider: ProviderName;
  /** DAR_URL base for 'dawa' */
  dawaUrl?: string;
  /** default 'https://adressevaelger.dk' */
  adressevaskUrl?: string;
  /** DAR_TOKEN (secret) for 'adressevask' */
  token?: string;
  /** for 'file': Datafordeleren Adresse JSON array (plain or .zip) or CSV `id;betegnelse[;status]` */
  registerFile?: string;
  /** persistent cache (SQLite); without it answers are only kept for this washer's lifetime */
  cacheFile?: string;
  /** default 30; matches older than this are asked again */
  cacheTtlDays?: number;
  /** --refresh-dar: ignore cache entries from before this washer was created (new results are still written) */
  refresh?: boolean;
  /** read the cache file but write nothing to it (a dry run) */
  readOnlyCache?: boolean;
  /** default 10 addresses in flight */
  concurrency?: number;
  /** default 30 request starts per second (any 1 s window) */
  ratePerSecond?: number;
  /** default 4 retries after the first attempt (429, 5xx, network errors, timeouts) */
  retries?: number;
  /** default 500 ms, doubled per retry */
  retryDelayMs?: number;
  /** default 10 000 ms: cap of the exponential backoff */
  maxRetryDelayMs?: number;
  /** default 60 000 ms: cap on a server's Retry-After */
  maxRetryAfterMs?: number;
  /** default 15 000 ms per request */
  timeoutMs?: number;
  /** default 10: after this many addresses in a row failed for outage reasons, the rest are not asked (0 = never give up) */
  breakerThreshold?: number;
  /** counts HTTP requests (attempts, retries included) for the progress view/report */
  onRequest?: () => void;
  /** told before each retry of a request, with its reason and delay */
  onRetry?: HttpOptions['onRetry'];
  /** the rate limiter's clock, for tests */
  rateClock?: HttpOptions['rateClock'];
  /** clock (ms since epoch), for tests */
  now?: () => number;
}

export interface WashStats {
  requests: number;
  cacheHits: number;
  matched: number;
  failed: number;
  /** file provider: time to read the register and build the index (ms), once loaded */
  indexBuildMs?: number;
  /** file provider: records in the register (current + retired) */
  registerRecords?: number;
}

export interface Washer {
  wash(texts: string[]): Promise<Map<string, WashResult>>;
  stats(): WashStats;
  /** non-fatal problems (e.g. an unusable cache file), for the run report */
  warnings(): string[];
  close(): Promise<void>;
}

const DAY_MS = 86_400_000;

/** `id` '' = a cached non-match of the file provider, with its reason */
interface Hit { id: string; grade: Grade | null; reason?: string | null; washedAt: number; source: string }

/** Where the answers come from: an online client, or the register file (`source` names its version). */
interface AnswerSource { online: OnlineClient | null; source: string }

/** The provider's client (dawa, adressevask) or the register file's identity (file), from the options. */
async function openSource(opts: WashOptions): Promise<AnswerSource> {
  const provider = opts.provider;
  if (provider === 'dawa' || provider === 'adressevask') {
    const http = {
      concurrency: opts.concurrency ?? 10,
      ratePerSecond: opts.ratePerSecond ?? 30,
      retries: opts.retries ?? 4,
      retryDelayMs: opts.retryDelayMs ?? 500,
      maxRetryDelayMs: opts.maxRetryDelayMs ?? 10_000,
      maxRetryAfterMs: opts.maxRetryAfterMs ?? 60_000,
      timeoutMs: opts.timeoutMs ?? 15_000,
      breakerThreshold: opts.breakerThreshold ?? 10,
      ...(opts.onRequest ? { onRequest: opts.onRequest } : {}),
      ...(opts.onRetry ? { onRetry: opts.onRetry } : {}),
      ...(opts.rateClock ? { rateClock: opts.rateClock } : {}),
    };
    if (provider === 'dawa') {
      if (!opts.dawaUrl) throw new Error("DAR provider 'dawa' needs a base URL (dar_url / DAR_URL)");
      return { online: new OnlineClient(dawaProvider(opts.dawaUrl), http), source: '' };
    }
    if (!opts.token) throw new Error("DAR provider 'adressevask' needs a token (dar_token / DAR_TOKEN)");
    return { online: new OnlineClient(adressevaskProvider(opts.adressevaskUrl ?? DEFAULT_ADRESSEVASK_URL, opts.token), http), source: '' };
  }
  if (provider === 'file') {
    if (!opts.registerFile) throw new Error("DAR provider 'file' needs a register file (dar_file / DAR_FILE)");
    const st = await stat(opts.registerFile).catch(() => null);
    if (!st?.isFile()) throw new Error(`DAR register file not found: ${opts.registerFile}`);
    // cached file answers are only valid for the same register file
    return { online: null, source: `${basename(opts.registerFile)}:${st.size}:${Math.trunc(st.mtimeMs)}` };
  }
  throw new Error(`unknown DAR provider ${JSON.stringify(provider)} (dawa | adressevask | file)`);
}

/** A wash's texts grouped by their normalised key; texts without a key are answered at once in `out`. */
function groupTexts(texts: string[], provider: ProviderName, out: Map<string, WashResult>): Map<string, string[]> {
  const groups = new Map<string, string[]>();
  for (const text of texts) {
    if (out.has(text) || typeof text !== 'string') continue;
    const key = textKey(text);
    if (!key) {
      out.set(text, { text, id: null, reason: 'empty address', cached: false, provider });
      continue;
    }
    const g = groups.get(key);
    if (g) { if (!g.includes(text)) g.push(text); } else groups.set(key, [text]);
  }
  return groups;
}

/** A cache hit as the answer it gives (`id` '' = the register file's cached non-match). */
function hitAnswer(hit: Hit, provider: ProviderName): Omit<WashResult, 'text'> {
  const grade = hit.grade ? { grade: hit.grade } : {};
  return hit.id === '' ? { id: null, ...grade, reason: hit.reason || 'no match', cached: true, provider } : { id: hit.id, ...grade, cached: true, provider };
}

/**
 * What a washer already knows: its own answers (matches, and definite non-matches that are not
 * outages) and the persistent cache, read once per wash for the keys it lacks.
 */
class Known {
  private cache: DarCache | null = null;
  private readonly memory = new Map<string, Hit>(); // matches of this washer (also the cache when there is no cache file)
  private readonly settled = new Map<string, Omit<WashResult, 'text'>>(); // definite non-matches of this washer
  private readonly startedAt: number;
  private readonly ttlMs: number;

  constructor(
    private readonly opts: WashOptions,
    private readonly source: string,
    private readonly now: () => number,
    private readonly warnings: string[],
    secret: string | undefined,
  ) {
    this.startedAt = now();
    this.ttlMs = (opts.cacheTtlDays ?? 30) * DAY_MS;
    if (opts.cacheFile) {
      try {
        this.cache = new DarCache(opts.cacheFile);
      } catch (e) {
        warnings.push(`DAR cache ${opts.cacheFile} unusable (${redact((e as Error).message, [secret])}); washing without it`);
      }
    }
  }

  /** Sets the known answers of `keys` in `answers` (counting cache hits); gives the keys still to ask. */
  lookup(keys: string[], answers: Map<string, Omit<WashResult, 'text'>>, stats: { cacheHits: number }): string[] {
    const rows = this.read(keys.filter((key) => !this.memory.has(key)));
    const misses: string[] = [];
    for (const key of keys) {
      const hit = this.memory.get(key) ?? this.valid(rows?.get(key));
      if (hit) {
        stats.cacheHits++;
        answers.set(key, hitAnswer(hit, this.opts.provider));
        continue;
      }
      const done = this.settled.get(key);
      if (done) answers.set(key, { ...done });
      else misses.push(key);
    }
    return misses;
  }

  /** Keeps a fresh answer; gives the cache row to write, if it is one to keep. */
  keep(key: string, text: string, r: Omit<WashResult, 'text'>, outage: boolean): CacheRow | undefined {
    const { provider } = this.opts;
    const source = this.source;
    if (r.id) {
      const washedAt = this.now();
      this.memory.set(key, { id: r.id, grade: r.grade ?? null, washedAt, source });
      return { provider, key, text, id: r.id, grade: r.grade ?? null, source, washedAt };
    }
    if (outage) return undefined;
    this.settled.set(key, r);
    // the register file's answer stays the same while the file does: keep it (never an online one,
    // so a later run asks DAR again and picks up its fixes)
    return provider === 'file' ? { provider, key, text, id: '', grade: r.grade ?? null, reason: r.reason ?? 'no match', source, washedAt: this.now() } : undefined;
  }

  write(rows: CacheRow[]): void {
    if (!this.cache || rows.length === 0 || this.opts.readOnlyCache) return;
    try {
      this.cache.putMany(rows);
    } catch (e) {
      this.warnings.push(`DAR cache write failed (${(e as Error).message})`);
    }
  }

  close(): void {
    this.cache?.close();
    this.cache = null;
  }

  private read(keys: string[]) {
    if (!this.cache) return undefined;
    try {
      return this.cache.getMany(this.opts.provider, keys);
    } catch (e) {
      this.warnings.push(`DAR cache read failed (${(e as Error).message})`);
      return undefined;
    }
  }

  /** A cache row that still holds: same register file, not expired, not from before a --refresh-dar run. */
  private valid(row: Hit | undefined): Hit | undefined {
    if (!row || row.source !== this.source) return undefined;
    if (row.id === '' && this.opts.provider !== 'file') return undefined; // only the register file's answers are stable
    if (this.now() - row.washedAt > this.ttlMs) return undefined;
    if (this.opts.refresh && row.washedAt < this.startedAt) return undefined;
    return row;
  }
}

export async function createWasher(opts: WashOptions): Promise<Washer> {
  const provider = opts.provider;
  const now = opts.now ?? Date.now;
  const warnings: string[] = [];
  const secret = opts.provider === 'adressevask' ? opts.token : undefined;
  const { online, source } = await openSource(opts);
  const known = new Known(opts, source, now, warnings, secret);
  let register: { buildMs: number; records: number } | null = null; // the last load's figures
  const st = { requests: 0, cacheHits: 0, matched: 0, failed: 0 };

  /** Asks the provider for the keys nothing knew (their first text each); keeps and caches the answers. */
  async function ask(misses: string[], groups: Map<string, string[]>, answers: Map<string, Omit<WashResult, 'text'>>): Promise<void> {
    const fresh: CacheRow[] = [];
    const record = (key: string, a: { id: string | null; grade?: Grade | undefined; reason?: string | undefined; outage?: boolean | undefined }) => {
      const r: Omit<WashResult, 'text'> = { id: a.id, cached: false, provider };
      if (a.grade) r.grade = a.grade;
      if (a.reason) r.reason = redact(a.reason, [secret]);
      answers.set(key, r);
      const row = known.keep(key, groups.get(key)![0]!, r, !!a.outage);
      if (row) fresh.push(row);
    };
    const texts = misses.map((key) => groups.get(key)![0]!);
    if (online) {
      await Promise.all(misses.map(async (key, i) => record(key, await online.wash(texts[i]!))));
      st.requests = online.requests;
    } else {
      // one pass over the register for these texts; nothing of it is kept after this wash
      const index = await loadRegister(opts.registerFile!, texts);
      register = { buildMs: index.buildMs, records: index.size };
      misses.forEach((key, i) => record(key, index.lookup(texts[i]!)));
    }
    known.write(fresh);
  }

  async function wash(texts: string[]): Promise<Map<string, WashResult>> {
    const out = new Map<string, WashResult>();
    const groups = groupTexts(texts, provider, out);
    const answers = new Map<string, Omit<WashResult, 'text'>>();
    const misses = known.lookup([...groups.keys()], answers, st);
    if (misses.length > 0) await ask(misses, groups, answers);
    for (const [key, texts] of groups) {
      const a = answers.get(key)!;
      for (const text of texts) out.set(text, { ...a, text });
    }
    for (const r of out.values()) {
      if (r.id) st.matched++;
      else st.failed++;
    }
    return out;
  }

  return {
    wash,
    stats() {
      const s: WashStats = { ...st, requests: online ? online.requests : 0 };
      if (register) {
        s.indexBuildMs = Math.round(register.buildMs);
        s.registerRecords = register.records;
      }
      return s;
    },
    warnings: () => [...warnings],
    async close() {
      known.close();
      online?.close();
    },
  };
}

/** The failure list's name for a LOS file: `failed_addr_<csv name>`. */
export function failureFileName(csvName: string): string {
  return `failed_addr_${basename(csvName)}`;
}

/**
 * The failure list: one line per unmatched address, `org_uuid#post_address#reason`, no header
 * (the first two columns are exactly the earlier importer's lines), UTF-8, `\n` line ends.
 * Line breaks inside a field become spaces; `#` is removed from the reason, so a reader splits at
 * the first and the last `#` (the address itself may contain `#`).
 */
export function formatFailureFile(rows: { orgUuid: string; postAddress: string; reason: string }[]): string {
  const oneLine = (s: string) => s.replace(/[\r\n]+/g, ' ');
  return rows
    .map((r) => `${oneLine(r.orgUuid).replace(/#/g, ' ')}#${oneLine(r.postAddress)}#${oneLine(r.reason).replace(/#/g, ' ').trim()}\n`)
    .join('');
}

/** Reads a failure list back (also the earlier two-column form, whose reason is ''). */
export function parseFailureFile(text: string): { orgUuid: string; postAddress: string; reason: string }[] {
  const rows: { orgUuid: string; postAddress: string; reason: string }[] = [];
  for (const line of text.replace(/^\uFEFF/, '').split(/\r?\n/)) {
    if (!line) continue;
    const first = line.indexOf('#');
    if (first < 0) continue;
    const last = line.lastIndexOf('#');
    if (last === first) rows.push({ orgUuid: line.slice(0, first), postAddress: line.slice(first + 1), reason: '' });
    else rows.push({ orgUuid: line.slice(0, first), postAddress: line.slice(first + 1, last), reason: line.slice(last + 1) });
  }
  return rows;
}
