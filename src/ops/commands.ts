/** The operations commands of the CLI: `./run status`, `./run show tree` and `./run doctor` (see docs/operations.md). */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { ConfigError, EXIT } from '../errors.ts';
import { redact, redactValue } from '../log.ts';
import { opsSettings, today } from './common.ts';

function parse(args: string[], options: NonNullable<ParseArgsConfig['options']>) {
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (e) {
    throw new ConfigError(`${(e as Error).message}; see ./run --help`);
  }
}

const settingsOptions = {
  set: { type: 'string', multiple: true },
  settings: { type: 'string' },
  workflow: { type: 'string' },
} as const;

const settingsFrom = (values: Record<string, unknown>) =>
  opsSettings({ overrides: values.set as string[] | undefined, settingsFile: values.settings as string | undefined, workflow: values.workflow as string | undefined });

export async function statusCommand(args: string[], write = (t: string) => process.stdout.write(t)): Promise<number> {
  const { values, positionals } = parse(args, { ...settingsOptions, json: { type: 'boolean' }, runs: { type: 'string' }, offline: { type: 'boolean' } });
  if (positionals.length) throw new ConfigError(`status takes no arguments, got "${positionals[0]}"; see ./run --help`);
  const runs = values.runs === undefined ? 10 : Number(values.runs);
  if (!Number.isInteger(runs) || runs < 1) throw new ConfigError(`--runs expects a whole number ≥ 1, got "${values.runs}"`);
  const settings = settingsFrom(values);
  const { collectStatus, formatStatus } = await import('./status.ts');
  const status = await collectStatus(settings, { limit: runs, offline: !!values.offline });
  write(values.json ? JSON.stringify(redactValue(status), null, 2) + '\n' : redact(formatStatus(status)));
  return EXIT.ok;
}

export async function showCommand(args: string[], write = (t: string) => process.stdout.write(t)): Promise<number> {
  const { values, positionals } = parse(args, { ...settingsOptions, json: { type: 'boolean' }, at: { type: 'string' } });
  if (positionals[0] !== 'tree' || positionals.length > 1) throw new ConfigError(`usage: ./run show tree [--at YYYY-MM-DD] [--json]; see ./run --help`);
  const settings = settingsFrom(values);
  const { formatTree, openTreeMo, readTree, treeInstant } = await import('./tree.ts');
  const day = (values.at as string | undefined) ?? today();
  treeInstant(day); // check --at before starting anything
  const mo = await openTreeMo(settings);
  try {
    const tree = { ...(await readTree(mo.client, day)), mo: mo.mo };
    write(values.json ? JSON.stringify(redactValue(tree), null, 2) + '\n' : redact(formatTree(tree)));
  } finally {
    await mo.close();
  }
  return EXIT.ok;
}

export async function doctorCommand(args: string[], write = (t: string) => process.stdout.write(t)): Promise<number> {
  const { values, positionals } = parse(args, { ...settingsOptions, json: { type: 'boolean' } });
  if (positionals.length) throw new ConfigError(`doctor takes no arguments, got "${positionals[0]}"; see ./run --help`);
  const settings = settingsFrom(values);
  const { doctorExitCode, formatDoctor, runDoctor } = await import('./doctor.ts');
  const result = await runDoctor(settings);
  write(values.json ? JSON.stringify(redactValue(result), null, 2) + '\n' : redact(formatDoctor(result)));
  return doctorExitCode(result.report);
}
