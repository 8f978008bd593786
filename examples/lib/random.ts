/**
 * A small seeded PRNG (mulberry32) with the helpers the delivery generator needs.
 * Deterministic: the same seed gives the same sequence on every machine and Node version.
 */
import { createHash } from 'node:crypto';

export class Rng {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** An independent stream for one part of the generator, so that changing one part does not shift the others. */
  fork(label: string): Rng {
    const h = createHash('md5').update(`${this.state}:${label}`).digest();
    return new Rng(h.readUInt32LE(0));
  }

  /** A float in [0, 1). */
  next(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer in [min, max] (both inclusive). */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('pick from an empty list');
    return items[Math.floor(this.next() * items.length)]!;
  }

  /** Pick by weight: `[[value, weight], ...]`. */
  weighted<T>(items: readonly (readonly [T, number])[]): T {
    const total = items.reduce((sum, [, w]) => sum + w, 0);
    let r = this.next() * total;
    for (const [value, w] of items) {
      if ((r -= w) < 0) return value;
    }
    return items[items.length - 1]![0];
  }

  /** A picker for a long weighted list: cumulative weights once, then a binary search per pick. */
  picker<T>(items: readonly (readonly [T, number])[]): () => T {
    const cumulative: number[] = [];
    let total = 0;
    for (const [, w] of items) cumulative.push((total += w));
    return () => {
      const r = this.next() * total;
      let lo = 0;
      let hi = cumulative.length - 1;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (cumulative[mid]! > r) hi = mid;
        else lo = mid + 1;
      }
      return items[lo]![0];
    };
  }

  /** Fisher–Yates, in place; returns the array. */
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1));
      [items[i], items[j]] = [items[j]!, items[i]!];
    }
    return items;
  }

  /** `n` distinct items (order random). */
  sample<T>(items: readonly T[], n: number): T[] {
    return this.shuffle([...items]).slice(0, Math.min(n, items.length));
  }

  /** A string of `n` decimal digits (the first one not 0 unless `leadingZero`). */
  digits(n: number, leadingZero = false): string {
    let out = leadingZero ? '' : String(this.int(1, 9));
    while (out.length < n) out += String(this.int(0, 9));
    return out;
  }

  /** A random (version 4 style) uuid. */
  uuid(): string {
    const hex = Array.from({ length: 4 }, () => (Math.floor(this.next() * 2 ** 32) >>> 0).toString(16).padStart(8, '0')).join('');
    const v = `${hex.slice(0, 12)}4${hex.slice(13, 16)}${((parseInt(hex[16]!, 16) & 3) | 8).toString(16)}${hex.slice(17)}`;
    return `${v.slice(0, 8)}-${v.slice(8, 12)}-${v.slice(12, 16)}-${v.slice(16, 20)}-${v.slice(20, 32)}`;
  }
}

/**
 * A fast, deterministic, non-cryptographic 128-bit hash of a string as a uuid (cyrb128).
 * For bulk data where md5 per record would be too slow; not the los-format.md uuids.
 */
export function fastUuid(text: string): string {
  let h1 = 1779033703, h2 = 3144134277, h3 = 1013904242, h4 = 2773480762;
  for (let i = 0; i < text.length; i++) {
    const k = text.charCodeAt(i);
    h1 = h2 ^ Math.imul(h1 ^ k, 597399067);
    h2 = h3 ^ Math.imul(h2 ^ k, 2869860233);
    h3 = h4 ^ Math.imul(h3 ^ k, 951274213);
    h4 = h1 ^ Math.imul(h4 ^ k, 2716044179);
  }
  h1 = Math.imul(h3 ^ (h1 >>> 18), 597399067);
  h2 = Math.imul(h4 ^ (h2 >>> 22), 2869860233);
  h3 = Math.imul(h1 ^ (h3 >>> 17), 951274213);
  h4 = Math.imul(h2 ^ (h4 >>> 19), 2716044179);
  h1 ^= h2 ^ h3 ^ h4;
  h2 ^= h1;
  h3 ^= h1;
  h4 ^= h1;
  const a = hex8(h1), b = hex8(h2), c = hex8(h3), d = hex8(h4);
  return `${a}-${b.slice(0, 4)}-${b.slice(4)}-${c.slice(0, 4)}-${c.slice(4)}${d}`;
}

const hex8 = (h: number) => {
  const text = (h >>> 0).toString(16);
  return text.length === 8 ? text : '00000000'.slice(text.length) + text;
};
