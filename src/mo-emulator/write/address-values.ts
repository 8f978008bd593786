/** Address values are checked by the scope of their address type class (MO's address handlers). */
import { MoError } from '../errors.ts';

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const CHECKS: Record<string, { key: string; valid: (v: string) => boolean } | null> = {
  EMAIL: { key: 'V_INVALID_ADDRESS_EMAIL', valid: (v) => /^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(v) },
  PHONE: { key: 'V_INVALID_ADDRESS_PHONE', valid: (v) => /^\+?\d+$/.test(v) },
  EAN: { key: 'V_INVALID_ADDRESS_EAN', valid: (v) => /^\d{13}$/.test(v) },
  PNUMBER: { key: 'V_INVALID_ADDRESS_PNUMBER', valid: (v) => /^\d{10}$/.test(v) },
  WWW: {
    key: 'V_INVALID_ADDRESS_WWW',
    valid: (v) => /^(https?:\/\/)?[\w-]+(\.[\w-]+)+(:\d+)?([/?#]\S*)?$/i.test(v),
  },
  DAR: { key: 'V_INVALID_ADDRESS_DAR', valid: (v) => UUID_RE.test(v) },
  UUID: { key: 'V_INVALID_ADDRESS_UUID', valid: (v) => UUID_RE.test(v) },
  TEXT: null,
  MULTIFIELD_TEXT: null,
};

/**
 * Check an address value against its type's scope. An unknown (or missing) scope is
 * E_INVALID_INPUT.
 */
export function checkAddressValue(scope: unknown, value: string): void {
  if (typeof scope !== 'string' || !(scope in CHECKS)) {
    throw new MoError('E_INVALID_INPUT', `Unknown address type scope: ${String(scope)}`, { scope });
  }
  const check = CHECKS[scope];
  if (check && !check.valid(value)) throw new MoError(check.key, undefined, { value });
}
