/**
 * `./run show tree [--at YYYY-MM-DD] [--json]`: the organisation tree read back from MO over
 * GraphQL — the embedded emulator on `<state folder>/mo.sqlite` (started on a free loopback port
 * for the duration of the command) or the real MO when `mo_url` is set. Each unit with its
 * user_key, name, type (the class's name) and the number of engagements in it at that date.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { ConfigError } from '../errors.ts';
import { MoClient, moClientOptionsFromSettings } from '../mo/client.ts';
import { TREE_CLASSES, TREE_ENGAGEMENTS, TREE_UNITS } from '../mo/documents.ts';
import type { Settings } from '../settings.ts';
import { copenhagenMidnight, isoWithOffset, isValidDay } from '../time.ts';

export interface TreeUnit {
  uuid: string;
  user_key: string;
  name: string;
  /** the unit type class's name (null when the unit has none or the class is not valid then) */
  type: string | null;
  /** engagements in this unit at the date */
  engagements: number;
  /** engagements in this unit and all units below it */
  engagements_total: number;
  children: TreeUnit[];
}

export interface Tree {
  at: string;
  mo: { embedded: boolean; url?: string; database?: string };
  units: number;
  engagements: number;
  roots: TreeUnit[];
}

/** `--at` → the instant MO reads at: midnight Europe/Copenhagen of that day. */
export function treeInstant(day: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  if (!m || !isValidDay(+m[1]!, +m[2]!, +m[3]!)) throw new ConfigError(`--at expects a date YYYY-MM-DD, got "${day}"`);
  return isoWithOffset(copenhagenMidnight(day));
}

interface UnitRow {
  uuid: string;
  current: { user_key: string; name: string; parent_uuid: string | null; unit_type_uuid: string | null } | null;
}

/** Reads the units and engagements valid at `day` and builds the tree (children sorted by name). */
export async function readTree(client: MoClient, day: string): Promise<Omit<Tree, 'mo'>> {
  const at = treeInstant(day);
  const [unitRows, engagementRows] = await Promise.all([
    client.queryAll<UnitRow>(TREE_UNITS, { filter: { from_date: at }, at }, ['org_units']),
    client.queryAll<{ uuid: string; current: { org_unit_uuid: string | null } | null }>(TREE_ENGAGEMENTS, { filter: { from_date: at }, at }, ['engagements']),
  ]);
  const units = unitRows.filter((u): u is UnitRow & { current: NonNullable<UnitRow['current']> } => u.current !== null);
  const typeUuids = [...new Set(units.map((u) => u.current.unit_type_uuid).filter((t): t is string => !!t))];
  const typeNames = new Map<string, string>();
  if (typeUuids.length) {
    const classes = await client.queryAll<{ uuid: string; current: { name: string } | null; validities: { name: string }[] }>(TREE_CLASSES,
      { filter: { uuids: typeUuids, from_date: null, to_date: null }, at },
      ['classes'],
    );
    for (const c of classes) {
      const name = c.current?.name ?? c.validities.at(-1)?.name;
      if (name) typeNames.set(c.uuid, name);
    }
  }
  const perUnit = new Map<string, number>();
  let engagements = 0;
  for (const e of engagementRows) {
    const unit = e.current?.org_unit_uuid;
    if (!unit) continue;
    engagements++;
    perUnit.set(unit, (perUnit.get(unit) ?? 0) + 1);
  }
  const nodes = new Map<string, TreeUnit>(
    units.map((u) => [
      u.uuid,
      { uuid: u.uuid, user_key: u.current.user_key, name: u.current.name, type: u.current.unit_type_uuid ? (typeNames.get(u.current.unit_type_uuid) ?? null) : null, engagements: perUnit.get(u.uuid) ?? 0, engagements_total: 0, children: [] },
    ]),
  );
  const roots: TreeUnit[] = [];
  for (const u of units) {
    const node = nodes.get(u.uuid)!;
    const parent = u.current.parent_uuid ? nodes.get(u.current.parent_uuid) : undefined;
    if (parent && parent !== node) parent.children.push(node);
    else roots.push(node);
  }
  // a parent cycle leaves units unreachable from any root: show them as roots
  const reached = new Set<string>();
  const walk = (n: TreeUnit): number => {
    reached.add(n.uuid);
    const kids = n.children.sort(byName);
    n.children = [];
    let total = n.engagements;
    for (const c of kids) if (!reached.has(c.uuid)) { n.children.push(c); total += walk(c); }
    n.engagements_total = total;
    return total;
  };
  roots.sort(byName).forEach(walk);
  for (const n of nodes.values()) if (!reached.has(n.uuid)) { roots.push(n); walk(n); }
  return { at: day, units: nodes.size, engagements, roots };
}

const byName = (a: TreeUnit, b: TreeUnit) => a.name.localeCompare(b.name, 'da') || a.user_key.localeCompare(b.user_key);

/** Opens the MO the run would use: real (`mo_url`) or the embedded emulator on the state folder's database. */
export async function openTreeMo(settings: Settings): Promise<{ client: MoClient; mo: Tree['mo']; close: () => Promise<void> }> {
  if (settings.has('mo_url')) {
    // an operator is waiting: fewer retries than a run
    const client = new MoClient(moClientOptionsFromSettings(settings, { retries: 2 }));
    return { client, mo: { embedded: false, url: client.endpoint }, close: async () => {} };
  }
  const dbPath = path.join(settings.stateDir, 'mo.sqlite');
  if (!existsSync(dbPath)) {
    throw new ConfigError(`no embedded MO database at ${dbPath} yet: run an import first (./run workflow import.yaml), or set mo_url to read a real MO`);
  }
  const { startEmulator } = await import('../mo-emulator/server.ts');
  const emu = await startEmulator({ dbPath, port: 0 });
  const client = new MoClient(moClientOptionsFromSettings(settings, { url: emu.url, authServer: emu.authServer, realm: emu.realm, clientId: emu.clientId, clientSecret: emu.clientSecret, retries: 1 }));
  return { client, mo: { embedded: true, database: dbPath }, close: () => emu.stop() };
}

export function formatTree(tree: Tree): string {
  const where = tree.mo.embedded ? `the embedded MO (${tree.mo.database})` : `MO ${tree.mo.url}`;
  const lines = [`Organisation in ${where} at ${tree.at}: ${tree.units} unit${tree.units === 1 ? '' : 's'}, ${tree.engagements} engagement${tree.engagements === 1 ? '' : 's'}`];
  if (!tree.units) lines.push('  (no org units valid at this date)');
  const line = (u: TreeUnit, depth: number) => {
    const eng = `${u.engagements} engagement${u.engagements === 1 ? '' : 's'}${u.engagements_total !== u.engagements ? ` (${u.engagements_total} with sub-units)` : ''}`;
    lines.push(`${'  '.repeat(depth + 1)}${u.name}  [${u.user_key}]  ${u.type ?? '(no type)'} · ${eng}`);
    for (const c of u.children) line(c, depth + 1);
  };
  for (const r of tree.roots) line(r, 0);
  return lines.join('\n') + '\n';
}
