/**
 * The DAR register loader against maintained streaming-JSON libraries: load the bench's register
 * (bench/out/dar/adresser.json, 200,001 records) for the bench's PostAdresse texts, three rounds
 * in turn, and print each way's best CPU time and its ratio to src/dar/register.ts's loader.
 * The libraries are not dependencies; to compare, install them without saving:
 *
 *   npm install --no-save stream-json @streamparser/json-node
 *   node --import tsx bench/dar-register.ts          (after npm run bench has written bench/out)
 *
 * Each way builds the same RegisterIndex from the same records (the counts are checked equal).
 */
import { existsSync, readFileSync, readdirSync, createReadStream } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadRegister, RegisterIndex } from '../src/dar/register.ts';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), 'out');
const file = path.join(root, 'dar', 'adresser.json');
if (!existsSync(file)) throw new Error(`${file} is missing: run npm run bench first`);
const texts = new Set<string>();
for (const name of readdirSync(path.join(root, 'los')).filter((n) => n.startsWith('Org_'))) {
  const [head, ...rows] = readFileSync(path.join(root, 'los', name), 'utf8').replace(/^\ufeff/, '').split(/\r?\n/);
  const at = head!.split(';').indexOf('PostAdresse');
  for (const r of rows) {
    const v = r.split(';')[at]?.trim();
    if (v) texts.add(v);
  }
}

const isCurrent = (s: unknown) => s === undefined || s === null || s === '' || Number(s) === 3;
/** What src/dar/register.ts's loadJson does with a record, from a parsed object. */
function offer(index: RegisterIndex, o: Record<string, unknown>) {
  const text = (o.adressebetegnelse ?? o.betegnelse) as unknown;
  const id = (o.id_lokalId ?? o.id) as unknown;
  if (typeof id !== 'string' || typeof text !== 'string' || !id || !text) { index.skipped++; return; }
  if (index.offer(text)) index.add(id.toLowerCase(), isCurrent(o.status));
}
const stream = () => createReadStream(file, { highWaterMark: 1 << 20 });

type Way = [string, () => Promise<RegisterIndex>];
const ways: Way[] = [['src/dar/register.ts (JsonRecordSplitter)', () => loadRegister(file, texts)]];
try {
  const { parser } = await import('stream-json' as string);
  const { streamArray } = await import('stream-json/streamers/stream-array.js' as string);
  const { default: chain } = await import('stream-chain' as string);
  ways.push(['stream-json parser + streamArray', async () => {
    const index = new RegisterIndex(texts);
    for await (const { value } of chain([stream(), parser(), streamArray()]) as AsyncIterable<{ value: Record<string, unknown> }>) offer(index, value);
    index.seal();
    return index;
  }]);
} catch { process.stdout.write('stream-json not installed: not compared\n'); }
try {
  const { JSONParser } = await import('@streamparser/json-node' as string);
  ways.push(['@streamparser/json-node (paths $.*)', async () => {
    const index = new RegisterIndex(texts);
    for await (const { value } of stream().pipe(new JSONParser({ paths: ['$.*'], keepStack: false })) as AsyncIterable<{ value: Record<string, unknown> }>) offer(index, value);
    index.seal();
    return index;
  }]);
} catch { process.stdout.write('@streamparser/json-node not installed: not compared\n'); }

const best = new Map<string, { cpu: number; wall: number; records: number; kept: number }>();
for (let round = 1; round <= 3; round++) {
  for (const [name, load] of ways) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    const index = await load();
    const wall = performance.now() - t0;
    const c = process.cpuUsage(c0);
    const cpu = (c.user + c.system) / 1000;
    const b = best.get(name);
    if (!b || cpu < b.cpu) best.set(name, { cpu, wall, records: index.size, kept: index.kept });
    process.stdout.write(`round ${round}  ${name.padEnd(42)} CPU ${(cpu / 1000).toFixed(2)} s  wall ${(wall / 1000).toFixed(2)} s\n`);
  }
}
const base = best.get(ways[0]![0])!;
process.stdout.write(`\n${texts.size} texts, ${path.relative(process.cwd(), file)} (${(readFileSync(file).length / 1e6).toFixed(1)} MB), best of 3 by CPU:\n`);
for (const [name] of ways) {
  const b = best.get(name)!;
  if (b.records !== base.records || b.kept !== base.kept) throw new Error(`${name}: ${b.records}/${b.kept} records/kept, not ${base.records}/${base.kept}`);
  process.stdout.write(`  ${name.padEnd(42)} CPU ${(b.cpu / 1000).toFixed(2)} s  ${(b.cpu / base.cpu).toFixed(1)}×  (wall ${(b.wall / 1000).toFixed(2)} s)\n`);
}
