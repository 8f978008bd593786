/**
 * Batched writes above the transport: groups packed into requests of aliased mutations (one
 * transaction each, batch.ts), sent by `concurrency` workers (one when ordered), a failed batch's
 * culprit isolated (named by the error, else by bisection), and a write aborted on answers no
 * isolation can fix. A request whose answer was lost (it may have committed) is reconciled before
 * it is sent again (reconcile.ts). See docs/mo-client.md "Writes and isolation".
 */
import { buildBatch, checkGroups, checkName, culprits, packBatches, packRanges } from './batch.ts';
import { MoError, toErrorInfo } from './errors.ts';
import { reconcile, type Read, type Readers } from './reconcile.ts';
import type { GraphqlAnswer, MoEvent, SendOptions } from './transport.ts';
import type { GroupSource, MoErrorInfo, MutationGroup, WriteResult } from './types.ts';

export interface WriteOptions {
  /** one request at a time, in the order of the groups (a later group depends on an earlier one) */
  ordered?: boolean;
  /**
   * Committed groups, batch by batch. Given this, they are not collected in `WriteResult.written`,
   * so a large write need not keep every group it sent.
   */
  onWritten?: (groups: MutationGroup[]) => void;
}

/** Errors no isolation can cure: abort the write instead of failing every group one by one. */
const FATAL_MESSAGES = ['User is not authenticated', 'No policy approved the access'];

/** One write() call, as its requests see it. */
export interface WriteContext {
  requests: number;
  /** The error that aborts the write; queued requests don't start once it is set. */
  fatal?: unknown;
}

/** What the batcher needs of the client below it. */
export interface BatchSender {
  batchSize: number;
  concurrency: number;
  /** whether a client secret is configured (for the hint in a refusal) */
  authenticated: boolean;
  /**
   * One document within the client's limit of requests in flight (not started once `w.fatal` is
   * set; sets it before the slot is freed when the send fails).
   */
  send(w: WriteContext, body: () => string, o: SendOptions, inspect: (answer: GraphqlAnswer) => void): Promise<GraphqlAnswer>;
  /** A read inside the slot of the write request that needs it (after an ambiguous failure). */
  read: Read;
  /** Objects as MO has them, read inside the slot of the write request that needs them (after an ambiguous failure). */
  readers: Readers;
  emit(e: MoEvent): void;
}

/** Counts committed mutations across a client's life. */
export interface MutationCounter {
  mutations: number;
}

export async function writeGroups(sender: BatchSender, groups: MutationGroup[] | GroupSource, opts: WriteOptions, total: MutationCounter): Promise<WriteResult> {
  let batches: (() => MutationGroup[])[];
  if (Array.isArray(groups)) {
    checkGroups(groups);
    batches = packBatches(groups, sender.batchSize).map((batch) => () => batch);
  } else {
    for (const name of groups.names) checkName(name);
    const source = groups;
    batches = packRanges(source.sizes, sender.batchSize).map(([from, to]) => () => source.make(from, to).filter((g) => g.mutations.length > 0));
  }
  const result: WriteResult = { written: [], failed: [], requests: 0, mutations: 0 };
  const w: WriteContext = { requests: 0 };

  const inspect = (label: string) => (answer: GraphqlAnswer) => {
    const unfixable = answer.errors?.map(toErrorInfo).find((e) => FATAL_MESSAGES.includes(e.message));
    if (unfixable) {
      const hint = sender.authenticated ? '' : ' (no client_secret configured)';
      throw new MoError(`MO ${label} refused: ${unfixable.message}${hint}`, answer.errors!.map(toErrorInfo));
    }
  };

  const fail = (group: MutationGroup, error: MoErrorInfo) => {
    result.failed.push({ group, error });
    sender.emit({ type: 'failed-object', ref: group.ref, error });
  };

  const committed = (batch: MutationGroup[], mutations: number) => {
    if (opts.onWritten) opts.onWritten(batch);
    else result.written.push(...batch);
    result.mutations += mutations;
    total.mutations += mutations;
  };

  const run = async (groups: MutationGroup[]): Promise<void> => {
    if (w.fatal !== undefined || groups.length === 0) return;
    let batch = groups;
    let doc = buildBatch(batch);
    const label = `write of ${doc.mutations} mutation${doc.mutations === 1 ? '' : 's'} (${[...new Set(doc.owners.map((o) => o.name))].join(', ')})`;
    // the answer was lost: send only what MO has not committed
    const afterAmbiguous = async (): Promise<{ body: string; mutations: number } | null> => {
      const { committed: done, resend } = await reconcile(batch, sender.read, sender.readers);
      sender.emit({ type: 'reconciled', committed: done.length, resent: resend.length });
      if (done.length) committed(done, done.reduce((n, g) => n + g.mutations.length, 0));
      batch = resend;
      if (batch.length === 0) return null;
      doc = buildBatch(batch);
      return { body: JSON.stringify({ query: doc.query, variables: doc.variables }), mutations: doc.mutations };
    };
    const answer = await sender.send(w, () => JSON.stringify({ query: doc.query, variables: doc.variables }), { mutations: doc.mutations, label, counter: w, afterAmbiguous }, inspect(label));
    if (batch.length === 0) return;
    if (!answer.errors?.length) {
      committed(batch, doc.mutations);
      return;
    }
    const errors = answer.errors.map(toErrorInfo);
    if (batch.length === 1) {
      const named = culprits(errors, doc.owners).get(0);
      fail(batch[0]!, named ?? { ...errors[0]! });
      return;
    }
    const named = culprits(errors, doc.owners);
    if (named.size > 0) {
      for (const [gi, error] of named) fail(batch[gi]!, error);
      await run(batch.filter((_, gi) => !named.has(gi)));
      return;
    }
    const mid = Math.ceil(batch.length / 2);
    const [left, right] = [batch.slice(0, mid), batch.slice(mid)];
    if (opts.ordered) {
      await run(left);
      await run(right);
    } else await Promise.all([run(left), run(right)]);
  };

  // `concurrency` workers take the batches in order (one worker when ordered): a batch is made
  // (a GroupSource's groups built) only when a worker takes it, and none starts after a fatal error
  let next = 0;
  const worker = async (): Promise<void> => {
    while (w.fatal === undefined && next < batches.length) {
      const make = batches[next++]!;
      try {
        await run(make());
      } catch (error) {
        w.fatal ??= error;
      }
    }
  };
  const workers = opts.ordered ? 1 : Math.min(sender.concurrency, batches.length);
  await Promise.all(Array.from({ length: workers }, worker));

  result.requests = w.requests;
  if (w.fatal !== undefined) {
    if (w.fatal instanceof MoError) w.fatal.partial = result;
    throw w.fatal;
  }
  return result;
}
