import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { isMoEmail } from '../src/mo/address-values.ts';

// email-validator's check_unsafe_chars: the printable-ASCII fast path must leave every other
// character to the Unicode check (a mark first, a no-break space, a control are refused)
test('isMoEmail: characters outside printable ASCII still get the unsafe-character check', () => {
  for (const bad of ['\u0301x@aarhus.dk', 'a\u00a0b@aarhus.dk', 'a\u2003b@aarhus.dk', 'a\u0085b@aarhus.dk', 'x@aar\u00a0hus.dk']) assert.is(isMoEmail(bad), false, JSON.stringify(bad));
  for (const good of ['x\u0301@aarhus.dk', 'søren@aarhus.dk', 'jens.hansen@aarhus.dk', "a!#$%&'*+-/=?^_`{|}~b@aarhus.dk", 'x@sø.dk']) assert.is(isMoEmail(good), true, good);
});

test('isMoEmail: an ASCII space or control in the address is refused', () => {
  for (const c of [' ', '\t', '\x01', '\x7f']) assert.is(isMoEmail(`a${c}b@aarhus.dk`), false, JSON.stringify(c));
});

test.run();
