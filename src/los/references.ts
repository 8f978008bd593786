/**
 * References (schemas/parse-persons.schema.ts): the values of rows that name objects a parse step
 * cannot check. One reference per file, column and value, holding the lines of every row giving
 * that value: an org unit or class named by thousands of rows is one small object, not thousands.
 */
import type { Reference } from './types.ts';

export type ReferenceKind = Reference['kind'];

/**
 * The references of one column of one file, added to `out` in order of first appearance: call the
 * result with each row's value and line (lines ascending, as the rows are read).
 */
export function referenceColumn(out: Reference[], kind: ReferenceKind, file: string, at: { column: number; field: string }, facet?: string): (value: string, line: number) => void {
  const byValue = new Map<string, number[]>();
  const { column, field } = at;
  return (value, line) => {
    const lines = byValue.get(value);
    if (lines) {
      lines.push(line);
      return;
    }
    const fresh = [line];
    byValue.set(value, fresh);
    if (kind === 'person') out.push({ kind, cpr: value, file, column, field, lines: fresh });
    else if (facet !== undefined) out.push({ kind, uuid: value, facet, file, column, field, lines: fresh });
    else out.push({ kind, uuid: value, file, column, field, lines: fresh });
  };
}
