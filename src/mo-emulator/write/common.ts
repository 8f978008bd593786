/** Shared parts of the mutators: validity input, existence and reference checks, date ranges. */
import { randomUUID } from 'node:crypto';
import type { RequestContext } from '../context.ts';
import { NEG_INF, POS_INF, parseInputDay, type Day } from '../dates.ts';
import { MoError } from '../errors.ts';
import { covers, cutWindow, type Data } from '../periods.ts';
import { Ref } from '../read/responses.ts';
import type { Kind } from '../store.ts';

export interface ValidityInput { from?: string | null; to?: string | null }
export interface Window { from: Day; to: Day }
export type Input = Record<string, unknown>;

/**
 * A validity window from input. `openFrom` (ValidityInput / RAOpenValidityInput): a missing
 * `from` is -infinity; otherwise (RAValidityInput) `from` is required. A missing `to` is
 * +infinity. Both bounds must be at midnight Europe/Copenhagen and `from <= to`.
 */
export function windowOf(validity: ValidityInput | null | undefined, openFrom: boolean): Window {
  const fromText = validity?.from ?? null;
  if (fromText === null && !openFrom) throw new MoError('V_MISSING_START_DATE', 'Missing start date.');
  const from = fromText === null ? NEG_INF : parseInputDay(fromText, 'from');
  const to = validity?.to == null ? POS_INF : parseInputDay(validity.to, 'to');
  if (from > to) throw new MoError('E_INVALID_INPUT', `from (${from}) must not be after to (${to})`, { from, to });
  return { from, to };
}

/** The effect window of `X_terminate{uuid, to, from?}`: `[to, ∞)`, or `[from, to)` with from. */
export function terminationWindow(input: Input): Window {
  const to = parseInputDay(input['to'] as string, 'to');
  if (input['from'] == null) return { from: to, to: POS_INF };
  const from = parseInputDay(input['from'] as string, 'from');
  if (from > to) throw new MoError('E_INVALID_INPUT', `from (${from}) must not be after to (${to})`, { from, to });
  return { from, to };
}

/** Terminate (make inactive / unpublish) an object on a window. */
export function terminate(ctx: RequestContext, kind: Kind, input: Input, name: string): Ref {
  const uuid = input['uuid'] as string;
  const snapshot = requireExisting(ctx, kind, uuid);
  const w = terminationWindow(input);
  ctx.saveChange(kind, uuid, cutWindow(ctx.storedPeriods(kind, uuid), w.from, w.to), snapshot);
  ctx.countMutation(name);
  return new Ref(kind, uuid);
}

/** The key MO answers for an unknown uuid to update/terminate (org units: `mora/service/orgunit.py` `prepare_edit`). */
const UNKNOWN_KEY: Partial<Record<Kind, string>> = { org_unit: 'E_ORG_UNIT_NOT_FOUND' };

/** The last written values of an object that must exist (update / terminate), else E_NOT_FOUND / E_ORG_UNIT_NOT_FOUND. */
export function requireExisting(ctx: RequestContext, kind: Kind, uuid: string): Data {
  const snapshot = ctx.snapshot(kind, uuid);
  if (!snapshot) throw new MoError(UNKNOWN_KEY[kind] ?? 'E_NOT_FOUND', `No ${kind} with uuid ${uuid}`, { uuid, kind });
  return snapshot;
}

/**
 * The references MO looks up, and its key when one is not in LoRa at all (existence, not
 * validity: a unit ended everywhere is found, and then fails its range check):
 * - org unit: `validator.is_date_range_in_org_unit_range` → E_ORG_UNIT_NOT_FOUND;
 * - person: `validator.is_date_range_in_obj_range` → E_USER_NOT_FOUND;
 * - IT system of a new IT user: `mora/service/itsystem.py` `prepare_create` → E_NOT_FOUND.
 * Nothing else is looked up: classes (types, functions, levels, responsibilities, primary,
 * visibility, a class's facet/parent/owner/IT system) and links to engagements or IT users are
 * LoRa relations without a foreign key, taken as given — also unknown or unpublished ones. The
 * address type is read for its scope (`checkAddressValue`).
 */
const LOOKED_UP: Partial<Record<Kind, string>> = { org_unit: 'E_ORG_UNIT_NOT_FOUND', employee: 'E_USER_NOT_FOUND', itsystem: 'E_NOT_FOUND' };

/** A reference MO looks up must exist (see LOOKED_UP); other kinds are not checked. */
export function requireRef(ctx: RequestContext, kind: Kind, uuid: unknown, field: string): void {
  const key = LOOKED_UP[kind];
  if (uuid == null || !key) return;
  for (const u of Array.isArray(uuid) ? uuid : [uuid]) {
    if (!ctx.snapshot(kind, u as string)) throw new MoError(key, `${field}: no ${kind} with uuid ${u}`, { field, uuid: u });
  }
}

/**
 * `[from, to)` must lie inside the org unit's validity (always on in GraphQL). A zero-length
 * window is outside any range (`validator._is_date_range_valid`: `valid_from >= valid_to` → False).
 */
export function checkUnitRange(ctx: RequestContext, unit: unknown, w: Window): void {
  if (typeof unit !== 'string') return;
  requireRef(ctx, 'org_unit', unit, 'org_unit');
  if (w.from >= w.to || !covers(ctx.periods('org_unit', unit), w.from, w.to)) {
    throw new MoError('V_DATE_OUTSIDE_ORG_UNIT_RANGE', undefined, { org_unit_uuid: unit, valid_from: w.from, valid_to: w.to });
  }
}

/** `[from, to)` must lie inside the person's validity (always on in GraphQL); zero-length is outside. */
export function checkPersonRange(ctx: RequestContext, person: unknown, w: Window): void {
  if (typeof person !== 'string') return;
  requireRef(ctx, 'employee', person, 'person');
  if (w.from >= w.to || !covers(ctx.periods('employee', person), w.from, w.to)) {
    throw new MoError('V_DATE_OUTSIDE_EMPL_RANGE', undefined, { employee_uuid: person, valid_from: w.from, valid_to: w.to });
  }
}

/** The input's non-null values of the given fields (update: omitted/null keeps the old value). */
export function givenFields(input: Input, fields: readonly string[]): Data {
  const out: Data = {};
  for (const f of fields) if (input[f] != null) out[f] = input[f];
  return out;
}

/** The input's values of the given fields, null when absent (create). */
export function allFields(input: Input, fields: readonly string[]): Data {
  const out: Data = {};
  for (const f of fields) out[f] = input[f] ?? null;
  return out;
}

export const newUuid = (input: Input) => (input['uuid'] as string | null | undefined) ?? randomUUID();
