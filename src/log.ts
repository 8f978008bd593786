/**
 * Everything los2mo prints or writes passes through `redact` (the one redaction of the project):
 * secrets become `***` and CPR numbers are masked to their first 6 digits.
 */
const secrets = new Set<string>();
/** The registered secrets' forms, longest first (a secret containing another is replaced whole). */
let ordered: string[] = [];

/**
 * The forms a secret takes in text: as it is, inside JSON (when it holds " or \\), URL-encoded
 * (query strings, URL user info) and base64 (HTTP Basic auth). Too short a value (< 3) has none:
 * it cannot be replaced without mangling the message.
 */
function secretForms(value: string | undefined | null): string[] {
  if (!value || value.length < 3) return [];
  return [value, JSON.stringify(value).slice(1, -1), encodeURIComponent(value), Buffer.from(value, 'utf8').toString('base64')];
}

/** Register a secret value (FTP password, MO client secret, DAR token): it is never printed. */
export function addSecret(value: string | undefined | null) {
  for (const form of secretForms(value)) secrets.add(form);
  ordered = [...secrets].sort((x, y) => y.length - x.length);
}

// A CPR number: 6 date digits (DDMMYY, plausible day and month), optional dash, 4 digits, not part of a longer number or a uuid.
const CPR_RE = /(?<![\w-])((?:0[1-9]|[12]\d|3[01])(?:0[1-9]|1[0-2])\d{2})-?(\d{4})(?![\w-])/g;

/**
 * CPR numbers masked to their first 6 digits, the only form in which one may appear in messages:
 * a text that is one 10-digit number (a CPR value) whole, else every CPR number in the text.
 */
export const maskCpr = (text: string) => (/^\d{10}$/.test(text) ? `${text.slice(0, 6)}xxxx` : text.replace(CPR_RE, '$1xxxx'));

/**
 * Text fit for logs, errors and reports: the registered secrets and the `extra` ones (a source's
 * password, a DAR token), in every form they take in text, become `***`, as do URL passwords and
 * token/key query values; CPR numbers are masked.
 */
export function redact(text: string, extra: readonly (string | undefined | null)[] = []): string {
  let out = text;
  const forms = extra.length ? [...new Set([...ordered, ...extra.flatMap(secretForms)])].sort((x, y) => y.length - x.length) : ordered;
  for (const form of forms) if (out.includes(form)) out = out.split(form).join('***');
  // URL credentials and token query parameters
  out = out
    .replace(/(\w+:\/\/[^:/@\s]+):[^@/\s]+@/g, '$1:***@')
    .replace(/(\b(?:token|apikey|api_key|client_secret|password)=)[^&\s"'#]+/gi, '$1***');
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
