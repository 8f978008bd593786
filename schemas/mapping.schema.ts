/** Column mappings (workflows/mappings/*.yaml): CSV columns → MO fields, edited without code changes. */
import type { FromSchema, JSONSchema } from 'json-schema-to-ts';

/** One MO field read from one column (or the first present of several spellings). */
export const fieldSchema = {
  oneOf: [
    { type: 'string', minLength: 1, description: 'The CSV column name (a required string field)' },
    {
      type: 'object',
      additionalProperties: false,
      required: ['column'],
      properties: {
        column: {
          description: 'Column name; a list gives accepted spellings (matched case-insensitively)',
          oneOf: [{ type: 'string', minLength: 1 }, { type: 'array', minItems: 1, items: { type: 'string', minLength: 1 } }],
        },
        type: { enum: ['string', 'uuid', 'date', 'boolean', 'yesno', 'cpr'], description: 'default: string (uuid for uuid fields)' },
        required: { type: 'boolean', description: 'The column must exist and the value be non-empty (default true)' },
        optional_column: { type: 'boolean', description: 'The column may be missing from the file (default false)' },
      },
    },
  ],
} as const satisfies JSONSchema;

export type FieldSpec = FromSchema<typeof fieldSchema>;

export const fieldsSchema = {
  type: 'object',
  minProperties: 1,
  propertyNames: { pattern: '^[a-z][a-z0-9_]*$' },
  additionalProperties: fieldSchema,
} as const satisfies JSONSchema;

export const stamMappingSchema = {
  $id: 'https://los2mo.example/schemas/stam-mapping.schema.json',
  title: 'STAM mapping',
  type: 'object',
  additionalProperties: false,
  required: ['classes', 'itsystems'],
  properties: {
    classes: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['file', 'facet', 'fields'],
        properties: {
          file: { type: 'string', pattern: '^[^/\\\\]+\\.csv$' },
          facet: { type: 'string', minLength: 1, description: 'MO facet user_key' },
          scope: { type: 'string', default: 'TEXT' },
          fields: {
            type: 'object',
            additionalProperties: false,
            required: ['uuid', 'user_key', 'name'],
            properties: { uuid: fieldSchema, user_key: fieldSchema, name: fieldSchema },
          },
        },
      },
    },
    itsystems: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['file', 'fields'],
        properties: {
          file: { type: 'string', pattern: '^[^/\\\\]+\\.csv$' },
          fields: {
            type: 'object',
            additionalProperties: false,
            required: ['uuid', 'user_key', 'name'],
            properties: { uuid: fieldSchema, user_key: fieldSchema, name: fieldSchema },
          },
        },
      },
    },
  },
} as const satisfies JSONSchema;

export type StamMapping = FromSchema<typeof stamMappingSchema>;
