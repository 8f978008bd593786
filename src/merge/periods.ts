/** Timelines of half-open periods [from, to) of calendar days (to null = open), as in DesiredObject. */
import type { Period } from '../../schemas/desired.schema.ts';

export const sameFields = (a: Period['fields'], b: Period['fields']) => {
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  return ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && a[k] === b[k]);
};

/** Sort by `from` and join consecutive periods with equal fields that touch (a.to = b.from). The earlier period's source is kept. */
export function normalisePeriods(periods: Period[]): Period[] {
  const sorted = [...periods].sort((a, b) => (a.from < b.from ? -1 : a.from > b.from ? 1 : 0));
  const out: Period[] = [];
  for (const p of sorted) {
    const last = out[out.length - 1];
    if (last && last.to !== null && last.to === p.from && sameFields(last.fields, p.fields)) {
      out[out.length - 1] = { ...last, to: p.to };
    } else out.push({ ...p, fields: { ...p.fields }, source: { ...p.source } });
  }
  return out;
}

/** `to` before `to2`, with null = open (latest). */
export const endsBefore = (to: string | null, to2: string | null) => to !== null && (to2 === null || to < to2);
