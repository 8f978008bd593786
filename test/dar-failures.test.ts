import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { failureFileName, formatFailureFile, parseFailureFile } from '../src/dar/index.ts';

test('failure file name: failed_addr_<csv name>', () => {
  assert.is(failureFileName('Org_nye_20261120_101500.csv'), 'failed_addr_Org_nye_20261120_101500.csv');
  assert.is(failureFileName('/srv/los/in/Org_ret_20261121_000000.csv'), 'failed_addr_Org_ret_20261121_000000.csv');
});

test('failure file format: org_uuid#post_address#reason, no header, one line per address', () => {
  const rows = [
    { orgUuid: '11111111-2222-3333-4444-555555555555', postAddress: 'Rådhuspladsen 2, 8000 Aarhus C', reason: 'ambiguous (3 candidates)' },
    { orgUuid: '21111111-2222-3333-4444-555555555555', postAddress: 'Bygning #4,\r\nVestergade 1', reason: 'kode -1: Adressen # blev ikke fundet' },
    { orgUuid: '31111111-2222-3333-4444-555555555555', postAddress: 'Nedevej 1', reason: 'DAR unavailable: HTTP 503' },
  ];
  const text = formatFailureFile(rows);
  assert.is(
    text,
    '11111111-2222-3333-4444-555555555555#Rådhuspladsen 2, 8000 Aarhus C#ambiguous (3 candidates)\n' +
      '21111111-2222-3333-4444-555555555555#Bygning #4, Vestergade 1#kode -1: Adressen   blev ikke fundet\n' +
      '31111111-2222-3333-4444-555555555555#Nedevej 1#DAR unavailable: HTTP 503\n',
  );
  assert.is(text.split('\n').length, 4);
  const back = parseFailureFile(text);
  assert.equal(back[1], { orgUuid: rows[1]!.orgUuid, postAddress: 'Bygning #4, Vestergade 1', reason: 'kode -1: Adressen   blev ikke fundet' });
  assert.equal(back[0], rows[0]);
  assert.is(formatFailureFile([]), '');
  // the earlier importer's two-column lines still read
  assert.equal(parseFailureFile('aaa#Vej 1\n'), [{ orgUuid: 'aaa', postAddress: 'Vej 1', reason: '' }]);
});

test.run();
