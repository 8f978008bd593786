/**
 * The preflight (src/mo/preflight.ts) validates "every GraphQL document los2mo sends", the set
 * src/mo/documents.ts registers. This holds that claim to account: the example delivery is imported
 * into the emulator in two runs (Org_inital first: creates; then the rest: updates, terminations,
 * units closed with their contents read, managers and persons), then rerun, then `show tree`,
 * while the emulator records every document it receives (its `onDocument` option). Each received
 * document must be covered by the registry.
 *
 * Normal form: a batch is many aliased copies of one registered mutation, so documents are not
 * compared whole. Each root field of each operation becomes one shape: the operation type, the
 * field printed by graphql-js without its alias and with each variable replaced by its declared
 * type (`org_unit_create(input: $OrganisationUnitCreateInput!) { uuid }`). A received document is
 * covered when every one of its shapes is a shape of a registered document.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { copyFileSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { Kind, parse, print, visit, type FieldNode } from 'graphql';
import { cliP as cli, sandbox, ROOT } from './helpers/cli.ts';
import { startTestMo } from './helpers/mo.ts';
import { moDocuments } from '../src/mo/documents.ts';

function shapes(query: string): string[] {
  const out: string[] = [];
  for (const def of parse(query).definitions) {
    if (def.kind !== Kind.OPERATION_DEFINITION) {
      out.push(`unsupported ${def.kind}`);
      continue;
    }
    const types = new Map((def.variableDefinitions ?? []).map((v) => [v.variable.name.value, print(v.type)]));
    for (const sel of def.selectionSet.selections) {
      if (sel.kind !== Kind.FIELD) {
        out.push(`${def.operation} unsupported ${sel.kind}`);
        continue;
      }
      const field: FieldNode = visit({ ...sel, alias: undefined }, {
        Variable: (v) => ({ ...v, name: { ...v.name, value: types.get(v.name.value) ?? `undeclared ${v.name.value}` } }),
      });
      out.push(`${def.operation} ${print(field)}`);
    }
  }
  return out;
}

const registered = new Set(moDocuments().flatMap((d) => shapes(d.query)));

/** The received documents' shapes that no registered document has. */
function uncovered(received: Iterable<string>): string[] {
  const missing = new Set<string>();
  for (const q of received) for (const s of shapes(q)) if (!registered.has(s)) missing.add(s);
  return [...missing];
}

test('every document an import, a changed delivery, a rerun and show tree send is registered for the preflight', async () => {
  const received = new Set<string>();
  const mo = await startTestMo({ onDocument: (q) => received.add(q) });
  const box = sandbox('los2mo-documents-');
  try {
    const env = box.env({ MO_URL: mo.emu.url, CLIENT_SECRET: 'test-secret' });
    const later = readdirSync(box.los).filter((f) => !f.startsWith('STAM_') && !f.startsWith('Org_inital'));
    for (const f of later) rmSync(path.join(box.los, f));
    const first = await cli(['workflow', 'import.yaml'], env);
    assert.is(first.code, 0, first.stdout + first.stderr);
    for (const f of later) copyFileSync(path.join(ROOT, 'examples/los', f), path.join(box.los, f)); // fresh mtimes: new files
    const second = await cli(['workflow', 'import.yaml'], env);
    assert.is(second.code, 0, second.stdout + second.stderr);
    const rerun = await cli(['workflow', 'import.yaml'], env);
    assert.is(rerun.code, 0, rerun.stdout + rerun.stderr);
    const tree = await cli(['show', 'tree', '--json'], env);
    assert.is(tree.code, 0, tree.stderr);

    // the runs did send what the claim is about: creates, updates, terminations, closing units' contents
    const roots = new Set([...received].flatMap((q) => shapes(q).map((s) => /^\w+ (\w+)/.exec(s)![1])));
    for (const f of ['org_unit_create', 'org_unit_update', 'org_unit_terminate', 'address_terminate', 'engagement_create', 'engagement_update', 'manager_update', 'org_units', 'persons']) {
      assert.ok(roots.has(f), `the runs send ${f}: ${[...roots].sort().join(', ')}`);
    }
    assert.ok([...received].some((q) => /query UnitContents/.test(q)), 'a unit closed: its contents were read');
    assert.ok([...received].some((q) => /\bm1: \w+_create/.test(q)), 'a batch of several aliased mutations was sent');

    assert.equal(uncovered(received), [], 'every received document is registered in src/mo/documents.ts');

    // the check fails for a document sent that is not registered: a read with one more field, a
    // mutation selecting more than its registered template, and a query of its own
    const before = received.size;
    const extraField = [...received].find((q) => /query UnitContents/.test(q))!.replace('user_key', 'user_key name');
    const rogue = [
      extraField,
      'mutation($a: OrganisationUnitCreateInput!) { m0: org_unit_create(input: $a) { uuid current { name } } }',
      'query Rogue { org_units(filter: { user_keys: ["X"] }) { objects { uuid } } }',
    ];
    for (const q of rogue) await mo.gql(q);
    assert.is(received.size, before + 3, 'the emulator recorded the rogue documents');
    const found = uncovered(received);
    assert.is(found.length, 3, found.join('\n'));
    assert.ok(found.some((s) => /user_key\s+name/.test(s)));
    assert.ok(found.some((s) => /^mutation org_unit_create\(input: \$OrganisationUnitCreateInput!\) \{\s+uuid\s+current/s.test(s)), found.join('\n'));
    assert.ok(found.some((s) => /user_keys: \["X"\]/.test(s)));
  } finally {
    await mo.stop();
    box.cleanup();
  }
});

test('the normal form: aliases and variable names do not matter, variable types and selections do', () => {
  const one = 'mutation W($v0: OrganisationUnitCreateInput!) { m0: org_unit_create(input: $v0) { uuid } }';
  assert.equal(uncovered([one]), []);
  assert.equal(uncovered(['mutation B($a: OrganisationUnitCreateInput!, $b: OrganisationUnitCreateInput!) { m0: org_unit_create(input: $a) { uuid } m1: org_unit_create(input: $b) { uuid } }']), []);
  assert.equal(uncovered(['mutation W($v0: OrganisationUnitUpdateInput!) { m0: org_unit_create(input: $v0) { uuid } }']).length, 1);
  assert.equal(uncovered(['query { org { uuid } }']), []);
  assert.equal(uncovered(['query { org { uuid name } }']).length, 1);
});

test.run();
