/**
 * Mappings are checked with the workflow, before anything runs (issue 19): schema, YAML syntax at
 * its real line and column, and each field's one type, for all four mappings alike (issue 18).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { cli, sandbox, ROOT } from './helpers/cli.ts';

function withWorkflows(edit: (mappings: string) => void) {
  const box = sandbox();
  const dir = path.join(box.dir, 'workflows');
  cpSync(path.join(ROOT, 'workflows'), dir, { recursive: true });
  edit(path.join(dir, 'mappings'));
  const report = path.join(box.dir, 'report.json');
  const r = cli(['workflow', path.join(dir, 'import.yaml'), '--report', report], box.env());
  const json = JSON.parse(readFileSync(report, 'utf8'));
  box.cleanup();
  return { r, report: json, mappings: path.join(dir, 'mappings') };
}
const replaceIn = (file: string, from: string, to: string) => {
  const text = readFileSync(file, 'utf8');
  assert.ok(text.includes(from), `${file} has ${from}`);
  writeFileSync(file, text.replace(from, to));
};
const lineOf = (file: string, text: string) => readFileSync(path.join(ROOT, 'workflows/mappings', file), 'utf8').split('\n').findIndex((l) => l.includes(text)) + 1;

test('type: string on a date field of the org units mapping: exit 2 when the workflow is checked, no step runs', () => {
  const { r, report, mappings } = withWorkflows((m) => replaceIn(path.join(m, 'org-units.yaml'), 'start: { column: StartDato, type: date }', 'start: { column: StartDato, type: string }'));
  assert.is(r.code, 2, r.stdout + r.stderr);
  assert.ok((r.stdout + r.stderr).includes(`${path.join(mappings, 'org-units.yaml')}:${lineOf('org-units.yaml', 'start: { column: StartDato')}: fields.start: the type must be date (got string)`), r.stdout + r.stderr);
  assert.equal(report.steps, [], 'nothing ran');
});

test('every mapping is checked before anything runs: a YAML syntax error at its line and column, a schema error, a type in the STAM mapping', () => {
  const { r, report, mappings } = withWorkflows((m) => {
    writeFileSync(path.join(m, 'managers.yaml'), 'managers:\n  fields:\n    org_unit: [OrgUUID\n    cpr: CPR\n');
    replaceIn(path.join(m, 'persons.yaml'), 'ignore: [CPRNavn]', 'ignore: [CPRNavn]\n  unknown_key: 1');
    replaceIn(path.join(m, 'stam.yaml'), 'fields: { uuid: EnhedstypeUUID,', 'fields: { uuid: { column: EnhedstypeUUID, type: date },');
  });
  assert.is(r.code, 2, r.stdout + r.stderr);
  const out = r.stdout + r.stderr;
  assert.match(out, new RegExp(`${path.join(mappings, 'managers.yaml').replace(/[.]/g, '\\.')}:4:5: invalid YAML`));
  assert.match(out, /persons\.yaml:\d+: \/ended: must NOT have additional properties \(got "unknown_key"\)|persons\.yaml:\d+: \/ended.*unknown_key/);
  assert.ok(out.includes(`stam.yaml:${lineOf('stam.yaml', 'fields: { uuid: EnhedstypeUUID,')}: classes.fields.uuid: the type must be uuid (got date)`), out);
  assert.equal(report.steps, []);
});

test('a misspelt file kind in the fetch order is refused when the workflow is checked (one list of kinds)', () => {
  const { r, report } = withWorkflows((m) => replaceIn(path.join(m, '..', 'import.yaml'), 'source: ${{ settings.source }}', 'source: ${{ settings.source }}\n      order: [STAM, Org_inital, Org_nye, Org_ret, Pers_Nye]'));
  assert.is(r.code, 2, r.stdout + r.stderr);
  assert.match(r.stdout + r.stderr, /import\.yaml:\d+: step "fetch" \(fetch\): with\.order\.4: must be one of "STAM", "Org_inital", .* \(got "Pers_Nye"\)/);
  assert.equal(report.steps, []);
});

test.run();
