/**
 * dar-lookup on the example delivery with the file provider (examples/dar/adresser.json): every
 * expected DAR id, the failure lists, the cache on a second run, dry run, the DARfejlliste upload.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import darStep from '../steps/dar-lookup.ts';
import commitStep from '../steps/commit-state.ts';
import { parseUnitFiles } from '../src/los/units.ts';
import { mergeUnits } from '../src/merge/units.ts';
import { loadYaml } from '../src/engine/yaml-file.ts';
import { orgUnitsMappingSchema, type OrgUnitsMapping } from '../schemas/mapping.schema.ts';
import { fileDate, fileKind } from '../src/los/files.ts';
import { Settings, type Setting } from '../src/settings.ts';
import { Report } from '../src/engine/report.ts';
import type { Progress, StepContext } from '../src/engine/step.ts';
import type { Logger } from '../src/log.ts';
import { parseFailureFile } from '../src/dar/index.ts';
import { loadSeed } from '../src/seed.ts';
import { gen } from './helpers/pinned-uuids.ts';
import { ROOT } from './helpers/cli.ts';

interface Expected {
  addresses: { file: string; line: number; org: string; text: string; darId?: string }[];
  unmatchedAddresses: { file: string; line: number; org: string; text: string; reason: string }[];
  cases: { org: { addressChange: { uuid: string; postaddr: string } } };
}
const expected = JSON.parse(readFileSync(path.join(ROOT, 'examples/expected.json'), 'utf8')) as Expected;

const NAMES = ['Org_inital_20240101_000000.csv', 'Org_nye_20240601_120000.csv', 'Org_ret_20240701_120000.csv'];
const mapping = loadYaml<OrgUnitsMapping>(path.join(ROOT, 'workflows/mappings/org-units.yaml'), orgUnitsMappingSchema).data;
const parsed = parseUnitFiles(NAMES.map((name) => ({ name, kind: fileKind(name)!, date: fileDate(name), path: path.join(ROOT, 'examples/los', name) })), mapping, 'utf-8');

interface FakeSource { uploads: { folder: string; name: string; data: string }[]; refuse?: boolean }

function fakeCtx(stateDir: string, opts: { dryRun?: boolean; source?: string; fake?: FakeSource; settings?: Record<string, string> } = {}) {
  const values = new Map<string, Setting>();
  const all = { state_file: path.join(stateDir, 'state'), source: opts.source ?? path.join(ROOT, 'examples/los'), dar_provider: 'file', dar_file: path.join(ROOT, 'examples/dar/adresser.json'), dar_cache_ttl_days: '30', ...opts.settings };
  for (const [k, v] of Object.entries(all)) values.set(k, { value: v, origin: 'default' });
  const logs: string[] = [];
  const log: Logger = {
    debug: (m) => void logs.push(`debug ${m}`),
    info: (m) => void logs.push(`info ${m}`),
    warn: (m) => void logs.push(`warn ${m}`),
    error: (m) => void logs.push(`error ${m}`),
    child: () => log,
  };
  const counts: Record<string, number> = {};
  const progress: Progress = {
    set: (n, v) => void (counts[n] = v),
    add: (n, v = 1) => void (counts[n] = (counts[n] ?? 0) + v),
    message: () => {},
    counts,
  };
  const report = new Report();
  const sharedValues = new Map<string, unknown>();
  const ctx: StepContext = {
    stepId: 'dar',
    settings: new Settings(values),
    run: { id: 'test', startedAt: new Date(), dryRun: opts.dryRun ?? false, importFrom: null, stateDir, workDir: path.join(stateDir, 'work', 'test'), workflowDir: path.join(ROOT, 'workflows'), flags: {} },
    log, report, progress,
    signal: new AbortController().signal,
    each: async (items, _t, fn) => { for (const i of items) await fn(i, progress); },
    shared: async <T,>(key: string, create: () => Promise<T>) => {
      if (!opts.fake || !key.startsWith('source:')) return (sharedValues.get(key) ?? sharedValues.set(key, await create()).get(key)) as T;
      const fake = opts.fake;
      return {
        kind: 'sftp', display: 'sftp://fake/in',
        upload: async (folder: string, name: string, data: Buffer | string) => {
          if (fake.refuse) throw new Error('550 Permission denied');
          fake.uploads.push({ folder, name, data: String(data) });
        },
        close: async () => {},
      } as unknown as T;
    },
    checkInterrupted: () => {},
    time: (_phase, fn) => fn(),
  };
  return { ctx, logs, report, counts };
}

const runStep = (ctx: StepContext) => darStep.run({ with: {} as never, input: { rows: parsed.rows, spec: parsed.spec } as never, ctx });
const commit = (ctx: StepContext) => commitStep.run({ with: {} as never, input: {} as never, ctx });

const tmp = () => mkdtempSync(path.join(tmpdir(), 'dar-lookup-'));

test('every PostAdresse of the example washes to its expected DAR id; the unmatched ones are in the failure lists', async () => {
  const state = tmp();
  try {
    const { ctx, report, counts } = fakeCtx(state);
    const out = await runStep(ctx);
    const at = new Map(out.rows.map((r) => [`${r.file}:${r.line}`, r]));
    let checked = 0;
    for (const a of expected.addresses) {
      const row = at.get(`${a.file}:${a.line}`);
      assert.ok(row, `${a.file}:${a.line}`);
      assert.is(row!.addresses.postaddr, a.darId ?? null, `${a.file}:${a.line} ${a.text}`);
      if (a.darId) checked++;
    }
    assert.ok(checked >= 55, `${checked} matched addresses checked`);
    for (const u of expected.unmatchedAddresses) assert.is(at.get(`${u.file}:${u.line}`)!.addresses.postaddr, null, u.text);
    // other address columns are untouched
    assert.is(at.get('Org_inital_20240101_000000.csv:2')!.addresses.los, '363882');

    assert.equal(
      out.failed.map((f) => `${f.file}:${f.line} ${f.org_unit} ${f.text}`).sort(),
      expected.unmatchedAddresses.map((u) => `${u.file}:${u.line} ${u.org} ${u.text}`).sort(),
    );
    const reports = path.join(state, 'reports');
    assert.equal(readdirSync(reports).sort(), NAMES.map((n) => `failed_addr_${n}`).sort());
    for (const name of NAMES) {
      const lines = parseFailureFile(readFileSync(path.join(reports, `failed_addr_${name}`), 'utf8'));
      const want = expected.unmatchedAddresses.filter((u) => u.file === name);
      assert.equal(lines.map((l) => `${l.orgUuid}#${l.postAddress}`), want.map((u) => `${u.org}#${u.text}`));
      assert.ok(lines.every((l) => /no match|retired address/.test(l.reason)), lines.map((l) => l.reason).join());
    }
    assert.equal(out.counts, { addresses: 61, texts: 49, requests: 49, cached: 0, failed: 3 });
    assert.is(counts.failed, 4);
    // the warning and the step's summary line count the same: 4 addresses, 3 distinct texts
    assert.match(report.warnings.join('\n'), /4 postal addresses \(3 distinct texts\) not matched in DAR/);
    assert.match(darStep.summarize!(out as never), /, 4 postal addresses \(3 distinct texts\) unmatched$/);
    assert.ok(existsSync(path.join(state, 'dar-cache.sqlite')));

    // the washed rows merge into DAR addresses: MSB-JOB's postal address changes id on 2019-03-01
    const seed = loadSeed();
    const merged = mergeUnits(out.rows, parsed.files, {
      addressTypes: parsed.spec.addresses.map((a) => ({ suffix: a.suffix, type: seed.classUuid(parsed.spec.address_facet, a.address_type) })),
      hierarchyClass: seed.classUuid('org_unit_hierarchy', 'linjeorg'),
    });
    const job = expected.cases.org.addressChange;
    const post = merged.objects.find((o) => o.uuid === job.postaddr)!;
    assert.is(post.uuid, gen('AAK', `${job.uuid}postaddr`));
    assert.equal(post.periods.map((p) => p.from), ['2012-01-01', '2019-03-01']);
    assert.ok(post.periods.every((p) => /^[0-9a-f-]{36}$/.test(p.fields.value!)), 'values are DAR ids');
    assert.is(post.periods[0]!.fields.address_type, seed.classUuid('org_unit_address_type', 'AddressMailUnit'));
    // an unmatched text is not imported: NAV-DRN has no postal address periods
    const drn = merged.objects.find((o) => o.uuid === gen('AAK', '1992ae67-f08c-7eb0-d9a6-0ba121134ec1postaddr'));
    assert.is(drn, undefined);
  } finally {
    rmSync(state, { recursive: true, force: true });
  }
});

test('a second run answers every address from the cache (the file provider also caches "no match"): no lookups, no register load', async () => {
  const state = tmp();
  try {
    await runStep(fakeCtx(state).ctx);
    const second = fakeCtx(state);
    const out = await runStep(second.ctx);
    // the file provider caches its non-matches for the same register file (docs/dar.md): nothing is looked up again,
    // and the 3 unmatched texts are still unmatched, with the same reasons, in the failure lists
    assert.equal(out.counts, { addresses: 61, texts: 49, requests: 0, cached: 49, failed: 3 });
    assert.is(out.failed.length, 4);
    assert.ok(out.failed.every((f) => /no match|retired address/.test(f.reason)), out.failed.map((f) => f.reason).join());
    assert.not.ok(second.logs.some((l) => l.includes('DAR register:')), 'the register was not loaded');

    // a delivery whose addresses are all cached does not read the register at all
    const matchedOnly = parsed.rows.filter((r) => !expected.unmatchedAddresses.some((u) => u.file === r.file && u.line === r.line));
    const third = fakeCtx(state);
    const out3 = await darStep.run({ with: {} as never, input: { rows: matchedOnly, spec: parsed.spec } as never, ctx: third.ctx });
    assert.is(out3.counts.requests, 0);
    assert.is(out3.counts.cached, out3.counts.texts);
    assert.equal(out3.failed, []);
    assert.not.ok(third.logs.some((l) => l.includes('DAR register:')), 'the register was not loaded');

    // a new register file (another size or mtime) invalidates the cached answers, non-matches included
    const register = path.join(state, 'adresser.json');
    writeFileSync(register, readFileSync(path.join(ROOT, 'examples/dar/adresser.json')));
    const fourth = fakeCtx(state, { settings: { dar_file: register } });
    const out4 = await runStep(fourth.ctx);
    assert.equal(out4.counts, { addresses: 61, texts: 49, requests: 49, cached: 0, failed: 3 });
  } finally {
    rmSync(state, { recursive: true, force: true });
  }
});

test('a dry run writes nothing in the state folder except the work folder; the failure lists are printed', async () => {
  const state = tmp();
  try {
    const { ctx, logs } = fakeCtx(state, { dryRun: true });
    const out = await runStep(ctx);
    assert.is(out.failed.length, 4);
    assert.equal(readdirSync(state), ['work']);
    assert.ok(logs.some((l) => l.startsWith('info failed_addr_Org_nye_20240601_120000.csv (dry run: not written):\n31497418-1f43-5794-81d6-b5d8397dffdc#Lisbjerg Bygade 999')), logs.join('\n'));
  } finally {
    rmSync(state, { recursive: true, force: true });
  }
});

test('an SFTP source gets the failure lists in DARfejlliste at the end of a successful run (commit-state); a refused upload is a warning, not a failure', async () => {
  const state = tmp();
  try {
    const fake: FakeSource = { uploads: [] };
    const run = fakeCtx(state, { source: 'sftp://los@ftp.example/in', fake });
    await runStep(run.ctx);
    assert.equal(fake.uploads, [], 'nothing is uploaded before MO is written: a run that fails later uploads nothing');
    await commit(run.ctx);
    assert.ok(existsSync(path.join(state, 'state')), 'the state is written first');
    assert.is(run.report.totals.files_uploaded, NAMES.length);
    assert.equal(fake.uploads.map((u) => `${u.folder}/${u.name}`).sort(), NAMES.map((n) => `DARfejlliste/failed_addr_${n}`).sort());
    assert.is(fake.uploads.find((u) => u.name.includes('Org_nye'))!.data, readFileSync(path.join(state, 'reports', 'failed_addr_Org_nye_20240601_120000.csv'), 'utf8'));

    const refused: FakeSource = { uploads: [], refuse: true };
    const r = fakeCtx(state, { source: 'ftps://los@ftp.example/in', fake: refused });
    const out = await runStep(r.ctx);
    assert.is(out.failed.length, 4);
    assert.equal((await commit(r.ctx)).written, true, 'a refused upload does not fail the run');
    assert.match(r.report.warnings.join('\n'), /could not upload failed_addr_Org_inital_20240101_000000\.csv to DARfejlliste: 550 Permission denied/);

    // a folder source gets nothing uploaded
    const local: FakeSource = { uploads: [] };
    const l = fakeCtx(state, { fake: local });
    await runStep(l.ctx);
    await commit(l.ctx);
    assert.equal(local.uploads, []);
  } finally {
    rmSync(state, { recursive: true, force: true });
  }
});

test('a DAR outage does not fail the step: the addresses are reported as failed', async () => {
  const state = tmp();
  try {
    // nothing listens on this port: every request fails fast
    const { ctx, report } = fakeCtx(state, { settings: { dar_provider: 'dawa', dar_url: 'http://127.0.0.1:9' } });
    const out = await darStep.run({ with: { provider: 'dawa', retries: 0 } as never, input: { rows: parsed.rows.slice(0, 3), spec: parsed.spec } as never, ctx });
    assert.is(out.failed.length, 3);
    assert.ok(out.failed.every((f) => f.reason.startsWith('DAR unavailable')), out.failed.map((f) => f.reason).join());
    assert.ok(out.rows.every((r) => r.addresses.postaddr === null));
    assert.match(report.warnings.join('\n'), /3 postal addresses not matched/);
  } finally {
    rmSync(state, { recursive: true, force: true });
  }
});

test.run();
