/** The MO client's plain data: an error entry, object references, mutations, groups (one object's operations), and what a write gives back. */

export interface MoErrorInfo {
  message: string;
  /** `extensions.error_context.error_key`, e.g. `E_NOT_FOUND`, `V_DATE_OUTSIDE_ORG_UNIT_RANGE`. */
  error_key?: string;
  /** The GraphQL error's path as MO returned it (for writes the first element is the request's alias). */
  path?: (string | number)[];
  /** Writes: the mutation of the group that failed, e.g. `class_update`, when MO's answer names it. */
  mutation?: string;
}

export interface ObjectRef {
  kind: string;
  uuid: string;
  user_key?: string;
  file?: string;
  line?: number;
}

export interface Mutation {
  /** e.g. `org_unit_create` */
  name: string;
  input: Record<string, unknown>;
}

/** One object's ordered operations (create, updates, terminate): always sent together, in order, in one request. */
export interface MutationGroup {
  ref: ObjectRef;
  mutations: Mutation[];
}

/**
 * Groups made when their batch is about to be sent, so that a write of 100,000 objects need not
 * hold every mutation input at once (src/plan/phase.ts). Batches are packed from `sizes` exactly
 * as `packBatches` packs a list of the same groups.
 */
export interface GroupSource {
  /** mutations of each group, in writing order */
  readonly sizes: ArrayLike<number>;
  /** every mutation name the groups may use: checked before anything is sent */
  readonly names: Iterable<string>;
  /** groups [from, to); called once per batch, when it is about to be sent */
  make(from: number, to: number): MutationGroup[];
}

export interface WriteResult {
  written: MutationGroup[];
  failed: { group: MutationGroup; error: MoErrorInfo }[];
  /** GraphQL HTTP requests this write sent (every attempt counts). */
  requests: number;
  /** Mutations committed (in requests that succeeded). */
  mutations: number;
}
