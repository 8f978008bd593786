/**
 * Calendar days as integers (days since 1970-01-01), formatted the ways LOS writes them.
 * All arithmetic in UTC, so the output does not depend on the machine's time zone.
 */
export type Day = number;

const MS_PER_DAY = 86_400_000;

export const day = (y: number, m: number, d: number): Day => Date.UTC(y, m - 1, d) / MS_PER_DAY;

/** The open end LOS writes as `31-12-9999` / `9999-12-31 00:00:00.000000`. */
export const OPEN: Day = day(9999, 12, 31);

export function ymd(d: Day): [number, number, number] {
  const date = new Date(d * MS_PER_DAY);
  return [date.getUTCFullYear(), date.getUTCMonth() + 1, date.getUTCDate()];
}

const p2 = (n: number) => String(n).padStart(2, '0');
const p4 = (n: number) => String(n).padStart(4, '0');

/** `DD-MM-YYYY` (Org files). */
export function dmy(d: Day): string {
  const [y, m, dd] = ymd(d);
  return `${p2(dd)}-${p2(m)}-${p4(y)}`;
}

/** `YYYY-MM-DD` */
export function isoDate(d: Day): string {
  const [y, m, dd] = ymd(d);
  return `${p4(y)}-${p2(m)}-${p2(dd)}`;
}

/** `YYYY-MM-DD 00:00:00.000000` (Pers files, some Org rows). */
export const isoDateTime = (d: Day, time = '00:00:00.000000') => `${isoDate(d)} ${time}`;

/** The same calendar date `years` later (29 February → 28 February). */
export function addYears(d: Day, years: number): Day {
  const [y, m, dd] = ymd(d);
  const target = day(y + years, m, dd);
  return ymd(target)[1] === m ? target : day(y + years, m, 28);
}

/** The first day of the month `months` after the month of `d`. */
export function firstOfMonth(d: Day, months = 0): Day {
  const [y, m] = ymd(d);
  return Date.UTC(y, m - 1 + months, 1) / MS_PER_DAY;
}

/** Parse `DD-MM-YYYY`, `YYYY-MM-DD` or `YYYY-MM-DD HH:MM:SS(.ffffff)`; undefined when invalid. */
export function parseLosDate(text: string): Day | undefined {
  let m = /^(\d{2})-(\d{2})-(\d{4})$/.exec(text);
  let y: number, mo: number, d: number;
  if (m) [y, mo, d] = [Number(m[3]), Number(m[2]), Number(m[1])];
  else if ((m = /^(\d{4})-(\d{2})-(\d{2})(?: \d{2}:\d{2}:\d{2}(?:\.\d{1,6})?)?$/.exec(text))) [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  else return undefined;
  const result = day(y, mo, d);
  const [cy, cm, cd] = ymd(result);
  return cy === y && cm === mo && cd === d ? result : undefined;
}

/** Epoch milliseconds of a file-name timestamp `YYYYMMDD_HHMMSS` (read as UTC). */
export function stampMillis(stamp: string): number {
  const m = /^(\d{4})(\d{2})(\d{2})_(\d{2})(\d{2})(\d{2})$/.exec(stamp);
  if (!m) throw new Error(`bad file stamp ${stamp}`);
  return Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]));
}

/** The day of a file-name timestamp. */
export const stampDay = (stamp: string): Day => Math.floor(stampMillis(stamp) / MS_PER_DAY);
