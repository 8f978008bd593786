/** MO emulator internals: period algebra, Copenhagen dates, CPR birth dates. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { cprBirthDay } from '../src/mo-emulator/cpr.ts';
import { formatDay, parseInputDay } from '../src/mo-emulator/dates.ts';
import { covers, cutWindow, writeWindow, type Period } from '../src/mo-emulator/periods.ts';

const p = (from: string, to: string, name: string): Period => ({ from, to, data: { name } });
const flat = (ps: Period[]) => ps.map((x) => [x.from, x.to, x.data['name']]);

test('writeWindow splits, patches inside the window, fills gaps from the nearest period and merges', () => {
  const history = [p('2020-01-01', '2022-01-01', 'a'), p('2023-01-01', 'infinity', 'b')];
  assert.equal(flat(writeWindow(history, '2021-01-01', '2021-06-01', { name: 'x' }, {})), [
    ['2020-01-01', '2021-01-01', 'a'],
    ['2021-01-01', '2021-06-01', 'x'],
    ['2021-06-01', '2022-01-01', 'a'],
    ['2023-01-01', 'infinity', 'b'],
  ]);
  // the gap 2022 is filled (update revives), same values merge into one period
  assert.equal(flat(writeWindow(history, '2021-01-01', 'infinity', { name: 'y' }, {})), [
    ['2020-01-01', '2021-01-01', 'a'],
    ['2021-01-01', 'infinity', 'y'],
  ]);
  // a window over nothing uses the fallback values
  assert.equal(writeWindow([], '2020-01-01', 'infinity', { name: 'z' }, { name: 'old', extra: 1 }), [
    { from: '2020-01-01', to: 'infinity', data: { name: 'z', extra: 1 } },
  ]);
});

test('cutWindow and covers', () => {
  const cut = cutWindow([p('-infinity', 'infinity', 'a')], '2020-01-01', '2021-01-01');
  assert.equal(flat(cut), [
    ['-infinity', '2020-01-01', 'a'],
    ['2021-01-01', 'infinity', 'a'],
  ]);
  assert.ok(covers(cut, '2019-01-01', '2020-01-01'));
  assert.not.ok(covers(cut, '2019-01-01', '2020-01-02'));
  assert.ok(covers([p('2020-01-01', '2021-01-01', 'a'), p('2021-01-01', 'infinity', 'b')], '2020-06-01', 'infinity'));
});

test('dates: midnight Europe/Copenhagen in, correct offsets out', () => {
  assert.is(parseInputDay('2024-01-01'), '2024-01-01');
  assert.is(parseInputDay('2024-01-01T00:00:00'), '2024-01-01');
  assert.is(parseInputDay('2024-01-01T00:00:00+01:00'), '2024-01-01');
  assert.is(parseInputDay('2023-12-31T23:00:00Z'), '2024-01-01');
  assert.throws(() => parseInputDay('2024-01-01T00:00:00Z'), /E_INVALID_INPUT/);
  assert.throws(() => parseInputDay('2024-02-30'), /E_INVALID_INPUT/);
  assert.is(formatDay('2024-01-01'), '2024-01-01T00:00:00+01:00');
  assert.is(formatDay('2024-07-01'), '2024-07-01T00:00:00+02:00');
  assert.is(formatDay('infinity'), null);
});

test('CPR birth dates follow the century digit rule', () => {
  assert.is(cprBirthDay('0101301234'), '1930-01-01');
  assert.is(cprBirthDay('0101304234'), '2030-01-01');
  assert.is(cprBirthDay('0101404234'), '1940-01-01');
  assert.is(cprBirthDay('0101575234'), '2057-01-01');
  assert.is(cprBirthDay('0101585234'), '1858-01-01');
  assert.is(cprBirthDay('2902011234'), null);
  assert.is(cprBirthDay('290200123'), null);
});

test.run();
