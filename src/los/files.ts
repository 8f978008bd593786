/**
 * LOS file names (los-format.md; the one list of file kinds is in schemas/files.schema.ts): STAM files have fixed names
 * (`STAM_UUID_<facet>.csv`), the others are `PREFIX_YYYYMMDD_HHMMSS.csv`, the prefix spelt exactly
 * as the delivery spells it (`Org_inital`, sic). The source lists only these names (src/source/names.ts);
 * any other file on the source is a warning of the run (steps/fetch.ts).
 */
import { isValidDay } from '../time.ts';
import { LOS_TIMED_KINDS, type FileKind } from '../../schemas/files.schema.ts';

export { LOS_FILE_KINDS, LOS_TIMED_KINDS, type FileKind } from '../../schemas/files.schema.ts';

/** The timed kinds of one family, in processing order: `Pers` → Pers_nye, Pers_ret, Pers_luk. */
export function timedKindsOf<F extends 'Org' | 'Pers' | 'Leder'>(family: F): readonly Extract<FileKind, `${F}_${string}`>[] {
  return LOS_TIMED_KINDS.filter((k): k is Extract<FileKind, `${F}_${string}`> => k.startsWith(`${family}_`));
}

const CSV = String.raw`\.(?:csv|CSV)`;
/** `PREFIX_YYYYMMDD_HHMMSS.csv`: kind, year, month, day. */
export const TIMED_NAME = new RegExp(String.raw`^(${LOS_TIMED_KINDS.join('|')})_(\d{4})(\d{2})(\d{2})_(\d{2})(\d{2})(\d{2})${CSV}$`);
/** STAM files have fixed names such as STAM_UUID_Enhedstype.csv: letters, digits, _ and -. */
export const STAM_NAME = new RegExp(String.raw`^STAM_UUID_[A-Za-z0-9ÆØÅæøå_-]+${CSV}$`);

/** The kind of a LOS file name, or null for any other name (including an impossible date or time in it). */
export function fileKind(name: string): FileKind | null {
  if (STAM_NAME.test(name)) return 'STAM';
  const m = TIMED_NAME.exec(name);
  if (!m || !isValidDay(+m[2]!, +m[3]!, +m[4]!) || +m[5]! > 23 || +m[6]! > 59 || +m[7]! > 59) return null;
  return m[1] as FileKind;
}

/** The file's date: the day in its name (`Org_ret_20240701_120000.csv` → 2024-07-01); null for STAM and other names. */
export function fileDate(name: string): string | null {
  if (fileKind(name) === null) return null;
  const m = TIMED_NAME.exec(name);
  return m ? `${m[2]}-${m[3]}-${m[4]}` : null;
}
