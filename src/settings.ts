/**
 * Settings: `--set key=value` > environment > settings file (OS2mo DIPEX settings.json with dotted
 * keys) > workflow `settings:` defaults > built-in defaults. Every value remembers where it came from.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { ConfigError } from './errors.ts';
import { addSecret } from './log.ts';

export interface SettingDef {
  name: string;
  env?: string;
  /** Dotted keys in settings.json, first found wins. */
  file?: string[];
  default?: string;
  secret?: boolean;
  description: string;
}

export const SETTINGS: SettingDef[] = [
  { name: 'source', env: 'LOS_SOURCE', file: ['integrations.aarhus_los.import_csv_folder', 'integrations.aarhus_los.ftp_url'], default: 'examples/los', description: 'Where the LOS files are: a folder, ftp://, ftps:// or sftp:// URL' },
  { name: 'ftp_folder', env: 'LOS_FTP_FOLDER', file: ['integrations.aarhus_los.ftp_folder'], description: 'Remote folder on the FTP/SFTP server, when not in the URL' },
  { name: 'ftp_user', env: 'LOS_FTP_USER', file: ['integrations.aarhus_los.ftp_user'], description: 'FTP/SFTP user name' },
  { name: 'ftp_pass', env: 'LOS_FTP_PASS', file: ['integrations.aarhus_los.ftp_pass'], secret: true, description: 'FTP/SFTP password' },
  { name: 'ftp_private_key', env: 'LOS_FTP_PRIVATE_KEY', file: ['integrations.aarhus_los.ftp_private_key'], description: 'SFTP private key file' },
  { name: 'ftp_passphrase', env: 'LOS_FTP_PASSPHRASE', file: ['integrations.aarhus_los.ftp_passphrase'], secret: true, description: 'Passphrase of the SFTP private key' },
  { name: 'host_key_fingerprint', env: 'LOS_HOST_KEY_FINGERPRINT', file: ['integrations.aarhus_los.host_key_fingerprint'], description: 'SFTP server host key, SHA256:… as ssh-keygen -lf prints it (required for sftp://)' },
  { name: 'tls_fingerprint', env: 'LOS_TLS_FINGERPRINT', file: ['integrations.aarhus_los.tls_fingerprint'], description: 'FTPS: pin the server certificate by SHA-256 fingerprint' },
  { name: 'ca_file', env: 'LOS_CA_FILE', file: ['integrations.aarhus_los.ca_file'], description: 'FTPS: trust this CA certificate file (PEM)' },
  { name: 'known_hosts', env: 'LOS_KNOWN_HOSTS', file: ['integrations.aarhus_los.known_hosts'], description: 'SFTP: trust the host keys of this OpenSSH known_hosts file' },
  { name: 'server_timezone', env: 'LOS_SERVER_TIMEZONE', file: ['integrations.aarhus_los.server_timezone'], description: 'FTP: time zone of the server\'s MDTM times (e.g. Europe/Copenhagen for vsftpd use_localtime=YES); default UTC' },
  { name: 'source_timeout_ms', env: 'LOS_SOURCE_TIMEOUT_MS', file: ['integrations.aarhus_los.source_timeout_ms'], default: '30000', description: 'FTP/SFTP: a server silent this long (no answer, no data) ends the attempt; 3 attempts, then the run fails (docs/sources.md)' },
  { name: 'state_file', env: 'LOS_STATE_FILE', file: ['integrations.aarhus_los.state_file'], default: '.los2mo/state', description: 'State file; its folder holds all run state (journal, lock, caches, reports)' },
  { name: 'ignore_files', env: 'LOS_IGNORE_FILES', file: ['integrations.aarhus_los.ignore_files'], description: 'Files expected on the source that are no LOS files: comma-separated names or globs (* and ?), e.g. "README.txt,*.bak"; any other such file is a warning of every run' },
  { name: 'encoding', env: 'LOS_ENCODING', file: ['integrations.aarhus_los.encoding'], default: 'utf-8', description: 'Encoding of a CSV file without a BOM that is not valid UTF-8 (decided per file): utf-8 (then an input error) or windows-1252' },
  { name: 'mo_url', env: 'MO_URL', file: ['mora_base'], default: '', description: 'MO base URL; empty = the embedded MO emulator' },
  { name: 'client_id', env: 'CLIENT_ID', file: ['client_id'], default: 'dipex', description: 'Keycloak client id' },
  { name: 'client_secret', env: 'CLIENT_SECRET', file: ['client_secret'], secret: true, description: 'Keycloak client secret' },
  { name: 'auth_server', env: 'AUTH_SERVER', file: ['auth_server'], description: 'Keycloak base URL (…/auth); default: MO_URL + /auth' },
  { name: 'auth_realm', env: 'AUTH_REALM', file: ['auth_realm'], default: 'mo', description: 'Keycloak realm' },
  { name: 'mo_graphql_version', env: 'MO_GRAPHQL_VERSION', file: ['integrations.aarhus_los.graphql_version'], default: '29', description: 'MO GraphQL version (29 or 30)' },
  { name: 'batch_size', env: 'MO_BATCH_SIZE', file: ['integrations.aarhus_los.batch_size'], default: '100', description: 'Mutations per GraphQL request' },
  { name: 'concurrency', env: 'MO_CONCURRENCY', file: ['integrations.aarhus_los.concurrency'], default: '4', description: 'GraphQL requests in flight' },
  { name: 'timeout_ms', env: 'MO_TIMEOUT_MS', file: ['integrations.aarhus_los.timeout_ms'], default: '60000', description: 'MO request timeout in milliseconds' },
  { name: 'mo_retries', env: 'MO_RETRIES', file: ['integrations.aarhus_los.mo_retries'], default: '5', description: 'Retries of an MO request after network errors, timeouts, HTTP 5xx/429/408' },
  { name: 'mo_retry_delay_ms', env: 'MO_RETRY_DELAY_MS', file: ['integrations.aarhus_los.mo_retry_delay_ms'], default: '500', description: 'First backoff delay of the MO retries in milliseconds (doubles per attempt, at most 30 s)' },
  { name: 'azid_it_system_uuid', env: 'AZID_IT_SYSTEM_UUID', file: ['integrations.aarhus_los.azid_it_system_uuid'], description: 'IT system for AZ ids (default: the seeded AZ system)' },
  { name: 'dar_provider', env: 'DAR_PROVIDER', file: ['integrations.aarhus_los.dar_provider'], default: 'file', description: 'DAR washing: dawa, adressevask or file' },
  { name: 'dar_url', env: 'DAR_URL', file: ['integrations.aarhus_los.dar_url'], description: 'Base URL of a DAWA-compatible service (dawa provider)' },
  { name: 'dar_token', env: 'DAR_TOKEN', file: ['integrations.aarhus_los.dar_token'], secret: true, description: 'Token for Klimadatastyrelsen adressevask' },
  { name: 'dar_file', env: 'DAR_FILE', file: ['integrations.aarhus_los.dar_file'], default: 'examples/dar/adresser.json', description: 'Register file for the file provider (Datafordeleren Adresse JSON, zip, or CSV id;betegnelse)' },
  { name: 'dar_cache_ttl_days', env: 'DAR_CACHE_TTL_DAYS', file: ['integrations.aarhus_los.dar_cache_ttl_days'], default: '30', description: 'Days a DAR answer is reused from the cache' },
  { name: 'mass_change_limit', env: 'LOS_MASS_CHANGE_LIMIT', file: ['integrations.aarhus_los.mass_change_limit'], default: '500', description: 'Stop before writing when a run would end more existing objects of one kind than this (--allow-mass-changes confirms one run)' },
  { name: 'log_format', env: 'LOS_LOG_FORMAT', default: 'text', description: 'text or json (one object per line on stderr)' },
  { name: 'metrics_file', env: 'LOS_METRICS_FILE', file: ['integrations.aarhus_los.metrics_file'], description: 'Prometheus textfile written after every run (default: <state folder>/los2mo.prom; "off" = none)' },
  { name: 'pushgateway_url', env: 'LOS_PUSHGATEWAY_URL', file: ['integrations.aarhus_los.pushgateway_url'], description: 'Also PUT the metrics to this Prometheus Pushgateway (job los2mo); best effort' },
];

/**
 * Settings of the previous los2mo that are gone but still accepted, so a settings.json or
 * environment written for it keeps working: each is a one-line warning, never exit 2.
 */
export const RETIRED_SETTINGS: { name: string; env: string; file: string; why: string }[] = [
  { name: 'mo_force', env: 'MO_FORCE', file: 'integrations.aarhus_los.force', why: 'MO ignores ?force=1 on GraphQL; every check always runs' },
];

const byName = new Map(SETTINGS.map((s) => [s.name, s]));
const byFileKey = new Map(SETTINGS.flatMap((s) => (s.file ?? []).map((k) => [k, s] as const)));

export type Origin = 'command line' | 'environment' | 'settings file' | 'workflow' | 'default';

export interface Setting {
  value: string;
  origin: Origin;
  /** e.g. the env variable or settings.json key */
  from?: string;
}

export class Settings {
  constructor(readonly values: Map<string, Setting>, readonly settingsFile?: string, readonly warnings: readonly string[] = []) {}

  has(name: string) {
    const v = this.values.get(name)?.value;
    return v !== undefined && v !== '';
  }
  get(name: string): string | undefined {
    const v = this.values.get(name)?.value;
    return v === '' ? undefined : v;
  }
  require(name: string): string {
    const v = this.get(name);
    if (v === undefined) throw new ConfigError(`setting ${name} is required${byName.get(name)?.env ? ` (env ${byName.get(name)!.env})` : ''}`);
    return v;
  }
  int(name: string): number {
    const v = this.require(name);
    if (!/^\d+$/.test(v)) throw new ConfigError(`setting ${name} must be a whole number, got "${v}"`);
    return Number(v);
  }
  bool(name: string): boolean {
    const v = (this.get(name) ?? 'false').toLowerCase();
    if (['1', 'true', 'yes', 'on'].includes(v)) return true;
    if (['0', 'false', 'no', 'off', ''].includes(v)) return false;
    throw new ConfigError(`setting ${name} must be true or false, got "${v}"`);
  }
  /** Every setting an expression may name: the known settings and those a workflow declares. */
  names(): string[] {
    return [...new Set([...SETTINGS.map((s) => s.name), ...this.values.keys()])];
  }
  /** Plain object for expressions (`${{ settings.name }}`). */
  toObject(): Record<string, string> {
    return Object.fromEntries([...this.values].map(([k, v]) => [k, v.value]));
  }
  /** Folder of the state file: all run state lives here. */
  get stateDir() {
    return path.dirname(path.resolve(this.require('state_file')));
  }
  /** For `./run config`: name, value (secrets redacted), origin. */
  describe() {
    return [...this.values].map(([name, s]) => ({
      name,
      value: byName.get(name)?.secret && s.value ? '***' : s.value,
      origin: s.from ? `${s.origin} (${s.from})` : s.origin,
    }));
  }
}

function flatten(obj: unknown, prefix = '', out = new Map<string, unknown>()) {
  if (obj && typeof obj === 'object' && !Array.isArray(obj)) {
    for (const [k, v] of Object.entries(obj)) {
      const key = prefix ? `${prefix}.${k}` : k;
      out.set(key, v);
      flatten(v, key, out);
    }
  }
  return out;
}

export function findSettingsFile(explicit?: string, env = process.env): string | undefined {
  if (explicit) return explicit;
  if (env.LOS_SETTINGS_FILE) return env.LOS_SETTINGS_FILE;
  for (const candidate of ['settings/settings.json', 'settings.json']) if (existsSync(candidate)) return candidate;
  return undefined;
}

export interface ResolveOptions {
  overrides?: string[]; // k=v
  env?: NodeJS.ProcessEnv;
  settingsFile?: string;
  workflowDefaults?: Record<string, string>;
}

/** Environment names with the LOS_ prefix los2mo reads besides the settings' own. */
const OTHER_LOS_ENV = ['LOS_SETTINGS_FILE'];
const FILE_PREFIX = 'integrations.aarhus_los.';

/**
 * A misspelt name is an error (exit 2), never a setting that silently means nothing: `--set` keys,
 * `LOS_*` environment names and settings.json's `integrations.aarhus_los.*` keys must be known.
 */
function checkNames(env: NodeJS.ProcessEnv, flat: Map<string, unknown> | null, overrides: string[], workflowNames: string[], file?: string) {
  const problems: string[] = [];
  const knownEnv = new Set([...SETTINGS.flatMap((s) => (s.env?.startsWith('LOS_') ? [s.env] : [])), ...OTHER_LOS_ENV]);
  const unknownEnv = Object.keys(env).filter((k) => k.startsWith('LOS_') && env[k] !== undefined && !knownEnv.has(k)).sort();
  if (unknownEnv.length) problems.push(`unknown environment variable${unknownEnv.length > 1 ? 's' : ''} ${unknownEnv.join(', ')} (known LOS_ names: ${[...knownEnv].sort().join(', ')})`);
  if (flat) {
    const knownKeys = new Set([...byFileKey.keys()].filter((k) => k.startsWith(FILE_PREFIX)));
    const retiredKeys = new Set(RETIRED_SETTINGS.map((r) => r.file));
    const unknownKeys = [...flat].filter(([k, v]) => k.startsWith(FILE_PREFIX) && (v === null || typeof v !== 'object') && !knownKeys.has(k) && !retiredKeys.has(k)).map(([k]) => k);
    if (unknownKeys.length) problems.push(`settings file ${file}: unknown key${unknownKeys.length > 1 ? 's' : ''} ${unknownKeys.join(', ')} (known ${FILE_PREFIX}* keys: ${[...knownKeys].map((k) => k.slice(FILE_PREFIX.length)).sort().join(', ')})`);
  }
  const retired = (k: string) => RETIRED_SETTINGS.some((r) => r.name === k || r.file === k);
  const unknownSet = overrides.map((pair) => pair.slice(0, Math.max(0, pair.indexOf('=')))).filter((k) => k && !byName.has(k) && !byFileKey.has(k) && !workflowNames.includes(k) && !retired(k));
  if (unknownSet.length) problems.push(`--set: unknown setting${unknownSet.length > 1 ? 's' : ''} ${unknownSet.join(', ')} (known: ${[...byName.keys(), ...workflowNames.filter((n) => !byName.has(n))].sort().join(', ')})`);
  if (problems.length) throw new ConfigError(problems.join('\n'));
}

export function resolveSettings(options: ResolveOptions = {}): Settings {
  const env = options.env ?? process.env;
  const values = new Map<string, Setting>();
  const set = (name: string, value: string, origin: Origin, from?: string) => values.set(name, { value, origin, from });

  for (const def of SETTINGS) if (def.default !== undefined) set(def.name, def.default, 'default');
  for (const [k, v] of Object.entries(options.workflowDefaults ?? {})) set(k, v, 'workflow');

  const file = findSettingsFile(options.settingsFile, env);
  let flat: Map<string, unknown> | null = null;
  if (file) {
    let json: unknown;
    try {
      json = JSON.parse(readFileSync(file, 'utf8'));
    } catch (e) {
      throw new ConfigError(`settings file ${file}: ${(e as Error).message}`);
    }
    flat = flatten(json);
    for (const def of SETTINGS) {
      const key = def.file?.find((k) => typeof flat!.get(k) === 'string' || typeof flat!.get(k) === 'number' || typeof flat!.get(k) === 'boolean');
      if (key) set(def.name, String(flat!.get(key)), 'settings file', key);
    }
    // ftp_url + ftp_folder together form the source, as in the earlier importer, whose ftp_url was
    // a bare host name (ftplib.FTP(ftp_url)): that is ftp://host (docs/sources.md, migration)
    const ftpUrl = flat.get('integrations.aarhus_los.ftp_url');
    if (values.get('source')?.from === 'integrations.aarhus_los.ftp_url' && typeof ftpUrl === 'string') {
      const bareHost = ftpUrl.trim() !== '' && !/^[a-z][a-z0-9+.-]*:\/\//i.test(ftpUrl.trim());
      set('source', bareHost ? `ftp://${ftpUrl.trim()}` : ftpUrl, 'settings file', 'integrations.aarhus_los.ftp_url');
    }
  }
  checkNames(env, flat, options.overrides ?? [], Object.keys(options.workflowDefaults ?? {}), file);
  const warnings: string[] = [];
  for (const r of RETIRED_SETTINGS) {
    const where = [
      flat?.has(r.file) ? `settings file ${file}: ${r.file}` : '',
      env[r.env] !== undefined ? `environment variable ${r.env}` : '',
      (options.overrides ?? []).some((p) => [r.name, r.file].includes(p.slice(0, Math.max(0, p.indexOf('='))))) ? `--set ${r.name}` : '',
    ].filter(Boolean);
    if (where.length) warnings.push(`${where.join(', ')}: the setting ${r.name} is retired and does nothing (${r.why})`);
  }
  for (const def of SETTINGS) if (def.env && env[def.env] !== undefined) set(def.name, env[def.env]!, 'environment', def.env);

  for (const pair of options.overrides ?? []) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new ConfigError(`--set expects key=value, got "${pair}"`);
    const key = pair.slice(0, eq);
    if (RETIRED_SETTINGS.some((r) => r.name === key || r.file === key)) continue;
    const def = byName.get(key) ?? byFileKey.get(key);
    set(def?.name ?? key, pair.slice(eq + 1), 'command line', '--set');
  }
  for (const def of SETTINGS) if (def.secret) addSecret(values.get(def.name)?.value);
  return new Settings(values, file, warnings);
}
