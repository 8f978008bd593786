/** src/periods.ts: the one period join, used by both merges and the MO emulator. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { joinTouching } from '../src/periods.ts';
import { normalise as emulatorNormalise } from '../src/mo-emulator/periods.ts';
import { normalise as personsNormalise } from '../src/merge/persons.ts';

type P = { from: string; to: string | null; v: string; src: number };
const same = (a: P, b: P) => a.v === b.v;

test('touching periods with the same value join, keeping the earlier one\'s properties; gaps, other values and open ends do not', () => {
  const input: P[] = [
    { from: '2020-01-01', to: '2021-01-01', v: 'a', src: 1 },
    { from: '2021-01-01', to: '2022-01-01', v: 'a', src: 2 },
    { from: '2022-01-01', to: '2023-01-01', v: 'b', src: 3 },
    { from: '2023-02-01', to: null, v: 'b', src: 4 },
    { from: '2024-01-01', to: null, v: 'b', src: 5 },
  ];
  const copy = JSON.stringify(input);
  assert.equal(joinTouching(input, same), [
    { from: '2020-01-01', to: '2022-01-01', v: 'a', src: 1 },
    { from: '2022-01-01', to: '2023-01-01', v: 'b', src: 3 },
    { from: '2023-02-01', to: null, v: 'b', src: 4 },
    { from: '2024-01-01', to: null, v: 'b', src: 5 },
  ]);
  assert.is(JSON.stringify(input), copy, 'the input is not changed');
});

test('the emulator and the persons merge join through it', () => {
  assert.equal(emulatorNormalise([
    { from: '2021-01-01', to: 'infinity', data: { x: 1, y: 2 } },
    { from: '-infinity', to: '2021-01-01', data: { y: 2, x: 1 } },
    { from: '2019-01-01', to: '2019-01-01', data: { x: 9 } },
  ]), [{ from: '-infinity', to: 'infinity', data: { y: 2, x: 1 } }]);
  const source = { file: 'f.csv', line: 2 };
  assert.equal(personsNormalise([
    { from: '2020-01-01', to: '2021-01-01', fields: { a: '1' }, source },
    { from: '2021-01-01', to: null, fields: { a: '1' }, source: { file: 'g.csv', line: 3 } },
  ]), [{ from: '2020-01-01', to: null, fields: { a: '1' }, source }]);
});

test.run();
