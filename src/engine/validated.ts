/**
 * Which step outputs the runner has validated and no later step has been given since: a step's
 * input made of such values (the identical objects, under the identical sub-schemas) need not be
 * walked by ajv again. A step that is given any part of an output may change it, so from then on
 * that output is checked in full again wherever it is used.
 */
import type { Trusted } from './schema.ts';

const OUTPUT_REF = /\bsteps\.([A-Za-z0-9_-]+)\.outputs\b/g;

export class ValidatedOutputs {
  private memo = new WeakMap<object, { schema: object; step: string }[]>();
  private exposed = new Set<string>();
  private allExposed = false;

  private add(value: unknown, schema: unknown, step: string) {
    if (!value || typeof value !== 'object' || !schema || typeof schema !== 'object') return;
    const list = this.memo.get(value);
    if (list) list.push({ schema, step });
    else this.memo.set(value, [{ schema, step }]);
  }

  /** `output` of `step` passed `schema`: it and its top-level property values are known valid. */
  record(step: string, schema: object, output: unknown): void {
    this.add(output, schema, step);
    const properties = (schema as { properties?: Record<string, unknown> }).properties;
    if (!properties || !output || typeof output !== 'object' || Array.isArray(output)) return;
    for (const [k, v] of Object.entries(output as Record<string, unknown>)) this.add(v, properties[k], step);
  }

  trusted: Trusted = (value, schema) => !this.allExposed && (this.memo.get(value)?.some((e) => e.schema === schema && !this.exposed.has(e.step)) ?? false);

  /** A step is about to be given what its `input` and `with` refer to: those outputs are no longer vouched for. */
  expose(step: { input?: unknown; with?: unknown }): void {
    const text = JSON.stringify([step.input ?? null, step.with ?? null]);
    const named = [...text.matchAll(OUTPUT_REF)].map((m) => m[1]!);
    // any other mention of `steps` (steps['x'], the whole steps object …): trust nothing any more
    if ((text.match(/\bsteps\b/g) ?? []).length !== named.length) this.allExposed = true;
    for (const s of named) this.exposed.add(s);
  }
}
