import type { JSONSchema } from 'json-schema-to-ts';
import { LOS_FILE_KINDS } from './files.schema.ts';
import { losFilesSchema } from './files.schema.ts';

export const fetchSchemas = {
  with: {
    type: 'object',
    additionalProperties: false,
    required: ['source'],
    properties: {
      source: { type: 'string', minLength: 1, description: 'folder path or ftp://, ftps://, sftp:// URL' },
      order: {
        type: 'array',
        minItems: 1,
        // the one list of file kinds (src/los/files.ts): a misspelt kind is refused when the workflow is checked
        items: { enum: LOS_FILE_KINDS },
        default: [...LOS_FILE_KINDS],
        description: 'Processing order of the file kinds; within a kind, files go by the timestamp in their names',
      },
      all: { type: 'boolean', default: false, description: 'Take every file, ignoring the last import time' },
    },
  },
  input: { type: 'object', additionalProperties: false, properties: {} },
  output: {
    type: 'object',
    additionalProperties: false,
    required: ['files', 'source'],
    properties: {
      files: losFilesSchema,
      source: { type: 'string', description: 'where the files came from (no password)' },
      skipped: { type: 'integer', description: 'files not newer than the last import' },
      retries: { type: 'integer', description: 'failed transfer attempts that were retried (connect, list, download)' },
    },
  },
} as const satisfies Record<string, JSONSchema>;
