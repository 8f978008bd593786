/**
 * Remote sources, part 1: name validation, URL parsing, redaction, and the local folder source.
 * (FTP/FTPS: source-ftp.test.ts; SFTP: source-sftp.test.ts.)
 */
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { createHmac } from 'node:crypto';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { redact } from '../src/log.ts';
import { isSafeRemoteName, openSource, redactUrl, safeLocalPath, SourceError, type RemoteFile } from '../src/source/source.ts';
import { displayUrl, isNewerThan, parseSourceUrl } from '../src/source/source.ts';
import { clockCheck, fromZoneWallClock } from '../src/source/clock.ts';
import { readKnownHosts } from '../src/source/known-hosts.ts';
import { resolveSettings } from '../src/settings.ts';
import { sourceRetryPolicy } from '../src/source/base.ts';
import { retryDelay } from '../src/http/retry.ts';

/** uvu 0.5 has no async `rejects`: awaits `p` and checks the rejection. */
async function rejects(p: Promise<unknown>, check: RegExp | ((e: unknown) => boolean), msg?: string): Promise<unknown> {
  try {
    await p;
  } catch (err) {
    const ok = check instanceof RegExp ? check.test(String((err as Error)?.message ?? err)) : check(err);
    assert.ok(ok, `${msg ?? 'unexpected error'}: ${String(err)}`);
    return err;
  }
  assert.unreachable(msg ?? 'expected a rejection');
}

const tmp = (prefix: string) => mkdtempSync(path.join(tmpdir(), `los2mo-${prefix}-`));

// ---------------------------------------------------------------------------------------------
const names = suite('source: names');

names('accepts every LOS name form, and .CSV', () => {
  for (const n of [
    'STAM_UUID_Enhedstype.csv',
    'STAM_UUID_BVN_Stillingsbetegnelse.csv',
    'STAM_UUID_ITSystem.CSV',
    'Org_inital_20240101_010203.csv',
    'Org_nye_20240102_000000.csv',
    'Org_ret_20240102_000000.csv',
    'Pers_nye_20240103_235959.CSV',
    'Pers_ret_20240103_000000.csv',
    'Pers_luk_20240103_000000.csv',
    'Leder_nye_20240104_000000.csv',
    'Leder_ret_20240104_000000.csv',
    'Leder_luk_20240104_000000.csv',
  ]) {
    assert.ok(isSafeRemoteName(n), n);
  }
});

names('refuses other names, paths, traversal and control characters', () => {
  for (const n of [
    '',
    '.',
    '..',
    '../evil.csv',
    '..\\evil.csv',
    'in/Org_nye_20240102_000000.csv',
    '/etc/Org_nye_20240102_000000.csv',
    'Org_nye_20240102_000000.csv/..',
    'Org_nye_20240102_000000..csv',
    'Org_nye_20240102_000000.csv\n',
    'Org_nye_20240102_000000.csv\u0000',
    'Org_nye_2024010_000000.csv',
    'Org_nye_20240102_000000.csv.exe',
    'org_nye_20240102_000000.csv',
    'Org_Nye_20240102_000000.csv',
    'Org_initial_20240101_010203.csv',
    'STAM_UUID_.csv',
    'STAM_UUID_a/b.csv',
    'STAM_UUID_x y.csv',
    'failed_addr_Org_ret_20240101_000000.csv',
    'readme.txt',
  ]) {
    assert.not.ok(isSafeRemoteName(n), JSON.stringify(n));
  }
});

names('safeLocalPath stays inside the folder or throws', () => {
  const dir = tmp('names');
  assert.is(safeLocalPath(dir, 'Org_nye_20240102_000000.csv'), path.join(dir, 'Org_nye_20240102_000000.csv'));
  for (const bad of ['../evil.csv', '../../etc/passwd', '/tmp/Org_nye_20240102_000000.csv', 'a/../../Org_nye_20240102_000000.csv']) {
    assert.throws(() => safeLocalPath(dir, bad), (e: unknown) => e instanceof SourceError && !e.retryable && /refused/.test(e.message));
  }
  rmSync(dir, { recursive: true });
});

names.run();

// ---------------------------------------------------------------------------------------------
const urls = suite('source: settings');

urls('parses each source form', () => {
  assert.equal(parseSourceUrl({ url: '/data/los' }).kind, 'folder');
  assert.is(parseSourceUrl({ url: '/data/los', folder: '/elsewhere' }).folder, '/data/los', 'the remote folder does not apply to a local source');
  assert.is(parseSourceUrl({ url: 'file:///data/los' }).folder, '/data/los');
  const f = parseSourceUrl({ url: 'ftp://los@ftp.example.dk', folder: 'in' });
  assert.equal([f.kind, f.host, f.port, f.user, f.folder], ['ftp', 'ftp.example.dk', 21, 'los', 'in']);
  const s = parseSourceUrl({ url: 'ftps://los@ftp.example.dk:990/base', folder: 'in' });
  assert.equal([s.kind, s.port, s.folder, s.implicit], ['ftps', 990, 'base/in', false], 'FTP paths are relative to the login folder (RFC 1738)');
  const abs = parseSourceUrl({ url: 'ftp://los@ftp.example.dk/%2Fdata/in' });
  assert.is(abs.folder, '/data/in', '%2F makes it absolute');
  const imp = parseSourceUrl({ url: 'ftps-implicit://los@ftp.example.dk/in' });
  assert.equal([imp.kind, imp.implicit, imp.port, imp.folder], ['ftps', true, 990, 'in']);
  const home = parseSourceUrl({ url: 'sftp://los@sftp.example.dk/~/in' });
  assert.is(home.folder, 'in', 'SFTP: /~/ is the login folder');
  const a = parseSourceUrl({ url: 'sftp://los@sftp.example.dk/in', folder: '/abs' });
  assert.equal([a.kind, a.port, a.folder], ['sftp', 22, '/abs']);
  const e = parseSourceUrl({ url: 'sftp://l%C3%B8s:p%40ss@h/%C3%A6' });
  assert.equal([e.user, e.urlPassword, e.folder], ['løs', 'p@ss', '/æ']);
});

urls('the printed source parses back to the same source', () => {
  for (const [url, folder] of [
    ['ftp://los@ftp.example.dk', 'in'],
    ['ftp://los@ftp.example.dk', '/in'],
    ['ftp://los@ftp.example.dk/%2Fdata', 'ud/nye filer'],
    ['ftps://los@[::1]:2121/a', undefined],
    ['ftps-implicit://los@ftp.example.dk/%2F', undefined],
    ['sftp://los@sftp.example.dk/in', undefined],
    ['sftp://los@sftp.example.dk', 'in'],
    ['sftp://los@sftp.example.dk/~/æ', undefined],
  ] as const) {
    const t = parseSourceUrl({ url, folder });
    const shown = displayUrl(t, t.user);
    const back = parseSourceUrl({ url: shown });
    assert.equal({ ...back, urlPassword: undefined }, { ...t, urlPassword: undefined }, `${url} + ${folder} → ${shown}`);
  }
  assert.is(displayUrl(parseSourceUrl({ url: 'ftp://los@h', folder: 'in' }), 'los'), 'ftp://los@h:21/in', 'ftp_folder=in prints as a relative path');
  assert.is(displayUrl(parseSourceUrl({ url: 'ftp://los@h', folder: '/in' }), 'los'), 'ftp://los@h:21/%2Fin');
});

urls('mtimes are compared at the source precision, erring on taking the file', () => {
  const state = new Date('2024-03-05T12:00:00.300Z');
  const listed = new Date('2024-03-05T12:00:00.000Z'); // written 12:00:00.800, MDTM has whole seconds
  assert.ok(isNewerThan(listed, state, 1000), 'taken from a server with whole seconds');
  assert.not.ok(isNewerThan(new Date('2024-03-05T11:59:59.000Z'), state, 1000), 'an older second is not taken');
  assert.not.ok(isNewerThan(listed, state, 1), 'a folder has milliseconds: compared exactly');
  assert.ok(isNewerThan(new Date('2024-03-05T12:00:00.301Z'), state, 1));
});

urls('a migrated settings.json: ftp_url is a bare host name, with ftp_folder, ftp_user, ftp_pass', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'los2mo-settings-'));
  const file = path.join(dir, 'settings.json');
  writeFileSync(file, JSON.stringify({ integrations: { aarhus_los: { ftp_url: 'ftp.aarhus.dk', ftp_folder: 'in', ftp_user: 'los', ftp_pass: 'Hemmel1g-xyz', state_file: path.join(dir, 'state') } } }));
  const s = resolveSettings({ settingsFile: file, env: {} });
  assert.is(s.get('source'), 'ftp://ftp.aarhus.dk');
  const t = parseSourceUrl({ url: s.get('source')!, folder: s.get('ftp_folder') });
  assert.equal([t.kind, t.host, t.port, t.folder], ['ftp', 'ftp.aarhus.dk', 21, 'in']);
  assert.is(displayUrl(t, s.get('ftp_user')), 'ftp://los@ftp.aarhus.dk:21/in');
  writeFileSync(file, JSON.stringify({ integrations: { aarhus_los: { ftp_url: 'sftp://los@h/in' } } }));
  assert.is(resolveSettings({ settingsFile: file, env: {} }).get('source'), 'sftp://los@h/in', 'a URL stays as it is');
  rmSync(dir, { recursive: true });
});

urls('refuses unsupported or empty sources without printing a password', () => {
  assert.throws(() => parseSourceUrl({ url: '' }), /no source given/);
  try {
    parseSourceUrl({ url: 'http://u:hunter22@h/x' });
    assert.unreachable();
  } catch (err) {
    assert.instance(err, SourceError);
    assert.match((err as Error).message, /unsupported source scheme "http:"/);
    assert.not.match((err as Error).message, /hunter22/);
  }
});

urls('redaction', () => {
  assert.is(redactUrl('ftp://u:hunter22@h:2121/in'), 'ftp://u:***@h:2121/in');
  assert.is(redactUrl('/data/los'), '/data/los');
  assert.is(redact('PASS hunter22 and p%40ss=hunter22', ['hunter22', undefined]), 'PASS *** and p%40ss=***');
  assert.is(redact('x p%40ss y', ['p@ss']), 'x *** y');
});

urls('MDTM in a server time zone, and the clock check of an uploaded file', () => {
  // vsftpd use_localtime=YES in Copenhagen: 13:20:30 local in March (UTC+1) is 12:20:30Z; in July (UTC+2) 11:20:30Z
  assert.is(fromZoneWallClock('Europe/Copenhagen', new Date('2024-03-05T13:20:30Z')).toISOString(), '2024-03-05T12:20:30.000Z');
  assert.is(fromZoneWallClock('Europe/Copenhagen', new Date('2024-07-05T13:20:30Z')).toISOString(), '2024-07-05T11:20:30.000Z');
  assert.is(fromZoneWallClock('UTC', new Date('2024-07-05T13:20:30Z')).toISOString(), '2024-07-05T13:20:30.000Z');
  const before = new Date('2024-07-05T10:00:00.400Z');
  const after = new Date('2024-07-05T10:00:01.100Z');
  assert.is(clockCheck(new Date('2024-07-05T10:00:00Z'), before, after, undefined).warning, undefined, 'UTC server, no setting: agree');
  const local = clockCheck(new Date('2024-07-05T12:00:01Z'), before, after, undefined);
  assert.is(local.offsetMinutes, 120);
  assert.match(local.warning!, /UTC\+2:00 .* no server_timezone .* use_localtime=YES\): set server_timezone/);
  assert.is(clockCheck(new Date('2024-07-05T12:00:01Z'), before, after, 'Europe/Copenhagen').warning, undefined, 'the setting explains it');
  assert.match(clockCheck(new Date('2024-07-05T10:00:01Z'), before, after, 'Europe/Copenhagen').warning!, /UTC\+0:00 .* server_timezone=Europe\/Copenhagen/, 'setting and server disagree');
  assert.match(clockCheck(new Date('2024-07-05T10:07:00Z'), before, after, undefined).warning!, /clock is off/);
});

urls('known_hosts: plain, [host]:port, hashed and revoked entries for the host', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'los2mo-kh-'));
  const blob = (type: string, fill: number) => {
    const t = Buffer.from(type);
    const len = Buffer.alloc(4);
    len.writeUInt32BE(t.length);
    return Buffer.concat([len, t, Buffer.alloc(32, fill)]).toString('base64');
  };
  const hashed = (name: string) => {
    const salt = Buffer.alloc(20, 7);
    return `|1|${salt.toString('base64')}|${createHmac('sha1', salt).update(name).digest('base64')}`;
  };
  const file = path.join(dir, 'known_hosts');
  writeFileSync(
    file,
    [
      '# comment',
      `sftp.example.dk ssh-ed25519 ${blob('ssh-ed25519', 1)}`,
      `other.example.dk ssh-ed25519 ${blob('ssh-ed25519', 2)}`,
      `${hashed('sftp.example.dk')} ssh-rsa ${blob('ssh-rsa', 3)} hashed`,
      `[sftp.example.dk]:2222 ssh-ed25519 ${blob('ssh-ed25519', 4)}`,
      `@revoked sftp.example.dk ecdsa-sha2-nistp256 ${blob('ecdsa-sha2-nistp256', 5)}`,
      `@cert-authority *.example.dk ssh-ed25519 ${blob('ssh-ed25519', 6)}`,
      `sftp.example.dk ssh-ed25519 ${blob('ssh-rsa', 8)}`,
    ].join('\n'),
  );
  const keys = readKnownHosts(file, 'sftp.example.dk', 22);
  assert.equal(keys.map((k) => [k.type, k.revoked]), [['ssh-ed25519', false], ['ssh-rsa', false], ['ecdsa-sha2-nistp256', true]]);
  assert.equal(readKnownHosts(file, 'sftp.example.dk', 2222).map((k) => k.type), ['ssh-ed25519']);
  assert.throws(() => readKnownHosts(path.join(dir, 'missing'), 'h', 22), /known_hosts file .* cannot be read/);
  rmSync(dir, { recursive: true });
});

urls.run();

// ---------------------------------------------------------------------------------------------
const folder = suite('source: local folder');

const FILES: Record<string, string> = {
  'STAM_UUID_Enhedstype.csv': 'EnhedstypeUUID;Enhedstype\n11111111-1111-1111-1111-111111111111;Afdeling\n',
  'Org_inital_20240101_010203.csv': '\uFEFFOrgUUID;BrugervendtNøgle\n' + 'x;Ærø; afd.\n'.repeat(500),
  'Org_nye_20240102_000000.csv': 'OrgUUID;BrugervendtNøgle\n',
  'Pers_nye_20240103_000000.CSV': 'UUID;CPR\n',
  'Leder_luk_20240104_000000.csv': '',
};
const NOISE = ['readme.txt', 'Org_nye_2024.csv', 'failed_addr_Org_ret_20240101_000000.csv'];

function writeDelivery(dir: string): Map<string, Date> {
  const mtimes = new Map<string, Date>();
  let i = 0;
  for (const [name, body] of Object.entries(FILES)) {
    writeFileSync(path.join(dir, name), body);
    const t = new Date(Date.UTC(2024, 2, 5 + i++, 10, 20, 30, 123 * i)); // ms precision on purpose
    utimesSync(path.join(dir, name), t, t);
    mtimes.set(name, t);
  }
  for (const n of NOISE) writeFileSync(path.join(dir, n), 'x');
  mkdirSync(path.join(dir, 'Org_ret_20240106_000000.csv')); // a folder with a LOS name is not a file
  return mtimes;
}

folder('lists only LOS files with exact mtimes, downloads each with its content', async () => {
  const dir = tmp('folder-src');
  const mtimes = writeDelivery(dir);
  const src = await openSource({ url: dir });
  assert.is(src.kind, 'folder');
  assert.is(src.display, dir);
  const list = await src.list();
  assert.equal(list.map((f) => f.name), Object.keys(FILES).sort());
  for (const f of list) {
    assert.is(f.mtime.getTime(), mtimes.get(f.name)!.getTime(), f.name);
    assert.is(f.size, Buffer.byteLength(FILES[f.name]!));
  }
  const dest = tmp('folder-dest');
  for (const f of list) {
    const seen: number[] = [];
    const p = await src.download(f, dest, (n) => seen.push(n));
    assert.is(p, path.join(dest, f.name));
    assert.is(readFileSync(p, 'utf8'), FILES[f.name]);
    if (f.size > 0) assert.is(seen.at(-1), f.size);
    assert.ok(seen.every((n, k) => k === 0 || n >= seen[k - 1]!), 'progress only grows');
  }
  assert.equal(readdirSync(dest).sort(), Object.keys(FILES).sort(), 'no temporary files left');
  await src.close();
  rmSync(dir, { recursive: true });
  rmSync(dest, { recursive: true });
});

folder('file:// URL works the same', async () => {
  const dir = tmp('folder-url');
  writeDelivery(dir);
  const src = await openSource({ url: pathToFileURL(dir).href });
  assert.is((await src.list()).length, Object.keys(FILES).length);
  await src.close();
  rmSync(dir, { recursive: true });
});

folder('a hostile name passed to download() is refused and nothing is written outside destDir', async () => {
  const base = tmp('folder-hostile');
  const dir = path.join(base, 'src');
  const dest = path.join(base, 'work', 'run1');
  mkdirSync(dir);
  mkdirSync(dest, { recursive: true });
  writeFileSync(path.join(base, 'evil.csv'), 'evil');
  writeFileSync(path.join(dir, 'Org_nye_20240102_000000.csv'), 'x');
  const src = await openSource({ url: dir });
  for (const name of ['../evil.csv', '../../evil.csv', '/etc/passwd', 'Org_nye_20240102_000000.csv/../../x.csv']) {
    const file: RemoteFile = { name, size: 4, mtime: new Date() };
    await rejects(src.download(file, dest), (e: unknown) => e instanceof SourceError && e.exitCode === 1 && /refused/.test(e.message));
  }
  assert.equal(readdirSync(dest), []);
  assert.equal(readdirSync(path.join(base, 'work')), ['run1']);
  assert.equal(readdirSync(base).sort(), ['evil.csv', 'src', 'work']);
  await src.close();
  rmSync(base, { recursive: true });
});

folder('retries go through src/http/retry.ts: attempts, one onRetry and one count per retry, jittered backoff', async () => {
  const policy = sourceRetryPolicy({});
  assert.equal(policy, { retries: 2, delayMs: 1000, maxDelayMs: 30_000, maxRetryAfterMs: 0, jitter: true });
  assert.is(sourceRetryPolicy({ retries: 0 }).retries, 0, 'at least one attempt');
  assert.is(retryDelay(policy, 1, undefined, () => 0), 500);
  assert.is(retryDelay(policy, 2, undefined, () => 0.999), 2998);
  const dir = tmp('folder-retry-count');
  writeFileSync(path.join(dir, 'Org_nye_20240102_000000.csv'), 'abcdef');
  const seen: string[] = [];
  const src = await openSource({ url: dir, retries: 4, retryDelayMs: 1, onRetry: (m) => seen.push(m) });
  const [f] = await src.list();
  const dest = tmp('folder-retry-count-dest');
  const err = await rejects(src.download({ ...f!, size: 100 }, dest), /failed after 4 attempts: short download/);
  assert.is((err as SourceError).attempts, 4);
  assert.is(src.retries, 3, 'three retries after the first attempt');
  assert.is(seen.length, 3);
  assert.match(seen[2]!, /^folder download of "Org_nye_20240102_000000\.csv" at .*: attempt 3 of 4 failed \(short download: received 6 bytes, the listing says 100\); retrying$/);
  await src.close();
  rmSync(dir, { recursive: true });
  rmSync(dest, { recursive: true });
});

folder('a short download (size differs from the listing) is retried, then fails cleanly', async () => {
  const dir = tmp('folder-short');
  writeFileSync(path.join(dir, 'Org_nye_20240102_000000.csv'), 'abcdef');
  const src = await openSource({ url: dir, retryDelayMs: 1 });
  const [f] = await src.list();
  const dest = tmp('folder-short-dest');
  try {
    await src.download({ ...f!, size: 100 }, dest);
    assert.unreachable('short download not detected');
  } catch (err) {
    assert.instance(err, SourceError);
    assert.is((err as SourceError).exitCode, 1);
    assert.is((err as SourceError).attempts, 3);
    assert.match((err as Error).message, /short download: received 6 bytes, the listing says 100/);
    assert.match((err as Error).message, /Org_nye_20240102_000000\.csv/);
  }
  assert.equal(readdirSync(dest), [], 'no partial or temporary file left');
  await src.close();
  rmSync(dir, { recursive: true });
  rmSync(dest, { recursive: true });
});

folder('upload creates DARfejlliste; bad folder names are refused', async () => {
  const dir = tmp('folder-up');
  const src = await openSource({ url: dir });
  await src.upload('DARfejlliste', 'failed_addr_Org_ret_20240101_000000.csv', 'org_uuid#post_address\nx#Ærøvej 1\n');
  assert.is(readFileSync(path.join(dir, 'DARfejlliste', 'failed_addr_Org_ret_20240101_000000.csv'), 'utf8'), 'org_uuid#post_address\nx#Ærøvej 1\n');
  await src.upload('DARfejlliste', 'failed_addr_Org_ret_20240101_000000.csv', Buffer.from('again'));
  assert.is(readFileSync(path.join(dir, 'DARfejlliste', 'failed_addr_Org_ret_20240101_000000.csv'), 'utf8'), 'again');
  assert.equal(readdirSync(path.join(dir, 'DARfejlliste')), ['failed_addr_Org_ret_20240101_000000.csv']);
  for (const [f, n] of [['../up', 'x.csv'], ['DARfejlliste', '../x.csv'], ['a/../..', 'x.csv'], ['DARfejlliste', 'x\n.csv']] as const) {
    await rejects(src.upload(f, n, 'x'), (e: unknown) => e instanceof SourceError && /refused to upload/.test(e.message));
  }
  assert.equal(readdirSync(dir), ['DARfejlliste']);
  await src.close();
  await rejects(src.list(), /after close/);
  rmSync(dir, { recursive: true });
});

folder('a missing folder is a SourceError at open', async () => {
  const parent = tmp('folder-missing');
  const dir = path.join(parent, 'nope');
  await rejects(openSource({ url: dir }), (e: unknown) => e instanceof SourceError && e.exitCode === 1 && e.message.includes(dir));
  rmSync(parent, { recursive: true });
});

folder.run();
