/** Root `Mutation` resolvers. */
import type { RequestContext } from '../context.ts';
import { CLASSIFICATION_MUTATIONS } from './classifications.ts';
import { EMPLOYEE_MUTATIONS } from './employees.ts';
import { ORG_FUNCTION_MUTATIONS } from './org-functions.ts';
import { ORG_UNIT_MUTATIONS } from './org-units.ts';

/** The root organisation always exists ("root"); org_create only sets the municipality code. */
function orgCreate(_src: unknown, args: { input: { municipality_code?: number | null } }, ctx: RequestContext) {
  const org = ctx.store.rootOrg();
  if (args.input.municipality_code !== undefined) org.municipality_code = args.input.municipality_code;
  ctx.store.setRootOrg(org);
  ctx.countMutation('org_create');
  return org;
}

export const MUTATION_RESOLVERS: Record<string, (src: unknown, args: never, ctx: RequestContext) => unknown> = {
  org_create: orgCreate,
  ...CLASSIFICATION_MUTATIONS,
  ...ORG_UNIT_MUTATIONS,
  ...EMPLOYEE_MUTATIONS,
  ...ORG_FUNCTION_MUTATIONS,
};
