/**
 * Everything los2mo prints or writes passes through `redact`: registered secrets become `***`
 * and CPR numbers are masked to their first 6 digits.
 */
const secrets = new Set<string>();

/** Register a secret value (FTP password, MO client secret, DAR token): it is never printed. */
export function addSecret(value: string | undefined | null) {
  if (!value || value.length < 3) return;
  secrets.add(value);
  // as it appears inside JSON (logs, journal, report) when it holds " or \\
  const escaped = JSON.stringify(value).slice(1, -1);
  if (escaped !== value) secrets.add(escaped);
}

// A CPR number: 6 date digits (DDMMYY, plausible day and month), optional dash, 4 digits, not part of a longer number or a uuid.
const CPR_RE = /(?<![\w-])((?:0[1-9]|[12]\d|3[01])(?:0[1-9]|1[0-2])\d{2})-?(\d{4})(?![\w-])/g;

export const maskCpr = (text: string) => text.replace(CPR_RE, '$1xxxx');

export function redact(text: string): string {
  let out = text;
  for (const secret of secrets) if (out.includes(secret)) out = out.split(secret).join('***');
  // URL credentials and token query parameters
  out = out.replace(/(\w+:\/\/[^:/@\s]+):[^@/\s]+@/g, '$1:***@').replace(/([?&](?:token|apikey|client_secret|password)=)[^&\s"]+/gi, '$1***');
  return maskCpr(out);
}

/** Deep-redact a JSON-able value (reports, journal entries). */
export function redactValue<T>(value: T): T {
  return JSON.parse(redact(JSON.stringify(value))) as T;
}

export type Level = 'debug' | 'info' | 'warn' | 'error';
export type LogFormat = 'text' | 'json';

export interface LogRecord {
  level: Level;
  message: string;
  step?: string;
  [key: string]: unknown;
}

export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
  child(fields: Record<string, unknown>): Logger;
}

export interface LoggerOptions {
  format: LogFormat;
  level: Level;
  runId?: string;
  /** Where text lines go; JSON lines always go to stderr so stdout stays the progress view. */
  write?: (line: string, level: Level) => void;
}

const order: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export function createLogger(options: LoggerOptions, base: Record<string, unknown> = {}): Logger {
  const write = options.write ?? ((line: string) => process.stderr.write(line + '\n'));
  const emit = (level: Level, message: string, fields?: Record<string, unknown>) => {
    if (order[level] < order[options.level]) return;
    if (options.format === 'json') {
      const record = { time: new Date().toISOString(), level, run_id: options.runId, ...base, ...fields, message };
      write(redact(JSON.stringify(record)), level);
    } else {
      const step = (fields?.step ?? base.step) as string | undefined;
      const prefix = level === 'info' ? '' : `${level}: `;
      write(redact(`${prefix}${step ? `[${step}] ` : ''}${message}`), level);
    }
  };
  return {
    debug: (m, f) => emit('debug', m, f),
    info: (m, f) => emit('info', m, f),
    warn: (m, f) => emit('warn', m, f),
    error: (m, f) => emit('error', m, f),
    child: (fields) => createLogger(options, { ...base, ...fields }),
  };
}
