/** The dar-lookup step's pure parts: which row values to wash, applying the answers, the failure lists. */
import type { UnitRow, UnitSpec } from '../los/types.ts';
import type { DarFailure } from '../../schemas/dar-lookup.schema.ts';
import { failureFileName, formatFailureFile } from './index.ts';
import type { WashResult } from './types.ts';

/** Address suffixes whose values are DAR texts (mapping `dar: true`). */
export const darSuffixes = (spec: UnitSpec) => spec.addresses.filter((a) => a.dar).map((a) => a.suffix);

/** Distinct non-empty texts of the DAR columns, in order of appearance. */
export function darTexts(rows: UnitRow[], suffixes: string[]): string[] {
  const seen = new Set<string>();
  for (const r of rows) for (const s of suffixes) {
    const v = r.addresses[s];
    if (v) seen.add(v);
  }
  return [...seen];
}

/**
 * Replace each DAR text by its id; an unmatched text becomes null, its suffix is listed in the row's
 * `unmatched` (merge keeps the address MO has rather than ending it) and the row in `failed`.
 */
export function applyWash(rows: UnitRow[], suffixes: string[], results: Map<string, WashResult>): { rows: UnitRow[]; failed: DarFailure[] } {
  const failed: DarFailure[] = [];
  const out = rows.map((r) => {
    let addresses = r.addresses;
    // (parse-units may have listed suffixes already: values MO would refuse)
    let unmatched: string[] | undefined = r.unmatched ? [...r.unmatched] : undefined;
    for (const s of suffixes) {
      const text = r.addresses[s];
      if (!text) continue;
      const res = results.get(text);
      const id = res?.id ?? null;
      if (!id) {
        failed.push({ org_unit: r.uuid, text, reason: res?.reason ?? 'not washed', file: r.file, line: r.line });
        (unmatched ??= []).push(s);
      }
      if (addresses === r.addresses) addresses = { ...r.addresses };
      addresses[s] = id;
    }
    return addresses === r.addresses ? r : unmatched ? { ...r, addresses, unmatched } : { ...r, addresses };
  });
  return { rows: out, failed };
}

/** The failure lists per source CSV: `failed_addr_<csv name>` → content (docs/dar.md). */
export function failureLists(failed: DarFailure[]): Map<string, string> {
  const byFile = new Map<string, DarFailure[]>();
  for (const f of failed) {
    const list = byFile.get(f.file);
    if (list) list.push(f);
    else byFile.set(f.file, [f]);
  }
  const out = new Map<string, string>();
  for (const [file, list] of byFile) {
    out.set(failureFileName(file), formatFailureFile(list.sort((a, b) => a.line - b.line).map((f) => ({ orgUuid: f.org_unit, postAddress: f.text, reason: f.reason }))));
  }
  return out;
}
