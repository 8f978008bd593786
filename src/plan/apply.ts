/** Writing planned phases to MO and accounting for them in the report. */
import type { StepContext } from '../engine/step.ts';
import type { MoClient } from '../mo/client.ts';
import type { Phase } from './phase.ts';

export interface Applied {
  failed: { uuid: string; kind: string; file?: string; line?: number; error: string }[];
  written: Set<string>;
}

/** `org_unit_create` → `create`: every planned mutation is named `<kind>_<operation>`. */
const operationOf = (mutation: string) => mutation.slice(mutation.lastIndexOf('_') + 1);

/**
 * Write a phase's groups (skipped in a dry run), made batch by batch as they are sent; count the
 * operations of the groups that were written.
 */
export async function applyPhase(ctx: StepContext, client: MoClient, phase: Phase, applied: Applied) {
  if (!phase.length) return;
  ctx.checkInterrupted();
  ctx.progress.message(`${phase.label}: ${phase.length} objects`);
  if (ctx.run.dryRun) return;
  const result = await client.write(phase, {
    onWritten: (groups) => {
      for (const g of groups) {
        applied.written.add(g.ref.uuid);
        for (const m of g.mutations) ctx.report.operation(g.ref.kind, operationOf(m.name));
        ctx.progress.add('objects');
      }
    },
  });
  ctx.progress.add('mutations', result.mutations);
  ctx.report.count('mutations', result.mutations);
  for (const f of result.failed) {
    const where = f.group.ref.file ? ` (${f.group.ref.file}:${f.group.ref.line})` : '';
    const message = `${f.group.ref.kind} ${f.group.ref.uuid}${f.group.ref.user_key ? ` "${f.group.ref.user_key}"` : ''}${where}: ${f.error.error_key ?? ''} ${f.error.message}`.replace(/\s+/g, ' ');
    ctx.log.error(`MO refused ${message}`);
    applied.failed.push({ uuid: f.group.ref.uuid, kind: f.group.ref.kind, file: f.group.ref.file, line: f.group.ref.line, error: `${f.error.error_key ?? ''} ${f.error.message}`.trim() });
  }
}
