/**
 * The example delivery (examples/) and the delivery generator:
 * checked-in files = a fresh generation; consistency guarantees; deterministic output;
 * the history and change cases the importer's tests rely on.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { generateDelivery } from '../examples/lib/delivery.ts';
import { checkDelivery } from '../examples/lib/check.ts';
import { TINY_BENCH_SIZES } from '../examples/lib/bench.ts';
import { centuryDigits, centuryYear, cprBirthDate } from '../examples/lib/cpr.ts';
import { renderAddress, betegnelse } from '../examples/lib/dar.ts';
import { gen, derivedUuid, PINNED } from './helpers/pinned-uuids.ts';
import * as uuid from '../src/uuid.ts';

const root = path.resolve(import.meta.dirname, '..');
const examples = path.join(root, 'examples');
const temps: string[] = [];
const tempDir = async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'los-examples-'));
  temps.push(dir);
  return dir;
};

/** Every file under dir, relative paths. */
async function listFiles(dir: string, sub = ''): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(path.join(dir, sub), { withFileTypes: true })) {
    const rel = path.join(sub, entry.name);
    if (entry.isDirectory()) out.push(...(await listFiles(dir, rel)));
    else out.push(rel);
  }
  return out.sort();
}

const generatedNames = (dir: string) => listFiles(dir).then((l) => l.filter((f) => f.startsWith('los') || f.startsWith('dar') || f === 'expected.json'));

async function sameBytes(a: string, b: string): Promise<string[]> {
  const [la, lb] = await Promise.all([generatedNames(a), generatedNames(b)]);
  const diffs: string[] = [];
  if (la.join('\n') !== lb.join('\n')) diffs.push(`file lists differ:\n${la.join(' ')}\n${lb.join(' ')}`);
  for (const f of la.filter((x) => lb.includes(x))) {
    const [x, y] = await Promise.all([readFile(path.join(a, f)), readFile(path.join(b, f))]);
    if (!x.equals(y)) diffs.push(`${f} differs`);
  }
  return diffs;
}

const readCsv = async (name: string) => {
  const text = await readFile(path.join(examples, 'los', name), 'utf8');
  return parse(text, { delimiter: ';', columns: true, bom: true }) as Record<string, string>[];
};
const expectedJson = async () => JSON.parse(await readFile(path.join(examples, 'expected.json'), 'utf8'));
const fileNamed = async (prefix: string) => (await readdir(path.join(examples, 'los'))).find((n) => n.startsWith(prefix))!;

test.after(async () => {
  for (const dir of temps) await rm(dir, { recursive: true, force: true });
});

test('the checked-in examples/ equal a fresh generation, byte for byte', async () => {
  const dir = await tempDir();
  await generateDelivery({ out: dir, scale: 'example' });
  const diffs = await sameBytes(examples, dir);
  assert.equal(diffs, [], 'run `npm run examples` to regenerate examples/');
});

test('the example delivery is consistent', async () => {
  assert.equal(await checkDelivery(examples), []);
});

test('a tiny bench delivery is consistent and deterministic', async () => {
  const [a, b] = [await tempDir(), await tempDir()];
  const ra = await generateDelivery({ out: a, scale: 'bench', sizes: TINY_BENCH_SIZES });
  await generateDelivery({ out: b, scale: 'bench', sizes: TINY_BENCH_SIZES });
  assert.equal(await sameBytes(a, b), []);
  assert.equal(await checkDelivery(a), []);
  const orgInitial = ra.phases.initial.find((n) => n.startsWith('Org_inital'))!;
  assert.is(ra.counts[orgInitial], TINY_BENCH_SIZES.units * TINY_BENCH_SIZES.historyRows);
  assert.ok(ra.counts['dar.records']! >= TINY_BENCH_SIZES.darRecords);
  assert.ok(ra.phases.delta.some((n) => n.startsWith('Pers_ret')));
  const cDir = await tempDir();
  const c = await generateDelivery({ out: cDir, scale: 'bench', sizes: TINY_BENCH_SIZES, seed: 10 });
  assert.is(c.counts[orgInitial], ra.counts[orgInitial], 'the sizes, not the seed, give the row counts');
  assert.equal(await checkDelivery(cDir), []);
  const other = await readFile(path.join(c.losDir, orgInitial), 'utf8');
  assert.is.not(other, await readFile(path.join(ra.losDir, orgInitial), 'utf8'), 'another seed gives another delivery');
});

test('the consistency check finds broken references', async () => {
  const dir = await tempDir();
  await generateDelivery({ out: dir, scale: 'example' });
  const { writeFile } = await import('node:fs/promises');
  const pers = path.join(dir, 'los', await fileNamed('Pers_nye'));
  const text = await readFile(pers, 'utf8');
  const firstUnit = text.split('\r\n')[1]!.split(';')[8]!;
  await writeFile(pers, text.replace(firstUnit, '00000000-0000-0000-0000-000000000000'));
  const problems = await checkDelivery(dir);
  assert.ok(problems.some((p) => p.includes('is in no Org file')), problems.join('\n'));
});

test('src/uuid.ts makes the uuids of los-format.md and of Python\'s uuid module', () => {
  // los-format.md's check values
  assert.is(uuid.seedUuid('ORG_UUID'), '266a7532-40d2-8de3-cd0f-1a94de5ad1fb');
  assert.is(uuid.gen('aarhus-los', 'UNIT_LOS'), '00aab355-193d-9cd2-7b34-b484a36ea27b');
  assert.is(uuid.derivedUuid('00000000-0000-0000-0000-000000000001los'), 'c4461c82-9614-3731-18b4-18c1682ed9c9');
  assert.is(uuid.gen0('AAK'), '63ebc13f-9639-1e60-c489-c95c12e9ddb0'); // python3: uuid.UUID(hex=hashlib.md5(b'AAK').hexdigest())
  // every uuid the tests expect, computed by test/helpers/pinned-uuids.py
  let n = 0;
  for (const [base, values] of Object.entries(PINNED)) {
    for (const [value, expected] of Object.entries(values)) (n += 1), assert.is(uuid.gen(base, value), expected, `gen(${base}, ${value})`);
  }
  assert.ok(n > 200, `${n} pinned uuids`);
});

test('the example expects the derived uuids of los-format.md', async () => {
  assert.is(gen('aarhus-los', 'AZID_SYSTEM'), 'c750b872-3760-6f4a-f599-7b3b8ef5255c');
  const exp = await expectedJson();
  for (const m of exp.cases.managers.nye) assert.is(m.uuid, derivedUuid(`${m.org}${m.cpr}manager`));
  for (const e of Object.values(exp.cases.persons.ret) as { cpr: string; employee: string }[]) assert.is(e.employee, derivedUuid(e.cpr));
  const { addressChange, mergeThenUpdate } = exp.cases.org;
  assert.is(addressChange.postaddr, derivedUuid(`${addressChange.uuid}postaddr`));
  assert.is(mergeThenUpdate.pnr, derivedUuid(`${mergeThenUpdate.uuid}pnr`));
  // no engagement, unit or class uuid of the example collides with a derived one
  const derived = new Set<string>();
  for (const row of await readCsv(await fileNamed('Pers_nye'))) derived.add(derivedUuid(row.CPR!)).add(derivedUuid(`${row.CPR}email`)).add(derivedUuid(`${row.CPR}azid`));
  for (const row of await readCsv(await fileNamed('Pers_nye'))) assert.not.ok(derived.has(row.UUID!));
});

test('CPR century rule', () => {
  assert.equal(centuryDigits(1957), [0, 1, 2, 3, 4, 9]);
  assert.equal(centuryDigits(1936), [0, 1, 2, 3]);
  assert.equal(centuryDigits(2005), [4, 5, 6, 7, 8, 9]);
  assert.is(centuryYear(57, 4), 1957);
  assert.is(centuryYear(5, 4), 2005);
  assert.is(centuryYear(60, 5), 1860);
  assert.is(cprBirthDate('3102851234'), undefined);
  assert.is(cprBirthDate('2902001234'), undefined, '29 Feb 1900 (digit 1) is no date');
  assert.ok(cprBirthDate('2902004234') !== undefined, '29 Feb 2000 (digit 4)');
});

test('address forms', () => {
  const a = { street: 'Rådhuspladsen', nr: '2', floor: '1', door: 'tv', postnr: '8000' };
  assert.is(betegnelse(a), 'Rådhuspladsen 2, 1. tv, 8000 Aarhus C');
  assert.is(renderAddress(a, 'compact'), 'Rådhuspladsen 2,1.tv, 8000 Aarhus C');
  assert.is(renderAddress({ ...a, street: 'Søndergade', nr: '14', floor: 'st', door: 'th' }, 'floorNoComma'), 'Søndergade 14 st. th., 8000 Aarhus C');
  assert.is(renderAddress({ street: 'Frederiksgade', nr: '7', postnr: '8000' }, 'noComma'), 'Frederiksgade 7 8000 Aarhus C');
});

test('example: files, formats and sizes', async () => {
  const names = (await readdir(path.join(examples, 'los'))).sort();
  for (const stam of ['Enhedstype', 'Engagementstype', 'Stillingsbetegnelse', 'BVN_Stillingsbetegnelse', 'Lederansvar', 'Lederniveau', 'Ledertype', 'Tilknytningsrolle', 'ITSystem']) {
    assert.ok(names.includes(`STAM_UUID_${stam}.csv`), stam);
  }
  for (const prefix of ['Org_inital_', 'Org_nye_', 'Org_ret_', 'Pers_nye_', 'Pers_ret_', 'Pers_luk_', 'Leder_nye_', 'Leder_ret_', 'Leder_luk_']) {
    assert.is(names.filter((n) => n.startsWith(prefix)).length, 1, prefix);
  }
  const org = await readCsv(await fileNamed('Org_inital'));
  const units = new Set(org.map((r) => r.OrgUUID));
  assert.ok(units.size >= 38 && units.size <= 50, `${units.size} units`);
  assert.ok(org.some((r) => r.OrgUUID === r.ParentUUID), 'a top unit');
  const linje = new Set(org.map((r) => r['Med-i-LinjeOrg']));
  for (const form of ['true', 'False', '1', '0']) assert.ok(linje.has(form), `boolean form ${form}`);
  assert.ok(org.some((r) => /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}$/.test(r.StartDato!)), 'ISO dates');
  assert.ok(org.some((r) => /^\d\d-\d\d-\d{4}$/.test(r.StartDato!)), 'DD-MM-YYYY dates');
  assert.ok(org.some((r) => r.SlutDato === '31-12-9999'));
  assert.ok(org.some((r) => r.OrgEnhedsNavn!.includes(';')) && org.some((r) => r.OrgEnhedsNavn!.includes('"')), 'quoted names');
  const raw = await readFile(path.join(examples, 'los', await fileNamed('Org_inital')), 'utf8');
  assert.ok(raw.includes('"Sekretariat; Byrådsservice"') && raw.includes('"Børnehuset ""Solsikken"""'));
  // parents after children somewhere in the file
  const firstLine = new Map<string, number>();
  org.forEach((r, i) => firstLine.has(r.OrgUUID!) || firstLine.set(r.OrgUUID!, i));
  assert.ok(org.some((r, i) => r.ParentUUID !== r.OrgUUID && firstLine.get(r.ParentUUID!)! > i), 'a parent listed after its child');
  const pers = await readCsv(await fileNamed('Pers_nye'));
  const persons = new Set(pers.map((r) => r.CPR));
  assert.ok(pers.length >= 55 && pers.length <= 65, `${pers.length} engagements`);
  assert.ok(persons.size >= 45 && persons.size <= 55, `${persons.size} persons`);
  assert.ok(pers.some((r) => /[æøåÆØÅ]/.test(r.CPRNavn!)), 'names with æøå');
  assert.ok(pers.some((r) => r.Email === '') && pers.some((r) => r.AZID === ''));
  assert.is((await readCsv(await fileNamed('Leder_nye'))).length, 8);
  assert.is((await readCsv(await fileNamed('Pers_luk'))).length, 3);
});

test('example: the history cases of Org_inital', async () => {
  const { org } = (await expectedJson()).cases;
  const rows = await readCsv(await fileNamed('Org_inital'));
  const of = (uuid: string) => rows.filter((r) => r.OrgUUID === uuid);
  const merge = of(org.merge.uuid);
  assert.is(merge.length, 3);
  assert.is(new Set(merge.map(({ StartDato, SlutDato, ...rest }) => JSON.stringify(rest))).size, 1, 'identical apart from the period');
  const rename = of(org.rename.uuid);
  assert.equal(rename.map((r) => r.OrgEnhedsNavn), ['Center for Misbrug', 'Center for Rusmiddelbehandling']);
  const gap = of(org.gap.uuid);
  assert.equal(gap.map((r) => [r.StartDato, r.SlutDato]), [['01-01-2015', '31-12-2017'], ['01-01-2019', '31-12-9999']]);
  assert.is(of(org.endsInInitial.uuid)[0]!.SlutDato, '2022-06-30 00:00:00.000000');
  const moved = of(org.parentChange.uuid);
  assert.is.not(moved[0]!.ParentUUID, moved[1]!.ParentUUID);
});

test('example: the Org_ret, Pers_ret and Leder cases', async () => {
  const { org, persons, managers } = (await expectedJson()).cases;
  const ret = await readCsv(await fileNamed('Org_ret'));
  const initial = await readCsv(await fileNamed('Org_inital'));
  const row = (uuid: string) => ret.find((r) => r.OrgUUID === uuid)!;
  const lastInitial = (uuid: string) => initial.filter((r) => r.OrgUUID === uuid).at(-1)!;
  assert.is(row(org.ret.rename.uuid).OrgEnhedsNavn, 'Tandplejen Aarhus');
  assert.is.not(row(org.ret.addressChanged.uuid).PostAdresse, lastInitial(org.ret.addressChanged.uuid).PostAdresse);
  assert.is(row(org.ret.addressEmptied.uuid).EAN, '');
  assert.is.not(lastInitial(org.ret.addressEmptied.uuid).EAN, '');
  assert.not.ok(initial.some((r) => r.OrgUUID === org.ret.firstSeen.uuid));
  assert.is(row(org.ret.ended.uuid).SlutDato, '31-07-2024');
  const unchanged = row(org.ret.unchanged.uuid);
  assert.equal(unchanged, lastInitial(org.ret.unchanged.uuid));

  const nye = await readCsv(await fileNamed('Pers_nye'));
  const pret = await readCsv(await fileNamed('Pers_ret'));
  const before = (uuid: string) => nye.find((r) => r.UUID === uuid)!;
  const after = (uuid: string) => pret.find((r) => r.UUID === uuid)!;
  const c = persons.ret;
  assert.is.not(after(c.jobFunction.uuid).StillingsBetegnelseUUID, before(c.jobFunction.uuid).StillingsBetegnelseUUID);
  assert.is.not(after(c.name.uuid).CPRNavn, before(c.name.uuid).CPRNavn);
  assert.is.not(after(c.emailChanged.uuid).Email, before(c.emailChanged.uuid).Email);
  assert.is(after(c.emailRemoved.uuid).Email, '');
  assert.is.not(before(c.emailRemoved.uuid).Email, '');
  assert.is(before(c.azidAdded.uuid).AZID, '');
  assert.match(after(c.azidAdded.uuid).AZID!, /^az\d{5}$/);
  assert.is(before(c.firstSeen.uuid), undefined);
  assert.equal(after(c.unchanged.uuid), before(c.unchanged.uuid));
  assert.is.not(after(c.endChanged.uuid).SlutTid, before(c.endChanged.uuid).SlutTid);
  assert.ok(persons.twoEngagements.length >= 5);

  const lret = await readCsv(await fileNamed('Leder_ret'));
  const lnye = await readCsv(await fileNamed('Leder_nye'));
  const lv = managers.ret.levelChanged;
  const key = (r: Record<string, string>) => `${r.OrgUUID}${r.CPR}`;
  const changed = lret.find((r) => key(r) === `${lv.org}${lv.cpr}`)!;
  assert.is.not(changed.LederniveauUUID, lnye.find((r) => key(r) === `${lv.org}${lv.cpr}`)!.LederniveauUUID);
  const luk = await readCsv(await fileNamed('Leder_luk'));
  assert.equal(luk, [{ OrgUUID: managers.luk.org, CPR: managers.luk.cpr }]);
});

test('example: PostAdresse forms and the unmatched addresses', async () => {
  const exp = await expectedJson();
  const reasons = exp.unmatchedAddresses.map((u: { reason: string }) => u.reason).sort();
  assert.equal([...new Set(reasons)].sort(), ['misspelled', 'not-in-register', 'retired']);
  assert.is(exp.unmatchedAddresses.length, 4, 'the misspelled one is in Org_inital and again in Org_ret');
  const forms = new Set(Object.values(exp.postAdresser).map((t) => (t as { form: string }).form));
  for (const f of ['canonical', 'compact', 'floorNoComma', 'noComma', 'upper', 'lower', 'spaces', 'misspelled']) assert.ok(forms.has(f), f);
  const texts = Object.keys(exp.postAdresser);
  for (const t of ['Rådhuspladsen 2, 8000 Aarhus C', 'Søndergade 14 st. th., 8000 Aarhus C']) assert.ok(texts.includes(t), t);
  const register = JSON.parse(await readFile(path.join(examples, 'dar', 'adresser.json'), 'utf8')) as { status: number; adressebetegnelse: string }[];
  assert.ok(register.length >= 200 && register.length <= 800, `${register.length} register records`);
  assert.ok(register.some((r) => r.status === 2) && register.some((r) => r.status === 4));
  const twins = register.filter((r) => r.adressebetegnelse === 'Rådhuspladsen 2, 8000 Aarhus C').map((r) => r.status).sort();
  assert.equal(twins, [3, 4], 'a retired twin of a current address');
  assert.ok(register.some((r) => r.adressebetegnelse.startsWith('Silkeborgvej ') && r.adressebetegnelse.endsWith('8210 Aarhus V')));
  assert.ok(register.some((r) => r.adressebetegnelse.startsWith('Silkeborgvej ') && r.adressebetegnelse.endsWith('8230 Åbyhøj')));
});

test.run();
