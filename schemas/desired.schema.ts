/**
 * The desired state of MO objects, as the merge steps give it and the upload step plans from.
 * An object's timeline is a list of periods [from, to) (calendar days, `to` exclusive as in MO
 * v29+, null = open), sorted and non-overlapping; a gap between periods means "not valid then".
 * `window` says which part of MO's timeline the file(s) speak for: from `window.from` on (an
 * Org_ret row speaks from the file's date), or all time when `window.from` is null (Org_inital,
 * a new object). Outside the window MO's history is left as it is.
 */
import type { FromSchema, JSONSchema } from 'json-schema-to-ts';

const day = { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}$' } as const;

export const sourceSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['file', 'line'],
  properties: { file: { type: 'string' }, line: { type: 'integer', minimum: 1 } },
} as const satisfies JSONSchema;

export const periodSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['from', 'to', 'fields', 'source'],
  properties: {
    from: day,
    to: { anyOf: [day, { type: 'null' }] },
    /** MO field name → value (uuid, text, or null = field absent). */
    fields: { type: 'object', additionalProperties: { type: ['string', 'null'] } },
    source: sourceSchema,
  },
} as const satisfies JSONSchema;

export const desiredObjectSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['kind', 'uuid', 'periods', 'window'],
  properties: {
    kind: { enum: ['org_unit', 'address', 'employee', 'engagement', 'ituser', 'manager'] },
    uuid: { type: 'string', format: 'uuid' },
    /** The owner for dependent objects: { org_unit: uuid } or { person: uuid } (addresses, engagements …). */
    owner: { type: 'object', additionalProperties: { type: 'string' } },
    periods: { type: 'array', items: periodSchema },
    window: {
      type: 'object',
      additionalProperties: false,
      required: ['from'],
      properties: { from: { anyOf: [day, { type: 'null' }] } },
    },
  },
} as const satisfies JSONSchema;

export type Period = FromSchema<typeof periodSchema>;
export type DesiredObject = FromSchema<typeof desiredObjectSchema>;

export const desiredObjectsSchema = { type: 'array', items: desiredObjectSchema } as const satisfies JSONSchema;
