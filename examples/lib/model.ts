/** The pieces both scales are built from: classes, units, persons, engagements, managers and their CSV rows. */
import { gen, derivedUuid } from '../../src/uuid.ts';
import { type Day, OPEN, addYears, dmy, isoDateTime } from './dates.ts';
import { FEMALE_NAMES, IT_USERKEYS, MALE_NAMES, MIDDLE_NAMES, STAM, STAM_LOADTIME, SURNAMES, type StamSpec } from './data.ts';
import { makeCpr } from './cpr.ts';
import type { Rng } from './random.ts';
import type { DarRecord, TextExpectation } from './dar.ts';

/** One CSV file of the delivery. */
export interface DeliveryFile {
  name: string;
  header: readonly string[];
  rows: string[][];
  bom: boolean;
  /** `YYYYMMDD_HHMMSS`: the file's place in the delivery order; also its modification time */
  stamp: string;
  /** `initial` files make the first import, `delta` files a later run */
  phase: 'initial' | 'delta';
}

/** A scenario's output before it is written. */
export interface Delivery {
  files: DeliveryFile[];
  register: Iterable<DarRecord>;
  /** PostAdresse text → what it must wash to */
  texts: Map<string, TextExpectation>;
  /** named cases (history, changes) for tests and docs */
  cases: Record<string, unknown>;
  counts: Record<string, number>;
}

// ---- classes ----

/** Class uuids are the same at every scale and seed: gen('los-example', '<STAM key>/<title>'). */
const classCache = new Map<string, string>();
export const classUuid = (facet: keyof typeof STAM, title: string): string => {
  const cacheKey = `${facet}/${title}`;
  let uuid = classCache.get(cacheKey);
  if (!uuid) {
    const spec = STAM[facet]!;
    if (!spec.titles.includes(title)) throw new Error(`no class ${title} in ${spec.file}`);
    classCache.set(cacheKey, (uuid = gen('los-example', `${spec.key}/${title}`)));
  }
  return uuid;
};

export function stamFiles(stamp: string): DeliveryFile[] {
  return Object.entries(STAM).map(([facet, spec]: [string, StamSpec]) => ({
    name: spec.file,
    header: spec.header,
    bom: true,
    stamp,
    phase: 'initial' as const,
    rows: spec.titles.map((title) => {
      const uuid = classUuid(facet as keyof typeof STAM, title);
      if (facet === 'itsystem') return [uuid, title, IT_USERKEYS[title]!];
      return spec.loadtime ? [uuid, title, STAM_LOADTIME] : [uuid, title];
    }),
  }));
}

// ---- org units ----

/** The values of one org unit row (everything but the period). `type` is an Enhedstype title. */
export interface UnitValues {
  uuid: string;
  key: string;
  name: string;
  type: string;
  /** parent uuid; equal to `uuid` for a top unit */
  parent: string;
  /** Med-i-LinjeOrg as written: `true`, `False`, `1`, `0`, `` */
  linje: string;
  los: string;
  cvr: string;
  ean: string;
  pnr: string;
  se: string;
  debitor: string;
  mag: string;
  /** PostAdresse as written */
  post: string;
}

export function orgRow(u: UnitValues, start: Day, end: Day, isoDates = false): string[] {
  const fmt = (d: Day) => (isoDates ? isoDateTime(d) : dmy(d));
  return [u.uuid, u.key, u.name, classUuid('enhedstype', u.type), u.parent, u.linje, u.los, u.cvr, u.ean, u.pnr, u.se, u.debitor, u.mag, u.post, fmt(start), fmt(end)];
}

/** Text forms of Med-i-LinjeOrg, mixed like the real files. */
export const linjeText = (rng: Rng, value: boolean) => (value ? rng.pick(['true', 'True', '1']) : rng.pick(['False', 'false', '0', '']));

// ---- persons ----

export interface Person {
  cpr: string;
  given: string;
  surname: string;
  birth: Day;
  female: boolean;
  email: string;
  azid: string;
  /** AD account object guid (ADkontoUUID), used when azid is set */
  adUuid: string;
}

export const personName = (p: Person) => `${p.given} ${p.surname}`;

export interface Engagement {
  uuid: string;
  key: string;
  person: Person;
  unit: string;
  start: Day;
  end: Day;
  primary: boolean;
  /** Engagementstype title */
  type: string;
  /** Stillingsbetegnelse title */
  job: string;
}

export interface Manager {
  unit: string;
  person: Person;
  /** Ledertype, Lederniveau, Lederansvar titles */
  type: string;
  level: string;
  responsibility: string;
}

const FOLD: Record<string, string> = { æ: 'ae', ø: 'oe', å: 'aa', é: 'e', ü: 'u', ö: 'oe', ä: 'ae' };
/** ASCII-fold for e-mail local parts: `Søren Ærø-Hansen` → `soeren`, `aeroe-hansen`. */
export const asciiFold = (text: string) =>
  text.toLowerCase().replace(/[æøåéüöä]/g, (c) => FOLD[c]!).replace(/[^a-z0-9-]/g, '');

export class PersonFactory {
  private readonly cprs = new Set<string>();
  private readonly emails = new Set<string>();
  /** next number to try per e-mail base */
  private readonly emailNext = new Map<string, number>();
  private readonly azids = new Set<string>();
  private engagementNo = 0;

  /** persons made so far */
  get count(): number {
    return this.cprs.size;
  }

  constructor(
    private readonly rng: Rng,
    private readonly ns: string,
    /** the day ages are measured at */
    private readonly today: Day,
    /** AZ ids are `az` + this many digits */
    private readonly azDigits = 5,
  ) {}

  person(opts: { female?: boolean; minAge?: number; maxAge?: number; email?: boolean; azid?: boolean; given?: string; surname?: string } = {}): Person {
    const rng = this.rng;
    const female = opts.female ?? rng.chance(0.62); // the municipality's staff is mostly women
    const minAge = opts.minAge ?? 18;
    const maxAge = opts.maxAge ?? 66; // 18–67 at every file of a delivery spanning less than a year
    // born between (today - maxAge - 1 years + 1 day) and (today - minAge years)
    const earliest = addYears(this.today, -maxAge - 1) + 1;
    const latest = addYears(this.today, -minAge);
    const birth = rng.int(earliest, latest);
    let cpr: string;
    do cpr = makeCpr(rng, birth, female);
    while (this.cprs.has(cpr));
    this.cprs.add(cpr);
    let given = opts.given ?? rng.pick(female ? FEMALE_NAMES : MALE_NAMES);
    if (!opts.given && rng.chance(0.2)) given += ` ${rng.pick(female ? MIDDLE_NAMES : MIDDLE_NAMES.slice(4))}`;
    const surname = opts.surname ?? rng.pick(SURNAMES);
    const person: Person = { cpr, given, surname, birth, female, email: '', azid: '', adUuid: '' };
    if (opts.email ?? rng.chance(0.9)) person.email = this.email(person);
    if (opts.azid ?? rng.chance(0.85)) this.giveAzid(person);
    return person;
  }

  /** `fornavn.efternavn@aarhus.dk`, unique (a number is added when taken). */
  email(p: Pick<Person, 'given' | 'surname'>, domain = 'aarhus.dk'): string {
    const first = asciiFold(p.given.split(' ')[0]!);
    const last = asciiFold(p.surname.split(' ').at(-1)!);
    const base = `${first}.${last}@${domain}`;
    let email = base;
    let n = this.emailNext.get(base) ?? 2;
    while (this.emails.has(email)) email = `${first}.${last}${n++}@${domain}`;
    this.emailNext.set(base, n);
    this.emails.add(email);
    return email;
  }

  giveAzid(p: Person): void {
    let azid: string;
    do azid = `az${this.rng.digits(this.azDigits)}`;
    while (this.azids.has(azid));
    this.azids.add(azid);
    p.azid = azid;
    p.adUuid = gen(`${this.ns}-ad`, p.cpr);
  }

  engagement(person: Person, e: Omit<Engagement, 'uuid' | 'key' | 'person'>): Engagement {
    const no = ++this.engagementNo;
    // engagement user key: an 8-digit employment number
    return { uuid: gen(this.ns, `engagement/${no}`), key: String(40_000_000 + no * 7), person, ...e };
  }
}

export function persRow(e: Engagement): string[] {
  const p = e.person;
  const ad = p.azid ? [classUuid('itsystem', 'Active Directory'), p.azid, p.adUuid] : ['', '', ''];
  return [
    e.uuid, e.key, p.cpr, personName(p), isoDateTime(e.start), isoDateTime(e.end), p.email, e.primary ? 'Ja' : 'Nej', e.unit,
    classUuid('engagementstype', e.type), classUuid('stilling', e.job), p.azid, ...ad,
  ];
}

export const persLukRow = (e: Engagement) => [e.uuid, e.person.cpr, personName(e.person)];

export const lederRow = (m: Manager) => [
  m.unit, m.person.cpr, classUuid('ledertype', m.type), classUuid('lederniveau', m.level), classUuid('lederansvar', m.responsibility),
];

export const lederLukRow = (m: Manager) => [m.unit, m.person.cpr];

/** The uuids the importer must derive (los-format.md), for the cases listing. */
export const derived = {
  employee: (cpr: string) => derivedUuid(cpr),
  email: (cpr: string) => derivedUuid(`${cpr}email`),
  azid: (cpr: string) => derivedUuid(`${cpr}azid`),
  manager: (org: string, cpr: string) => derivedUuid(`${org}${cpr}manager`),
  unitAddress: (org: string, suffix: 'los' | 'cvr' | 'ean' | 'pnr' | 'senr' | 'debitornr' | 'mag_id' | 'postaddr') => derivedUuid(`${org}${suffix}`),
};

export { OPEN };
