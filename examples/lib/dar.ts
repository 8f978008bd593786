/**
 * Addresses: the canonical DAR `adressebetegnelse`, the varied ways LOS writes them in
 * `PostAdresse`, and a register of Datafordeleren-style `Adresse` records.
 */
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { gen } from '../../src/uuid.ts';
import { type Day, isoDate } from './dates.ts';
import { POSTCODES } from './data.ts';

export interface AddressParts {
  street: string;
  /** house number, possibly with a letter: `2`, `78B` */
  nr: string;
  /** `st`, `1`, `2`, … */
  floor?: string;
  /** `th`, `tv`, `mf`, `3`, … */
  door?: string;
  postnr: string;
}

/** How an address is written in PostAdresse. */
export type AddressForm = 'canonical' | 'compact' | 'floorNoComma' | 'noComma' | 'upper' | 'lower' | 'spaces';
export const ADDRESS_FORMS: readonly AddressForm[] = ['canonical', 'compact', 'floorNoComma', 'noComma', 'upper', 'lower', 'spaces'];

/** DAR status: 3 = gældende (current); 2 and 4 = retired / historic. */
export type DarStatus = 2 | 3 | 4;

export interface DarRecord {
  id_lokalId: string;
  adressebetegnelse: string;
  etagebetegnelse: string | null;
  dørbetegnelse: string | null;
  husnummer: string;
  status: DarStatus;
  virkningFra: string;
  virkningTil: string | null;
}

const floorText = (floor: string) => (floor === 'st' ? 'st.' : floor === 'kl' ? 'kl.' : `${floor}.`);

export const postnrnavn = (postnr: string) => {
  const name = POSTCODES[postnr];
  if (!name) throw new Error(`unknown postcode ${postnr}`);
  return name;
};

/** `Vejnavn husnr[, etage. dør], postnr postnrnavn` */
export function betegnelse(a: AddressParts): string {
  const unit = a.floor ? `, ${floorText(a.floor)}${a.door ? ` ${a.door}` : ''}` : a.door ? `, ${a.door}` : '';
  return `${a.street} ${a.nr}${unit}, ${a.postnr} ${postnrnavn(a.postnr)}`;
}

/** The address as LOS writes it in one of the forms a washer must cope with. */
export function renderAddress(a: AddressParts, form: AddressForm): string {
  const city = `${a.postnr} ${postnrnavn(a.postnr)}`;
  switch (form) {
    case 'canonical':
      return betegnelse(a);
    case 'compact': // `Rådhuspladsen 2,1.tv, 8000 Aarhus C` / `Åby Bygade 40,8230 Åbyhøj`
      return a.floor ? `${a.street} ${a.nr},${floorText(a.floor)}${a.door ?? ''}, ${city}` : `${a.street} ${a.nr},${city}`;
    case 'floorNoComma': // `Søndergade 14 st. th., 8000 Aarhus C`
      return a.floor ? `${a.street} ${a.nr} ${floorText(a.floor)}${a.door ? ` ${a.door}.` : ''}, ${city}` : betegnelse(a);
    case 'noComma': // `Frederiksgade 7 8000 Aarhus C`
      return betegnelse(a).replace(`, ${city}`, ` ${city}`);
    case 'upper':
      return betegnelse(a).toUpperCase();
    case 'lower':
      return betegnelse(a).toLowerCase();
    case 'spaces':
      return betegnelse(a).replace(' ', '  ').replace(`, ${city}`, `,  ${city}`);
  }
}

/** A misspelling: two neighbouring letters of the street name swapped near its end. */
export function misspell(street: string): string {
  const chars = [...street];
  for (let i = chars.length - 2; i > 0; i--) {
    if (/\p{L}/u.test(chars[i]!) && /\p{L}/u.test(chars[i + 1]!) && chars[i] !== chars[i + 1]) {
      [chars[i], chars[i + 1]] = [chars[i + 1]!, chars[i]!];
      return chars.join('');
    }
  }
  return `${street}x`;
}

export type UnmatchedReason = 'misspelled' | 'not-in-register' | 'retired';

/** What a washer should make of a PostAdresse text. */
export interface TextExpectation {
  /** the current DAR record's id, null when the text must not be matched */
  darId: string | null;
  /** the canonical betegnelse the text stands for */
  canonical: string;
  form: AddressForm | 'misspelled';
  reason?: UnmatchedReason;
}

/**
 * The register under construction. Records are unique by (betegnelse, status); a text may
 * have both a current and a retired record (an address retired and later re-created).
 */
export class Register {
  readonly records = new Map<string, DarRecord>();
  /** PostAdresse text → what it must wash to */
  readonly texts = new Map<string, TextExpectation>();

  /**
   * `newId(key)` makes the uuid of a record (key = `status|betegnelse`). The default is
   * gen('<ns>-dar', key): stable when other records change. The bench passes a faster one.
   */
  constructor(
    private readonly ns: string,
    private readonly newId: (key: string) => string = (key) => gen(`${ns}-dar`, key),
  ) {}

  key = (text: string, status: DarStatus) => `${status}|${text}`;

  has(a: AddressParts, status: DarStatus = 3): boolean {
    return this.records.has(this.key(betegnelse(a), status));
  }

  get(a: AddressParts, status: DarStatus = 3): DarRecord | undefined {
    return this.records.get(this.key(betegnelse(a), status));
  }

  /** Add (or return) the record of an address. `from`/`to` are the days of virkningFra/virkningTil. */
  add(a: AddressParts, status: DarStatus, from: Day, to?: Day): DarRecord {
    const text = betegnelse(a);
    const key = this.key(text, status);
    let rec = this.records.get(key);
    if (!rec) this.records.set(key, (rec = this.record(a, status, from, to)));
    return rec;
  }

  /** A record (not stored). */
  record(a: AddressParts, status: DarStatus, from: Day, to?: Day, text = betegnelse(a)): DarRecord {
    return {
      id_lokalId: this.newId(this.key(text, status)),
      adressebetegnelse: text,
      etagebetegnelse: a.floor ?? null,
      dørbetegnelse: a.door ?? null,
      husnummer: this.newId(`husnummer|${a.street}|${a.nr}|${a.postnr}`),
      status,
      virkningFra: `${isoDate(from)}T00:00:00.000000+01:00`,
      virkningTil: status === 3 ? null : `${isoDate(to ?? from + 365)}T00:00:00.000000+01:00`,
    };
  }

  /** The text written for a matchable address (its current record is added if missing). */
  matchable(a: AddressParts, form: AddressForm, from: Day): string {
    const rec = this.add(a, 3, from);
    return this.expect(renderAddress(a, form), { darId: rec.id_lokalId, canonical: rec.adressebetegnelse, form });
  }

  /** A text that must stay unmatched. */
  unmatched(a: AddressParts, reason: UnmatchedReason, from: Day): string {
    const canonical = betegnelse(a);
    if (reason === 'retired') {
      if (this.has(a, 3)) throw new Error(`${canonical} is current, cannot be the retired case`);
      this.add(a, 4, from, from + 2000);
      return this.expect(canonical, { darId: null, canonical, form: 'canonical', reason });
    }
    if (reason === 'misspelled') {
      this.add(a, 3, from); // the correctly spelled address exists
      const text = renderAddress({ ...a, street: misspell(a.street) }, 'canonical');
      return this.expect(text, { darId: null, canonical, form: 'misspelled', reason });
    }
    if (this.has(a, 3) || this.has(a, 2) || this.has(a, 4)) throw new Error(`${canonical} is in the register`);
    return this.expect(canonical, { darId: null, canonical, form: 'canonical', reason });
  }

  private expect(text: string, exp: TextExpectation): string {
    const known = this.texts.get(text);
    if (known && (known.darId !== exp.darId || known.reason !== exp.reason)) throw new Error(`conflicting expectations for ${text}`);
    this.texts.set(text, exp);
    return text;
  }

  /** Records sorted by betegnelse, then status (code-unit order: locale independent). */
  sorted(): DarRecord[] {
    return [...this.records.values()].sort((a, b) =>
      a.adressebetegnelse < b.adressebetegnelse ? -1 : a.adressebetegnelse > b.adressebetegnelse ? 1 : b.status - a.status,
    );
  }
}

/** Write the register as a JSON array (one record a line) and the `id;betegnelse` CSV of the current ones, streaming. */
export async function writeRegister(records: Iterable<DarRecord>, jsonPath: string, csvPath: string): Promise<{ total: number; current: number }> {
  const json = createWriteStream(jsonPath);
  const csv = createWriteStream(csvPath);
  let total = 0;
  let current = 0;
  let jsonChunk: string[] = ['['];
  let csvChunk: string[] = ['id;betegnelse\n'];
  const flush = async () => {
    if (!json.write(jsonChunk.join(''))) await once(json, 'drain');
    if (!csv.write(csvChunk.join(''))) await once(csv, 'drain');
    jsonChunk = [];
    csvChunk = [];
  };
  for (const rec of records) {
    jsonChunk.push(`${total === 0 ? '\n' : ',\n'}${JSON.stringify(rec)}`);
    total++;
    if (rec.status === 3) {
      current++;
      csvChunk.push(`${rec.id_lokalId};${/[;"]/.test(rec.adressebetegnelse) ? `"${rec.adressebetegnelse.replaceAll('"', '""')}"` : rec.adressebetegnelse}\n`);
    }
    if (jsonChunk.length >= 5000) await flush();
  }
  jsonChunk.push('\n]\n');
  await flush();
  json.end();
  csv.end();
  await Promise.all([once(json, 'close'), once(csv, 'close')]);
  return { total, current };
}
