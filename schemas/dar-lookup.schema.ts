/** dar-lookup: wash the DAR address columns (PostAdresse) of the unit rows into DAR address ids. */
import type { FromSchema, JSONSchema } from 'json-schema-to-ts';
import { unitRowsSchema, unitSpecSchema } from './parse-units.schema.ts';

export const darFailureSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['org_unit', 'text', 'reason', 'file', 'line'],
  properties: {
    org_unit: { type: 'string', format: 'uuid' },
    text: { type: 'string' },
    reason: { type: 'string' },
    file: { type: 'string' },
    line: { type: 'integer', minimum: 1 },
  },
} as const satisfies JSONSchema;

export type DarFailure = FromSchema<typeof darFailureSchema>;

export const darLookupSchemas = {
  with: {
    type: 'object',
    additionalProperties: false,
    properties: {
      provider: { enum: ['file', 'dawa', 'adressevask'], description: 'default: setting dar_provider' },
      url: { type: 'string', description: 'default: setting dar_url' },
      file: { type: 'string', description: 'register file (file provider); default: setting dar_file' },
      cache_ttl_days: { type: 'integer', minimum: 0, description: 'default: setting dar_cache_ttl_days' },
      source: { type: 'string', description: 'the run source (for the DARfejlliste upload); default: setting source' },
      retries: { type: 'integer', minimum: 0, description: 'online providers: retries after the first attempt (default 4)' },
      failure_folder: { type: 'string', default: 'DARfejlliste', description: 'folder on an FTP/SFTP source for the failure lists' },
    },
  },
  input: {
    type: 'object',
    additionalProperties: false,
    required: ['rows', 'spec'],
    properties: { rows: unitRowsSchema, spec: unitSpecSchema },
  },
  output: {
    type: 'object',
    additionalProperties: false,
    required: ['rows', 'failed', 'counts'],
    properties: {
      /** the rows with every DAR column value replaced by its DAR id, or null when unmatched (not imported) */
      rows: unitRowsSchema,
      /** one entry per row whose text was not matched */
      failed: { type: 'array', items: darFailureSchema },
      counts: {
        type: 'object',
        additionalProperties: false,
        required: ['addresses', 'texts', 'requests', 'cached', 'failed'],
        properties: {
          addresses: { type: 'integer', description: 'row values washed' },
          texts: { type: 'integer', description: 'distinct texts' },
          requests: { type: 'integer', description: 'HTTP requests (online) or register lookups (file)' },
          cached: { type: 'integer', description: 'texts answered from the cache' },
          failed: { type: 'integer', description: 'distinct texts without a match' },
        },
      },
    },
  },
} as const satisfies Record<string, JSONSchema>;
