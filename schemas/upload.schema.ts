import type { JSONSchema } from 'json-schema-to-ts';
import { classesOutputSchema } from './classes.schema.ts';
import { desiredObjectsSchema, sourceSchema } from './desired.schema.ts';

export const uploadSchemas = {
  with: { type: 'object', additionalProperties: false, properties: {} },
  input: {
    type: 'object',
    additionalProperties: false,
    properties: {
      classes: classesOutputSchema,
      objects: desiredObjectsSchema,
      external_parents: {
        type: 'array',
        items: { type: 'object', additionalProperties: false, required: ['uuid', 'file', 'line'], properties: { uuid: { type: 'string' }, file: { type: 'string' }, line: { type: 'integer' }, column: { type: 'integer' } } },
        description: 'parents referenced by delivered units but not delivered: must exist in MO',
      },
    },
  },
  output: {
    type: 'object',
    additionalProperties: false,
    required: ['changes', 'written', 'failed'],
    properties: {
      changes: { type: 'integer', minimum: 0, description: 'planned operations' },
      written: { type: 'integer', minimum: 0, description: 'objects written' },
      failed: {
        type: 'array',
        items: { type: 'object', additionalProperties: false, required: ['uuid', 'kind', 'error'], properties: { uuid: { type: 'string' }, kind: { type: 'string' }, file: { type: 'string' }, line: { type: 'integer' }, error: { type: 'string' } } },
      },
      source: sourceSchema,
    },
  },
} as const satisfies Record<string, JSONSchema>;
