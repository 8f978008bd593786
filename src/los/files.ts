/** LOS file names: kind (prefix) and the date in the name. */
const TIMED = /^(Org_inital|Org_nye|Org_ret|Pers_nye|Pers_ret|Pers_luk|Leder_nye|Leder_ret|Leder_luk)_(\d{4})(\d{2})(\d{2})_\d{6}\.csv$/i;

export type FileKind = 'STAM' | 'Org_inital' | 'Org_nye' | 'Org_ret' | 'Pers_nye' | 'Pers_ret' | 'Pers_luk' | 'Leder_nye' | 'Leder_ret' | 'Leder_luk';

export function fileKind(name: string): FileKind | null {
  if (/^STAM_UUID_[^/\\]+\.csv$/i.test(name)) return 'STAM';
  const m = TIMED.exec(name);
  if (!m) return null;
  const canonical = ['Org_inital', 'Org_nye', 'Org_ret', 'Pers_nye', 'Pers_ret', 'Pers_luk', 'Leder_nye', 'Leder_ret', 'Leder_luk'].find((k) => k.toLowerCase() === m[1]!.toLowerCase());
  return canonical as FileKind;
}

/** The file's date: the day in its name (`Org_ret_20240701_120000.csv` → 2024-07-01); null for STAM. */
export function fileDate(name: string): string | null {
  const m = TIMED.exec(name);
  return m ? `${m[2]}-${m[3]}-${m[4]}` : null;
}
