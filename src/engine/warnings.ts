/**
 * Warnings made actionable: the same warning about many objects (1,478 units whose Med-i-LinjeOrg
 * MO cannot clear) is one group — its count, its first message and the first few examples — in
 * the summary and the JSON log; the report keeps every warning.
 */

export interface WarningGroup {
  /** the first warning of the group, as it was */
  first: string;
  count: number;
  /** what tells the first few apart: their FILE:LINE, or the uuid or value they name */
  examples: string[];
}

const LOCATION = /^([^\s:]+:\d+(?::\d+)?): /;
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;
const QUOTED = /"[^"]*"|'[^']*'/g;
const NUMBER = /\d+(?:[.,]\d+)*/g;

/** The shape of a warning: its location, uuids, quoted values and numbers left out. */
export const warningShape = (w: string) =>
  w.replace(LOCATION, '').replace(UUID, '<uuid>').replace(QUOTED, '<value>').replace(NUMBER, '<n>');

/** What identifies one warning of a group. */
function exampleOf(w: string): string {
  const at = LOCATION.exec(w)?.[1];
  if (at) return at;
  const id = w.match(UUID)?.[0] ?? w.match(QUOTED)?.[0];
  return id ?? (w.length > 60 ? `${w.slice(0, 59)}…` : w);
}

/** Warnings grouped by shape, in the order their groups first appear. */
export function groupWarnings(warnings: readonly string[], examples = 3): WarningGroup[] {
  const groups = new Map<string, WarningGroup>();
  for (const w of warnings) {
    const key = warningShape(w);
    const g = groups.get(key);
    if (!g) groups.set(key, { first: w, count: 1, examples: [exampleOf(w)] });
    else {
      g.count++;
      if (g.examples.length < examples) g.examples.push(exampleOf(w));
    }
  }
  return [...groups.values()];
}

/** One line per group: the warning itself, or `N× <first> — also <examples> …`. */
export function formatWarningGroup(g: WarningGroup): string {
  if (g.count === 1) return g.first;
  const more = g.count - g.examples.length;
  return `${g.count.toLocaleString('en-US')}× ${g.first} — also ${g.examples.slice(1).join(', ')}${more > 0 ? ` and ${more.toLocaleString('en-US')} more` : ''} (all in the report)`;
}
