/** A fetched LOS file, as fetch gives it and the parse steps take it. */
import type { FromSchema, JSONSchema } from 'json-schema-to-ts';

export const losFileSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'kind', 'path', 'size', 'mtime', 'sha256'],
  properties: {
    name: { type: 'string', minLength: 1 },
    kind: { type: 'string', description: 'the prefix: STAM, Org_inital, Org_nye, … Leder_luk' },
    /** The day in the file name (YYYYMMDD), the file's date; null for STAM files. */
    date: { type: ['string', 'null'], format: 'date' },
    path: { type: 'string', description: 'local copy in the run work folder' },
    size: { type: 'integer', minimum: 0 },
    mtime: { type: 'string', format: 'date-time' },
    sha256: { type: 'string', pattern: '^[0-9a-f]{64}$' },
  },
} as const satisfies JSONSchema;

export type LosFile = FromSchema<typeof losFileSchema>;

export const losFilesSchema = { type: 'array', items: losFileSchema } as const satisfies JSONSchema;
