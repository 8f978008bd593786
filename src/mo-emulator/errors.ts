/**
 * MO's error shape: a GraphQL error whose message is `ErrorCodes.<KEY>` and whose
 * `extensions.error_context` is `{error: true, error_key, description, status, ...extra}`.
 */
import { GraphQLError } from 'graphql';

const STATUS: Record<string, number> = {
  V_EXISTING_CPR: 409,
  E_NOT_FOUND: 404,
  E_ORG_UNIT_NOT_FOUND: 404,
  E_USER_NOT_FOUND: 404,
  E_UNAUTHORIZED: 401,
  E_UNKNOWN: 500,
};

const DESCRIPTIONS: Record<string, string> = {
  E_INVALID_INPUT: 'Invalid input.',
  E_UNKNOWN: 'Unknown Error.',
  E_NOT_FOUND: 'Not found.',
  E_ORG_UNIT_NOT_FOUND: 'Org unit not found.',
  E_USER_NOT_FOUND: 'User not found.',
  V_MISSING_REQUIRED_VALUE: 'Missing required value.',
  V_DUPLICATED_RESPONSIBILITY: 'Manager has the same responsibility more than once.',
  V_EXISTING_CPR: 'Person with CPR number already exists.',
  V_DUPLICATED_IT_USER: 'The same IT user already exists for this person.',
  V_DATE_OUTSIDE_ORG_UNIT_RANGE: 'Date range exceeds validity range of associated org unit.',
  V_DATE_OUTSIDE_EMPL_RANGE: 'Date range exceeds validity range of associated employee.',
  V_TERMINATE_UNIT_WITH_CHILDREN_AND_ROLES:
    'Cannot terminate unit with active children and roles.',
  V_TERMINATE_UNIT_WITH_CHILDREN: 'Cannot terminate unit with active children.',
  V_TERMINATE_UNIT_WITH_ROLES: 'Cannot terminate unit with active roles.',
  V_TERMINATE_ITUSER_WITH_ROLEBINDINGS: 'Cannot terminate IT user with active rolebindings.',
  V_ORG_UNIT_MOVE_TO_CHILD: 'Org unit cannot be moved to one of its own child units',
  V_INVALID_ADDRESS_EMAIL: 'Invalid email address.',
  V_INVALID_ADDRESS_PHONE: 'Invalid phone number.',
  V_INVALID_ADDRESS_DAR: 'Invalid DAR address.',
  V_INVALID_ADDRESS_EAN: 'Invalid EAN number.',
  V_INVALID_ADDRESS_PNUMBER: 'Invalid P-number.',
  V_INVALID_ADDRESS_WWW: 'Invalid web address.',
  V_INVALID_ADDRESS_UUID: 'Invalid UUID.',
};

export class MoError extends GraphQLError {
  readonly errorKey: string;
  constructor(key: string, description?: string, extra: Record<string, unknown> = {}) {
    const context = {
      error: true,
      error_key: key,
      description: description ?? DESCRIPTIONS[key] ?? key,
      status: STATUS[key] ?? 400,
      ...extra,
    };
    super(`ErrorCodes.${key}`, { extensions: { error_context: context } });
    this.errorKey = key;
  }
}

/** The MO error key of a GraphQL error, if it has one. */
export function errorKeyOf(error: { extensions?: Record<string, unknown> }): string | undefined {
  const context = error.extensions?.['error_context'] as { error_key?: unknown } | undefined;
  return typeof context?.error_key === 'string' ? context.error_key : undefined;
}
