/** Danish CPR numbers: DDMMYYSSSS, the century follows from the 7th digit. */
import { isValidCalendarDate, type Day } from './dates.ts';

function century(yy: number, digit7: number): number {
  if (digit7 <= 3) return 1900;
  if (digit7 === 4 || digit7 === 9) return yy <= 36 ? 2000 : 1900;
  return yy <= 57 ? 2000 : 1800;
}

/** The birth date in a CPR number, or null if it is not 10 digits with a valid date part. */
export function cprBirthDay(cpr: string): Day | null {
  if (!/^\d{10}$/.test(cpr)) return null;
  const dd = Number(cpr.slice(0, 2));
  const mm = Number(cpr.slice(2, 4));
  const yy = Number(cpr.slice(4, 6));
  const year = century(yy, Number(cpr[6])) + yy;
  if (!isValidCalendarDate(year, mm, dd)) return null;
  return `${year}-${cpr.slice(2, 4)}-${cpr.slice(0, 2)}`;
}
