import type { JSONSchema } from 'json-schema-to-ts';

export const seedStepSchemas = {
  with: {
    type: 'object',
    additionalProperties: false,
    properties: { file: { type: 'string', pattern: '\\.ya?ml$', description: 'seed file, relative to the workflow; default seed/aarhus-los.yaml' } },
  },
  input: { type: 'object', additionalProperties: false, properties: {} },
  output: {
    type: 'object',
    additionalProperties: false,
    required: ['organisation', 'changes'],
    properties: {
      organisation: { type: ['string', 'null'], description: 'uuid of MO root organisation' },
      changes: { type: 'integer', minimum: 0 },
      failed: { type: 'integer', minimum: 0 },
    },
  },
} as const satisfies Record<string, JSONSchema>;
