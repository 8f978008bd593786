/**
 * Period algebra of the bitemporal-enough model: an object's history is an ordered list of
 * non-overlapping half-open periods `[from, to)`, each with the object's full field values.
 */
import { dayToMs, maxDay, minDay, type Day } from './dates.ts';
import { joinTouching } from '../periods.ts';

export type Data = Record<string, unknown>;
export interface Period { from: Day; to: Day; data: Data }

const byFrom = (a: Period, b: Period) => (a.from < b.from ? -1 : a.from > b.from ? 1 : 0);

function stableJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  const obj = value as Record<string, unknown>;
  return `{${Object.keys(obj)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${stableJson(obj[k])}`)
    .join(',')}}`;
}

export const sameData = (a: Data, b: Data) => stableJson(a) === stableJson(b);

/** Sort, drop empty periods and merge touching periods with identical data. */
export function normalise(periods: Period[]): Period[] {
  const kept = [...periods].sort(byFrom).filter((p) => p.from < p.to).map((p) => ({ ...p }));
  return joinTouching(kept, (a, b) => sameData(a.data, b.data));
}

/**
 * Write `patch` over `[from, to)`: existing periods are split at the window's bounds and
 * patched inside it; gaps inside the window are filled from the nearest period (earlier
 * first, else later, else `fallback`), so an update revives a terminated object there.
 */
export function writeWindow(periods: Period[], from: Day, to: Day, patch: Data, fallback: Data): Period[] {
  const sorted = [...periods].sort(byFrom);
  const out: Period[] = [];
  const inside: Period[] = [];
  for (const p of sorted) {
    if (p.to <= from || p.from >= to) {
      out.push(p);
      continue;
    }
    if (p.from < from) out.push({ from: p.from, to: from, data: p.data });
    const piece = { from: maxDay(p.from, from), to: minDay(p.to, to), data: { ...p.data, ...patch } };
    inside.push(piece);
    if (p.to > to) out.push({ from: to, to: p.to, data: p.data });
  }
  const baseFor = (gapFrom: Day): Data => {
    let before: Period | undefined;
    let after: Period | undefined;
    for (const p of sorted) {
      if (p.to <= gapFrom) before = p;
      else if (!after && p.from >= gapFrom) after = p;
    }
    return (before ?? after)?.data ?? fallback;
  };
  let cursor = from;
  const gaps: Period[] = [];
  for (const piece of inside) {
    if (piece.from > cursor) gaps.push({ from: cursor, to: piece.from, data: { ...baseFor(cursor), ...patch } });
    cursor = piece.to;
  }
  if (cursor < to) gaps.push({ from: cursor, to, data: { ...baseFor(cursor), ...patch } });
  return normalise([...out, ...inside, ...gaps]);
}

/** Remove `[from, to)` from the history (terminate / unpublish). */
export function cutWindow(periods: Period[], from: Day, to: Day): Period[] {
  const out: Period[] = [];
  for (const p of periods) {
    if (p.to <= from || p.from >= to) out.push(p);
    else {
      if (p.from < from) out.push({ from: p.from, to: from, data: p.data });
      if (p.to > to) out.push({ from: to, to: p.to, data: p.data });
    }
  }
  return normalise(out);
}

/** Whether the union of the periods covers `[from, to)` without gaps. */
export function covers(periods: Period[], from: Day, to: Day): boolean {
  let cursor = from;
  for (const p of [...periods].sort(byFrom)) {
    if (p.to <= cursor) continue;
    if (p.from > cursor) return false;
    cursor = p.to;
    if (cursor >= to) return true;
  }
  return cursor >= to;
}

/** An instant interval, both ends inclusive (±Infinity = unbounded). */
export interface Interval { from: number; to: number }

/** Whether `[p.from, p.to)` and the closed interval `[i.from, i.to]` share an instant. */
export const overlaps = (p: Period, i: Interval) => dayToMs(p.from) <= i.to && dayToMs(p.to) > i.from;

/** The period containing an instant. */
export const periodAt = (periods: Period[], at: number) =>
  periods.find((p) => dayToMs(p.from) <= at && dayToMs(p.to) > at);

/** Whether `[from, to)` (days) overlaps a period. */
export const overlapsDays = (p: Period, from: Day, to: Day) => p.from < to && p.to > from;

