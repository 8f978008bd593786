/**
 * Dates. Validity dates are plain calendar days `YYYY-MM-DD` (MO reads them as midnight
 * Europe/Copenhagen); instants (state file, journal) are ISO 8601 with the Copenhagen offset.
 */
export const TIME_ZONE = 'Europe/Copenhagen';

const wallClock = new Intl.DateTimeFormat('en-GB', {
  timeZone: TIME_ZONE,
  year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23',
});

/** A Copenhagen wall-clock reading, to the second. */
export interface Wall { y: number; mo: number; d: number; h: number; mi: number; s: number }

/** The Copenhagen wall clock at an instant (ms since the epoch). */
export function wallAt(ms: number): Wall {
  const p: Record<string, number> = {};
  for (const x of wallClock.formatToParts(new Date(ms))) if (x.type !== 'literal') p[x.type] = Number(x.value);
  return { y: p.year!, mo: p.month!, d: p.day!, h: p.hour!, mi: p.minute!, s: p.second! };
}

/** Date.UTC, with the years 0–99 taken as they are (Date.UTC reads them as 19yy). */
export function utcMs(y: number, mo: number, d: number, h = 0, mi = 0, s = 0, ms = 0): number {
  const date = new Date(Date.UTC(2000, mo - 1, d, h, mi, s, ms));
  date.setUTCFullYear(y);
  return date.getTime();
}

/** Offset of Copenhagen from UTC at an instant, in seconds (3600 or 7200 since 1980). */
export function offsetSecondsAt(ms: number): number {
  const whole = Math.floor(ms / 1000) * 1000;
  const w = wallAt(whole);
  return Math.round((utcMs(w.y, w.mo, w.d, w.h, w.mi, w.s) - whole) / 1000);
}

/**
 * The instant (ms) of a Copenhagen wall-clock time: the offset is the one in force at that
 * instant, so it is right on the DST change days too. A time that occurs twice (02:00–02:59 on
 * the last Sunday of October) is read as the later one (CET); one that never occurs (02:00–02:59
 * on the last Sunday of March) as the same time in CET, which the clock shows one hour later.
 */
export function localToMs(y: number, mo: number, d: number, h = 0, mi = 0, s = 0, ms = 0): number {
  const guess = utcMs(y, mo, d, h, mi, s, ms);
  const first = guess - offsetSecondsAt(guess) * 1000;
  return guess - offsetSecondsAt(first) * 1000;
}

/** Offset of Copenhagen from UTC at `date`, in minutes (60 or 120). */
export function offsetMinutes(date: Date): number {
  return Math.round(offsetSecondsAt(date.getTime()) / 60);
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');
const fmtOffset = (min: number) => `${min < 0 ? '-' : '+'}${pad(Math.floor(Math.abs(min) / 60))}:${pad(Math.abs(min) % 60)}`;

/** `2026-11-26T23:30:00.123+01:00` */
export function isoWithOffset(date: Date): string {
  const z = wallAt(date.getTime());
  const ms = pad(date.getTime() % 1000 < 0 ? 0 : date.getTime() % 1000, 3);
  return `${z.y}-${pad(z.mo)}-${pad(z.d)}T${pad(z.h)}:${pad(z.mi)}:${pad(z.s)}.${ms}${fmtOffset(offsetMinutes(date))}`;
}

/** Midnight Europe/Copenhagen of a calendar day, as an instant. */
export function copenhagenMidnight(day: string): Date {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  return new Date(localToMs(y, m, d));
}

/** The Copenhagen calendar day of an instant. */
export function copenhagenDay(date: Date): string {
  const z = wallAt(date.getTime());
  return `${z.y}-${pad(z.mo)}-${pad(z.d)}`;
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
  if (!zone) return new Date(localToMs(+y!, +mo!, +d!, +h, +mi!, +(s ?? 0), ms));
  const utc = Date.UTC(+y!, +mo! - 1, +d!, +h, +mi!, +(s ?? 0), ms);
  if (zone === 'Z') return new Date(utc);
  const sign = zone[0] === '-' ? -1 : 1;
  const [oh, om] = [zone.slice(1, 3), zone.slice(-2)].map(Number) as [number, number];
  return new Date(utc - sign * (oh * 60 + om) * 60000);
}
