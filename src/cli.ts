/**
 * The command line: `./run <command> …`. Exit status 0 success, 1 run failed, 2 usage or
 * configuration error, 3 invalid input files.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { ConfigError, EXIT, Los2moError } from './errors.ts';
import { redact } from './log.ts';
import { resolveSettings, SETTINGS } from './settings.ts';

export const HELP = `los2mo — imports Aarhus Kommune's LOS deliveries into OS2mo

Usage:
  ./run workflow <file> [options]   run a workflow (a name without a path is looked up in workflows/)
  ./run config [--set k=v]...       print the effective settings, where each came from (secrets redacted)
  ./run mo-emulator [options]       serve the embedded MO emulator over HTTP
  ./run status [options]            last runs, interrupted runs, lock, state file, files waiting on the source
  ./run show tree [options]         the organisation tree read back from MO (embedded or mo_url)
  ./run doctor [options]            check MO before an import: its SDL takes every GraphQL document
                                    los2mo sends and the token has every realm role they need
  ./run --help                      this text

workflow options:
  --dry-run                 read and plan, print what would change; write nothing, state unchanged
  --import-from-date DATE   take files modified after midnight Europe/Copenhagen of DATE (YYYY-MM-DD)
                            instead of the time in the state file
  --report FILE.json        write the run report (files, counts, operations, warnings, errors)
  --set key=value           override a setting (repeatable); key is a setting name or settings.json key
  --settings FILE           settings.json to read (default: settings/settings.json or ./settings.json)
  --skip-invalid-rows       import the valid rows when some rows reference unknown objects
  --refresh-dar             ask DAR again even for cached addresses
  --allow-mass-changes      confirm this one run although it ends more objects of a kind than
                            mass_change_limit (default 500); without it such a run stops, exit 3
  --quiet                   only the summary line and errors
  --verbose                 line per event with debug messages
  --log-format text|json    json: one JSON object per line on stderr (time, level, run_id, step,
                            message; step events and the summary too), nothing on stdout

config options:
  --set key=value (repeatable)  --settings FILE  --json (machine-readable)

status options:
  --json                    the same as JSON on stdout (for monitoring scripts)
  --runs N                  show the last N runs (10)
  --offline                 don't connect to the source to list the files waiting there
  --set key=value, --settings FILE   as for workflow
  --workflow FILE           take the settings defaults of this workflow (default: import.yaml)

show tree options:
  --at YYYY-MM-DD           the tree as it is (was, will be) at that date (default: today)
  --json                    the tree as nested JSON
  --set key=value, --settings FILE, --workflow FILE   as for status

doctor options:
  --json                    the result as JSON
  --set key=value, --settings FILE, --workflow FILE   as for status
  (every import runs the same checks before it writes: a mismatch stops it, exit 2)

Metrics: after every run that is not a dry run, Prometheus metrics (los2mo_*) are written to
metrics_file and, when pushgateway_url is set, pushed there (docs/operations.md).

mo-emulator options:
  --port N (5000)  --host H (127.0.0.1)  --db FILE (.los2mo/mo.sqlite)
  --client-id ID (dipex)  --client-secret S (generated and printed when absent)
  --without-role ROLE (repeatable)        a token without that realm role (e.g. create_org_unit)
  --without-field Type.field (repeatable) an SDL without that field (e.g. OrganisationUnit.name)

Exit status: 0 success, 1 the run failed (nothing committed), 2 usage or configuration error
(also: another run holds the lock), 3 invalid input files (FILE:LINE:COLUMN: field: message), or
a run that would end more than mass_change_limit objects of one kind, not confirmed with
--allow-mass-changes (nothing written, state not advanced).

Settings (--set name=value > environment > settings file > workflow settings > default):
${SETTINGS.map((s) => `  ${s.name.padEnd(21)} ${(s.env ?? '').padEnd(25)} ${s.description}${s.secret ? ' (secret)' : ''}`).join('\n')}
`;

export async function main(argv: string[]): Promise<number> {
  // `./run … | head` closes the pipe early: stop quietly instead of crashing
  for (const stream of [process.stdout, process.stderr]) stream.on('error', (e: NodeJS.ErrnoException) => { if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0); });
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case undefined:
      case '-h':
      case '--help':
      case 'help':
        process.stdout.write(HELP);
        return command === undefined ? EXIT.usage : EXIT.ok;
      case 'workflow':
        return await workflowCommand(rest);
      case 'config':
        return configCommand(rest);
      case 'status': {
        const { statusCommand } = await import('./ops/commands.ts');
        return await statusCommand(rest);
      }
      case 'show': {
        const { showCommand } = await import('./ops/commands.ts');
        return await showCommand(rest);
      }
      case 'doctor': {
        const { doctorCommand } = await import('./ops/commands.ts');
        return await doctorCommand(rest);
      }
      case 'mo-emulator': {
        const { moEmulatorCommand } = await import('./mo-emulator/command.ts');
        return await moEmulatorCommand(rest);
      }
      default:
        throw new ConfigError(`unknown command "${command}"; see ./run --help`);
    }
  } catch (e) {
    const code = e instanceof Los2moError ? e.exitCode : EXIT.failed;
    const message = e instanceof Los2moError ? e.message : (e as Error)?.stack ?? String(e);
    // json logs: even a command-line error is one JSON record
    if (argv.includes('--log-format=json') || argv.join(' ').includes('--log-format json') || process.env.LOS_LOG_FORMAT === 'json') {
      process.stderr.write(redact(JSON.stringify({ time: new Date().toISOString(), level: 'error', run_id: null, exit_code: code, message })) + '\n');
    } else process.stderr.write(redact(`los2mo: ${message}`) + '\n');
    return code;
  }
}

function parse(args: string[], options: NonNullable<ParseArgsConfig['options']>) {
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (e) {
    throw new ConfigError(`${(e as Error).message}; see ./run --help`);
  }
}

async function workflowCommand(args: string[]): Promise<number> {
  const { values, positionals } = parse(args, {
    'dry-run': { type: 'boolean' },
    'import-from-date': { type: 'string' },
    report: { type: 'string' },
    set: { type: 'string', multiple: true },
    settings: { type: 'string' },
    'skip-invalid-rows': { type: 'boolean' },
    'refresh-dar': { type: 'boolean' },
    'allow-mass-changes': { type: 'boolean' },
    quiet: { type: 'boolean', short: 'q' },
    verbose: { type: 'boolean', short: 'v' },
    'log-format': { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) { process.stdout.write(HELP); return EXIT.ok; }
  if (positionals.length !== 1) throw new ConfigError('usage: ./run workflow <file> [options]; see ./run --help');
  const logFormat = values['log-format'] as string | undefined;
  if (logFormat && logFormat !== 'text' && logFormat !== 'json') throw new ConfigError('--log-format must be text or json');
  const { runWorkflow } = await import('./engine/runner.ts');
  const { applicationHooks } = await import('./ops/run-hooks.ts');
  const result = await runWorkflow({
    hooks: applicationHooks(),
    workflow: positionals[0]!,
    dryRun: values['dry-run'] as boolean | undefined,
    importFromDate: values['import-from-date'] as string | undefined,
    reportFile: values.report as string | undefined,
    overrides: values.set as string[] | undefined,
    settingsFile: values.settings as string | undefined,
    quiet: values.quiet as boolean | undefined,
    verbose: values.verbose as boolean | undefined,
    logFormat: logFormat as 'text' | 'json' | undefined,
    flags: { skipInvalidRows: values['skip-invalid-rows'] as boolean | undefined, refreshDar: values['refresh-dar'] as boolean | undefined, allowMassChanges: values['allow-mass-changes'] as boolean | undefined },
  });
  return result.exitCode;
}

function configCommand(args: string[]): number {
  const { values } = parse(args, { set: { type: 'string', multiple: true }, settings: { type: 'string' }, json: { type: 'boolean' } });
  const settings = resolveSettings({ overrides: values.set as string[] | undefined, settingsFile: values.settings as string | undefined });
  const rows = settings.describe();
  for (const w of settings.warnings) process.stderr.write(redact(`warning: ${w}`) + '\n');
  if (values.json) process.stdout.write(redact(JSON.stringify(rows, null, 2)) + '\n');
  else {
    process.stdout.write(`settings file: ${settings.settingsFile ?? '(none)'}\n`);
    for (const r of rows) process.stdout.write(redact(`${r.name.padEnd(22)} ${(r.value || '(empty)').padEnd(40)} ${r.origin}`) + '\n');
  }
  return EXIT.ok;
}
