/** parse-persons / parse-managers / merge-persons through the real CLI (dry runs: no MO writes). */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { cli, sandbox, ROOT } from './helpers/cli.ts';

/** Every CPR number of the example's Pers and Leder files. */
function exampleCprs(): string[] {
  const dir = path.join(ROOT, 'examples/los');
  const cprs = new Set<string>();
  for (const name of readdirSync(dir).filter((n) => /^(Pers|Leder)_/.test(n))) {
    const [head, ...rows] = readFileSync(path.join(dir, name), 'utf8').replace(/^\ufeff/, '').trim().split(/\r?\n/);
    const at = head!.split(';').indexOf('CPR');
    for (const r of rows) cprs.add(r.split(';')[at]!);
  }
  return [...cprs];
}

function assertNoCpr(text: string, extra: string[] = []) {
  for (const cpr of [...exampleCprs(), ...extra]) assert.not.ok(text.includes(cpr), `CPR ${cpr.slice(0, 6)}xxxx appears unmasked in the output`);
}

/** Set fields (1-based line and column) of a CSV file, keeping BOM and CRLF. */
function edit(file: string, changes: [line: number, column: number, value: string][]) {
  const lines = readFileSync(file, 'utf8').split('\r\n');
  for (const [line, column, value] of changes) {
    const fields = lines[line - 1]!.split(';');
    fields[column - 1] = value;
    lines[line - 1] = fields.join(';');
  }
  writeFileSync(file, lines.join('\r\n'));
}

test('dry run of the example: persons and managers summarised, no CPR in the output', () => {
  const box = sandbox();
  try {
    const report = path.join(box.dir, 'report.json');
    const r = cli(['workflow', 'import.yaml', '--dry-run', '--report', report], box.env());
    assert.is(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /person_rows +71 rows \(nye 60, ret 8, luk 3\) of 51 persons/);
    assert.match(r.stdout, /manager_rows +11 rows \(nye 8, ret 2, luk 1\)/);
    assert.match(r.stdout, /persons +51 employees, 61 engagements, 50 e-mail addresses, 48 AZ IT users, 8 managers/);
    assertNoCpr(r.stdout + r.stderr + readFileSync(report, 'utf8'));
  } finally {
    box.cleanup();
  }
});

test('bad values in a Pers file: exit 3, FILE:LINE:COLUMN: field: message, CPR masked everywhere', () => {
  const box = sandbox();
  try {
    const pers = path.join(box.los, 'Pers_nye_20240601_120000.csv');
    edit(pers, [[2, 1, 'not-a-uuid'], [3, 3, '3113570843'], [4, 5, '2017-13-01 00:00:00.000000'], [5, 8, 'Måske'], [6, 9, '0708722608']]);
    const report = path.join(box.dir, 'report.json');
    const r = cli(['workflow', 'import.yaml', '--dry-run', '--report', report], box.env());
    assert.is(r.code, 3, r.stdout + r.stderr);
    const f = 'Pers_nye_20240601_120000.csv';
    for (const line of [
      `${f}:2:1: UUID: "not-a-uuid" is not a uuid`,
      `${f}:3:3: CPR: 311357xxxx has no valid date part`,
      `${f}:4:5: StartTid: "2017-13-01 00:00:00.000000" is not a real calendar day`,
      `${f}:5:8: PrimærAnsættelse: "Måske" must be Ja or Nej`,
      `${f}:6:9: OrgenhedUUID: "070872xxxx" is not a uuid`,
    ]) assert.ok((r.stdout + r.stderr).includes(`    ${line}`), `missing in the summary: ${line}\n${r.stdout}${r.stderr}`);
    const errors = JSON.parse(readFileSync(report, 'utf8')).errors as { file: string; line: number; column: number; field: string }[];
    assert.equal(errors.map((e) => [e.line, e.column, e.field]), [[2, 1, 'UUID'], [3, 3, 'CPR'], [4, 5, 'StartTid'], [5, 8, 'PrimærAnsættelse'], [6, 9, 'OrgenhedUUID']]);
    assertNoCpr(r.stdout + r.stderr + readFileSync(report, 'utf8'), ['3113570843']);
  } finally {
    box.cleanup();
  }
});

test('bad values in a Leder file: exit 3 with the masked CPR', () => {
  const box = sandbox();
  try {
    const file = path.join(box.los, 'Leder_ret_20240701_120000.csv');
    const text = readFileSync(file, 'utf8').split(/\r?\n/);
    const fields = text[2]!.split(';');
    fields[1] = '1011849999x';
    fields[3] = '';
    text[2] = fields.join(';');
    writeFileSync(file, text.join('\r\n'));
    const r = cli(['workflow', 'import.yaml', '--dry-run'], box.env());
    assert.is(r.code, 3, r.stdout + r.stderr);
    const out = r.stdout + r.stderr;
    assert.ok(out.includes('    Leder_ret_20240701_120000.csv:3:2: CPR: must be 10 digits'), out);
    assert.ok(out.includes('    Leder_ret_20240701_120000.csv:3:4: LederniveauUUID: a value is required'), out);
    assertNoCpr(r.stdout + r.stderr);
  } finally {
    box.cleanup();
  }
});

test.run();
