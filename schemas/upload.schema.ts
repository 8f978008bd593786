import type { JSONSchema } from 'json-schema-to-ts';
import { classesOutputSchema } from './classes.schema.ts';
import { mergeUnitsSchemas } from './merge-units.schema.ts';
import { mergePersonsSchemas } from './merge-persons.schema.ts';
import { seedOutputSchema } from './seed-step.schema.ts';

export const uploadSchemas = {
  with: { type: 'object', additionalProperties: false, properties: {} },
  input: {
    type: 'object',
    additionalProperties: false,
    properties: {
      /** seed output: ensured in MO before anything of the delivery */
      seed: seedOutputSchema,
      /** parse-classes output: STAM classes and IT systems */
      classes: classesOutputSchema,
      /** merge-units output: org units and their addresses, parents not delivered */
      units: mergeUnitsSchemas.output,
      /** merge-persons output: employees, engagements, addresses, IT users, managers */
      persons: mergePersonsSchemas.output,
    },
  },
  output: {
    type: 'object',
    additionalProperties: false,
    required: ['changes', 'written'],
    properties: {
      changes: { type: 'integer', minimum: 0, description: 'planned operations' },
      written: { type: 'integer', minimum: 0, description: 'objects written' },
      skipped_rows: { type: 'integer', minimum: 0, description: 'rows left out by --skip-invalid-rows' },
    },
  },
} as const satisfies Record<string, JSONSchema>;
