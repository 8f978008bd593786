/**
 * Engagements, addresses, IT users and managers ("organisation functions" in MO): create,
 * update (the given fields for `[from, to)`) and terminate, with their validators.
 */
import type { RequestContext } from '../context.ts';
import { dayToMs, maxDay, minDay } from '../dates.ts';
import { MoError } from '../errors.ts';
import { overlapsDays, periodAt, writeWindow, type Data } from '../periods.ts';
import { Ref } from '../read/responses.ts';
import type { Kind } from '../store.ts';
import { checkAddressValue } from './address-values.ts';
import {
  checkPersonRange,
  checkUnitRange,
  givenFields,
  newUuid,
  requireExisting,
  requireRef,
  terminate,
  terminationWindow,
  windowOf,
  type Input,
  type ValidityInput,
  type Window,
} from './common.ts';

type Mode = 'create' | 'update';

interface FunctionSpec {
  kind: Kind;
  /** Stored fields. */
  fields: readonly string[];
  /** Stored field → kind of the referenced object; on create MO looks up persons, org units and IT systems only (common.ts `requireRef`). */
  refs: Record<string, Kind>;
  /** The input's non-null values as stored fields (aliases resolved). */
  given(input: Input): Data;
  /** Adjust an update's patch (fields an update clears when left out). */
  updatePatch?(input: Input, patch: Data): void;
  /** Checks on a complete new object. */
  validateCreate?(data: Data): void;
  /** Checks on each period of the written window; `original` is the object before an update. */
  checkPiece(ctx: RequestContext, uuid: string, data: Data, w: Window, mode: Mode, original?: Data): void;
}

const personOf = (input: Input) => (input['person'] ?? input['employee'] ?? null) as string | null;

function withPerson(input: Input, fields: readonly string[]): Data {
  const data = givenFields(input, fields);
  const person = personOf(input);
  if (person) data['person'] = person;
  return data;
}

/**
 * V_DATE_OUTSIDE_ORG_UNIT_RANGE is checked on create only (`prepare_create` of engagement, address,
 * IT user in `mora/service/*.py`); their `prepare_edit` does not check the unit's range.
 */
const rangeChecks = (ctx: RequestContext, data: Data, w: Window, mode: Mode) => {
  // the person first, as `mora/service/engagement.py` `prepare_create` (an address or IT user has one of them)
  checkPersonRange(ctx, data['person'], w);
  if (mode === 'create') checkUnitRange(ctx, data['org_unit'], w);
};

const EXTENSIONS = Array.from({ length: 10 }, (_, i) => `extension_${i + 1}`);

const engagement: FunctionSpec = {
  kind: 'engagement',
  fields: ['user_key', 'person', 'org_unit', 'engagement_type', 'job_function', 'primary', 'fraction', ...EXTENSIONS],
  refs: { person: 'employee', org_unit: 'org_unit', engagement_type: 'class', job_function: 'class', primary: 'class' },
  given(input) {
    const data = withPerson(input, ['user_key', 'org_unit', 'engagement_type', 'job_function', 'primary', 'fraction', ...EXTENSIONS]);
    const fraction = data['fraction'];
    if (typeof fraction === 'number' && (fraction < 0 || fraction > 1_000_000)) {
      throw new MoError('E_INVALID_INPUT', 'fraction must be between 0 and 1000000', { fraction });
    }
    return data;
  },
  validateCreate(data) {
    if (!data['person']) throw new MoError('E_INVALID_INPUT', 'An engagement needs a person (person or employee).');
  },
  /**
   * `engagement_update` ignores `person`/`employee`: MO's `prepare_edit` (mora/service/engagement.py)
   * never reads them, so the engagement stays on its person (and an unknown person is not refused);
   * the pieces keep the original person, so V_DATE_OUTSIDE_EMPL_RANGE is checked against it.
   */
  updatePatch(_input, patch) {
    delete patch['person'];
  },
  checkPiece: (ctx, _uuid, data, w, mode) => rangeChecks(ctx, data, w, mode),
};

/**
 * The address type's scope, read as MO reads the class (`facet.get_one_class`: found also when
 * unpublished); an unknown class has none (`mora/service/address.py`: `checked_get(None, "scope",
 * required=True)` → V_MISSING_REQUIRED_VALUE, see checkAddressValue).
 */
function addressScope(ctx: RequestContext, addressType: string, at: string): unknown {
  const periods = ctx.storedPeriods('class', addressType);
  const period = periods.find((p) => p.from <= at && p.to > at) ?? periods[periods.length - 1];
  return period?.data['scope'] ?? null;
}

const address: FunctionSpec = {
  kind: 'address',
  fields: ['user_key', 'value', 'address_type', 'person', 'org_unit', 'engagement', 'ituser', 'visibility'],
  refs: {
    address_type: 'class',
    visibility: 'class',
    person: 'employee',
    org_unit: 'org_unit',
    engagement: 'engagement',
    ituser: 'ituser',
  },
  given: (input) => withPerson(input, ['user_key', 'value', 'address_type', 'org_unit', 'engagement', 'ituser', 'visibility']),
  validateCreate(data) {
    if (!data['person'] === !data['org_unit']) {
      throw new MoError('E_INVALID_INPUT', 'An address needs exactly one of org_unit or person.');
    }
  },
  /** The type and value first, then the ranges (`mora/service/address.py` `prepare_create`). */
  checkPiece(ctx, _uuid, data, w, mode) {
    checkAddressValue(ctx, addressScope(ctx, data['address_type'] as string, w.from), String(data['value'] ?? ''));
    rangeChecks(ctx, data, w, mode);
  },
};

const ituser: FunctionSpec = {
  kind: 'ituser',
  fields: ['user_key', 'itsystem', 'person', 'org_unit', 'engagements', 'external_id', 'binding_type', 'primary', 'note'],
  refs: { itsystem: 'itsystem', person: 'employee', org_unit: 'org_unit', engagements: 'engagement', primary: 'class' },
  given(input) {
    const data = withPerson(input, ['user_key', 'itsystem', 'org_unit', 'external_id', 'binding_type', 'primary', 'note']);
    if (input['engagement'] != null && input['engagements'] != null) {
      throw new MoError('E_INVALID_INPUT', 'Give engagement or engagements, not both.');
    }
    if (input['engagements'] != null) data['engagements'] = [...(input['engagements'] as string[])];
    else if (input['engagement'] != null) data['engagements'] = [input['engagement']];
    return data;
  },
  /** Exactly one of person and org_unit (`mora/graphapi/models.py` `ITUserCreate.validation`). */
  validateCreate(data) {
    if (!data['person'] === !data['org_unit']) throw new MoError('E_INVALID_INPUT', 'Exactly 1 of the fields org_unit or person must be set');
    data['engagements'] ??= [];
  },
  /**
   * No V_DUPLICATED_IT_USER: MO's ITUserUniqueGroupValidation (`mora/service/itsystem.py`) reads
   * the person's IT users through ItSystemBindingReader, which on GraphQL returns them with
   * `employee_uuid`/`itsystem_uuid` keys (`mora/handler/impl/it.py`, `is_graphql()`), while the
   * validation items are built from `person`/`itsystem`: the existing ones never match, so the
   * check never fires on GraphQL. `prepare_edit` has no range check at all (neither unit nor person).
   */
  checkPiece(ctx, _uuid, data, w, mode) {
    if (mode === 'create') rangeChecks(ctx, data, w, mode);
  },
};

const manager: FunctionSpec = {
  kind: 'manager',
  fields: ['user_key', 'person', 'org_unit', 'engagement', 'responsibility', 'manager_type', 'manager_level'],
  refs: {
    person: 'employee',
    // no org_unit: `manager_create` does not look its unit up (`mora/service/manager.py` `prepare_create`)
    engagement: 'engagement',
    responsibility: 'class',
    manager_type: 'class',
    manager_level: 'class',
  },
  given: (input) =>
    withPerson(input, ['user_key', 'org_unit', 'engagement', 'responsibility', 'manager_type', 'manager_level']),
  /**
   * `manager_create` has no unit range check; `manager_update` checks the window against the
   * ORIGINAL unit (`mora/service/manager.py` `prepare_create`/`prepare_edit`).
   */
  checkPiece(ctx, _uuid, data, w, mode, original) {
    if (mode === 'update') checkUnitRange(ctx, original?.['org_unit'], w);
    checkPersonRange(ctx, data['person'], w);
    // `manager_update` only (`validator.is_distinct_responsibility`, after the range checks)
    if (mode === 'update') {
      const list = (data['responsibility'] as string[] | null) ?? [];
      const duplicates = [...new Set(list.filter((r, i) => list.indexOf(r) !== i))].sort();
      if (duplicates.length) throw new MoError('V_DUPLICATED_RESPONSIBILITY', undefined, { duplicates });
    }
  },
  /**
   * `manager_update` without `person` makes the manager vacant; `responsibility: []` is dropped
   * like an omitted one, so the old list is kept (`ManagerUpdate.to_handler_dict`: `if self.responsibility`).
   */
  updatePatch(input, patch) {
    if (personOf(input) == null) patch['person'] = null;
    if (Array.isArray(patch['responsibility']) && patch['responsibility'].length === 0) delete patch['responsibility'];
  },
};

function checkRefs(ctx: RequestContext, spec: FunctionSpec, data: Data): void {
  for (const [field, kind] of Object.entries(spec.refs)) requireRef(ctx, kind, data[field], field);
}

function create(ctx: RequestContext, spec: FunctionSpec, input: Input): Ref {
  const uuid = newUuid(input);
  const w = windowOf(input['validity'] as ValidityInput, false);
  const data: Data = Object.fromEntries(spec.fields.map((f) => [f, null]));
  Object.assign(data, spec.given(input));
  data['user_key'] ??= uuid;
  spec.validateCreate?.(data);
  checkRefs(ctx, spec, data);
  const periods = w.from < w.to ? [{ from: w.from, to: w.to, data }] : [];
  // also a zero-length window: MO's range checks refuse it (common.ts checkUnitRange/checkPersonRange)
  spec.checkPiece(ctx, uuid, data, w, 'create');
  ctx.save(spec.kind, uuid, periods, data);
  ctx.countMutation(`${spec.kind}_create`);
  return new Ref(spec.kind, uuid);
}

function update(ctx: RequestContext, spec: FunctionSpec, input: Input): Ref {
  const uuid = input['uuid'] as string;
  const snapshot = requireExisting(ctx, spec.kind, uuid);
  const w = windowOf(input['validity'] as ValidityInput, false);
  const patch = spec.given(input);
  spec.updatePatch?.(input, patch);
  const next = writeWindow(ctx.storedPeriods(spec.kind, uuid), w.from, w.to, patch, snapshot);
  // a zero-length window meets no period, but MO's range checks run on it and refuse it
  if (w.from === w.to) spec.checkPiece(ctx, uuid, { ...snapshot, ...patch }, w, 'update', snapshot);
  for (const p of next) {
    if (overlapsDays(p, w.from, w.to)) {
      spec.checkPiece(ctx, uuid, p.data, { from: maxDay(p.from, w.from), to: minDay(p.to, w.to) }, 'update', snapshot);
    }
  }
  ctx.saveChange(spec.kind, uuid, next, { ...snapshot, ...patch });
  ctx.countMutation(`${spec.kind}_update`);
  return new Ref(spec.kind, uuid);
}

type Resolver = (src: unknown, args: { input: Input }, ctx: RequestContext) => Ref;

/**
 * MO's `_validate_no_active_rolebindings` (`mora/graphapi/it_user.py`), before the terminate: an IT
 * user with a rolebinding active at the termination date (`from`, else `to`) is refused,
 * V_TERMINATE_ITUSER_WITH_ROLEBINDINGS with the sorted `rolebinding_uuids`. Rolebindings are written
 * by other systems (store kind `rolebinding`, `ituser`).
 */
function checkNoActiveRolebindings(ctx: RequestContext, input: Input): void {
  const uuid = input['uuid'] as string;
  const at = dayToMs(terminationWindow(input).from);
  const active = ctx.store
    .uuidsByKey('rolebinding', 'ituser', [uuid])
    .filter((rb) => periodAt(ctx.periods('rolebinding', rb), at)?.data['ituser'] === uuid);
  if (active.length) throw new MoError('V_TERMINATE_ITUSER_WITH_ROLEBINDINGS', undefined, { rolebinding_uuids: active.sort() });
}

function mutators(spec: FunctionSpec): Record<string, Resolver> {
  return {
    [`${spec.kind}_create`]: (_s, { input }, ctx) => create(ctx, spec, input),
    [`${spec.kind}_update`]: (_s, { input }, ctx) => update(ctx, spec, input),
    [`${spec.kind}_terminate`]: (_s, { input }, ctx) => {
      if (spec.kind === 'ituser') checkNoActiveRolebindings(ctx, input);
      return terminate(ctx, spec.kind, input, `${spec.kind}_terminate`);
    },
  };
}

export const ORG_FUNCTION_MUTATIONS: Record<string, Resolver> = {
  ...mutators(engagement),
  ...mutators(address),
  ...mutators(ituser),
  ...mutators(manager),
};
