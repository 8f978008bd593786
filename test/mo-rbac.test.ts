/**
 * MO's RBAC from OS2mo's own map (`mora/graphapi/rbac_map.py`, vendored as
 * schemas/mo-rbac-map.json by schemas/vendor-mo-rbac-map.ts):
 * - every field of every document los2mo sends needs exactly the map's role (or is public);
 * - the emulator enforces the map per resolved field like MO's `RBACExtension`
 *   (`mora/graphapi/schema.py` `_enforce_pbac`, `POLICIES`): a missing role and a field in neither
 *   PUBLIC_FIELDS nor RBAC_MAP (`rbac_policy` returns False for it) are the field error
 *   "No policy approved the access"; a field is checked only when resolved
 *   (`tests/graphapi/test_rbac.py::test_graphql_rbac`: "Address permission is first checked here,
 *   as we actually have org-unit data");
 * - the preflight names a field in neither table and stops with exit 2.
 */
import { readFileSync, rmSync } from 'node:fs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { buildSchema, isIntrospectionType, isObjectType, parse, TypeInfo, visit, visitWithTypeInfo } from 'graphql';
import { parseRbacMap } from '../schemas/vendor-mo-rbac-map.ts';
import { allRoles } from '../src/mo-emulator/auth.ts';
import { MoClient } from '../src/mo/client.ts';
import { moDocuments } from '../src/mo/documents.ts';
import { checkDocuments, requirePreflight } from '../src/mo/preflight.ts';
import { documentAccess, MO_RBAC_MAP, type MoRbacMap } from '../src/mo/rbac.ts';
import { ConfigError } from '../src/errors.ts';
import { startTestMo, type TestMo } from './helpers/mo.ts';

const SDL = readFileSync(new URL('../schemas/mo-v29.graphql', import.meta.url), 'utf8');
const RAW = JSON.parse(readFileSync(new URL('../schemas/mo-rbac-map.json', import.meta.url), 'utf8')) as MoRbacMap;
const REFUSAL = 'No policy approved the access';

/** The vendored map without some `Type.field`s: an MO whose map has no entry for them. */
function mapWithout(...fields: string[]): MoRbacMap {
  const gone = new Set(fields);
  for (const f of fields) assert.ok(RAW.public.includes(f) || f in RAW.roles, `${f} is in the map`);
  return { ...RAW, public: RAW.public.filter((f) => !gone.has(f)), roles: Object.fromEntries(Object.entries(RAW.roles).filter(([f]) => !gone.has(f))) };
}

test('parseRbacMap: one-line and multi-line entries, None collections; an entry it does not understand throws', () => {
  const python = `
PUBLIC_FIELDS: frozenset[tuple[str, str]] = frozenset(
    {
        ("Address", "uuid"),
        ("AccessLog", "actor"),
    }
)

RBAC_MAP: dict[tuple[str, str], RBACRequirement] = {
    ("Query", "org_units"): ("read_org_unit", "org_unit", "read"),
    ("Mutation", "association_refresh"): (
        "refresh_association",
        "association",
        "refresh",
    ),
    ("Query", "event_fetch"): ("fetch_event", None, None),
}
`;
  assert.equal(parseRbacMap(python), {
    public: ['AccessLog.actor', 'Address.uuid'],
    roles: { 'Mutation.association_refresh': 'refresh_association', 'Query.event_fetch': 'fetch_event', 'Query.org_units': 'read_org_unit' },
  });
  assert.throws(() => parseRbacMap(python.replace('("read_org_unit", "org_unit", "read")', 'READ_ORG_UNIT')), /RBAC_MAP has 3 entries, 2 understood/);
  assert.throws(() => parseRbacMap(python.replace('("AccessLog", "actor")', '("AccessLog", ACTOR)')), /PUBLIC_FIELDS has 2 entries, 1 understood/);
  assert.throws(() => parseRbacMap(python.replace('("Query", "event_fetch")', '("Address", "uuid")')), /both public and role-gated: Address\.uuid/);
});

test('the vendored map records its source; public and role-gated are disjoint; every field of the emulator SDL is in one of them', () => {
  assert.equal(RAW.source, { repository: 'https://github.com/OS2mo/os2mo', commit: RAW.source.commit, file: 'mora/graphapi/rbac_map.py', license: 'MPL-2.0' });
  assert.match(RAW.source.commit, /^[0-9a-f]{40}$/);
  assert.ok(RAW.public.length > 500 && Object.keys(RAW.roles).length > 250, 'the whole map, not an excerpt');
  assert.equal(RAW.public.filter((f) => f in RAW.roles), []);
  // OS2mo's tests/graphapi/test_rbac.py::test_rbac_map_covers_schema, for the subset we serve
  const schema = buildSchema(SDL);
  const unclassified: string[] = [];
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || isIntrospectionType(type)) continue;
    for (const field of Object.keys(type.getFields())) {
      const key = `${type.name}.${field}`;
      if (!RAW.public.includes(key) && !(key in RAW.roles)) unclassified.push(key);
    }
  }
  assert.equal(unclassified, []);
});

test("every field of every document los2mo sends: the role is the map's entry (or public), none is rejected", () => {
  const schema = buildSchema(SDL);
  const publicFields = new Set(RAW.public);
  let fields = 0;
  for (const d of moDocuments()) {
    const doc = parse(d.query);
    // the roles the map gives the document's fields, read from the JSON directly
    const expected = new Set<string>();
    const info = new TypeInfo(schema);
    visit(doc, visitWithTypeInfo(info, {
      Field(node) {
        if (node.name.value === '__typename') return;
        const key = `${info.getParentType()!.name}.${node.name.value}`;
        fields++;
        if (publicFields.has(key)) return;
        assert.ok(key in RAW.roles, `document "${d.name}": ${key} is in neither PUBLIC_FIELDS nor RBAC_MAP`);
        expected.add(RAW.roles[key]!);
      },
    }));
    const access = documentAccess(schema, doc);
    assert.equal(access.rejected, [], d.name);
    assert.equal(access.roles.map((r) => r.role).sort(), [...expected].sort(), d.name);
    for (const need of access.roles) assert.is(RAW.roles[need.field], need.role, `${d.name}: ${need.field}`);
  }
  assert.ok(fields > 200, `${fields} fields checked`);
});

test('documentAccess: plumbing of responses is public (our old rule wanted read_<collection>), introspection is public, a field in neither table is rejected', () => {
  const schema = buildSchema(SDL);
  const doc = parse('{ __typename org_units { page_info { next_cursor } objects { uuid current { name } validities { user_key } } } }');
  assert.equal(documentAccess(schema, doc), { roles: [{ role: 'read_org_unit', field: 'Query.org_units' }], rejected: [] });
  // without the root field, nothing of the response needs a role
  assert.equal(documentAccess(schema, parse('{ __typename }')), { roles: [], rejected: [] });
  const lacking = mapWithout('OrganisationUnitResponse.current', 'Query.org_units');
  assert.equal(documentAccess(schema, doc, lacking), { roles: [], rejected: ['Query.org_units', 'OrganisationUnitResponse.current'] });
});

/** An emulator on a database filled by `fill` (as a client with every role), serving a token with `roles`. */
async function moWith(roles: readonly string[], fill?: (admin: TestMo) => Promise<unknown>, rbacMap?: MoRbacMap): Promise<TestMo & { cleanup(): Promise<void> }> {
  const admin = await startTestMo();
  if (fill) await fill(admin);
  await admin.emu.stop();
  const mo = await startTestMo({ dbPath: admin.dbPath, roles, ...(rbacMap ? { rbacMap } : {}) });
  return Object.assign(mo, { cleanup: async () => { await mo.stop(); rmSync(admin.dir, { recursive: true, force: true }); } });
}

const newFacetAndClass = async (admin: TestMo) => {
  const f = await admin.ok('mutation { facet_create(input: {user_key: "f", validity: {}}) { uuid } }');
  await admin.ok('mutation($f: UUID!) { class_create(input: {user_key: "c", name: "C", facet_uuid: $f, validity: {from: "2000-01-01"}}) { uuid } }', { f: f.facet_create.uuid });
};

test("emulator, a missing role, as OS2mo's tests/graphapi/test_rbac.py::test_graphql_rbac: refused per field, data null at the root; a nested field only when resolved", async () => {
  const cases: [string, string[], boolean][] = [
    ['{ org { uuid } }', [], false],
    ['{ org { uuid } }', ['read_org'], true],
    ['{ org_units { objects { uuid } } }', [], false],
    ['{ org_units { objects { uuid } } }', ['read_org'], false],
    ['{ org_units { objects { uuid } } }', ['read_org_unit'], true],
    ['{ addresses { objects { uuid } } }', ['read_org'], false],
    ['{ addresses { objects { uuid } } }', ['read_address'], true],
  ];
  for (const roles of [[], ['read_org'], ['read_org_unit'], ['read_address']]) {
    const mo = await moWith(roles);
    let denied = 0;
    try {
      for (const [query, forRoles, allowed] of cases) {
        if (forRoles.join() !== roles.join()) continue;
        const r = await mo.gql(query);
        assert.is(r.status, 200);
        if (allowed) assert.is(r.errors, undefined, `${query} with ${roles}`);
        else {
          assert.is(r.data, null, `${query} with ${roles}`);
          assert.equal(r.errors?.map((e) => [e.message, e.path]), [[REFUSAL, [query.split(' ')[1]]]], `${query} with ${roles}`);
          assert.is(mo.emu.metrics().errors['PERMISSION_DENIED'], ++denied, 'counted as PERMISSION_DENIED');
        }
      }
    } finally {
      await mo.cleanup();
    }
  }
  // facet_response of a class needs read_facet: only checked once there is a class to resolve it for
  const query = '{ classes { objects { uuid current { name facet_response { uuid } } } } }';
  const empty = await moWith(['read_class']);
  try {
    assert.equal(await empty.gql(query).then((r) => [r.errors, r.data]), [undefined, { classes: { objects: [] } }]);
  } finally {
    await empty.cleanup();
  }
  const filled = await moWith(['read_class'], newFacetAndClass);
  try {
    const r = await filled.gql(query);
    assert.equal(r.errors?.map((e) => [e.message, e.path]), [[REFUSAL, ['classes', 'objects', 0, 'current', 'facet_response']]]);
    // FacetResponse! is non-null: the null reaches the nullable `current`
    assert.equal(r.data, { classes: { objects: [{ uuid: r.data.classes.objects[0].uuid, current: null }] } });
  } finally {
    await filled.cleanup();
  }
  const both = await moWith(['read_class', 'read_facet'], newFacetAndClass);
  try {
    assert.is((await both.ok(query)).classes.objects[0].current.name, 'C');
  } finally {
    await both.cleanup();
  }
});

test('emulator, a field in neither PUBLIC_FIELDS nor RBAC_MAP (mora/graphapi/schema.py rbac_policy: no requirement → False): refused whatever the roles', async () => {
  const lacking = mapWithout('Query.facets', 'Facet.user_key');
  const mo = await moWith(allRoles(), newFacetAndClass, lacking);
  try {
    const root = await mo.gql('{ facets { objects { uuid } } }');
    assert.is(root.status, 200);
    assert.is(root.data, null);
    assert.equal(root.errors?.map((e) => [e.message, e.path]), [[REFUSAL, ['facets']]]);
    const nested = await mo.gql('{ classes { objects { current { name facet_response { current { uuid user_key } } } } } }');
    assert.equal(nested.errors?.map((e) => [e.message, e.path]), [[REFUSAL, ['classes', 'objects', 0, 'current', 'facet_response', 'current', 'user_key']]]);
    assert.equal(nested.data, { classes: { objects: [{ current: { name: 'C', facet_response: { current: null } } }] } });
    // the same fields pass under the vendored map
    const plain = await moWith(allRoles(), newFacetAndClass);
    try {
      assert.is((await plain.ok('{ facets { objects { current { user_key } } } }')).facets.objects[0].current.user_key, 'f');
    } finally {
      await plain.cleanup();
    }
  } finally {
    await mo.cleanup();
  }
});

test('preflight: a field of a document in neither table is named Type.field with its document; the run stops with exit 2', async () => {
  const lacking = mapWithout('OrganisationUnit.unit_type_uuid');
  const { problems } = checkDocuments(SDL, moDocuments(), lacking);
  assert.ok(problems.length >= 1, 'reported');
  for (const p of problems) assert.match(p, /^document "[^"]+": OrganisationUnit\.unit_type_uuid is in neither PUBLIC_FIELDS nor RBAC_MAP of OS2mo's mora\/graphapi\/rbac_map\.py \([0-9a-f]{10}\): MO refuses it whatever the roles \("No policy approved the access"\)$/);
  assert.ok(problems.some((p) => p.startsWith('document "Read org_unit"')), problems.join('\n'));
  assert.equal(checkDocuments(SDL).problems, [], 'the vendored map has every field');

  const mo = await startTestMo();
  try {
    const { emu } = mo;
    const client = new MoClient({ url: emu.url, authServer: emu.authServer, realm: emu.realm, clientId: emu.clientId, clientSecret: emu.clientSecret, retryDelayMs: 1, timeoutMs: 5000 });
    const error = await requirePreflight(client, lacking).then(() => undefined, (e: unknown) => e);
    assert.instance(error, ConfigError);
    assert.is((error as ConfigError).exitCode, 2);
    assert.match((error as Error).message, /OrganisationUnit\.unit_type_uuid is in neither PUBLIC_FIELDS nor RBAC_MAP/);
    assert.ok(await requirePreflight(client), 'passes with the vendored map');
  } finally {
    await mo.stop();
  }
});

test("the emulator's roles are the map's: allRoles() is every role RBAC_MAP names", () => {
  assert.equal(allRoles(), [...new Set(Object.values(MO_RBAC_MAP.roles))].sort());
  assert.ok(allRoles().includes('read_related_unit') && allRoles().includes('fetch_event'));
});

test.run();
