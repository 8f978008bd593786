/** Fault injection for reliability tests (off by default), deterministic with a seed. */
export interface FaultOptions {
  /** Fraction of GraphQL requests answered with an HTTP error (`errorStatus`) before executing (nothing is written). */
  errorRate?: number;
  /** Status of the `errorRate` answers: default 500; 502/504 look like a gateway in front of MO. */
  errorStatus?: number;
  /**
   * Fraction of GraphQL requests executed (and committed) whose answer is then lost: the
   * connection is destroyed instead of answering, as when a proxy or the network drops MO's
   * answer after MO committed.
   */
  lostRate?: number;
  /**
   * The answers of exactly these write requests are lost after commit (1-based: the Nth GraphQL
   * request whose document is a mutation, counted from `set`), as `lostRate` does at random.
   */
  loseWrites?: number[];
  /** Milliseconds to wait after executing a GraphQL request before responding. */
  delayMs?: number;
  /** Fraction of GraphQL requests whose connection is destroyed before executing. */
  resetRate?: number;
  /** Seed of the fault decisions' random sequence. */
  seed?: number;
}

export type FaultDecision = 'none' | 'error' | 'reset' | 'lost';

/** mulberry32: a small seeded PRNG. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class FaultInjector {
  private options: FaultOptions = {};
  private random: () => number = Math.random;
  private writes = 0;

  constructor(options: FaultOptions = {}) {
    this.set(options);
  }

  set(options: FaultOptions): void {
    for (const key of ['errorRate', 'resetRate', 'lostRate'] as const) {
      const rate = options[key];
      if (rate !== undefined && !(rate >= 0 && rate <= 1)) throw new RangeError(`${key} must be between 0 and 1`);
    }
    if (options.errorStatus !== undefined && !(Number.isInteger(options.errorStatus) && options.errorStatus >= 400 && options.errorStatus <= 599)) {
      throw new RangeError('errorStatus must be an HTTP error status (400-599)');
    }
    if (options.loseWrites?.some((n) => !(Number.isInteger(n) && n >= 1))) throw new RangeError('loseWrites must be positive integers');
    this.options = { ...options };
    this.writes = 0;
    this.random = mulberry32(options.seed ?? (Date.now() ^ (process.pid << 16)));
  }

  get delayMs(): number {
    return this.options.delayMs ?? 0;
  }

  get errorStatus(): number {
    return this.options.errorStatus ?? 500;
  }

  /** Decide the fault for one GraphQL request (one random draw per configured rate). */
  decide(): FaultDecision {
    const { resetRate = 0, errorRate = 0, lostRate = 0 } = this.options;
    if (resetRate > 0 && this.random() < resetRate) return 'reset';
    if (errorRate > 0 && this.random() < errorRate) return 'error';
    if (lostRate > 0 && this.random() < lostRate) return 'lost';
    return 'none';
  }

  /** One executed GraphQL request: is its answer to be lost (`loseWrites`)? Counts the write requests. */
  loseAnswer(isWrite: boolean): boolean {
    if (!isWrite) return false;
    this.writes++;
    return this.options.loseWrites?.includes(this.writes) ?? false;
  }
}
