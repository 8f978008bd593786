/**
 * Dates. Validity dates are plain calendar days `YYYY-MM-DD` (MO reads them as midnight
 * Europe/Copenhagen); instants (state file, journal) are ISO 8601 with the Copenhagen offset.
 */
export const TIME_ZONE = 'Europe/Copenhagen';

const partsFormat = new Intl.DateTimeFormat('en-GB', {
  timeZone: TIME_ZONE,
  year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23',
});

function zoned(date: Date) {
  const p = Object.fromEntries(partsFormat.formatToParts(date).map((x) => [x.type, x.value]));
  return { y: +p.year!, m: +p.month!, d: +p.day!, h: +p.hour!, min: +p.minute!, s: +p.second! };
}

/** Offset of Copenhagen from UTC at `date`, in minutes (60 or 120). */
export function offsetMinutes(date: Date): number {
  const z = zoned(date);
  const asUtc = Date.UTC(z.y, z.m - 1, z.d, z.h, z.min, z.s);
  return Math.round((asUtc - Math.floor(date.getTime() / 1000) * 1000) / 60000);
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');
const fmtOffset = (min: number) => `${min < 0 ? '-' : '+'}${pad(Math.floor(Math.abs(min) / 60))}:${pad(Math.abs(min) % 60)}`;

/** `2026-11-26T23:30:00.123+01:00` */
export function isoWithOffset(date: Date): string {
  const z = zoned(date);
  const ms = pad(date.getTime() % 1000 < 0 ? 0 : date.getTime() % 1000, 3);
  return `${z.y}-${pad(z.m)}-${pad(z.d)}T${pad(z.h)}:${pad(z.min)}:${pad(z.s)}.${ms}${fmtOffset(offsetMinutes(date))}`;
}

/** Midnight Europe/Copenhagen of a calendar day, as an instant. */
export function copenhagenMidnight(day: string): Date {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  const guess = new Date(Date.UTC(y, m - 1, d) - 60 * 60000);
  const off = offsetMinutes(guess);
  const result = new Date(Date.UTC(y, m - 1, d) - off * 60000);
  // around a DST change the guess may be on the other side; correct once
  const off2 = offsetMinutes(result);
  return off2 === off ? result : new Date(Date.UTC(y, m - 1, d) - off2 * 60000);
}

/** The Copenhagen calendar day of an instant. */
export function copenhagenDay(date: Date): string {
  const z = zoned(date);
  return `${z.y}-${pad(z.m)}-${pad(z.d)}`;
}

const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * Is `y-m-d` a real calendar day? As JavaScript's Date sees it (a year 1–99 is not one: Date.UTC
 * reads it as 19yy), by arithmetic for the years 100–9999.
 */
export function isValidDay(y: number, m: number, d: number): boolean {
  if (m < 1 || m > 12 || d < 1 || y < 1) return false;
  if (y > 9999 || !Number.isInteger(y) || !Number.isInteger(m) || !Number.isInteger(d)) {
    const dt = new Date(Date.UTC(y, m - 1, d));
    return dt.getUTCFullYear() === y && dt.getUTCMonth() === m - 1 && dt.getUTCDate() === d;
  }
  if (y < 100) return false;
  if (d <= 28) return true;
  const leap = y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);
  return d <= (m === 2 && leap ? 29 : MONTH_DAYS[m - 1]!);
}

export const dayString = (y: number, m: number, d: number) => `${pad(y, 4)}-${pad(m)}-${pad(d)}`;

/** Add days to a calendar day. */
export function addDays(day: string, n: number): string {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  const dt = new Date(Date.UTC(y, m - 1, d + n));
  return dayString(dt.getUTCFullYear(), dt.getUTCMonth() + 1, dt.getUTCDate());
}

const nextDays = new Map<string, string>();

/** addDays(day, 1), remembered: the same few thousand days recur on every row of a delivery. */
export function nextDay(day: string): string {
  let next = nextDays.get(day);
  if (next === undefined) {
    if (nextDays.size >= 100_000) nextDays.clear();
    nextDays.set(day, (next = addDays(day, 1)));
  }
  return next;
}

/** Parse an ISO date or date-time; a value without offset is Copenhagen local time. */
export function parseIsoDateTime(text: string): Date | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,6}))?)?(Z|[+-]\d{2}:?\d{2})?)?$/.exec(text.trim());
  if (!m) return null;
  const [, y, mo, d, h, mi, s, frac, zone] = m;
  if (!isValidDay(+y!, +mo!, +d!)) return null;
  if (h === undefined) return copenhagenMidnight(`${y}-${mo}-${d}`);
  const ms = frac ? Math.round(Number(`0.${frac}`) * 1000) : 0;
  const utc = Date.UTC(+y!, +mo! - 1, +d!, +h, +mi!, +(s ?? 0), ms);
  if (zone) {
    if (zone === 'Z') return new Date(utc);
    const sign = zone[0] === '-' ? -1 : 1;
    const [oh, om] = [zone.slice(1, 3), zone.slice(-2)].map(Number) as [number, number];
    return new Date(utc - sign * (oh * 60 + om) * 60000);
  }
  const midnight = copenhagenMidnight(`${y}-${mo}-${d}`);
  return new Date(midnight.getTime() + (+h * 3600 + +mi! * 60 + +(s ?? 0)) * 1000 + ms);
}
