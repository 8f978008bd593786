import type { FromSchema, JSONSchema } from 'json-schema-to-ts';

const uuid = { type: 'string', format: 'uuid' } as const;

export const seedOutputSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['file', 'uuid_base', 'municipality_code', 'facets', 'classes', 'itsystems'],
  properties: {
    file: { type: 'string' },
    /** gen(uuid_base, facet user_key) is the uuid of a facet made on the fly */
    uuid_base: { type: 'string' },
    municipality_code: { type: 'integer' },
    facets: { type: 'array', items: { type: 'object', additionalProperties: false, required: ['uuid', 'user_key'], properties: { uuid, user_key: { type: 'string' } } } },
    classes: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['uuid', 'facet', 'facet_uuid', 'user_key', 'name', 'scope'],
        properties: { uuid, facet: { type: 'string' }, facet_uuid: uuid, user_key: { type: 'string' }, name: { type: 'string' }, scope: { type: ['string', 'null'] } },
      },
    },
    itsystems: { type: 'array', items: { type: 'object', additionalProperties: false, required: ['uuid', 'user_key', 'name'], properties: { uuid, user_key: { type: 'string' }, name: { type: 'string' } } } },
  },
} as const satisfies JSONSchema;

export type SeedOutput = FromSchema<typeof seedOutputSchema>;

export const seedStepSchemas = {
  with: {
    type: 'object',
    additionalProperties: false,
    properties: { file: { type: 'string', pattern: '\\.ya?ml$', description: 'seed file, relative to the workflow; default seed/aarhus-los.yaml' } },
  },
  input: { type: 'object', additionalProperties: false, properties: {} },
  output: seedOutputSchema,
} as const satisfies Record<string, JSONSchema>;
