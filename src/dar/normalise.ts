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
const STREET_WORDS: Record<string, string> = { skt: 'sankt' };

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

/**
 * Parses an address text. Returns null when no house number can be found (then only grade-A
 * exact matching applies).
 */
export function parseAddress(text: string): ParsedAddress | null {
  const t = tokens(text);
  // House number: the first number-like token after at least one street word.
  let h = -1;
  for (let i = 1; i < t.length; i++) {
    if (HUSNR_RE.test(t[i]!)) { h = i; break; }
  }
  if (h < 0) return null;
  let street = '';
  for (let i = 0; i < h; i++) street += (i ? ' ' : '') + (STREET_WORDS[t[i]!] ?? t[i]!);
  let husnr = t[h]!;
  let rest = t.slice(h + 1);
  // "12 A" -> "12a" (a single letter right after a plain number)
  if (/^\d+$/.test(husnr) && rest.length > 0 && /^[a-zæø]$/.test(rest[0]!)) {
    husnr += rest[0];
    rest = rest.slice(1);
  }
  rest = foldDoorPhrases(rest);

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
  if (p >= 0) {
    return { street, husnr, floor, door, postnr: rest[p]!, suppl: leftover, place: after.join(' ') };
  }
  return { street, husnr, floor, door, postnr: '', suppl: '', place: leftover };
}

/** Index key of the access address (street + house number). */
export const coreKey = (a: { street: string; husnr: string }) => `${a.street}|${a.husnr}`;
