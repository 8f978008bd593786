/**
 * package.json pins every package to an exact version (npm ci installs what was tested), and the
 * README's dependency table names every package, marking the devDependencies "(dev)".
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';

const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { dependencies: Record<string, string>; devDependencies: Record<string, string> };
const readme = readFileSync('README.md', 'utf8');
const start = readme.indexOf('| package | why |');
const rows = readme.slice(start, readme.indexOf('\n\n', start)).split('\n').slice(2).map((r) => r.split(' | ')[0]!.slice(2));

/** The table row that names the package (a row may name several, or `@types/*`). */
const rowOf = (name: string) => rows.find((r) => r.split(/,\s*/).some((n) => n.replace(/ \(.*$/, '') === name || (n.startsWith('@types/*') && name.startsWith('@types/'))));

test('every dependency is pinned to an exact version', () => {
  for (const [name, range] of Object.entries({ ...pkg.dependencies, ...pkg.devDependencies })) assert.match(range, /^\d+\.\d+\.\d+$/, `${name}: ${range}`);
});

test('README names every package; exactly the devDependencies are marked (dev)', () => {
  for (const name of Object.keys(pkg.dependencies)) {
    const row = rowOf(name);
    assert.ok(row, `README names ${name}`);
    assert.not.match(row!, /\bdev\b/, `${name} is a runtime dependency`);
  }
  for (const name of Object.keys(pkg.devDependencies)) {
    const row = rowOf(name);
    assert.ok(row, `README names ${name}`);
    assert.match(row!, /\bdev\b/, `${name} is marked (dev)`);
  }
});

test.run();
