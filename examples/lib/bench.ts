/**
 * The benchmark delivery (issue 9): the same kinds of files at scale. Structure is random
 * (seeded); sizes are parameters, so tests can make a tiny variant of it.
 */
import { gen } from '../../src/uuid.ts';
import { type Day, OPEN, addYears, day, firstOfMonth, stampDay } from './dates.ts';
import {
  AARHUS_CVR, LEDER_HEADER, LEDER_LUK_HEADER, ORG_HEADER, PERS_HEADER, PERS_LUK_HEADER, PLACES, POSTCODES, STAM, STREETS,
  STREET_STEMS, STREET_SUFFIXES,
} from './data.ts';
import { ADDRESS_FORMS, type AddressForm, type AddressParts, type DarRecord, type DarStatus, Register, betegnelse } from './dar.ts';
import {
  type Delivery, type DeliveryFile, type Engagement, type Manager, type Person, type UnitValues,
  PersonFactory, lederLukRow, lederRow, linjeText, orgRow, persLukRow, persRow, stamFiles,
} from './model.ts';
import { Rng, fastUuid } from './random.ts';

export interface BenchSizes {
  units: number;
  /** rows per unit in Org_inital */
  historyRows: number;
  persons: number;
  engagements: number;
  managers: number;
  orgRet: number;
  /** new engagements in the delta's Pers_nye */
  persNye: number;
  persRet: number;
  persLuk: number;
  lederRet: number;
  lederLuk: number;
  /** at least this many records in the DAR register */
  darRecords: number;
}

export const BENCH_SIZES: BenchSizes = {
  units: 3000, historyRows: 10, persons: 25_000, engagements: 30_000, managers: 500,
  orgRet: 300, persNye: 500, persRet: 2000, persLuk: 300, lederRet: 50, lederLuk: 25, darRecords: 200_000,
};

/** A small variant with the same structure, for tests. */
export const TINY_BENCH_SIZES: BenchSizes = {
  units: 40, historyRows: 10, persons: 200, engagements: 240, managers: 10,
  orgRet: 20, persNye: 20, persRet: 40, persLuk: 10, lederRet: 3, lederLuk: 2, darRecords: 2000,
};

export const BENCH_SEED = 9;

export const BENCH_STAMPS = {
  initial: '20240101_000000',
  delta: '20240301_120000',
  deltaLuk: '20240302_120000',
} as const;

const MAGS = ['Borgmesterens Afdeling', 'Børn og Unge', 'Sociale Forhold og Beskæftigelse', 'Sundhed og Omsorg', 'Teknik og Miljø', 'Kultur og Borgerservice'];
const DEPARTMENTS = ['Økonomi', 'Personale', 'Digitalisering', 'Dagtilbud', 'Skoler', 'Tandplejen', 'Jobcenter', 'Socialforvaltning', 'Pleje og Omsorg', 'Sundhed', 'Natur og Vej', 'Biblioteker', 'Borgerservice', 'Kultur', 'Ungdomsskolen', 'Plan og Byggeri', 'Sekretariat'];
const INSTITUTIONS: [string, string, string][] = [
  // [noun, Enhedstype, job profile]
  ['Skole', 'Skole', 'school'], ['Børnehus', 'Dagtilbud', 'daycare'], ['Vuggestue', 'Dagtilbud', 'daycare'], ['Dagtilbud', 'Dagtilbud', 'daycare'],
  ['Plejehjem', 'Institution', 'care'], ['Hjemmepleje', 'Institution', 'care'], ['Lokalcenter', 'Institution', 'care'],
  ['Bibliotek', 'Institution', 'library'], ['Tandklinik', 'Institution', 'dental'], ['Sundhedscenter', 'Center', 'health'],
  ['Jobcenter', 'Center', 'job'], ['Driftsgård', 'Institution', 'tech'], ['Fritidscenter', 'Institution', 'daycare'],
];
const PROFILE_JOBS: Record<string, readonly string[]> = {
  admin: ['Specialkonsulent', 'Fuldmægtig', 'Chefkonsulent', 'IT-konsulent', 'Kontorfuldmægtig', 'Studentermedhjælper'],
  school: ['Lærer', 'Lærer', 'Lærer', 'Pædagog', 'Kontorfuldmægtig'],
  daycare: ['Pædagog', 'Pædagog', 'Pædagogmedhjælper', 'Elev'],
  care: ['Social- og sundhedshjælper', 'Social- og sundhedsassistent', 'Sygeplejerske', 'Ergoterapeut', 'Fysioterapeut'],
  library: ['Bibliotekar', 'Kontorfuldmægtig'],
  dental: ['Tandlæge', 'Tandklinikassistent', 'Tandklinikassistent'],
  health: ['Sundhedsplejerske', 'Sygeplejerske', 'Fysioterapeut'],
  job: ['Jobkonsulent', 'Socialrådgiver', 'Kontorfuldmægtig'],
  tech: ['Gartner', 'Ingeniør'],
};

interface BUnit {
  key: string;
  uuid: string;
  level: number;
  profile: string;
  children: number;
  /** the values of the last period */
  last: UnitValues;
  lastStart: Day;
  /** last day, OPEN unless the unit ends */
  end: Day;
  /** the unit is ended by the delta's Org_ret */
  endsInRet?: boolean;
  /** first seen in the delta's Org_ret */
  firstSeen?: boolean;
}

export function benchDelivery(seed = BENCH_SEED, sizesIn: Partial<BenchSizes> = {}): Delivery {
  const sizes = { ...BENCH_SIZES, ...sizesIn };
  const ns = `los-bench-${seed}`;
  const root = new Rng(seed);
  // ids from a fast seeded hash of the record's key: md5 per record is too slow at this size
  let lastKey = '';
  let lastId = '';
  const reg = new Register(ns, (key) => (key === lastKey ? lastId : ((lastKey = key), (lastId = fastUuid(`${ns}|${key}`)))));
  const initialDay = stampDay(BENCH_STAMPS.initial);
  const deltaDay = stampDay(BENCH_STAMPS.delta);
  const lukDay = stampDay(BENCH_STAMPS.deltaLuk);
  const epoch = day(2010, 1, 1);

  // ---- the DAR register: real streets, then synthetic ones until it is big enough ----
  // Only the addresses' parts are kept; the records are made while writing (see `register` below).
  const filler: AddressParts[] = [];
  const fillerStatus: DarStatus[] = [];
  const current: AddressParts[] = [];
  const retired: AddressParts[] = [];
  {
    const rng = root.fork('register');
    const streets: [string, string][] = [];
    for (const [postnr, names] of Object.entries(STREETS)) for (const name of names) streets.push([name, postnr]);
    const synthetic: [string, string][] = [];
    const real = new Set(streets.map(([name, postnr]) => `${name}|${postnr}`));
    for (const postnr of Object.keys(POSTCODES)) {
      for (const stem of STREET_STEMS) for (const suffix of STREET_SUFFIXES) if (!real.has(`${stem}${suffix}|${postnr}`)) synthetic.push([`${stem}${suffix}`, postnr]);
    }
    streets.push(...rng.shuffle(synthetic));
    const add = (p: AddressParts, status: DarStatus) => {
      filler.push(p);
      fillerStatus.push(status);
      if (status === 3) current.push(p);
      else if (status === 4) retired.push(p);
    };
    // house numbers are at most 36 (+ letter), retired ones 101–136: the unmatched cases use 900–999
    for (const [street, postnr] of streets) {
      if (filler.length >= sizes.darRecords) break;
      const upto = rng.int(4, 36);
      for (let n = 1; n <= upto; n++) {
        const nr = rng.chance(0.04) ? `${n}${rng.pick(['A', 'B', 'C'])}` : String(n);
        if (rng.chance(0.1)) {
          const floors = rng.int(1, 4);
          for (let f = 0; f <= floors; f++) for (const door of ['th', 'tv']) add({ street, nr, postnr, floor: f === 0 ? 'st' : String(f), door }, 3);
        } else add({ street, nr, postnr }, 3);
        if (rng.chance(0.03)) add({ street, nr: String(n + 100), postnr }, rng.pick([2, 4] as const));
      }
    }
    if (filler.length < sizes.darRecords) throw new Error(`the street list gives only ${filler.length} addresses`);
  }
  /** The register in street order (like an unsorted bulk file): filler records, the used ones as the units got them. */
  function* register(): Generator<DarRecord> {
    const rng = root.fork('register-dates');
    const emitted = new Set<string>();
    for (let i = 0; i < filler.length; i++) {
      const p = filler[i]!;
      const status = fillerStatus[i]!;
      const text = betegnelse(p);
      const key = reg.key(text, status);
      const used = reg.records.get(key);
      const from = day(rng.int(1990, 2020), rng.int(1, 12), rng.int(1, 28));
      if (used) emitted.add(key);
      yield used ?? reg.record(p, status, from, from + rng.int(200, 5000), text);
    }
    for (const [key, rec] of reg.records) if (!emitted.has(key)) yield rec;
  }

  // ---- units ----
  const urng = root.fork('units');
  const losIds = new Set<string>();
  const names = new Set<string>();
  const units: BUnit[] = [];
  const uniqueName = (base: string) => {
    let name = base;
    for (let n = 2; names.has(name); n++) name = `${base} ${n}`;
    names.add(name);
    return name;
  };
  const formFor = (): AddressForm => urng.weighted(ADDRESS_FORMS.map((f) => [f, f === 'canonical' ? 8 : 1] as const));
  const unmatchedKinds = ['misspelled', 'not-in-register', 'retired'] as const;
  const postFor = (from: Day): string => {
    if (urng.chance(0.08)) return '';
    if (urng.chance(0.012)) {
      const kind = urng.pick(unmatchedKinds);
      if (kind === 'retired') {
        const p = urng.pick(retired);
        return reg.unmatched(p, 'retired', from);
      } else if (kind === 'misspelled') {
        return reg.unmatched(urng.pick(current), 'misspelled', from);
      } else {
        const p = { ...urng.pick(current), nr: String(urng.int(900, 999)), floor: undefined, door: undefined };
        return reg.unmatched(p, 'not-in-register', from);
      }
    }
    return reg.matchable(urng.pick(current), formFor(), from);
  };
  const makeValues = (key: string, uuid: string, name: string, type: string, parent: string, level: number, from: Day): UnitValues => {
    let los: string;
    do los = String(urng.int(100_000, 9_999_999));
    while (losIds.has(los));
    losIds.add(los);
    return {
      uuid, key, name, type, parent,
      linje: linjeText(urng, urng.chance(0.85)),
      los,
      cvr: level <= 2 || urng.chance(0.7) ? AARHUS_CVR : '',
      ean: level >= 2 && urng.chance(0.7) ? `5798005${urng.digits(6, true)}` : '',
      pnr: level >= 3 && urng.chance(0.8) ? `10${urng.digits(8, true)}` : '',
      se: level <= 1 ? urng.digits(8) : '',
      debitor: urng.chance(0.3) ? urng.digits(6) : '',
      mag: urng.chance(0.4) ? urng.digits(5) : '',
      post: postFor(from),
    };
  };
  const newUnit = (level: number, parent: BUnit | undefined, start: Day): BUnit => {
    const no = units.length;
    const key = `U${String(no + 1).padStart(5, '0')}`;
    const uuid = gen(ns, `unit/${key}`);
    let name: string, type: string, profile: string;
    if (level === 0) [name, type, profile] = ['Aarhus Kommune', 'Kommune', 'admin'];
    else if (level === 1) [name, type, profile] = [uniqueName(MAGS[(no - 1) % MAGS.length]!), 'Magistratsafdeling', 'admin'];
    else if (level === 2) [name, type, profile] = [uniqueName(`${urng.pick(DEPARTMENTS)} ${urng.pick(PLACES)}`), urng.pick(['Afdeling', 'Forvaltning', 'Område', 'Center']), 'admin'];
    else if (level === 3) {
      const [noun, t, prof] = urng.pick(INSTITUTIONS);
      [name, type, profile] = [uniqueName(`${urng.pick(PLACES)} ${noun}`), t, prof];
    } else [name, type, profile] = [uniqueName(`${parent!.last.name} – Team ${urng.pick(['Nord', 'Syd', 'Øst', 'Vest', 'Centrum', 'Aften', 'Nat'])}`), 'Team', parent!.profile];
    const unit: BUnit = { key, uuid, level, profile, children: 0, last: makeValues(key, uuid, name, type, parent?.uuid ?? uuid, level, start), lastStart: start, end: OPEN };
    if (parent) parent.children++;
    units.push(unit);
    return unit;
  };
  const top = newUnit(0, undefined, epoch);
  const mags = Array.from({ length: Math.min(MAGS.length, Math.max(1, Math.round(sizes.units / 400))) }, () => newUnit(1, top, epoch));
  const departments = Array.from({ length: Math.max(1, Math.round(sizes.units / 30)) }, () => newUnit(2, urng.pick(mags), epoch));
  const institutions: BUnit[] = [];
  while (units.length < sizes.units) {
    if (institutions.length > 10 && urng.chance(0.25)) newUnit(4, urng.pick(institutions), epoch);
    else institutions.push(newUnit(3, urng.pick(departments), epoch));
  }

  // history: historyRows periods from 2010 to now, each row identical to the one before (merge) or changed
  const blocks: string[][][] = [];
  const byUuid = new Map(units.map((u) => [u.uuid, u]));
  const leaves = units.filter((u) => u.level >= 3 && u.children === 0);
  const endedInitially = new Set(urng.sample(leaves, Math.round(units.length * 0.01)));
  const endsInRet = new Set(urng.sample(leaves.filter((u) => !endedInitially.has(u)), Math.round(sizes.orgRet * 0.05)));
  for (const u of units) {
    const cuts = new Set<Day>();
    while (cuts.size < sizes.historyRows - 1) cuts.add(firstOfMonth(urng.int(epoch + 31, day(2023, 11, 30))));
    const starts = [epoch, ...[...cuts].sort((x, y) => x - y)];
    const rows: string[][] = [];
    let values = u.last;
    starts.forEach((start, i) => {
      if (i > 0) {
        const kind = urng.weighted([['same', 35], ['rename', 20], ['address', 20], ['linje', 8], ['type', 4], ['numbers', 10], ['move', 3]] as const);
        values = { ...values };
        if (kind === 'rename') values.name = uniqueName(`${u.last.name.replace(/ \(.*\)$/, '')} (${urng.pick(['ny', 'samlet', 'nord', 'syd', 'øst', 'vest', 'centrum'])})`);
        else if (kind === 'address') values.post = postFor(start);
        else if (kind === 'linje') values.linje = linjeText(urng, !/^(true|1)$/i.test(values.linje));
        else if (kind === 'type' && u.level >= 2) values.type = urng.pick(STAM.enhedstype!.titles.filter((t) => !['Kommune', 'Magistratsafdeling'].includes(t)));
        else if (kind === 'numbers') {
          values.pnr = values.pnr && urng.chance(0.3) ? '' : `10${urng.digits(8, true)}`;
          values.mag = urng.chance(0.5) ? urng.digits(5) : '';
        } else if (kind === 'move' && u.level >= 2 && u.level <= 3) {
          const pool = u.level === 2 ? mags : departments;
          values.parent = urng.pick(pool).uuid;
        }
      }
      const end = i + 1 < starts.length ? starts[i + 1]! - 1 : endedInitially.has(u) ? Math.max(start + 30, day(2023, 6, 30)) : OPEN;
      rows.push(orgRow(values, start, end, urng.chance(0.1)));
      u.lastStart = start;
      u.end = end;
    });
    u.last = values;
    u.endsInRet = endsInRet.has(u);
    blocks.push(rows);
  }
  // units in a mixed order: children often before parents
  const orgInitialRows = root.fork('order').shuffle(blocks).flat();

  // ---- persons and engagements ----
  const prng = root.fork('persons');
  const people = new PersonFactory(prng, ns, initialDay);
  const working = units.filter((u) => u.end === OPEN && !u.endsInRet && u.level >= 1);
  const unitWeight = working.map((u) => [u, u.level >= 3 ? 4 : 1] as const);
  const pickUnit = prng.picker(unitWeight);
  const jobFor = (u: BUnit) => prng.pick(PROFILE_JOBS[u.profile]!);
  const startFor = (person: Person, from: Day, latest: Day) => {
    const lower = Math.max(from, addYears(person.birth, 18) + 1);
    const upper = Math.max(lower, latest);
    const d = prng.int(lower, upper);
    const first = firstOfMonth(d) === d ? d : firstOfMonth(d, 1);
    return first <= upper ? first : lower;
  };
  const engagements: Engagement[] = [];
  const byPerson = new Map<Person, Engagement[]>();
  const byUnit = new Map<string, Engagement[]>();
  const engage = (person: Person, u: BUnit, primary: boolean, from: Day, latest: Day, list = engagements) => {
    const start = startFor(person, from, latest);
    const vikar = prng.chance(0.04);
    const e = people.engagement(person, {
      unit: u.uuid, start, end: vikar ? firstOfMonth(Math.max(start, latest), prng.int(4, 10)) - 1 : OPEN, primary,
      type: vikar ? 'Vikar' : primary ? prng.weighted([['Månedslønnet', 12], ['Timelønnet', 2], ['Elev', 1], ['Fleksjob', 1]] as const) : 'Timelønnet',
      job: jobFor(u),
    });
    list.push(e);
    byPerson.set(person, [...(byPerson.get(person) ?? []), e]);
    byUnit.set(u.uuid, [...(byUnit.get(u.uuid) ?? []), e]);
    return e;
  };
  const lastInitialStart = day(2023, 12, 1);
  const persons: Person[] = [];
  for (let i = 0; i < sizes.persons; i++) {
    const person = people.person({ maxAge: 66 });
    persons.push(person);
    engage(person, pickUnit(), true, epoch, lastInitialStart);
  }
  const twoCount = Math.max(0, sizes.engagements - sizes.persons);
  for (const person of persons.slice(0, twoCount)) engage(person, pickUnit(), false, epoch, lastInitialStart);
  const persNyeRows = persons.flatMap((p) => byPerson.get(p)!.map(persRow));

  // ---- managers ----
  const mrng = root.fork('managers');
  const managedUnits = mrng.sample(working.filter((u) => byUnit.has(u.uuid)), sizes.managers);
  const levelOf = (u: BUnit) => (u.level <= 1 ? ['Direktør', 'Niveau 1', 'Strategisk ansvar'] : u.level === 2 ? ['Chef', 'Niveau 2', 'Budgetansvar'] : u.level === 3 ? ['Leder', mrng.pick(['Niveau 3', 'Niveau 4']), 'Personaleansvar'] : ['Souschef', 'Niveau 5', 'Faglig ledelse']) as [string, string, string];
  const managers: Manager[] = managedUnits.map((u) => {
    const [type, level, responsibility] = levelOf(u);
    return { unit: u.uuid, person: mrng.pick(byUnit.get(u.uuid)!).person, type, level, responsibility };
  });
  const managerCprs = new Set(managers.map((x) => x.person.cpr));

  // ---- delta: Org_ret ----
  const drng = root.fork('delta');
  const orgRetRows: string[][] = [];
  const retCases: Record<string, number> = {};
  const count = (kind: string) => (retCases[kind] = (retCases[kind] ?? 0) + 1);
  const retEnd = firstOfMonth(deltaDay, 1) - 1;
  for (const u of endsInRet) {
    orgRetRows.push(orgRow(u.last, u.lastStart, retEnd));
    u.end = retEnd;
    count('ended');
  }
  const firstSeen: BUnit[] = [];
  const nFirst = Math.round(sizes.orgRet * 0.1);
  for (let i = 0; i < nFirst; i++) {
    const parent = drng.pick(departments.filter((d) => d.end === OPEN));
    const u = newUnit(3, parent, deltaDay);
    u.firstSeen = true;
    firstSeen.push(u);
    orgRetRows.push(orgRow(u.last, deltaDay, OPEN));
    count('firstSeen');
  }
  const changeable = drng.sample(working.filter((u) => !u.firstSeen), sizes.orgRet - orgRetRows.length);
  for (const u of changeable) {
    const kind = drng.weighted([['rename', 35], ['address', 25], ['emptied', 10], ['unchanged', 15], ['linje', 15]] as const);
    const values = { ...u.last };
    if (kind === 'rename') values.name = uniqueName(`${u.last.name.replace(/ \(.*\)$/, '')} (${drng.pick(['ny', 'samlet', '2024'])})`);
    else if (kind === 'address') values.post = postFor(deltaDay);
    else if (kind === 'emptied') {
      const col = (['ean', 'pnr', 'mag', 'debitor', 'post'] as const).find((c) => values[c] !== '');
      if (col) values[col] = '';
    } else if (kind === 'linje') values.linje = linjeText(drng, !/^(true|1)$/i.test(values.linje));
    count(kind);
    orgRetRows.push(orgRow(values, u.lastStart, OPEN));
    u.last = values;
  }
  drng.shuffle(orgRetRows);

  // ---- delta: Pers_nye ----
  const deltaEngagements: Engagement[] = [];
  const pickDeltaUnit = drng.picker([...unitWeight.map(([u]) => [u, 1] as const), ...firstSeen.map((u) => [u, 3] as const)]);
  const oneEngagement = persons.slice(twoCount);
  const nSecond = Math.round(sizes.persNye * 0.4);
  const seconds = new Set(drng.sample(oneEngagement, nSecond));
  for (const person of seconds) engage(person, pickDeltaUnit(), false, deltaDay, deltaDay + 60, deltaEngagements);
  while (deltaEngagements.length < sizes.persNye) {
    const person = people.person({ maxAge: 66 });
    const u = pickDeltaUnit();
    engage(person, u, true, Math.max(deltaDay, u.lastStart), deltaDay + 60, deltaEngagements);
  }
  const persNyeDeltaRows = deltaEngagements.map(persRow);

  // ---- delta: Pers_ret and Pers_luk ----
  const retKinds: Record<string, number> = {};
  const persRetRows: string[][] = [];
  const touched = new Set<Person>();
  const candidates = drng.shuffle(engagements.filter((e) => !seconds.has(e.person)));
  let ci = 0;
  while (persRetRows.length < sizes.persRet && ci < candidates.length) {
    const e = candidates[ci++]!;
    if (touched.has(e.person)) continue;
    touched.add(e.person);
    const single = byPerson.get(e.person)!.length === 1;
    let kind = drng.weighted([['jobFunction', 35], ['name', 10], ['emailChanged', 15], ['emailRemoved', 5], ['azidAdded', 10], ['endChanged', 5], ['unchanged', 20]] as const);
    if (!single && !['jobFunction', 'unchanged', 'endChanged'].includes(kind)) kind = 'jobFunction';
    if (kind === 'azidAdded' && e.person.azid) kind = 'jobFunction';
    if (kind === 'emailRemoved' && !e.person.email) kind = 'unchanged';
    const changed: Engagement = { ...e, person: { ...e.person } };
    if (kind === 'jobFunction') {
      const jobs = PROFILE_JOBS[byUuid.get(e.unit)!.profile]!.filter((j) => j !== e.job);
      changed.job = jobs.length ? drng.pick(jobs) : 'Specialkonsulent';
    } else if (kind === 'name') changed.person.surname = `${drng.pick(['Holm', 'Skov', 'Bach', 'Juul', 'Kjær'])} ${e.person.surname}`;
    else if (kind === 'emailChanged') changed.person.email = people.email(e.person, drng.pick(['mbu.aarhus.dk', 'mso.aarhus.dk', 'aarhus.dk']));
    else if (kind === 'emailRemoved') changed.person.email = '';
    else if (kind === 'azidAdded') people.giveAzid(changed.person);
    else if (kind === 'endChanged') changed.end = day(2024, 12, 31);
    retKinds[kind] = (retKinds[kind] ?? 0) + 1;
    persRetRows.push(persRow(changed));
  }
  const lukable = engagements.filter((e) => !touched.has(e.person) && !seconds.has(e.person) && !managerCprs.has(e.person.cpr) && (!e.primary || byPerson.get(e.person)!.length === 1) && e.start < lukDay && e.end > lukDay);
  const luk = drng.sample(lukable, sizes.persLuk);
  const persLukRows = luk.map(persLukRow);

  // ---- delta: managers ----
  const mret = drng.sample(managers, sizes.lederRet + sizes.lederLuk);
  const lederRetRows = mret.slice(0, sizes.lederRet).map((x) => lederRow({ ...x, level: x.level === 'Niveau 3' ? 'Niveau 2' : x.level === 'Niveau 1' ? 'Niveau 2' : 'Niveau 3' }));
  const lederLukRows = mret.slice(sizes.lederRet).map(lederLukRow);

  const S = BENCH_STAMPS;
  const file = (prefix: string, stamp: string, header: readonly string[], rows: string[][], bom = true): DeliveryFile => ({
    name: `${prefix}_${stamp}.csv`, header, rows, bom, stamp, phase: stamp === S.initial ? 'initial' : 'delta',
  });
  const files: DeliveryFile[] = [
    ...stamFiles(S.initial),
    file('Org_inital', S.initial, ORG_HEADER, orgInitialRows),
    file('Pers_nye', S.initial, PERS_HEADER, persNyeRows),
    file('Leder_nye', S.initial, LEDER_HEADER, managers.map(lederRow), false),
    file('Org_ret', S.delta, ORG_HEADER, orgRetRows),
    file('Pers_nye', S.delta, PERS_HEADER, persNyeDeltaRows),
    file('Pers_ret', S.delta, PERS_HEADER, persRetRows),
    file('Leder_ret', S.delta, LEDER_HEADER, lederRetRows, false),
    file('Pers_luk', S.deltaLuk, PERS_LUK_HEADER, persLukRows, false),
    file('Leder_luk', S.deltaLuk, LEDER_LUK_HEADER, lederLukRows, false),
  ];
  return {
    files,
    register: register(),
    texts: reg.texts,
    cases: { sizes, orgRet: retCases, persRet: retKinds, endedInInitial: endedInitially.size },
    counts: {
      units: units.length,
      persons: byPerson.size,
      engagements: engagements.length + deltaEngagements.length,
      managers: managers.length,
    },
  };
}
