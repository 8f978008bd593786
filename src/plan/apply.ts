/** Writing planned groups to MO and accounting for them in the report. */
import type { StepContext } from '../engine/step.ts';
import type { MoClient, MutationGroup } from '../mo/client.ts';
import type { PlannedChange } from './operations.ts';

export interface Applied {
  failed: { uuid: string; kind: string; file?: string; line?: number; error: string }[];
  written: Set<string>;
}

/** Write groups (skipped in a dry run); count operations of the groups that were written. */
export async function applyGroups(ctx: StepContext, client: MoClient, groups: MutationGroup[], changes: PlannedChange[], applied: Applied, label: string) {
  if (!groups.length) return;
  ctx.checkInterrupted();
  ctx.progress.message(`${label}: ${groups.length} objects`);
  const byUuid = new Map<string, PlannedChange[]>();
  for (const c of changes) {
    const list = byUuid.get(c.uuid);
    if (list) list.push(c);
    else byUuid.set(c.uuid, [c]);
  }
  if (ctx.run.dryRun) return;
  const result = await client.write(groups);
  for (const g of result.written) {
    applied.written.add(g.ref.uuid);
    for (const c of byUuid.get(g.ref.uuid) ?? []) ctx.report.operation(c.kind, c.operation);
    ctx.progress.add('objects');
  }
  ctx.progress.add('mutations', result.mutations);
  ctx.report.count('mutations', result.mutations);
  for (const f of result.failed) {
    const where = f.group.ref.file ? ` (${f.group.ref.file}:${f.group.ref.line})` : '';
    const message = `${f.group.ref.kind} ${f.group.ref.uuid}${f.group.ref.user_key ? ` "${f.group.ref.user_key}"` : ''}${where}: ${f.error.error_key ?? ''} ${f.error.message}`.replace(/\s+/g, ' ');
    ctx.log.error(`MO refused ${message}`);
    applied.failed.push({ uuid: f.group.ref.uuid, kind: f.group.ref.kind, file: f.group.ref.file, line: f.group.ref.line, error: `${f.error.error_key ?? ''} ${f.error.message}`.trim() });
  }
}
