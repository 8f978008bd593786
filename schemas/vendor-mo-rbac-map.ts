#!/usr/bin/env -S node --import tsx
/**
 * Vendors OS2mo's GraphQL RBAC map (`mora/graphapi/rbac_map.py`, MPL-2.0) as data:
 * schemas/mo-rbac-map.json = the source (repository, commit, file), `public` (`Type.field` of
 * PUBLIC_FIELDS) and `roles` (`Type.field` → the realm role of RBAC_MAP). MO rejects every field
 * in neither (`mora/graphapi/schema.py` `_enforce_pbac`); src/mo/rbac.ts reads this file.
 *
 * Run by hand when OS2mo's map changes (CI has neither the internet nor the mirror):
 *   node --import tsx schemas/vendor-mo-rbac-map.ts [OS2MO_GIT_DIR] [REV]
 * (defaults: /work/.mirror/OS2mo+os2mo/repo, HEAD), then commit schemas/mo-rbac-map.json.
 */
import { fileURLToPath } from 'node:url';
import { $, fs, path } from 'zx';

export const RBAC_MAP_FILE = 'mora/graphapi/rbac_map.py';

export interface MoRbacMap {
  source: { repository: string; commit: string; file: string; license: string };
  /** PUBLIC_FIELDS: `Type.field`, sorted */
  public: string[];
  /** RBAC_MAP: `Type.field` → realm role, sorted by key */
  roles: Record<string, string>;
}

const KEY = String.raw`\(\s*"(\w+)"\s*,\s*"(\w+)"\s*,?\s*\)`;
const NAME_OR_NONE = String.raw`(?:None|"\w+")`;

/** The two tables of rbac_map.py's text; throws when an entry is not understood. */
export function parseRbacMap(python: string): Pick<MoRbacMap, 'public' | 'roles'> {
  const publicAt = python.search(/^PUBLIC_FIELDS\b/m);
  const mapAt = python.search(/^RBAC_MAP\b/m);
  if (publicAt < 0 || mapAt < publicAt) throw new Error('rbac_map.py: PUBLIC_FIELDS, then RBAC_MAP expected');
  const publicText = python.slice(publicAt, mapAt);
  const mapText = python.slice(mapAt);

  const pub = [...publicText.matchAll(new RegExp(KEY, 'g'))].map((m) => `${m[1]}.${m[2]}`);
  // every tuple opening inside the frozenset's set literal is one entry
  const publicOpenings = (publicText.match(/^\s*\(\s*"/gm) ?? []).length;
  if (pub.length !== publicOpenings) throw new Error(`rbac_map.py: PUBLIC_FIELDS has ${publicOpenings} entries, ${pub.length} understood`);

  const entry = new RegExp(String.raw`${KEY}\s*:\s*\(\s*"(\w+)"\s*,\s*${NAME_OR_NONE}\s*,\s*${NAME_OR_NONE}\s*,?\s*\)`, 'g');
  const roles: Record<string, string> = {};
  let count = 0;
  for (const m of mapText.matchAll(entry)) {
    const key = `${m[1]}.${m[2]}`;
    if (key in roles) throw new Error(`rbac_map.py: RBAC_MAP has ${key} twice`);
    roles[key] = m[3]!;
    count++;
  }
  // every key of the dict is a tuple followed by a colon
  const keys = (mapText.match(new RegExp(`${KEY}\\s*:`, 'g')) ?? []).length;
  if (count !== keys) throw new Error(`rbac_map.py: RBAC_MAP has ${keys} entries, ${count} understood`);
  const both = pub.filter((k) => k in roles);
  if (both.length) throw new Error(`rbac_map.py: both public and role-gated: ${both.join(', ')}`);
  if (new Set(pub).size !== pub.length) throw new Error('rbac_map.py: PUBLIC_FIELDS has duplicates');

  const sorted = Object.keys(roles).sort();
  return { public: pub.sort(), roles: Object.fromEntries(sorted.map((k) => [k, roles[k]!])) };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const gitDir = process.argv[2] ?? '/work/.mirror/OS2mo+os2mo/repo';
  const rev = process.argv[3] ?? 'HEAD';
  $.verbose = false;
  const commit = (await $`git -C ${gitDir} rev-parse ${rev}^{commit}`).stdout.trim();
  const python = (await $`git -C ${gitDir} show ${commit}:${RBAC_MAP_FILE}`).stdout;
  const map: MoRbacMap = {
    source: { repository: 'https://github.com/OS2mo/os2mo', commit, file: RBAC_MAP_FILE, license: 'MPL-2.0' },
    ...parseRbacMap(python),
  };
  const out = path.join(path.dirname(fileURLToPath(import.meta.url)), 'mo-rbac-map.json');
  await fs.writeFile(out, JSON.stringify(map, null, 1) + '\n');
  console.log(`wrote schemas/mo-rbac-map.json: ${map.public.length} public fields, ${Object.keys(map.roles).length} role-gated fields (${commit})`);
}
