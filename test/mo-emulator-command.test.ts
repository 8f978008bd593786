/** `./run mo-emulator`: prints where it serves, answers a token + org_units query, stops on SIGTERM. */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

const root = path.resolve(import.meta.dirname ?? path.dirname(new URL(import.meta.url).pathname), '..');

function waitFor(read: () => string, pattern: RegExp, ms: number): Promise<RegExpExecArray> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const tick = () => {
      const m = pattern.exec(read());
      if (m) return resolve(m);
      if (Date.now() - started > ms) return reject(new Error(`timed out waiting for ${pattern}; output: ${read()}`));
      setTimeout(tick, 25);
    };
    tick();
  });
}

test('./run mo-emulator serves until SIGTERM; a generated secret is printed once', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'mo-emulator-cmd-'));
  const child = spawn(process.execPath, ['./run', 'mo-emulator', '--port', '0', '--db', path.join(dir, 'sub', 'mo.sqlite')], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  try {
    const [, url] = await waitFor(() => out, /MO_URL=(http:\/\/127\.0\.0\.1:\d+)/, 15_000);
    const [, secret] = await waitFor(() => out, /CLIENT_SECRET=(\S+)\s+\(generated/, 1000);
    assert.match(out, /CLIENT_ID=dipex/);
    assert.match(out, /AUTH_REALM=mo/);
    assert.is(out.split(secret!).length - 1, 1, 'the secret is printed once');
    const tokenRes = await fetch(`${url}/auth/realms/mo/protocol/openid-connect/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `grant_type=client_credentials&client_id=dipex&client_secret=${encodeURIComponent(secret!)}`,
    });
    const { access_token: token } = (await tokenRes.json()) as { access_token: string };
    const res = await fetch(`${url}/graphql/v30`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query: '{ org_units { objects { uuid current { name } } } }' }),
    });
    assert.equal(await res.json(), { data: { org_units: { objects: [] } } });
  } finally {
    child.kill('SIGTERM');
    const code = await exited;
    rmSync(dir, { recursive: true, force: true });
    assert.is(code, 0, out);
    assert.match(out, /MO emulator stopped/);
  }
});

test('./run mo-emulator with a given secret does not print it', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'mo-emulator-cmd-'));
  const child = spawn(process.execPath, ['./run', 'mo-emulator', '--port', '0', '--db', path.join(dir, 'mo.sqlite'), '--client-id', 'me', '--client-secret', 'hush-hush'], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  try {
    await waitFor(() => out, /DAR: /, 15_000);
    assert.match(out, /CLIENT_ID=me/);
    assert.not.match(out, /hush-hush/);
    // without --dar-register it says that DAR ids are checked for their form only
    assert.match(out, /DAR: no register given \(--dar-register\): DAR address values are checked for their UUID form only/);
  } finally {
    child.kill('SIGINT');
    assert.is(await exited, 0, out);
    rmSync(dir, { recursive: true, force: true });
  }
});


test('./run mo-emulator --dar-register FILE: DAR ids are looked up in it (V_INVALID_ADDRESS_DAR otherwise)', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'mo-emulator-cmd-'));
  const child = spawn(process.execPath, ['./run', 'mo-emulator', '--port', '0', '--db', path.join(dir, 'mo.sqlite'), '--client-secret', 's', '--dar-register', 'examples/dar/adresser.csv'], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  try {
    const [, count] = await waitFor(() => out, /DAR: address values are looked up in \S+adresser\.csv \((\d+) ids\)/, 15_000);
    assert.ok(Number(count) > 10, out);
  } finally {
    child.kill('SIGTERM');
    assert.is(await exited, 0, out);
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
