import type { JSONSchema } from 'json-schema-to-ts';
import { parseWithSchema, filesInputSchema } from './files.schema.ts';
import { classesOutputSchema } from './classes.schema.ts';

export const parseClassesSchemas = {
  with: parseWithSchema,
  input: filesInputSchema,
  output: classesOutputSchema,
} as const satisfies Record<string, JSONSchema>;
