/**
 * The preflight against the live MO (issue 16 ★) and the emulator's RBAC, like MO's:
 * - MO checks every field it resolves against OS2mo's RBAC map (`mora/graphapi/rbac_map.py`,
 *   vendored as schemas/mo-rbac-map.json; `mora/graphapi/schema.py` `_enforce_pbac`): a missing
 *   realm role is the error "No policy approved the access" with HTTP 200, data null for a root
 *   field (`tests/test_service_auth.py`, `tests/graphapi/test_rbac.py`); `GET
 *   /graphql/vNN/schema.graphql` serves the SDL (`mora/graphapi/router.py`). More in
 *   test/mo-rbac.test.ts.
 * - `./run doctor` against `./run mo-emulator --without-role …` / `--without-field …` fails with
 *   exit 2 naming the role or the document and field; an import against such an MO stops with
 *   exit 2 before anything is written.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parse, buildSchema } from 'graphql';
import { allRoles } from '../src/mo-emulator/auth.ts';
import { checkDocuments, tokenRoles } from '../src/mo/preflight.ts';
import { MO_RBAC_MAP, requiredRoles } from '../src/mo/rbac.ts';
import { cliP, RUN, ROOT } from './helpers/cli.ts';
import { startTestMo } from './helpers/mo.ts';
import { runImport, sandbox, show, startDrillMo } from './drills-support.ts';

const SDL = readFileSync(new URL('../schemas/mo-v29.graphql', import.meta.url), 'utf8');

test("roles of a document, from OS2mo's map: Query field → read_<collection>, a collection object inside another → its read_<collection>, Mutation → <verb>_<collection>", () => {
  const schema = buildSchema(SDL);
  const roles = (q: string) => requiredRoles(schema, parse(q)).map((r) => `${r.role} ${r.field}`);
  assert.equal(roles('{ classes { objects { uuid current { name facet_response { current { user_key } } } } page_info { next_cursor } } }'), [
    'read_class Query.classes',
    'read_facet Class.facet_response',
  ]);
  assert.equal(roles('{ persons { objects { validities { validity { from to } cpr_number } } } }'), ['read_employee Query.persons']);
  assert.equal(roles('mutation($i: OrganisationUnitCreateInput!) { org_unit_create(input: $i) { uuid } }'), ['create_org_unit Mutation.org_unit_create']);
  assert.equal(roles('mutation($i: ITUserTerminateInput!) { ituser_terminate(input: $i) { uuid } }'), ['terminate_ituser Mutation.ituser_terminate']);
});

test("los2mo's documents are valid against the project's SDL; README's role table is exactly the roles they need by OS2mo's map (with its commit)", () => {
  const { problems, roles } = checkDocuments(SDL);
  assert.equal(problems, []);
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
  const section = readme.slice(readme.indexOf('**Keycloak client set-up.**'), readme.indexOf('**Preflight.**'));
  const rows = [...section.matchAll(/^\| (read|create|update|terminate|delete|refresh) \| (.*) \|$/gm)];
  assert.is(rows.length, 4, 'the read, create, update and terminate rows');
  const listed = rows.flatMap((m) => [...m[2]!.matchAll(/`(\w+)`/g)].map((r) => r[1]!));
  for (const m of rows) for (const r of m[2]!.matchAll(/`(\w+)`/g)) assert.ok(r[1]!.startsWith(`${m[1]}_`), `${r[1]} in the ${m[1]} row`);
  assert.equal(listed.sort(), roles.map((r) => r.role));
  assert.ok(section.includes(MO_RBAC_MAP.source.commit), "README names the map's commit");
});

test('an SDL without a field: the document using it is named with the field', () => {
  const sdl = SDL.replace(/^\s+unit_type_uuid: UUID.*$/m, '');
  assert.is.not(sdl, SDL);
  const { problems } = checkDocuments(sdl);
  assert.ok(problems.some((p) => /^document "Read org_unit": Cannot query field "unit_type_uuid" on type "OrganisationUnit"/.test(p)), problems.join('\n'));
});

test('emulator: a token without a role is refused like MO (HTTP 200, "No policy approved the access"; data null at the root, a nested field once there is data to resolve it for); the token carries realm_access.roles', async () => {
  const mo = await startTestMo({ roles: allRoles().filter((r) => r !== 'read_facet') });
  try {
    assert.ok(!tokenRoles(await mo.token())!.includes('read_facet'));
    assert.ok(tokenRoles(await mo.token())!.includes('read_class'));
    const root = await mo.gql('{ facets { objects { uuid } } }');
    assert.is(root.status, 200);
    assert.is(root.data, null);
    assert.equal(root.errors?.map((e) => e.message), ['No policy approved the access']);
    const query = '{ classes { objects { current { facet_response { uuid } } } } }';
    assert.equal((await mo.gql(query)).errors, undefined, 'no class yet: facet_response is never resolved');
    const f = await mo.ok('mutation { facet_create(input: {user_key: "f", validity: {}}) { uuid } }');
    await mo.ok('mutation($f: UUID!) { class_create(input: {user_key: "c", name: "C", facet_uuid: $f, validity: {from: "2000-01-01"}}) { uuid } }', { f: f.facet_create.uuid });
    const refused = await mo.gql(query);
    assert.is(refused.status, 200);
    assert.equal(refused.errors?.map((e) => [e.message, e.path]), [['No policy approved the access', ['classes', 'objects', 0, 'current', 'facet_response']]]);
    const allowed = await mo.gql('{ classes { objects { uuid current { name } } } }');
    assert.is(allowed.errors, undefined);
    const sdl = await fetch(`${mo.emu.url}/graphql/v29/schema.graphql`);
    assert.is(sdl.status, 200);
    assert.match(await sdl.text(), /type Query \{/);
  } finally {
    await mo.stop();
  }
});

/** `./run mo-emulator …` as a child; resolves its MO_URL and CLIENT_SECRET. */
async function emulatorCli(args: string[]) {
  const dir = mkdtempSync(path.join(tmpdir(), 'preflight-emu-'));
  const child = spawn(RUN, ['mo-emulator', '--port', '0', '--db', path.join(dir, 'mo.sqlite'), ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const ready = await new Promise<{ url: string; secret: string }>((resolve, reject) => {
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      const url = /MO_URL=(\S+)/.exec(out)?.[1];
      const secret = /CLIENT_SECRET=(\S+)/.exec(out)?.[1];
      // the roles/fields lines come before the database line
      if (url && secret && /database: .*\n/.test(out)) resolve({ url, secret });
    });
    child.on('exit', (code) => reject(new Error(`mo-emulator exited ${code}: ${out}`)));
  });
  const stop = () => new Promise<void>((resolve) => {
    child.once('exit', () => { rmSync(dir, { recursive: true, force: true }); resolve(); });
    child.kill('SIGINT');
  });
  return { ...ready, out, stop };
}

test('./run doctor: OK against the emulator; exit 2 naming the role against --without-role, the field against --without-field', async () => {
  const plain = await emulatorCli([]);
  try {
    const r = await cliP(['doctor'], { MO_URL: plain.url, CLIENT_SECRET: plain.secret });
    assert.is(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /OK: MO takes every document/);
  } finally {
    await plain.stop();
  }
  const noRole = await emulatorCli(['--without-role', 'create_org_unit']);
  try {
    assert.match(noRole.out, /roles left out of the token: create_org_unit/);
    const r = await cliP(['doctor'], { MO_URL: noRole.url, CLIENT_SECRET: noRole.secret });
    assert.is(r.code, 2, r.stdout + r.stderr);
    assert.match(r.stdout, /missing realm role create_org_unit \(needed by Mutation\.org_unit_create in document "Write org_unit_create"\)/);
    assert.not.match(r.stdout, /missing realm role (?!create_org_unit)/, 'only the removed role is missing');
  } finally {
    await noRole.stop();
  }
  const noField = await emulatorCli(['--without-field', 'OrganisationUnit.unit_type_uuid']);
  try {
    const r = await cliP(['doctor', '--json'], { MO_URL: noField.url, CLIENT_SECRET: noField.secret });
    assert.is(r.code, 2, r.stdout + r.stderr);
    const problems = JSON.parse(r.stdout).report.problems as string[];
    assert.ok(problems.length >= 1 && problems.every((p) => /Cannot query field "unit_type_uuid" on type "OrganisationUnit"/.test(p)), problems.join('\n'));
    assert.ok(problems.some((p) => p.startsWith('document "Read org_unit"')), problems.join('\n'));
  } finally {
    await noField.stop();
  }
});

test('an import against an MO whose token lacks a role stops with exit 2 before anything is written', async () => {
  const mo = await startDrillMo({ roles: allRoles().filter((r) => r !== 'terminate_org_unit') });
  const box = sandbox('preflight-');
  try {
    const r = await runImport(box, mo);
    assert.is(r.code, 2, show(r));
    assert.match(r.stdout + r.stderr, /missing realm role terminate_org_unit \(needed by Mutation\.org_unit_terminate/);
    assert.is(mo.count(), 0, 'nothing was written');
    assert.is(mo.emu.metrics().mutations.org_unit_create ?? 0, 0);
  } finally {
    await mo.stop();
    box.cleanup();
  }
});

test.run();
