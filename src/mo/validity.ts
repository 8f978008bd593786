/**
 * MO's validity model as los2mo reads and plans it: an object's fields over a span of days
 * (`YYYY-MM-DD`; `to` is exclusive, null = open). Shared by the MO readers (mo/) and the
 * planner (plan/), which sits above them.
 */
export type Fields = Record<string, string | null>;

export interface Span {
  from: string | null;
  to: string | null;
}

export interface TimedFields extends Span {
  fields: Fields;
}
