/** `./run status` through the real CLI after successful, failed and interrupted runs (real processes, real state folders). */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { copyFileSync, existsSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { cli, cliAsync, cliP, sandbox } from './helpers/cli.ts';

const journal = (stateFile: string) =>
  existsSync(path.join(path.dirname(stateFile), 'journal.jsonl'))
    ? readFileSync(path.join(path.dirname(stateFile), 'journal.jsonl'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l))
    : [];

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('status after a successful run: outcome, counts, state time, lock free, then a new file waiting on the source', () => {
  const box = sandbox();
  try {
    const reportFile = path.join(box.dir, 'report.json');
    const run = cli(['workflow', 'import.yaml', '--report', reportFile], box.env());
    assert.is(run.code, 0, run.stdout + run.stderr);
    const report = JSON.parse(readFileSync(reportFile, 'utf8'));

    const text = cli(['status'], box.env());
    assert.is(text.code, 0, text.stderr);
    assert.match(text.stdout, `state folder ${path.dirname(box.state)}`);
    assert.match(text.stdout, `state file   ${readFileSync(box.state, 'utf8').trim()}`);
    assert.match(text.stdout, /lock\s+free/);
    assert.match(text.stdout, /no new files/);
    const row = text.stdout.split('\n').find((l) => l.includes(report.run_id))!;
    assert.ok(row, text.stdout);
    const changes = Object.values(report.operations as Record<string, Record<string, number>>).reduce((s, o) => s + Object.values(o).reduce((a, b) => a + b, 0), 0);
    const rows = ['stam_rows', 'unit_rows', 'person_rows', 'manager_rows'].reduce((s, k) => s + (report.totals[k] ?? 0), 0);
    assert.is(report.totals.rows, rows, 'totals.rows counts every row read, not only STAM rows');
    // STARTED DURATION OUTCOME EXIT FILES ROWS CHANGES DAR-FAIL WARN ERR RUN
    // (DURATION is one token ("0m11s") or two ("9.8 s"): the columns are counted from OUTCOME)
    const cols = row.trim().split(/\s+/);
    const outcome = cols.indexOf('success');
    assert.ok(outcome >= 3 && outcome <= 5, row);
    assert.equal(cols.slice(outcome, outcome + 8), ['success', '0', String(report.files.length), String(rows), String(changes), String(report.totals.dar_failed), String(report.warnings.length), '0'], row);
    assert.ok(report.totals.dar_failed > 0, 'the example delivery has unmatched DAR addresses');
    assert.ok(text.stdout.split('\n').length <= 40, 'one screen');

    // a file that arrives after the run is waiting on the source
    const late = path.join(box.los, 'Org_ret_20240901_120000.csv');
    copyFileSync(path.join(box.los, 'Org_ret_20240701_120000.csv'), late);
    const future = new Date(Date.now() + 60_000);
    utimesSync(late, future, future);
    const json = cli(['status', '--json'], box.env());
    assert.is(json.code, 0, json.stderr);
    const s = JSON.parse(json.stdout);
    assert.equal(s.source.waiting.map((f: { name: string }) => f.name), ['Org_ret_20240901_120000.csv']);
    assert.is(s.lock, null);
    assert.is(s.runs[0].run_id, report.run_id);
    assert.is(s.runs[0].outcome, 'success');
    assert.equal(s.runs[0].operations, report.operations);
    assert.is(s.runs[0].dar_failures, report.totals.dar_failed);
    assert.is(s.state_file.timestamp, readFileSync(box.state, 'utf8').trim());
    assert.equal(s.interrupted, []);
    assert.match(cli(['status'], box.env()).stdout, /1 file waiting \(modified after the state\): Org_ret_20240901_120000\.csv/);
  } finally {
    box.cleanup();
  }
});

test('status after failed runs: a broken CSV (exit 3, in the journal) and an invalid workflow option (exit 2, before the journal)', () => {
  const box = sandbox();
  try {
    const pers = path.join(box.los, 'Pers_nye_20240601_120000.csv');
    const lines = readFileSync(pers, 'utf8').split('\n');
    lines[1] = lines[1]!.replace(/;(\d{4}-\d{2}-\d{2}) 00:00:00\.000000;/, ';2014-02-31;');
    writeFileSync(pers, lines.join('\n'));
    const broken = cli(['workflow', 'import.yaml'], box.env());
    assert.is(broken.code, 3, broken.stdout + broken.stderr);

    let s = JSON.parse(cli(['status', '--json', '--offline'], box.env()).stdout);
    assert.is(s.runs.length, 1);
    assert.is(s.runs[0].outcome, 'invalid-input');
    assert.is(s.runs[0].exit_code, 3);
    assert.is(s.runs[0].errors, 1);
    assert.match(s.runs[0].failure, /Pers_nye_20240601_120000\.csv:2:\d+: StartTid/);
    assert.is(s.state_file.timestamp, null, 'a failed run does not advance the state');
    assert.is(s.source, null, '--offline');
    const text = cli(['status', '--offline'], box.env()).stdout;
    assert.match(text, /INVALID-INPUT\s+3\s/);
    assert.match(text, /error: 1 invalid value in the input files: Pers_nye_20240601_120000\.csv:2:\d+: StartTid/);
    assert.match(text, /state file\s+none yet/);

    // an invalid workflow option fails before the journal: status still shows the attempt (from the metrics file)
    const wf = path.join(box.dir, 'bad.yaml');
    writeFileSync(wf, 'name: bad\nsteps:\n  - id: fetch\n    uses: fetch\n    with: { source: x, all: "yes" }\n');
    const bad = cli(['workflow', wf], box.env());
    assert.is(bad.code, 2, bad.stdout + bad.stderr);
    s = JSON.parse(cli(['status', '--json', '--offline'], box.env()).stdout);
    assert.is(s.runs.length, 1, 'not journalled');
    assert.ok(s.last_attempt, JSON.stringify(s));
    assert.is(s.last_attempt.exit_code, 2);
    assert.is(s.last_attempt.outcome, 'failed');
    assert.match(cli(['status', '--offline'], box.env()).stdout, /last attempt .*FAILED, exit 2/);
  } finally {
    box.cleanup();
  }
});

test('status while a run is in progress (stopped), after it is SIGKILLed (interrupted, stale lock), and after the next run reports it', async () => {
  const box = sandbox();
  const child = cliAsync(['workflow', 'import.yaml'], box.env());
  try {
    const deadline = Date.now() + 60_000;
    while (!journal(box.state).some((e) => e.type === 'start') && Date.now() < deadline) await sleep(10);
    child.kill('SIGSTOP');
    const runId = journal(box.state).find((e) => e.type === 'start').run_id;

    let r = await cliP(['status', '--json', '--offline'], box.env());
    let s = JSON.parse(r.stdout);
    assert.is(s.lock.run_id, runId);
    assert.is(s.lock.stale, false);
    assert.is(s.runs[0].outcome, 'running');
    assert.equal(s.interrupted, [], 'a running run is not interrupted');
    assert.match((await cliP(['status', '--offline'], box.env())).stdout, new RegExp(`held by run ${runId} .*a run is in progress`));

    child.kill('SIGKILL');
    await new Promise((res) => child.once('close', res));
    r = await cliP(['status', '--json', '--offline'], box.env());
    s = JSON.parse(r.stdout);
    assert.is(s.lock.stale, true, 'the killed run left its lock');
    assert.is(s.runs[0].outcome, 'interrupted');
    assert.equal(s.interrupted.map((x: { run_id: string }) => x.run_id), [runId]);
    const text = (await cliP(['status', '--offline'], box.env())).stdout;
    assert.match(text, new RegExp(`INTERRUPTED  run ${runId} started`));
    assert.match(text, /STALE: run .* is gone; the next run clears it/);

    const next = await cliP(['workflow', 'import.yaml'], box.env());
    assert.is(next.code, 0, next.stdout + next.stderr);
    s = JSON.parse((await cliP(['status', '--json', '--offline'], box.env())).stdout);
    assert.is(s.lock, null);
    assert.equal(s.interrupted, [], 'reported by the next run');
    const killed = s.runs.find((x: { run_id: string }) => x.run_id === runId);
    assert.is(killed.outcome, 'interrupted');
    assert.is(killed.recovered_by, s.runs[0].run_id);
    assert.is(s.runs[0].outcome, 'success');
  } finally {
    if (child.exitCode === null && child.signalCode === null) { child.kill('SIGKILL'); }
    box.cleanup();
  }
});

test('status with no runs yet, and bad options', () => {
  const box = sandbox();
  try {
    const r = cli(['status'], box.env());
    assert.is(r.code, 0, r.stderr);
    assert.match(r.stdout, /No runs in the journal yet/);
    assert.match(r.stdout, /18 files waiting/);
    assert.is(cli(['status', '--runs', '0'], box.env()).code, 2);
    assert.is(cli(['status', 'extra'], box.env()).code, 2);
  } finally {
    box.cleanup();
  }
});

test.run();
