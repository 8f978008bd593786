/**
 * generateDelivery: write a LOS delivery (`<out>/los/`), its DAR register (`<out>/dar/`) and
 * `<out>/expected.json` (what the files demonstrate and what each PostAdresse must wash to).
 */
import { mkdir, readdir, rm, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { csvText } from './csv.ts';
import { stampMillis } from './dates.ts';
import { writeRegister } from './dar.ts';
import type { Delivery } from './model.ts';
import { EXAMPLE_SEED, exampleDelivery } from './example.ts';
import { BENCH_SEED, type BenchSizes, benchDelivery } from './bench.ts';

export type Scale = 'example' | 'bench';

export interface GenerateOptions {
  /** folder to write into: `<out>/los/`, `<out>/dar/`, `<out>/expected.json` */
  out: string;
  scale?: Scale;
  /** PRNG seed; defaults: example 751, bench 9 */
  seed?: number;
  /** bench scale only: override sizes (e.g. TINY_BENCH_SIZES for tests) */
  sizes?: Partial<BenchSizes>;
}

export interface GenerateResult {
  /** absolute paths of every file written */
  files: string[];
  /** rows per CSV file name, plus `dar.records`, `dar.current`, `units`, `persons`, `engagements`, `managers` */
  counts: Record<string, number>;
  /** LOS file names of the first import and of the later delta run */
  phases: { initial: string[]; delta: string[] };
  /** the folders written */
  losDir: string;
  darDir: string;
  millis: number;
}

const LOS_FILE = /^(STAM_UUID_\w+|(Org|Pers|Leder)_\w+_\d{8}_\d{6})\.csv$/;

export function buildDelivery(scale: Scale, seed?: number, sizes?: Partial<BenchSizes>): Delivery {
  return scale === 'example' ? exampleDelivery(seed ?? EXAMPLE_SEED) : benchDelivery(seed ?? BENCH_SEED, sizes);
}

export async function generateDelivery(opts: GenerateOptions): Promise<GenerateResult> {
  const started = performance.now();
  const scale = opts.scale ?? 'example';
  const seed = opts.seed ?? (scale === 'example' ? EXAMPLE_SEED : BENCH_SEED);
  const out = path.resolve(opts.out);
  const losDir = path.join(out, 'los');
  const darDir = path.join(out, 'dar');
  await mkdir(losDir, { recursive: true });
  await mkdir(darDir, { recursive: true });
  // remove the LOS files of an earlier generation (only files named like LOS files)
  for (const name of await readdir(losDir)) if (LOS_FILE.test(name)) await rm(path.join(losDir, name));

  const delivery = buildDelivery(scale, seed, opts.sizes);
  const written: string[] = [];
  const counts: Record<string, number> = {};
  const phases: GenerateResult['phases'] = { initial: [], delta: [] };
  const rowsOf = new Map<string, string[][]>();
  for (const f of delivery.files) {
    const file = path.join(losDir, f.name);
    await writeFile(file, csvText(f.header, f.rows, f.bom));
    // modification time = the file's timestamp, so "files newer than the last import" works on the folder
    const mtime = new Date(stampMillis(f.stamp));
    await utimes(file, mtime, mtime);
    written.push(file);
    counts[f.name] = f.rows.length;
    phases[f.phase].push(f.name);
    rowsOf.set(f.name, f.rows);
  }

  const { total, current } = await writeRegister(delivery.register, path.join(darDir, 'adresser.json'), path.join(darDir, 'adresser.csv'));
  written.push(path.join(darDir, 'adresser.json'), path.join(darDir, 'adresser.csv'));
  counts['dar.records'] = total;
  counts['dar.current'] = current;
  Object.assign(counts, delivery.counts);

  // what each PostAdresse must wash to; per row for the example, per text for the bench
  const texts = Object.fromEntries([...delivery.texts].sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0)));
  const unmatched: { file: string; line: number; org: string; text: string; reason: string }[] = [];
  const addresses: { file: string; line: number; org: string; text: string; darId: string | null }[] = [];
  for (const f of delivery.files) {
    if (!f.name.startsWith('Org_')) continue;
    const col = f.header.indexOf('PostAdresse');
    f.rows.forEach((row, i) => {
      const text = row[col]!;
      if (!text) return;
      const exp = delivery.texts.get(text);
      if (!exp) throw new Error(`no expectation for PostAdresse ${text}`);
      if (scale === 'example') addresses.push({ file: f.name, line: i + 2, org: row[0]!, text, darId: exp.darId });
      if (exp.reason) unmatched.push({ file: f.name, line: i + 2, org: row[0]!, text, reason: exp.reason });
    });
  }
  const expected = {
    generator: { scale, seed, command: `node --import tsx examples/generate.ts --scale ${scale} --seed ${seed}` },
    files: Object.fromEntries(delivery.files.map((f) => [f.name, { rows: f.rows.length, bom: f.bom, phase: f.phase }])),
    counts,
    cases: delivery.cases,
    unmatchedAddresses: unmatched,
    ...(scale === 'example' ? { addresses } : {}),
    postAdresser: texts,
  };
  const expectedFile = path.join(out, 'expected.json');
  await writeFile(expectedFile, JSON.stringify(expected, null, scale === 'example' ? 2 : 0) + '\n');
  written.push(expectedFile);
  return { files: written, counts, phases, losDir, darDir, millis: Math.round(performance.now() - started) };
}
