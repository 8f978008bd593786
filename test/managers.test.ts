/** Leder files → rows → manager timelines (pure). */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseManagerFiles } from '../src/los/managers.ts';
import { mergePersons, referencesToCheck, responsibilityValue, type MergeOptions } from '../src/merge/persons.ts';
import { readYaml } from '../src/engine/yaml-file.ts';
import { fileDate, fileKind } from '../src/los/files.ts';
import { gen } from './helpers/pinned-uuids.ts';
import { formatProblem, InputError } from '../src/errors.ts';
import type { ManagersMapping } from '../schemas/mapping.schema.ts';
import { ROOT } from './helpers/cli.ts';

const MAPPING = readYaml<ManagersMapping>(path.join(ROOT, 'workflows/mappings/managers.yaml')).data;
const OPTIONS: MergeOptions = { primaryClass: 'p', nonPrimaryClass: 'n', emailAddressType: 'e', azItSystem: 'a' };
const HEADER = 'OrgUUID;CPR;LedertypeUUID;LederniveauUUID;LederansvarUUID';
const ORG = 'e87b81b8-a284-4a1c-d745-267b49c74a6c';
const CPR = '1011843885';
const TYPE = '5976dfad-56ac-11de-00c5-8cfd5e6d3fab';
const LEVEL4 = '858cf743-4655-96c8-aaa8-d0309415d78b';
const LEVEL3 = '9bc845a3-d22a-61fc-09bc-a79461c393e7';
const RESP = '65233df4-2737-08f3-0214-10e39ffeb9a1';
const UUID = gen('AAK', `${ORG}${CPR}manager`);
const PERSON = gen('AAK', CPR);

function run(spec: Record<string, string[]>) {
  const dir = mkdtempSync(path.join(tmpdir(), 'managers-test-'));
  try {
    const files = Object.entries(spec).map(([name, lines]) => {
      writeFileSync(path.join(dir, name), lines.join('\r\n') + '\r\n');
      return { name, kind: fileKind(name)!, date: fileDate(name), path: path.join(dir, name) };
    });
    const parsed = parseManagerFiles(files, MAPPING, 'utf-8');
    return { parsed, ...mergePersons([], parsed.rows, OPTIONS) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
const fields = (level: string) => ({ person: PERSON, org_unit: ORG, manager_type: TYPE, manager_level: level, responsibility: RESP });

test('manager uuid = gen("AAK", OrgUUID + CPR + "manager"), as the example expects', () => {
  const expected = JSON.parse(readFileSync(path.join(ROOT, 'examples/expected.json'), 'utf8'));
  for (const m of expected.cases.managers.nye) assert.is(gen('AAK', `${m.org}${m.cpr}manager`), m.uuid);
  assert.ok(expected.cases.managers.nye.some((m: { uuid: string }) => m.uuid === UUID));
});

test('Leder_nye creates the role from the file date; Leder_ret updates from its date; Leder_luk ends with its date as last day', () => {
  const nye = run({ 'Leder_nye_20240601_120000.csv': [HEADER, `${ORG};${CPR};${TYPE};${LEVEL4};${RESP}`] });
  assert.equal(nye.objects, [{
    kind: 'manager', uuid: UUID, owner: { org_unit: ORG, person: PERSON }, window: { from: '2024-06-01' },
    periods: [{ from: '2024-06-01', to: null, fields: fields(LEVEL4), source: { file: 'Leder_nye_20240601_120000.csv', line: 2 } }],
  }]);
  assert.equal(nye.persons, [{ cpr: CPR, uuid: PERSON, source: { file: 'Leder_nye_20240601_120000.csv', line: 2 }, employee: false }]);

  const all = run({
    'Leder_nye_20240601_120000.csv': [HEADER, `${ORG};${CPR};${TYPE};${LEVEL4};${RESP}`],
    'Leder_ret_20240701_120000.csv': [HEADER, `${ORG};${CPR};${TYPE};${LEVEL3};${RESP}`],
    'Leder_luk_20240801_120000.csv': ['OrgUUID;CPR', `${ORG};${CPR}`],
  });
  const m = all.objects[0]!;
  assert.equal(m.window, { from: '2024-06-01' });
  assert.equal(m.periods.map((p) => [p.from, p.to, p.fields.manager_level, p.source.file]), [
    ['2024-06-01', '2024-07-01', LEVEL4, 'Leder_nye_20240601_120000.csv'],
    ['2024-07-01', '2024-08-02', LEVEL3, 'Leder_ret_20240701_120000.csv'],
  ]);
  assert.equal(all.ends, [{ kind: 'manager', uuid: UUID, last_day: '2024-08-01', cpr: CPR, source: { file: 'Leder_luk_20240801_120000.csv', line: 2 } }]);

  const ret = run({ 'Leder_ret_20240701_120000.csv': [HEADER, `${ORG};${CPR};${TYPE};${LEVEL3};${RESP}`] });
  assert.equal(ret.objects[0]!.window, { from: '2024-07-01' });
  assert.equal(ret.objects[0]!.periods.map((p) => [p.from, p.to]), [['2024-07-01', null]]);

  const luk = run({ 'Leder_luk_20240801_120000.csv': ['OrgUUID;CPR', `${ORG};${CPR}`] });
  assert.equal(luk.objects, [{ kind: 'manager', uuid: UUID, owner: { org_unit: ORG, person: PERSON }, periods: [], window: { from: '2024-08-02' } }]);
});

test('responsibility: a sorted, comma-joined list of class uuids', () => {
  assert.is(responsibilityValue(['B0000000-0000-0000-0000-000000000000', 'a0000000-0000-0000-0000-000000000000']), 'a0000000-0000-0000-0000-000000000000,b0000000-0000-0000-0000-000000000000');
});

test('references: org unit, person (by CPR) and the three classes with their facets; luk rows make none', () => {
  const r = run({
    'Leder_nye_20240601_120000.csv': [HEADER, `${ORG};${CPR};${TYPE};${LEVEL4};${RESP}`],
    'Leder_luk_20240801_120000.csv': ['OrgUUID;CPR', `${ORG};${CPR}`],
  });
  const file = 'Leder_nye_20240601_120000.csv';
  assert.equal(r.parsed.references, [
    { kind: 'org_unit', uuid: ORG, file, column: 1, field: 'OrgUUID', lines: [2] },
    { kind: 'person', cpr: CPR, file, column: 2, field: 'CPR', lines: [2] },
    { kind: 'class', uuid: TYPE, facet: 'manager_type', file, column: 3, field: 'LedertypeUUID', lines: [2] },
    { kind: 'class', uuid: LEVEL4, facet: 'manager_level', file, column: 4, field: 'LederniveauUUID', lines: [2] },
    { kind: 'class', uuid: RESP, facet: 'responsibility', file, column: 5, field: 'LederansvarUUID', lines: [2] },
  ]);
  assert.equal(referencesToCheck(r.parsed.references, r.persons).length, 5, 'the CPR has no Pers row in this run: the upload checks it in MO');
});

test('bad values and duplicates: file:line:column, CPR masked', () => {
  let problems: string[] = [];
  try {
    run({
      'Leder_nye_20240601_120000.csv': [
        HEADER,
        `${ORG};3213840000;${TYPE};${LEVEL4};${RESP}`,
        `${ORG};${CPR};${TYPE};x;${RESP}`,
        `${ORG};${CPR};${TYPE};${LEVEL4};${RESP}`,
        `${ORG};${CPR};${TYPE};${LEVEL3};${RESP}`,
      ],
    });
  } catch (e) {
    if (!(e instanceof InputError)) throw e;
    problems = e.problems.map(formatProblem);
  }
  assert.equal(problems, [
    'Leder_nye_20240601_120000.csv:2:2: CPR: 321384xxxx has no valid date part',
    'Leder_nye_20240601_120000.csv:3:4: LederniveauUUID: "x" is not a uuid',
    `Leder_nye_20240601_120000.csv:5:2: CPR: the manager role of CPR 101184xxxx in unit ${ORG} is also on line 4`,
  ]);
});

test.run();
