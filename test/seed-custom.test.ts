/**
 * Issue 18: a custom seed (the seed step's `with.file`) is the run's one seed — the org units'
 * address and hierarchy classes, the persons' primary and e-mail classes, the AZ IT system and the
 * upload's reference check all take it from the seed step's output, so MO never gets a mix of
 * the custom seed's uuids and the default seed's.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { cliP, sandbox, ROOT } from './helpers/cli.ts';
import { startTestMo } from './helpers/mo.ts';
import { loadSeed } from '../src/seed.ts';

test('a custom seed file is used by every step: no uuid of the default seed reaches MO', async () => {
  const box = sandbox('los2mo-seed-custom-');
  const mo = await startTestMo();
  try {
    // the workflow folder copied, its seed step pointed at a seed with another uuid base
    const wf = path.join(box.dir, 'wf');
    cpSync(path.join(ROOT, 'workflows'), wf, { recursive: true });
    const seedText = readFileSync(path.join(ROOT, 'seed/aarhus-los.yaml'), 'utf8').replace(/^uuid_base: aarhus-los$/m, 'uuid_base: custom-los');
    assert.ok(seedText.includes('uuid_base: custom-los'));
    writeFileSync(path.join(wf, 'custom-seed.yaml'), seedText);
    const workflow = readFileSync(path.join(wf, 'import.yaml'), 'utf8').replace(/(- id: seed\n\s+uses: seed\n)/, '$1    with: { file: custom-seed.yaml }\n');
    assert.ok(workflow.includes('file: custom-seed.yaml'));
    writeFileSync(path.join(wf, 'import.yaml'), workflow);

    const env = box.env({ MO_URL: mo.emu.url, CLIENT_SECRET: 'test-secret' });
    const r = await cliP(['workflow', path.join(wf, 'import.yaml')], env);
    assert.is(r.code, 0, r.stderr + r.stdout);

    const custom = loadSeed(path.join(wf, 'custom-seed.yaml'));
    const defaults = loadSeed();
    const defaultUuids = new Set([...defaults.classes.filter((c) => !custom.classes.some((x) => x.uuid === c.uuid)).map((c) => c.uuid), ...defaults.itsystems.map((s) => s.uuid)]);
    assert.ok(defaultUuids.size > 20, 'the custom seed has other uuids than the default one');
    const customUuids = new Set([...custom.classes.map((c) => c.uuid), ...custom.itsystems.map((s) => s.uuid)]);

    const data = await mo.ok(`{
      classes(filter: { from_date: null, to_date: null }) { objects { uuid } }
      itsystems { objects { uuid } }
      addresses(filter: { from_date: null, to_date: null }) { objects { validities(start: null, end: null) { address_type_uuid } } }
      engagements(filter: { from_date: null, to_date: null }) { objects { validities(start: null, end: null) { primary_uuid } } }
      itusers(filter: { from_date: null, to_date: null }) { objects { validities(start: null, end: null) { itsystem_uuid } } }
      org_units(filter: { from_date: null, to_date: null }) { objects { validities(start: null, end: null) { org_unit_hierarchy } } }
    }`);
    const inMo = [...data.classes.objects, ...data.itsystems.objects].map((o: { uuid: string }) => o.uuid);
    assert.equal(inMo.filter((u: string) => defaultUuids.has(u)), [], 'classes or IT systems of the default seed in MO');
    const used = [
      ...data.addresses.objects.flatMap((o: any) => o.validities.map((v: any) => v.address_type_uuid)),
      ...data.engagements.objects.flatMap((o: any) => o.validities.map((v: any) => v.primary_uuid)),
      ...data.itusers.objects.flatMap((o: any) => o.validities.map((v: any) => v.itsystem_uuid)),
      ...data.org_units.objects.flatMap((o: any) => o.validities.map((v: any) => v.org_unit_hierarchy)).filter((u: string | null) => u),
    ];
    assert.ok(used.length > 50, `${used.length} references read`);
    // every seed class the delivery's objects point at is the custom seed's (the STAM ITSystem file's systems aside)
    const notCustom = used.filter((u) => !customUuids.has(u) && defaultUuids.has(u));
    assert.equal(notCustom, []);
    assert.ok(used.filter((u) => customUuids.has(u)).length > 50);
  } finally {
    await mo.stop();
    box.cleanup();
  }
});

test.run();
