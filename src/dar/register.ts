/**
 * Offline washing against a DAR register file: Datafordeleren's `Adresse` bulk download (a JSON
 * array of records with `id_lokalId`, `adressebetegnelse`, `status`; plain or zipped) or a CSV
 * `id;betegnelse[;status]`. The file is read as a stream (a full download can exceed what
 * JSON.parse accepts). Given the texts to wash, no record is kept: each record a text can match
 * goes straight into that text's answer (docs/dar.md). A record's text is normalised word by word
 * (WordCache: each distinct word once), a JSON record is not parsed (its members are found in its
 * bytes, see JsonRecord), and its text and id are only decoded from UTF-8 when a text can match it.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { parse } from 'csv-parse';
import { addressCore, joinHash, parseAddress, parseTokens, parseUnit, simpleKey, startHashes, WordCache, type AddressCore, type AddressUnit, type ParsedAddress } from './normalise.ts';
import { isZipFile, openSingleEntry } from './zip.ts';
import type { Grade } from './types.ts';

/** DAR (Datafordeleren) status codes: 2 foreløbig, 3 gældende, 4 nedlagt, 5 henlagt. Only 3 is used. */
export const CURRENT_STATUS = 3;

export interface LookupResult { id: string | null; grade?: Grade; reason?: string }

type Slot = number | number[];
const addSlot = (m: Map<string, Slot>, k: string, i: number) => {
  const s = m.get(k);
  if (s === undefined) m.set(k, i);
  else if (typeof s === 'number') m.set(k, [s, i]);
  else s.push(i);
};
const slotList = (s: Slot | undefined): number[] => (s === undefined ? [] : typeof s === 'number' ? [s] : s);

/** An input town name fits a record's postnrnavn (or its prefix: `Aarhus` ~ `Aarhus C`) or supplerende bynavn. */
function nameFits(name: string, rPlace: string, rSuppl: string): boolean {
  return name === rPlace || rPlace.startsWith(name + ' ') || (rSuppl !== '' && (name === rSuppl || name === rSuppl + ' ' + rPlace));
}

/** Near-miss tiers: same postcode (1) before no postcode (2) before another postcode (3). */
function tier(why: string): number {
  return why === 'postcode differs' ? 3 : why === 'no postcode or town' ? 2 : 1;
}

/**
 * How a register record's postal part fits the input's: 'ok', a weak reason (a candidate that
 * makes the match uncertain), or null (a different address).
 */
function placeFit(u: AddressUnit, a: ParsedAddress): 'ok' | string | null {
  const rPlace = u.place, rSuppl = u.suppl;
  if (a.postnr) {
    if (a.postnr !== u.postnr) return 'postcode differs';
    const nameOk = a.place === '' || nameFits(a.place, rPlace, rSuppl);
    const supplOk = a.suppl === '' || a.suppl === rSuppl || nameFits(a.suppl, rPlace, rSuppl);
    return nameOk && supplOk ? 'ok' : 'town differs';
  }
  if (a.place === '') return 'no postcode or town';
  return nameFits(a.place, rPlace, rSuppl) ? 'ok' : null;
}

/**
 * The answer for one text (the matching rules of docs/dar.md), from the register records that
 * can match it, seen in register order: those with its simple key (grade A) and those at its
 * street and house number (grade B, or near misses). It keeps only what can still decide the
 * answer: the distinct ids of current A records, else of current B records, else of the current
 * near misses of the closest tier seen.
 */
class Answer {
  // (distinct ids: lists, as they are short, and an empty list costs little)
  private exact: string[] = [];
  private strong: string[] = [];
  /** a record that would be A or B if it were current */
  private retired = false;
  /** the closest near-miss tier seen (4: none), its distinct ids and the reason of its last record */
  private tier = 4;
  private near: string[] = [];
  private why = '';

  constructor(readonly key: string, readonly address: ParsedAddress | null) {}

  /** a record with the text's simple key */
  sameKey(id: string, current: boolean): void {
    if (!current) this.retired = true;
    else {
      addDistinct(this.exact, id);
      this.strong = this.near = []; // they can no longer decide
    }
  }

  /** a record at the text's street and house number, with its part after the house number */
  sameCore(id: string, current: boolean, u: AddressUnit): void {
    const a = this.address!;
    if (this.exact.length > 0) return;
    const fit = placeFit(u, a);
    if (fit === null) return;
    if (fit === 'ok' && u.floor === a.floor && u.door === a.door) {
      if (!current) this.retired = true;
      else {
        addDistinct(this.strong, id);
        this.near = [];
      }
      return;
    }
    if (!current || this.strong.length > 0) return;
    const why = fit === 'ok' ? 'floor/door differ' : fit;
    const t = tier(why);
    if (t > this.tier) return;
    if (t < this.tier) {
      this.tier = t;
      this.near = [];
    }
    addDistinct(this.near, id);
    this.why = why;
  }

  result(): LookupResult {
    const { exact, strong, near } = this;
    if (exact.length === 1) return { id: exact[0]!, grade: 'A' };
    if (exact.length > 1) return { id: null, grade: 'C', reason: `ambiguous (${exact.length} candidates)` };
    if (strong.length === 1) return { id: strong[0]!, grade: 'B' };
    if (strong.length > 1) return { id: null, grade: 'C', reason: `ambiguous (${strong.length} candidates)` };
    if (this.retired) return { id: null, reason: 'retired address' };
    // near misses make it category C (the closest tier: same postcode before no postcode before another postcode)
    if (near.length === 1) return { id: null, grade: 'C', reason: `uncertain (${this.why})` };
    if (near.length > 1) return { id: null, grade: 'C', reason: `ambiguous (${near.length} candidates)` };
    return { id: null, reason: 'no match' };
  }
}

function addDistinct(list: string[], id: string): void {
  if (!list.includes(id)) list.push(id);
}

const NO_UNIT: AddressUnit = { floor: '', door: '', postnr: '', suppl: '', place: '' };

/**
 * An index of a register. Loaded for some texts, it keeps no records: each record those texts can
 * match goes straight into their answers. Loaded without texts, it keeps every record, and a
 * lookup feeds the ones it can match to a new answer.
 */
export class RegisterIndex {
  /** per text (an index for some texts): its answer; and the answers by simple key and by street → house number */
  private answers: Map<string, Answer> | null = null;
  private byKey = new Map<string, Answer[]>();
  private byCore = new Map<string, Map<string, Answer[]>>();
  /** the texts' simple keys' hashes, and the hashes of their beginnings up to a space or the end */
  private wantedHashes = new Set<number>();
  private wantedStarts = new Set<number>();
  // an index of every record: per record its id, status 3, and part after the house number; records by simple key and by street → house number
  private ids: string[] = [];
  private current: boolean[] = [];
  private units: AddressUnit[] = [];
  private simple = new Map<string, Slot>();
  private core = new Map<string, Map<string, Slot>>();
  /** per form of the offered texts: [0] strings, [1] UTF-8 bytes as latin1 strings */
  private words: [WordCache?, WordCache?] = [];
  /** records read (with id and text), kept or not */
  size = 0;
  /** records that can match a text (all, for an index of every record) */
  kept = 0;
  /** rows without id or text */
  skipped = 0;
  buildMs = 0;

  /** `texts`: index only what these texts can match; lookup() then takes only these texts. */
  constructor(texts?: Iterable<string>) {
    if (texts === undefined) return;
    this.answers = new Map();
    const words = new WordCache(); // the same as simpleKey() and parseAddress(), with shared words normalised once
    for (const t of texts) {
      const tokens: string[] = [];
      words.keys(t, tokens);
      const a = new Answer(words.simple(t), parseTokens(tokens));
      this.answers.set(t, a);
      push(this.byKey, a.key, a);
      const starts = startHashes(a.key);
      for (const h of starts) this.wantedStarts.add(h);
      this.wantedHashes.add(starts[starts.length - 1]!);
      if (a.address) push(inner(this.byCore, a.address.street), a.address.husnr, a);
    }
  }

  /**
   * Counts a record and normalises its text (`bytes`: the text is UTF-8 bytes in a latin1 string).
   * True when one of the texts can match the record (always, for an index of every record): then
   * add() takes it. Else its id and status need not be read.
   */
  offer(betegnelse: string, bytes = false): boolean {
    this.size++;
    const words = (this.words[bytes ? 1 : 0] ??= new WordCache(bytes));
    const all = this.answers === null;
    let core: AddressCore | null, hash: number, unit: AddressUnit | null = null;
    const head = words.head(betegnelse);
    if (head !== undefined && head.tailAt >= 0) {
      // the usual case: the street and house number from the first words, the rest from the tails seen before
      core = head.core;
      this.coreAnswers = this.byCore.get(core.street)?.get(core.husnr);
      // Most records are turned down here, without the rest: no text has their street and house
      // number, and no text's simple key begins with that of their first words.
      if (!all && this.coreAnswers === undefined && head.key && !this.wantedStarts.has(head.hash)) return false;
      const tail = words.tail(betegnelse, head.tailAt);
      unit = tail.unit;
      hash = joinHash(head.hash, head.key, tail);
    } else {
      const t: string[] = [];
      hash = words.keys(betegnelse, t);
      core = addressCore(t);
      if (core !== null) unit = parseUnit(t.slice(core.end));
      this.coreAnswers = core === null ? undefined : this.byCore.get(core.street)?.get(core.husnr);
    }
    // (the simple key itself is only built when its hash is a wanted one)
    const key = all || this.wantedHashes.has(hash) ? words.simple(betegnelse) : null;
    this.key = key;
    this.coreOf = core;
    this.unit = unit;
    if (all) return true;
    this.keyAnswers = key === null ? undefined : this.byKey.get(key);
    return this.keyAnswers !== undefined || this.coreAnswers !== undefined;
  }
  // the record offer() accepted last: its keys, and the answers that want it
  private key: string | null = null;
  private coreOf: AddressCore | null = null;
  private unit: AddressUnit | null = null;
  private keyAnswers: Answer[] | undefined;
  private coreAnswers: Answer[] | undefined;

  /** Takes the record offer() accepted last. */
  add(id: string, current: boolean): void {
    this.kept++;
    const { key, coreOf: core, unit } = this;
    if (this.answers !== null) {
      for (const a of this.keyAnswers ?? []) a.sameKey(id, current);
      for (const a of this.coreAnswers ?? []) a.sameCore(id, current, unit!);
      return;
    }
    const i = this.ids.length;
    this.ids.push(id);
    this.current.push(current);
    this.units.push(unit ?? NO_UNIT);
    addSlot(this.simple, key!, i);
    if (core !== null) addSlot(inner(this.core, core.street), core.husnr, i);
  }

  /** Drops build-only data. */
  seal(): void {
    this.words = [];
    this.wantedHashes.clear();
    this.wantedStarts.clear();
  }

  lookup(text: string): LookupResult {
    if (this.answers !== null) {
      const a = this.answers.get(text);
      if (a === undefined) throw new Error('RegisterIndex.lookup: the index was not loaded for this text');
      return a.result();
    }
    const a = new Answer(simpleKey(text), parseAddress(text));
    for (const i of slotList(this.simple.get(a.key))) a.sameKey(this.ids[i]!, this.current[i]!);
    if (a.address) {
      for (const i of slotList(this.core.get(a.address.street)?.get(a.address.husnr))) a.sameCore(this.ids[i]!, this.current[i]!, this.units[i]!);
    }
    return a.result();
  }
}

function push<T>(m: Map<string, T[]>, k: string, v: T): void {
  const list = m.get(k);
  if (list) list.push(v);
  else m.set(k, [v]);
}

function inner<T>(m: Map<string, Map<string, T>>, k: string): Map<string, T> {
  let v = m.get(k);
  if (v === undefined) m.set(k, (v = new Map()));
  return v;
}

/** Chunks are scanned in pieces of at most this size (their latin1 strings stay young-generation objects). */
const PIECE = 1 << 16;

const isSpace = (c: number) => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;

/**
 * The closing quote of a JSON string whose content starts at `j` in `s` (`escaped`: s[j] follows a
 * backslash), -1 when the string goes on past the end of `s`, -2 when `s` ends in a backslash.
 */
function stringEnd(s: string, j: number, escaped: boolean): number {
  if (escaped) j++;
  for (;;) {
    const q = s.indexOf('"', j), b = s.indexOf('\\', j);
    if (b < 0 || (q >= 0 && q < b)) return q;
    j = b + 2;
    if (j > s.length) return -2;
  }
}

/**
 * Splits a JSON byte stream into the objects whose direct container is an array: the records of a
 * top-level array, or of arrays inside a top-level object (e.g. `{"AdresseList": [...]}`). Only
 * brackets and strings are followed. The bytes are scanned as a latin1 string: one character per
 * byte, so string positions are byte positions, and String#indexOf costs much less per call than
 * Buffer#indexOf. `onRecord` gets each record as a JsonRecord (one object, valid during the call).
 *
 * `keys`: members whose values the scan notes in records that are plain (no nested object or
 * array, no backslash escape, within one piece), so that JsonRecord reads them without parsing.
 */
export class JsonRecordSplitter {
  private stack: number[] = []; // 1 array, 2 object
  private inStr = false;
  private esc = false;
  private capDepth = -1;
  private plain = true;
  private parts: Buffer[] = [];
  private sawAny = false;
  private rec: JsonRecord;

  /** indices of the keys by their length */
  private byLength: number[][] = [];

  constructor(private keys: readonly string[] = []) {
    this.rec = new JsonRecord(keys);
    keys.forEach((key, k) => (this.byLength[key.length] ??= []).push(k));
  }

  push(chunk: Buffer, onRecord: (rec: JsonRecord) => void): void {
    for (let o = 0; o < chunk.length; o += PIECE) this.scan(chunk.subarray(o, o + PIECE), onRecord);
  }

  private scan(chunk: Buffer, onRecord: (rec: JsonRecord) => void): void {
    const s = chunk.toString('latin1');
    const { stack, rec, keys, byLength } = this;
    const valueAt = rec.valueAt;
    rec.source(chunk, s);
    let { inStr, esc, capDepth, plain } = this;
    let capStart = capDepth >= 0 ? 0 : -1;
    let nextBs = -2; // position of the next backslash at or after i (-1: none left), -2: not looked for yet
    let i = 0;
    if (inStr) {
      // a string that began in an earlier piece
      const q = stringEnd(s, 0, esc);
      if (q < 0) { esc = q === -2; i = s.length; } else { inStr = esc = false; i = q + 1; }
    }
    for (; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (c === 0x22) {
        let q = s.indexOf('"', i + 1);
        if (nextBs !== -1 && nextBs <= i) nextBs = s.indexOf('\\', i + 1);
        if (nextBs !== -1 && (q < 0 || nextBs < q)) {
          // backslash escapes (the only way a record stops being plain inside a string)
          plain = false;
          q = stringEnd(s, i + 1, false);
        }
        if (q < 0) { inStr = true; esc = q === -2; break; }
        // a member name of the record (a string followed by `:`) that is one of `keys`: note where its value starts
        // (reads stay below s.length: an out-of-bounds charCodeAt makes V8 drop the optimised scan)
        if (stack.length === capDepth && plain) {
          let v = q + 1;
          while (v < s.length && isSpace(s.charCodeAt(v))) v++;
          const named = v < s.length && s.charCodeAt(v) === 0x3a ? byLength[q - i - 1] : undefined;
          if (named !== undefined) {
            for (const k of named) {
              if (s.startsWith(keys[k]!, i + 1)) {
                do v++; while (v < s.length && isSpace(s.charCodeAt(v)));
                valueAt[k] = v; // the last one wins, as in JSON.parse
              }
            }
          }
        }
        i = q;
      } else if (c === 0x7b || c === 0x5b) {
        if (capDepth >= 0) plain = false; // a nested object or array
        else if (c === 0x7b && stack[stack.length - 1] === 1) {
          capDepth = stack.length + 1; capStart = i; plain = true;
          for (let k = 0; k < valueAt.length; k++) valueAt[k] = -1;
        }
        stack.push(c === 0x7b ? 2 : 1);
        this.sawAny = true;
      } else if (c === 0x7d || c === 0x5d) {
        if (stack.pop() !== (c === 0x7d ? 2 : 1)) throw new Error('invalid JSON (unbalanced brackets)');
        if (stack.length === capDepth - 1) {
          if (this.parts.length === 0) onRecord(rec.at(capStart, i + 1, plain));
          else {
            // a record that began in an earlier piece: parsed
            const bytes = Buffer.concat([...this.parts, chunk.subarray(0, i + 1)]);
            this.parts = [];
            rec.source(bytes, '');
            onRecord(rec.at(0, bytes.length, false));
            rec.source(chunk, s);
          }
          capDepth = -1; capStart = -1;
        }
      }
    }
    if (capDepth >= 0) this.parts.push(Buffer.from(chunk.subarray(capStart)));
    Object.assign(this, { inStr, esc, capDepth, plain });
  }

  /** Throws when the stream ended inside a string or container (a truncated file). */
  end(): void {
    if (!this.sawAny || this.inStr || this.stack.length > 0) throw new Error('invalid or truncated JSON');
  }
}

/**
 * A record of JsonRecordSplitter: the values of its splitter's `keys` (by index), as JSON.parse of
 * the record would give them. A plain record's are read where the scan found them (no escapes:
 * a string value is the bytes between its quotes); other records are parsed.
 */
export class JsonRecord {
  /** per key: where its value starts in the plain record, or -1 */
  readonly valueAt: number[];
  private bytes: Buffer = Buffer.alloc(0);
  private s = '';
  private start = 0;
  private end = 0;
  private plain = true;
  private obj: Record<string, unknown> | undefined;

  constructor(private keys: readonly string[]) {
    this.valueAt = keys.map(() => -1);
  }

  /** the bytes (and their latin1 string) of the records that follow */
  source(bytes: Buffer, latin1: string): void {
    this.bytes = bytes;
    this.s = latin1;
  }

  at(start: number, end: number, plain: boolean): this {
    this.start = start;
    this.end = end;
    this.plain = plain;
    this.obj = undefined;
    return this;
  }

  parse(): Record<string, unknown> {
    return (this.obj ??= JSON.parse(this.bytes.toString('utf8', this.start, this.end)) as Record<string, unknown>);
  }

  /** JSON.parse(record)[keys[k]] */
  get(k: number): unknown {
    return this.value(k, false);
  }

  /** the same, but a string comes as its UTF-8 bytes in a latin1 string (not decoded) */
  raw(k: number): unknown {
    return this.value(k, true);
  }

  private value(k: number, raw: boolean): unknown {
    if (!this.plain) {
      const v = this.parse()[this.keys[k]!];
      return raw && typeof v === 'string' ? Buffer.from(v).toString('latin1') : v;
    }
    const s = this.s, v = this.valueAt[k]!;
    if (v < 0) return undefined;
    if (s.charCodeAt(v) === 0x22) {
      const q = s.indexOf('"', v + 1);
      return raw ? s.slice(v + 1, q) : this.bytes.toString('utf8', v + 1, q);
    }
    let e = v;
    while (e < this.end && s.charCodeAt(e) !== 0x2c && s.charCodeAt(e) !== 0x7d && !isSpace(s.charCodeAt(e))) e++;
    if (e === v + 1 && s.charCodeAt(v) >= 0x30 && s.charCodeAt(v) <= 0x39) return s.charCodeAt(v) - 0x30; // a digit, e.g. status 3
    return JSON.parse(s.slice(v, e)); // null, true, false or a number
  }
}

/** The records of a JSON stream as JSON.parse'd objects (see JsonRecordSplitter). */
export async function* jsonArrayObjects(stream: AsyncIterable<Buffer | string>): AsyncGenerator<Record<string, unknown>> {
  const splitter = new JsonRecordSplitter();
  for await (const raw of stream) {
    const out: Record<string, unknown>[] = [];
    splitter.push(typeof raw === 'string' ? Buffer.from(raw) : raw, (rec) => out.push(rec.parse()));
    yield* out;
  }
  splitter.end();
}

const UUIDISH = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const statusIsCurrent = (s: unknown) => s === undefined || s === null || s === '' || Number(s) === CURRENT_STATUS;

type Chunks = AsyncIterable<Buffer> | Iterable<Buffer>;

/** The members a JSON register record is read by (Datafordeleren's names, then the short ones). */
const MEMBERS = ['adressebetegnelse', 'betegnelse', 'id_lokalId', 'id', 'status'];
const [TEXT, TEXT2, ID, ID2, STATUS] = [0, 1, 2, 3, 4];

async function loadJson(chunks: Chunks, index: RegisterIndex): Promise<void> {
  const splitter = new JsonRecordSplitter(MEMBERS);
  const onRecord = (rec: JsonRecord) => {
    // text and id as UTF-8 bytes: most records are not kept, so decoding them would be wasted
    const text = rec.raw(TEXT) ?? rec.raw(TEXT2);
    const id = rec.raw(ID) ?? rec.raw(ID2);
    if (typeof id !== 'string' || typeof text !== 'string' || !id || !text) { index.skipped++; return; }
    if (index.offer(text, true)) index.add((rec.get(rec.raw(ID) != null ? ID : ID2) as string).toLowerCase(), statusIsCurrent(rec.get(STATUS)));
  };
  for await (const chunk of chunks) splitter.push(chunk, onRecord);
  splitter.end();
}

/** The records of a CSV register (`;`, quotes as RFC 4180, also around line breaks), by csv-parse. */
async function loadCsv(chunks: Chunks, index: RegisterIndex): Promise<void> {
  let cols: { id: number; text: number; status: number } | null = null;
  const onRecord = (f: string[]) => {
    if (f.every((x) => !x.trim())) return;
    if (cols === null) {
      if (!UUIDISH.test((f[0] ?? '').trim())) {
        // header row: find the columns by name, else positional
        const names = f.map((x) => x.trim().toLowerCase());
        const find = (...n: string[]) => names.findIndex((x) => n.includes(x));
        const id = find('id', 'id_lokalid', 'adresse_id', 'uuid');
        const text = find('betegnelse', 'adressebetegnelse', 'adresse');
        cols = { id: id < 0 ? 0 : id, text: text < 0 ? 1 : text, status: find('status') };
        return;
      }
      cols = { id: 0, text: 1, status: f.length > 2 ? 2 : -1 };
    }
    const id = (f[cols.id] ?? '').trim();
    const text = (f[cols.text] ?? '').trim();
    if (!id || !text) { index.skipped++; return; }
    if (index.offer(text)) index.add(id.toLowerCase(), statusIsCurrent(cols.status >= 0 ? f[cols.status]?.trim() : undefined));
  };
  // records end at \r\n, \n or \r; a quote inside an unquoted field is kept as it is
  const parser = parse({ delimiter: ';', record_delimiter: ['\r\n', '\n', '\r'], bom: true, relax_quotes: true, relax_column_count: true, skip_empty_lines: true });
  // fileChunks reuses its buffer: the parser gets copies
  const copies = async function* () { for await (const chunk of chunks) yield Buffer.from(chunk); };
  await pipeline(copies, parser, async (records: AsyncIterable<string[]>) => { for await (const f of records) onRecord(f); });
}

/** A plain file's bytes, read synchronously: no waiting for the thread pool between chunks. */
function* fileChunks(file: string): Generator<Buffer> {
  const fd = openSync(file, 'r');
  try {
    const buf = Buffer.allocUnsafe(1 << 20); // reused: the loaders copy what they keep
    for (let n; (n = readSync(fd, buf, 0, buf.length, null)) > 0; ) yield buf.subarray(0, n);
  } finally {
    closeSync(fd);
  }
}

async function firstByte(file: string): Promise<string> {
  const fh = await open(file, 'r');
  try {
    const b = Buffer.alloc(64);
    const { bytesRead } = await fh.read(b, 0, 64, 0);
    return b.toString('utf8', 0, bytesRead).replace(/^\uFEFF/, '').trimStart()[0] ?? '';
  } finally {
    await fh.close();
  }
}

/**
 * Loads a register file (JSON or CSV, plain or a single-entry zip) and builds the index: of every
 * record, or with `texts` only of the records these texts can match.
 */
export async function loadRegister(file: string, texts?: Iterable<string>): Promise<RegisterIndex> {
  const t0 = performance.now();
  const index = new RegisterIndex(texts);
  let chunks: Chunks;
  let isJson: boolean;
  if (await isZipFile(file)) {
    const entry = await openSingleEntry(file);
    chunks = entry.stream;
    isJson = !/\.(csv|txt)$/i.test(entry.name);
  } else {
    isJson = /\.json$/i.test(file) || (!/\.(csv|txt)$/i.test(file) && /[[{]/.test(await firstByte(file)));
    chunks = fileChunks(file);
  }
  try {
    // (leaving the for-await loop early closes the file or destroys the zip stream)
    if (isJson) await loadJson(chunks, index);
    else await loadCsv(chunks, index);
  } catch (e) {
    throw new Error(`DAR register ${file}: ${(e as Error).message}`);
  }
  if (index.size === 0) throw new Error(`DAR register ${file}: no address records found`);
  index.seal();
  index.buildMs = performance.now() - t0;
  return index;
}
