/**
 * The terminal (issue 19): an interactive run ends with one clean final frame of the step list and
 * the one-screen summary — measured by replaying what the pseudo-terminal received through a real
 * terminal emulator (xterm.js, headless) and reading back the screen and its scrollback; per-file
 * sub-tasks show while they run; the same warning for many objects is one line; a dry run on a
 * fresh state creates nothing in the state folder.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import xterm from '@xterm/headless';
import { cli, sandbox, ROOT } from './helpers/cli.ts';
import { formatWarningGroup, groupWarnings } from '../src/engine/warnings.ts';
import { formatSummary } from '../src/engine/summary.ts';
import { Report } from '../src/engine/report.ts';

/** Run a command line in a pseudo-terminal of the given size; what the terminal received, raw. */
function inPty(commandLine: string, cols: number, rows: number, env: Record<string, string>): { code: number; raw: string } {
  const clean: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !/^(LOS_|MO_|CLIENT_|AUTH_|DAR_|CI$|NO_COLOR$|FORCE_COLOR$)/.test(k)) clean[k] = v;
  const r = spawnSync('script', ['-qec', `stty cols ${cols} rows ${rows}; ${commandLine}`, '/dev/null'], {
    cwd: ROOT, env: { ...clean, TERM: 'xterm-256color', COLUMNS: String(cols), LINES: String(rows), LOS2MO_CHECK_INPUTS: '1', ...env }, encoding: 'utf8', timeout: 180_000,
  });
  return { code: r.status ?? -1, raw: r.stdout };
}

/** The lines a terminal of that size shows, scrollback included, after `raw` (trailing blank lines dropped). */
async function screen(raw: string, cols: number, rows: number): Promise<string[]> {
  const term = new xterm.Terminal({ cols, rows, scrollback: 100_000, allowProposedApi: true });
  await new Promise<void>((resolve) => term.write(raw, resolve));
  const buffer = term.buffer.active;
  const lines: string[] = [];
  for (let i = 0; i < buffer.length; i++) lines.push(buffer.getLine(i)!.translateToString(true));
  while (lines.length && lines.at(-1)!.trim() === '') lines.pop();
  term.dispose();
  return lines;
}

const STEP_TITLES = ['Read the seed', 'Fetch LOS files', 'Parse STAM classes', 'Parse Org files', 'Wash postal addresses in DAR', 'Merge org unit history', 'Parse Pers files', 'Parse Leder files', 'Merge person and manager rows', 'Plan and write changes to MO', 'Commit the import state'];

for (const [cols, rows, noColor] of [[60, 24, true], [120, 40, false]] as const) {
  test(`an interactive run at ${cols} columns${noColor ? ' with NO_COLOR=1' : ''} leaves the final frame and the summary, nothing more`, async () => {
    const box = sandbox('los2mo-tty-');
    try {
      const r = inPty('./run workflow import.yaml', cols, rows, { ...box.env(), ...(noColor ? { NO_COLOR: '1' } : {}) });
      assert.is(r.code, 0, r.raw.slice(-3000));
      // per-file sub-tasks are drawn under the fetch step while it runs (spinner or ✔ with the size)
      const drawn = [...r.raw.matchAll(/\n\s+(?:\x1b\[[\d;]*m)*[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏✔](?:\x1b\[[\d;]*m)* ((?:STAM_UUID|Org|Pers|Leder)_\w+\.csv)/g)].map((m) => m[1]);
      assert.ok(new Set(drawn).size >= 3, `sub-task lines of the files while the fetch runs: ${[...new Set(drawn)].join(', ')}`);
      const lines = await screen(r.raw, cols, rows);
      const text = lines.join('\n');
      // the step list once: each step's final line exactly once, in order, as the first lines
      for (const [i, title] of STEP_TITLES.entries()) {
        const at = lines.flatMap((l, n) => (l.startsWith(`✔ ${title}`) ? [n] : []));
        assert.equal(at, [i], `"✔ ${title}" once, on line ${i + 1}:\n${text.slice(0, 4000)}`);
      }
      // no leftover frames: no pending or running step or sub-task line anywhere
      assert.not.match(text, /^\s*[◼❯⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏]/m, text.slice(0, 4000));
      assert.not.match(text, /^\s+✔ STAM_UUID/m, 'sub-tasks are collapsed in the final frame');
      // then the summary, once
      const summaryAt = lines.findIndex((l) => /^✔ success in /.test(l));
      assert.is(summaryAt, STEP_TITLES.length, text.slice(0, 4000));
      assert.is(lines.filter((l) => /^✔ success in /.test(l)).length, 1);
      // bounded: the summary is one screen of text; wrapped at 60 columns it takes more lines
      const summaryLines = lines.length - summaryAt;
      assert.ok(summaryLines <= 2 * rows + 10, `${summaryLines} summary lines`);
      assert.ok(lines.length <= STEP_TITLES.length + 2 * rows + 10, `${lines.length} lines in the terminal (was ~1,700 before)`);
    } finally {
      box.cleanup();
    }
  });
}

test('the same warning for many objects is one summary line with the count and the first examples; the report keeps all', () => {
  const report = new Report();
  report.run_id = 'r';
  report.outcome = 'success';
  const unit = (i: number) => `10000000-0000-0000-0000-${String(i).padStart(12, '0')}`;
  for (let i = 0; i < 1478; i++) report.warn(`Org_inital_20240101_000000.csv:${i + 2}: org unit ${unit(i)}: Med-i-LinjeOrg is false, but MO has the unit in the line organisation (org_unit_hierarchy); MO cannot clear that field through its API, so it is left as it is: remove it in MO if the unit has left the line organisation`);
  report.warn('4 postal addresses (3 distinct texts) not matched in DAR (not imported; MO keeps the postal address it has): failed_addr_Org_inital.csv');
  for (let i = 0; i < 3; i++) report.warn(`Pers_luk.csv:${i + 2}: engagement ${unit(900 + i)} does not exist in MO or has already ended by 2024-08-0${i + 1}; nothing to end`);
  const groups = groupWarnings(report.warnings);
  assert.equal(groups.map((g) => g.count), [1478, 1, 3]);
  assert.equal(groups[0]!.examples, ['Org_inital_20240101_000000.csv:2', 'Org_inital_20240101_000000.csv:3', 'Org_inital_20240101_000000.csv:4']);
  assert.match(formatWarningGroup(groups[0]!), /^1,478× Org_inital_20240101_000000\.csv:2: org unit 10000000-0000-0000-0000-000000000000: Med-i-LinjeOrg is false.* — also Org_inital_20240101_000000\.csv:3, Org_inital_20240101_000000\.csv:4 and 1,475 more \(all in the report\)$/);
  assert.is(formatWarningGroup(groups[1]!), report.warnings[1478]);
  const summary = formatSummary(report, 1000);
  const warningLines = summary.split('\n').slice(summary.split('\n').findIndex((l) => l.startsWith('  warnings')));
  assert.is(warningLines[0], '  warnings  1,482 (3 kinds)');
  assert.is(warningLines.length, 4, summary);
  assert.not.match(summary, /:5: org unit/, 'the fourth example is only in the report');
  assert.is(report.warnings.length, 1482, 'the report keeps every warning');
});

test('the summary keeps one label column when a workflow\'s step id is longer than the default (merge_units, a custom id)', () => {
  const report = new Report();
  report.run_id = 'r';
  report.outcome = 'failed';
  report.failure = 'MO refused 1 object(s)\nsecond line';
  const step = (id: string, summary: string) => ({ id, uses: id, status: 'done' as const, duration_ms: 100, counts: {}, summary });
  report.steps.push(step('fetch', '18 files'), step('merge_units', '49 units'), step('a_custom_long_step_id', 'done'));
  report.warn('one warning');
  const lines = formatSummary(report, 1000).split('\n').slice(1).filter((l) => /^  \S/.test(l) && !l.startsWith('  the state'));
  assert.equal(lines.map((l) => l.slice(2, 2 + 21).trim()), ['fetch', 'merge_units', 'a_custom_long_step_id', 'warnings', 'error']);
  // every value starts in the same column, after the longest label
  assert.equal([...new Set(lines.map((l) => l.search(/(?<=^  \S+ +)\S/)))], [2 + 21 + 1], lines.join('\n'));
  const continued = formatSummary(report, 1000).split('\n').find((l) => l.trim() === 'second line')!;
  assert.is(continued.indexOf('second'), 2 + 21 + 1, 'a failure\'s further lines line up under its first');
});

test('--dry-run on a fresh state creates no state folder and no mo.sqlite; the summary says MO was empty', () => {
  const box = sandbox('los2mo-dry-');
  try {
    const r = cli(['workflow', 'import.yaml', '--dry-run', '--report', path.join(box.dir, 'report.json')], box.env());
    assert.is(r.code, 0, r.stdout + r.stderr);
    assert.not.ok(existsSync(path.join(path.dirname(box.state), 'mo.sqlite')), 'no mo.sqlite');
    assert.not.ok(existsSync(path.dirname(box.state)), 'no state folder');
    assert.match(r.stdout, /embedded emulator, empty \(no database in the state folder yet; a dry run creates none\)/);
    const report = JSON.parse(readFileSync(path.join(box.dir, 'report.json'), 'utf8'));
    assert.is(report.mo.database, null);
    // totals.rows counts every row read, of every file kind
    assert.is(report.totals.rows, report.totals.stam_rows + report.totals.unit_rows + report.totals.person_rows + report.totals.manager_rows);
    assert.ok(report.totals.unit_rows > 0 && report.totals.stam_rows > 0);
    // the DAR step's line and the warning count the same unmatched addresses
    const dar = report.steps.find((s: { id: string }) => s.id === 'dar').summary as string;
    const unmatched = /(\d+ postal address(?:es)? \(\d+ distinct texts?\)) unmatched/.exec(dar)?.[1];
    assert.ok(unmatched, dar);
    assert.ok(report.warnings.some((w: string) => w.startsWith(`${unmatched} not matched in DAR`)), report.warnings.join('\n'));
  } finally {
    box.cleanup();
  }
});

test.run();
