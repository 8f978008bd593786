/**
 * CPR numbers: DDMMYY-SSSS where the 7th digit together with YY gives the century
 * (the CPR office's rule) and the last digit is odd for men and even for women.
 */
import { type Day, day, ymd } from './dates.ts';
import type { Rng } from './random.ts';

/** The 7th digits allowed for a birth year. */
export function centuryDigits(year: number): number[] {
  const yy = year % 100;
  if (year >= 1858 && year <= 1899) return yy >= 58 ? [5, 6, 7, 8] : [];
  if (year >= 1900 && year <= 1999) return yy >= 37 ? [0, 1, 2, 3, 4, 9] : [0, 1, 2, 3];
  if (year >= 2000 && year <= 2036) return [4, 5, 6, 7, 8, 9];
  if (year >= 2037 && year <= 2057) return [5, 6, 7, 8];
  return [];
}

/** The birth year a CPR's YY and 7th digit stand for. */
export function centuryYear(yy: number, digit7: number): number {
  if (digit7 <= 3) return 1900 + yy;
  if (digit7 === 4 || digit7 === 9) return yy <= 36 ? 2000 + yy : 1900 + yy;
  return yy <= 57 ? 2000 + yy : 1800 + yy;
}

/** The birth date of a CPR number, or undefined when its date part is not a date. */
export function cprBirthDate(cpr: string): Day | undefined {
  if (!/^\d{10}$/.test(cpr)) return undefined;
  const dd = Number(cpr.slice(0, 2));
  const mm = Number(cpr.slice(2, 4));
  const year = centuryYear(Number(cpr.slice(4, 6)), Number(cpr[6]));
  const d = day(year, mm, dd);
  const [y2, m2, d2] = ymd(d);
  return y2 === year && m2 === mm && d2 === dd ? d : undefined;
}

/** A CPR number for someone born on `birth`. */
export function makeCpr(rng: Rng, birth: Day, female: boolean): string {
  const [y, m, d] = ymd(birth);
  const digit7 = rng.pick(centuryDigits(y));
  const middle = String(rng.int(0, 99)).padStart(2, '0');
  const last = female ? rng.pick([0, 2, 4, 6, 8]) : rng.pick([1, 3, 5, 7, 9]);
  return `${String(d).padStart(2, '0')}${String(m).padStart(2, '0')}${String(y % 100).padStart(2, '0')}${digit7}${middle}${last}`;
}
