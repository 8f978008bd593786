/**
 * Online washing: DAWA's datavask protocol (any compatible mirror) and Klimadatastyrelsen's
 * Adressevask. Shared HTTP machinery: at most `concurrency` addresses in flight (p-limit), at most
 * `ratePerSecond` request starts in any 1-second window (sliding-window limiter, also applied to
 * retries), 429/5xx/network errors/timeouts retried with exponential backoff that honours
 * Retry-After (src/http/retry.ts, the MO client's retry), node-fetch with the keep-alive agent
 * policy of src/http/agent.ts, and a breaker that stops asking after `breakerThreshold` addresses in a row
 * failed for outage reasons. An outage never throws: the address comes back unmatched with
 * reason 'DAR unavailable: …'. Every message passes through redact(), so the token never leaks.
 */
import pLimit, { type LimitFunction } from 'p-limit';
import { redact } from '../log.ts';
import type { Response } from 'node-fetch';
import { Agents, textOf } from '../http/agent.ts';
import { networkReason, sleep, TransientError, parseRetryAfter, withRetries, type RetryEvent, type RetryPolicy } from '../http/retry.ts';
import type { Grade } from './types.ts';

export interface OnlineAnswer { id: string | null; grade?: Grade; reason?: string; outage?: boolean }

export interface OnlineProvider {
  name: string;
  url(text: string): string;
  interpret(body: unknown): OnlineAnswer;
  /** the secret to redact from messages, if any */
  secret?: string;
}

export interface HttpOptions {
  concurrency: number;
  ratePerSecond: number;
  retries: number;
  retryDelayMs: number;
  maxRetryDelayMs: number;
  maxRetryAfterMs: number;
  timeoutMs: number;
  breakerThreshold: number;
  onRequest?: () => void;
  /** told before each retry, with its reason and delay */
  onRetry?: (e: RetryEvent) => void;
  /** the rate limiter's clock (tests: a virtual one) */
  rateClock?: RateClock;
}

/** A clock for the rate limiter: real time by default. */
export interface RateClock { now(): number; sleep(ms: number): Promise<unknown> }
const realClock: RateClock = { now: () => performance.now(), sleep: (ms) => sleep(ms) };

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** At most `perWindow` acquisitions in any window of `windowMs`; FIFO. */
export class SlidingWindowLimiter {
  private starts: number[] = [];
  private chain: Promise<void> = Promise.resolve();
  constructor(private readonly perWindow: number, private readonly windowMs = 1000, private readonly clock: RateClock = realClock) {
    if (!(perWindow >= 1)) throw new Error('ratePerSecond must be >= 1');
  }
  acquire(): Promise<void> {
    const next = this.chain.then(async () => {
      for (;;) {
        const now = this.clock.now();
        while (this.starts.length > 0 && this.starts[0]! <= now - this.windowMs) this.starts.shift();
        if (this.starts.length < this.perWindow) { this.starts.push(now); return; }
        await this.clock.sleep(Math.max(1, Math.ceil(this.starts[0]! + this.windowMs - now)));
      }
    });
    this.chain = next;
    return next;
  }
}

/** A failure not worth retrying now (other 4xx, unreadable answer). */
class Permanent extends Error {}

function describeFetchError(e: unknown, timeoutMs: number): string {
  const err = e as { name?: string };
  if (err?.name === 'TimeoutError' || err?.name === 'AbortError') return `timeout after ${timeoutMs} ms`;
  return networkReason(e);
}

export class OnlineClient {
  requests = 0;
  private limit: LimitFunction;
  private rate: SlidingWindowLimiter;
  private readonly agents = new Agents();
  private readonly policy: RetryPolicy;
  private consecutiveOutages = 0;
  private lastOutage = '';
  private breakerOpen = false;

  constructor(readonly provider: OnlineProvider, private readonly o: HttpOptions) {
    this.limit = pLimit(Math.max(1, o.concurrency));
    this.rate = new SlidingWindowLimiter(o.ratePerSecond, 1000, o.rateClock);
    this.policy = { retries: o.retries, delayMs: o.retryDelayMs, maxDelayMs: o.maxRetryDelayMs, maxRetryAfterMs: o.maxRetryAfterMs, jitter: false };
  }

  /** Close idle keep-alive connections. */
  close(): void {
    this.agents.destroy();
  }

  private redact(s: string) { return redact(s, [this.provider.secret]); }

  private async fetchOnce(url: string): Promise<unknown> {
    await this.rate.acquire();
    this.requests++;
    this.o.onRequest?.();
    let res: Response;
    try {
      res = await this.agents.fetch(url, { signal: AbortSignal.timeout(this.o.timeoutMs), headers: { accept: 'application/json' } });
    } catch (e) {
      throw new TransientError(describeFetchError(e, this.o.timeoutMs));
    }
    if (res.status === 429 || res.status >= 500) {
      await res.arrayBuffer().catch(() => {});
      throw new TransientError(`HTTP ${res.status}`, parseRetryAfter(res.headers.get('retry-after')));
    }
    if (!res.ok) {
      await res.arrayBuffer().catch(() => {});
      throw new Permanent(`HTTP ${res.status}`);
    }
    let text: string;
    try {
      text = await textOf(res);
    } catch (e) {
      throw new TransientError(describeFetchError(e, this.o.timeoutMs));
    }
    try {
      return JSON.parse(text);
    } catch {
      throw new Permanent('invalid response (not JSON)');
    }
  }

  private outage(reason: string): OnlineAnswer {
    return { id: null, reason: `DAR unavailable: ${this.redact(reason)}`, outage: true };
  }

  wash(text: string): Promise<OnlineAnswer> {
    return this.limit(async () => {
      if (this.breakerOpen) {
        return this.outage(`${this.lastOutage} (not asked: ${this.consecutiveOutages} addresses in a row failed)`);
      }
      let body: unknown;
      try {
        body = await withRetries(() => this.fetchOnce(this.provider.url(text)), this.policy, this.o.onRetry);
      } catch (e) {
        const reason = e instanceof TransientError || e instanceof Permanent ? e.message : describeFetchError(e, this.o.timeoutMs);
        this.consecutiveOutages++;
        this.lastOutage = this.redact(reason);
        if (this.o.breakerThreshold > 0 && this.consecutiveOutages >= this.o.breakerThreshold) this.breakerOpen = true;
        return this.outage(reason);
      }
      this.consecutiveOutages = 0;
      try {
        const a = this.provider.interpret(body);
        return a.reason ? { ...a, reason: this.redact(a.reason) } : a;
      } catch (e) {
        return this.outage(`invalid response (${(e as Error).message})`);
      }
    });
  }
}

const collapse = (text: string) => text.normalize('NFC').replace(/\s+/g, ' ').trim();
const isRetiredDawa = (status: unknown) => Number(status) === 2 || Number(status) === 4;
const obj = (v: unknown): Record<string, unknown> | undefined =>
  v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;

/**
 * DAWA datavask: `GET {base}/datavask/adresser?betegnelse=<text>` (text cut to 100 characters).
 * A and B trusted; C unmatched. The id is the current address's (`aktueladresse`, same id as
 * `adresse` unless DAR replaced it); a retired current address (status 2/4), or a retired
 * `adresse` with no current one, is unmatched as 'retired address'.
 */
export function dawaProvider(base: string): OnlineProvider {
  const root = base.replace(/\/+$/, '');
  return {
    name: 'dawa',
    url: (text) => `${root}/datavask/adresser?betegnelse=${encodeURIComponent(Array.from(collapse(text)).slice(0, 100).join(''))}`,
    interpret(body) {
      const b = obj(body);
      if (!b || !Array.isArray(b['resultater'])) throw new Error('no resultater');
      const r0 = obj(b['resultater'][0]);
      if (!r0) return { id: null, reason: 'no match' };
      const kategori = b['kategori'];
      if (kategori === 'C') return { id: null, grade: 'C', reason: 'uncertain (category C)' };
      if (kategori !== 'A' && kategori !== 'B') throw new Error(`kategori ${JSON.stringify(kategori)}`);
      const adresse = obj(r0['adresse']);
      const aktuel = obj(r0['aktueladresse']);
      const current = aktuel ?? adresse;
      if (!current) throw new Error('no adresse');
      if (isRetiredDawa(current['status'])) return { id: null, reason: 'retired address' };
      const id = current['id'];
      if (typeof id !== 'string' || !UUID_RE.test(id)) throw new Error('no address id');
      return { id: id.toLowerCase(), grade: kategori };
    },
  };
}

/**
 * Klimadatastyrelsen Adressevask: `GET {base}/vask/?token=<token>&adresse=<text>`. A match needs
 * `vaskestatus.kode >= 0` and `vaskeresultat.adresse_id_lokalid`; otherwise `kode <n>: <tekst>`.
 */
export function adressevaskProvider(base: string, token: string): OnlineProvider {
  const root = base.replace(/\/+$/, '');
  return {
    name: 'adressevask',
    secret: token,
    url: (text) => `${root}/vask/?token=${encodeURIComponent(token)}&adresse=${encodeURIComponent(collapse(text))}`,
    interpret(body) {
      const b = obj(body);
      const status = obj(b?.['vaskestatus']);
      const kode = Number(status?.['kode']);
      if (!status || status['kode'] === null || status['kode'] === '' || !Number.isFinite(kode)) throw new Error('no vaskestatus.kode');
      const tekst = typeof status['tekst'] === 'string' && status['tekst'].trim() ? `: ${status['tekst'].trim()}` : '';
      const id = obj(b?.['vaskeresultat'])?.['adresse_id_lokalid'];
      if (kode >= 0 && typeof id === 'string' && UUID_RE.test(id)) return { id: id.toLowerCase() };
      if (kode >= 0) return { id: null, reason: `kode ${kode}${tekst} (no address id)` };
      return { id: null, reason: `kode ${kode}${tekst}` };
    },
  };
}
