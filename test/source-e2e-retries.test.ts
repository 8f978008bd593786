/**
 * Retries are visible (issue 20 item 11): a whole import over FTP (in-process ftp-srv, which can
 * cut a data connection) whose download of one file is cut once and succeeds on the next attempt.
 * The run succeeds, and the summary's fetch line, the report's totals and the metrics file count the retry.
 */
import { test } from 'uvu';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import * as assert from 'uvu/assert';
import { startFtpServer } from './helpers/ftp-server.ts';
import { runImport, sandbox, show } from './drills-support.ts';

const PASS = 'Retry-Pa55-word';

test('a cut download that was retried leaves a trace: summary and report count it', async () => {
  const box = sandbox('los2mo-retries-');
  const ftp = await startFtpServer({ root: box.los, user: 'los', password: PASS, faults: { 'Org_inital_20240101_000000.csv': { kind: 'cutData', times: 1 } } });
  try {
    const r = await runImport(box, null, [], { LOS_SOURCE: ftp.url('ftp'), LOS_FTP_PASS: PASS });
    assert.is(r.code, 0, show(r));
    assert.is(ftp.retrievals.get('Org_inital_20240101_000000.csv'), 2, 'cut once, then fetched whole');
    assert.is(r.report.totals.transfer_retries, 1, JSON.stringify(r.report.totals));
    assert.match(readFileSync(path.join(path.dirname(box.state), 'los2mo.prom'), 'utf8'), /^los2mo_transfer_retries 1$/m, 'and the metrics file');
    assert.match(r.stdout, /fetch .*18 files from ftp:\/\/los@127\.0\.0\.1:\d+, 1 transfer retry/);
    assert.match(r.stderr + r.stdout, /FTP download of "Org_inital_20240101_000000\.csv" at .*: attempt 1 of 3 failed .*; retrying/);
    assert.not.ok((r.stdout + r.stderr + r.reportText).includes(PASS), 'the password appears nowhere');
  } finally {
    await ftp.close();
    box.cleanup();
  }
});

test.run();
