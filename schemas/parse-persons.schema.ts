/**
 * parse-persons: Pers_nye / Pers_ret / Pers_luk files → checked rows, in processing order, plus
 * the references to org units and classes the rows make (checked against MO by the upload step).
 * Rows carry full CPR numbers (step data only: never logged or reported unmasked).
 */
import type { FromSchema, JSONSchema } from 'json-schema-to-ts';
import { parseWithSchema, filesInputSchema } from './files.schema.ts';

const day = { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}$' } as const;
const uuid = { type: 'string', format: 'uuid' } as const;
export const cprSchema = { type: 'string', pattern: '^\\d{10}$' } as const;

/** Where a row came from: file name, the file's date (from its name) and line (header = 1). */
const rowOrigin = {
  file: { type: 'string', minLength: 1 },
  date: day,
  line: { type: 'integer', minimum: 2 },
} as const;

/** A Pers_nye / Pers_ret row: one engagement of one person. */
export const engagementRowSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['kind', 'file', 'date', 'line', 'engagement', 'user_key', 'cpr', 'name', 'given_name', 'surname', 'from', 'to', 'primary', 'org_unit', 'engagement_type', 'job_function'],
  properties: {
    kind: { enum: ['Pers_nye', 'Pers_ret'] },
    ...rowOrigin,
    engagement: uuid,
    user_key: { type: ['string', 'null'] },
    cpr: cprSchema,
    name: { type: 'string' },
    given_name: { type: 'string' },
    surname: { type: 'string' },
    /** StartTid: first day. */
    from: day,
    /** The day after SlutTid (MO's exclusive `to`); null = open (SlutTid 9999-12-31). */
    to: { anyOf: [day, { type: 'null' }] },
    email: { type: ['string', 'null'], description: 'null: empty (no e-mail; Pers_ret: ended); absent: the file has no such column (optional_column), MO keeps its value' },
    primary: { type: 'boolean' },
    org_unit: uuid,
    engagement_type: uuid,
    job_function: uuid,
    azid: { type: ['string', 'null'], description: 'null: empty (no AZ IT user; Pers_ret: ended); absent: the file has no such column (optional_column), MO keeps its value' },
  },
} as const satisfies JSONSchema;

/** A Pers_luk row: the engagement ends with the file's date as its last day. */
export const endedEngagementRowSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['kind', 'file', 'date', 'line', 'engagement', 'cpr'],
  properties: {
    kind: { const: 'Pers_luk' },
    ...rowOrigin,
    engagement: uuid,
    cpr: cprSchema,
  },
} as const satisfies JSONSchema;

export const personRowSchema = { oneOf: [engagementRowSchema, endedEngagementRowSchema] } as const satisfies JSONSchema;

/**
 * Values in rows that name an object this step cannot check: an org unit, a class (with its facet)
 * or a person (by CPR). One reference per file, column and value, with the lines of every row that
 * gives it (an org unit is named by thousands of engagement rows). The upload step checks each
 * against MO and the other desired objects and reports an unknown one as an input error
 * `file:line:column: field: …` for each of its lines.
 */
export const referenceSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['kind', 'file', 'column', 'field', 'lines'],
  properties: {
    kind: { enum: ['org_unit', 'class', 'person'] },
    /** org_unit and class references */
    uuid,
    /** class references: the facet user_key the class must belong to */
    facet: { type: 'string' },
    /** person references */
    cpr: cprSchema,
    file: { type: 'string' },
    column: { type: 'integer', minimum: 1 },
    /** the CSV column */
    field: { type: 'string' },
    /** the lines of `file` whose value in `column` this is, ascending */
    lines: { type: 'array', minItems: 1, items: { type: 'integer', minimum: 1 } },
  },
} as const satisfies JSONSchema;

export const referencesSchema = { type: 'array', items: referenceSchema } as const satisfies JSONSchema;

export type EngagementRow = FromSchema<typeof engagementRowSchema>;
export type EndedEngagementRow = FromSchema<typeof endedEngagementRowSchema>;
export type PersonRow = EngagementRow | EndedEngagementRow;
export type Reference = FromSchema<typeof referenceSchema>;

export const parsePersonsSchemas = {
  with: parseWithSchema,
  input: filesInputSchema,
  output: {
    type: 'object',
    additionalProperties: false,
    required: ['rows', 'references'],
    properties: {
      /** Pers_nye, Pers_ret and Pers_luk rows in processing order (the fetch order, then line). */
      rows: { type: 'array', items: personRowSchema },
      references: referencesSchema,
    },
  },
} as const satisfies Record<string, JSONSchema>;
