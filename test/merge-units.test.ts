/** merge (pure): history merge, Org_ret composition, addresses, windows, parent order, input errors. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mergeUnits, type MergeOptions } from '../src/merge/units.ts';
import { exclusiveEnd } from '../src/los/values.ts';
import { InputError, formatProblem } from '../src/errors.ts';
import { gen } from './helpers/pinned-uuids.ts';
import type { UnitFile, UnitRow } from '../schemas/parse-units.schema.ts';
import type { DesiredObject } from '../schemas/desired.schema.ts';

const U1 = '00000000-0000-0000-0000-000000000001';
const U2 = '00000000-0000-0000-0000-000000000002';
const U3 = '00000000-0000-0000-0000-000000000003';
const TYPE = '11111111-0000-0000-0000-000000000000';
const LINJE = '4cb165f1-3997-3e43-c964-6bdd8ce39844';
const LOS_TYPE = '00aab355-193d-9cd2-7b34-b484a36ea27b';
const EAN_TYPE = '764434ae-4d40-b2b9-6d0b-3e4829e0b88d';
const OPTS: MergeOptions = { addressTypes: [{ suffix: 'los', type: LOS_TYPE }, { suffix: 'ean', type: EAN_TYPE }], hierarchyClass: LINJE };

const INITIAL = 'Org_inital_20240101_000000.csv';
const RET = 'Org_ret_20240701_120000.csv';
const NYE = 'Org_nye_20240601_120000.csv';
const kindOf = (file: string) => (file.startsWith('Org_ret') ? 'Org_ret' : file.startsWith('Org_nye') ? 'Org_nye' : 'Org_inital') as UnitRow['kind'];
const dateOf = (file: string) => file.replace(/^.*_(\d{4})(\d{2})(\d{2})_\d{6}\.csv$/, '$1-$2-$3');

let nextLine = 2;
function row(over: Partial<UnitRow> & { file?: string }): UnitRow {
  const file = over.file ?? INITIAL;
  return {
    uuid: U1, user_key: 'U1', name: 'Unit one', parent: null, org_unit_type: TYPE, linjeorg: true,
    start: '2010-01-01', end: '9999-12-31', addresses: { los: '111', ean: '5798000000001' },
    kind: kindOf(file), file_date: dateOf(file), line: nextLine++,
    ...over, file,
  };
}
const files: UnitFile[] = [INITIAL, NYE, RET].map((name) => ({
  name, kind: kindOf(name), date: dateOf(name), rows: 0,
  columns: { uuid: { name: 'OrgUUID', index: 1 }, parent: { name: 'ParentUUID', index: 5 }, start: { name: 'StartDato', index: 15 }, end: { name: 'SlutDato', index: 16 } },
}));

const unit = (objs: DesiredObject[], uuid = U1) => objs.find((o) => o.kind === 'org_unit' && o.uuid === uuid)!;
const address = (objs: DesiredObject[], suffix: string, uuid = U1) => objs.find((o) => o.kind === 'address' && o.uuid === gen('AAK', uuid + suffix));
const spans = (o: DesiredObject | undefined) => o?.periods.map((p) => `${p.from}..${p.to ?? 'open'}`);

function inputError(fn: () => unknown): string[] {
  try {
    fn();
  } catch (e) {
    assert.instance(e, InputError);
    return (e as InputError).problems.map(formatProblem);
  }
  assert.unreachable('expected an InputError');
  return [];
}

test('MO to is SlutDato + 1 day, open end (9999-12-31 only) is null', () => {
  assert.is(exclusiveEnd('2022-06-30'), '2022-07-01');
  assert.is(exclusiveEnd('2024-12-31'), '2025-01-01');
  assert.is(exclusiveEnd('9999-12-31'), null);
  assert.is(exclusiveEnd('9999-06-30'), '9999-07-01');
  // the unit rows use that one rule (the Pers rows too: persons.test.ts)
  assert.equal(spans(unit(mergeUnits([row({ end: '9999-06-30' })], files, OPTS).objects)), ['2010-01-01..9999-07-01']);
});

test('identical rows whose periods touch merge into one period, even listed out of order', () => {
  const rows = [
    row({ start: '2012-08-01', end: '2016-07-31' }),
    row({ start: '2020-08-01', end: '9999-12-31' }),
    row({ start: '2016-08-01', end: '2020-07-31' }),
  ];
  const r = mergeUnits(rows, files, OPTS);
  const u = unit(r.objects);
  assert.equal(spans(u), ['2012-08-01..open']);
  assert.is(u.window.from, null);
  assert.equal(u.periods[0]!.source, { file: INITIAL, line: rows[0]!.line });
  assert.equal(u.periods[0]!.fields, { user_key: 'U1', name: 'Unit one', parent: null, org_unit_type: TYPE, org_unit_hierarchy: LINJE });
  assert.equal(spans(address(r.objects, 'los')), ['2012-08-01..open']);
});

test('identical rows with a gap stay two periods (the unit is not valid in the gap)', () => {
  const r = mergeUnits([row({ start: '2015-01-01', end: '2017-12-31' }), row({ start: '2019-01-01' })], files, OPTS);
  assert.equal(spans(unit(r.objects)), ['2015-01-01..2018-01-01', '2019-01-01..open']);
  assert.equal(spans(address(r.objects, 'los')), ['2015-01-01..2018-01-01', '2019-01-01..open']);
});

test('a differing later period is its own period from its start; unchanged addresses stay one period', () => {
  const r = mergeUnits([row({ end: '2020-12-31', name: 'Center for Misbrug' }), row({ start: '2021-01-01', name: 'Center for Rusmiddelbehandling', linjeorg: false })], files, OPTS);
  const u = unit(r.objects);
  assert.equal(spans(u), ['2010-01-01..2021-01-01', '2021-01-01..open']);
  assert.is(u.periods[1]!.fields.name, 'Center for Rusmiddelbehandling');
  assert.is(u.periods[0]!.fields.org_unit_hierarchy, LINJE);
  assert.is(u.periods[1]!.fields.org_unit_hierarchy, null);
  assert.equal(spans(address(r.objects, 'los')), ['2010-01-01..open']);
});

test('an address that changes only its value gives two address periods and one unit period', () => {
  const r = mergeUnits([row({ end: '2018-12-31', addresses: { los: '111', ean: null } }), row({ start: '2019-01-01', addresses: { los: '111', ean: '5798000000002' } })], files, OPTS);
  assert.equal(spans(unit(r.objects)), ['2010-01-01..open']);
  const ean = address(r.objects, 'ean')!;
  assert.equal(spans(ean), ['2019-01-01..open']);
  assert.equal(ean.periods[0]!.fields, { value: '5798000000002', address_type: EAN_TYPE, org_unit: U1 });
  assert.equal(ean.owner, { org_unit: U1 });
});

test('a finite SlutDato ends the unit and its addresses after that day', () => {
  const r = mergeUnits([row({ end: '2022-06-30' })], files, OPTS);
  assert.equal(spans(unit(r.objects)), ['2010-01-01..2022-07-01']);
  assert.equal(spans(address(r.objects, 'ean')), ['2010-01-01..2022-07-01']);
});

test('Org_ret after Org_inital in one run: the row counts from the file date, the window stays null', () => {
  const r = mergeUnits([row({}), row({ file: RET, name: 'Renamed' })], files, OPTS);
  const u = unit(r.objects);
  assert.equal(spans(u), ['2010-01-01..2024-07-01', '2024-07-01..open']);
  assert.is(u.periods[1]!.fields.name, 'Renamed');
  assert.equal(u.periods[1]!.source.file, RET);
  assert.is(u.window.from, null);
  assert.equal(spans(address(r.objects, 'los')), ['2010-01-01..open'], 'an unchanged address merges back into one period');
});

test('an unchanged Org_ret row gives the same timeline as without it', () => {
  const a = mergeUnits([row({ line: 2 })], files, OPTS);
  const b = mergeUnits([row({ line: 2 }), row({ file: RET, line: 7 })], files, OPTS);
  assert.equal(b.objects, a.objects);
});

test('Org_ret alone (a delta run): the window starts at the file date; the periods keep the row dates for a unit MO lacks', () => {
  const r = mergeUnits([row({ file: RET, name: 'Renamed', start: '2019-01-01' })], files, OPTS);
  const u = unit(r.objects);
  assert.is(u.window.from, '2024-07-01');
  assert.equal(spans(u), ['2019-01-01..open']);
  assert.is(address(r.objects, 'los')!.window.from, '2024-07-01');
});

test('an Org_ret row whose StartDato is after the file date counts from StartDato', () => {
  const r = mergeUnits([row({}), row({ file: RET, start: '2024-09-01', name: 'Later' })], files, OPTS);
  assert.equal(spans(unit(r.objects)), ['2010-01-01..2024-09-01', '2024-09-01..open']);
  const delta = mergeUnits([row({ file: RET, start: '2024-09-01', name: 'Later' })], files, OPTS);
  assert.is(unit(delta.objects).window.from, '2024-09-01');
});

test('an Org_ret row with a finite SlutDato ends the unit after that day', () => {
  const r = mergeUnits([row({}), row({ file: RET, end: '2024-07-31' })], files, OPTS);
  assert.equal(spans(unit(r.objects)), ['2010-01-01..2024-08-01']);
  assert.equal(spans(address(r.objects, 'los')), ['2010-01-01..2024-08-01']);
  // SlutDato before the file's date: the unit ends there (window from that day, no period after)
  const d = mergeUnits([row({}), row({ file: RET, end: '2024-05-31' })], files, OPTS);
  assert.equal(spans(unit(d.objects)), ['2010-01-01..2024-06-01']);
});

test('an address emptied in Org_ret ends at the file date; in a delta run it is emitted with the window and no periods', () => {
  const r = mergeUnits([row({}), row({ file: RET, addresses: { los: '111', ean: null } })], files, OPTS);
  assert.equal(spans(address(r.objects, 'ean')), ['2010-01-01..2024-07-01']);
  const delta = mergeUnits([row({ file: RET, addresses: { los: '111', ean: null } })], files, OPTS);
  const ean = address(delta.objects, 'ean')!;
  assert.ok(ean, 'the emptied address is emitted so the planner can end it');
  assert.equal(ean.periods, []);
  assert.equal(ean.window, { from: '2024-07-01' });
  // with a whole-timeline statement an address never given is not emitted
  const full = mergeUnits([row({ addresses: { los: '111', ean: null } })], files, OPTS);
  assert.is(address(full.objects, 'ean'), undefined);
});

test('a new address in an Org_ret row starts at the file date', () => {
  const r = mergeUnits([row({ addresses: { los: '111', ean: null } }), row({ file: RET, addresses: { los: '111', ean: '5798000000009' } })], files, OPTS);
  assert.equal(spans(address(r.objects, 'ean')), ['2024-07-01..open']);
});

test('two Org_ret files compose in order; Org_nye replaces an earlier whole timeline', () => {
  const RET2 = 'Org_ret_20240801_120000.csv';
  const r = mergeUnits([row({}), row({ file: RET, name: 'A' }), row({ file: RET2, name: 'B' })], [...files, { ...files[2]!, name: RET2, date: '2024-08-01' }], OPTS);
  assert.equal(unit(r.objects).periods.map((p) => `${p.from} ${p.fields.name}`), ['2010-01-01 Unit one', '2024-07-01 A', '2024-08-01 B']);
  const n = mergeUnits([row({}), row({ file: NYE, start: '2024-06-01', name: 'New' })], files, OPTS);
  assert.equal(spans(unit(n.objects)), ['2024-06-01..open']);
  assert.is(unit(n.objects).window.from, null);
});

test('a top-level unit has parent null; units come out parents first even when children are listed first', () => {
  const rows = [
    row({ uuid: U3, user_key: 'GRANDCHILD', parent: U2 }),
    row({ uuid: U2, user_key: 'CHILD', parent: U1 }),
    row({ uuid: U1, user_key: 'TOP', parent: null }),
  ];
  const r = mergeUnits(rows, files, OPTS);
  assert.equal(r.objects.filter((o) => o.kind === 'org_unit').map((o) => o.uuid), [U1, U2, U3]);
  assert.is(unit(r.objects, U1).periods[0]!.fields.parent, null);
  const firstAddress = r.objects.findIndex((o) => o.kind === 'address');
  assert.ok(r.objects.slice(firstAddress).every((o) => o.kind === 'address'), 'addresses after all units');
  assert.equal(r.external_parents, []);
  assert.equal(r.counts, { rows: 3, units: 3, addresses: 6, periods: 9, external_parents: 0 });
});

test('a parent outside the delivery is listed once in external_parents, with its first row and the ParentUUID column', () => {
  const EXT = '99999999-0000-0000-0000-000000000000';
  const a = row({ uuid: U1, parent: EXT });
  const r = mergeUnits([a, row({ uuid: U2, parent: EXT })], files, OPTS);
  assert.equal(r.external_parents, [{ uuid: EXT, file: INITIAL, line: a.line, column: 5 }]); // the ParentUUID column, for the message
});

test('derived address uuids are the earlier importer’s: gen("AAK", OrgUUID + suffix)', () => {
  const r = mergeUnits([row({})], files, OPTS);
  const los = r.objects.find((o) => o.kind === 'address' && o.periods[0]?.fields.address_type === LOS_TYPE)!;
  assert.is(los.uuid, 'c4461c82-9614-3731-18b4-18c1682ed9c9');
});

test('overlapping periods of one unit in one file kind: an input error naming both lines', () => {
  const a = row({ line: 14, start: '2010-01-01', end: '2016-06-30' });
  const b = row({ line: 15, start: '2016-01-01', end: '2018-12-31' });
  assert.equal(inputError(() => mergeUnits([a, b], files, OPTS)), [
    `${INITIAL}:15:15: StartDato: the period 2016-01-01..2018-12-31 overlaps line 14 (2010-01-01..2016-06-30) of the same unit U1 ${U1}`,
  ]);
  // Org_ret rows from different files overlap by nature: no error, the later file counts from its date
  const RET2 = 'Org_ret_20240801_120000.csv';
  const r = mergeUnits([row({ file: RET, name: 'Renamed' }), row({ file: RET2, name: 'Again' })], [...files, { ...files[2]!, name: RET2, date: '2024-08-01' }], OPTS);
  const u = unit(r.objects);
  assert.equal(u.periods.map((p) => [p.from, p.to, p.fields.name, p.source.file]), [
    ['2010-01-01', '2024-08-01', 'Renamed', RET],
    ['2024-08-01', null, 'Again', RET2],
  ]);
});

test('a parent cycle is an input error naming the lines', () => {
  const a = row({ uuid: U1, user_key: 'A', parent: U2, line: 3 });
  const b = row({ uuid: U2, user_key: 'B', parent: U3, line: 4 });
  const c = row({ uuid: U3, user_key: 'C', parent: U1, line: 5 });
  assert.equal(inputError(() => mergeUnits([a, b, c], files, OPTS)), [
    `${INITIAL}:3:5: ParentUUID: parent cycle: A ${U1} (line 3) → B ${U2} (line 4) → C ${U3} (line 5) → A: a unit cannot be its own ancestor`,
  ]);
});

test.run();
