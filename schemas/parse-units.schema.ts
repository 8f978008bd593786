/** parse-units: the Org_* files → checked unit rows (one per CSV row), for dar-lookup and merge. */
import type { FromSchema, JSONSchema } from 'json-schema-to-ts';
import { parseWithSchema, filesInputSchema } from './files.schema.ts';

const day = { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}$' } as const;
const uuid = { type: 'string', format: 'uuid' } as const;

/** One checked row of an Org file. */
export const unitRowSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['uuid', 'user_key', 'name', 'parent', 'org_unit_type', 'linjeorg', 'start', 'end', 'addresses', 'file', 'kind', 'file_date', 'line'],
  properties: {
    uuid,
    user_key: { type: 'string' },
    name: { type: ['string', 'null'] },
    /** null = a top unit (ParentUUID = OrgUUID): its parent is the root organisation */
    parent: { anyOf: [uuid, { type: 'null' }] },
    org_unit_type: { anyOf: [uuid, { type: 'null' }] },
    linjeorg: { type: 'boolean' },
    /** first day */
    start: day,
    /** last day, inclusive; '9999-12-31' = open */
    end: day,
    /** address suffix → value (null = empty column). After dar-lookup, DAR columns hold the DAR id (null = unmatched). */
    addresses: { type: 'object', additionalProperties: { type: ['string', 'null'] } },
    /** the address suffixes whose text DAR did not match (dar-lookup), or whose value MO would refuse (parse-units, warned): their value is null, no opinion, MO keeps its address */
    unmatched: { type: 'array', items: { type: 'string' } },
    file: { type: 'string' },
    kind: { enum: ['Org_inital', 'Org_nye', 'Org_ret'] },
    /** the day in the file name */
    file_date: day,
    line: { type: 'integer', minimum: 2 },
  },
} as const satisfies JSONSchema;

export type UnitRow = FromSchema<typeof unitRowSchema>;

export const unitRowsSchema = { type: 'array', items: unitRowSchema } as const satisfies JSONSchema;

/** A parsed Org file and where its mapped columns are (1-based), for later messages (merge's overlaps, cycles). */
export const unitFileSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'kind', 'date', 'rows', 'columns'],
  properties: {
    name: { type: 'string' },
    kind: { enum: ['Org_inital', 'Org_nye', 'Org_ret'] },
    date: day,
    rows: { type: 'integer', minimum: 0 },
    /** mapped field (uuid, parent, start …, or an address suffix) → the column's header text and 1-based position */
    columns: {
      type: 'object',
      additionalProperties: {
        type: 'object',
        additionalProperties: false,
        required: ['name', 'index'],
        properties: { name: { type: 'string' }, index: { type: 'integer', minimum: 1 } },
      },
    },
  },
} as const satisfies JSONSchema;

export type UnitFile = FromSchema<typeof unitFileSchema>;

/** The parts of the mapping the later steps need (so they do not read the YAML again). */
export const unitSpecSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['hierarchy', 'address_facet', 'uuid_base', 'addresses'],
  properties: {
    hierarchy: {
      type: 'object',
      additionalProperties: false,
      required: ['facet', 'class'],
      properties: { facet: { type: 'string' }, class: { type: 'string' } },
    },
    address_facet: { type: 'string' },
    uuid_base: { type: 'string' },
    addresses: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['suffix', 'column', 'address_type', 'dar'],
        properties: {
          suffix: { type: 'string' },
          column: { type: 'string' },
          address_type: { type: 'string' },
          dar: { type: 'boolean' },
        },
      },
    },
  },
} as const satisfies JSONSchema;

export type UnitSpec = FromSchema<typeof unitSpecSchema>;

export const parseUnitsSchemas = {
  with: parseWithSchema,
  input: filesInputSchema,
  output: {
    type: 'object',
    additionalProperties: false,
    required: ['rows', 'files', 'spec'],
    properties: {
      rows: unitRowsSchema,
      files: { type: 'array', items: unitFileSchema },
      spec: unitSpecSchema,
    },
  },
} as const satisfies Record<string, JSONSchema>;
