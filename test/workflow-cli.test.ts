/** The workflow engine through the real CLI: dry run, validation errors, mappings as data, progress views. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, readFileSync, writeFileSync, mkdirSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { cli, sandbox, underPty, ROOT } from './helpers/cli.ts';

test('dry run on the example delivery lists the selected files and the classes per facet, writes no state', () => {
  const box = sandbox();
  try {
    const r = cli(['workflow', 'import.yaml', '--dry-run'], box.env());
    assert.is(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /STAM_UUID_Enhedstype\.csv/);
    assert.match(r.stdout, /Org_inital_20240101_000000\.csv/);
    const enhedstyper = readFileSync(path.join(box.los, 'STAM_UUID_Enhedstype.csv'), 'utf8').trim().split(/\r?\n/).length - 1;
    assert.match(r.stdout, new RegExp(`org_unit_type ${enhedstyper}\\b`));
    assert.match(r.stdout, /dry run/);
    assert.not.ok(existsSync(box.state), 'a dry run must not write the state file');
  } finally {
    box.cleanup();
  }
});

function writeWorkflow(dir: string, text: string) {
  const file = path.join(dir, 'wf.yaml');
  writeFileSync(file, text);
  mkdirSync(path.join(dir, 'mappings'), { recursive: true });
  writeFileSync(path.join(dir, 'mappings', 'stam.yaml'), readFileSync(path.join(ROOT, 'workflows/mappings/stam.yaml')));
  return file;
}

test('an unknown step fails before anything runs, naming file and line (exit 2)', () => {
  const box = sandbox();
  try {
    const wf = writeWorkflow(box.dir, 'name: t\nsteps:\n  - id: fetch\n    uses: fetch\n    with: { source: x }\n  - id: bad\n    uses: no-such-step\n');
    const r = cli(['workflow', wf], box.env());
    assert.is(r.code, 2, r.stdout + r.stderr);
    assert.match(r.stderr, new RegExp(`${wf.replace(/[.]/g, '\\.')}:7: steps\\[1\\]\\.uses: unknown step "no-such-step"`));
    assert.not.match(r.stdout + r.stderr, /Fetch LOS files/);
  } finally {
    box.cleanup();
  }
});

test('a missing required with-option and a wrong type name file, line and rule (exit 2)', () => {
  const box = sandbox();
  try {
    const wf = writeWorkflow(box.dir, 'name: t\nsteps:\n  - id: fetch\n    uses: fetch\n    with:\n      all: "yes"\n      source: x\n  - id: classes\n    uses: parse-classes\n    input: { files: "${{ steps.fetch.outputs.files }}" }\n');
    const r = cli(['workflow', wf], box.env());
    assert.is(r.code, 2, r.stdout + r.stderr);
    assert.match(r.stderr, /wf\.yaml:6: step "fetch" \(fetch\): with\.all: must be boolean \(got "yes"\)/);
    assert.match(r.stderr, /wf\.yaml:8: step "classes" \(parse-classes\): with: missing required property "mapping"/);
  } finally {
    box.cleanup();
  }
});

test('a reference to a later step or an unknown output is refused', () => {
  const box = sandbox();
  try {
    const wf = writeWorkflow(box.dir, 'name: t\nsteps:\n  - id: classes\n    uses: parse-classes\n    with: { mapping: mappings/stam.yaml }\n    input: { files: "${{ steps.fetch.outputs.files }}" }\n  - id: fetch\n    uses: fetch\n    with: { source: x }\n  - id: c2\n    uses: parse-classes\n    with: { mapping: mappings/stam.yaml }\n    input: { files: "${{ steps.fetch.outputs.nope }}" }\n');
    const r = cli(['workflow', wf], box.env());
    assert.is(r.code, 2);
    assert.match(r.stderr, /wf\.yaml:6: input\.files: "steps\.fetch\.outputs\.files" refers to step "fetch", which does not run before this step/);
    assert.match(r.stderr, /wf\.yaml:13: input\.files: step "fetch" has no output "nope" \(it gives: files, source, skipped, retries\)/);
  } finally {
    box.cleanup();
  }
});

test('renaming a column in the STAM mapping and the CSV changes what is read, with no code change', () => {
  const box = sandbox();
  try {
    const wf = writeWorkflow(box.dir, 'name: t\nsteps:\n  - id: fetch\n    uses: fetch\n    with: { source: "${{ settings.source }}" }\n  - id: classes\n    uses: parse-classes\n    with: { mapping: mappings/stam.yaml }\n    input: { files: "${{ steps.fetch.outputs.files }}" }\n');
    const csv = path.join(box.los, 'STAM_UUID_Enhedstype.csv');
    const original = readFileSync(csv, 'utf8');
    // rename the text column in the CSV only: the mapping no longer finds it → input error naming the column
    writeFileSync(csv, original.replace('EnhedstypeUUID;Enhedstype', 'EnhedstypeUUID;Enhedstypenavn'));
    let r = cli(['workflow', wf, '--report', path.join(box.dir, 'r1.json')], box.env());
    assert.is(r.code, 3, r.stdout + r.stderr);
    assert.match(r.stderr, /STAM_UUID_Enhedstype\.csv:1: Enhedstype: missing required column "Enhedstype"/);
    // the same rename in the YAML mapping: read again, and the names now come from the renamed column
    const mapping = path.join(box.dir, 'mappings', 'stam.yaml');
    writeFileSync(mapping, readFileSync(mapping, 'utf8').replace('user_key: Enhedstype, name: Enhedstype', 'user_key: Enhedstype, name: Enhedstypenavn').replace('{ uuid: EnhedstypeUUID, user_key: Enhedstype,', '{ uuid: EnhedstypeUUID, user_key: Enhedstypenavn,'));
    writeFileSync(csv, original.replace('EnhedstypeUUID;Enhedstype', 'EnhedstypeUUID;Enhedstypenavn'));
    const report = path.join(box.dir, 'r2.json');
    r = cli(['workflow', wf, '--report', report], box.env());
    assert.is(r.code, 0, r.stdout + r.stderr);
    const rows = original.trim().split(/\r?\n/).length - 1;
    assert.match(r.stdout, new RegExp(`org_unit_type ${rows}\\b`));
  } finally {
    box.cleanup();
  }
});

test('piped output is one plain line per event; under a terminal the interactive view is drawn', () => {
  const box = sandbox();
  try {
    const piped = cli(['workflow', 'import.yaml', '--dry-run'], box.env());
    assert.is(piped.code, 0);
    assert.not.match(piped.stdout, /\x1b\[/, 'no escape sequences when piped');
    assert.match(piped.stdout, /^✔ Fetch LOS files: \d+ files from /m);
    const tty = underPty(`./run workflow import.yaml --dry-run`, box.env());
    assert.is(tty.code, 0, tty.stdout);
    assert.match(tty.stdout, /\x1b\[/, 'the interactive view redraws the terminal with escape sequences');
    assert.match(tty.stdout, /Parse STAM classes and IT systems/);
    assert.match(tty.stdout, /STAM_UUID_Enhedstype\.csv/, 'one subtask line per file');
  } finally {
    box.cleanup();
  }
});

test('a second run only takes files modified after the state; --import-from-date overrides it', () => {
  const box = sandbox();
  try {
    let r = cli(['workflow', 'import.yaml'], box.env());
    assert.is(r.code, 0, r.stdout + r.stderr);
    const state = readFileSync(box.state, 'utf8').trim();
    assert.match(state, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}[+-]\d{2}:\d{2}$/);
    r = cli(['workflow', 'import.yaml'], box.env());
    assert.is(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /0 files from .* \(18 not newer than the last import\)/);
    r = cli(['workflow', 'import.yaml', '--dry-run', '--import-from-date', '2024-06-15'], box.env());
    assert.is(r.code, 0);
    assert.match(r.stdout, /Fetch LOS files: 5 files/, r.stdout);
    r = cli(['workflow', 'import.yaml', '--import-from-date', '2024-02-30'], box.env());
    assert.is(r.code, 2);
    assert.match(r.stdout + r.stderr, /--import-from-date expects YYYY-MM-DD/);
  } finally {
    box.cleanup();
  }
});

test('config shows where each setting came from, with secrets redacted', () => {
  const box = sandbox();
  try {
    const settingsFile = path.join(box.dir, 'settings.json');
    writeFileSync(settingsFile, JSON.stringify({ 'integrations.aarhus_los.ftp_user': 'fromfile', integrations: { aarhus_los: { ftp_pass: 'file-secret-123' } }, mora_base: 'http://mo.example' }));
    const r = cli(['config', '--settings', settingsFile, '--set', 'batch_size=7'], { MO_URL: 'http://env-mo', CLIENT_SECRET: 'env-secret-456' });
    assert.is(r.code, 0, r.stderr);
    assert.match(r.stdout, /mo_url\s+http:\/\/env-mo\s+environment \(MO_URL\)/);
    assert.match(r.stdout, /ftp_pass\s+\*\*\*\s+settings file \(integrations\.aarhus_los\.ftp_pass\)/);
    assert.match(r.stdout, /client_secret\s+\*\*\*\s+environment/);
    assert.match(r.stdout, /batch_size\s+7\s+command line/);
    assert.match(r.stdout, /auth_realm\s+mo\s+default/);
    assert.not.match(r.stdout, /file-secret-123|env-secret-456/);
  } finally {
    box.cleanup();
  }
});

test('the work folder of a successful run is removed; no stray files in the state folder', () => {
  const box = sandbox();
  try {
    const r = cli(['workflow', 'import.yaml'], box.env());
    assert.is(r.code, 0, r.stdout + r.stderr);
    const stateDir = path.dirname(box.state);
    const work = path.join(stateDir, 'work');
    assert.equal(existsSync(work) ? readdirSync(work) : [], []);
    assert.ok(existsSync(path.join(stateDir, 'journal.jsonl')));
    assert.not.ok(existsSync(path.join(stateDir, 'lock')), 'the lock is released');
  } finally {
    box.cleanup();
  }
});

test.run();
