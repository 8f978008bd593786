/** seed/*.yaml: the organisation, facets with their fixed classes, and IT systems. */
import type { FromSchema, JSONSchema } from 'json-schema-to-ts';

export const seedSchema = {
  $id: 'https://los2mo.example/schemas/seed.schema.json',
  title: 'los2mo seed',
  type: 'object',
  additionalProperties: false,
  required: ['uuid_base', 'organisation', 'facets', 'itsystems'],
  properties: {
    uuid_base: { type: 'string', minLength: 1, description: 'gen(uuid_base, key) gives every seed uuid' },
    organisation: {
      type: 'object',
      additionalProperties: false,
      required: ['key', 'name', 'user_key', 'municipality_code'],
      properties: { key: { type: 'string' }, name: { type: 'string' }, user_key: { type: 'string' }, municipality_code: { type: 'integer' } },
    },
    facets: {
      type: 'object',
      propertyNames: { pattern: '^[a-z][a-z0-9_]*$' },
      additionalProperties: {
        type: 'array',
        items: {
          type: 'object',
          additionalProperties: false,
          required: ['key', 'user_key', 'name'],
          properties: {
            key: { type: 'string', minLength: 1 },
            uuid: { type: 'string', format: 'uuid', description: 'overrides gen(uuid_base, key)' },
            user_key: { type: 'string', minLength: 1 },
            name: { type: 'string', minLength: 1 },
            scope: { type: 'string' },
          },
        },
      },
    },
    itsystems: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['key', 'user_key', 'name'],
        properties: { key: { type: 'string' }, uuid: { type: 'string', format: 'uuid' }, user_key: { type: 'string' }, name: { type: 'string' } },
      },
    },
  },
} as const satisfies JSONSchema;

export type Seed = FromSchema<typeof seedSchema>;
