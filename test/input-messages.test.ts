/**
 * Input that gave the wrong message (issue 19): each case is a copy of the example delivery changed
 * in one place, run through the CLI (dry runs): exit 3 with the right FILE:LINE:COLUMN, or — for a
 * delivery mixing encodings — imported, with each file's encoding in the report.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import iconv from 'iconv-lite';
import { cli, sandbox, type CliResult } from './helpers/cli.ts';
import { decodeFile } from '../src/los/csv.ts';

const ORG = 'Org_nye_20240601_120000.csv';
const show = (r: CliResult) => `exit ${r.code}\n${r.stdout.slice(-3000)}\n${r.stderr.slice(-3000)}`;

/** A dry run of the example with `name` rewritten by `edit` (the file's text, BOM and CRLF kept). */
function deliver(name: string, edit: (text: string) => string | Buffer, args: string[] = []) {
  const box = sandbox();
  try {
    const file = path.join(box.los, name);
    writeFileSync(file, edit(readFileSync(file, 'utf8')));
    const report = path.join(box.dir, 'report.json');
    const r = cli(['workflow', 'import.yaml', '--dry-run', '--report', report, ...args], box.env());
    return { r, report: JSON.parse(readFileSync(report, 'utf8')) };
  } finally {
    box.cleanup();
  }
}

test('CR-only line breaks: exit 3 at line 1, not an internal error', () => {
  const { r } = deliver(ORG, (t) => t.replace(/\r\n/g, '\r'));
  assert.is(r.code, 3, show(r));
  assert.match(r.stderr, new RegExp(`${ORG}:1:16: line break: a line ends with a lone CR`));
});

test('CRLF and LF mixed: exit 3 at the first line that differs, not "expected 16 fields, found …"', () => {
  // lines 1 and 2 end with CRLF, line 3 with LF
  const { r } = deliver(ORG, (t) => { const l = t.split('\r\n'); return `${l[0]}\r\n${l[1]}\r\n${l[2]}\n${l.slice(3).join('\r\n')}`; });
  assert.is(r.code, 3, show(r));
  assert.match(r.stderr, new RegExp(`${ORG}:3:16: SlutDato: the line ends with LF, but line 1 \\(and the lines before this one\\) with CRLF: mixed line breaks`));
  assert.not.match(r.stderr, /expected 16 fields/);
});

test('an unclosed quote at line 2 of a 4-line file is reported at line 2, where it opens', () => {
  const { r } = deliver(ORG, (t) => { const l = t.split('\r\n'); const f = l[1]!.split(';'); f[2] = `"${f[2]}`; l[1] = f.join(';'); return l.join('\r\n'); });
  assert.is(r.code, 3, show(r));
  assert.match(r.stderr, new RegExp(`${ORG}:2:3: OrgEnhedsNavn: a quoted field opens here and is never closed`));
});

test('a 20,000-character field: exit 3 at FILE:LINE:COLUMN (the documented limit of 1,000 characters)', () => {
  const { r, report } = deliver(ORG, (t) => { const l = t.split('\r\n'); const f = l[2]!.split(';'); f[2] = 'x'.repeat(20_000); l[2] = f.join(';'); return l.join('\r\n'); });
  assert.is(r.code, 3, show(r));
  assert.match(r.stderr, new RegExp(`${ORG}:3:3: OrgEnhedsNavn: the value has 20000 characters; at most 1000 are allowed`));
  assert.is(report.operations.org_unit, undefined);
});

test('an oversized address value (a column read as data, not through a field) is refused too', () => {
  const { r } = deliver(ORG, (t) => { const l = t.split('\r\n'); const f = l[2]!.split(';'); f[13] = 'Vej '.repeat(400); l[2] = f.join(';'); return l.join('\r\n'); });
  assert.is(r.code, 3, show(r));
  assert.match(r.stderr, new RegExp(`${ORG}:3:14: PostAdresse: the value has 1599 characters`));
});

test('a delivery mixing a Windows-1252 file with UTF-8 (BOM) files: each file read in its own encoding, and said so', () => {
  // the Org file in Windows-1252 (no BOM), the others as they are (UTF-8 with BOM, or plain ASCII)
  const { r, report } = deliver(ORG, (t) => iconv.encode(t.replace(/^\ufeff/, ''), 'win1252'), ['--set', 'encoding=windows-1252']);
  assert.is(r.code, 0, show(r));
  const enc = Object.fromEntries(report.files.filter((f: any) => f.encoding).map((f: any) => [f.name, f.encoding]));
  assert.is(enc[ORG], 'windows-1252');
  assert.is(enc['Org_inital_20240101_000000.csv'], 'utf-8');
  assert.is(enc['Pers_nye_20240601_120000.csv'], 'utf-8');
  assert.is(enc['STAM_UUID_Enhedstype.csv'], 'utf-8');
  // the names came through: the example's Org_nye has Danish letters in its unit names
  const names = report.plan.filter((p: any) => p.kind === 'org_unit' && p.file === ORG);
  assert.ok(names.length > 0);
});

test('a file (no BOM) mixing UTF-8 with Windows-1252 bytes is refused even with the fallback windows-1252 (no mojibake)', () => {
  const { r } = deliver(ORG, (t) => { const l = t.split('\r\n'); return Buffer.concat([Buffer.from(l.slice(0, 2).join('\r\n').replace(/^\ufeff/, '') + '\r\n'), iconv.encode(l[2]!.replace(/^([^;]*;[^;]*;)[^;]*/, '$1Ærø'), 'win1252'), Buffer.from('\r\n' + l.slice(3).join('\r\n'))]); }, ['--set', 'encoding=windows-1252']);
  assert.is(r.code, 3, show(r));
  assert.match(r.stderr, new RegExp(`${ORG}:3:3: OrgEnhedsNavn: byte 0xC6 .* is not valid UTF-8; the file mixes UTF-8 with another encoding`));
});

test('Windows-1252 is decoded as Windows-1252 (0x80 €, 0x92 ’), not as ISO-8859-1 (why iconv-lite stays)', () => {
  const bytes = Buffer.from([0x50, 0x72, 0x69, 0x73, 0x3b, 0x80, 0x92, 0xe6, 0x0d, 0x0a]);
  const out = decodeFile(bytes, 'x.csv', 'windows-1252');
  assert.is(out.encoding, 'windows-1252');
  assert.is(out.bytes.toString('utf8'), 'Pris;€’æ\r\n');
});

test.run();
