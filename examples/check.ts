/**
 * Check a generated delivery folder (`<dir>/los`, `<dir>/dar`, `<dir>/expected.json`):
 *
 *   node --import tsx examples/check.ts [DIR]      (default: examples/)
 *
 * Prints the problems found; exit status 1 when there are any.
 */
import { argv, path } from 'zx';
import { checkDelivery } from './lib/check.ts';

const dir = argv._[0] ? String(argv._[0]) : path.resolve(import.meta.dirname);
const started = performance.now();
const problems = await checkDelivery(dir);
for (const p of problems) console.log(p);
console.log(`${problems.length} problems in ${path.relative(process.cwd(), dir) || '.'} (${Math.round(performance.now() - started)} ms)`);
process.exit(problems.length ? 1 : 0);
