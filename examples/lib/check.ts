/**
 * checkDelivery: the consistency guarantees of a generated delivery, checked on the files
 * alone (re-parsed with csv-parse), so it can check any delivery folder:
 * - headers exactly as los-format.md; CRLF line ends; BOM where expected.json says;
 * - every class / unit / IT system uuid referenced exists in the STAM / Org files;
 * - valid dates, booleans and numbers; no overlapping periods of a unit in Org_inital;
 *   a unit's periods lie within its parent's validity; no parent cycles;
 * - CPR numbers with a valid date part and century digit, ages 18–67 at the file's date;
 * - engagements start after the person's 18th birthday and lie within their unit's validity;
 * - exactly one primary (`Ja`) engagement per person; same name/e-mail/AZ id on a person's rows;
 * - managers in known units for known persons; luk rows for known engagements / managers;
 * - every PostAdresse has an expectation in expected.json, and the DAR register agrees with it.
 * Returns the problems found (empty = consistent).
 */
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { type Day, OPEN, addYears, parseLosDate, stampDay } from './dates.ts';
import { cprBirthDate } from './cpr.ts';
import { LEDER_HEADER, LEDER_LUK_HEADER, ORG_HEADER, PERS_HEADER, PERS_LUK_HEADER, STAM } from './data.ts';
import type { DarRecord, TextExpectation } from './dar.ts';

type Row = Record<string, string>;
interface CsvFile {
  name: string;
  stamp: string;
  day: Day;
  header: string[];
  rows: Row[];
  raw: Buffer;
}

const BOOLEANS = /^(true|false|1|0|yes|no|on|off|t|f|y|n|)$/i;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export async function checkDelivery(dir: string): Promise<string[]> {
  const problems: string[] = [];
  const fail = (msg: string) => {
    if (problems.length < 200) problems.push(msg);
  };
  const losDir = path.join(dir, 'los');
  const expected = JSON.parse(await readFile(path.join(dir, 'expected.json'), 'utf8')) as {
    files: Record<string, { rows: number; bom: boolean }>;
    postAdresser: Record<string, TextExpectation>;
  };

  // ---- read ----
  const files: CsvFile[] = [];
  for (const name of (await readdir(losDir)).filter((n) => n.endsWith('.csv')).sort()) {
    const raw = await readFile(path.join(losDir, name));
    const text = raw.toString('utf8');
    const hasBom = text.startsWith('\uFEFF');
    const exp = expected.files[name];
    if (!exp) fail(`${name}: not listed in expected.json`);
    else if (exp.bom !== hasBom) fail(`${name}: BOM ${hasBom}, expected ${exp.bom}`);
    if (/[^\r]\n/.test(text) || !text.endsWith('\r\n')) fail(`${name}: not CRLF line ends`);
    const records = parse(text, { delimiter: ';', bom: true, relax_column_count: false }) as string[][];
    const header = records[0]!;
    const rows = records.slice(1).map((r) => Object.fromEntries(header.map((h, i) => [h, r[i]!])));
    if (exp && exp.rows !== rows.length) fail(`${name}: ${rows.length} rows, expected.json says ${exp.rows}`);
    const stamp = /_(\d{8}_\d{6})\.csv$/.exec(name)?.[1] ?? '00000000_000000';
    files.push({ name, stamp, day: stamp === '00000000_000000' ? 0 : stampDay(stamp), header, rows, raw });
  }
  for (const name of Object.keys(expected.files)) if (!files.some((f) => f.name === name)) fail(`${name}: missing`);
  const byPrefix = (prefix: string) => files.filter((f) => f.name.startsWith(`${prefix}_`)).sort((a, b) => (a.stamp < b.stamp ? -1 : 1));
  const sameHeader = (f: CsvFile, want: readonly string[]) => {
    if (f.header.join(';') !== want.join(';')) fail(`${f.name}: header ${f.header.join(';')}, want ${want.join(';')}`);
  };

  // ---- STAM ----
  const classes: Record<string, Set<string>> = {};
  for (const [facet, spec] of Object.entries(STAM)) {
    const f = files.find((x) => x.name === spec.file);
    classes[facet] = new Set();
    if (!f) {
      fail(`${spec.file}: missing`);
      continue;
    }
    sameHeader(f, spec.header);
    for (const [i, row] of f.rows.entries()) {
      const uuid = row[spec.header[0]!]!;
      if (!UUID.test(uuid)) fail(`${f.name}:${i + 2}: bad uuid ${uuid}`);
      if (classes[facet]!.has(uuid)) fail(`${f.name}:${i + 2}: duplicate uuid ${uuid}`);
      if (!row[spec.header[1]!]) fail(`${f.name}:${i + 2}: empty title`);
      classes[facet]!.add(uuid);
    }
  }
  const needClass = (facet: string, uuid: string, where: string, optional = false) => {
    if (optional && uuid === '') return;
    if (!classes[facet]!.has(uuid)) fail(`${where}: ${uuid} is not in ${STAM[facet]!.file}`);
  };

  // ---- org units ----
  type Interval = [Day, Day];
  const intervals = new Map<string, Interval[]>();
  const parentRows: { unit: string; parent: string; from: Day; to: Day; where: string }[] = [];
  const lastParent = new Map<string, string>();
  const orgFiles = [...byPrefix('Org_inital'), ...byPrefix('Org_nye'), ...byPrefix('Org_ret')];
  const endings = new Map<string, Day>();
  for (const f of orgFiles) {
    sameHeader(f, ORG_HEADER);
    const initialPeriods = new Map<string, { from: Day; to: Day; line: number }[]>();
    for (const [i, row] of f.rows.entries()) {
      const where = `${f.name}:${i + 2}`;
      const unit = row.OrgUUID!;
      if (!UUID.test(unit)) fail(`${where}: bad OrgUUID ${unit}`);
      if (!row.BrugervendtNøgle) fail(`${where}: empty BrugervendtNøgle`);
      needClass('enhedstype', row.OrgEnhedsTypeUUID!, where, true);
      if (!BOOLEANS.test(row['Med-i-LinjeOrg']!)) fail(`${where}: bad boolean ${row['Med-i-LinjeOrg']}`);
      const from = parseLosDate(row.StartDato!);
      const to = parseLosDate(row.SlutDato!);
      if (from === undefined || to === undefined || to < from) {
        fail(`${where}: bad period ${row.StartDato}..${row.SlutDato}`);
        continue;
      }
      for (const [col, re] of [['LOSID', /^\d+$/], ['CVR', /^\d{8}$/], ['EAN', /^\d{13}$/], ['P-Nr', /^\d{10}$/], ['SE-Nr', /^\d{8}$/], ['IntDebitor-Nr', /^\d+$/], ['MagID', /^\d+$/]] as const) {
        if (row[col] && !re.test(row[col]!)) fail(`${where}: bad ${col} ${row[col]}`);
      }
      if (row.PostAdresse && !expected.postAdresser[row.PostAdresse]) fail(`${where}: no expectation for PostAdresse ${row.PostAdresse}`);
      if (f.name.startsWith('Org_inital')) {
        const list = initialPeriods.get(unit) ?? [];
        for (const p of list) if (from <= p.to && p.from <= to) fail(`${where}: period overlaps line ${p.line}`);
        list.push({ from, to, line: i + 2 });
        initialPeriods.set(unit, list);
      }
      if (f.name.startsWith('Org_ret') && to !== OPEN) endings.set(unit, to);
      intervals.set(unit, [...(intervals.get(unit) ?? []), [from, to]]);
      parentRows.push({ unit, parent: row.ParentUUID!, from, to, where });
      lastParent.set(unit, row.ParentUUID!);
    }
  }
  // validity: the union of the rows' periods, cut at an ending given in Org_ret
  const validity = new Map<string, Interval[]>();
  for (const [unit, list] of intervals) {
    const end = endings.get(unit) ?? OPEN;
    const merged: Interval[] = [];
    for (const [a, b] of [...list].sort((x, y) => x[0] - y[0])) {
      const to = Math.min(b, end);
      if (a > to) continue;
      const last = merged.at(-1);
      if (last && a <= last[1] + 1) last[1] = Math.max(last[1], to);
      else merged.push([a, to]);
    }
    validity.set(unit, merged);
  }
  const within = (unit: string, from: Day, to: Day) => (validity.get(unit) ?? []).some(([a, b]) => a <= from && to <= b);
  for (const p of parentRows) {
    if (p.parent === p.unit) continue;
    if (!validity.has(p.parent)) fail(`${p.where}: parent ${p.parent} is in no Org file`);
    else {
      const to = Math.min(p.to, endings.get(p.unit) ?? OPEN);
      if (p.from <= to && !within(p.parent, p.from, to)) fail(`${p.where}: parent ${p.parent} is not valid throughout the row's period`);
    }
  }
  for (const unit of lastParent.keys()) {
    const seen = new Set<string>();
    for (let u = unit; lastParent.get(u) !== u; u = lastParent.get(u)!) {
      if (seen.has(u) || !lastParent.has(u)) {
        if (seen.has(u)) fail(`unit ${unit}: parent cycle`);
        break;
      }
      seen.add(u);
    }
  }

  // ---- persons ----
  interface Eng { row: Row; where: string; day: Day }
  const engagements = new Map<string, Eng>(); // latest row per engagement uuid
  const knownCpr = new Map<string, Day>(); // cpr → first file day
  const persFiles = [...byPrefix('Pers_nye'), ...byPrefix('Pers_ret')].sort((a, b) => (a.stamp < b.stamp ? -1 : a.stamp > b.stamp ? 1 : a.name.startsWith('Pers_nye') ? -1 : 1));
  const nyeUuids = new Set<string>();
  for (const f of persFiles) {
    sameHeader(f, PERS_HEADER);
    const personRows = new Map<string, Row>();
    for (const [i, row] of f.rows.entries()) {
      const where = `${f.name}:${i + 2}`;
      const cpr = row.CPR!;
      const birth = cprBirthDate(cpr);
      if (birth === undefined) {
        fail(`${where}: bad CPR ${cpr}`);
        continue;
      }
      if (birth > addYears(f.day, -18) || birth <= addYears(f.day, -68)) fail(`${where}: age outside 18–67 at ${f.stamp}`);
      if (!UUID.test(row.UUID!)) fail(`${where}: bad UUID ${row.UUID}`);
      if (f.name.startsWith('Pers_nye')) {
        if (nyeUuids.has(row.UUID!)) fail(`${where}: engagement ${row.UUID} already created`);
        nyeUuids.add(row.UUID!);
      }
      needClass('engagementstype', row.EngagementTypeUUID!, where);
      needClass('stilling', row.StillingsBetegnelseUUID!, where);
      needClass('itsystem', row.ADITSystemUUID!, where, true);
      if (!/^(Ja|Nej)$/.test(row.PrimærAnsættelse!)) fail(`${where}: PrimærAnsættelse ${row.PrimærAnsættelse}`);
      if (row.Email && !/^[a-z0-9][a-z0-9.-]*@([a-z]+\.)*aarhus\.dk$/.test(row.Email)) fail(`${where}: bad Email ${row.Email}`);
      if (row.AZID && !/^az\d{5,6}$/.test(row.AZID)) fail(`${where}: bad AZID ${row.AZID}`);
      if (!row.AZID !== !row.ADkonto) fail(`${where}: AD columns without AZID`);
      if (!/^\S+( \S+)+$/.test(row.CPRNavn!)) fail(`${where}: CPRNavn ${row.CPRNavn} is not "given names surname"`);
      const start = parseLosDate(row.StartTid!);
      const end = parseLosDate(row.SlutTid!);
      if (start === undefined || end === undefined || end < start) fail(`${where}: bad period ${row.StartTid}..${row.SlutTid}`);
      else {
        if (start < addYears(birth, 18)) fail(`${where}: starts before the person is 18`);
        if (!validity.has(row.OrgenhedUUID!)) fail(`${where}: unit ${row.OrgenhedUUID} is in no Org file`);
        else if (!within(row.OrgenhedUUID!, start, end)) fail(`${where}: ${row.StartTid}..${row.SlutTid} outside the validity of unit ${row.OrgenhedUUID}`);
      }
      const other = personRows.get(cpr);
      if (other && (other.CPRNavn !== row.CPRNavn || other.Email !== row.Email || other.AZID !== row.AZID)) fail(`${where}: person ${cpr.slice(0, 6)}… has different name/e-mail/AZ id on another row`);
      personRows.set(cpr, row);
      if (!knownCpr.has(cpr)) knownCpr.set(cpr, f.day);
      engagements.set(row.UUID!, { row, where, day: f.day });
    }
    // after every file: exactly one primary engagement per person
    const primaries = new Map<string, number>();
    for (const e of engagements.values()) primaries.set(e.row.CPR!, (primaries.get(e.row.CPR!) ?? 0) + (e.row.PrimærAnsættelse === 'Ja' ? 1 : 0));
    for (const [cpr, n] of primaries) if (n !== 1) fail(`after ${f.name}: person ${cpr.slice(0, 6)}… has ${n} primary engagements`);
  }
  const ended = new Map<string, Day>();
  for (const f of byPrefix('Pers_luk')) {
    sameHeader(f, PERS_LUK_HEADER);
    for (const [i, row] of f.rows.entries()) {
      const e = engagements.get(row.UUID!);
      if (!e) fail(`${f.name}:${i + 2}: unknown engagement ${row.UUID}`);
      else if (e.row.CPR !== row.CPR || e.row.CPRNavn !== row.CPRNavn) fail(`${f.name}:${i + 2}: CPR/name differ from the engagement's`);
      else if (parseLosDate(e.row.StartTid!)! > f.day) fail(`${f.name}:${i + 2}: ends an engagement before it starts`);
      ended.set(row.UUID!, f.day);
    }
  }
  const perPerson = new Map<string, Eng[]>();
  for (const e of engagements.values()) perPerson.set(e.row.CPR!, [...(perPerson.get(e.row.CPR!) ?? []), e]);
  for (const [cpr, list] of perPerson) {
    const primaries = list.filter((e) => e.row.PrimærAnsættelse === 'Ja');
    if (primaries.length === 1 && ended.has(primaries[0]!.row.UUID!) && list.some((e) => !ended.has(e.row.UUID!))) fail(`person ${cpr.slice(0, 6)}…: the primary engagement is ended, another goes on`);
  }

  // ---- managers ----
  const managers = new Set<string>();
  for (const f of [...byPrefix('Leder_nye'), ...byPrefix('Leder_ret')].sort((a, b) => (a.stamp < b.stamp ? -1 : 1))) {
    sameHeader(f, LEDER_HEADER);
    for (const [i, row] of f.rows.entries()) {
      const where = `${f.name}:${i + 2}`;
      if (!within(row.OrgUUID!, f.day, f.day)) fail(`${where}: unit ${row.OrgUUID} not valid at ${f.stamp}`);
      const since = knownCpr.get(row.CPR!);
      if (since === undefined || since > f.day) fail(`${where}: CPR ${row.CPR!.slice(0, 6)}… not delivered in a Pers file before`);
      needClass('ledertype', row.LedertypeUUID!, where);
      needClass('lederniveau', row.LederniveauUUID!, where);
      needClass('lederansvar', row.LederansvarUUID!, where);
      if (f.name.startsWith('Leder_nye') && managers.has(`${row.OrgUUID}${row.CPR}`)) fail(`${where}: manager already created`);
      managers.add(`${row.OrgUUID}${row.CPR}`);
    }
  }
  for (const f of byPrefix('Leder_luk')) {
    sameHeader(f, LEDER_LUK_HEADER);
    for (const [i, row] of f.rows.entries()) if (!managers.has(`${row.OrgUUID}${row.CPR}`)) fail(`${f.name}:${i + 2}: unknown manager`);
  }

  // ---- DAR ----
  const register = JSON.parse(await readFile(path.join(dir, 'dar', 'adresser.json'), 'utf8')) as DarRecord[];
  const byId = new Map<string, DarRecord>();
  const byText = new Map<string, DarRecord[]>();
  for (const rec of register) {
    if (!UUID.test(rec.id_lokalId)) fail(`register: bad id ${rec.id_lokalId}`);
    if (byId.has(rec.id_lokalId)) fail(`register: duplicate id ${rec.id_lokalId}`);
    if (![2, 3, 4].includes(rec.status)) fail(`register: status ${rec.status}`);
    byId.set(rec.id_lokalId, rec);
    byText.set(rec.adressebetegnelse, [...(byText.get(rec.adressebetegnelse) ?? []), rec]);
  }
  for (const [text, list] of byText) if (list.filter((r) => r.status === 3).length > 1) fail(`register: ${text} is current twice`);
  const lower = new Set([...byText.keys()].map((t) => t.toLowerCase()));
  for (const [text, exp] of Object.entries(expected.postAdresser)) {
    const recs = byText.get(exp.canonical) ?? [];
    if (exp.darId) {
      const rec = byId.get(exp.darId);
      if (!rec || rec.status !== 3 || rec.adressebetegnelse !== exp.canonical) fail(`${text}: expected id ${exp.darId} is not the current record of ${exp.canonical}`);
    } else if (exp.reason === 'retired') {
      if (recs.some((r) => r.status === 3) || !recs.some((r) => r.status === 4)) fail(`${text}: must be retired (status 4) and not current`);
    } else if (exp.reason === 'not-in-register') {
      if (recs.length) fail(`${text}: must not be in the register`);
    } else if (exp.reason === 'misspelled') {
      if (lower.has(text.toLowerCase())) fail(`${text}: a misspelling must not be in the register`);
      if (!recs.some((r) => r.status === 3)) fail(`${text}: the correct address ${exp.canonical} must be current`);
    } else fail(`${text}: no id and no reason`);
  }
  const csv = (await readFile(path.join(dir, 'dar', 'adresser.csv'), 'utf8')).trimEnd().split('\n');
  if (csv[0] !== 'id;betegnelse') fail(`adresser.csv: header ${csv[0]}`);
  const currentCount = register.filter((r) => r.status === 3).length;
  if (csv.length - 1 !== currentCount) fail(`adresser.csv: ${csv.length - 1} rows, ${currentCount} current records`);
  return problems;
}
