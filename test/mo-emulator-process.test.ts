/**
 * The embedded MO emulator of a run is a child process (src/mo-emulator/process.ts): it serves MO
 * over HTTP, keeps its secret off the command line, writes its database to disk, stops when told
 * to — and also when the importer dies without telling it (SIGKILL).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startEmulatorProcess, type EmulatorProcess } from '../src/mo-emulator/process.ts';
import { startEmulator } from '../src/mo-emulator/server.ts';
import { fetchToken } from './helpers/mo.ts';

const alive = (pid: number) => {
  try { process.kill(pid, 0); return true; } catch { return false; }
};

async function waitGone(pid: number, ms = 10_000) {
  const until = Date.now() + ms;
  while (alive(pid) && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
  return !alive(pid);
}

async function gql(mo: EmulatorProcess, query: string, variables: Record<string, unknown> = {}) {
  const token = (await (await fetchToken(mo as never)).json() as { access_token: string }).access_token;
  const res = await fetch(`${mo.url}/graphql/v29`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify({ query, variables }) });
  return res.json() as Promise<{ data?: any; errors?: unknown[] }>;
}

test('serves MO over HTTP from its own process; the secret is not on its command line; stop() ends it and the data is on disk', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'emu-process-'));
  const dbPath = path.join(dir, 'mo.sqlite');
  try {
    const mo = await startEmulatorProcess({ dbPath });
    assert.is.not(mo.pid, process.pid);
    assert.ok(alive(mo.pid));
    assert.not.ok(readFileSync(`/proc/${mo.pid}/cmdline`, 'utf8').includes(mo.clientSecret), 'the secret is not in the command line');
    const created = await gql(mo, 'mutation($i: FacetCreateInput!) { facet_create(input: $i) { uuid } }', { i: { user_key: 'process_test', validity: { from: '2020-01-01', to: null } } });
    assert.equal(created.errors, undefined, JSON.stringify(created.errors));
    const { peakRssKb } = await mo.stop();
    assert.ok(peakRssKb > 10_000, `the child reports its peak RSS (${peakRssKb} KiB)`);
    assert.ok(await waitGone(mo.pid), 'the emulator process has ended');
    assert.equal(await mo.stop(), { peakRssKb }, 'stop() twice is the same stop');
    // the database is complete on disk: an in-process emulator on the same file sees the facet
    const again = await startEmulator({ dbPath, port: 0, clientSecret: 's' });
    try {
      const token = (await (await fetchToken(again)).json() as { access_token: string }).access_token;
      const res = await fetch(`${again.url}/graphql/v29`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify({ query: '{ facets(filter: {user_keys: ["process_test"]}) { objects { uuid } } }' }) });
      const body = await res.json() as { data: { facets: { objects: unknown[] } } };
      assert.is(body.data.facets.objects.length, 1);
    } finally {
      await again.stop();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a database it cannot open is an error naming the cause, and no process is left behind', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'emu-process-'));
  try {
    const err = await startEmulatorProcess({ dbPath: path.join(dir, 'missing-folder', 'deeper', 'mo.sqlite') }).catch((e: Error) => e);
    assert.instance(err, Error);
    assert.match((err as Error).message, /embedded MO emulator did not start: .*(directory|exist)/i);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('when the importer is killed (SIGKILL) its emulator ends too', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'emu-process-'));
  try {
    const script = `
      const { startEmulatorProcess } = await import(${JSON.stringify(path.resolve('src/mo-emulator/process.ts'))});
      const mo = await startEmulatorProcess({ dbPath: ${JSON.stringify(path.join(dir, 'mo.sqlite'))} });
      process.stdout.write(String(mo.pid) + '\\n');
      setInterval(() => {}, 1000);`;
    const parent = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    const pid = await new Promise<number>((resolve, reject) => {
      let out = '';
      parent.stdout.on('data', (b: Buffer) => { out += b; if (out.includes('\n')) resolve(Number(out.trim())); });
      parent.on('exit', (code) => reject(new Error(`the parent exited (${code})`)));
    });
    assert.ok(alive(pid), 'the emulator runs');
    parent.kill('SIGKILL');
    assert.ok(await waitGone(pid), 'the emulator ended with its importer');
    assert.ok(existsSync(path.join(dir, 'mo.sqlite')));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
