/**
 * Address values are checked by the scope of their address type class (MO's address handlers,
 * `mora/service/address_handler/*.py`), with the rules in `src/mo/address-values.ts`. A DAR value
 * is also looked up in the emulator's DAR register when it has one, as MO looks it up in DAR.
 */
import { addressValueProblem, isAddressScope, pythonUuid } from '../../mo/address-values.ts';
import type { RequestContext } from '../context.ts';
import { MoError } from '../errors.ts';

/**
 * Check an address value against its type's scope. No scope (or no such class) is
 * V_MISSING_REQUIRED_VALUE (`util.checked_get(type_obj, "scope", "", required=True)`), an unknown
 * one E_INVALID_INPUT (`address_handler/base.py` `get_handler_for_scope`).
 */
export function checkAddressValue(ctx: RequestContext, scope: unknown, value: string): void {
  if (scope == null) throw new MoError('V_MISSING_REQUIRED_VALUE', 'Missing scope', { key: 'scope' });
  if (!isAddressScope(scope)) {
    throw new MoError('E_INVALID_INPUT', `Unknown address type scope: ${String(scope)}`, { scope });
  }
  const problem = addressValueProblem(scope, value);
  if (problem) throw new MoError(problem.key, undefined, { value });
  if (scope === 'DAR' && ctx.darIds && !ctx.darIds.has(pythonUuid(value)!)) {
    throw new MoError('V_INVALID_ADDRESS_DAR', undefined, { value });
  }
}
