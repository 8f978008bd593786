import type { JSONSchema } from 'json-schema-to-ts';

export const commitStateSchemas = {
  with: { type: 'object', additionalProperties: false, properties: {} },
  input: { type: 'object', additionalProperties: false, properties: {} },
  output: {
    type: 'object',
    additionalProperties: false,
    required: ['written', 'state'],
    properties: {
      written: { type: 'boolean' },
      state: { type: ['string', 'null'], description: 'the timestamp now in the state file' },
    },
  },
} as const satisfies Record<string, JSONSchema>;
