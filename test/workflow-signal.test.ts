/** Ctrl-C (SIGINT) stops a run cleanly: exit 1, nothing committed, lock released, journal says interrupted. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { cliAsync, sandbox } from './helpers/cli.ts';
import { startTestMo } from './helpers/mo.ts';

test('SIGINT during the upload: exit 1, state untouched, lock released, journal outcome interrupted', async () => {
  const box = sandbox();
  const mo = await startTestMo();
  try {
    mo.emu.setFaults({ delayMs: 300 });
    const child = cliAsync(['workflow', 'import.yaml'], box.env({ MO_URL: mo.emu.url, CLIENT_SECRET: 'test-secret' }));
    let out = '';
    child.stdout!.on('data', (d) => (out += d));
    child.stderr!.on('data', (d) => (out += d));
    const journal = path.join(path.dirname(box.state), 'journal.jsonl');
    const deadline = Date.now() + 60_000;
    while (!/Plan and write changes to MO|Seed MO/.test(out) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    assert.ok(existsSync(journal), 'the run has started');
    child.kill('SIGINT');
    const code: number = await new Promise((resolve) => child.on('close', (c) => resolve(c ?? -1)));
    assert.is(code, 1, out);
    assert.match(out, /SIGINT: stopping after the current operation/);
    assert.match(out, /INTERRUPTED/);
    assert.not.ok(existsSync(box.state), 'the state file was not written');
    assert.not.ok(existsSync(path.join(path.dirname(box.state), 'lock')), 'the lock was released');
    const entries = readFileSync(journal, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    assert.is(entries.at(-1).type, 'end');
    assert.is(entries.at(-1).outcome, 'interrupted');
  } finally {
    await mo.stop();
    box.cleanup();
  }
});

test.run();
