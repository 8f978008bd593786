/**
 * Offline washing against a DAR register file: Datafordeleren's `Adresse` bulk download (a JSON
 * array of records with `id_lokalId`, `adressebetegnelse`, `status`; plain or zipped) or a CSV
 * `id;betegnelse[;status]`. The file is read as a stream (a full download can exceed what
 * JSON.parse accepts), the index is built once, and each lookup is a couple of map reads.
 */
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { coreKey, parseAddress, simpleKey, type ParsedAddress } from './normalise.ts';
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

export class RegisterIndex {
  private ids: string[] = [];
  private current: boolean[] = [];
  private floor: string[] = [];
  private door: string[] = [];
  private postnr: string[] = [];
  private suppl: string[] = [];
  private place: string[] = [];
  private simple = new Map<string, Slot>();
  private core = new Map<string, Slot>();
  private pool = new Map<string, string>();
  /** rows without id or text */
  skipped = 0;
  buildMs = 0;

  private intern(s: string): string {
    const p = this.pool.get(s);
    if (p !== undefined) return p;
    this.pool.set(s, s);
    return s;
  }

  get size() { return this.ids.length; }

  add(id: string, betegnelse: string, current: boolean): void {
    const i = this.ids.length;
    this.ids.push(id);
    this.current.push(current);
    addSlot(this.simple, simpleKey(betegnelse), i);
    const p = parseAddress(betegnelse);
    this.floor.push(this.intern(p?.floor ?? ''));
    this.door.push(this.intern(p?.door ?? ''));
    this.postnr.push(this.intern(p?.postnr ?? ''));
    this.suppl.push(this.intern(p?.suppl ?? ''));
    this.place.push(this.intern(p?.place ?? ''));
    if (p) addSlot(this.core, coreKey(p), i);
  }

  /** Drops build-only data. */
  seal(): void { this.pool.clear(); }

  /**
   * How a register record's postal part fits the input's: 'ok', a weak reason (a candidate that
   * makes the match uncertain), or null (a different address).
   */
  private placeFit(i: number, a: ParsedAddress): 'ok' | string | null {
    const rPlace = this.place[i]!, rSuppl = this.suppl[i]!;
    if (a.postnr) {
      if (a.postnr !== this.postnr[i]) return 'postcode differs';
      const nameOk = a.place === '' || nameFits(a.place, rPlace, rSuppl);
      const supplOk = a.suppl === '' || a.suppl === rSuppl || nameFits(a.suppl, rPlace, rSuppl);
      return nameOk && supplOk ? 'ok' : 'town differs';
    }
    if (a.place === '') return 'no postcode or town';
    return nameFits(a.place, rPlace, rSuppl) ? 'ok' : null;
  }

  /** distinct ids of the records, optionally only the current ones */
  private distinct(idx: number[], currentOnly: boolean): Set<string> {
    const out = new Set<string>();
    for (const i of idx) if (!currentOnly || this.current[i]) out.add(this.ids[i]!);
    return out;
  }

  lookup(text: string): LookupResult {
    const exact = slotList(this.simple.get(simpleKey(text)));
    const exactCur = this.distinct(exact, true);
    if (exactCur.size === 1) return { id: [...exactCur][0]!, grade: 'A' };
    if (exactCur.size > 1) return { id: null, grade: 'C', reason: `ambiguous (${exactCur.size} candidates)` };

    const a = parseAddress(text);
    const strong: number[] = [];
    const weak: { i: number; why: string }[] = [];
    if (a) {
      for (const i of slotList(this.core.get(coreKey(a)))) {
        const fit = this.placeFit(i, a);
        if (fit === null) continue;
        const sameUnit = this.floor[i] === a.floor && this.door[i] === a.door;
        if (fit === 'ok' && sameUnit) strong.push(i);
        else weak.push({ i, why: fit === 'ok' ? 'floor/door differ' : fit });
      }
    }
    const strongCur = this.distinct(strong, true);
    if (strongCur.size === 1) return { id: [...strongCur][0]!, grade: 'B' };
    if (strongCur.size > 1) return { id: null, grade: 'C', reason: `ambiguous (${strongCur.size} candidates)` };
    if (exact.length > 0 || strong.length > 0) return { id: null, reason: 'retired address' };
    // Near misses make it category C; the closest tier is reported (same postcode before no
    // postcode before another postcode).
    let best = 4;
    for (const w of weak) if (this.current[w.i]) best = Math.min(best, tier(w.why));
    if (best < 4) {
      const top: number[] = [];
      let why = '';
      for (const w of weak) if (this.current[w.i] && tier(w.why) === best) { top.push(w.i); why = w.why; }
      const ids = this.distinct(top, false);
      if (ids.size === 1) return { id: null, grade: 'C', reason: `uncertain (${why})` };
      return { id: null, grade: 'C', reason: `ambiguous (${ids.size} candidates)` };
    }
    return { id: null, reason: 'no match' };
  }
}

/**
 * Objects whose direct container is an array, from a JSON byte stream: the records of a top-level
 * array, or of arrays inside a top-level object (e.g. `{"AdresseList": [...]}`).
 */
export async function* jsonArrayObjects(stream: AsyncIterable<Buffer | string>): AsyncGenerator<Record<string, unknown>> {
  const stack: number[] = []; // 1 array, 2 object
  let inStr = false, esc = false;
  let capDepth = -1;
  let parts: Buffer[] = [];
  let sawAny = false;
  for await (const raw of stream) {
    const chunk = typeof raw === 'string' ? Buffer.from(raw) : raw;
    let capStart = capDepth >= 0 ? 0 : -1;
    let nextBs = -2; // position of the next backslash at or after i (-1: none left), -2: unknown
    for (let i = 0; i < chunk.length; i++) {
      const c = chunk[i]!;
      if (inStr) {
        if (esc) esc = false;
        else if (c === 0x5c) esc = true;
        else if (c === 0x22) inStr = false;
        else {
          // skip ahead to the next quote or backslash
          const q = chunk.indexOf(0x22, i + 1);
          if (nextBs !== -1 && nextBs <= i) nextBs = chunk.indexOf(0x5c, i + 1);
          const b = nextBs;
          const next = q < 0 ? b : b < 0 ? q : Math.min(q, b);
          i = (next < 0 ? chunk.length : next) - 1;
        }
        continue;
      }
      if (c === 0x22) inStr = true;
      else if (c === 0x7b) {
        if (capDepth < 0 && stack[stack.length - 1] === 1) { capDepth = stack.length; capStart = i; parts = []; }
        stack.push(2);
        sawAny = true;
      } else if (c === 0x5b) {
        stack.push(1);
        sawAny = true;
      } else if (c === 0x7d || c === 0x5d) {
        if (stack.pop() !== (c === 0x7d ? 2 : 1)) throw new Error('invalid JSON (unbalanced brackets)');
        if (c === 0x7d && stack.length === capDepth) {
          const tail = chunk.subarray(capStart, i + 1);
          const piece = parts.length ? Buffer.concat([...parts, tail]) : tail;
          capDepth = -1; capStart = -1; parts = [];
          yield JSON.parse(piece.toString('utf8')) as Record<string, unknown>;
        }
      }
    }
    if (capDepth >= 0) parts.push(Buffer.from(chunk.subarray(capStart)));
  }
  if (!sawAny || inStr || stack.length > 0) throw new Error('invalid or truncated JSON');
}

function parseCsvLine(line: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i <= line.length) {
    if (line[i] === '"') {
      let v = '';
      i++;
      for (;;) {
        const q = line.indexOf('"', i);
        if (q < 0) { v += line.slice(i); i = line.length; break; }
        v += line.slice(i, q);
        if (line[q + 1] === '"') { v += '"'; i = q + 2; } else { i = q + 1; break; }
      }
      out.push(v);
      const semi = line.indexOf(';', i);
      i = semi < 0 ? line.length + 1 : semi + 1;
    } else {
      const semi = line.indexOf(';', i);
      out.push(line.slice(i, semi < 0 ? undefined : semi));
      i = semi < 0 ? line.length + 1 : semi + 1;
    }
  }
  return out;
}

const UUIDISH = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const statusIsCurrent = (s: unknown) => s === undefined || s === null || s === '' || Number(s) === CURRENT_STATUS;

async function loadJson(stream: Readable, index: RegisterIndex): Promise<void> {
  for await (const rec of jsonArrayObjects(stream)) {
    const id = rec['id_lokalId'] ?? rec['id'];
    const text = rec['adressebetegnelse'] ?? rec['betegnelse'];
    if (typeof id !== 'string' || typeof text !== 'string' || !id || !text) { index.skipped++; continue; }
    index.add(id.toLowerCase(), text, statusIsCurrent(rec['status']));
  }
}

async function loadCsv(stream: Readable, index: RegisterIndex): Promise<void> {
  stream.setEncoding('utf8');
  let cols: { id: number; text: number; status: number } | null = null;
  for await (const rawLine of createInterface({ input: stream, crlfDelay: Infinity })) {
    const line = cols === null ? rawLine.replace(/^\uFEFF/, '') : rawLine;
    if (!line.trim()) continue;
    const f = parseCsvLine(line);
    if (cols === null) {
      if (!UUIDISH.test((f[0] ?? '').trim())) {
        // header row: find the columns by name, else positional
        const names = f.map((x) => x.trim().toLowerCase());
        const find = (...n: string[]) => names.findIndex((x) => n.includes(x));
        const id = find('id', 'id_lokalid', 'adresse_id', 'uuid');
        const text = find('betegnelse', 'adressebetegnelse', 'adresse');
        cols = { id: id < 0 ? 0 : id, text: text < 0 ? 1 : text, status: find('status') };
        continue;
      }
      cols = { id: 0, text: 1, status: f.length > 2 ? 2 : -1 };
    }
    const id = (f[cols.id] ?? '').trim();
    const text = (f[cols.text] ?? '').trim();
    if (!id || !text) { index.skipped++; continue; }
    index.add(id.toLowerCase(), text, statusIsCurrent(cols.status >= 0 ? f[cols.status]?.trim() : undefined));
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

/** Loads a register file (JSON or CSV, plain or a single-entry zip) and builds the index. */
export async function loadRegister(file: string): Promise<RegisterIndex> {
  const t0 = performance.now();
  const index = new RegisterIndex();
  let stream: Readable;
  let isJson: boolean;
  if (await isZipFile(file)) {
    const entry = await openSingleEntry(file);
    stream = entry.stream;
    isJson = !/\.(csv|txt)$/i.test(entry.name);
  } else {
    isJson = /\.json$/i.test(file) || (!/\.(csv|txt)$/i.test(file) && /[[{]/.test(await firstByte(file)));
    stream = createReadStream(file, { highWaterMark: 1 << 20 });
  }
  try {
    if (isJson) await loadJson(stream, index);
    else await loadCsv(stream, index);
  } catch (e) {
    stream.destroy();
    throw new Error(`DAR register ${file}: ${(e as Error).message}`);
  }
  if (index.size === 0) throw new Error(`DAR register ${file}: no address records found`);
  index.seal();
  index.buildMs = performance.now() - t0;
  return index;
}
