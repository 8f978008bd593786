/** employee_create / employee_update: a person is valid from the CPR birth date to infinity. */
import type { RequestContext } from '../context.ts';
import { NEG_INF, POS_INF } from '../dates.ts';
import { cprBirthDay } from '../cpr.ts';
import { MoError } from '../errors.ts';
import { writeWindow, type Data } from '../periods.ts';
import { Ref } from '../read/responses.ts';
import { givenFields, newUuid, requireExisting, windowOf, type Input, type ValidityInput } from './common.ts';

const FIELDS = ['user_key', 'given_name', 'surname', 'cpr_number', 'nickname_given_name', 'nickname_surname', 'seniority'];

/** The CPR number must not belong to another person (the same uuid may keep it). */
function checkCpr(ctx: RequestContext, uuid: string, cpr: unknown): void {
  if (typeof cpr !== 'string') return;
  const others = ctx.store.uuidsByKey('employee', 'cpr_number', [cpr]).filter((u) => u !== uuid);
  if (others.length) throw new MoError('V_EXISTING_CPR', undefined, { cpr, existing_uuid: others[0] });
}

function create(ctx: RequestContext, input: Input): Ref {
  const uuid = newUuid(input);
  const data: Data = Object.fromEntries(FIELDS.map((f) => [f, input[f] ?? null]));
  // one empty part is stored as it is; both empty is refused (`mora/service/employee.py` prepare_create)
  if (!data['given_name'] && !data['surname']) throw new MoError('V_MISSING_REQUIRED_VALUE', 'Missing required value.', { name: 'Missing name or givenname or surname' });
  data['user_key'] ??= uuid;
  checkCpr(ctx, uuid, data['cpr_number']);
  const birth = typeof data['cpr_number'] === 'string' ? (cprBirthDay(data['cpr_number']) ?? NEG_INF) : NEG_INF;
  ctx.save('employee', uuid, [{ from: birth, to: POS_INF, data }], data);
  ctx.countMutation('employee_create');
  return new Ref('employee', uuid);
}

function update(ctx: RequestContext, input: Input): Ref {
  const uuid = input['uuid'] as string;
  const snapshot = requireExisting(ctx, 'employee', uuid);
  const w = windowOf(input['validity'] as ValidityInput, false);
  const patch = givenFields(input, FIELDS);
  // an empty given_name or surname is skipped: MO keeps the value (`mora/service/employee.py`
  // prepare_edit: `if givenname:` / `if surname:`); empty nicknames are written (`is not None`)
  for (const f of ['given_name', 'surname']) if (patch[f] === '') delete patch[f];
  // V_EXISTING_CPR on create only (`mora/service/employee.py` `prepare_create`; not in prepare_edit)
  ctx.saveChange('employee', uuid, writeWindow(ctx.storedPeriods('employee', uuid), w.from, w.to, patch, snapshot), {
    ...snapshot,
    ...patch,
  });
  ctx.countMutation('employee_update');
  return new Ref('employee', uuid);
}

type Resolver = (src: unknown, args: { input: Input }, ctx: RequestContext) => Ref;

export const EMPLOYEE_MUTATIONS: Record<string, Resolver> = {
  employee_create: (_s, { input }, ctx) => create(ctx, input),
  employee_update: (_s, { input }, ctx) => update(ctx, input),
};
