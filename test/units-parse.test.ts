/** parse-units: the example Org files through the mapping, and every kind of bad value through the CLI (exit 3, nothing written). */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { cli, sandbox, ROOT } from './helpers/cli.ts';
import { parseUnitFiles } from '../src/los/units.ts';
import { loadYaml } from '../src/engine/yaml-file.ts';
import { orgUnitsMappingSchema, type OrgUnitsMapping } from '../schemas/mapping.schema.ts';
import { InputError, formatProblem } from '../src/errors.ts';
import { fileDate, fileKind } from '../src/los/files.ts';

const INITIAL = 'Org_inital_20240101_000000.csv';
const NYE = 'Org_nye_20240601_120000.csv';
const RET = 'Org_ret_20240701_120000.csv';
const mapping = loadYaml<OrgUnitsMapping>(path.join(ROOT, 'workflows/mappings/org-units.yaml'), orgUnitsMappingSchema).data;
const fileOf = (name: string, dir = path.join(ROOT, 'examples/los')) => ({ name, kind: fileKind(name)!, date: fileDate(name), path: path.join(dir, name) });

test('the example Org files parse into one row per CSV row, with both date formats, top units and quoted names', () => {
  const r = parseUnitFiles([fileOf(INITIAL), fileOf(NYE), fileOf(RET)], mapping, 'utf-8');
  assert.is(r.rows.length, 54 + 3 + 6);
  assert.equal(r.files.map((f) => [f.name, f.kind, f.date, f.rows]), [[INITIAL, 'Org_inital', '2024-01-01', 54], [NYE, 'Org_nye', '2024-06-01', 3], [RET, 'Org_ret', '2024-07-01', 6]]);
  const aak = r.rows.find((x) => x.user_key === 'AAK')!;
  assert.is(aak.parent, null, 'ParentUUID = OrgUUID → a top unit');
  assert.is(aak.line, 2);
  assert.is(aak.linjeorg, true);
  assert.equal(aak.addresses, { los: '363882', cvr: '55133018', ean: null, pnr: null, senr: '51646364', debitornr: null, mag_id: null, postaddr: 'Rådhuspladsen 2, 8000 Aarhus C' });
  assert.is(r.rows.find((x) => x.user_key === 'BYR')!.linjeorg, false, '"False"');
  const tan = r.rows.filter((x) => x.user_key === 'MBU-TAN' && x.kind === 'Org_inital');
  assert.equal(tan.map((x) => [x.start, x.end]), [['2010-01-01', '2015-12-31'], ['2016-01-01', '2018-12-31'], ['2019-01-01', '9999-12-31']]);
  assert.is(r.rows.find((x) => x.user_key === 'BIB-DOK')!.end, '9999-12-31');
  assert.is(r.rows.find((x) => x.user_key === 'DAG-SOL')!.name, 'Børnehuset "Solsikken"');
  assert.is(r.rows.find((x) => x.user_key === 'MBA-SEK')!.name, 'Sekretariat; Byrådsservice');
  const ret = r.rows.find((x) => x.kind === 'Org_ret' && x.user_key === 'NAV-DRN')!;
  assert.equal([ret.file, ret.file_date, ret.line, ret.addresses.ean], [RET, '2024-07-01', 4, null]);
  assert.equal(r.files[0]!.columns.start, { name: 'StartDato', index: 15 });
  assert.equal(r.spec.addresses.map((a) => `${a.column}→${a.suffix}/${a.address_type}${a.dar ? ' dar' : ''}`), [
    'LOSID→los/LOSID', 'CVR→cvr/CVRUnit', 'EAN→ean/EANUnit', 'P-Nr→pnr/PNumber', 'SE-Nr→senr/SENumber', 'IntDebitor-Nr→debitornr/intdebit', 'MagID→mag_id/UnitMagID', 'PostAdresse→postaddr/AddressMailUnit dar',
  ]);
});

test('both spellings of the Linjeorg column are accepted; a missing one means false (optional_column), else an input error', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'units-'));
  try {
    const text = readFileSync(path.join(ROOT, 'examples/los', NYE), 'utf8');
    writeFileSync(path.join(dir, NYE), text.replace('Med-i-LinjeOrg', 'Med-i-Linjeorg'));
    assert.ok(parseUnitFiles([fileOf(NYE, dir)], mapping, 'utf-8').rows.every((r) => r.linjeorg));
    writeFileSync(path.join(dir, NYE), text.replace('Med-i-LinjeOrg', 'Noget-andet'));
    assert.ok(parseUnitFiles([fileOf(NYE, dir)], mapping, 'utf-8').rows.every((r) => !r.linjeorg));
    // only because the mapping says optional_column: without it, the missing column is an input error
    const strict = { ...mapping, fields: { ...mapping.fields, org_unit_hierarchy: { column: ['Med-i-LinjeOrg', 'Med-i-Linjeorg'], type: 'boolean', required: false } } } as OrgUnitsMapping;
    assert.throws(() => parseUnitFiles([fileOf(NYE, dir)], strict, 'utf-8'), (e: unknown) => e instanceof InputError && /missing column "Med-i-LinjeOrg" or "Med-i-Linjeorg"/.test(e.message));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('problems of all files are collected into one InputError', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'units-'));
  try {
    for (const name of [INITIAL, RET]) writeFileSync(path.join(dir, name), readFileSync(path.join(ROOT, 'examples/los', name), 'utf8').replace(/;1;/, ';nope;'));
    try {
      parseUnitFiles([fileOf(INITIAL, dir), fileOf(RET, dir)], mapping, 'utf-8');
      assert.unreachable();
    } catch (e) {
      assert.instance(e, InputError);
      assert.equal((e as InputError).problems.map((p) => `${p.file}:${p.line}`), [`${INITIAL}:4`, `${RET}:3`]);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

/** Break one example file in a sandbox, run the dry run, return exit code, problems and output. */
function runBroken(file: string, edit: (lines: string[]) => void) {
  const box = sandbox('los2mo-units-');
  try {
    const p = path.join(box.los, file);
    const lines = readFileSync(p, 'utf8').split('\r\n');
    edit(lines);
    writeFileSync(p, lines.join('\r\n'));
    const reportFile = path.join(box.dir, 'report.json');
    const r = cli(['workflow', 'import.yaml', '--dry-run', '--report', reportFile], box.env());
    const report = JSON.parse(readFileSync(reportFile, 'utf8')) as { errors: Parameters<typeof formatProblem>[0][]; outcome: string; steps: { id: string; status: string }[] };
    return {
      code: r.code,
      out: r.stdout + r.stderr,
      problems: report.errors.map(formatProblem),
      report,
      wrote: existsSync(box.state) || existsSync(path.join(path.dirname(box.state), 'reports')),
    };
  } finally {
    box.cleanup();
  }
}

function expectInvalid(res: ReturnType<typeof runBroken>, problems: string[]) {
  assert.is(res.code, 3, res.out);
  assert.equal(res.problems, problems);
  for (const p of problems) assert.ok(res.out.includes(p), `the output shows ${p}`);
  assert.is(res.report.outcome, 'invalid-input');
  assert.not.ok(res.wrote, 'no state file and no reports written');
  assert.not.ok(res.report.steps.some((s) => ['merge_units', 'upload', 'commit'].includes(s.id) && s.status === 'done'), 'merge and the writing steps did not finish');
}

// line n of the file = lines[n - 1] (line 1 = header); columns: 1 OrgUUID … 5 ParentUUID, 6 Med-i-LinjeOrg, 15 StartDato, 16 SlutDato
const setField = (lines: string[], line: number, column: number, value: string) => {
  const f = lines[line - 1]!.split(';');
  f[column - 1] = value;
  lines[line - 1] = f.join(';');
};

test('CLI: a bad uuid → file:line:column: field, exit 3', () => {
  const res = runBroken(INITIAL, (l) => setField(l, 3, 1, '8a76a926-f6c0-17c9-c6c6-8162f1cd8dcX'));
  expectInvalid(res, [`${INITIAL}:3:1: OrgUUID: "8a76a926-f6c0-17c9-c6c6-8162f1cd8dcX" is not a uuid`]);
});

test('CLI: 31-02-2021 is not a calendar day, exit 3', () => {
  const res = runBroken(NYE, (l) => setField(l, 3, 16, '31-02-2021'));
  expectInvalid(res, [`${NYE}:3:16: SlutDato: "31-02-2021" is not a real calendar day`]);
});

test('CLI: an unknown boolean in Med-i-LinjeOrg, exit 3', () => {
  const res = runBroken(RET, (l) => setField(l, 5, 6, 'maybe'));
  expectInvalid(res, [`${RET}:5:6: Med-i-LinjeOrg: "maybe" is not a boolean (true/false, 1/0, yes/no, on/off, t/f, y/n)`]);
});

test('CLI: a missing required column is reported once for the file at line 1, exit 3', () => {
  const res = runBroken(NYE, (l) => { l[0] = l[0]!.replace('ParentUUID', 'Parent'); });
  expectInvalid(res, [
    `${NYE}:1: ParentUUID: missing required column "ParentUUID" (mapped to parent); the header has: OrgUUID;BrugervendtNøgle;OrgEnhedsNavn;OrgEnhedsTypeUUID;Parent;Med-i-LinjeOrg;LOSID;CVR;EAN;P-Nr;SE-Nr;IntDebitor-Nr;MagID;PostAdresse;StartDato;SlutDato`,
  ]);
});

test('CLI: overlapping periods of one unit name both lines, exit 3', () => {
  // MBU-TAN: lines 14 (01-01-2010..31-12-2015) and 15 (ISO 2016-01-01..2018-12-31)
  const res = runBroken(INITIAL, (l) => setField(l, 15, 15, '2015-06-01 00:00:00.000000'));
  expectInvalid(res, [`${INITIAL}:15:15: StartDato: the period 2015-06-01..2018-12-31 overlaps line 14 (2010-01-01..2015-12-31) of the same unit MBU-TAN 530aac06-5723-ba65-58cf-34bb7577c194`]);
});

test('CLI: a parent cycle names the lines, exit 3', () => {
  // AAK (line 2) under MBA (line 4), which is under AAK
  const res = runBroken(INITIAL, (l) => setField(l, 2, 5, '05f2ef87-7cc8-7b20-9d7e-27bd085d7852'));
  expectInvalid(res, [
    `${INITIAL}:2:5: ParentUUID: parent cycle: AAK 1d5da243-db4e-c70c-0912-84db04b45c94 (line 2) → MBA 05f2ef87-7cc8-7b20-9d7e-27bd085d7852 (line 4) → AAK: a unit cannot be its own ancestor`,
  ]);
});

test.run();
