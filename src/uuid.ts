/**
 * Deterministic uuids exactly as the earlier Python importer made them (los-format.md):
 * gen0(s) is the uuid whose 32 hex digits are md5(s); gen(base, value) is the uuid whose hex
 * digits are md5(str(gen0(base)) + value). No version bits are set.
 */
import crypto from 'node:crypto';

/** crypto.hash (Node ≥ 20.12) is a one-shot digest, several times cheaper than a Hash object per value. */
const oneShot = (crypto as { hash?: (algorithm: string, data: string, encoding: 'hex') => string }).hash;
const md5hex = oneShot ? (text: string) => oneShot('md5', text, 'hex') : (text: string) => crypto.createHash('md5').update(text, 'utf8').digest('hex');

export const hexToUuid = (hex: string) =>
  `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;

const baseCache = new Map<string, string>();

/** The uuid of a base name such as `aarhus-los` or `AAK`. */
export function gen0(base: string): string {
  let uuid = baseCache.get(base);
  if (!uuid) baseCache.set(base, (uuid = hexToUuid(md5hex(base))));
  return uuid;
}

/** gen(base, value): a stable uuid for `value` under `base`. */
export function gen(base: string, value: string): string {
  return hexToUuid(md5hex(gen0(base) + value));
}

/** Seed objects use base `aarhus-los`. */
export const seedUuid = (name: string) => gen('aarhus-los', name);
/** Objects derived from LOS rows use base `AAK`. */
export const derivedUuid = (value: string) => gen('AAK', value);

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const isUuid = (text: string) => UUID_RE.test(text);
