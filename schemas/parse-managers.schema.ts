/**
 * parse-managers: Leder_nye / Leder_ret / Leder_luk files → checked rows, in processing order,
 * plus their references to org units, classes and persons (by CPR).
 */
import type { FromSchema, JSONSchema } from 'json-schema-to-ts';
import { parseWithSchema, filesInputSchema } from './files.schema.ts';
import { cprSchema, referencesSchema } from './parse-persons.schema.ts';

const day = { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}$' } as const;
const uuid = { type: 'string', format: 'uuid' } as const;
const rowOrigin = {
  file: { type: 'string', minLength: 1 },
  date: day,
  line: { type: 'integer', minimum: 2 },
} as const;

/** A Leder_nye / Leder_ret row: a manager role in `org_unit` for the person with `cpr`, from the file's date. */
export const managerRowSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['kind', 'file', 'date', 'line', 'org_unit', 'cpr', 'manager_type', 'manager_level', 'responsibility'],
  properties: {
    kind: { enum: ['Leder_nye', 'Leder_ret'] },
    ...rowOrigin,
    org_unit: uuid,
    cpr: cprSchema,
    manager_type: uuid,
    manager_level: uuid,
    /** responsibility class uuids (LOS delivers one) */
    responsibility: { type: 'array', minItems: 1, items: uuid },
  },
} as const satisfies JSONSchema;

/** A Leder_luk row: the role ends with the file's date as its last day. */
export const endedManagerRowSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['kind', 'file', 'date', 'line', 'org_unit', 'cpr'],
  properties: {
    kind: { const: 'Leder_luk' },
    ...rowOrigin,
    org_unit: uuid,
    cpr: cprSchema,
  },
} as const satisfies JSONSchema;

export type ManagerRow = FromSchema<typeof managerRowSchema>;
export type EndedManagerRow = FromSchema<typeof endedManagerRowSchema>;
export type LederRow = ManagerRow | EndedManagerRow;

export const parseManagersSchemas = {
  with: parseWithSchema,
  input: filesInputSchema,
  output: {
    type: 'object',
    additionalProperties: false,
    required: ['rows', 'references'],
    properties: {
      /** Leder_nye, Leder_ret and Leder_luk rows in processing order. */
      rows: { type: 'array', items: { oneOf: [managerRowSchema, endedManagerRowSchema] } },
      references: referencesSchema,
    },
  },
} as const satisfies Record<string, JSONSchema>;
