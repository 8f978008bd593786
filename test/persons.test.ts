/** Pers files → rows → desired timelines (pure: parse-persons and merge-persons without the engine). */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parsePersonFiles, PERSON_KINDS, splitName } from '../src/los/persons.ts';
import { MANAGER_KINDS } from '../src/los/managers.ts';
import { exclusiveEnd } from '../src/los/values.ts';
import { mergePersons, referencesToCheck, type MergeOptions } from '../src/merge/persons.ts';
import { readYaml } from '../src/engine/yaml-file.ts';
import { fileDate, fileKind } from '../src/los/files.ts';
import { gen } from './helpers/pinned-uuids.ts';
import { loadSeed } from '../src/seed.ts';
import { ConfigError, formatProblem, InputError } from '../src/errors.ts';
import type { PersonsMapping } from '../schemas/mapping.schema.ts';
import type { DesiredObject } from '../schemas/desired.schema.ts';
import { ROOT } from './helpers/cli.ts';

const MAPPING = readYaml<PersonsMapping>(path.join(ROOT, 'workflows/mappings/persons.yaml')).data;
const seed = loadSeed();
const OPTIONS: MergeOptions = {
  primaryClass: seed.classUuid('primary_type', 'primary'),
  nonPrimaryClass: seed.classUuid('primary_type', 'non-primary'),
  emailAddressType: seed.classUuid('employee_address_type', 'EmailEmployee'),
  azItSystem: seed.itsystems.find((s) => s.user_key === 'AZ')!.uuid,
};

const HEADER = 'UUID;BrugervendtNøgle;CPR;CPRNavn;StartTid;SlutTid;Email;PrimærAnsættelse;OrgenhedUUID;EngagementTypeUUID;StillingsBetegnelseUUID;AZID;ADITSystemUUID;ADkonto;ADkontoUUID';
const UNIT = '11111111-1111-1111-1111-111111111111';
const UNIT2 = '22222222-2222-2222-2222-222222222222';
const ETYPE = '33333333-3333-3333-3333-333333333333';
const JOB = '44444444-4444-4444-4444-444444444444';
const JOB2 = '55555555-5555-5555-5555-555555555555';
const E1 = 'aaaaaaaa-0000-0000-0000-000000000001';
const E2 = 'aaaaaaaa-0000-0000-0000-000000000002';
const CPR = '0708722608'; // 7 Aug 1972
const CPR2 = '1209570843'; // 12 Sep 1957

interface Row {
  uuid?: string; key?: string; cpr?: string; name?: string; start?: string; end?: string; email?: string; primary?: string;
  unit?: string; type?: string; job?: string; azid?: string;
}
const line = (r: Row) =>
  [r.uuid ?? E1, r.key ?? '40000077', r.cpr ?? CPR, r.name ?? 'Hanne Kristine Højgaard', r.start ?? '2014-06-01 00:00:00.000000', r.end ?? '9999-12-31 00:00:00.000000',
    r.email ?? 'hanne@aarhus.dk', r.primary ?? 'Ja', r.unit ?? UNIT, r.type ?? ETYPE, r.job ?? JOB, r.azid ?? 'az80977', '', '', ''].join(';');

let dir = '';
function files(spec: Record<string, string[]>) {
  dir = mkdtempSync(path.join(tmpdir(), 'persons-test-'));
  return Object.entries(spec).map(([name, lines]) => {
    writeFileSync(path.join(dir, name), '\ufeff' + lines.join('\r\n') + '\r\n');
    return { name, kind: fileKind(name)!, date: fileDate(name), path: path.join(dir, name) };
  });
}
const pers = (name: string, rows: Row[]) => ({ [name]: [HEADER, ...rows.map(line)] });
const luk = (name: string, rows: [string, string][]) => ({ [name]: ['UUID;CPR;CPRNavn', ...rows.map(([u, c]) => `${u};${c};Navn`)] });

function run(spec: Record<string, string[]>, options: Partial<MergeOptions> = {}) {
  try {
    const parsed = parsePersonFiles(files(spec), MAPPING, 'utf-8');
    const merged = mergePersons(parsed.rows, [], { ...OPTIONS, ...options });
    return { parsed, ...merged, get: (uuid: string) => merged.objects.find((o) => o.uuid === uuid) as DesiredObject };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
function problems(spec: Record<string, string[]>): string[] {
  try {
    run(spec);
  } catch (e) {
    if (e instanceof InputError) return e.problems.map(formatProblem);
    throw e;
  }
  assert.unreachable('expected an input error');
  return [];
}

const emp = gen('AAK', CPR);

test('derived uuids are gen("AAK", …) as los-format.md gives them (and as the example expects)', () => {
  assert.is(gen('AAK', '00000000-0000-0000-0000-000000000001los'), 'c4461c82-9614-3731-18b4-18c1682ed9c9');
  const expected = JSON.parse(readFileSync(path.join(ROOT, 'examples/expected.json'), 'utf8'));
  const r = run(pers('Pers_nye_20240601_120000.csv', [{ cpr: expected.cases.persons.ret.emailChanged.cpr }]));
  const cpr = expected.cases.persons.ret.emailChanged.cpr as string;
  assert.is(expected.cases.persons.ret.emailChanged.employee, gen('AAK', cpr));
  assert.equal(r.objects.map((o) => [o.kind, o.uuid]), [
    ['employee', gen('AAK', cpr)], ['engagement', E1], ['address', gen('AAK', `${cpr}email`)], ['ituser', gen('AAK', `${cpr}azid`)],
  ]);
  assert.equal(r.persons, [{ cpr, uuid: gen('AAK', cpr), source: { file: 'Pers_nye_20240601_120000.csv', line: 2 }, employee: true }]);
});

test('a person with two engagements: one employee, two engagements, one e-mail, one IT user; primary Ja/Nej classes', () => {
  const r = run(pers('Pers_nye_20240601_120000.csv', [
    { uuid: E1 },
    { uuid: E2, key: '40000406', primary: 'Nej', unit: UNIT2, start: '01-12-2011', end: '31-12-2030' },
  ]));
  assert.equal(r.objects.map((o) => o.kind), ['employee', 'engagement', 'engagement', 'address', 'ituser']);
  assert.equal(r.get(emp), {
    kind: 'employee', uuid: emp, window: { from: null },
    periods: [{ from: '1972-08-07', to: null, fields: { cpr_number: CPR, given_name: 'Hanne Kristine', surname: 'Højgaard' }, source: { file: 'Pers_nye_20240601_120000.csv', line: 3 } }],
  });
  assert.equal(r.get(E1), {
    kind: 'engagement', uuid: E1, owner: { person: emp }, window: { from: null },
    periods: [{ from: '2014-06-01', to: null, fields: { person: emp, org_unit: UNIT, engagement_type: ETYPE, job_function: JOB, primary: OPTIONS.primaryClass, user_key: '40000077' }, source: { file: 'Pers_nye_20240601_120000.csv', line: 2 } }],
  });
  const e2 = r.get(E2);
  assert.equal([e2.periods[0]!.from, e2.periods[0]!.to], ['2011-12-01', '2031-01-01'], 'SlutTid is the last day: MO to = +1 day');
  assert.is(e2.periods[0]!.fields.primary, seed.classUuid('primary_type', 'non-primary'));
  assert.is(e2.periods[0]!.fields.org_unit, UNIT2);
  assert.equal(r.get(gen('AAK', `${CPR}email`)), {
    kind: 'address', uuid: gen('AAK', `${CPR}email`), owner: { person: emp }, window: { from: '2024-06-01' },
    periods: [{ from: '2024-06-01', to: null, fields: { value: 'hanne@aarhus.dk', address_type: seed.classUuid('employee_address_type', 'EmailEmployee'), person: emp }, source: { file: 'Pers_nye_20240601_120000.csv', line: 3 } }],
  });
  assert.equal(r.get(gen('AAK', `${CPR}azid`)).periods[0]!.fields, { user_key: 'az80977', itsystem: 'c750b872-3760-6f4a-f599-7b3b8ef5255c', person: emp });
  assert.equal(r.fallbacks, []);
  assert.equal(r.warnings, []);
});

test('the Pers and Leder kinds come from the one list of file kinds, in processing order', () => {
  assert.equal([...PERSON_KINDS], ['Pers_nye', 'Pers_ret', 'Pers_luk']);
  assert.equal([...MANAGER_KINDS], ['Leder_nye', 'Leder_ret', 'Leder_luk']);
  for (const k of [...PERSON_KINDS, ...MANAGER_KINDS]) assert.is(fileKind(`${k}_20240101_000000.csv`), k);
});

test('name split at the last space', () => {
  assert.equal(splitName('Hanne Kristine Højgaard'), { name: 'Hanne Kristine Højgaard', given_name: 'Hanne Kristine', surname: 'Højgaard' });
  assert.equal(splitName('  Søs   Sørensen '), { name: 'Søs Sørensen', given_name: 'Søs', surname: 'Sørensen' });
  assert.equal(splitName('Madonna'), { name: 'Madonna', given_name: 'Madonna', surname: '' });
  assert.is(exclusiveEnd('2024-12-31'), '2025-01-01');
  assert.is(exclusiveEnd('9999-12-31'), null);
});

test('SlutTid: the same end rule as the unit rows (9999-12-31 is open, 9999-06-30 a real last day)', () => {
  const r = run(pers('Pers_nye_20240601_120000.csv', [{ end: '9999-06-30 00:00:00.000000' }, { uuid: E2, end: '31-12-9999' }]));
  assert.is(r.get(E1).periods[0]!.to, '9999-07-01');
  assert.is(r.get(E2).periods[0]!.to, null);
});

test('the AZ IT system can be configured (azid_it_system_uuid)', () => {
  const other = '99999999-9999-9999-9999-999999999999';
  const r = run(pers('Pers_nye_20240601_120000.csv', [{}]), { azItSystem: other });
  assert.is(r.get(gen('AAK', `${CPR}azid`)).periods[0]!.fields.itsystem, other);
});

test('Pers_ret updates from the file date until SlutTid; a later StartTid starts there; window = the file date', () => {
  const r = run({
    ...pers('Pers_nye_20240601_120000.csv', [{ uuid: E1 }, { uuid: E2, start: '2024-08-01', primary: 'Nej' }]),
    ...pers('Pers_ret_20240701_120000.csv', [
      { uuid: E1, job: JOB2, end: '2024-12-31 00:00:00.000000' },
      { uuid: E2, start: '2024-09-01', primary: 'Nej', job: JOB2 },
    ]),
  });
  const e1 = r.get(E1);
  assert.is(e1.window.from, null, 'created in this run: its whole timeline');
  assert.equal(e1.periods.map((p) => [p.from, p.to, p.fields.job_function, p.source.file]), [
    ['2014-06-01', '2024-07-01', JOB, 'Pers_nye_20240601_120000.csv'],
    ['2024-07-01', '2025-01-01', JOB2, 'Pers_ret_20240701_120000.csv'],
  ]);
  assert.equal(r.get(E2).periods.map((p) => [p.from, p.to, p.fields.job_function]), [['2024-09-01', null, JOB2]], 'StartTid moved from 08-01 to 09-01');

  // only the ret file in this run: the window starts at the file's date
  const ret = run(pers('Pers_ret_20240701_120000.csv', [{ uuid: E1, job: JOB2 }, { uuid: E2, start: '2024-09-01' }]));
  assert.equal(ret.get(E1).window, { from: '2024-07-01' });
  assert.equal(ret.get(E1).periods.map((p) => [p.from, p.to]), [['2024-07-01', null]]);
  assert.equal(ret.get(E2).window, { from: '2024-07-01' });
  assert.equal(ret.get(E2).periods.map((p) => [p.from, p.to]), [['2024-09-01', null]]);
  // first seen here: when MO lacks it, it is created with its own StartTid..SlutTid
  const fb = ret.fallbacks.find((f) => f.uuid === E1)!;
  assert.equal([fb.kind, fb.window, fb.periods.map((p) => [p.from, p.to, p.fields.job_function])], ['engagement', { from: null }, [['2014-06-01', null, JOB2]]]);
  assert.not.ok(ret.fallbacks.some((f) => f.uuid === E2), 'StartTid after the file date: the fallback would be the same');
  const personFallback = ret.fallbacks.find((f) => f.uuid === emp)!;
  assert.equal(personFallback.periods.map((p) => [p.from, p.to]), [['1972-08-07', null]]);
  // the name applies from the file's date
  assert.equal(ret.get(emp).window, { from: '2024-07-01' });
  assert.equal(ret.get(emp).periods.map((p) => [p.from, p.to, p.fields.surname]), [['2024-07-01', null, 'Højgaard']]);
});

test('Pers_ret name change: the person changes from the file date', () => {
  const r = run({
    ...pers('Pers_nye_20240601_120000.csv', [{ name: 'Nanna Søgaard' }]),
    ...pers('Pers_ret_20240701_120000.csv', [{ name: 'Nanna Søgaard Østergaard' }]),
  });
  assert.equal(r.get(emp).periods.map((p) => [p.from, p.to, p.fields.given_name, p.fields.surname]), [
    ['1972-08-07', '2024-07-01', 'Nanna', 'Søgaard'],
    ['2024-07-01', null, 'Nanna Søgaard', 'Østergaard'],
  ]);
  assert.is(r.get(E1).periods.length, 1, 'an unchanged engagement row adds no period');
});

test('Pers_ret with a SlutTid before the file date ends the engagement after SlutTid', () => {
  const r = run(pers('Pers_ret_20240701_120000.csv', [{ end: '2024-05-31 00:00:00.000000' }]));
  assert.equal(r.get(E1).window, { from: '2024-06-01' });
  assert.equal(r.get(E1).periods, []);
});

test('Pers_luk: the file date is the last day (window from the next day, no periods), listed in ends', () => {
  const only = run(luk('Pers_luk_20240801_120000.csv', [[E1, CPR]]));
  assert.equal(only.objects, [{ kind: 'engagement', uuid: E1, periods: [], window: { from: '2024-08-02' } }]);
  assert.equal(only.ends, [{ kind: 'engagement', uuid: E1, last_day: '2024-08-01', cpr: CPR, source: { file: 'Pers_luk_20240801_120000.csv', line: 2 } }]);
  assert.equal(only.persons.map((p) => p.employee), [false], 'a luk row makes no employee');

  const r = run({ ...pers('Pers_nye_20240601_120000.csv', [{ uuid: E1 }, { uuid: E2, primary: 'Nej' }]), ...luk('Pers_luk_20240801_120000.csv', [[E2, CPR]]) });
  assert.equal(r.get(E2).window, { from: null });
  assert.equal(r.get(E2).periods.map((p) => [p.from, p.to]), [['2014-06-01', '2024-08-02']]);
  assert.equal(r.get(E1).periods.map((p) => [p.from, p.to]), [['2014-06-01', null]]);
});

test('e-mail and AZ: added, changed and removed from the file date', () => {
  const email = gen('AAK', `${CPR}email`);
  const az = gen('AAK', `${CPR}azid`);
  const added = run(pers('Pers_ret_20240701_120000.csv', [{ email: 'new@aarhus.dk', azid: 'az1' }]));
  assert.equal(added.get(email).window, { from: '2024-07-01' });
  assert.equal(added.get(email).periods.map((p) => [p.from, p.to, p.fields.value]), [['2024-07-01', null, 'new@aarhus.dk']]);
  assert.equal(added.get(az).periods.map((p) => [p.from, p.to, p.fields.user_key]), [['2024-07-01', null, 'az1']]);

  const changed = run({ ...pers('Pers_nye_20240601_120000.csv', [{ start: '2024-09-01' }]), ...pers('Pers_ret_20240701_120000.csv', [{ start: '2024-09-01', email: 'h@mbu.aarhus.dk', azid: 'az2' }]) });
  assert.equal(changed.get(email).window, { from: '2024-06-01' }, 'from the file date, not from StartTid');
  assert.equal(changed.get(email).periods.map((p) => [p.from, p.to, p.fields.value]), [['2024-06-01', '2024-07-01', 'hanne@aarhus.dk'], ['2024-07-01', null, 'h@mbu.aarhus.dk']]);
  assert.equal(changed.get(az).periods.map((p) => [p.from, p.to, p.fields.user_key]), [['2024-06-01', '2024-07-01', 'az80977'], ['2024-07-01', null, 'az2']]);

  const removed = run(pers('Pers_ret_20240701_120000.csv', [{ email: '', azid: '' }]));
  assert.equal(removed.get(email), { kind: 'address', uuid: email, owner: { person: emp }, periods: [], window: { from: '2024-07-01' } });
  assert.equal(removed.get(az), { kind: 'ituser', uuid: az, owner: { person: emp }, periods: [], window: { from: '2024-07-01' } });

  const nye = run(pers('Pers_nye_20240601_120000.csv', [{ email: '', azid: '' }]));
  assert.equal(nye.objects.map((o) => o.kind), ['employee', 'engagement'], 'an empty column in Pers_nye makes nothing');

  const both = run({ ...pers('Pers_nye_20240601_120000.csv', [{}]), ...pers('Pers_ret_20240701_120000.csv', [{ email: '' }]) });
  assert.equal(both.get(email).periods.map((p) => [p.from, p.to]), [['2024-06-01', '2024-07-01']]);
});

test('several rows of one CPR in one file: a non-empty value beats an empty one; different values → the later row, with a masked warning', () => {
  const r = run(pers('Pers_ret_20240701_120000.csv', [
    { uuid: E1, email: 'a@aarhus.dk', azid: '' },
    { uuid: E2, email: 'b@aarhus.dk', azid: 'az7' },
  ]));
  assert.equal(r.get(gen('AAK', `${CPR}email`)).periods.map((p) => [p.fields.value, p.source.line]), [['b@aarhus.dk', 3]]);
  assert.equal(r.get(gen('AAK', `${CPR}azid`)).periods.map((p) => p.fields.user_key), ['az7']);
  assert.equal(r.warnings, ['Pers_ret_20240701_120000.csv: lines 2, 3 give CPR 070872xxxx different Email values; line 3\'s is used']);
  assert.not.match(r.warnings.join('\n'), CPR);
});

test('references: org unit and classes with file, column and lines; persons of the run not re-checked', () => {
  const r = run(pers('Pers_nye_20240601_120000.csv', [{}, { uuid: E2, cpr: CPR2, job: JOB2 }, { uuid: 'aaaaaaaa-0000-0000-0000-000000000003', unit: UNIT2 }]));
  const file = 'Pers_nye_20240601_120000.csv';
  assert.equal(r.parsed.references, [
    { kind: 'org_unit', uuid: UNIT, file, column: 9, field: 'OrgenhedUUID', lines: [2, 3] },
    { kind: 'class', uuid: ETYPE, facet: 'engagement_type', file, column: 10, field: 'EngagementTypeUUID', lines: [2, 3, 4] },
    { kind: 'class', uuid: JOB, facet: 'engagement_job_function', file, column: 11, field: 'StillingsBetegnelseUUID', lines: [2, 4] },
    { kind: 'class', uuid: JOB2, facet: 'engagement_job_function', file, column: 11, field: 'StillingsBetegnelseUUID', lines: [3] },
    { kind: 'org_unit', uuid: UNIT2, file, column: 9, field: 'OrgenhedUUID', lines: [4] },
  ], 'one reference per file, column and value');
  const personRef = { kind: 'person' as const, cpr: CPR, file: 'Leder_nye_20240601_120000.csv', column: 2, field: 'CPR', lines: [2] };
  const otherRef = { ...personRef, cpr: '0101601234', lines: [3] };
  assert.equal(referencesToCheck([...r.parsed.references, personRef, otherRef], r.persons), [...r.parsed.references, otherRef]);
  assert.equal(referencesToCheck([...r.parsed.references, otherRef], r.persons, new Set([`${file}:2`, `${file}:4`])), [
    { kind: 'org_unit', uuid: UNIT, file, column: 9, field: 'OrgenhedUUID', lines: [3] },
    { kind: 'class', uuid: ETYPE, facet: 'engagement_type', file, column: 10, field: 'EngagementTypeUUID', lines: [3] },
    { kind: 'class', uuid: JOB2, facet: 'engagement_job_function', file, column: 11, field: 'StillingsBetegnelseUUID', lines: [3] },
    otherRef,
  ], 'excluded lines are left out; a reference left without lines is dropped');
});

test('excluded rows (--skip-invalid-rows) are merged as if absent', () => {
  const spec = pers('Pers_nye_20240601_120000.csv', [{ uuid: E1 }, { uuid: E2, cpr: CPR2 }]);
  const parsed = parsePersonFiles(files(spec), MAPPING, 'utf-8');
  rmSync(dir, { recursive: true, force: true });
  const r = mergePersons(parsed.rows, [], { ...OPTIONS, exclude: new Set(['Pers_nye_20240601_120000.csv:3']) });
  assert.equal(r.objects.map((o) => o.uuid), [emp, E1, gen('AAK', `${CPR}email`), gen('AAK', `${CPR}azid`)]);
  assert.equal(r.persons.map((p) => p.cpr), [CPR]);
});

test('bad values: file:line:column: column: message, CPR masked', () => {
  const out = problems(pers('Pers_nye_20240601_120000.csv', [
    { uuid: 'not-a-uuid' },
    { uuid: E2, cpr: '3113570843' },
    { uuid: 'aaaaaaaa-0000-0000-0000-000000000003', start: '2017-13-01 00:00:00.000000' },
    { uuid: 'aaaaaaaa-0000-0000-0000-000000000004', primary: 'Måske' },
    { uuid: 'aaaaaaaa-0000-0000-0000-000000000005', cpr: '12345' },
    { uuid: 'aaaaaaaa-0000-0000-0000-000000000006', start: '2024-02-01', end: '2024-01-31' },
    { uuid: 'aaaaaaaa-0000-0000-0000-000000000007', start: '1970-01-01' },
    { uuid: E1 },
    { uuid: 'aaaaaaaa-0000-0000-0000-000000000009', unit: '' },
  ]));
  const f = 'Pers_nye_20240601_120000.csv';
  assert.equal(out, [
    `${f}:2:1: UUID: "not-a-uuid" is not a uuid`,
    `${f}:3:3: CPR: 311357xxxx has no valid date part`,
    `${f}:4:5: StartTid: "2017-13-01 00:00:00.000000" is not a real calendar day`,
    `${f}:5:8: PrimærAnsættelse: "Måske" must be Ja or Nej`,
    `${f}:6:3: CPR: must be 10 digits`,
    `${f}:7:6: SlutTid: the last day 2024-01-31 is before the first day 2024-02-01`,
    `${f}:8:5: StartTid: the first day 1970-01-01 is before the birth date of CPR 070872xxxx (1972-08-07)`,
    `${f}:10:9: OrgenhedUUID: a value is required`,
  ]);
  const dup = problems(pers('Pers_nye_20240601_120000.csv', [{ uuid: E1 }, { uuid: E1.toUpperCase() }]));
  assert.equal(dup, [`Pers_nye_20240601_120000.csv:3:1: UUID: engagement ${E1} is also on line 2`]);
});

test('a missing column names the file and the header; a changed field type in the mapping is a configuration error', () => {
  const out = problems({ 'Pers_luk_20240801_120000.csv': ['UUID;CPRNavn', `${E1};Navn`] });
  assert.equal(out, ['Pers_luk_20240801_120000.csv:1: CPR: missing required column "CPR" (mapped to cpr); the header has: UUID;CPRNavn']);
  const bad = { ...MAPPING, engagements: { ...MAPPING.engagements, fields: { ...MAPPING.engagements.fields, start: { column: 'StartTid', type: 'string' as const } } } };
  assert.throws(() => parsePersonFiles([], bad, 'utf-8', 'persons.yaml'), (e: unknown) => e instanceof ConfigError && /persons\.yaml: engagements\.fields\.start: the type must be date \(got string\)/.test((e as Error).message));
});

test('columns neither mapped nor ignored are reported', () => {
  try {
    const parsed = parsePersonFiles(files({ 'Pers_luk_20240801_120000.csv': ['UUID;CPR;CPRNavn;Ekstra', `${E1};${CPR};Navn;x`] }), MAPPING, 'utf-8');
    assert.equal(parsed.unmapped, [{ file: 'Pers_luk_20240801_120000.csv', columns: ['Ekstra'] }]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('an engagement given to another CPR in a later file is an input error (masked)', () => {
  const out = problems({ ...pers('Pers_nye_20240601_120000.csv', [{}]), ...pers('Pers_ret_20240701_120000.csv', [{ cpr: CPR2 }]) });
  assert.equal(out, [`Pers_ret_20240701_120000.csv:2:1: CPR: engagement ${E1} belongs to CPR 070872xxxx on Pers_nye_20240601_120000.csv:2; this row gives another CPR number (120957xxxx)`]);
});

test.run();
