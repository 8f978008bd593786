/**
 * Joining periods: the one implementation for the merges (src/merge/), and the MO emulator's
 * histories. A period is half-open, `[from, to)`; `to` null = open (never touches a later one).
 */

/**
 * Join touching periods — `a.to === b.from` — for which `same(a, b)` holds into one period that
 * keeps the earlier one's other properties (its fields, its source). `periods` must be sorted by
 * `from` and must not overlap. The input is not changed: a joined period is a new object.
 */
export function joinTouching<P extends { from: string; to: string | null }>(periods: Iterable<P>, same: (a: P, b: P) => boolean): P[] {
  const out: P[] = [];
  for (const p of periods) {
    const last = out[out.length - 1];
    if (last !== undefined && last.to !== null && last.to === p.from && same(last, p)) out[out.length - 1] = { ...last, to: p.to };
    else out.push(p);
  }
  return out;
}
