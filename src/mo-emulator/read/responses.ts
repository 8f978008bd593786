/**
 * `XResponse` objects (a uuid plus `current` / `validities`) and the views of one period that
 * the object types (`OrganisationUnit`, `Class`, ...) resolve their fields from.
 */
import type { RequestContext } from '../context.ts';
import { parseInstant } from '../dates.ts';
import { overlaps, periodAt, type Interval, type Period } from '../periods.ts';
import type { Kind } from '../store.ts';

/** Source of an `XResponse`: `interval` is the reading interval of the query that found it. */
export class Ref {
  constructor(
    readonly kind: Kind,
    readonly uuid: string,
    readonly interval: Interval | null = null,
  ) {}
}

/** Source of an object type: one period of one object. */
export interface View { kind: Kind; uuid: string; period: Period }

const view = (ref: Ref, period: Period): View => ({ kind: ref.kind, uuid: ref.uuid, period });

interface CurrentArgs { at?: string | null }
interface ValiditiesArgs { start?: string | null; end?: string | null }

export function resolveCurrent(ref: Ref, args: CurrentArgs, ctx: RequestContext): View | null {
  const at = args.at == null ? ctx.now : parseInstant(args.at);
  const period = periodAt(ctx.periods(ref.kind, ref.uuid), at);
  return period ? view(ref, period) : null;
}

/**
 * `validities(start, end)`: an omitted bound follows MO's interval defaults (start = now,
 * end = start + 1 ms), an explicit null is unbounded; with both omitted the object's
 * reading interval from its query applies (or "now" outside a query).
 */
export function resolveValidities(ref: Ref, args: ValiditiesArgs, ctx: RequestContext): View[] {
  let interval: Interval;
  const hasStart = args.start !== undefined;
  const hasEnd = args.end !== undefined;
  if (!hasStart && !hasEnd) interval = ref.interval ?? ctx.nowInterval();
  else {
    const from = !hasStart ? ctx.now : args.start === null ? -Infinity : parseInstant(args.start!);
    const to = !hasEnd
      ? from === -Infinity
        ? Infinity
        : from + 1
      : args.end === null
        ? Infinity
        : parseInstant(args.end!);
    interval = { from, to };
  }
  const periods = ctx.periods(ref.kind, ref.uuid);
  return periods.filter((p) => overlaps(p, interval)).map((p) => view(ref, p));
}
