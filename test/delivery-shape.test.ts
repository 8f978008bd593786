/**
 * A delivery that changed shape is never imported as if nothing happened (issue 19, "silent data
 * loss"): each case is a copy of the example delivery changed in one place, run through the CLI
 * (the embedded MO emulator, its database in the sandbox's state folder).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { copyFileSync, cpSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { cli, sandbox, ROOT, type CliResult } from './helpers/cli.ts';

type Box = ReturnType<typeof sandbox>;
const show = (r: CliResult) => `exit ${r.code}\n${r.stdout.slice(-3000)}\n${r.stderr.slice(-3000)}`;

/** Run the import (a workflow file of the box, or the repository's import.yaml), with a report; returns the run and its report. */
function run(box: Box, args: string[] = [], workflow = 'import.yaml') {
  const report = path.join(box.dir, `report-${Math.random().toString(36).slice(2)}.json`);
  const r = cli(['workflow', workflow, '--report', report, ...args], box.env());
  let json: any = null;
  try { json = JSON.parse(readFileSync(report, 'utf8')); } catch { /* no report */ }
  return { r, report: json };
}

/** A CSV file of the example as header + rows of fields (BOM and CRLF dropped). */
function readTable(file: string): string[][] {
  return readFileSync(file, 'utf8').replace(/^\ufeff/, '').split(/\r\n/).filter((l) => l).map((l) => l.split(';'));
}
const writeTable = (file: string, rows: string[][]) => writeFileSync(file, '\ufeff' + rows.map((r) => r.join(';')).join('\r\n') + '\r\n');

/** A copy of workflows/ in the box (mappings edited there, not in the repository). */
function ownWorkflows(box: Box, edit: (mappings: string) => void): string {
  const dir = path.join(box.dir, 'workflows');
  cpSync(path.join(ROOT, 'workflows'), dir, { recursive: true });
  edit(path.join(dir, 'mappings'));
  return path.join(dir, 'import.yaml');
}
const replaceIn = (file: string, from: string, to: string) => {
  const text = readFileSync(file, 'utf8');
  assert.ok(text.includes(from), `${file} has ${from}`);
  writeFileSync(file, text.replace(from, to));
};

test('a renamed optional column (Email → E-mail in Pers_ret) stops the run (exit 3): e-mail addresses are not ended', () => {
  const box = sandbox();
  try {
    const file = path.join(box.los, 'Pers_ret_20240701_120000.csv');
    const rows = readTable(file);
    rows[0] = rows[0]!.map((h) => (h === 'Email' ? 'E-mail' : h));
    writeTable(file, rows);
    const { r, report } = run(box, ['--dry-run']);
    assert.is(r.code, 3, show(r));
    assert.match(r.stdout + r.stderr, /Pers_ret_20240701_120000\.csv:1: Email: missing column "Email" \(mapped to email/);
    assert.is(report.operations.address, undefined, 'nothing planned');
  } finally {
    box.cleanup();
  }
});

test('a renamed OrgEnhedsNavn stops the run (exit 3): no unit is named by its user_key', () => {
  const box = sandbox();
  try {
    const file = path.join(box.los, 'Org_nye_20240601_120000.csv');
    const rows = readTable(file);
    rows[0] = rows[0]!.map((h) => (h === 'OrgEnhedsNavn' ? 'Navn' : h));
    writeTable(file, rows);
    const { r } = run(box, ['--dry-run']);
    assert.is(r.code, 3, show(r));
    assert.match(r.stdout + r.stderr, /Org_nye_20240601_120000\.csv:1: OrgEnhedsNavn: missing column "OrgEnhedsNavn" \(mapped to name/);
  } finally {
    box.cleanup();
  }
});

/**
 * After a full import, a Pers_ret of the same people arrives: with Email emptied it ends their
 * e-mail addresses (that is what an empty value says); without the Email column, under a mapping
 * that allows it (optional_column: true), it says nothing about them and nothing is ended.
 */
test('an absent optional column (optional_column: true) leaves MO\'s values; an empty value ends them', () => {
  const box = sandbox();
  try {
    assert.is(run(box).r.code, 0);
    const workflow = ownWorkflows(box, (m) => replaceIn(path.join(m, 'persons.yaml'), 'email: { column: Email, required: false }', 'email: { column: Email, required: false, optional_column: true }'));
    const ret = readTable(path.join(ROOT, 'examples/los/Pers_ret_20240701_120000.csv'));
    const at = ret[0]!.indexOf('Email');
    const next = path.join(box.los, 'Pers_ret_20240901_120000.csv');

    writeTable(next, ret.map((r, i) => r.map((v, j) => (j === at && i > 0 ? '' : v))));
    const emptied = run(box, ['--dry-run'], workflow);
    assert.is(emptied.r.code, 0, show(emptied.r));
    const ended = emptied.report.plan.filter((p: any) => p.kind === 'address' && p.operation === 'terminate');
    assert.ok(ended.length > 0, 'empty Email values end the e-mail addresses');

    writeTable(next, ret.map((r) => r.filter((_, j) => j !== at)));
    const absent = run(box, ['--dry-run'], workflow);
    assert.is(absent.r.code, 0, show(absent.r));
    assert.equal(absent.report.plan.filter((p: any) => p.kind === 'address'), [], 'no e-mail address is touched');

    // the repository's mapping (no optional_column): the same file is refused
    const strict = run(box, ['--dry-run']);
    assert.is(strict.r.code, 3, show(strict.r));
  } finally {
    box.cleanup();
  }
});

test('an absent optional address column (optional_column: true) leaves the units\' addresses as MO has them', () => {
  const box = sandbox();
  try {
    assert.is(run(box).r.code, 0);
    const workflow = ownWorkflows(box, (m) => replaceIn(path.join(m, 'org-units.yaml'), '{ column: CVR, suffix: cvr, address_type: CVRUnit }', '{ column: CVR, suffix: cvr, address_type: CVRUnit, optional_column: true }'));
    const org = readTable(path.join(ROOT, 'examples/los/Org_ret_20240701_120000.csv'));
    const at = org[0]!.indexOf('CVR');
    const next = path.join(box.los, 'Org_ret_20240901_120000.csv');
    writeTable(next, org.map((r) => r.filter((_, j) => j !== at)));
    const absent = run(box, ['--dry-run'], workflow);
    assert.is(absent.r.code, 0, show(absent.r));
    assert.equal(absent.report.plan.filter((p: any) => p.kind === 'address' && p.operation === 'terminate'), []);
    writeTable(next, org.map((r, i) => r.map((v, j) => (j === at && i > 0 ? '' : v))));
    const emptied = run(box, ['--dry-run'], workflow);
    assert.is(emptied.r.code, 0, show(emptied.r));
    assert.ok(emptied.report.plan.some((p: any) => p.kind === 'address' && p.operation === 'terminate'), 'empty CVR values end the CVR addresses');
  } finally {
    box.cleanup();
  }
});

test('an unknown extra column is a warning (summary and report) in every file kind', () => {
  const box = sandbox();
  try {
    for (const name of ['STAM_UUID_Enhedstype.csv', 'Org_nye_20240601_120000.csv', 'Pers_nye_20240601_120000.csv', 'Leder_nye_20240601_120000.csv']) {
      const file = path.join(box.los, name);
      writeTable(file, readTable(file).map((r, i) => [...r, i === 0 ? 'Ekstra' : 'x']));
    }
    const { r, report } = run(box, ['--dry-run']);
    assert.is(r.code, 0, show(r));
    for (const name of ['STAM_UUID_Enhedstype.csv', 'Org_nye_20240601_120000.csv', 'Pers_nye_20240601_120000.csv', 'Leder_nye_20240601_120000.csv']) {
      const w = report.warnings.filter((x: string) => x.startsWith(`${name}: column "Ekstra" not in the`));
      assert.is(w.length, 1, `${name}: ${JSON.stringify(report.warnings)}`);
    }
    assert.match(r.stdout, /warnings +5\b/);
    assert.match(r.stdout, /column "Ekstra" not in the/);
  } finally {
    box.cleanup();
  }
});

test('a header-only STAM file ends nothing (a warning); the same file with its rows is imported', () => {
  const box = sandbox();
  try {
    assert.is(run(box).r.code, 0);
    const file = path.join(box.los, 'STAM_UUID_Enhedstype.csv');
    writeTable(file, readTable(file).slice(0, 1)); // modified now: newer than the import
    const { r, report } = run(box);
    assert.is(r.code, 0, show(r));
    assert.is(report.operations.class?.terminate, undefined, JSON.stringify(report.operations));
    assert.ok(report.warnings.some((w: string) => /^STAM_UUID_Enhedstype\.csv has a header but no rows/.test(w)), JSON.stringify(report.warnings));
  } finally {
    box.cleanup();
  }
});

test('a STAM file that drops a class MO objects still use: exit 3 naming the class and how many use it; an unused class is ended', () => {
  const box = sandbox();
  try {
    const file = path.join(box.los, 'STAM_UUID_Lederniveau.csv');
    const rows = readTable(file);
    const unused = ['0a6f4c34-0b8e-4b6e-9d3e-2f6f2f0c0a06', 'Niveau 6', '2023-12-31 02:15:07.000000'];
    writeTable(file, [...rows, unused]);
    const old = new Date('2024-01-01T00:00:00Z');
    utimesSync(file, old, old);
    assert.is(run(box).r.code, 0);

    // Niveau 3 is the level of manager roles in MO: not ended, the run stops before writing
    writeTable(file, rows.filter((r) => r[1] !== 'Niveau 3'));
    const used = run(box);
    assert.is(used.r.code, 3, show(used.r));
    assert.match(used.r.stderr, /STAM_UUID_Lederniveau\.csv:1:1: manager_level: class "Niveau 3" \(9bc845a3-d22a-61fc-09bc-a79461c393e7\) is no longer in the file, but [1-9]\d* manager roles in MO still use it/);
    assert.is(used.report.operations.class, undefined, 'nothing written');

    // Niveau 6 is used by nothing: ended as before
    writeTable(file, rows);
    const unusedRun = run(box);
    assert.is(unusedRun.r.code, 0, show(unusedRun.r));
    assert.equal(unusedRun.report.operations.class, { terminate: 1 });
  } finally {
    box.cleanup();
  }
});

/** A metric's value in the state folder's Prometheus textfile. */
function metric(box: Box, name: string): number | undefined {
  const text = readFileSync(path.join(path.dirname(box.state), 'los2mo.prom'), 'utf8');
  const m = new RegExp(`^${name} (\\S+)$`, 'm').exec(text);
  return m ? Number(m[1]) : undefined;
}

test('misnamed files on the source are warnings naming them (summary, report, metrics) on every run, unless ignore_files lists them', () => {
  const box = sandbox();
  try {
    for (const name of ['Org_new_20240601_120000.csv', 'Org_nye_2024-06-01.csv']) copyFileSync(path.join(box.los, 'Org_nye_20240601_120000.csv'), path.join(box.los, name));
    const named = (warnings: string[], name: string) => warnings.some((w) => w.startsWith(`"${name}" on `) && w.includes('is no LOS file name'));
    const first = run(box);
    assert.is(first.r.code, 0, show(first.r));
    for (const name of ['Org_new_20240601_120000.csv', 'Org_nye_2024-06-01.csv']) {
      assert.ok(named(first.report.warnings, name), `${name}: ${JSON.stringify(first.report.warnings)}`);
      assert.ok(first.r.stdout.includes(name), `${name} in the summary`);
    }
    assert.is(metric(box, 'los2mo_unknown_files'), 2);
    // the state moved past their modification times: they are still named on the next run
    const second = run(box);
    assert.is(second.r.code, 0, show(second.r));
    assert.ok(named(second.report.warnings, 'Org_new_20240601_120000.csv') && named(second.report.warnings, 'Org_nye_2024-06-01.csv'), JSON.stringify(second.report.warnings));
    // expected files: no warning
    const ignored = run(box, ['--set', 'ignore_files=Org_new_*, Org_nye_????-??-??.csv']);
    assert.is(ignored.r.code, 0, show(ignored.r));
    assert.equal(ignored.report.warnings.filter((w: string) => w.includes('is no LOS file name')), []);
    assert.is(metric(box, 'los2mo_unknown_files'), 0);
  } finally {
    box.cleanup();
  }
});

test('files dated or modified in the future are warnings', () => {
  const box = sandbox();
  try {
    const future = 'Pers_ret_20990101_120000.csv';
    copyFileSync(path.join(box.los, 'Pers_ret_20240701_120000.csv'), path.join(box.los, future));
    const later = new Date(Date.now() + 3 * 86_400_000);
    utimesSync(path.join(box.los, 'Leder_luk_20240801_120000.csv'), later, later);
    const { r, report } = run(box, ['--dry-run']);
    assert.is(r.code, 0, show(r));
    assert.ok(report.warnings.some((w: string) => w.startsWith(`${future}: the date in its name (2099-01-01) is in the future`)), JSON.stringify(report.warnings));
    assert.ok(report.warnings.some((w: string) => w.startsWith('Leder_luk_20240801_120000.csv: modified in the future')), JSON.stringify(report.warnings));
    assert.not.ok(report.warnings.some((w: string) => w.startsWith('Pers_ret_20240701_120000.csv')));
  } finally {
    box.cleanup();
  }
});

test.run();
