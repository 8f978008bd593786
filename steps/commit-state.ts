/**
 * commit-state: the last step. Writes the time the run STARTED into the state file (atomically),
 * so files that arrived during the run are picked up next time. Runs only when every earlier
 * step succeeded; a dry run writes nothing. Then the files other steps deferred for the source
 * (the DAR failure lists) are uploaded — best effort, after the state, so only a successful run
 * uploads them and an upload problem is a warning.
 */
import { defineStep } from '../src/engine/step.ts';
import { commitStateSchemas } from '../schemas/commit-state.schema.ts';
import { uploadDeferred } from '../src/source/for-run.ts';
import { writeState } from '../src/state/state-file.ts';
import { isoWithOffset } from '../src/time.ts';

export default defineStep({
  name: 'commit-state',
  description: 'Commit the import state',
  schemas: commitStateSchemas,
})({
  async run({ ctx }) {
    if (ctx.run.dryRun) return { written: false, state: ctx.run.importFrom ? isoWithOffset(ctx.run.importFrom) : null };
    ctx.checkInterrupted();
    writeState(ctx.settings.require('state_file'), ctx.run.startedAt);
    ctx.report.count('state_written');
    const uploaded = await uploadDeferred(ctx);
    if (uploaded) ctx.report.count('files_uploaded', uploaded);
    return { written: true, state: isoWithOffset(ctx.run.startedAt) };
  },
  summarize: (out) => (out.written ? `state ${out.state}` : 'dry run: state unchanged'),
});
