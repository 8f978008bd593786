/** Errors with the CLI contract's exit statuses: 1 run failed, 2 usage/configuration, 3 invalid input. */

export const EXIT = { ok: 0, failed: 1, usage: 2, input: 3 } as const;

/** One problem in an input file: printed as `FILE:LINE:COLUMN: field: message` (header = line 1). */
export interface InputProblem {
  file: string;
  line: number;
  /** absent for a problem of the whole line (a column missing from the header) */
  column?: number;
  field: string;
  message: string;
}

export const formatProblem = (p: InputProblem) => `${p.file}:${p.line}${p.column === undefined ? '' : `:${p.column}`}: ${p.field}: ${p.message}`;

export class Los2moError extends Error {
  constructor(message: string, readonly exitCode: number = EXIT.failed) {
    super(message);
    this.name = new.target.name;
  }
}

/** Wrong command line, settings or workflow file: exit 2, nothing ran. */
export class ConfigError extends Los2moError {
  constructor(message: string) {
    super(message, EXIT.usage);
  }
}

/** Another run holds the lock: exit 2. */
export class LockedError extends Los2moError {
  constructor(message: string) {
    super(message, EXIT.usage);
  }
}

/** Invalid input files: exit 3, nothing written to MO, state not advanced. */
export class InputError extends Los2moError {
  constructor(readonly problems: InputProblem[]) {
    const shown = problems.slice(0, 20).map(formatProblem);
    if (problems.length > 20) shown.push(`... and ${problems.length - 20} more`);
    super(`${problems.length} invalid value${problems.length === 1 ? '' : 's'} in the input files:\n${shown.join('\n')}`, EXIT.input);
  }
}

/** The run was interrupted (Ctrl-C / SIGTERM): exit 1, state untouched. */
export class InterruptedError extends Los2moError {
  constructor(signal: string) {
    super(`interrupted by ${signal}; nothing was committed`, EXIT.failed);
  }
}

/** The exit status for an error: its own exitCode (Los2moError, SourceError …), else 1. */
export function exitCodeOf(error: unknown): number {
  const code = (error as { exitCode?: unknown })?.exitCode;
  return typeof code === 'number' && code >= 1 && code <= 3 ? code : EXIT.failed;
}
