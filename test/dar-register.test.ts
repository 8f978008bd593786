/**
 * The register loader's shortcuts give exactly what the plain functions give: WordCache (word by
 * word normalisation, head/tail split) = simpleKey/parseAddress, JsonRecord = JSON.parse, and an
 * index loaded for some texts answers them as the index of every record does.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { loadRegister } from '../src/dar/register.ts';
import { JsonRecordSplitter } from '../src/dar/register.ts';
import { joinHash, parseAddress, parseTokens, simpleKey, stringHash, WordCache } from '../src/dar/normalise.ts';
import { idOf, withTempDir } from './helpers/dar-server.ts';

const TEXTS = [
  'Rådhuspladsen 2, 1. tv, 8000 Aarhus C',
  'RÅDHUSPLADSEN  2,1.TV,8000 ÅRHUS C.',
  'Vestergade 12 A, stuen t.v., 8000 Århus C',
  'Vestergade 12 a',
  'Vestergade 12a st tv 8000',
  'Skovvej 1, Løgten, 8541 Skødstrup',
  'Skt. Clemens Torv 5, 2. sal til højre, 8000 Aarhus C',
  'Ny Allé 5 , 8000 Aarhus C',
  "O'Briens Vej 1, kld., 8200 Aarhus N",
  'Hans Broges Gade 2,kl,8000 Aarhus C',
  'Ve\u0301stergade 3, 8000 Aarhus C', // a combining accent
  'q\u0301 j 1, 8000', // a combining mark NFC keeps apart
  'İstanbulvej 4, 8000 Aarhus C', // İ lower-cases to i + a combining dot
  'ΟΔΟΣ 3 ΑΘΗΝΑ', // final sigma at a word end
  'Vej\u00a01,\u00a08000 Aarhus C', // no-break spaces
  '  Vej   7  ', // spaces around and between
  'Kirkevej 3-5, 8000 Aarhus C',
  'Vej 2,1.th, 8000',
  'Borgerservice',
  'Att: Borgerservice, Rådhuset',
  '',
  ' ',
  ',,,',
  'Vej',
  'Vej 12',
  'Vej 12 B',
];

test('WordCache gives simpleKey, parseAddress and stringHash of each text, from strings and from UTF-8 bytes', () => {
  for (const bytes of [false, true]) {
    const words = new WordCache(bytes);
    for (let round = 0; round < 2; round++) {
      for (const text of TEXTS) {
        const t = bytes ? Buffer.from(text).toString('latin1') : text;
        const tokens: string[] = [];
        const hash = words.keys(t, tokens);
        assert.is(words.simple(t), simpleKey(text), `${text}: simple key`);
        assert.is(hash, stringHash(simpleKey(text)), `${text}: hash`);
        assert.equal(parseTokens(tokens), parseAddress(text), `${text}: parse`);
        const head = words.head(t);
        if (head === undefined || head.tailAt < 0) continue;
        const tail = words.tail(t, head.tailAt);
        const a = parseAddress(text)!;
        assert.equal({ street: head.core.street, husnr: head.core.husnr, ...tail.unit }, a, `${text}: head and tail`);
        assert.is(joinHash(head.hash, head.key, tail), hash, `${text}: head and tail hash`);
      }
    }
  }
});

/** JSON text with the awkward parts: escapes, nesting, odd spacing, duplicate and missing members. */
function awkwardJson(n: number): string {
  let seed = 7;
  const rnd = (k: number) => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) % k);
  const texts = ['Vej 1, 8000 Aarhus C', 'Ærøvej 2 "B", 8000', 'Back\\slash 3', 'Tab\there 4', 'Ünïcødé 5 ✓', '{[}] 6', ''];
  const recs: string[] = [];
  for (let i = 0; i < n; i++) {
    const members: string[] = [];
    const sp = [' ', '', '\n  ', '\t'][rnd(4)]!;
    members.push(`"id_lokalId"${sp}:${sp}${JSON.stringify(rnd(9) === 0 ? null : idOf(i))}`);
    if (rnd(3) === 0) members.push(`"husnummer": {"id": "x", "list": [1, {"a": "]"}]}`);
    members.push(`"adressebetegnelse":${JSON.stringify(texts[rnd(texts.length)])}`);
    if (rnd(5) === 0) members.push(`"adressebetegnelse": ${rnd(2) ? '"Dublet 9, 8000"' : 'null'}`);
    if (rnd(4) === 0) members.push(`"betegnelse": "Kort 8, 8000"`);
    members.push(`"status": ${['3', '"3"', '4', 'null', '3.0', '"  3 "'][rnd(6)]}`);
    if (rnd(6) === 0) members.push(`"note": "\\u00e6 \\"quoted\\" \\\\"`);
    recs.push(`{${members.join(`,${sp}`)}}`);
  }
  return `{"AdresseList": [\n${recs.join(',\n')}\n], "other": [[{"id_lokalId": "n1", "adressebetegnelse": "Nested 1"}], 5, "x"]}`;
}

test('JsonRecordSplitter: records and members as JSON.parse gives them, for any chunking', () => {
  const text = awkwardJson(400);
  const want: Record<string, unknown>[] = [];
  const parsed = JSON.parse(text) as { AdresseList: Record<string, unknown>[]; other: unknown[] };
  want.push(...parsed.AdresseList, ...((parsed.other[0] as Record<string, unknown>[])));
  const bytes = Buffer.from(text);
  const KEYS = ['adressebetegnelse', 'betegnelse', 'id_lokalId', 'id', 'status', 'husnummer'];
  for (const size of [1, 3, 64, 1000, 70_000, bytes.length]) {
    const got: Record<string, unknown>[] = [];
    const members: unknown[][] = [];
    const raws: unknown[] = [];
    const splitter = new JsonRecordSplitter(KEYS);
    for (let o = 0; o < bytes.length; o += size) {
      splitter.push(bytes.subarray(o, o + size), (rec) => {
        got.push(rec.parse());
        members.push(KEYS.map((_, k) => rec.get(k)));
        raws.push(rec.raw(0));
      });
    }
    splitter.end();
    assert.equal(got, want, `chunk size ${size}`);
    assert.equal(members, want.map((r) => KEYS.map((k) => r[k])), `members, chunk size ${size}`);
    assert.equal(raws, want.map((r) => (typeof r['adressebetegnelse'] === 'string' ? Buffer.from(r['adressebetegnelse']).toString('latin1') : r['adressebetegnelse'])), `raw, chunk size ${size}`);
  }
});

test('an index loaded for some texts answers them as the index of every record; other texts are refused', async () => {
  await withTempDir(async (dir) => {
    const recs: object[] = [];
    let n = 0;
    const add = (text: string, status = 3) => recs.push({ id_lokalId: idOf(++n), adressebetegnelse: text, status });
    for (const street of ['Kirkevej', 'Skovvej', 'Rådhuspladsen', 'Skt. Clemens Torv']) {
      for (const [post, town] of [['8000', 'Aarhus C'], ['8200', 'Aarhus N'], ['8541', 'Skødstrup']]) {
        for (const nr of ['1', '2', '12A', '12B']) {
          add(`${street} ${nr}, ${post} ${town}`, n % 7 ? 3 : 4);
          add(`${street} ${nr}, st. tv, ${post} ${town}`);
          add(`${street} ${nr}, 1. th, Løgten, ${post} ${town}`);
        }
      }
    }
    add('Dobbelt 1, 8000 Aarhus C');
    add('Dobbelt 1, 8000 Aarhus C');
    add('Borgerservice');
    add('q\u0301j 1, 8000'); // the simple key of `Q J 1, 8000`, but street `qj`
    add('q\u0301j 12 b'); // the same, and nothing after the house number
    const file = join(dir, 'r.json');
    await writeFile(file, JSON.stringify(recs));
    const texts = [
      ...TEXTS,
      'Kirkevej 1, Aarhus', 'Kirkevej 1, 8000', 'kirkevej 1 st tv 8000 aarhus c', 'Kirkevej 12 a, 8200 Aarhus N', 'Kirkevej 12, 8200',
      'Skovvej 2, 1. th, 8541', 'Skovvej 2, Løgten', 'Skovvej 2, 9999 Andetsted', 'Sankt Clemens Torv 1, 8000', 'Skt Clemens Torv 2 8000 Aarhus C',
      'Dobbelt 1, 8000 Aarhus C', 'BORGERSERVICE', 'Q J 1, 8000', 'Q J 12 B', 'Rådhuspladsen 12B, 1. th, 8000 Aarhus C',
    ];
    const all = await loadRegister(file);
    const some = await loadRegister(file, texts);
    assert.ok(some.kept < all.kept, `${some.kept} of ${all.kept} records kept`);
    assert.is(some.size, all.size);
    for (const t of texts) assert.equal(some.lookup(t), all.lookup(t), t);
    assert.throws(() => some.lookup('Ukendtvej 1'), /not loaded for this text/);
  });
});

test.run();
