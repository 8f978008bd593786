/** Value types of LOS columns: each parser returns the value or throws a message for the input error. */
import { isValidDay, dayString, nextDay } from '../time.ts';
import { isUuid } from '../uuid.ts';
import { maskCpr } from '../log.ts';

/** The last day that means "open-ended" (`31-12-9999` / `9999-12-31`; los-format.md). */
export const OPEN_END = '9999-12-31';

/**
 * MO's exclusive end of a period whose last day is `lastDay`: the day after, or null (open) for
 * OPEN_END. The one rule for StartDato/SlutDato and StartTid/SlutTid alike: any other day of year
 * 9999 (e.g. 9999-06-30) is a real last day.
 */
export const exclusiveEnd = (lastDay: string): string | null => (lastDay === OPEN_END ? null : nextDay(lastDay));

export class ValueError extends Error {}

/** `DD-MM-YYYY`, `YYYY-MM-DD` or `YYYY-MM-DD HH:MM:SS[.ffffff]` → `YYYY-MM-DD`. */
export function parseDate(text: string): string {
  let m = /^(\d{2})-(\d{2})-(\d{4})$/.exec(text);
  let y: number, mo: number, d: number;
  if (m) [d, mo, y] = [+m[1]!, +m[2]!, +m[3]!];
  else if ((m = /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2}):(\d{2})(?:\.\d{1,6})?)?$/.exec(text))) {
    [y, mo, d] = [+m[1]!, +m[2]!, +m[3]!];
    if (m[4] !== undefined && (+m[4] > 23 || +m[5]! > 59 || +m[6]! > 59)) throw new ValueError(`"${text}" has an invalid time`);
  } else throw new ValueError(`"${text}" is not a date (DD-MM-YYYY or YYYY-MM-DD HH:MM:SS.ffffff)`);
  if (!isValidDay(y, mo, d)) throw new ValueError(`"${text}" is not a real calendar day`);
  return dayString(y, mo, d);
}

const TRUE = new Set(['true', '1', 'yes', 'on', 't', 'y', 'ja', 'j']);
const FALSE = new Set(['false', '0', 'no', 'off', 'f', 'n', 'nej']);

export function parseBoolean(text: string): boolean {
  const v = text.trim().toLowerCase();
  if (TRUE.has(v)) return true;
  if (FALSE.has(v)) return false;
  throw new ValueError(`"${text}" is not a boolean (true/false, 1/0, yes/no, on/off, t/f, y/n)`);
}

export function parseYesNo(text: string): boolean {
  if (text === 'Ja') return true;
  if (text === 'Nej') return false;
  throw new ValueError(`"${text}" must be Ja or Nej`);
}

export function parseUuid(text: string): string {
  if (!isUuid(text)) throw new ValueError(`"${text}" is not a uuid`);
  return text.toLowerCase();
}

/** The date part of a CPR number (DDMMYY + the 7th digit's century rule) as y·10000 + m·100 + d (y ≥ 1800), or -1 if invalid. */
function cprDay(cpr: string): number {
  if (cpr.length !== 10) return -1;
  for (let i = 0; i < 10; i++) {
    const c = cpr.charCodeAt(i);
    if (c < 48 || c > 57) return -1;
  }
  // (no helper closure here: tsx names every closure it creates, which costs more than the arithmetic)
  const d = cpr.charCodeAt(0) * 10 + cpr.charCodeAt(1) - 528, m = cpr.charCodeAt(2) * 10 + cpr.charCodeAt(3) - 528;
  const yy = cpr.charCodeAt(4) * 10 + cpr.charCodeAt(5) - 528, c = cpr.charCodeAt(6) - 48;
  let century: number;
  if (c <= 3) century = 1900;
  else if (c === 4 || c === 9) century = yy <= 36 ? 2000 : 1900;
  else century = yy <= 57 ? 2000 : 1800;
  const y = century + yy;
  return isValidDay(y, m, d) ? y * 10000 + m * 100 + d : -1;
}

/** The birth date of a CPR number (DDMMYY + the 7th digit's century rule), or null if invalid. */
export function cprBirthDate(cpr: string): string | null {
  const day = cprDay(cpr);
  return day < 0 ? null : `${Math.floor(day / 10000)}-${cpr.slice(2, 4)}-${cpr.slice(0, 2)}`;
}

export function parseCpr(text: string): string {
  const cpr = text.indexOf('-') < 0 ? text : text.replace('-', '');
  if (!/^\d{10}$/.test(cpr)) throw new ValueError(`must be 10 digits`);
  if (cprDay(cpr) < 0) throw new ValueError(`${maskCpr(cpr)} has no valid date part`);
  return cpr;
}

export type ValueType = 'string' | 'uuid' | 'date' | 'boolean' | 'yesno' | 'cpr';

export const parsers: Record<ValueType, (text: string) => unknown> = {
  string: (t) => t,
  uuid: parseUuid,
  date: parseDate,
  boolean: parseBoolean,
  yesno: parseYesNo,
  cpr: parseCpr,
};

/**
 * `fn` remembering its results (not its errors) while texts recur: at 2,000 distinct texts, if
 * fewer than a quarter as many calls were answered from memory (a column of unique values such as
 * engagement uuids), it stops remembering.
 */
function remembered<T>(fn: (text: string) => T, limit = 100_000): (text: string) => T {
  let seen: Map<string, T> | null = new Map();
  let misses = 0, hits = 0;
  return (text) => {
    if (seen === null) return fn(text);
    let value = seen.get(text);
    if (value !== undefined) {
      hits++;
      return value;
    }
    value = fn(text);
    if (++misses === 2000 && hits < 500) seen = null;
    else {
      if (seen.size >= limit) seen.clear();
      seen.set(text, value);
    }
    return value;
  };
}

/**
 * A parser of `type` for one column, for one reading of a delivery. Dates and class and unit
 * uuids recur on many rows: it remembers them (and rows then share one string per value); a
 * column of mostly unique values (engagement uuids, CPR numbers) is parsed value by value.
 * Errors are not remembered (each invalid value is reported where it occurs).
 */
export function columnParser(type: ValueType): (text: string) => unknown {
  return type === 'uuid' || type === 'date' || type === 'cpr' ? remembered(parsers[type]) : parsers[type];
}
