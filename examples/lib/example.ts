/**
 * The example delivery: ~45 units of Aarhus Kommune with hand-picked history cases, ~50 persons,
 * 8 managers, and the deltas of June–August 2024. Names and numbers come from the seeded PRNG;
 * the structure (which unit shows which case) is fixed here so tests can rely on it.
 */
import { gen } from '../../src/uuid.ts';
import { type Day, OPEN, addYears, day, firstOfMonth, stampDay } from './dates.ts';
import { AARHUS_CVR, LEDER_HEADER, LEDER_LUK_HEADER, ORG_HEADER, PERS_HEADER, PERS_LUK_HEADER, STREETS } from './data.ts';
import { type AddressForm, type AddressParts, Register, betegnelse } from './dar.ts';
import {
  type Delivery, type DeliveryFile, type Engagement, type Manager, type Person, type UnitValues,
  PersonFactory, derived, lederLukRow, lederRow, linjeText, orgRow, persLukRow, persRow, personName, stamFiles,
} from './model.ts';
import { Rng } from './random.ts';

export const EXAMPLE_SEED = 751; // Aarhus Kommune's municipality code

export const EXAMPLE_STAMPS = {
  initial: '20240101_000000',
  nye: '20240601_120000',
  ret: '20240701_120000',
  luk: '20240801_120000',
} as const;

/** What kind of staff a unit has. */
type Profile = 'admin' | 'school' | 'daycare' | 'dental' | 'job' | 'social' | 'care' | 'health' | 'library' | 'tech' | 'none';

const JOBS: Record<Profile, readonly (readonly [string, number])[]> = {
  admin: [['Specialkonsulent', 3], ['Fuldmægtig', 2], ['Chefkonsulent', 1], ['IT-konsulent', 1], ['Kontorfuldmægtig', 2], ['Studentermedhjælper', 1]],
  school: [['Lærer', 6], ['Pædagog', 2], ['Kontorfuldmægtig', 1]],
  daycare: [['Pædagog', 4], ['Pædagogmedhjælper', 3]],
  dental: [['Tandlæge', 2], ['Tandklinikassistent', 3]],
  job: [['Jobkonsulent', 3], ['Socialrådgiver', 2], ['Kontorfuldmægtig', 1]],
  social: [['Socialrådgiver', 3], ['Sygeplejerske', 1], ['Pædagog', 1]],
  care: [['Social- og sundhedshjælper', 4], ['Social- og sundhedsassistent', 3], ['Sygeplejerske', 2], ['Ergoterapeut', 1], ['Fysioterapeut', 1]],
  health: [['Sundhedsplejerske', 2], ['Sygeplejerske', 2], ['Fysioterapeut', 1]],
  library: [['Bibliotekar', 3], ['Kontorfuldmægtig', 1]],
  tech: [['Gartner', 3], ['Ingeniør', 2]],
  none: [],
};

const a = (street: string, nr: string, postnr: string, floor?: string, door?: string): AddressParts => ({ street, nr, postnr, ...(floor ? { floor } : {}), ...(door ? { door } : {}) });

type Addr = { parts: AddressParts; form: AddressForm } | { parts: AddressParts; unmatched: 'misspelled' | 'not-in-register' | 'retired' } | null;
const m = (parts: AddressParts, form: AddressForm): Addr => ({ parts, form });

interface UnitSpec {
  key: string;
  name: string;
  type: string;
  /** parent key; null = top unit */
  parent: string | null;
  start: Day;
  addr: Addr;
  profile: Profile;
  linje: boolean;
}

const y = (year: number, month = 1, d = 1) => day(year, month, d);

// The organisation of 1 January 2024, listed parents first (the file order is changed below).
const UNITS: UnitSpec[] = [
  { key: 'AAK', name: 'Aarhus Kommune', type: 'Kommune', parent: null, start: y(2007), addr: m(a('Rådhuspladsen', '2', '8000'), 'canonical'), profile: 'none', linje: true },
  { key: 'BYR', name: 'Byrådet', type: 'Udvalg', parent: null, start: y(2007), addr: m(a('Rådhuspladsen', '2', '8000', '1', 'tv'), 'compact'), profile: 'none', linje: false },
  { key: 'MBA', name: 'Borgmesterens Afdeling', type: 'Magistratsafdeling', parent: 'AAK', start: y(2007), addr: m(a('Rådhuspladsen', '2', '8000', '2'), 'upper'), profile: 'admin', linje: true },
  { key: 'MBU', name: 'Børn og Unge', type: 'Magistratsafdeling', parent: 'AAK', start: y(2007), addr: m(a('Værkmestergade', '15', '8000'), 'noComma'), profile: 'admin', linje: true },
  { key: 'MSB', name: 'Sociale Forhold og Beskæftigelse', type: 'Magistratsafdeling', parent: 'AAK', start: y(2007), addr: m(a('Jægergårdsgade', '154', '8000'), 'lower'), profile: 'admin', linje: true },
  { key: 'MSO', name: 'Sundhed og Omsorg', type: 'Magistratsafdeling', parent: 'AAK', start: y(2007), addr: m(a('Rådhuspladsen', '2', '8000', '3', 'th'), 'floorNoComma'), profile: 'admin', linje: true },
  { key: 'MTM', name: 'Teknik og Miljø', type: 'Magistratsafdeling', parent: 'AAK', start: y(2007), addr: m(a('Karen Blixens Boulevard', '7', '8220'), 'canonical'), profile: 'admin', linje: true },
  { key: 'MKB', name: 'Kultur og Borgerservice', type: 'Magistratsafdeling', parent: 'AAK', start: y(2007), addr: m(a('Hack Kampmanns Plads', '10', '8000'), 'spaces'), profile: 'admin', linje: true },

  { key: 'MBA-OEP', name: 'Økonomi og Personale', type: 'Afdeling', parent: 'MBA', start: y(2008), addr: m(a('Rådhuspladsen', '2', '8000', '4', 'tv'), 'canonical'), profile: 'admin', linje: true },
  { key: 'MBA-DIG', name: 'Digitalisering', type: 'Afdeling', parent: 'MBA', start: y(2012, 3), addr: m(a('Frederiksgade', '78B', '8000'), 'canonical'), profile: 'admin', linje: true },
  { key: 'MBA-SEK', name: 'Sekretariat; Byrådsservice', type: 'Sekretariat', parent: 'MBA', start: y(2008), addr: m(a('Rådhuspladsen', '2', '8000', 'st', 'th'), 'floorNoComma'), profile: 'admin', linje: false },
  { key: 'MBU-DAG', name: 'Dagtilbud', type: 'Forvaltning', parent: 'MBU', start: y(2008), addr: m(a('Værkmestergade', '15', '8000', '2', 'mf'), 'compact'), profile: 'admin', linje: true },
  { key: 'MBU-SKO', name: 'Skoler', type: 'Forvaltning', parent: 'MBU', start: y(2008), addr: m(a('Værkmestergade', '15', '8000', '3'), 'canonical'), profile: 'admin', linje: true },
  { key: 'MBU-TAN', name: 'Tandplejen', type: 'Center', parent: 'MBU', start: y(2010), addr: m(a('Søndergade', '14', '8000', 'st', 'th'), 'floorNoComma'), profile: 'dental', linje: true },
  { key: 'MSB-JOB', name: 'Jobcenter Aarhus', type: 'Center', parent: 'MSB', start: y(2012), addr: m(a('Værkmestergade', '25', '8000'), 'canonical'), profile: 'job', linje: true },
  { key: 'MSB-MIS', name: 'Center for Misbrug', type: 'Center', parent: 'MSB', start: y(2014), addr: m(a('Frederiks Allé', '20', '8000'), 'lower'), profile: 'social', linje: true },
  { key: 'MSB-UNG', name: 'Ungeindsatsen', type: 'Afdeling', parent: 'MSB', start: y(2016), addr: m(a('Randersvej', '28', '8200'), 'canonical'), profile: 'social', linje: true },
  { key: 'MSO-NOR', name: 'Pleje og Omsorg Nord', type: 'Område', parent: 'MSO', start: y(2009), addr: m(a('Grenåvej', '150', '8240'), 'noComma'), profile: 'admin', linje: true },
  { key: 'MSO-SYD', name: 'Pleje og Omsorg Syd', type: 'Område', parent: 'MSO', start: y(2009), addr: m(a('Skanderborgvej', '180', '8260'), 'upper'), profile: 'admin', linje: true },
  { key: 'MSO-SUN', name: 'Sundhed og Forebyggelse', type: 'Center', parent: 'MSO', start: y(2011), addr: m(a('Park Allé', '7', '8000'), 'canonical'), profile: 'health', linje: true },
  { key: 'MTM-NAV', name: 'Natur og Vej', type: 'Afdeling', parent: 'MTM', start: y(2008), addr: m(a('Karen Blixens Boulevard', '7', '8220', '1', 'tv'), 'compact'), profile: 'tech', linje: true },
  { key: 'MTM-AFF', name: 'AffaldVarme Aarhus', type: 'Afdeling', parent: 'MTM', start: y(2008), addr: m(a('Edwin Rahrs Vej', '54', '8220'), 'canonical'), profile: 'tech', linje: true },
  { key: 'MKB-BIB', name: 'Borgerservice og Biblioteker', type: 'Afdeling', parent: 'MKB', start: y(2008), addr: m(a('Hack Kampmanns Plads', '2', '8000', '1'), 'canonical'), profile: 'library', linje: true },
  { key: 'MKB-KUL', name: 'Kultur', type: 'Afdeling', parent: 'MKB', start: y(2008), addr: null, profile: 'admin', linje: true },

  { key: 'DAG-SOL', name: 'Børnehuset "Solsikken"', type: 'Dagtilbud', parent: 'MBU-DAG', start: y(2009, 8), addr: m(a('Rosenhøj', '12', '8260'), 'canonical'), profile: 'daycare', linje: true },
  { key: 'DAG-MAE', name: 'Vuggestuen Mælkebøtten', type: 'Dagtilbud', parent: 'MBU-DAG', start: y(2011, 8), addr: m(a('Trøjborgvej', '60', '8200'), 'lower'), profile: 'daycare', linje: true },
  { key: 'DAG-VIB', name: 'Dagtilbud Viby', type: 'Dagtilbud', parent: 'MBU-DAG', start: y(2013), addr: m(a('Viby Torv', '2', '8260'), 'noComma'), profile: 'daycare', linje: true },
  { key: 'SKO-ROS', name: 'Rosenvangskolen', type: 'Skole', parent: 'MBU-SKO', start: y(2009, 8), addr: m(a('Kongsvang Allé', '25', '8260'), 'canonical'), profile: 'school', linje: true },
  { key: 'SKO-FRB', name: 'Frederiksbjerg Skole', type: 'Skole', parent: 'MBU-SKO', start: y(2012, 8), addr: m(a('Frederiks Allé', '105', '8000'), 'upper'), profile: 'school', linje: true },
  { key: 'SKO-ELL', name: 'Ellevangskolen', type: 'Skole', parent: 'MBU-SKO', start: y(2009, 8), addr: m(a('Ellevangsvej', '29', '8240'), 'canonical'), profile: 'school', linje: true },
  { key: 'SKO-TRA', name: 'Tranbjergskolen', type: 'Skole', parent: 'MBU-SKO', start: y(2009, 8), addr: m(a('Kirketorvet', '10', '8310'), 'spaces'), profile: 'school', linje: true },
  { key: 'SKO-ABY', name: 'Åby Skole', type: 'Skole', parent: 'MBU-SKO', start: y(2009, 8), addr: m(a('Åby Bygade', '40', '8230'), 'compact'), profile: 'school', linje: true },
  { key: 'TAN-VIB', name: 'Tandklinik Viby', type: 'Institution', parent: 'MBU-TAN', start: y(2012), addr: m(a('Viby Torv', '2', '8260', '1', 'th'), 'compact'), profile: 'dental', linje: true },
  { key: 'JOB-SYD', name: 'Jobcenter Aarhus Syd', type: 'Afdeling', parent: 'MSB-JOB', start: y(2015), addr: m(a('Skanderborgvej', '277', '8260'), 'canonical'), profile: 'job', linje: true },
  { key: 'MIS-BEH', name: 'Behandlingsteam Nord', type: 'Team', parent: 'MSB-MIS', start: y(2016), addr: null, profile: 'social', linje: true },
  { key: 'NOR-VEJ', name: 'Plejehjemmet Vejlby', type: 'Institution', parent: 'MSO-NOR', start: y(2010), addr: m(a('Vejlby Centervej', '46', '8240'), 'canonical'), profile: 'care', linje: true },
  { key: 'NOR-HJR', name: 'Hjemmeplejen Risskov', type: 'Institution', parent: 'MSO-NOR', start: y(2015), addr: m(a('Fortevej', '20', '8240'), 'lower'), profile: 'care', linje: true },
  { key: 'SYD-LOK', name: 'Lokalcenter Viby', type: 'Institution', parent: 'MSO-SYD', start: y(2010), addr: { parts: a('Skanderborgvej', '190', '8260'), unmatched: 'retired' }, profile: 'care', linje: true },
  { key: 'SYD-TRA', name: 'Plejehjemmet Tranbjerg', type: 'Institution', parent: 'MSO-SYD', start: y(2010), addr: m(a('Grønløkkevej', '7', '8310'), 'canonical'), profile: 'none', linje: true },
  { key: 'SYD-HJH', name: 'Hjemmeplejen Højbjerg', type: 'Institution', parent: 'MSO-SYD', start: y(2011), addr: m(a('Oddervej', '75', '8270'), 'noComma'), profile: 'care', linje: true },
  { key: 'SUN-SUN', name: 'Sundhedscenter Aarhus', type: 'Institution', parent: 'MSO-SUN', start: y(2012), addr: m(a('Sankt Pauls Gade', '25', '8000'), 'canonical'), profile: 'health', linje: true },
  { key: 'NAV-DRN', name: 'Driftsgården Nord', type: 'Institution', parent: 'MTM-NAV', start: y(2010), addr: { parts: a('Tretommervej', '10', '8200'), unmatched: 'misspelled' }, profile: 'tech', linje: true },
  { key: 'BIB-DOK', name: 'Dokk1', type: 'Institution', parent: 'MKB-BIB', start: y(2015, 6, 20), addr: m(a('Hack Kampmanns Plads', '2', '8000'), 'canonical'), profile: 'library', linje: true },
  { key: 'BIB-VIB', name: 'Viby Bibliotek', type: 'Institution', parent: 'MKB-BIB', start: y(2010), addr: m(a('Viby Torv', '8', '8260'), 'upper'), profile: 'library', linje: true },
  { key: 'BIB-ABY', name: 'Åby Bibliotek', type: 'Institution', parent: 'MKB-BIB', start: y(2010), addr: m(a('Åby Bygade', '42', '8230'), 'canonical'), profile: 'none', linje: true },
];

/** Units of Org_nye (1 June 2024). */
const NYE_UNITS: UnitSpec[] = [
  { key: 'SKO-LIS', name: 'Lisbjerg Skole', type: 'Skole', parent: 'MBU-SKO', start: y(2024, 8), addr: m(a('Tretommervej', '3', '8200'), 'canonical'), profile: 'school', linje: true },
  { key: 'DAG-LIS', name: 'Dagtilbud Lisbjerg', type: 'Dagtilbud', parent: 'MBU-DAG', start: y(2024, 6), addr: { parts: a('Lisbjerg Bygade', '999', '8200'), unmatched: 'not-in-register' }, profile: 'daycare', linje: true },
  { key: 'MTM-KLI', name: 'Center for Klima og Bæredygtighed', type: 'Center', parent: 'MTM', start: y(2024, 6), addr: m(a('Karen Blixens Boulevard', '7', '8220', '3', 'th'), 'floorNoComma'), profile: 'admin', linje: true },
];

/** The unit first seen in Org_ret (1 July 2024). */
const RET_NEW_UNIT: UnitSpec = { key: 'KLI-SEK', name: 'Klimasekretariatet', type: 'Sekretariat', parent: 'MTM-KLI', start: y(2024, 7), addr: m(a('Karen Blixens Boulevard', '7', '8220', '3', 'tv'), 'canonical'), profile: 'admin', linje: false };

interface Period {
  values: UnitValues;
  start: Day;
  end: Day;
  iso?: boolean;
}

export function exampleDelivery(seed = EXAMPLE_SEED): Delivery {
  const ns = seed === EXAMPLE_SEED ? 'los-example' : `los-example-${seed}`;
  const root = new Rng(seed);
  const reg = new Register(ns);
  const uuidOf = (key: string) => gen(ns, `unit/${key}`);
  const allSpecs = [...UNITS, ...NYE_UNITS, RET_NEW_UNIT];
  const spec = (key: string) => allSpecs.find((u) => u.key === key)!;

  // ---- unit values ----
  const numbers = root.fork('org-numbers');
  const linjeRng = root.fork('linje');
  const losIds = new Set<string>();
  const level = (s: UnitSpec): number => (s.parent ? 1 + level(spec(s.parent)) : 0);
  const postText = (s: UnitSpec, addr: Addr = s.addr): string => {
    if (!addr) return '';
    const from = s.start - 400;
    return 'form' in addr ? reg.matchable(addr.parts, addr.form, from) : reg.unmatched(addr.parts, addr.unmatched, from);
  };
  const values = (s: UnitSpec): UnitValues => {
    const lvl = level(s);
    let los: string;
    do los = String(numbers.int(100_000, 999_999));
    while (losIds.has(los));
    losIds.add(los);
    const uuid = uuidOf(s.key);
    return {
      uuid,
      key: s.key,
      name: s.name,
      type: s.type,
      parent: s.parent ? uuidOf(s.parent) : uuid,
      linje: linjeText(linjeRng, s.linje),
      los,
      cvr: lvl <= 2 || numbers.chance(0.7) ? AARHUS_CVR : '',
      ean: lvl >= 2 && numbers.chance(0.8) ? `5798005${numbers.digits(6, true)}` : '',
      pnr: lvl >= 3 && numbers.chance(0.85) ? `10${numbers.digits(8, true)}` : '',
      se: lvl <= 1 ? numbers.digits(8) : '',
      debitor: numbers.chance(0.4) ? numbers.digits(6) : '',
      mag: numbers.chance(0.5) ? numbers.digits(5) : '',
      post: postText(s),
    };
  };
  const current = new Map<string, UnitValues>();
  for (const s of allSpecs) current.set(s.key, values(s));
  const v = (key: string) => current.get(key)!;
  if (!v('NAV-DRN').ean) v('NAV-DRN').ean = `5798005${numbers.digits(6, true)}`; // the Org_ret case empties its EAN

  // ---- Org_inital: periods per unit, with the history cases ----
  const periods = new Map<string, Period[]>();
  for (const s of UNITS) periods.set(s.key, [{ values: v(s.key), start: s.start, end: OPEN }]);
  const history = (key: string, list: Period[]) => periods.set(key, list);

  // merge: three identical rows whose periods touch (first one in the ISO date format), listed out of order
  const frb = v('SKO-FRB');
  history('SKO-FRB', [
    { values: frb, start: y(2012, 8), end: y(2016, 7, 31), iso: true },
    { values: frb, start: y(2016, 8), end: y(2020, 7, 31) },
    { values: frb, start: y(2020, 8), end: OPEN },
  ]);
  // rename: a differing later period
  const mis = v('MSB-MIS');
  history('MSB-MIS', [
    { values: mis, start: y(2014), end: y(2020, 12, 31) },
    { values: { ...mis, name: 'Center for Rusmiddelbehandling' }, start: y(2021), end: OPEN },
  ]);
  current.set('MSB-MIS', { ...mis, name: 'Center for Rusmiddelbehandling' });
  // gap: identical rows whose periods do not touch (the unit did not exist in 2018)
  const hjr = v('NOR-HJR');
  history('NOR-HJR', [
    { values: hjr, start: y(2015), end: y(2017, 12, 31) },
    { values: hjr, start: y(2019), end: OPEN },
  ]);
  // ends: a finite SlutDato (closed library)
  history('BIB-ABY', [{ values: v('BIB-ABY'), start: y(2010), end: y(2022, 6, 30), iso: true }]);
  // a single row in the ISO date format with the open end 9999-12-31
  history('BIB-DOK', [{ values: v('BIB-DOK'), start: y(2015, 6, 20), end: OPEN, iso: true }]);
  // address change only: the unit stays, its postal address is updated
  const job = v('MSB-JOB');
  const jobMoved = { ...job, post: reg.matchable(a('Søren Frichs Vej', '36', '8230'), 'canonical', y(2018)) };
  history('MSB-JOB', [
    { values: job, start: y(2012), end: y(2019, 2, 28) },
    { values: jobMoved, start: y(2019, 3), end: OPEN },
  ]);
  current.set('MSB-JOB', jobMoved);
  // parent change: moved under the job centre
  const ung = v('MSB-UNG');
  const ungMoved = { ...ung, parent: uuidOf('MSB-JOB') };
  history('MSB-UNG', [
    { values: ung, start: y(2016), end: y(2019, 12, 31) },
    { values: ungMoved, start: y(2020), end: OPEN },
  ]);
  current.set('MSB-UNG', ungMoved);
  // Med-i-LinjeOrg changes from false to true
  const vib = v('DAG-VIB');
  const vibLinje = { ...vib, linje: '1' };
  history('DAG-VIB', [
    { values: { ...vib, linje: '0' }, start: y(2013), end: y(2017, 12, 31) },
    { values: vibLinje, start: y(2018), end: OPEN },
  ]);
  current.set('DAG-VIB', vibLinje);
  // merge then update: two identical touching rows, then a new P-Nr
  const tan = v('MBU-TAN');
  const tanNew = { ...tan, pnr: `10${numbers.digits(8, true)}` };
  history('MBU-TAN', [
    { values: tan, start: y(2010), end: y(2015, 12, 31) },
    { values: tan, start: y(2016), end: y(2018, 12, 31), iso: true },
    { values: tanNew, start: y(2019), end: OPEN },
  ]);
  current.set('MBU-TAN', tanNew);

  // file order: parents first except two parents listed after their children
  const late = ['MSO-SYD', 'MKB'];
  const order = [...UNITS.map((u) => u.key).filter((k) => !late.includes(k)), ...late];
  const initialRows: string[][] = [];
  for (const key of order) {
    let list = periods.get(key)!;
    if (key === 'SKO-FRB') list = [list[0]!, list[2]!, list[1]!]; // rows of one unit need not be sorted
    for (const p of list) initialRows.push(orgRow(p.values, p.start, p.end, p.iso));
  }

  // ---- Org_nye ----
  const nyeDay = stampDay(EXAMPLE_STAMPS.nye);
  const retDay = stampDay(EXAMPLE_STAMPS.ret);
  const nyeRows = NYE_UNITS.map((s) => orgRow(v(s.key), s.start, OPEN));

  // ---- Org_ret ----
  const lastStart = (key: string) => periods.get(key)!.at(-1)!.start;
  const tanRenamed = { ...v('MBU-TAN'), name: 'Tandplejen Aarhus' };
  const sunMoved = { ...v('SUN-SUN'), post: reg.matchable(a('Søndergade', '4', '8000', '2', 'tv'), 'compact', y(2023)) };
  const drnNoEan = { ...v('NAV-DRN'), ean: '' };
  const endDay = y(2024, 7, 31);
  const retRows = [
    orgRow(tanRenamed, lastStart('MBU-TAN'), OPEN),
    orgRow(sunMoved, lastStart('SUN-SUN'), OPEN),
    orgRow(drnNoEan, lastStart('NAV-DRN'), OPEN),
    orgRow(v('KLI-SEK'), RET_NEW_UNIT.start, OPEN),
    orgRow(v('SYD-TRA'), lastStart('SYD-TRA'), endDay),
    orgRow(v('SKO-ROS'), lastStart('SKO-ROS'), OPEN),
  ];

  // ---- validity of each unit (for engagements) ----
  const validity = new Map<string, [Day, Day]>(); // the period engagements may use: the unit's last, open period
  for (const [key, list] of periods) validity.set(key, [list.at(-1)!.start, list.at(-1)!.end]);
  for (const s of NYE_UNITS) validity.set(s.key, [s.start, OPEN]);
  validity.set('SYD-TRA', [lastStart('SYD-TRA'), endDay]);
  validity.set(RET_NEW_UNIT.key, [RET_NEW_UNIT.start, OPEN]);

  // ---- persons ----
  const prng = root.fork('persons');
  const people = new PersonFactory(prng, ns, nyeDay);
  const engagements: Engagement[] = [];
  const pickStart = (unitKey: string, person: Person, latest = y(2024, 5)): Day => {
    const [from, to] = validity.get(unitKey)!;
    const lower = Math.max(from, addYears(person.birth, 18) + 1, y(2000));
    const upper = Math.max(lower, Math.min(to, latest));
    const d = prng.int(lower, upper);
    const first = firstOfMonth(d) === d ? d : firstOfMonth(d, 1);
    return first <= upper ? first : lower;
  };
  const engage = (person: Person, unitKey: string, opts: Partial<Omit<Engagement, 'person' | 'unit' | 'uuid' | 'key'>> = {}): Engagement => {
    const profile = spec(unitKey).profile;
    const e = people.engagement(person, {
      unit: uuidOf(unitKey),
      start: opts.start ?? pickStart(unitKey, person),
      end: opts.end ?? OPEN,
      primary: opts.primary ?? true,
      type: opts.type ?? prng.weighted([['Månedslønnet', 10], ['Timelønnet', 1]] as const),
      job: opts.job ?? prng.weighted(JOBS[profile]),
    });
    engagements.push(e);
    return e;
  };

  // managers (Leder_nye): each with an engagement in the unit they lead
  const managerSpecs: [string, string, string, string, string][] = [
    ['MBU', 'Direktør', 'Niveau 1', 'Strategisk ansvar', 'Direktør'],
    ['MSO', 'Direktør', 'Niveau 1', 'Strategisk ansvar', 'Direktør'],
    ['MBU-SKO', 'Chef', 'Niveau 2', 'Budgetansvar', 'Chef'],
    ['MSB-JOB', 'Chef', 'Niveau 2', 'Budgetansvar', 'Chef'],
    ['SKO-ROS', 'Leder', 'Niveau 3', 'Personaleansvar', 'Skoleleder'],
    ['DAG-SOL', 'Leder', 'Niveau 4', 'Personaleansvar', 'Dagtilbudsleder'],
    ['NOR-VEJ', 'Leder', 'Niveau 4', 'Personaleansvar', 'Institutionsleder'],
    ['TAN-VIB', 'Souschef', 'Niveau 5', 'Faglig ledelse', 'Tandlæge'],
  ];
  const managers: Manager[] = managerSpecs.map(([unitKey, type, level, responsibility, job]) => {
    const person = people.person({ minAge: 38, maxAge: 64, email: true, azid: true });
    engage(person, unitKey, { job, type: 'Månedslønnet', start: pickStart(unitKey, person, y(2023, 8)) });
    return { unit: uuidOf(unitKey), person, type, level, responsibility };
  });

  // the persons of the Pers_ret / Pers_luk cases
  const scripted = (unitKey: string, job: string, opts: Parameters<PersonFactory['person']>[0] = {}, eopts: Partial<Engagement> = {}) => {
    const person = people.person({ email: true, azid: true, minAge: 21, ...opts });
    return engage(person, unitKey, { job, type: 'Månedslønnet', ...eopts });
  };
  const eJob = scripted('DAG-SOL', 'Pædagogmedhjælper');
  const eName = scripted('SKO-ELL', 'Lærer', { female: true, minAge: 25, maxAge: 45 });
  const eMail = scripted('MBU-SKO', 'Specialkonsulent');
  const eNoMail = scripted('JOB-SYD', 'Jobkonsulent');
  const eAz = scripted('NOR-HJR', 'Social- og sundhedsassistent', { azid: false });
  const eSame = scripted('BIB-DOK', 'Bibliotekar');
  const eEnd = scripted('SKO-TRA', 'Lærer', {}, { type: 'Vikar', start: y(2024, 2), end: y(2024, 9, 30) });
  const eLuk1 = scripted('SYD-HJH', 'Social- og sundhedshjælper');
  const eLuk2main = scripted('MSO-SUN', 'Sygeplejerske');
  const eLuk2second = engage(eLuk2main.person, 'SUN-SUN', { job: 'Sygeplejerske', type: 'Timelønnet', primary: false });
  const eLuk3 = scripted('MBA-DIG', 'Studentermedhjælper', { minAge: 19, maxAge: 28 }, { type: 'Timelønnet' });

  // everybody else
  const eligible = allSpecs.filter((s) => s.profile !== 'none' && s.key !== RET_NEW_UNIT.key);
  const weight = (s: UnitSpec) => (['school', 'daycare', 'care'].includes(s.profile) ? 3 : s.profile === 'admin' ? 1 : 2);
  const unitChoices = eligible.map((s) => [s.key, weight(s)] as const);
  const regulars: Person[] = [];
  while (people.count < 50) {
    const person = people.person();
    regulars.push(person);
    const unitKey = prng.weighted(unitChoices);
    if (prng.chance(0.08)) {
      // a temporary engagement that ends some months after the delivery
      const start = pickStart(unitKey, person);
      engage(person, unitKey, { type: 'Vikar', start, end: firstOfMonth(Math.max(start, nyeDay), prng.int(3, 7)) - 1 });
    } else engage(person, unitKey);
  }
  // a second (non-primary, hourly) engagement for nine of them
  for (const person of regulars.slice(0, 9)) {
    const first = engagements.find((e) => e.person === person)!;
    let unitKey: string;
    do unitKey = prng.weighted(unitChoices);
    while (uuidOf(unitKey) === first.unit);
    engage(person, unitKey, { primary: false, type: 'Timelønnet' });
  }
  // Pers_nye lists the engagements grouped by person, persons in a mixed order
  const byPerson = new Map<Person, Engagement[]>();
  for (const e of engagements) byPerson.set(e.person, [...(byPerson.get(e.person) ?? []), e]);
  const persOrder = prng.shuffle([...byPerson.keys()]);
  const persNyeRows = persOrder.flatMap((p) => byPerson.get(p)!.map(persRow));

  // ---- Pers_ret ----
  const nameChanged: Person = { ...eName.person, surname: `${eName.person.surname} Østergaard` };
  const mailChanged: Person = { ...eMail.person, email: people.email(eMail.person, 'mbu.aarhus.dk') };
  const mailRemoved: Person = { ...eNoMail.person, email: '' };
  const azAdded: Person = { ...eAz.person };
  people.giveAzid(azAdded);
  const newPerson = people.person({ email: true, azid: true, minAge: 30, maxAge: 55 });
  const eNew = people.engagement(newPerson, { unit: uuidOf(RET_NEW_UNIT.key), start: retDay, end: OPEN, primary: true, type: 'Månedslønnet', job: 'Chefkonsulent' });
  const retChanges = {
    jobFunction: { ...eJob, job: 'Pædagog' },
    name: { ...eName, person: nameChanged },
    emailChanged: { ...eMail, person: mailChanged },
    emailRemoved: { ...eNoMail, person: mailRemoved },
    azidAdded: { ...eAz, person: azAdded },
    firstSeen: eNew,
    endChanged: { ...eEnd, end: y(2024, 12, 31) },
    unchanged: eSame,
  };
  const persRetRows = Object.values(retChanges).map(persRow);

  // ---- Pers_luk ----
  const luk = [eLuk1, eLuk2second, eLuk3];
  const persLukRows = luk.map(persLukRow);

  // ---- managers ----
  const mgr = (unitKey: string) => managers.find((x) => x.unit === uuidOf(unitKey))!;
  const levelChanged = { ...mgr('DAG-SOL'), level: 'Niveau 3' };
  const lederRetRows = [lederRow(levelChanged), lederRow(mgr('SKO-ROS'))];
  const lederLukRows = [lederLukRow(mgr('TAN-VIB'))];

  // ---- register: distractors and filler around the used addresses ----
  addExampleRegister(reg, root.fork('register'));

  const file = (prefix: string, stamp: string, header: readonly string[], rows: string[][], bom = true): DeliveryFile => ({
    name: `${prefix}_${stamp}.csv`, header, rows, bom, stamp, phase: stamp === EXAMPLE_STAMPS.initial ? 'initial' : 'delta',
  });
  const S = EXAMPLE_STAMPS;
  const files: DeliveryFile[] = [
    ...stamFiles(S.initial),
    file('Org_inital', S.initial, ORG_HEADER, initialRows),
    file('Org_nye', S.nye, ORG_HEADER, nyeRows),
    file('Org_ret', S.ret, ORG_HEADER, retRows),
    file('Pers_nye', S.nye, PERS_HEADER, persNyeRows),
    file('Pers_ret', S.ret, PERS_HEADER, persRetRows),
    file('Pers_luk', S.luk, PERS_LUK_HEADER, persLukRows, false),
    file('Leder_nye', S.nye, LEDER_HEADER, managers.map(lederRow), false),
    file('Leder_ret', S.ret, LEDER_HEADER, lederRetRows, false),
    file('Leder_luk', S.luk, LEDER_LUK_HEADER, lederLukRows, false),
  ];

  const unit = (key: string) => ({ uuid: uuidOf(key), key, name: v(key).name });
  const eng = (e: Engagement) => ({ uuid: e.uuid, cpr: e.person.cpr, name: personName(e.person), employee: derived.employee(e.person.cpr) });
  const cases = {
    org: {
      merge: { ...unit('SKO-FRB'), note: 'three identical rows whose periods touch (one in the ISO date format, listed out of order) → one period from 01-08-2012' },
      rename: { ...unit('MSB-MIS'), note: 'Center for Misbrug until 31-12-2020, Center for Rusmiddelbehandling from 01-01-2021' },
      gap: { ...unit('NOR-HJR'), note: 'identical rows 2015–2017 and from 2019: not touching, so two periods' },
      endsInInitial: { ...unit('BIB-ABY'), note: 'single row with SlutDato 30-06-2022' },
      addressChange: { ...unit('MSB-JOB'), note: 'only PostAdresse differs from 01-03-2019', postaddr: derived.unitAddress(uuidOf('MSB-JOB'), 'postaddr') },
      parentChange: { ...unit('MSB-UNG'), note: 'parent MSB until 2019, MSB-JOB from 01-01-2020' },
      linjeChange: { ...unit('DAG-VIB'), note: 'Med-i-LinjeOrg 0 until 2017, 1 from 01-01-2018' },
      mergeThenUpdate: { ...unit('MBU-TAN'), note: 'two identical touching rows then a new P-Nr from 01-01-2019', pnr: derived.unitAddress(uuidOf('MBU-TAN'), 'pnr') },
      topUnits: [unit('AAK'), unit('BYR')],
      parentsAfterChildren: late.map(unit),
      quotedNames: [unit('MBA-SEK'), unit('DAG-SOL')],
      nye: NYE_UNITS.map((s) => ({ ...unit(s.key), start: s.start })),
      ret: {
        rename: { ...unit('MBU-TAN'), newName: tanRenamed.name },
        addressChanged: { ...unit('SUN-SUN'), newPostAdresse: sunMoved.post, postaddr: derived.unitAddress(uuidOf('SUN-SUN'), 'postaddr') },
        addressEmptied: { ...unit('NAV-DRN'), column: 'EAN', ean: derived.unitAddress(uuidOf('NAV-DRN'), 'ean') },
        firstSeen: unit(RET_NEW_UNIT.key),
        ended: { ...unit('SYD-TRA'), lastDay: '31-07-2024' },
        unchanged: unit('SKO-ROS'),
      },
    },
    persons: {
      twoEngagements: [...byPerson].filter(([, list]) => list.length === 2).map(([p]) => p.cpr),
      ret: Object.fromEntries(Object.entries(retChanges).map(([k, e]) => [k, eng(e)])),
      luk: luk.map(eng),
    },
    managers: {
      nye: managers.map((x) => ({ org: x.unit, cpr: x.person.cpr, uuid: derived.manager(x.unit, x.person.cpr) })),
      ret: { levelChanged: { org: levelChanged.unit, cpr: levelChanged.person.cpr, from: 'Niveau 4', to: 'Niveau 3' }, unchanged: { org: mgr('SKO-ROS').unit, cpr: mgr('SKO-ROS').person.cpr } },
      luk: { org: mgr('TAN-VIB').unit, cpr: mgr('TAN-VIB').person.cpr },
    },
  };
  return {
    files,
    register: reg.sorted(),
    texts: reg.texts,
    cases,
    counts: { units: allSpecs.length, persons: byPerson.size + 1, engagements: engagements.length + 1, managers: managers.length },
  };
}

/** Neighbours, other flats, the same street in another postcode, retired versions, and filler. */
function addExampleRegister(reg: Register, rng: Rng): void {
  const since = day(2009, 1, 1);
  const used = [...reg.records.values()].filter((r) => r.status === 3);
  const partsOf = (text: string): AddressParts => {
    const mm = /^(.*) (\d+[A-Z]?)(?:, (st|kl|\d+)\.(?: (\w+))?)?, (\d{4}) /.exec(text);
    if (!mm) throw new Error(`cannot split ${text}`);
    return a(mm[1]!, mm[2]!, mm[5]!, mm[3], mm[4]);
  };
  const protectedTexts = new Set([...reg.texts.values()].filter((t) => t.reason).map((t) => t.canonical));
  const add = (p: AddressParts, status: 2 | 3 | 4, from = since + rng.int(0, 4000)) => {
    if (protectedTexts.has(betegnelse(p))) return; // keep the unmatched cases unmatched
    reg.add(p, status, from, from + rng.int(400, 4000));
  };
  for (const rec of used) {
    const p = partsOf(rec.adressebetegnelse);
    const n = parseInt(p.nr, 10);
    for (const d of [-2, 1, 2]) if (n + d > 0) add({ ...p, nr: String(n + d), floor: undefined, door: undefined }, 3);
    if (p.floor) {
      for (const door of ['th', 'tv']) if (door !== p.door) add({ ...p, door }, 3);
      add({ ...p, door: 'mf' }, 2); // a flat that was merged away
    }
    if (rng.chance(0.35)) {
      const other = rng.pick(Object.keys(STREETS).filter((pc) => pc !== p.postnr));
      add({ ...p, postnr: other }, 3); // same street name and number, other postcode
    }
    if (rng.chance(0.15)) add({ ...p, nr: String(n + 4), floor: undefined, door: undefined }, 4);
  }
  // an address retired and re-created with the same text: the current one must win
  add(a('Rådhuspladsen', '2', '8000'), 4, day(2001, 1, 1));
  for (const [postnr, streets] of Object.entries(STREETS)) {
    for (const street of streets) {
      const upto = rng.int(3, 8);
      for (let nr = 1; nr <= upto; nr++) add(a(street, String(nr), postnr), 3);
    }
  }
}
