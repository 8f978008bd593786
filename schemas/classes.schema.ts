/** Classes and IT systems read from STAM files. */
import type { FromSchema, JSONSchema } from 'json-schema-to-ts';

const source = {
  type: 'object',
  additionalProperties: false,
  required: ['file', 'line'],
  properties: { file: { type: 'string' }, line: { type: 'integer', minimum: 1 } },
} as const;

export const classSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['uuid', 'facet', 'user_key', 'name', 'scope', 'source'],
  properties: {
    uuid: { type: 'string', format: 'uuid' },
    facet: { type: 'string', minLength: 1 },
    user_key: { type: 'string', minLength: 1 },
    name: { type: 'string', minLength: 1 },
    scope: { type: 'string' },
    source,
  },
} as const satisfies JSONSchema;

export const itsystemSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['uuid', 'user_key', 'name', 'source'],
  properties: {
    uuid: { type: 'string', format: 'uuid' },
    user_key: { type: 'string', minLength: 1 },
    name: { type: 'string', minLength: 1 },
    source,
  },
} as const satisfies JSONSchema;

export type ClassRecord = FromSchema<typeof classSchema>;
export type ITSystemRecord = FromSchema<typeof itsystemSchema>;

/** What parse-classes gives: the full class list of each delivered STAM facet. */
export const classesOutputSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['classes', 'facets', 'itsystems', 'itsystems_delivered'],
  properties: {
    classes: { type: 'array', items: classSchema },
    facets: { type: 'array', items: { type: 'string' }, description: 'facets whose STAM file was delivered: their full class lists' },
    itsystems: { type: 'array', items: itsystemSchema },
    itsystems_delivered: { type: 'boolean', description: 'the IT system STAM file was delivered (full list)' },
  },
} as const satisfies JSONSchema;

export type ClassesOutput = FromSchema<typeof classesOutputSchema>;
