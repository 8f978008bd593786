/**
 * Generate a LOS delivery with its DAR register.
 *
 *   node --import tsx examples/generate.ts [--out examples] [--scale example|bench] [--seed N]
 *
 * The example scale (default) rewrites the checked-in `examples/los/`, `examples/dar/` and
 * `examples/expected.json`; the bench scale writes to `bench/out/` unless `--out` is given.
 * Same seed, same bytes.
 */
import { argv, path } from 'zx';
import { generateDelivery, type Scale } from './lib/delivery.ts';

const scale = (argv.scale ?? 'example') as Scale;
if (scale !== 'example' && scale !== 'bench') {
  console.error(`--scale must be example or bench, not ${scale}`);
  process.exit(2);
}
if (argv.help || argv.h) {
  console.log('usage: node --import tsx examples/generate.ts [--out DIR] [--scale example|bench] [--seed N]');
  process.exit(0);
}
const root = path.resolve(import.meta.dirname, '..');
const out = argv.out ? String(argv.out) : scale === 'example' ? path.join(root, 'examples') : path.join(root, 'bench', 'out');
const seed = argv.seed === undefined ? undefined : Number(argv.seed);
if (seed !== undefined && !Number.isInteger(seed)) {
  console.error(`--seed must be an integer, not ${argv.seed}`);
  process.exit(2);
}

const result = await generateDelivery({ out, scale, ...(seed === undefined ? {} : { seed }) });
const width = Math.max(...Object.keys(result.counts).map((k) => k.length));
for (const [name, n] of Object.entries(result.counts)) console.log(`${name.padEnd(width)}  ${String(n).padStart(7)}`);
console.log(`wrote ${result.files.length} files to ${path.relative(process.cwd(), out) || '.'} in ${result.millis} ms`);
