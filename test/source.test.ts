/**
 * Remote sources, part 1: name validation, URL parsing, redaction, and the local folder source.
 * (FTP/FTPS: source-ftp.test.ts; SFTP: source-sftp.test.ts.)
 */
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { redact } from '../src/log.ts';
import { isSafeRemoteName, openSource, redactUrl, safeLocalPath, SourceError, type RemoteFile } from '../src/source/source.ts';
import { parseSourceUrl } from '../src/source/source.ts';

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
  assert.equal([s.kind, s.port, s.folder], ['ftps', 990, '/base/in']);
  const a = parseSourceUrl({ url: 'sftp://los@sftp.example.dk/in', folder: '/abs' });
  assert.equal([a.kind, a.port, a.folder], ['sftp', 22, '/abs']);
  const e = parseSourceUrl({ url: 'sftp://l%C3%B8s:p%40ss@h/%C3%A6' });
  assert.equal([e.user, e.urlPassword, e.folder], ['løs', 'p@ss', '/æ']);
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
