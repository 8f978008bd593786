import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { writeFile, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createWasher, loadRegister, parseAddress } from '../src/dar/index.ts';
import { jsonArrayObjects } from '../src/dar/register.ts';
import { idOf, makeZip, withTempDir } from './helpers/dar-server.ts';

async function rejects(fn: () => Promise<unknown>, re: RegExp) {
  try {
    await fn();
  } catch (e) {
    assert.match((e as Error).message, re);
    return;
  }
  assert.unreachable(`expected a rejection matching ${re}`);
}

type Rec = { id_lokalId: string; adressebetegnelse: string; status: string; husnummer?: string };
const rec = (n: number, text: string, status = '3'): Rec => ({ id_lokalId: idOf(n), adressebetegnelse: text, status, husnummer: idOf(n, 'b0') });

const REGISTER: Rec[] = [
  rec(1, 'Rådhuspladsen 2, 8000 Aarhus C'),
  rec(2, 'Rådhuspladsen 2, 1. tv, 8000 Aarhus C'),
  rec(3, 'Rådhuspladsen 2, 1. th, 8000 Aarhus C'),
  rec(4, 'Rådhuspladsen 2, st. mf, 8000 Aarhus C'),
  rec(5, 'Vestergade 12A, st. tv, 8000 Aarhus C'),
  rec(6, 'Skovvej 1, Løgten, 8541 Skødstrup'),
  rec(7, 'Kirkevej 3, 8200 Aarhus N'),
  rec(8, 'Kirkevej 3, 8210 Aarhus V'),
  rec(9, 'Gammel Vej 9, 8000 Aarhus C', '4'),
  rec(10, 'Ny Allé 5, 8000 Aarhus C'),
  rec(11, 'Ny Allé 5, 8000 Aarhus C', '5'),
  rec(12, 'Dobbelt 1, 8000 Aarhus C'),
  rec(13, 'Dobbelt 1, 8000 Aarhus C'),
  rec(14, 'Hans Broges Gade 2, kl., 8000 Aarhus C'),
  rec(15, 'Foreløbigvej 1, 8000 Aarhus C', '2'),
];

/** input -> [expected id | null, expected grade | undefined, reason pattern] */
const CASES: [string, string | null, string | undefined, RegExp?][] = [
  ['Rådhuspladsen 2, 8000 Aarhus C', idOf(1), 'A'],
  ['RÅDHUSPLADSEN 2 8000 AARHUS C', idOf(1), 'A'],
  ['Rådhuspladsen  2,1.tv,8000 Aarhus C', idOf(2), 'A'],
  ['Rådhuspladsen 2, 1 th, 8000 Aarhus C', idOf(3), 'A'],
  ['Rådhuspladsen 2, 1. th., 8000 Aarhus C.', idOf(3), 'A'],
  ['Rådhuspladsen 2, 1.th, 8000 Aarhus C', idOf(3), 'A'],
  ['Rådhuspladsen 2, 1. sal til venstre, 8000 Aarhus C', idOf(2), 'B'],
  ['Rådhuspladsen 2, 1th, 8000 Aarhus C', idOf(3), 'B'],
  ['Rådhuspladsen 2, stuen midt for, 8000 Aarhus C', idOf(4), 'B'],
  ['Rådhuspladsen 2, st mf 8000 Århus C', idOf(4), 'B'],
  ['Rådhuspladsen 2, st., mf., 8000 Aarhus C', idOf(4), 'A'],
  ['Rådhuspladsen 2, 1tv, 8000', idOf(2), 'B'],
  ['Rådhuspladsen 2, 1. tv, Aarhus C', idOf(2), 'B'],
  ['Rådhuspladsen 2, 1. tv, 8000 Århus C', idOf(2), 'B'],
  ['Rådhuspladsen 2 1 t.v. 8000 Aarhus C', idOf(2), 'B'],
  ['Raadhuspladsen 2, 8000 Aarhus', idOf(1), 'B'],
  ['Vestergade 12 A, stuen t.v., 8000 Aarhus C', idOf(5), 'B'],
  ['Vestergade 12a st tv 8000 Aarhus C', idOf(5), 'A'],
  ['Skovvej 1, Løgten, 8541 Skødstrup', idOf(6), 'A'],
  ['Skovvej 1, 8541 Skødstrup', idOf(6), 'B'],
  ['Skovvej 1, Løgten', idOf(6), 'B'],
  ['Skovvej 1, 8541 Løgten', idOf(6), 'B'],
  ['Kirkevej 3, 8200 Aarhus N', idOf(7), 'A'],
  ['Kirkevej 3, Aarhus N', idOf(7), 'B'],
  ['Kirkevej 3, Århus V', idOf(8), 'B'],
  ['Kirkevej 3, Aarhus', null, 'C', /^ambiguous \(2 candidates\)$/],
  ['Kirkevej 3, 8000 Aarhus C', null, 'C', /^ambiguous \(2 candidates\)$/],
  ['Kirkevej 3, 8200 Odense', null, 'C', /^uncertain \(town differs\)$/],
  ['Gammel Vej 9, 8000 Aarhus C', null, undefined, /^retired address$/],
  ['Gammel Vej 9, 8000', null, undefined, /^retired address$/],
  ['Foreløbigvej 1, 8000 Aarhus C', null, undefined, /^retired address$/],
  ['Ny Allé 5, 8000 Aarhus C', idOf(10), 'A'],
  ['Ny Alle 5 8000 Aarhus C', idOf(10), 'B'],
  ['Dobbelt 1, 8000 Aarhus C', null, 'C', /^ambiguous \(2 candidates\)$/],
  ['Rådhuspladsen 2', null, 'C', /^ambiguous \(4 candidates\)$/],
  ['Hans Broges Gade 2, 8000 Aarhus C', null, 'C', /^uncertain \(floor\/door differ\)$/],
  ['Hans Broges Gade 2, kælder, 8000 Aarhus C', idOf(14), 'B'],
  ['Rådhuspladsen 2, 5. tv, 8000 Aarhus C', null, 'C', /^ambiguous \(4 candidates\)$/],
  ['Ukendtvej 1, 8000 Aarhus C', null, undefined, /^no match$/],
  ['Att: Borgerservice', null, undefined, /^no match$/],
  ['', null, undefined, /^empty address$/],
];

async function checkCases(file: string, cases = CASES) {
  const w = await createWasher({ provider: 'file', registerFile: file });
  const r = await w.wash(cases.map((c) => c[0]));
  for (const [text, id, grade, reason] of cases) {
    const got = r.get(text)!;
    assert.ok(got, `no result for ${text}`);
    assert.is(got.id, id, `${text}: id (${got.reason ?? ''})`);
    assert.is(got.grade, grade, `${text}: grade`);
    if (reason) assert.match(got.reason ?? '', reason, `${text}: reason ${got.reason}`);
    else assert.is(got.reason, undefined);
    assert.is(got.provider, 'file');
  }
  assert.is(w.stats().requests, 0);
  assert.is(w.stats().registerRecords, REGISTER.length);
  await w.close();
}

test('file: plain JSON register, variants, grades, ambiguity, retired', async () => {
  await withTempDir(async (dir) => {
    const f = join(dir, 'adresse.json');
    await writeFile(f, JSON.stringify(REGISTER, null, 1));
    await checkCases(f);
  });
});

test('file: zipped JSON (deflated and stored), {"AdresseList": [...]} shape, damaged zip rejected', async () => {
  await withTempDir(async (dir) => {
    const z = join(dir, 'DAR_Adresse.zip');
    await writeFile(z, makeZip([{ name: 'DAR_V1_Adresse_TotalDownload_json_Current_1.json', data: Buffer.from(JSON.stringify(REGISTER)) }]));
    await checkCases(z);
    const stored = join(dir, 'stored.zip');
    const wrapped = { AdresseList: REGISTER, HusnummerList: [{ id_lokalId: idOf(99, 'b0'), husnummertekst: '2' }] };
    await writeFile(stored, makeZip([{ name: 'dir/', data: Buffer.alloc(0) }, { name: 'dir/a.json', data: Buffer.from(JSON.stringify(wrapped)) }], true));
    await checkCases(stored);

    const bytes = await readFile(z);
    const broken = Buffer.from(bytes);
    // flip bytes inside the deflated data: inflate error or CRC mismatch, never a silently short register
    for (let i = 80; i < 120; i++) broken[i] = broken[i]! ^ 0x5a;
    await writeFile(join(dir, 'broken.zip'), broken);
    await rejects(() => loadRegister(join(dir, 'broken.zip')), /DAR register .*broken\.zip/);
    await writeFile(join(dir, 'two.zip'), makeZip([{ name: 'a.json', data: Buffer.from('[]') }, { name: 'b.json', data: Buffer.from('[]') }]));
    await rejects(() => loadRegister(join(dir, 'two.zip')), /expected one file/);
  });
});

test('file: CSV register (header with status, BOM, CRLF, quotes) and bare id;betegnelse', async () => {
  await withTempDir(async (dir) => {
    const f = join(dir, 'register.csv');
    const lines = ['\uFEFFid;betegnelse;status', ...REGISTER.map((r, i) => `${r.id_lokalId};${i % 2 ? `"${r.adressebetegnelse}"` : r.adressebetegnelse};${r.status}`)];
    await writeFile(f, lines.join('\r\n') + '\r\n');
    await checkCases(f);

    const bare = join(dir, 'bare.txt');
    await writeFile(bare, 'aaaaaaaa-0000-4000-8000-000000000001;"Strandvej 7, 1. ""th"", 8000 Aarhus C"\naaaaaaaa-0000-4000-8000-000000000002;Strandvej 9, 8000 Aarhus C\n');
    const w = await createWasher({ provider: 'file', registerFile: bare });
    const r = await w.wash(['Strandvej 7, 1. th, 8000 Aarhus C', 'Strandvej 9, 8000']);
    assert.is(r.get('Strandvej 7, 1. th, 8000 Aarhus C')!.id, 'aaaaaaaa-0000-4000-8000-000000000001');
    assert.is(r.get('Strandvej 9, 8000')!.id, 'aaaaaaaa-0000-4000-8000-000000000002');
    await w.close();
  });
});

test('file: CSV register with a line break inside a quoted field (RFC 4180), and the record after it', async () => {
  await withTempDir(async (dir) => {
    const f = join(dir, 'register.csv');
    await writeFile(f, [
      'id;betegnelse;status',
      'aaaaaaaa-0000-4000-8000-000000000001;"Strandvej 7,\r\n8000 Aarhus C";3',
      'aaaaaaaa-0000-4000-8000-000000000002;"Strandvej 9, 8000 ""Aarhus C""\n";4',
      'aaaaaaaa-0000-4000-8000-000000000003;Strandvej 11, 8000 Aarhus C;3',
    ].join('\r\n') + '\r\n');
    const index = await loadRegister(f);
    assert.equal([index.size, index.skipped], [3, 0]);
    const w = await createWasher({ provider: 'file', registerFile: f });
    const r = await w.wash(['Strandvej 7, 8000 Aarhus C', 'Strandvej 9, 8000 Aarhus C', 'Strandvej 11, 8000 Aarhus C']);
    assert.is(r.get('Strandvej 7, 8000 Aarhus C')!.id, 'aaaaaaaa-0000-4000-8000-000000000001');
    assert.is(r.get('Strandvej 9, 8000 Aarhus C')!.id, null, 'a retired address (status 4) is not used');
    assert.is(r.get('Strandvej 11, 8000 Aarhus C')!.id, 'aaaaaaaa-0000-4000-8000-000000000003');
    assert.is(w.stats().registerRecords, 3);
    await w.close();
  });
});

test('file: missing register is a configuration error; invalid JSON is rejected', async () => {
  await withTempDir(async (dir) => {
    await rejects(() => createWasher({ provider: 'file', registerFile: join(dir, 'nope.json') }), /not found/);
    await writeFile(join(dir, 'bad.json'), '[{"id_lokalId": "x", "adressebetegnelse": "Vej 1, 8000 A"}, {"id_lokalId": ');
    await rejects(() => loadRegister(join(dir, 'bad.json')), /truncated/);
  });
});

test('file: streaming JSON splitter across chunk boundaries, escapes and nested arrays', async () => {
  const text = JSON.stringify([{ a: 'x"}]{[', b: [{ c: 1 }], d: 'Århus \\ "q"' }, { a: 'ø' }]);
  const bytes = Buffer.from(text);
  async function* chunks(size: number) { for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size); }
  for (const size of [1, 2, 3, 7, 1000]) {
    const got: unknown[] = [];
    for await (const o of jsonArrayObjects(chunks(size))) got.push(o);
    assert.equal(got, JSON.parse(text), `chunk size ${size}`);
  }
});

test('parseAddress splits the parts', () => {
  assert.equal(parseAddress('Vestergade 12 A, 1. sal t.v., 8000 Århus C'), { street: 'vestergade', husnr: '12a', floor: '1', door: 'tv', postnr: '8000', suppl: '', place: 'aarhus c' });
  assert.equal(parseAddress('Skovvej 1, Løgten, 8541 Skødstrup'), { street: 'skovvej', husnr: '1', floor: '', door: '', postnr: '8541', suppl: 'løgten', place: 'skødstrup' });
  assert.is(parseAddress('Borgerservice'), null);
});

// ---- a generated register of > 200,000 addresses ----

const POSTAL: [string, string][] = [
  ['8000', 'Aarhus C'], ['8200', 'Aarhus N'], ['8210', 'Aarhus V'], ['8220', 'Brabrand'], ['8230', 'Åbyhøj'], ['8240', 'Risskov'],
  ['8250', 'Egå'], ['8260', 'Viby J'], ['8270', 'Højbjerg'], ['8310', 'Tranbjerg J'], ['8320', 'Mårslet'], ['8330', 'Beder'],
  ['8340', 'Malling'], ['8361', 'Hasselager'], ['8380', 'Trige'], ['8381', 'Tilst'], ['8462', 'Harlev J'], ['8471', 'Sabro'],
  ['8520', 'Lystrup'], ['8530', 'Hjortshøj'], ['8541', 'Skødstrup'],
];
const FIRST = ['Skov', 'Kirke', 'Mølle', 'Strand', 'Bakke', 'Eng', 'Rådhus', 'Sø', 'Vester', 'Øster', 'Nørre', 'Sønder', 'Hede', 'Lunde', 'Birke', 'Ege', 'Rose', 'Fjord', 'Bro', 'Kilde'];
const LAST = ['vej', 'gade', 'allé', 'parken', 'stien', 'vænget', 'toften', 'højen', 'bakken', 'haven'];
const UNITS = ['st. tv', 'st. th', '1. tv', '1. th', '2. tv', '2. mf'];

interface Gen { id: string; text: string; status: string; street: string; husnr: string; unit: string; postnr: string; by: string }

function generate(): Gen[] {
  const out: Gen[] = [];
  let n = 0;
  for (const f of FIRST) for (const l of LAST) for (const [postnr, by] of POSTAL) {
    const street = f + l;
    for (let h = 1; h <= 24; h++) {
      const husnr = h % 7 === 0 ? `${h}B` : String(h);
      const units = h % 4 === 0 ? UNITS : [''];
      for (const unit of units) {
        n++;
        const text = `${street} ${husnr}${unit ? `, ${unit}` : ''}, ${postnr} ${by}`;
        out.push({ id: idOf(n), text, status: n % 50 === 0 ? '4' : '3', street, husnr, unit, postnr, by });
      }
    }
  }
  return out;
}

test('file: generated register of >= 200,000 addresses: index once, wash 2,000 variants', async () => {
  const all = generate();
  assert.ok(all.length >= 200_000, `${all.length} records`);
  await withTempDir(async (dir) => {
    const file = join(dir, 'adresse-200k.json');
    const t0 = performance.now();
    await writeFile(file, '[\n' + all.map((g) => JSON.stringify({ id_lokalId: g.id, adressebetegnelse: g.text, status: g.status, husnummer: g.id.replace(/^da/, 'b0'), virkningFra: '2020-01-01T00:00:00.000000+01:00', datafordelerOpdateringstid: '2024-05-01T12:00:00.000000+02:00' })).join(',\n') + '\n]');
    const size = (await readFile(file)).length;
    const genMs = performance.now() - t0;

    const index = await loadRegister(file);
    assert.is(index.size, all.length);

    // deterministic sample of 2,000 records and a variant of each
    let seed = 42;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x80000000);
    const cases: { text: string; id: string | null; grade?: string; reason?: RegExp }[] = [];
    while (cases.length < 2000) {
      const g = all[Math.floor(rnd() * all.length)]!;
      const k = cases.length % 6;
      if (g.status !== '3') { cases.push({ text: g.text, id: null, reason: /^retired address$/ }); continue; }
      const unit = g.unit.replace('st.', 'stuen').replace('tv', 'til venstre').replace('th', 'th.');
      const variants = [
        { text: g.text, grade: 'A' },
        { text: g.text.toUpperCase().replace(/,/g, ''), grade: 'A' },
        { text: `${g.street} ${g.husnr}${unit ? ` ${unit}` : ''}, ${g.postnr}`, grade: 'B' },
        { text: `${g.street} ${g.husnr}${g.unit ? `, ${g.unit}` : ''}, ${g.by}`, grade: 'B' },
        { text: g.text.replace(/å/g, 'aa').replace(/Aarhus/g, 'Århus'), grade: undefined },
        { text: `${g.street} ${g.husnr.toLowerCase().replace(/(\d)([a-z])/, '$1 $2')}${g.unit ? ` ${g.unit.replace('. ', '.')}` : ''} ${g.postnr} ${g.by}`, grade: undefined },
      ];
      cases.push({ ...variants[k]!, id: g.id });
    }
    const aarhus5 = all.filter((g) => g.street === 'Skovvej' && g.husnr === '5' && !g.unit && g.by.startsWith('Aarhus') && g.status === '3');
    assert.ok(aarhus5.length >= 2);
    cases.push({ text: 'Skovvej 5, Aarhus', id: null, reason: new RegExp(`^ambiguous \\(${aarhus5.length} candidates\\)$`) });
    cases.push({ text: 'Skovvej 99, 8000 Aarhus C', id: null, reason: /^no match$/ });

    const t1 = performance.now();
    const results = cases.map((c) => index.lookup(c.text));
    const lookupMs = performance.now() - t1;
    let warmMs = Infinity; // steady state: best of three more passes
    for (let k = 0; k < 3; k++) {
      const tt = performance.now();
      for (const c of cases) index.lookup(c.text);
      warmMs = Math.min(warmMs, performance.now() - tt);
    }
    cases.forEach((c, i) => {
      const r = results[i]!;
      assert.is(r.id, c.id, `${c.text}: ${r.reason ?? ''}`);
      if (c.grade) assert.is(r.grade, c.grade, c.text);
      if (c.id) assert.ok(r.grade === 'A' || r.grade === 'B');
      if (c.reason) assert.match(r.reason ?? '', c.reason, c.text);
    });

    // the same through the washer (index built once inside, de-duplication, result map)
    const w = await createWasher({ provider: 'file', registerFile: file });
    const t2 = performance.now();
    const washed = await w.wash(cases.map((c) => c.text));
    const washMs = performance.now() - t2;
    for (const c of cases) assert.is(washed.get(c.text)!.id, c.id, c.text);
    const s = w.stats();
    assert.is(s.registerRecords, all.length);
    await w.close();

    console.log(
      `    [dar file] register ${all.length} records, ${(size / 1e6).toFixed(1)} MB JSON (generated in ${genMs.toFixed(0)} ms); ` +
        `index build ${index.buildMs.toFixed(0)} ms; ${cases.length} lookups in ${lookupMs.toFixed(1)} ms = ` +
        `${Math.round(cases.length / (lookupMs / 1000)).toLocaleString('en')} addresses/s cold, ` +
        `${Math.round(cases.length / (warmMs / 1000)).toLocaleString('en')} addresses/s warm; ` +
        `washer (load + index + wash) ${washMs.toFixed(0)} ms, index ${s.indexBuildMs} ms`,
    );
  });
});

test.run();
