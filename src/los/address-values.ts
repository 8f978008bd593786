/**
 * Address values checked at parse time against MO's rule for their address type's scope (the
 * rules of src/mo/address-values.ts, the same the emulator refuses with). A value MO would refuse
 * is not sent: that one address is skipped with a warning naming FILE:LINE:COLUMN, and the row's
 * unit, person and engagement are imported as usual.
 */
import { addressValueProblem, isAddressScope } from '../mo/address-values.ts';

export interface CellPosition { file: string; line: number; column: number; field: string }

/** The warning for a value MO refuses under `scope`, or null when MO takes it (or the scope has no rule). */
export function addressValueWarning(scope: string | null | undefined, value: string, at: CellPosition, what: string): string | null {
  if (!isAddressScope(scope)) return null;
  const problem = addressValueProblem(scope, value);
  if (!problem) return null;
  return `${at.file}:${at.line}:${at.column}: ${at.field} "${value}" is not ${problem.wants}; MO would refuse it (${problem.key}), so ${what} is skipped (the rest of the row is imported)`;
}
