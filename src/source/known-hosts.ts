/**
 * SFTP host keys to trust: fingerprints ("SHA256:…", several allowed) and the entries of an
 * OpenSSH known_hosts file for the host — plain names, `[host]:port` for other ports than 22,
 * hashed names (`|1|salt|hmac`, HashKnownHosts yes), `@revoked` keys (refused);
 * `@cert-authority` lines are skipped (certificates are not supported).
 *
 * The key types found decide which host key algorithms the client offers, so the server is asked
 * for a key that was pinned (an RSA pin is checked against the server's RSA key, not refused
 * because the server would otherwise send its ed25519 key).
 */
import { createHash, createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { SourceError, messageOf } from './errors.ts';

/** "SHA256:<base64 without padding>" of an SSH public key blob, as ssh-keygen -l prints it. */
export function sshFingerprint(keyBlob: Buffer): string {
  return `SHA256:${createHash('sha256').update(keyBlob).digest('base64').replace(/=+$/, '')}`;
}

/** Accepts "SHA256:abc…", "abc…" (with or without '=' padding). */
export function normalizeHostKeyFingerprint(fp: string): string {
  const b64 = fp.trim().replace(/^sha256:/i, '').replace(/=+$/, '');
  if (!/^[A-Za-z0-9+/]{43}$/.test(b64)) {
    throw new SourceError(`host_key_fingerprint "${fp.slice(0, 60)}" is not a SHA256 fingerprint ("SHA256:" + 43 base64 characters, as ssh-keygen -lf prints)`, {
      operation: 'configure',
      retryable: false,
    });
  }
  return `SHA256:${b64}`;
}

/** The key type named inside an SSH public key blob ("ssh-ed25519", "ssh-rsa", "ecdsa-sha2-nistp256", …). */
export function keyType(blob: Buffer): string {
  if (blob.length < 4) return 'unknown';
  const n = blob.readUInt32BE(0);
  return n > 0 && n < 64 && blob.length >= 4 + n ? blob.subarray(4, 4 + n).toString('latin1') : 'unknown';
}

/** ssh2's host key algorithm names for a key type. */
export function algorithmsFor(type: string): string[] {
  switch (type) {
    case 'ssh-rsa':
      return ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'];
    case 'ssh-ed25519':
    case 'ecdsa-sha2-nistp256':
    case 'ecdsa-sha2-nistp384':
    case 'ecdsa-sha2-nistp521':
      return [type];
    default:
      return [];
  }
}

/** The families a server may have, in the order clients usually prefer them. */
export const KEY_TYPES = ['ssh-ed25519', 'ecdsa-sha2-nistp256', 'ecdsa-sha2-nistp384', 'ecdsa-sha2-nistp521', 'ssh-rsa'];

export interface KnownHostKey {
  type: string;
  blob: Buffer;
  fingerprint: string;
  revoked: boolean;
}

function hostMatches(pattern: string, names: string[]): boolean {
  if (pattern.startsWith('|1|')) {
    const [, , salt, hash] = pattern.split('|');
    if (!salt || !hash) return false;
    const key = Buffer.from(salt, 'base64');
    return names.some((n) => createHmac('sha1', key).update(n).digest('base64') === hash);
  }
  let negated = false;
  let matched = false;
  for (let p of pattern.split(',')) {
    const neg = p.startsWith('!');
    if (neg) p = p.slice(1);
    const re = new RegExp('^' + p.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.') + '$', 'i');
    if (names.some((n) => re.test(n))) {
      if (neg) negated = true;
      else matched = true;
    }
  }
  return matched && !negated;
}

/** The keys of `file` for host:port (known_hosts names the host "host" for port 22, else "[host]:port"). */
export function readKnownHosts(file: string, host: string, port: number): KnownHostKey[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new SourceError(`known_hosts file ${file} cannot be read: ${messageOf(err)}`, { operation: 'configure', retryable: false });
  }
  const names = port === 22 ? [host] : [`[${host}]:${port}`];
  const keys: KnownHostKey[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const fields = line.split(/\s+/);
    let marker: string | undefined;
    if (fields[0]!.startsWith('@')) marker = fields.shift();
    if (marker === '@cert-authority') continue;
    const [hosts, type, b64] = fields;
    if (!hosts || !type || !b64 || !hostMatches(hosts, names)) continue;
    const blob = Buffer.from(b64, 'base64');
    if (keyType(blob) !== type) continue; // a damaged line
    keys.push({ type, blob, fingerprint: sshFingerprint(blob), revoked: marker === '@revoked' });
  }
  return keys;
}
