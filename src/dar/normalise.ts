/**
 * Normalisation and parsing of Danish address texts, shared by the register index (which parses
 * Datafordeleren's `adressebetegnelse`) and the lookup (which parses LOS's free-text PostAdresse).
 * Both sides go through the same functions, so a parse that is "wrong" for an odd address is at
 * least wrong the same way on both sides.
 *
 * Two levels (docs/dar.md):
 *  - simpleKey: NFC, lower case, punctuation -> space, whitespace collapsed. Equal simple keys
 *    = grade A ("exact except case and punctuation", as DAWA defined A).
 *  - parseAddress: variant folding (å/aa, accents, st/stuen, 1.th/1 th/1. sal th, tv/til venstre,
 *    mf/midt for, husnr "12 A"/"12a") and a split into street, house number, floor, door,
 *    postcode and place words. Used for grade B.
 */

/** Cache / de-duplication key: NFC, trimmed, whitespace collapsed, lower case. */
export function textKey(text: string): string {
  return text.normalize('NFC').replace(/\s+/g, ' ').trim().toLowerCase();
}

/** Grade-A key: case, punctuation and whitespace do not matter. */
export function simpleKey(text: string): string {
  return text
    .normalize('NFC')
    .toLowerCase()
    .replace(/['’´`]/g, '')
    .replace(/[^\p{L}\p{N}-]+/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

/** Variant folding of the characters: å -> aa (so Århus = Aarhus), accents dropped (Allé = Alle). */
export function foldChars(text: string): string {
  return text
    .normalize('NFC')
    .toLowerCase()
    .replace(/å/g, 'aa')
    .normalize('NFD')
    .replace(/\p{M}+/gu, '')
    .normalize('NFC')
    .replace(/['’´`]/g, '');
}

export interface ParsedAddress {
  /** folded street name words joined by one space */
  street: string;
  /** house number with its letter, e.g. `12a` */
  husnr: string;
  /** '' | 'st' | 'kl' | 'k1'.. | '1'..'99' */
  floor: string;
  /** '' | 'tv' | 'th' | 'mf' | '12' | 'a1' ... */
  door: string;
  /** 4-digit postcode or '' */
  postnr: string;
  /** words between floor/door and the postcode (supplerende bynavn) when a postcode is present */
  suppl: string;
  /** words after the postcode (postnrnavn); when there is no postcode: all remaining place words */
  place: string;
}

const FLOOR_RE = /^(st|kl|k\d|\d{1,2})$/;
const DOOR_RE = /^(tv|th|mf|[a-zæø]?\d{1,4}[a-zæø]?)$/;
const HUSNR_RE = /^\d{1,4}[a-zæø]?$/;
const SPLIT_FLOOR_DOOR_RE = /^(st|kl|k\d|\d{1,2})(tv|th|mf)$/;

/** Words naming a floor; `sal`/`etage` after a floor number are noise. */
const FLOOR_WORDS: Record<string, string> = { stuen: 'st', stue: 'st', kaelder: 'kl', kælder: 'kl', kld: 'kl' };
const DOOR_WORDS: Record<string, string> = { midtfor: 'mf', midt: 'mf' };
const STREET_WORDS = new Map<string, string>([['skt', 'sankt']]);

function tokens(text: string): string[] {
  const out: string[] = [];
  for (const t of foldChars(text).split(/[^\p{L}\p{N}]+/u)) {
    if (!t) continue;
    const m = SPLIT_FLOOR_DOOR_RE.exec(t);
    if (m) out.push(m[1]!, m[2]!);
    else out.push(t);
  }
  return out;
}

/** A 32-bit polynomial hash of a string: stringHash(a + b) = stringHash(a) * HASH_B^|b| + stringHash(b). */
const HASH_B = 0x01000193;
export function stringHash(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (Math.imul(h, HASH_B) + s.charCodeAt(i)) | 0;
  return h;
}

/** stringHash of each beginning of a key that ends before a space, and of the whole key (the last). */
export function startHashes(key: string): number[] {
  const out: number[] = [];
  let h = 0;
  for (let i = 0; i < key.length; i++) {
    const c = key.charCodeAt(i);
    if (c === 0x20) out.push(h);
    h = (Math.imul(h, HASH_B) + c) | 0;
  }
  out.push(h);
  return out;
}

/** A piece of a simple key and what its hash takes: stringHash(simple), stringHash(' ' + simple), HASH_B^(|simple| + 1). */
export interface KeyPart { simple: string; hash: number; spaced: number; pow: number }

function keyPart(simple: string): KeyPart {
  let pow = 1;
  for (let k = 0; k <= simple.length; k++) pow = Math.imul(pow, HASH_B);
  return { simple, hash: stringHash(simple), spaced: stringHash(' ' + simple), pow };
}

/**
 * stringHash(k + ' ' + part.simple) from hash = stringHash(k) and key = (k !== ''), the space left
 * out when k or part.simple is empty. (Hashes only ever pick candidates: equal keys have equal
 * hashes, and a key is compared itself before it counts.)
 */
export function joinHash(hash: number, key: boolean, part: KeyPart): number {
  if (!part.simple) return hash;
  return key ? (Math.imul(hash, part.pow) + part.spaced) | 0 : part.hash;
}

interface Word extends KeyPart { tokens: string[] }

/** The part of a text after its house number: its address unit and its simple key (WordCache.tail). */
export interface Tail extends KeyPart { unit: AddressUnit }

/** WordCache.head(): street and house number, and the simple key hash of the words before the tail. */
export interface Head { core: AddressCore; hash: number; key: boolean; tailAt: number }

/**
 * simpleKey, tokens and parse of many texts that share words (a register's 200,000 records have a
 * few thousand distinct words: street names, numbers, postcodes, towns), each distinct word
 * normalised once. The text is cut at ASCII spaces, and both normalisations commute with that cut:
 * a space is a separator for both, and NFC, lower-casing (final sigma included), accent stripping
 * and the apostrophe removal never look across it. So the tokens are `tokens(t)` and the key is
 * `simpleKey(t)` (test/dar-register.test.ts checks odd cases). keys() gives only the key's
 * stringHash, from the words' hashes; simple() builds the key itself, for the few texts that need it.
 *
 * head() and tail() split a text after its house number: the first words give the street and
 * house number, and the rest (`1. tv, 8000 Aarhus C`: a few thousand distinct ones) is parsed once.
 *
 * With `bytes`, texts are UTF-8 bytes in latin1 strings (one character per byte, as
 * JsonRecord.raw() gives them) and a word is decoded only the first time it is seen: a space byte
 * is never part of a multi-byte character, so the cut is the same.
 */
export class WordCache {
  private words = new Map<string, Word>();
  private tails = new Map<string, Tail>();
  constructor(private bytes = false) {}

  /** stringHash(simpleKey(text)); the folded tokens are appended to `out` */
  keys(text: string, out: string[]): number {
    let h = 0, key = false;
    for (let i = 0; i <= text.length; ) {
      let j = text.indexOf(' ', i);
      if (j < 0) j = text.length;
      if (j > i) {
        const e = this.word(text.slice(i, j));
        h = joinHash(h, key, e);
        key ||= e.simple !== '';
        for (const t of e.tokens) out.push(t);
      }
      i = j + 1;
    }
    return h;
  }

  /** simpleKey(text) */
  simple(text: string): string {
    let key = '';
    for (let i = 0; i <= text.length; ) {
      let j = text.indexOf(' ', i);
      if (j < 0) j = text.length;
      const piece = j > i ? this.word(text.slice(i, j)).simple : '';
      if (piece) key = key ? `${key} ${piece}` : piece;
      i = j + 1;
    }
    return key;
  }

  /**
   * addressCore() of the text from its first words, up to the token after the house number, the
   * simple-key hash of the words before the tail (the tokens after the house number), and where
   * the tail's words begin (-1: inside a word). Undefined without a house number before the last
   * token. The result is reused by the next call.
   */
  head(text: string): Head | undefined {
    const t = this.lead, starts = this.starts;
    t.length = 0;
    starts.length = 0;
    let h = -1, hash = 0, key = false, i = 0;
    while (i < text.length && !(h >= 0 && t.length >= h + 2)) {
      let j = text.indexOf(' ', i);
      if (j < 0) j = text.length;
      if (j > i) {
        const e = this.word(text.slice(i, j));
        starts.push(t.length, i, hash, key ? 1 : 0);
        hash = joinHash(hash, key, e);
        key ||= e.simple !== '';
        for (const x of e.tokens) {
          if (h < 0 && t.length > 0 && isHusnr(x)) h = t.length;
          t.push(x);
        }
      }
      i = j + 1;
    }
    if (!(h >= 0 && t.length >= h + 2)) return undefined;
    const r = this.result;
    r.core = addressCore(t)!;
    if (r.core.end === t.length) {
      // the letter of `12 A` was the last token read: the tail begins with the next word
      r.tailAt = Math.min(i, text.length);
      r.hash = hash;
      r.key = key;
    } else {
      // the tail begins with a word read, or inside one
      r.tailAt = -1;
      for (let k = 0; k < starts.length; k += 4) {
        if (starts[k] === r.core.end) {
          r.tailAt = starts[k + 1]!;
          r.hash = starts[k + 2]!;
          r.key = starts[k + 3] === 1;
        }
      }
    }
    return r;
  }
  private lead: string[] = [];
  /** per word head() read: index of its first token, its position, the hash before it, 1 if the key was non-empty before it */
  private starts: number[] = [];
  private result: Head = { core: { street: '', husnr: '', end: 0 }, hash: 0, key: false, tailAt: 0 };

  /** The tail of a text from `at` (head().tailAt). */
  tail(text: string, at: number): Tail {
    const rest = text.slice(at);
    let e = this.tails.get(rest);
    if (e === undefined) {
      const tokens: string[] = [];
      this.keys(rest, tokens);
      e = { ...keyPart(this.simple(rest)), unit: parseUnit(tokens) };
      this.tails.set(this.copy(rest), e);
    }
    return e;
  }

  private word(w: string): Word {
    let e = this.words.get(w);
    if (e === undefined) {
      const word = this.bytes ? Buffer.from(w, 'latin1').toString('utf8') : w;
      e = { ...keyPart(simpleKey(word)), tokens: tokens(word) };
      this.words.set(this.copy(w), e);
    }
    return e;
  }

  /** (from bytes, a word or tail is a slice of a whole piece's string: the maps keep a copy) */
  private copy(s: string): string {
    return this.bytes ? Buffer.from(s, 'latin1').toString('latin1') : s;
  }
}

/** Rewrites multi-word door phrases in the part after the house number. */
function foldDoorPhrases(r: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < r.length; i++) {
    const a = r[i]!;
    const b = r[i + 1];
    if (a === 'til' && b === 'venstre') { out.push('tv'); i++; continue; }
    if (a === 'til' && (b === 'hoejre' || b === 'højre')) { out.push('th'); i++; continue; }
    if (a === 'midt' && b === 'for') { out.push('mf'); i++; continue; }
    if (a === 't' && (b === 'v' || b === 'h')) { out.push('t' + b); i++; continue; }
    if (a === 'm' && b === 'f') { out.push('mf'); i++; continue; }
    out.push(a);
  }
  return out;
}

/** A house number token (the cheap first test: it starts with a digit). */
function isHusnr(t: string): boolean {
  const c = t.charCodeAt(0);
  return c >= 0x30 && c <= 0x39 && HUSNR_RE.test(t);
}

/** Street and house number of a token list; `end` is the index of the first token after them. */
export interface AddressCore { street: string; husnr: string; end: number }

/** The street and house number parseAddress finds, or null when there is no house number. */
export function addressCore(t: string[]): AddressCore | null {
  // House number: the first number-like token after at least one street word.
  let h = -1;
  for (let i = 1; i < t.length; i++) {
    if (isHusnr(t[i]!)) { h = i; break; }
  }
  if (h < 0) return null;
  let street = '';
  for (let i = 0; i < h; i++) street += (i ? ' ' : '') + (STREET_WORDS.get(t[i]!) ?? t[i]!);
  const husnr = t[h]!;
  // "12 A" -> "12a" (a single letter right after a plain number)
  const next = t[h + 1];
  if (next?.length === 1 && /^[a-zæø]$/.test(next) && /^\d+$/.test(husnr)) return { street, husnr: husnr + next, end: h + 2 };
  return { street, husnr, end: h + 1 };
}

/**
 * Parses an address text. Returns null when no house number can be found (then only grade-A
 * exact matching applies).
 */
export function parseAddress(text: string): ParsedAddress | null {
  return parseTokens(tokens(text));
}

/** parseAddress of a text's tokens. */
export function parseTokens(t: string[]): ParsedAddress | null {
  const core = addressCore(t);
  return core && { street: core.street, husnr: core.husnr, ...parseUnit(t.slice(core.end)) };
}

/** The part of an address after the house number: floor, door, postcode and town. */
export type AddressUnit = Omit<ParsedAddress, 'street' | 'husnr'>;

/** Parses the tokens after the house number (addressCore's `end`). */
export function parseUnit(tokens: string[]): AddressUnit {
  const rest = foldDoorPhrases(tokens);

  // Postcode: the last 4-digit token after which only words without digits follow.
  let p = -1;
  for (let i = rest.length - 1; i >= 0; i--) {
    const w = rest[i]!;
    if (/^\d{4}$/.test(w)) { p = i; break; }
    if (/\d/.test(w)) break;
  }
  const mid = p >= 0 ? rest.slice(0, p) : rest;
  const after = p >= 0 ? rest.slice(p + 1) : [];

  let i = 0;
  let floor = '';
  let door = '';
  const w0 = mid[0];
  if (w0 !== undefined) {
    const f = FLOOR_WORDS[w0] ?? w0;
    if (FLOOR_RE.test(f)) { floor = f; i = 1; }
  }
  // "1. sal", "1. etage"
  while (floor && (mid[i] === 'sal' || mid[i] === 'etage')) i++;
  const w1 = mid[i];
  if (w1 !== undefined) {
    const d = DOOR_WORDS[w1] ?? w1;
    if (DOOR_RE.test(d)) { door = d; i++; }
  }
  const leftover = mid.slice(i).join(' ');
  if (p >= 0) return { floor, door, postnr: rest[p]!, suppl: leftover, place: after.join(' ') };
  return { floor, door, postnr: '', suppl: '', place: leftover };
}
