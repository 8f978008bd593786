/**
 * Batched writes: groups of mutations → requests of aliased mutations, and the mapping back from
 * an error (alias path, variable name) to the group that caused it.
 */
import { MoError, type MoErrorInfo } from './errors.ts';
import type { MutationGroup } from './types.ts';
import { inputTypeOf, knownMutations } from './input-types.ts';

export interface BatchDocument {
  query: string;
  variables: Record<string, unknown>;
  /** Mutation index (alias `m<i>`) → group index and the mutation's position in its group. */
  owners: { group: number; name: string }[];
  mutations: number;
}

const NAME_RE = /^[_A-Za-z][_0-9A-Za-z]*$/;

/** Throw (before anything is sent) if a group uses a mutation the SDL doesn't know. */
export function checkGroups(groups: MutationGroup[]): void {
  for (const g of groups) {
    if (!g || !g.ref || !Array.isArray(g.mutations)) throw new MoError('MO write: every group needs a ref and a mutations list');
    for (const m of g.mutations) checkName(m.name, ` for ${g.ref.kind} ${g.ref.uuid}`);
  }
}

/** Throw (before anything is sent) if a mutation name is not in the SDL. */
export function checkName(name: string, where = ''): void {
  if (!NAME_RE.test(name) || !inputTypeOf(name)) {
    throw new MoError(`MO write: unknown mutation "${name}"${where}; known: ${knownMutations().join(', ')}`);
  }
}

/**
 * Consecutive groups → batches of at most `batchSize` mutations. A group is never split: a group
 * larger than `batchSize` travels alone. Empty groups are dropped.
 */
export function packBatches(groups: MutationGroup[], batchSize: number): MutationGroup[][] {
  const sizes = groups.map((g) => g.mutations.length);
  return packRanges(sizes, batchSize).map(([from, to]) => groups.slice(from, to).filter((g) => g.mutations.length > 0));
}

/**
 * The same packing over the groups' sizes (mutations per group): each batch as the range
 * [from, to) of group indexes. A range may hold empty groups (they add nothing); a batch starts
 * at a group that is not empty.
 */
export function packRanges(sizes: ArrayLike<number>, batchSize: number): [number, number][] {
  const ranges: [number, number][] = [];
  let from = -1;
  let size = 0;
  for (let i = 0; i < sizes.length; i++) {
    const n = sizes[i]!;
    if (n === 0) continue;
    if (size > 0 && size + n > batchSize) {
      ranges.push([from, i]);
      from = -1;
      size = 0;
    }
    if (from < 0) from = i;
    size += n;
  }
  if (from >= 0) ranges.push([from, sizes.length]);
  return ranges;
}

/**
 * `mutation Write($m0: ClassCreateInput!, …) { m0: class_create(input: $m0) { uuid } … }`.
 * GraphQL runs a mutation document's fields serially, in order, so a group's operations keep
 * their order, and MO runs the whole request in one transaction.
 */
export function buildBatch(groups: MutationGroup[]): BatchDocument {
  const decls: string[] = [];
  const fields: string[] = [];
  const variables: Record<string, unknown> = {};
  const owners: BatchDocument['owners'] = [];
  groups.forEach((g, gi) => {
    for (const m of g.mutations) {
      const i = owners.length;
      const type = inputTypeOf(m.name);
      if (!type) throw new MoError(`MO write: unknown mutation "${m.name}"`);
      decls.push(`$m${i}: ${type}!`);
      fields.push(`  m${i}: ${m.name}(input: $m${i}) { uuid }`);
      variables[`m${i}`] = m.input;
      owners.push({ group: gi, name: m.name });
    }
  });
  return { query: `mutation Write(${decls.join(', ')}) {\n${fields.join('\n')}\n}`, variables, owners, mutations: owners.length };
}

/**
 * The mutation index an error points at: its path's first element (`m12`), or the variable
 * named in a coercion error (`Variable "$m12" got invalid value …`). Undefined if neither.
 */
export function mutationIndexOf(error: MoErrorInfo, owners: BatchDocument['owners']): number | undefined {
  const candidates: string[] = [];
  if (error.path && typeof error.path[0] === 'string') candidates.push(error.path[0]);
  const variable = /Variable "\$(m\d+)"/.exec(error.message);
  if (variable) candidates.push(variable[1]!);
  for (const c of candidates) {
    const match = /^m(\d+)$/.exec(c);
    if (match && Number(match[1]) < owners.length) return Number(match[1]);
  }
  return undefined;
}

/** Errors of a failed batch → the groups they name (group index → its first error, with `mutation` set). */
export function culprits(errors: MoErrorInfo[], owners: BatchDocument['owners']): Map<number, MoErrorInfo> {
  const out = new Map<number, MoErrorInfo>();
  for (const e of errors) {
    const i = mutationIndexOf(e, owners);
    if (i === undefined) continue;
    const owner = owners[i]!;
    if (!out.has(owner.group)) out.set(owner.group, { ...e, mutation: owner.name });
  }
  return out;
}
