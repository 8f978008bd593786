/** Engine pieces as pure functions: expressions, settings precedence, dates, CSV problems, schema files. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync, readdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { evaluate, interpolate, referencedPaths } from '../src/engine/expressions.ts';
import { resolveSettings } from '../src/settings.ts';
import { copenhagenMidnight, isoWithOffset, addDays, parseIsoDateTime } from '../src/time.ts';
import { parseCsvText } from '../src/los/csv.ts';
import { InputError } from '../src/errors.ts';
import { redact, addSecret, maskCpr } from '../src/log.ts';
import { exported, render } from '../schemas/export.ts';
import { loadStepModule, STEPS_DIR } from '../src/engine/workflow.ts';
import { validator } from '../src/engine/schema.ts';

test('expressions: paths, operators, types kept for whole expressions, interpolation otherwise', () => {
  const ctx = { env: { A: 'x' }, run: { dry_run: false, n: 3 }, steps: { f: { outputs: { files: [1, 2] } } } };
  assert.equal(interpolate('${{ steps.f.outputs.files }}', ctx), [1, 2]);
  assert.is(interpolate('a-${{ env.A }}-${{ run.n }}', ctx), 'a-x-3');
  assert.is(evaluate("!run.dry_run && env.A == 'x'", ctx), true);
  assert.is(evaluate("env.MISSING || 'default'", ctx), 'default');
  assert.is(evaluate('run.n >= 3', ctx), true);
  assert.equal(referencedPaths("steps.f.outputs.files && env['A']"), [['steps', 'f', 'outputs', 'files'], ['env', 'A']]);
  assert.throws(() => evaluate('nope.x', ctx), /unknown name "nope"/);
  assert.throws(() => evaluate("'open", ctx), /unterminated/);
});

test('settings: --set > environment > settings file > workflow > default', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'los2mo-settings-'));
  const file = path.join(dir, 'settings.json');
  writeFileSync(file, JSON.stringify({ 'integrations.aarhus_los.state_file': '/from/file', mora_base: 'http://file', integrations: { aarhus_los: { ftp_url: 'ftp://host/x' } } }));
  const s = resolveSettings({ settingsFile: file, env: { MO_URL: 'http://env' }, overrides: ['batch_size=5'], workflowDefaults: { batch_size: '50', source: 'examples/los' } });
  assert.is(s.get('batch_size'), '5');
  assert.is(s.values.get('batch_size')!.origin, 'command line');
  assert.is(s.get('mo_url'), 'http://env');
  assert.is(s.get('state_file'), '/from/file');
  assert.is(s.get('source'), 'ftp://host/x');
  assert.is(s.values.get('source')!.origin, 'settings file');
  // the workflow beats the default; the settings file beats the workflow
  const layered = resolveSettings({ env: {}, settingsFile: file, workflowDefaults: { batch_size: '50', mo_url: 'http://workflow' } });
  assert.equal(layered.values.get('batch_size'), { value: '50', origin: 'workflow', from: undefined });
  assert.equal(layered.values.get('mo_url'), { value: 'http://file', origin: 'settings file', from: 'mora_base' });
  assert.equal(resolveSettings({ env: {}, settingsFile: file }).values.get('batch_size'), { value: '100', origin: 'default', from: undefined });
});

test('dates: Copenhagen midnight across DST, ISO with offset, day arithmetic', () => {
  assert.is(copenhagenMidnight('2024-01-15').toISOString(), '2024-01-14T23:00:00.000Z');
  assert.is(copenhagenMidnight('2024-07-15').toISOString(), '2024-07-14T22:00:00.000Z');
  assert.is(isoWithOffset(new Date('2024-07-01T10:00:00Z')), '2024-07-01T12:00:00.000+02:00');
  assert.is(addDays('2024-02-28', 1), '2024-02-29');
  assert.is(addDays('9999-12-31', 0), '9999-12-31');
  assert.is(parseIsoDateTime('2024-03-31T02:30:00+02:00')!.toISOString(), '2024-03-31T00:30:00.000Z');
  assert.is(parseIsoDateTime('2024-02-30'), null);
});

test('dates: a time without offset is Copenhagen wall-clock time, also on the DST change days', () => {
  // expected instants from Python's zoneinfo: datetime(2024,3,31,3,30,tzinfo=ZoneInfo('Europe/Copenhagen')).astimezone(UTC)
  const utc = (text: string) => parseIsoDateTime(text)!.toISOString();
  assert.is(utc('2024-03-31T03:30:00'), '2024-03-31T01:30:00.000Z'); // CEST began at 02:00 local that night
  assert.is(utc('2024-03-31T01:59:59'), '2024-03-31T00:59:59.000Z'); // still CET
  assert.is(utc('2024-03-31T00:00:00'), '2024-03-30T23:00:00.000Z');
  assert.is(utc('2024-10-27T12:00:00'), '2024-10-27T11:00:00.000Z'); // CET again since 03:00 local
  assert.is(utc('2024-10-27T01:30:00'), '2024-10-26T23:30:00.000Z'); // still CEST
  assert.is(utc('2024-10-27T00:00:00'), '2024-10-26T22:00:00.000Z');
  assert.is(utc('2024-10-27 23:59:59.5'), '2024-10-27T22:59:59.500Z');
  assert.is(utc('2024-07-01T10:00:00'), '2024-07-01T08:00:00.000Z');
});

test('CSV problems name file, line and column', () => {
  const problems = (text: string) => {
    try {
      parseCsvText(text, 'X.csv');
      return [];
    } catch (e) {
      return (e as InputError).problems.map((p) => `${p.line}:${p.column}:${p.field}:${p.message}`);
    }
  };
  assert.match(problems('A;B\n1;2\n3\n')[0]!, /^3:2:B:expected 2 fields, found 1 \(truncated line\?\)/);
  assert.match(problems('A;B;A\n1;2;3\n')[0]!, /^1:3:A:duplicated column \(also column 1\)/);
  assert.match(problems('A,B,C\n1,2,3\n')[0]!, /^1:1:header:the header has no ";" delimiter/);
  assert.match(problems('')[0]!, /^1:1:header:the file is empty/);
  assert.match(problems('A;B\n1;"open\n')[0]!, /^2:2:B:a quoted field opens here and is never closed/);
  const ok = parseCsvText('\uFEFFA;B\r\n"x;y";2\r\n\r\n4;5\r\n', 'X.csv');
  assert.equal(ok.header, ['A', 'B']);
  assert.equal(ok.rows.map((r) => [r.line, r.values]), [[2, ['x;y', '2']], [4, ['4', '5']]]);
  // quoted line breaks (CRLF and a lone CR) and an empty line do not shift later line numbers
  const multi = parseCsvText('A;B\r\n1;"x\r\ny"\r\n\r\n2;3\r\n3;"p\rq"\r\n4;5\r\nø;"æ\nå"\r\n5;6', 'X.csv');
  assert.equal(multi.rows.map((r) => r.line), [2, 5, 6, 7, 8, 10]);
});

test('redaction: secrets, URL credentials, token parameters, CPR numbers', () => {
  addSecret('s3cr3t-value');
  assert.is(redact('pw s3cr3t-value here'), 'pw *** here');
  addSecret('quo"te\\back');
  assert.is(redact(JSON.stringify({ p: 'x quo"te\\back y' })), '{"p":"x *** y"}');
  assert.is(redact('ftp://user:pw@host/x'), 'ftp://user:***@host/x');
  assert.is(redact('GET /vask/?token=abc&adresse=x'), 'GET /vask/?token=***&adresse=x');
  assert.is(maskCpr('cpr 0708722608 and 070872-2608'), 'cpr 070872xxxx and 070872xxxx');
  assert.is(maskCpr('uuid 12345678-0708-7226-0812-123456789012'), 'uuid 12345678-0708-7226-0812-123456789012');
  assert.is(maskCpr('9913722608'), '991372xxxx', 'a CPR value is masked whole, also one without a valid date');
  // one redaction for all: secrets of one source or provider (as they are, URL-encoded, base64, inside JSON) beside the registered ones
  const basic = Buffer.from('p@ss"w0rd', 'utf8').toString('base64');
  assert.is(redact(`PASS p@ss"w0rd, p%40ss%22w0rd, Basic ${basic}, {"x":"p@ss\\"w0rd"}`, ['p@ss"w0rd', undefined]), 'PASS ***, ***, Basic ***, {"x":"***"}');
  assert.is(redact('pw ab stays', ['ab']), 'pw ab stays', 'too short to redact');
  assert.is(redact('x api_key=k1&apikey=k2#f token=t y', []), 'x api_key=***&apikey=***#f token=*** y');
  assert.is(redact('sftp://u:pw@h/0708722608 s3cr3t-value-long', ['s3cr3t-value-long']), 'sftp://u:***@h/070872xxxx ***');
});

test('the JSON schema files are up to date with their TypeScript sources', () => {
  for (const [name, schema] of Object.entries(exported)) {
    assert.is(readFileSync(path.join('schemas', name), 'utf8'), render(schema), `schemas/${name} is stale: run npm run schemas`);
  }
});

test('every step module declares its name and closed object schemas for with, input and output', async () => {
  const names = readdirSync(STEPS_DIR).filter((f) => f.endsWith('.ts')).map((f) => f.slice(0, -3));
  assert.ok(names.length >= 10);
  for (const name of names) {
    const mod = await loadStepModule(name, STEPS_DIR);
    assert.ok(mod, name);
    assert.is(mod!.name, name, `steps/${name}.ts declares name "${mod!.name}"`);
    for (const k of ['with', 'input', 'output'] as const) {
      const schema = mod!.schemas[k] as { required?: string[] };
      const valid = validator(schema);
      assert.not.ok(valid(42), `${name} ${k}: a number is no ${k}`);
      assert.not.ok(valid({ no_such_key: 1 }), `${name} ${k}: an unknown key is refused`);
      assert.is(valid({}), !schema.required?.length, `${name} ${k}: {} is valid exactly when nothing is required`);
    }
  }
  // upload declares what it gives: a refused object fails the step (it never returned a list of failures)
  const upload = (await loadStepModule('upload', STEPS_DIR))!.schemas.output as { properties: object; required: string[] };
  assert.equal([Object.keys(upload.properties).sort(), upload.required], [['changes', 'skipped_rows', 'written'], ['changes', 'written']]);
});

test('README\'s settings table is the settings list; ./run --help names exactly the workflow options the parser takes', async () => {
  const readme = readFileSync('README.md', 'utf8');
  const { SETTINGS } = await import('../src/settings.ts');
  const start = readme.indexOf('| setting | environment |');
  const rows = readme.slice(start, readme.indexOf('\n\n', start)).split('\n').slice(2);
  const table = rows.map((row) => /^\| `([a-z_]+)` \| (?:`([A-Z_]+)`)? *\| (.*?) \|/.exec(row)!);
  assert.equal(table.map((m) => m[1]).sort(), SETTINGS.map((s) => s.name).sort(), 'one README row per setting, no stale rows');
  for (const m of table) {
    const def = SETTINGS.find((s) => s.name === m[1])!;
    assert.is(m[2], def.env, `README: ${def.name}'s environment variable`);
    for (const key of def.file ?? []) assert.ok(m[3]!.includes(key.replace(/^integrations\.aarhus_los(?=\.)/, '')), `README: ${def.name} read from ${key}`);
  }
  const { HELP, main } = await import('../src/cli.ts');
  const section = HELP.slice(HELP.indexOf('workflow options:'), HELP.indexOf('config options:'));
  const options = [...section.matchAll(/^ {2}(--[a-z-]+)/gm)].map((m) => m[1]!);
  assert.ok(options.length >= 10, options.join(' '));
  // main() writes the help to stdout and listens for EPIPE on both streams at every call
  const quietly = async (args: string[]) => {
    const write = process.stdout.write;
    const listening = [process.stdout, process.stderr].map((s) => s.listeners('error'));
    process.stdout.write = (() => true) as typeof process.stdout.write;
    try {
      return await main(args);
    } finally {
      process.stdout.write = write;
      [process.stdout, process.stderr].forEach((s, i) => { for (const l of s.listeners('error')) if (!listening[i]!.includes(l)) s.removeListener('error', l as () => void); });
    }
  };
  // --help answers before anything runs; an option the parser does not take is a usage error first
  for (const option of options) assert.is(await quietly(['workflow', option, 'x', '--help']), 0, `${option} is taken`);
  assert.is(await quietly(['workflow', '--no-such-option', 'x', '--help']), 2);
  for (const command of ['workflow', 'config', 'mo-emulator', 'status', 'show tree']) assert.ok(HELP.includes(`./run ${command} `), command);
});

test.run();
