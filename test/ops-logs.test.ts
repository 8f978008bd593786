/** `--log-format json`: every stderr line is a JSON record with run id and level, nothing on stdout, no secrets, CPR masked. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { cli, cliP, sandbox } from './helpers/cli.ts';
import { startEmulator } from '../src/mo-emulator/server.ts';

interface Rec { time: string; level: string; run_id: string | null; step?: string; message: string; [k: string]: unknown }

function records(stderr: string): Rec[] {
  const lines = stderr.split('\n');
  assert.is(lines.pop(), '', 'stderr ends with a newline');
  return lines.map((line, i) => {
    let rec: Rec;
    try {
      rec = JSON.parse(line);
    } catch {
      throw new assert.Assertion({ message: `stderr line ${i + 1} is not JSON: ${line.slice(0, 200)}`, generated: false, operator: 'json', expects: 'JSON', actual: line });
    }
    assert.type(rec.message, 'string', line);
    assert.ok(['debug', 'info', 'warn', 'error'].includes(rec.level), line);
    assert.ok(!Number.isNaN(Date.parse(rec.time)), line);
    return rec;
  });
}

const STEPS = ['seed', 'fetch', 'classes', 'units', 'dar', 'merge_units', 'person_rows', 'manager_rows', 'persons', 'upload', 'commit'];

test('a successful run against a real MO with --log-format json --verbose: only JSON, step events, a summary record, no secrets', async () => {
  const box = sandbox();
  const secret = 'cs-Very-Secret-4711';
  const ftpPass = 'ftp-Pass-0815';
  const emu = await startEmulator({ dbPath: path.join(box.dir, 'mo.sqlite'), port: 0, clientSecret: secret });
  try {
    const reportFile = path.join(box.dir, 'report.json');
    const r = await cliP(['workflow', 'import.yaml', '--log-format', 'json', '--verbose', '--report', reportFile], box.env({ MO_URL: emu.url, CLIENT_SECRET: secret, LOS_FTP_PASS: ftpPass, LOS_FTP_USER: 'los' }));
    assert.is(r.code, 0, r.stderr.slice(-2000));
    assert.is(r.stdout, '', 'nothing on stdout in json mode');
    const recs = records(r.stderr);
    const report = JSON.parse(readFileSync(reportFile, 'utf8'));
    for (const rec of recs) assert.is(rec.run_id, report.run_id);
    assert.ok(recs.some((x) => x.level === 'debug'), '--verbose gives debug records');
    for (const id of STEPS) {
      const started = recs.find((x) => x.step === id && x.message === 'step started');
      const finished = recs.find((x) => x.step === id && (x.message === 'step finished' || x.message === 'step skipped'));
      assert.ok(started || finished?.message === 'step skipped', `step ${id} started`);
      assert.ok(finished, `step ${id} finished`);
    }
    const fetchDone = recs.find((x) => x.step === 'fetch' && x.message === 'step finished')!;
    assert.is(fetchDone.status, 'done');
    assert.is((fetchDone.counts as Record<string, number>).files, 18);
    assert.type(fetchDone.duration_ms, 'number');
    const summary = recs.at(-1)!;
    assert.is(summary.kind, 'summary');
    assert.is(summary.outcome, 'success');
    assert.is(summary.exit_code, 0);
    assert.equal(summary.operations, report.operations);
    assert.is((summary.files as string[]).length, 18);
    assert.ok(recs.some((x) => x.level === 'warn' && /not matched in DAR/.test(x.message)), 'warnings are records of their own');
    const all = r.stdout + r.stderr + readFileSync(reportFile, 'utf8') + readFileSync(path.join(path.dirname(box.state), 'journal.jsonl'), 'utf8') + readFileSync(path.join(path.dirname(box.state), 'los2mo.prom'), 'utf8');
    assert.not.ok(all.includes(secret), 'the MO client secret is never written');
    assert.not.ok(all.includes(ftpPass), 'the FTP password is never written');
  } finally {
    await emu.stop();
    box.cleanup();
  }
});

test('log_format=json from the environment on a run with an invalid CPR: JSON records, CPR masked, exit 3; a usage error is JSON too', () => {
  const box = sandbox();
  try {
    const pers = path.join(box.los, 'Pers_nye_20240601_120000.csv');
    const lines = readFileSync(pers, 'utf8').split('\n');
    const cpr = lines[1]!.split(';')[2]!;
    assert.match(cpr, /^\d{10}$/);
    const bad = `3102${cpr.slice(4)}`; // 31 February: a CPR-shaped number with an impossible date
    lines[1] = lines[1]!.replace(`;${cpr};`, `;${bad};`);
    writeFileSync(pers, lines.join('\n'));
    const r = cli(['workflow', 'import.yaml'], box.env({ LOS_LOG_FORMAT: 'json' }));
    assert.is(r.code, 3, r.stderr.slice(-2000));
    assert.is(r.stdout, '');
    const recs = records(r.stderr);
    const runId = recs[0]!.run_id;
    assert.match(String(runId), /^\d{8}-\d{6}-[0-9a-f]{6}$/);
    for (const rec of recs) assert.is(rec.run_id, runId);
    const problem = recs.find((x) => x.kind === 'input-error')!;
    assert.ok(problem, 'the input error is a record');
    assert.is(problem.level, 'error');
    assert.is(problem.line, 2);
    assert.is(problem.field, 'CPR');
    assert.ok(recs.some((x) => x.step === 'person_rows' && x.message === 'step failed' && x.level === 'error'));
    assert.is(recs.at(-1)!.kind, 'summary');
    assert.is(recs.at(-1)!.outcome, 'invalid-input');
    assert.is(recs.at(-1)!.level, 'error');
    assert.not.ok(r.stderr.includes(bad), 'the CPR number is masked');
    assert.ok(r.stderr.includes(`${bad.slice(0, 6)}xxxx`));

    const usage = cli(['workflow', 'import.yaml', '--log-format', 'json', '--no-such-flag'], box.env());
    assert.is(usage.code, 2);
    const [rec] = records(usage.stderr);
    assert.is(rec!.level, 'error');
    assert.match(rec!.message, /no-such-flag/);
  } finally {
    box.cleanup();
  }
});

test('text mode stays human: no JSON on stderr, the listr lines on stdout', () => {
  const box = sandbox();
  try {
    const r = cli(['workflow', 'import.yaml'], box.env());
    assert.is(r.code, 0);
    assert.match(r.stdout, /✔ Fetch LOS files: 18 files/);
    assert.not.match(r.stderr, /^\{/m);
  } finally {
    box.cleanup();
  }
});

test.run();
