/** One ajv instance for the whole program: schemas are compiled once and cached by identity. */
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';

export const ajv = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true, useDefaults: true });
addFormats.default(ajv, ['uuid', 'date', 'date-time', 'uri']);
ajv.addKeyword({ keyword: 'x-secret', schemaType: 'boolean' });

const compiled = new WeakMap<object, ValidateFunction>();

export function validator(schema: object): ValidateFunction {
  let fn = compiled.get(schema);
  if (!fn) compiled.set(schema, (fn = ajv.compile(schema)));
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

const shells = new WeakMap<object, Map<string, ValidateFunction>>();

/**
 * The validator of an object schema with the given properties' schemas replaced by `true`: used
 * for data whose values at those properties were already validated against those very schemas.
 */
function shellValidator(schema: Record<string, unknown>, skip: string[]): ValidateFunction {
  let byKeys = shells.get(schema);
  if (!byKeys) shells.set(schema, (byKeys = new Map()));
  const key = skip.join('\0');
  let fn = byKeys.get(key);
  if (!fn) {
    const properties = { ...(schema.properties as Record<string, unknown>) };
    for (const k of skip) properties[k] = true;
    byKeys.set(key, (fn = ajv.compile({ ...schema, properties })));
  }
  return fn;
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
  const fn = skip.length ? shellValidator(schema as Record<string, unknown>, skip) : validator(schema);
  if (fn(data)) return [];
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
