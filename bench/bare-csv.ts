/**
 * Bare csv-parse over the given files, in a fresh process as an import runs: the first pass (cold:
 * csv-parse's code not yet optimised, as in every import) and the best of three more (warm).
 * Prints {"coldMs","warmMs","rows"} as JSON. Usage: node --import tsx bench/bare-csv.ts FILE…
 */
import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';

const files = process.argv.slice(2);
const pass = () => {
  const t = performance.now();
  let rows = 0;
  for (const f of files) rows += (parse(readFileSync(f), { delimiter: ';', bom: true, relax_column_count: true, skip_empty_lines: true }) as string[][]).length - 1;
  return { ms: performance.now() - t, rows };
};
const cold = pass();
let warm = Infinity;
for (let i = 0; i < 3; i++) warm = Math.min(warm, pass().ms);
process.stdout.write(JSON.stringify({ coldMs: cold.ms, warmMs: warm, rows: cold.rows }) + '\n');
