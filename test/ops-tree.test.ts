/** `./run show tree` on the example delivery after a run: checked against the Org CSV files and against MO itself. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { cli, cliP, sandbox } from './helpers/cli.ts';
import { startEmulator } from '../src/mo-emulator/server.ts';

interface Unit { uuid: string; user_key: string; name: string; type: string | null; engagements: number; engagements_total: number; children: Unit[] }

const flatten = (units: Unit[], parent: Unit | null = null, out = new Map<string, { unit: Unit; parent: Unit | null }>()) => {
  for (const u of units) {
    out.set(u.user_key, { unit: u, parent });
    flatten(u.children, u, out);
  }
  return out;
};

const csv = (file: string) => parse(readFileSync(file), { delimiter: ';', columns: true, bom: true, skip_empty_lines: true }) as Record<string, string>[];
const day = (text: string) => {
  const dmy = /^(\d{2})-(\d{2})-(\d{4})$/.exec(text);
  return dmy ? `${dmy[3]}-${dmy[2]}-${dmy[1]}` : text.slice(0, 10);
};

/** The delivery's own answer for units that no Org_ret file touches: valid at `at`? parent, name, type. */
function expectedFromCsv(los: string, at: string) {
  const initial = [...csv(path.join(los, 'Org_inital_20240101_000000.csv')), ...csv(path.join(los, 'Org_nye_20240601_120000.csv'))];
  const ret = new Set(csv(path.join(los, 'Org_ret_20240701_120000.csv')).map((r) => r.OrgUUID));
  const types = new Map(csv(path.join(los, 'STAM_UUID_Enhedstype.csv')).map((r) => [r.EnhedstypeUUID, r.Enhedstype]));
  const keyOf = new Map([...initial, ...csv(path.join(los, 'Org_ret_20240701_120000.csv'))].map((r) => [r.OrgUUID, r.BrugervendtNøgle]));
  const out = new Map<string, { parent: string | null; name: string; type: string | undefined }>();
  for (const r of initial) {
    if (ret.has(r.OrgUUID!) || !(day(r.StartDato!) <= at && at <= day(r.SlutDato!))) continue;
    out.set(r.BrugervendtNøgle!, { parent: r.ParentUUID === r.OrgUUID ? null : keyOf.get(r.ParentUUID!) ?? r.ParentUUID!, name: r.OrgEnhedsNavn!, type: types.get(r.OrgEnhedsTypeUUID!) });
  }
  return { expected: out, touched: new Set([...ret].map((u) => keyOf.get(u))) };
}

test('show tree after a run of the example delivery: units, parents, types at a date match the Org files; engagement counts match MO', async () => {
  const box = sandbox();
  try {
    const run = cli(['workflow', 'import.yaml'], box.env());
    assert.is(run.code, 0, run.stdout + run.stderr);
    assert.match(run.stdout, /see the tree: \.\/run show tree/);

    for (const at of ['2018-06-01', '2024-05-01', '2024-09-01']) {
      const r = cli(['show', 'tree', '--at', at, '--json'], box.env());
      assert.is(r.code, 0, r.stderr);
      const tree = JSON.parse(r.stdout);
      assert.is(tree.at, at);
      assert.is(tree.mo.embedded, true);
      const units = flatten(tree.roots);
      assert.is(units.size, tree.units);
      assert.ok(tree.units > 20, `${tree.units} units at ${at}`);
      const { expected, touched } = expectedFromCsv(box.los, at);
      const shown = [...units.keys()].filter((k) => !touched.has(k)).sort();
      assert.equal(shown, [...expected.keys()].sort(), `units valid at ${at}`);
      for (const [key, e] of expected) {
        const { unit, parent } = units.get(key)!;
        assert.is(parent?.user_key ?? null, e.parent, `parent of ${key} at ${at}`);
        assert.is(unit.type, e.type ?? null, `type of ${key}`);
        assert.is(unit.name.replace(/\s+/g, ' '), e.name.replace(/\s+/g, ' '), `name of ${key}`);
      }
      // totals are consistent
      const sum = [...units.values()].reduce((s, { unit }) => s + unit.engagements, 0);
      assert.is(sum, tree.engagements);
      for (const { unit } of units.values()) assert.is(unit.engagements_total, unit.engagements + unit.children.reduce((s, c) => s + c.engagements_total, 0));
    }
    // SKO-LIS starts 2024-08-01 (Org_nye), DAG-LIS 2024-06-01
    const before = flatten(JSON.parse(cli(['show', 'tree', '--at', '2024-05-01', '--json'], box.env()).stdout).roots);
    const after = flatten(JSON.parse(cli(['show', 'tree', '--at', '2024-09-01', '--json'], box.env()).stdout).roots);
    assert.not.ok(before.has('SKO-LIS'));
    assert.is(after.get('SKO-LIS')?.parent?.user_key, 'MBU-SKO');

    // engagement counts per unit, asked of MO another way (engagements filtered by org unit)
    const text = cli(['show', 'tree', '--at', '2024-09-01'], box.env());
    assert.is(text.code, 0, text.stderr);
    const emu = await startEmulator({ dbPath: path.join(path.dirname(box.state), 'mo.sqlite'), port: 0 });
    try {
      const token = ((await (await fetch(`${emu.authServer}/realms/${emu.realm}/protocol/openid-connect/token`, { method: 'POST', body: new URLSearchParams({ grant_type: 'client_credentials', client_id: emu.clientId, client_secret: emu.clientSecret }) })).json()) as { access_token: string }).access_token;
      const units = [...after.values()].map((x) => x.unit);
      const query = `{ ${units.map((u, i) => `u${i}: engagements(filter: {org_unit: {uuids: ["${u.uuid}"]}, from_date: "2024-09-01T00:00:00+02:00"}) { objects { uuid } }`).join('\n')} }`;
      const res = (await (await fetch(`${emu.url}/graphql/v29`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify({ query }) })).json()) as { data: Record<string, { objects: unknown[] }> };
      let total = 0;
      units.forEach((u, i) => {
        assert.is(u.engagements, res.data[`u${i}`]!.objects.length, `engagements in ${u.user_key}`);
        total += u.engagements;
      });
      assert.ok(total > 10, `${total} engagements`);
      // the text view: one line per unit, children indented under their parent, with user_key, type and count
      const lines = text.stdout.trimEnd().split('\n');
      assert.match(lines[0]!, new RegExp(`at 2024-09-01: ${units.length} units, ${total} engagements`));
      assert.is(lines.length, units.length + 1);
      const indent = (key: string) => { const l = lines.find((x) => x.includes(`[${key}]`))!; return l.length - l.trimStart().length; };
      for (const [key, { unit, parent }] of after) {
        const line = lines.find((x) => x.includes(`[${key}]`))!;
        assert.ok(line.includes(`${unit.name}  [${key}]  ${unit.type ?? '(no type)'} · ${unit.engagements} engagement`), line);
        if (parent) assert.is(indent(key), indent(parent.user_key) + 2, `indent of ${key}`);
      }
    } finally {
      await emu.stop();
    }
  } finally {
    box.cleanup();
  }
});

test('show tree reads a real MO (mo_url) too; without an embedded database it says how to get one; bad --at is exit 2', async () => {
  const box = sandbox();
  try {
    const none = cli(['show', 'tree'], box.env());
    assert.is(none.code, 2);
    assert.match(none.stderr, /no embedded MO database .* run an import first/);
    assert.is(cli(['show', 'tree', '--at', '2024-02-30'], box.env()).code, 2);
    assert.is(cli(['show', 'trees'], box.env()).code, 2);

    assert.is(cli(['workflow', 'import.yaml'], box.env()).code, 0);
    const embedded = JSON.parse(cli(['show', 'tree', '--at', '2024-09-01', '--json'], box.env()).stdout);
    // the same database served as a "real" MO over HTTP with a known client secret
    const emu = await startEmulator({ dbPath: path.join(path.dirname(box.state), 'mo.sqlite'), port: 0, clientSecret: 'tree-secret-1' });
    try {
      const r = await cliP(['show', 'tree', '--at', '2024-09-01', '--json'], box.env({ MO_URL: emu.url, CLIENT_SECRET: 'tree-secret-1' }));
      assert.is(r.code, 0, r.stderr);
      const real = JSON.parse(r.stdout);
      assert.equal(real.mo, { embedded: false, url: `${emu.url}/graphql/v29` });
      assert.equal(real.roots, embedded.roots);
      const wrong = await cliP(['show', 'tree'], box.env({ MO_URL: emu.url, CLIENT_SECRET: 'wrong-secret-2' }));
      assert.is.not(wrong.code, 0);
      assert.not.match(wrong.stdout + wrong.stderr, /wrong-secret-2/);
    } finally {
      await emu.stop();
    }
  } finally {
    box.cleanup();
  }
});

test.run();
