/**
 * Plans for desired objects: each object's timeline against MO's → the operations it needs
 * (`objectOps`), and from those, when they are written or reported, a MutationGroup of ordered
 * mutations and readable lines for the dry-run table and the report.
 */
import type { MutationGroup, Mutation, ObjectRef } from '../mo/client.ts';
import { KINDS, type Kind } from '../mo/kinds.ts';
import { createOps, planTimeline, type Span, type TimedFields, type TimelineOp } from './timeline.ts';
import type { DesiredObject } from '../../schemas/desired.schema.ts';

export interface PlannedChange {
  kind: string;
  uuid: string;
  user_key?: string;
  operation: string;
  validity?: Span;
  changed?: string[];
  file?: string;
  line?: number;
}

/** One object's mutations for one phase, with the readable changes. */
export interface PlanPart {
  group: MutationGroup;
  changes: PlannedChange[];
}

/**
 * An object's plan in two parts: creates and updates (written parents first), and terminations
 * (written after everything else, roles before units and children before parents, since MO
 * refuses to end a unit that still has active children or roles). The two cover disjoint windows.
 */
export interface ObjectPlan {
  forward: PlanPart | null;
  ending: PlanPart | null;
}

/**
 * One part of an object's plan: its operations, or CREATE (MO lacks the object: a create from
 * the first desired period and an update for each further one, `createOps`). CREATE is what an
 * initial import plans for every object; it is spelled out only when the object is written.
 */
export const CREATE = 'create' as const;
export type PartOps = TimelineOp[] | typeof CREATE;

/** What an object needs: CREATE, or its forward and ending operations (either may be empty); null = nothing. */
export type ObjectOps = typeof CREATE | { forward: TimelineOp[]; ending: TimelineOp[] } | null;

export function objectOps(object: DesiredObject, actual: TimedFields[] | null): ObjectOps {
  if (!actual || actual.length === 0) return object.periods.length ? CREATE : null;
  const spec = KINDS[object.kind as Kind];
  const ops = planTimeline(object.periods as TimedFields[], object.window.from, actual, { nullable: spec.nullable, carried: spec.carried, fixed: spec.fixed, keptWhenEmpty: spec.keptWhenEmpty });
  if (!ops.length) return null;
  const forward: TimelineOp[] = [];
  const ending: TimelineOp[] = [];
  for (const op of ops) {
    if (op.op !== 'terminate') forward.push(op);
    // a kind MO cannot terminate (employees) keeps what MO has outside the desired periods
    else if (spec.terminate) ending.push(op);
  }
  return forward.length || ending.length ? { forward, ending } : null;
}

/** Operations in a part (= mutations = planned changes). */
export const sizeOf = (object: DesiredObject, ops: PartOps) =>
  ops !== CREATE ? ops.length : KINDS[object.kind as Kind].keptWhenEmpty && object.periods.length > 1 ? opsOf(object, ops).length : object.periods.length;

const opsOf = (object: DesiredObject, ops: PartOps): TimelineOp[] => (ops === CREATE ? createOps(object.periods as TimedFields[], KINDS[object.kind as Kind].keptWhenEmpty) : ops);

export function refOf(object: DesiredObject): ObjectRef {
  const first = object.periods[0];
  return { kind: object.kind, uuid: object.uuid, user_key: (first?.fields.user_key as string | undefined) ?? undefined, file: first?.source.file, line: first?.source.line };
}

export function mutationsFor(kind: Kind, uuid: string, ops: TimelineOp[]): Mutation[] {
  const spec = KINDS[kind];
  const out: Mutation[] = [];
  for (const op of ops) {
    if (op.op === 'terminate') {
      if (!spec.terminate) throw new Error(`${kind} cannot be terminated`);
      out.push({ name: spec.terminate, input: op.validity.from ? { uuid, to: op.validity.to, from: op.validity.from } : { uuid, to: op.validity.to } });
    } else {
      const input: Record<string, unknown> = { uuid, ...spec.input(op.fields, op.op) };
      if (op.op === 'update' || kind !== 'employee') input.validity = { from: op.validity.from, to: op.validity.to };
      out.push({ name: op.op === 'create' ? spec.create : spec.update, input });
    }
  }
  return out;
}

/** The mutation group of one part of an object's plan. */
export function groupOf(object: DesiredObject, ops: PartOps): MutationGroup {
  return { ref: refOf(object), mutations: mutationsFor(object.kind as Kind, object.uuid, opsOf(object, ops)) };
}

/** The readable changes of one part of an object's plan. */
export function changesOf(object: DesiredObject, ops: PartOps, ref = refOf(object)): PlannedChange[] {
  return opsOf(object, ops).map((op): PlannedChange => ({
    kind: object.kind, uuid: object.uuid, user_key: ref.user_key, operation: op.op, validity: op.validity,
    changed: op.op === 'update' ? op.changed : op.op === 'create' ? Object.keys(op.fields).filter((k) => op.fields[k] !== null) : undefined,
    file: ref.file, line: ref.line,
  }));
}

/** One object's whole plan, built out (tests, and what a phase builds per object when writing). */
export function planObject(object: DesiredObject, actual: TimedFields[] | null): ObjectPlan | null {
  const ops = objectOps(object, actual);
  if (!ops) return null;
  const part = (list: PartOps): PlanPart | null => (sizeOf(object, list) ? { group: groupOf(object, list), changes: changesOf(object, list) } : null);
  return ops === CREATE ? { forward: part(CREATE), ending: null } : { forward: part(ops.forward), ending: part(ops.ending) };
}
