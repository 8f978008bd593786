/**
 * Plans for desired objects: each object's timeline against MO's → a MutationGroup of ordered
 * mutations, plus a readable line for the dry-run table and the report.
 */
import type { MutationGroup, ObjectRef } from '../mo/client.ts';
import { KINDS, type Kind } from '../mo/kinds.ts';
import { planTimeline, type Span, type TimedFields, type TimelineOp } from './timeline.ts';
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

const validity = (v: Span) => ({ from: v.from, to: v.to });

export function mutationsFor(kind: Kind, uuid: string, ops: TimelineOp[]) {
  const spec = KINDS[kind];
  return ops.map((op) => {
    if (op.op === 'terminate') {
      if (!spec.terminate) throw new Error(`${kind} cannot be terminated`);
      return { name: spec.terminate, input: { uuid, to: op.validity.to, ...(op.validity.from ? { from: op.validity.from } : {}) } };
    }
    if (op.op === 'create') {
      const input = { uuid, ...spec.input(op.fields, 'create') };
      return { name: spec.create, input: kind === 'employee' ? input : { ...input, validity: validity(op.validity) } };
    }
    return { name: spec.update, input: { uuid, ...spec.input(op.fields, 'update'), validity: validity(op.validity) } };
  });
}

export function planObject(object: DesiredObject, actual: TimedFields[] | null): ObjectPlan | null {
  const kind = object.kind as Kind;
  const spec = KINDS[kind];
  let ops = planTimeline(object.periods as TimedFields[], object.window.from, actual, { nullable: spec.nullable });
  // a kind MO cannot terminate (employees) keeps what MO has outside the desired periods
  if (!spec.terminate) ops = ops.filter((o) => o.op !== 'terminate');
  if (!ops.length) return null;
  const first = object.periods[0];
  const ref: ObjectRef = { kind, uuid: object.uuid, user_key: (first?.fields.user_key as string | undefined) ?? undefined, file: first?.source.file, line: first?.source.line };
  const part = (list: TimelineOp[]): PlanPart | null =>
    list.length
      ? {
          group: { ref, mutations: mutationsFor(kind, object.uuid, list) },
          changes: list.map((op): PlannedChange => ({
            kind, uuid: object.uuid, user_key: ref.user_key, operation: op.op, validity: op.validity,
            changed: op.op === 'update' ? op.changed : op.op === 'create' ? Object.keys(op.fields).filter((k) => op.fields[k] !== null) : undefined,
            file: ref.file, line: ref.line,
          })),
        }
      : null;
  return { forward: part(ops.filter((o) => o.op !== 'terminate')), ending: part(ops.filter((o) => o.op === 'terminate')) };
}
