/** Value types of LOS columns: each parser returns the value or throws a message for the input error. */
import { isValidDay, dayString } from '../time.ts';
import { isUuid } from '../uuid.ts';

export const OPEN_END = '9999-12-31';

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

/** The birth date of a CPR number (DDMMYY + the 7th digit's century rule), or null if invalid. */
export function cprBirthDate(cpr: string): string | null {
  if (!/^\d{10}$/.test(cpr)) return null;
  const d = +cpr.slice(0, 2), m = +cpr.slice(2, 4), yy = +cpr.slice(4, 6), c = +cpr[6]!;
  let century: number;
  if (c <= 3) century = 1900;
  else if (c === 4 || c === 9) century = yy <= 36 ? 2000 : 1900;
  else century = yy <= 57 ? 2000 : 1800;
  const y = century + yy;
  return isValidDay(y, m, d) ? dayString(y, m, d) : null;
}

export function parseCpr(text: string): string {
  const cpr = text.replace('-', '');
  if (!/^\d{10}$/.test(cpr)) throw new ValueError(`must be 10 digits`);
  if (!cprBirthDate(cpr)) throw new ValueError(`${cpr.slice(0, 6)}xxxx has no valid date part`);
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
