/**
 * The program's ajv instances: schemas are compiled once and cached by identity. Valid data (the
 * usual case: 100,000s of rows between steps) is checked by a validator that stops at the first
 * error; only invalid data is checked again by the all-errors validator, for the messages.
 */
import { Ajv, type ErrorObject, type Options, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';

function makeAjv(options: Options): Ajv {
  const a = new Ajv({ strict: true, allowUnionTypes: true, useDefaults: true, ...options });
  addFormats.default(a, ['uuid', 'date', 'date-time', 'uri']);
  a.addKeyword({ keyword: 'x-secret', schemaType: 'boolean' });
  return a;
}

/** Reports every error (for messages). */
export const ajv = makeAjv({ allErrors: true });
/** Stops at the first error: the fast check of valid data. */
const firstError = makeAjv({ allErrors: false });

const compiled = new WeakMap<object, ValidateFunction>();
const compiledFast = new WeakMap<object, ValidateFunction>();

/** The all-errors validator of `schema`. */
export function validator(schema: object): ValidateFunction {
  let fn = compiled.get(schema);
  if (!fn) compiled.set(schema, (fn = ajv.compile(schema)));
  return fn;
}

function fastValidator(schema: object): ValidateFunction {
  let fn = compiledFast.get(schema);
  if (!fn) compiledFast.set(schema, (fn = firstError.compile(schema)));
  return fn;
}

export interface SchemaViolation {
  /** JSON path as segments, e.g. ['steps', 2, 'with', 'mapping'] */
  path: (string | number)[];
  pointer: string;
  message: string;
  value: unknown;
}

const decode = (segment: string) => segment.replace(/~1/g, '/').replace(/~0/g, '~');

function describe(error: ErrorObject): string {
  const p = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'additionalProperties': return `unknown property "${p.additionalProperty}"`;
    case 'required': return `missing required property "${p.missingProperty}"`;
    case 'enum': return `must be one of ${(p.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
    case 'type': return `must be ${p.type}`;
    default: return error.message ?? error.keyword;
  }
}

/** Says whether `value` is already known to be valid against `schema` (see `check`). */
export type Trusted = (value: object, schema: object) => boolean;

const shells = new WeakMap<object, Map<string, object>>();

/**
 * An object schema with the given properties' schemas replaced by `true` (one object per schema and
 * set of properties, so its validators are compiled once): used for data whose values at those
 * properties were already validated against those very schemas.
 */
function shellSchema(schema: Record<string, unknown>, skip: string[]): object {
  let byKeys = shells.get(schema);
  if (!byKeys) shells.set(schema, (byKeys = new Map()));
  const key = skip.join('\0');
  let shell = byKeys.get(key);
  if (!shell) {
    const properties = { ...(schema.properties as Record<string, unknown>) };
    for (const k of skip) properties[k] = true;
    byKeys.set(key, (shell = { ...schema, properties }));
  }
  return shell;
}

/** The top-level properties of `data` that `trusted` vouches for (their schema is an object in `schema.properties`). */
function trustedProperties(schema: object, data: unknown, trusted: Trusted | undefined): string[] {
  if (!trusted || !data || typeof data !== 'object' || Array.isArray(data)) return [];
  const properties = (schema as { properties?: Record<string, unknown> }).properties;
  if (!properties || typeof properties !== 'object') return [];
  const out: string[] = [];
  for (const [k, v] of Object.entries(data as Record<string, unknown>)) {
    const sub = properties[k];
    if (v && typeof v === 'object' && sub && typeof sub === 'object' && trusted(v, sub)) out.push(k);
  }
  return out.sort();
}

/**
 * Validate `data`; returns the violations (empty when valid). Mutates data with schema defaults.
 * `trusted`: top-level property values it vouches for (already validated against the identical
 * sub-schema, e.g. an earlier step's output, unchanged since) are not walked again.
 */
export function check(schema: object, data: unknown, trusted?: Trusted): SchemaViolation[] {
  const skip = trustedProperties(schema, data, trusted);
  const effective = skip.length ? shellSchema(schema as Record<string, unknown>, skip) : schema;
  if (fastValidator(effective)(data)) return [];
  const fn = validator(effective);
  if (fn(data)) return []; // not expected: both validators implement the same schema
  const errors = (fn.errors ?? []).filter((e) => e.keyword !== 'if' && !(e.keyword === 'anyOf' || e.keyword === 'oneOf'));
  const seen = new Set<string>();
  return (errors.length ? errors : fn.errors ?? []).flatMap((e) => {
    const path: (string | number)[] = e.instancePath.split('/').slice(1).map(decode).map((s) => (/^\d+$/.test(s) ? Number(s) : s));
    if (e.keyword === 'additionalProperties') path.push(String((e.params as { additionalProperty: string }).additionalProperty));
    const message = describe(e);
    const key = `${path.join('/')}|${message}`;
    if (seen.has(key)) return [];
    seen.add(key);
    let value: unknown = data;
    for (const s of e.keyword === 'additionalProperties' ? path : path) value = value && typeof value === 'object' ? (value as Record<string, unknown>)[s as string] : undefined;
    return [{ path, pointer: '/' + path.join('/'), message, value }];
  });
}

/** Short JSON for messages: long values are cut. */
export function preview(value: unknown, max = 80): string {
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  return text.length > max ? text.slice(0, max - 1) + '…' : text;
}
