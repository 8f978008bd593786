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

/** Validate `data`; returns the violations (empty when valid). Mutates data with schema defaults. */
export function check(schema: object, data: unknown): SchemaViolation[] {
  const fn = validator(schema);
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
