import type { JSONSchema } from 'json-schema-to-ts';
import { losFilesSchema } from './files.schema.ts';
import { classesOutputSchema } from './classes.schema.ts';

export const parseClassesSchemas = {
  with: {
    type: 'object',
    additionalProperties: false,
    required: ['mapping'],
    properties: {
      mapping: { type: 'string', pattern: '\\.ya?ml$', description: 'STAM mapping file, relative to the workflow' },
      encoding: { enum: ['utf-8', 'windows-1252'], default: 'utf-8' },
    },
  },
  input: {
    type: 'object',
    additionalProperties: false,
    required: ['files'],
    properties: { files: losFilesSchema },
  },
  output: classesOutputSchema,
} as const satisfies Record<string, JSONSchema>;
