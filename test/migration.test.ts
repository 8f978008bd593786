/**
 * Issue 17, "Done when": a first run against an MO that the earlier importer seeded plans no
 * change to any of its seed objects. The MO is seeded here the way the earlier importer did it
 * (OS2mo data-import-and-export, integrations/aarhus/initial.py: its CLASSES list, the IT system
 * AZ, facets created by its ImportHelper under their own uuids), with every uuid and name written
 * out literally or computed by an independent md5 here — not by src/uuid.ts or the seed file.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createHash, randomUUID } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { cliP, sandbox } from './helpers/cli.ts';
import { startTestMo, type TestMo } from './helpers/mo.ts';

const dashed = (hex: string) => `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
const md5 = (s: string) => createHash('md5').update(s, 'utf8').digest('hex');
/** ra_utils.generate_uuid.uuid_generator("aarhus-los")(key), written independently */
const aarhus = (key: string) => dashed(md5(dashed(md5('aarhus-los')) + key));

// the check value of los-format.md pins the independent generator
test('the independent generator gives the documented check values', () => {
  assert.is(aarhus('ORG_UUID'), '266a7532-40d2-8de3-cd0f-1a94de5ad1fb');
  assert.is(aarhus('UNIT_LOS'), '00aab355-193d-9cd2-7b34-b484a36ea27b');
});

/** [name, facet, scope, user_key, uuid] — the earlier importer's CLASSES */
const EARLIER_CLASSES: [string, string, string, string, string][] = [
  ['Postadresse', 'org_unit_address_type', 'DAR', 'AddressMailUnit', aarhus('UNIT_POSTADDR')],
  ['LOS ID', 'org_unit_address_type', 'TEXT', 'LOSID', aarhus('UNIT_LOS')],
  ['CVR nummer', 'org_unit_address_type', 'TEXT', 'CVRUnit', aarhus('UNIT_CVR')],
  ['EAN nummer', 'org_unit_address_type', 'EAN', 'EANUnit', aarhus('UNIT_EAN')],
  ['P-nummer', 'org_unit_address_type', 'PNUMBER', 'PNumber', aarhus('UNIT_PNR')],
  ['SE-nummer', 'org_unit_address_type', 'TEXT', 'SENumber', aarhus('UNIT_SENR')],
  ['IntDebitor-Nr', 'org_unit_address_type', 'TEXT', 'intdebit', aarhus('UNIT_DEBITORNR')],
  ['WWW', 'org_unit_address_type', 'WWW', 'UnitWeb', aarhus('UNIT_WWW')],
  ['Ekspeditionstid', 'org_unit_address_type', 'TEXT', 'UnitHours', aarhus('UNIT_HOURS')],
  ['Telefontid', 'org_unit_address_type', 'TEXT', 'UnitPhoneHours', aarhus('UNIT_PHONEHOURS')],
  ['Telefon', 'org_unit_address_type', 'PHONE', 'UnitPhone', aarhus('UNIT_PHONE')],
  ['Fax', 'org_unit_address_type', 'PHONE', 'UnitFax', aarhus('UNIT_FAX')],
  ['Email', 'org_unit_address_type', 'EMAIL', 'UnitEmail', aarhus('UNIT_EMAIL')],
  ['Magkort', 'org_unit_address_type', 'TEXT', 'UnitMagID', aarhus('UNIT_MAG_ID')],
  ['Alternativt navn', 'org_unit_address_type', 'TEXT', 'UnitNameAlt', aarhus('UNIT_NAME_ALT')],
  ['Phone', 'employee_address_type', 'PHONE', 'PhoneEmployee', aarhus('PERSON_PHONE')],
  ['Email', 'employee_address_type', 'EMAIL', 'EmailEmployee', aarhus('PERSON_EMAIL')],
  ['Lokale', 'employee_address_type', 'TEXT', 'RoomEmployee', aarhus('PERSON_ROOM')],
  ['Primær', 'primary_type', '100000', 'primary', aarhus('PRIMARY')],
  ['Ikke-primær', 'primary_type', '0', 'non-primary', aarhus('NOT_PRIMARY')],
  ['Linjeorganisation', 'org_unit_hierarchy', 'TEXT', 'linjeorg', aarhus('LINJE_ORG_HIERARCHY')],
  ['Sikkerhedsorganisation', 'org_unit_hierarchy', 'TEXT', 'sikkerhedsorg', aarhus('SIKKERHEDS_ORG_HIERARCHY')],
  ['Rolletype', 'role_type', 'TEXT', 'role_type', '964c31a2-6267-4388-bff5-42d6f3c5f708'],
  ['Tilknytningsrolle', 'association_type', 'TEXT', 'association_type', 'ec534b86-3d9b-42d8-bff0-afc4f81719af'],
  ['Orlovstype', 'leave_type', 'TEXT', 'leave_type', 'd2892fa6-bc56-4c14-bd24-74ae0c71fa3a'],
  ['Alternativ stillingsbetegnelse', 'employee_address_type', 'TEXT', 'AltJobTitle', aarhus('PERSON_JOB_TITLE_ALT')],
];
const AZ = aarhus('AZID_SYSTEM');
/** the facets os2mo_data_import's ImportHelper(create_defaults=True) made, under uuids of its own */
const DEFAULT_FACETS = [
  'org_unit_address_type', 'employee_address_type', 'manager_address_type', 'address_property', 'engagement_job_function',
  'org_unit_type', 'engagement_type', 'association_type', 'role_type', 'leave_type', 'manager_type', 'responsibility',
  'manager_level', 'visibility', 'time_planning', 'org_unit_level', 'primary_type', 'org_unit_hierarchy',
];

/** Seed MO as the earlier importer did; returns the facet uuids by user_key. */
async function seedLikeEarlierImporter(mo: TestMo): Promise<Record<string, string>> {
  const facets = Object.fromEntries(DEFAULT_FACETS.map((k) => [k, randomUUID()]));
  await mo.ok(`mutation { ${DEFAULT_FACETS.map((k, i) => `f${i}: facet_create(input: {uuid: "${facets[k]}", user_key: "${k}", validity: {from: "1930-01-01"}}) { uuid }`).join('\n')} }`);
  await mo.ok(`mutation { ${EARLIER_CLASSES.map(([name, facet, scope, userKey, uuid], i) =>
    `c${i}: class_create(input: {uuid: "${uuid}", user_key: ${JSON.stringify(userKey)}, name: ${JSON.stringify(name)}, scope: "${scope}", facet_uuid: "${facets[facet]}", validity: {from: "1930-01-01"}}) { uuid }`).join('\n')}
    az: itsystem_create(input: {uuid: "${AZ}", user_key: "AZ", name: "AZ", validity: {from: "1930-01-01"}}) { uuid } }`);
  return facets;
}

async function classesOf(mo: TestMo, facet: string) {
  const data = await mo.ok<{ classes: { objects: { uuid: string; current: { name: string; user_key: string; scope: string | null } | null }[] } }>(
    `query($f: [String!]) { classes(filter: { facet: { user_keys: $f } }) { objects { uuid current { name user_key scope } } } }`,
    { f: [facet] },
  );
  return data.classes.objects.map((o) => ({ uuid: o.uuid, ...o.current! })).sort((a, b) => a.uuid.localeCompare(b.uuid));
}

test('a first run against an MO the earlier importer seeded plans no change to any seed object', async () => {
  const box = sandbox('los2mo-migration-');
  const mo = await startTestMo();
  try {
    const facets = await seedLikeEarlierImporter(mo);
    const env = box.env({ MO_URL: mo.emu.url, CLIENT_SECRET: 'test-secret' });
    const reportFile = path.join(box.dir, 'dry.json');
    const dry = await cliP(['workflow', 'import.yaml', '--dry-run', '--report', reportFile], env);
    assert.is(dry.code, 0, dry.stderr + dry.stdout);
    const report = JSON.parse(readFileSync(reportFile, 'utf8'));
    const seedUuids = new Set([...EARLIER_CLASSES.map((c) => c[4]), AZ, ...Object.values(facets)]);
    const touching = (report.plan as { uuid: string; kind: string; operation: string }[]).filter((c) => seedUuids.has(c.uuid));
    assert.equal(touching, [], 'changes planned to the earlier importer\'s seed objects');
    // no second facet of the same user_key, no second class in the placeholder facets
    const newFacets = (report.plan as { kind: string; operation: string; user_key?: string; uuid: string }[]).filter((c) => c.kind === 'facet');
    for (const f of newFacets) assert.not.ok(DEFAULT_FACETS.includes(f.user_key ?? ''), `facet ${f.user_key} created again`);
    const seedClassesPlanned = (report.plan as { kind: string; uuid: string; file?: string }[]).filter((c) => c.kind === 'class' && c.file === 'aarhus-los.yaml');
    assert.ok(seedClassesPlanned.every((c) => !EARLIER_CLASSES.some((e) => e[4] === c.uuid)));

    // and the real run leaves them as they are: one class per placeholder facet, the same names
    const before = await Promise.all(['role_type', 'association_type', 'leave_type', 'employee_address_type', 'org_unit_address_type', 'org_unit_hierarchy', 'primary_type'].map((f) => classesOf(mo, f)));
    const real = await cliP(['workflow', 'import.yaml'], env);
    assert.is(real.code, 0, real.stderr + real.stdout);
    const after = await Promise.all(['role_type', 'leave_type', 'employee_address_type', 'org_unit_address_type', 'org_unit_hierarchy', 'primary_type'].map((f) => classesOf(mo, f)));
    assert.equal(after, [before[0], before[2], before[3], before[4], before[5], before[6]]);
    assert.equal((await classesOf(mo, 'role_type')).map((c) => [c.uuid, c.name, c.user_key, c.scope]), [['964c31a2-6267-4388-bff5-42d6f3c5f708', 'Rolletype', 'role_type', 'TEXT']]);
    assert.equal((await classesOf(mo, 'leave_type')).map((c) => [c.uuid, c.name]), [['d2892fa6-bc56-4c14-bd24-74ae0c71fa3a', 'Orlovstype']]);
    // association_type is also a STAM facet (STAM_UUID_Tilknytningsrolle): its placeholder stays beside the delivered classes
    const assoc = await classesOf(mo, 'association_type');
    assert.ok(assoc.some((c) => c.uuid === 'ec534b86-3d9b-42d8-bff0-afc4f81719af' && c.name === 'Tilknytningsrolle'), JSON.stringify(assoc));
    const phone = (await classesOf(mo, 'employee_address_type')).find((c) => c.user_key === 'PhoneEmployee');
    assert.equal(phone, { uuid: aarhus('PERSON_PHONE'), name: 'Phone', user_key: 'PhoneEmployee', scope: 'PHONE' });
  } finally {
    await mo.stop();
    box.cleanup();
  }
});

test('a fresh MO is seeded with the earlier importer\'s names and fixed uuids', async () => {
  const box = sandbox('los2mo-migration-');
  for (const f of readdirSync(box.los)) if (!f.startsWith('STAM_')) rmSync(path.join(box.los, f));
  const mo = await startTestMo();
  try {
    const env = box.env({ MO_URL: mo.emu.url, CLIENT_SECRET: 'test-secret' });
    const r = await cliP(['workflow', 'import.yaml'], env);
    assert.is(r.code, 0, r.stderr + r.stdout);
    for (const [name, facet, scope, userKey, uuid] of EARLIER_CLASSES) {
      const found = (await classesOf(mo, facet)).find((c) => c.uuid === uuid);
      assert.equal(found, { uuid, name, user_key: userKey, scope }, `${facet}/${userKey}`);
    }
    for (const facet of ['role_type', 'leave_type']) assert.is((await classesOf(mo, facet)).length, 1, facet);
  } finally {
    await mo.stop();
    box.cleanup();
  }
  assert.ok(!existsSync(box.dir));
});

test.run();
