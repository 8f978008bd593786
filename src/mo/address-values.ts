/**
 * MO's address value rules, one implementation used by both the emulator (which refuses like MO)
 * and the importer (which checks its values before it writes). Each rule follows the address
 * handler of its scope in OS2mo (`mora/service/address_handler/*.py`); they all run on GraphQL.
 */
import { domainToASCII } from 'node:url';

export type AddressScope = 'EMAIL' | 'PHONE' | 'EAN' | 'PNUMBER' | 'WWW' | 'DAR' | 'UUID' | 'TEXT' | 'MULTIFIELD_TEXT';

// Python's `re` `$` also matches before a final newline, and `\d` is any Unicode decimal digit
const digits = (n: string) => new RegExp(`^\\p{Nd}${n}\\n?$`, 'u');

/** `phone.py`: `^\+?\d+$`. */
const isPhone = (v: string) => /^\+?\p{Nd}+\n?$/u.test(v);
/** `ean.py`: `^\d{13}$`. */
const isEan = (v: string) => digits('{13}').test(v);
/** `pnumber.py`: `^\d{10}$`. */
const isPnumber = (v: string) => digits('{10}').test(v);
/** `uuidaddr.py`: hyphenated hex, no braces or URN prefix. */
const isUuidText = (v: string) => /^[a-fA-F0-9]{8}-[a-fA-F0-9]{4}-[a-fA-F0-9]{4}-[a-fA-F0-9]{4}-[a-fA-F0-9]{12}\n?$/.test(v);

/**
 * Python's `uuid.UUID(value)` (what `dar.py` parses before its DAR lookup): `urn:`/`uuid:` and
 * braces stripped, hyphens anywhere, 32 hex digits. Returns the canonical form, or null.
 */
export function pythonUuid(value: string): string | null {
  const hex = value.replace(/urn:/g, '').replace(/uuid:/g, '').replace(/^\{+|\}+$/g, '').replace(/-/g, '');
  if (!/^[0-9a-fA-F]{32}$/.test(hex)) return null;
  const h = hex.toLowerCase();
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

// --- EMAIL: pydantic v1 EmailStr → email-validator 2.2.0 validate_email(check_deliverability=False)

const ATEXT = "a-zA-Z0-9_!#\\$%&'\\*\\+\\-/=\\?\\^`\\{\\|\\}~";
const DOT_ATOM_TEXT_INTL = new RegExp(`^[${ATEXT}\\u0080-\\u{10FFFF}]+(?:\\.[${ATEXT}\\u0080-\\u{10FFFF}]+)*$`, 'u');
const HOSTNAME_CHARS = /^[a-zA-Z0-9\-.\u0080-\u{10FFFF}]*$/u;
const HOSTNAME_LABEL = '(?:(?:[a-zA-Z0-9][a-zA-Z0-9\\-]*)?[a-zA-Z0-9])';
const DOT_ATOM_TEXT_HOSTNAME = new RegExp(`^${HOSTNAME_LABEL}(?:\\.${HOSTNAME_LABEL})*$`);
/** email-validator's SPECIAL_USE_DOMAIN_NAMES (a domain or any subdomain of one). */
const SPECIAL_USE_DOMAINS = ['arpa', 'invalid', 'local', 'localhost', 'onion', 'test'];
/** pydantic v1 `pretty_email_regex`: `Name <addr>`. */
const PRETTY_EMAIL = /^([\p{L}\p{N}_ ]*?) *<(.*)> *$/su;

/** email-validator's `check_unsafe_chars`: letters, numbers, punctuation, symbols; no marks first, no spaces or controls. */
function hasUnsafeChars(s: string): boolean {
  // fast path: printable ASCII other than the space (0x21–0x7E) is all letters, digits, punctuation or symbols
  let ascii = true;
  for (let k = 0; k < s.length && ascii; k++) {
    const c = s.charCodeAt(k);
    ascii = c >= 0x21 && c <= 0x7e;
  }
  if (ascii) return false;
  let i = 0;
  for (const c of s) {
    if (/\p{M}/u.test(c) ? i === 0 : !/[\p{L}\p{N}\p{P}\p{S}]/u.test(c)) return true;
    i++;
  }
  return false;
}

const utf8Length = (s: string) => Buffer.byteLength(s, 'utf8');

function isEmailDomain(domain: string): boolean {
  if (!domain || !HOSTNAME_CHARS.test(domain) || hasUnsafeChars(domain)) return false;
  // IDNA UTS-46 mapping (lower case, Unicode to Punycode); '' when it cannot be mapped
  const ascii = /^[\x00-\x7f]*$/.test(domain) ? domain.toLowerCase() : domainToASCII(domain);
  if (!ascii) return false;
  if (ascii.startsWith('.') || ascii.endsWith('.') || ascii.includes('..')) return false;
  if (ascii.startsWith('-') || ascii.endsWith('-') || ascii.includes('.-') || ascii.includes('-.')) return false;
  if (ascii.split('.').some((label) => /^(?!xn)..--/i.test(label))) return false;
  if (!DOT_ATOM_TEXT_HOSTNAME.test(ascii) || ascii.length > 253) return false;
  if (ascii.split('.').some((label) => label.length > 63)) return false;
  // globally deliverable: a dot, a TLD ending with a letter, not a special-use name
  if (!ascii.includes('.') || !/[A-Za-z]$/.test(ascii)) return false;
  return !SPECIAL_USE_DOMAINS.some((d) => ascii === d || ascii.endsWith(`.${d}`));
}

/**
 * MO's EMAIL rule (`email.py`: `parse_obj_as(EmailStr, value)`): pydantic v1 accepts `Name <addr>`
 * and strips blanks, then email-validator 2.2.0 with its defaults — unquoted dot-atom local part
 * (no leading, trailing or double dot; at most 64 characters; international characters allowed),
 * a domain name with a dot, no `_`, a TLD ending with a letter, not a special-use domain such as
 * `.local` or `.test`; at most 254 bytes. Deliverability (DNS) is not checked.
 */
export function isMoEmail(input: string): boolean {
  if (input.length > 2048) return false;
  const pretty = PRETTY_EMAIL.exec(input);
  const email = (pretty ? pretty[2]! : input).trim();
  // a quoted local part, a display name or a domain literal are all refused by the defaults
  if (email.includes('"') || email.includes('<')) return false;
  const at = email.indexOf('@');
  if (at < 0) return false;
  const local = email.slice(0, at).normalize('NFC');
  const domain = email.slice(at + 1);
  if (!local || [...local].length > 64 || !DOT_ATOM_TEXT_INTL.test(local) || hasUnsafeChars(local)) return false;
  if (domain.startsWith('[')) return false;
  if (!isEmailDomain(domain)) return false;
  return utf8Length(`${local}@${domain}`) <= 254;
}

// --- WWW: pydantic v1 AnyHttpUrl

const ASCII_CHUNK = '[_0-9a-z](?:[-_0-9a-z]{0,61}[_0-9a-z])?';
const ASCII_DOMAIN = new RegExp(`^(?:${ASCII_CHUNK}\\.)*?${ASCII_CHUNK}(?:\\.[a-z]{2,63})?\\.?$`, 'i');
const INT_CHUNK = '[_0-9a-\\u{40000}](?:[-_0-9a-\\u{40000}]{0,61}[_0-9a-\\u{40000}])?';
const INT_DOMAIN = new RegExp(`^(?:${INT_CHUNK}\\.)*?${INT_CHUNK}(?:(?:\\.\\p{L}{2,63})|(?:\\.xn--[_0-9a-z-]{2,63}))?\\.?$`, 'iu');
/** pydantic v1 `url_regex()`: scheme, user info, host (ipv4 | ipv6 | domain), port, path, query, fragment. */
const URL_RE = new RegExp(
  '^(?:(?<scheme>[a-z][a-z0-9+\\-.]+):)?' +
    '(?://(?:(?<user>[^\\s:/]*)(?::(?<password>[^\\s/]*))?@)?)?' +
    '(?:(?<ipv4>(?:\\d{1,3}\\.){3}\\d{1,3})|(?<ipv6>\\[[A-F0-9]*:[A-F0-9:]+\\])|(?<domain>[^\\s/:?#]+))?' +
    '(?::(?<port>\\d+))?' +
    '(?<path>/[^\\s?#]*)?' +
    '(?:\\?(?<query>[^\\s#]*))?' +
    '(?:#(?<fragment>[^\\s#]*))?',
  'iu',
);

/**
 * MO's WWW rule (`www.py`: `parse_obj_as(AnyHttpUrl, value)`, pydantic v1): blanks stripped, the
 * scheme http or https, a host (domain, IPv4 or [IPv6]), a port up to 65535, nothing left over.
 * A TLD is not required (AnyHttpUrl, unlike HttpUrl).
 */
export function isMoWww(input: string): boolean {
  const url = input.trim();
  if (!url || url.length > 65536) return false;
  const m = URL_RE.exec(url);
  if (!m || m[0].length !== url.length) return false;
  const g = m.groups!;
  if (!g['scheme'] || !['http', 'https'].includes(g['scheme'].toLowerCase())) return false;
  if (g['port'] !== undefined && Number(g['port']) > 65535) return false;
  const domain = g['domain'];
  if (domain !== undefined) return ASCII_DOMAIN.test(domain) || INT_DOMAIN.test(domain);
  return Boolean(g['ipv4'] ?? g['ipv6']);
}

export interface AddressRule {
  /** MO's error key when the value is refused. */
  key: string;
  /** What MO wants, for messages. */
  wants: string;
  valid(value: string): boolean;
}

/**
 * The value rule of each address type scope; TEXT and MULTIFIELD_TEXT take anything. DAR here is
 * the form only (a UUID as Python parses it); MO also looks the id up in DAR.
 */
export const ADDRESS_RULES: Record<AddressScope, AddressRule | null> = {
  EMAIL: { key: 'V_INVALID_ADDRESS_EMAIL', wants: 'an e-mail address (email-validator 2.2.0)', valid: isMoEmail },
  PHONE: { key: 'V_INVALID_ADDRESS_PHONE', wants: 'digits, optionally after a +', valid: isPhone },
  EAN: { key: 'V_INVALID_ADDRESS_EAN', wants: '13 digits', valid: isEan },
  PNUMBER: { key: 'V_INVALID_ADDRESS_PNUMBER', wants: '10 digits', valid: isPnumber },
  WWW: { key: 'V_INVALID_ADDRESS_WWW', wants: 'an http:// or https:// address', valid: isMoWww },
  DAR: { key: 'V_INVALID_ADDRESS_DAR', wants: 'a DAR address id', valid: (v) => pythonUuid(v) !== null },
  UUID: { key: 'V_INVALID_ADDRESS_UUID', wants: 'a UUID', valid: isUuidText },
  TEXT: null,
  MULTIFIELD_TEXT: null,
};

export const isAddressScope = (scope: unknown): scope is AddressScope => typeof scope === 'string' && Object.hasOwn(ADDRESS_RULES, scope);

/** The rule an address value breaks under its type's scope, or null when MO takes it. */
export function addressValueProblem(scope: AddressScope, value: string): AddressRule | null {
  const rule = ADDRESS_RULES[scope];
  return rule && !rule.valid(value) ? rule : null;
}
