/**
 * Which values the runner has validated: a step's output that passed its output schema, and each
 * of its top-level property values. A later step's input made of such values (the identical
 * objects, under the same sub-schema) need not be walked by ajv again.
 *
 * This is sound because a step never changes what it is given (the step contract, README
 * "Step modules"): its input is read-only data. The runner checks that contract when
 * LOS2MO_CHECK_INPUTS=1 (deep copy before, deep compare after every step); the tests run the
 * example workflows so.
 */
import type { Trusted } from './schema.ts';

const canonical = new WeakMap<object, string>();
/** Two schema objects are the same schema when they are one object or have the same JSON. */
export function sameSchema(a: object, b: object): boolean {
  if (a === b) return true;
  const text = (s: object) => {
    let t = canonical.get(s);
    if (t === undefined) canonical.set(s, (t = JSON.stringify(s)));
    return t;
  };
  return text(a) === text(b);
}

export class ValidatedOutputs {
  private memo = new WeakMap<object, object[]>();

  private add(value: unknown, schema: unknown) {
    if (!value || typeof value !== 'object' || !schema || typeof schema !== 'object') return;
    const list = this.memo.get(value);
    if (list) list.push(schema);
    else this.memo.set(value, [schema]);
  }

  /** `output` passed `schema`: it and its top-level property values are known valid. */
  record(schema: object, output: unknown): void {
    this.add(output, schema);
    const properties = (schema as { properties?: Record<string, unknown> }).properties;
    if (!properties || !output || typeof output !== 'object' || Array.isArray(output)) return;
    for (const [k, v] of Object.entries(output as Record<string, unknown>)) this.add(v, properties[k]);
  }

  trusted: Trusted = (value, schema) => this.memo.get(value)?.some((s) => sameSchema(s, schema)) ?? false;
}
