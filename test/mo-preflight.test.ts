/**
 * The preflight against the live MO (issue 16 ★) and the emulator's RBAC, like MO's:
 * - MO checks every Query/Mutation field and nested object field against the token's realm roles
 *   `{read|create|update|terminate|delete}_{collection}` and refuses with HTTP 200, data null and
 *   "No policy approved the access" (OS2mo `mora/graphapi/permissions.py`, `mora/graphapi/schema.py`
 *   `rbac_policy`, `tests/test_service_auth.py`); `GET /graphql/vNN/schema.graphql` serves the SDL
 *   (`mora/graphapi/router.py`).
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
import { requiredRoles } from '../src/mo/rbac.ts';
import { cliP, RUN, ROOT } from './helpers/cli.ts';
import { startTestMo } from './helpers/mo.ts';
import { runImport, sandbox, show, startDrillMo } from './drills-support.ts';

const SDL = readFileSync(new URL('../schemas/mo-v29.graphql', import.meta.url), 'utf8');

test('roles of a document: Query field → read_<collection>, nested collection object → read_<collection>, Mutation → <verb>_<collection>', () => {
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

test("los2mo's documents are valid against the project's SDL and need exactly these 39 roles", () => {
  const { problems, roles } = checkDocuments(SDL);
  assert.equal(problems, []);
  const verbs = (verb: string, list: string) => list.split(' ').map((c) => `${verb}_${c}`);
  assert.equal(roles.map((r) => r.role), [
    ...verbs('create', 'address class employee engagement facet itsystem ituser manager org org_unit'),
    ...verbs('read', 'address association class employee engagement facet itsystem ituser kle manager org org_unit related_unit'),
    ...verbs('terminate', 'address class engagement itsystem ituser manager org_unit'),
    ...verbs('update', 'address class employee engagement facet itsystem ituser manager org_unit'),
  ]);
});

test('an SDL without a field: the document using it is named with the field', () => {
  const sdl = SDL.replace(/^\s+unit_type_uuid: UUID.*$/m, '');
  assert.is.not(sdl, SDL);
  const { problems } = checkDocuments(sdl);
  assert.ok(problems.some((p) => /^document "Read org_unit": Cannot query field "unit_type_uuid" on type "OrganisationUnit"/.test(p)), problems.join('\n'));
});

test('emulator: a token without a role is refused like MO (HTTP 200, data null, "No policy approved the access"); the token carries realm_access.roles', async () => {
  const mo = await startTestMo({ roles: allRoles().filter((r) => r !== 'read_facet') });
  try {
    assert.ok(!tokenRoles(await mo.token())!.includes('read_facet'));
    assert.ok(tokenRoles(await mo.token())!.includes('read_class'));
    const refused = await mo.gql('{ classes { objects { current { facet_response { uuid } } } } }');
    assert.is(refused.status, 200);
    assert.is(refused.data, null);
    assert.equal(refused.errors?.map((e) => e.message), ['No policy approved the access']);
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
