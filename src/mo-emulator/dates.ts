/**
 * MO's time model: validity bounds are dates at midnight Europe/Copenhagen, stored as
 * `YYYY-MM-DD` with the sentinels `-infinity` / `infinity`. The sentinels sort correctly
 * against ISO dates as plain strings ('-' < '0' < '9' < 'i'), so bounds compare with `<`.
 */
import { MoError } from './errors.ts';
import { localToMs, offsetSecondsAt, utcMs, wallAt } from '../time.ts';

export type Day = string;
export const NEG_INF: Day = '-infinity';
export const POS_INF: Day = 'infinity';

const dayMsCache = new Map<Day, number>();

/** The instant of midnight Copenhagen at the start of `day` (±Infinity for the sentinels). */
export function dayToMs(day: Day): number {
  if (day === NEG_INF) return -Infinity;
  if (day === POS_INF) return Infinity;
  let ms = dayMsCache.get(day);
  if (ms === undefined) {
    ms = localToMs(Number(day.slice(0, 4)), Number(day.slice(5, 7)), Number(day.slice(8, 10)));
    if (dayMsCache.size > 50_000) dayMsCache.clear();
    dayMsCache.set(day, ms);
  }
  return ms;
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** The Copenhagen calendar day an instant falls on. */
export function msToDay(ms: number): Day {
  const w = wallAt(ms);
  return `${pad(w.y, 4)}-${pad(w.mo)}-${pad(w.d)}`;
}

function formatOffset(seconds: number): string {
  const sign = seconds < 0 ? '-' : '+';
  const abs = Math.abs(seconds);
  const text = `${sign}${pad(Math.floor(abs / 3600))}:${pad(Math.floor((abs % 3600) / 60))}`;
  return abs % 60 ? `${text}:${pad(abs % 60)}` : text;
}

/** `2024-01-01` → `2024-01-01T00:00:00+01:00`; sentinels → null. */
export function formatDay(day: Day): string | null {
  if (day === NEG_INF || day === POS_INF) return null;
  return `${day}T00:00:00${formatOffset(offsetSecondsAt(dayToMs(day)))}`;
}

export function isValidCalendarDate(y: number, mo: number, d: number): boolean {
  if (mo < 1 || mo > 12 || d < 1) return false;
  const last = new Date(Date.UTC(2000, mo, 0));
  last.setUTCFullYear(y, mo, 0);
  return d <= last.getUTCDate();
}

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATETIME_RE =
  /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,6}))?)?(Z|z|[+-]\d{2}(?::?\d{2})?)?$/;

interface Parsed { y: number; mo: number; d: number; h: number; mi: number; s: number; ms: number; offset: number | null }

function parseIso(text: string): Parsed | null {
  let m = DATE_RE.exec(text);
  if (m) {
    const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
    return isValidCalendarDate(y, mo, d) ? { y, mo, d, h: 0, mi: 0, s: 0, ms: 0, offset: null } : null;
  }
  m = DATETIME_RE.exec(text);
  if (!m) return null;
  const [y, mo, d, h, mi] = [Number(m[1]), Number(m[2]), Number(m[3]), Number(m[4]), Number(m[5])];
  const s = Number(m[6] ?? 0);
  const ms = m[7] ? Math.floor(Number(`0.${m[7]}`) * 1000) : 0;
  if (!isValidCalendarDate(y, mo, d) || h > 23 || mi > 59 || s > 59) return null;
  let offset: number | null = null;
  const tz = m[8];
  if (tz) {
    if (tz === 'Z' || tz === 'z') offset = 0;
    else {
      const digits = tz.slice(1).replace(':', '');
      const sign = tz[0] === '-' ? -1 : 1;
      offset = sign * (Number(digits.slice(0, 2)) * 3600 + Number(digits.slice(2, 4) || 0) * 60);
    }
  }
  return { y, mo, d, h, mi, s, ms, offset };
}

/** Whether a DateTime scalar value is well-formed. */
export const isIsoDateTime = (text: string) => parseIso(text) !== null;

/** An instant (ms) from a DateTime value; date-only and naive values are Copenhagen time. */
export function parseInstant(text: string): number {
  const p = parseIso(text);
  if (!p) throw new MoError('E_INVALID_INPUT', `Invalid datetime: ${text}`);
  if (p.offset === null) return localToMs(p.y, p.mo, p.d, p.h, p.mi, p.s, p.ms);
  return utcMs(p.y, p.mo, p.d, p.h, p.mi, p.s, p.ms) - p.offset * 1000;
}

/** A validity bound from input: must be midnight Europe/Copenhagen, else E_INVALID_INPUT. */
export function parseInputDay(text: string, field = 'date'): Day {
  const p = parseIso(text);
  if (!p) throw new MoError('E_INVALID_INPUT', `Invalid ${field}: ${text}`);
  if (p.offset === null) {
    if (p.h || p.mi || p.s || p.ms) {
      throw new MoError('E_INVALID_INPUT', `${field} must be at midnight, got ${text}`, { [field]: text });
    }
    return `${pad(p.y, 4)}-${pad(p.mo)}-${pad(p.d)}`;
  }
  const ms = utcMs(p.y, p.mo, p.d, p.h, p.mi, p.s, p.ms) - p.offset * 1000;
  const day = msToDay(ms);
  if (dayToMs(day) !== ms) {
    throw new MoError('E_INVALID_INPUT', `${field} must be at midnight Europe/Copenhagen, got ${text}`, {
      [field]: text,
    });
  }
  return day;
}

export const minDay = (a: Day, b: Day) => (a < b ? a : b);
export const maxDay = (a: Day, b: Day) => (a > b ? a : b);
