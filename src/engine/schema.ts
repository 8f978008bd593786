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
 * `schema` with the sub-schemas at the given property paths replaced by `true` (one object per
 * schema and set of paths, so its validators are compiled once): used for data whose values at
 * those paths were already validated against those very schemas.
 */
function shellSchema(schema: object, skip: string[][]): object {
  let byPaths = shells.get(schema);
  if (!byPaths) shells.set(schema, (byPaths = new Map()));
  const key = skip.map((p) => p.join('\0')).join('\n');
  let shell = byPaths.get(key);
  if (!shell) {
    const replace = (s: Record<string, unknown>, path: string[]): Record<string, unknown> => {
      const [k, ...rest] = path as [string, ...string[]];
      const properties = s.properties as Record<string, unknown>;
      return { ...s, properties: { ...properties, [k]: rest.length ? replace(properties[k] as Record<string, unknown>, rest) : true } };
    };
    shell = skip.reduce((s, path) => replace(s, path), schema as Record<string, unknown>);
    byPaths.set(key, shell);
  }
  return shell;
}

/**
 * The property paths of `data` whose values `trusted` vouches for under the sub-schema at that
 * path: through nested objects (`remerge.person_rows`), not into arrays.
 */
function trustedPaths(schema: object, data: unknown, trusted: Trusted | undefined, prefix: string[] = [], out: string[][] = []): string[][] {
  if (!trusted || !data || typeof data !== 'object' || Array.isArray(data)) return out;
  const properties = (schema as { properties?: Record<string, unknown> }).properties;
  if (!properties || typeof properties !== 'object') return out;
  for (const k of Object.keys(data as Record<string, unknown>).sort()) {
    const v = (data as Record<string, unknown>)[k], sub = properties[k];
    if (!v || typeof v !== 'object' || !sub || typeof sub !== 'object') continue;
    if (trusted(v, sub)) out.push([...prefix, k]);
    else if (prefix.length < 4) trustedPaths(sub, v, trusted, [...prefix, k], out);
  }
  return out;
}

/**
 * Validate `data`; returns the violations (empty when valid). Mutates data with schema defaults.
 * `trusted`: property values it vouches for (already validated against the same sub-schema, e.g.
 * an earlier step's output: steps do not change their input) are not walked again.
 */
export function check(schema: object, data: unknown, trusted?: Trusted): SchemaViolation[] {
  const skip = trustedPaths(schema, data, trusted);
  const effective = skip.length ? shellSchema(schema, skip) : schema;
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
