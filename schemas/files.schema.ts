/** A fetched LOS file, as fetch gives it and the parse steps take it. */
import type { FromSchema, JSONSchema } from 'json-schema-to-ts';

/** Prefixes of the timestamped LOS files, in processing order (the one list; src/los/files.ts reads names with it). */
export const LOS_TIMED_KINDS = ['Org_inital', 'Org_nye', 'Org_ret', 'Pers_nye', 'Pers_ret', 'Pers_luk', 'Leder_nye', 'Leder_ret', 'Leder_luk'] as const;
/** Every file kind, in processing order (the fetch step's default order). */
export const LOS_FILE_KINDS = ['STAM', ...LOS_TIMED_KINDS] as const;
export type FileKind = (typeof LOS_FILE_KINDS)[number];

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

/** The options of every parse step: its YAML mapping and the files' encoding. */
export const parseWithSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['mapping'],
  properties: {
    mapping: { type: 'string', pattern: '\\.ya?ml$', description: 'mapping file, relative to the workflow' },
    encoding: { enum: ['utf-8', 'windows-1252'], default: 'utf-8' },
  },
} as const satisfies JSONSchema;

/** The input of every parse step: the fetched files. */
export const filesInputSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['files'],
  properties: { files: losFilesSchema },
} as const satisfies JSONSchema;
