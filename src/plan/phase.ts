/**
 * A phase of the writing order (the seed's classes, a kind, one level of org units, the endings
 * of a kind …): its groups are written together, in this order, after the phase before it. A
 * phase is a `GroupSource` for `MoClient.write`: the groups of an object phase are made from the
 * plan only when their batch is sent, so the whole import's mutation inputs never exist at once.
 */
import type { GroupSource, MutationGroup } from '../mo/client.ts';
import { KINDS, type Kind } from '../mo/kinds.ts';
import { changesOf, groupOf, sizeOf, type PartOps, type PlannedChange } from './operations.ts';
import type { DesiredObject } from '../../schemas/desired.schema.ts';

export interface Phase extends GroupSource {
  label: string;
  /** groups (objects) */
  readonly length: number;
  /** mutations of each group; one planned change per mutation */
  readonly sizes: readonly number[];
  /** planned changes (mutations) in all */
  readonly changes: number;
  /** the readable changes of group i */
  changesOf(i: number): PlannedChange[];
}

/** A phase of groups already made, `changes` one per mutation in the same order (facets, classes, IT systems). */
export function listPhase(label: string, plan: { groups: MutationGroup[]; changes: PlannedChange[] }): Phase {
  const { groups, changes } = plan;
  const sizes = groups.map((g) => g.mutations.length);
  const offsets: number[] = [];
  let total = 0;
  for (const n of sizes) {
    offsets.push(total);
    total += n;
  }
  if (total !== changes.length) throw new Error(`phase ${label}: ${total} mutations but ${changes.length} changes`);
  return {
    label,
    length: groups.length,
    sizes,
    changes: total,
    names: [...new Set(groups.flatMap((g) => g.mutations.map((m) => m.name)))],
    make: (from, to) => groups.slice(from, to),
    changesOf: (i) => changes.slice(offsets[i], offsets[i]! + sizes[i]!),
  };
}

/** A phase of desired objects of one kind, each with the operations of its part (`objectOps`). */
export function objectPhase(label: string, kind: Kind, objects: DesiredObject[], ops: PartOps[]): Phase {
  const spec = KINDS[kind];
  const sizes = new Array<number>(objects.length);
  let total = 0;
  for (let i = 0; i < objects.length; i++) total += sizes[i] = sizeOf(objects[i]!, ops[i]!);
  return {
    label,
    length: objects.length,
    sizes,
    changes: total,
    names: [spec.create, spec.update, ...(spec.terminate ? [spec.terminate] : [])],
    make: (from, to) => {
      const out: MutationGroup[] = [];
      for (let i = from; i < to; i++) out.push(groupOf(objects[i]!, ops[i]!));
      return out;
    },
    changesOf: (i) => changesOf(objects[i]!, ops[i]!),
  };
}

/** The first `max` planned changes of the phases, in writing order (the report keeps these). */
export function firstChanges(phases: readonly Phase[], max: number): PlannedChange[] {
  const out: PlannedChange[] = [];
  for (const phase of phases) {
    for (let i = 0; i < phase.length && out.length < max; i++) out.push(...phase.changesOf(i));
    if (out.length >= max) break;
  }
  return out.slice(0, max);
}
