/** merge-units: unit rows (washed by dar-lookup) → desired timelines of org units and their addresses. */
import type { FromSchema, JSONSchema } from 'json-schema-to-ts';
import { desiredObjectsSchema } from './desired.schema.ts';
import { unitFileSchema, unitRowsSchema, unitSpecSchema } from './parse-units.schema.ts';
import { referencesSchema } from './parse-persons.schema.ts';
import { seedOutputSchema } from './seed-step.schema.ts';

export const externalParentSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['uuid', 'file', 'line'],
  properties: {
    uuid: { type: 'string', format: 'uuid' },
    /** the first row naming it */
    file: { type: 'string' },
    line: { type: 'integer', minimum: 1 },
    /** the ParentUUID column of that file (1-based), for the file:line:column message */
    column: { type: 'integer', minimum: 1 },
  },
} as const satisfies JSONSchema;

export type ExternalParentRecord = FromSchema<typeof externalParentSchema>;

export const mergeUnitsSchemas = {
  with: { type: 'object', additionalProperties: false, properties: {} },
  input: {
    type: 'object',
    additionalProperties: false,
    required: ['rows', 'files', 'spec', 'seed'],
    properties: {
      /** the seed step's output: the address and hierarchy classes */
      seed: seedOutputSchema,
      rows: unitRowsSchema,
      files: { type: 'array', items: unitFileSchema },
      spec: unitSpecSchema,
    },
  },
  output: {
    type: 'object',
    additionalProperties: false,
    required: ['objects', 'external_parents', 'counts'],
    properties: {
      /** org units first (parents before children), then their addresses */
      objects: desiredObjectsSchema,
      /** parents that are not among the delivered units: the upload step checks that MO has them */
      external_parents: { type: 'array', items: externalParentSchema },
      /** the classes the unit rows name (OrgEnhedsTypeUUID): the upload step checks them before writing */
      references: referencesSchema,
      counts: {
        type: 'object',
        additionalProperties: false,
        required: ['rows', 'units', 'addresses', 'periods', 'external_parents'],
        properties: {
          rows: { type: 'integer' },
          units: { type: 'integer' },
          addresses: { type: 'integer' },
          periods: { type: 'integer' },
          external_parents: { type: 'integer' },
        },
      },
    },
  },
} as const satisfies Record<string, JSONSchema>;
