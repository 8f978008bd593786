/** Metrics after a run: the node_exporter textfile's names, labels and values against the run report; the Pushgateway PUT. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { cli, cliP, sandbox } from './helpers/cli.ts';

interface Sample { name: string; labels: Record<string, string>; value: number }

/** A strict reader of the Prometheus text format: HELP and TYPE before each family, samples of a family together. */
function parseProm(text: string): Sample[] {
  assert.ok(text.endsWith('\n'), 'ends with a newline');
  const samples: Sample[] = [];
  const typed = new Map<string, string>();
  const done = new Set<string>();
  let current = '';
  for (const line of text.split('\n').slice(0, -1)) {
    let m = /^# (HELP|TYPE) (\w+) (.+)$/.exec(line);
    if (m) {
      if (m[1] === 'TYPE') { assert.is(m[3], 'gauge', line); typed.set(m[2]!, m[3]!); }
      if (m[2] !== current) { assert.not.ok(done.has(m[2]!), `family ${m[2]} appears twice`); if (current) done.add(current); current = m[2]!; }
      continue;
    }
    m = /^(\w+)(?:\{(.*)\})? (\S+)$/.exec(line);
    assert.ok(m, `not a sample line: ${line}`);
    assert.is(m![1], current, `sample ${m![1]} outside its family`);
    assert.ok(typed.has(m![1]!), `no TYPE for ${m![1]}`);
    const labels: Record<string, string> = {};
    for (const [, k, v] of m![2] ? m![2].matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g) : []) labels[k!] = v!;
    samples.push({ name: m![1]!, labels, value: Number(m![3]) });
  }
  return samples;
}

const get = (samples: Sample[], name: string, labels: Record<string, string> = {}) => {
  const found = samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
  assert.is(found.length, 1, `${name}${JSON.stringify(labels)}: ${found.length} samples`);
  return found[0]!.value;
};

test('the metrics file after a successful run matches the run report', () => {
  const box = sandbox();
  try {
    const reportFile = path.join(box.dir, 'report.json');
    const r = cli(['workflow', 'import.yaml', '--report', reportFile], box.env());
    assert.is(r.code, 0, r.stdout + r.stderr);
    const report = JSON.parse(readFileSync(reportFile, 'utf8'));
    const file = path.join(path.dirname(box.state), 'los2mo.prom');
    assert.is(statSync(file).mode & 0o777, 0o644, 'readable by node_exporter');
    const m = parseProm(readFileSync(file, 'utf8'));
    for (const s of m) assert.ok(s.name.startsWith('los2mo_'), s.name);

    assert.is(get(m, 'los2mo_last_run_start_timestamp_seconds'), Date.parse(report.started_at) / 1000);
    assert.is(get(m, 'los2mo_last_run_end_timestamp_seconds'), Date.parse(report.finished_at) / 1000);
    assert.ok(Math.abs(get(m, 'los2mo_last_run_duration_seconds') - (Date.parse(report.finished_at) - Date.parse(report.started_at)) / 1000) < 0.002);
    assert.is(get(m, 'los2mo_last_run_success'), 1);
    assert.is(get(m, 'los2mo_last_run_outcome', { outcome: 'success' }), 1);
    assert.is(get(m, 'los2mo_last_run_outcome', { outcome: 'failed' }), 0);
    assert.is(get(m, 'los2mo_last_run_outcome', { outcome: 'invalid-input' }), 0);
    assert.is(get(m, 'los2mo_last_run_exit_code'), 0);
    assert.is(get(m, 'los2mo_last_success_timestamp_seconds'), Date.parse(report.started_at) / 1000);
    assert.equal(m.filter((s) => s.name === 'los2mo_step_duration_seconds').map((s) => s.labels.step), report.steps.map((s: { id: string }) => s.id));
    for (const s of report.steps) {
      assert.is(get(m, 'los2mo_step_duration_seconds', { step: s.id }), s.duration_ms / 1000);
      assert.is(get(m, 'los2mo_step_success', { step: s.id }), 1);
    }
    assert.is(get(m, 'los2mo_files'), report.files.length);
    assert.is(get(m, 'los2mo_files'), 18);
    assert.is(get(m, 'los2mo_bytes_fetched'), report.files.reduce((s: number, f: { size: number }) => s + f.size, 0));
    assert.is(get(m, 'los2mo_rows', { kind: 'stam' }), report.totals.stam_rows);
    assert.is(get(m, 'los2mo_rows', { kind: 'org' }), report.totals.unit_rows);
    assert.is(get(m, 'los2mo_rows', { kind: 'pers' }), report.totals.person_rows);
    assert.is(get(m, 'los2mo_rows', { kind: 'leder' }), report.totals.manager_rows);
    const ops = m.filter((s) => s.name === 'los2mo_operations');
    assert.ok(ops.length > 0);
    assert.equal(
      Object.fromEntries(ops.map((s) => [`${s.labels.kind}/${s.labels.operation}`, s.value])),
      Object.fromEntries(Object.entries(report.operations as Record<string, Record<string, number>>).flatMap(([k, o]) => Object.entries(o).map(([op, n]) => [`${k}/${op}`, n]))),
    );
    assert.is(get(m, 'los2mo_operations', { kind: 'class', operation: 'create' }), report.operations.class.create);
    assert.is(get(m, 'los2mo_mutations'), report.totals.mutations);
    assert.is(get(m, 'los2mo_http_requests'), report.totals.http_requests);
    assert.ok(report.totals.http_requests > 0);
    assert.is(get(m, 'los2mo_retries'), report.totals.retries ?? 0);
    assert.is(get(m, 'los2mo_dar_failures'), report.totals.dar_failed);
    assert.ok(report.totals.dar_failed > 0);
    assert.is(get(m, 'los2mo_warnings'), report.warnings.length);
    assert.is(get(m, 'los2mo_input_errors'), 0);

    // a dry run leaves the metrics of the last real run alone
    const before = readFileSync(file, 'utf8');
    const dry = cli(['workflow', 'import.yaml', '--dry-run'], box.env());
    assert.is(dry.code, 0, dry.stdout + dry.stderr);
    assert.is(readFileSync(file, 'utf8'), before);
  } finally {
    box.cleanup();
  }
});

test('a failed run writes its outcome, exit code and input errors; the last success stays; metrics_file moves and turns off', () => {
  const box = sandbox();
  try {
    assert.is(cli(['workflow', 'import.yaml'], box.env()).code, 0);
    const file = path.join(path.dirname(box.state), 'los2mo.prom');
    const firstSuccess = get(parseProm(readFileSync(file, 'utf8')), 'los2mo_last_success_timestamp_seconds');
    // a newer, broken Pers file
    const pers = path.join(box.los, 'Pers_ret_20240901_120000.csv');
    const header = readFileSync(path.join(box.los, 'Pers_ret_20240701_120000.csv'), 'utf8').split('\n')[0];
    const row = readFileSync(path.join(box.los, 'Pers_ret_20240701_120000.csv'), 'utf8').split('\n')[1]!.replace(/;(\d{4}-\d{2}-\d{2}) 00:00:00\.000000;/, ';2024-02-30;');
    writeFileSync(pers, `${header}\n${row}\n`);
    const custom = path.join(box.dir, 'textfile', 'los2mo.prom');
    const r = cli(['workflow', 'import.yaml'], box.env({ LOS_METRICS_FILE: custom }));
    assert.is(r.code, 3, r.stdout + r.stderr);
    const m = parseProm(readFileSync(custom, 'utf8'));
    assert.is(get(m, 'los2mo_last_run_success'), 0);
    assert.is(get(m, 'los2mo_last_run_outcome', { outcome: 'invalid-input' }), 1);
    assert.is(get(m, 'los2mo_last_run_outcome', { outcome: 'success' }), 0);
    assert.is(get(m, 'los2mo_last_run_exit_code'), 3);
    assert.is(get(m, 'los2mo_input_errors'), 1);
    assert.is(get(m, 'los2mo_files'), 1);
    assert.is(get(m, 'los2mo_last_success_timestamp_seconds'), firstSuccess, 'the last success is the earlier run');
    assert.is(get(m, 'los2mo_step_success', { step: 'person_rows' }), 0);
    assert.is(get(m, 'los2mo_step_success', { step: 'fetch' }), 1);

    const before = readFileSync(custom, 'utf8');
    assert.is(cli(['workflow', 'import.yaml'], box.env({ LOS_METRICS_FILE: 'off' })).code, 3);
    assert.is(readFileSync(custom, 'utf8'), before);
    assert.not.ok(existsSync(path.join(box.dir, 'off')));
  } finally {
    box.cleanup();
  }
});

test('metrics are PUT to the Pushgateway (job los2mo, basic auth from the URL); a failing Pushgateway is a warning, not a failure', async () => {
  const box = sandbox();
  const received: { method: string; url: string; auth?: string; type?: string; body: string }[] = [];
  let status = 200;
  const server = createServer((req: IncomingMessage, res) => {
    let body = '';
    req.setEncoding('utf8').on('data', (d: string) => (body += d)).on('end', () => {
      received.push({ method: req.method!, url: req.url!, auth: req.headers.authorization, type: req.headers['content-type'], body });
      res.writeHead(status, { 'content-type': 'text/plain' }).end(status === 200 ? '' : 'push rejected');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  try {
    const url = `http://ops:gw-pass-789@127.0.0.1:${port}/prefix/`;
    const r = await cliP(['workflow', 'import.yaml'], box.env({ LOS_PUSHGATEWAY_URL: url }));
    assert.is(r.code, 0, r.stdout + r.stderr);
    assert.is(received.length, 1);
    assert.is(received[0]!.method, 'PUT');
    assert.is(received[0]!.url, '/prefix/metrics/job/los2mo');
    assert.is(received[0]!.auth, `Basic ${Buffer.from('ops:gw-pass-789').toString('base64')}`);
    assert.match(received[0]!.type!, /^text\/plain; version=0\.0\.4/);
    assert.is(received[0]!.body, readFileSync(path.join(path.dirname(box.state), 'los2mo.prom'), 'utf8'));
    assert.not.match(r.stdout + r.stderr, /could not push/);

    status = 500;
    const failed = await cliP(['workflow', 'import.yaml'], box.env({ LOS_PUSHGATEWAY_URL: url }));
    assert.is(failed.code, 0, 'a failed push does not fail the run');
    assert.is(received.length, 2);
    assert.match(failed.stdout, /could not push the metrics to the Pushgateway: .*HTTP 500 push rejected/);
    assert.not.match(failed.stdout + failed.stderr, /gw-pass-789/);

    server.close();
    const down = await cliP(['workflow', 'import.yaml'], box.env({ LOS_PUSHGATEWAY_URL: url }));
    assert.is(down.code, 0);
    assert.match(down.stdout, /could not push the metrics to the Pushgateway: .*ECONNREFUSED/);
    assert.not.match(down.stdout + down.stderr, /gw-pass-789/);
  } finally {
    server.close();
    box.cleanup();
  }
});

test.run();
