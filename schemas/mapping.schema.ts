/** Column mappings (workflows/mappings/*.yaml): CSV columns → MO fields, edited without code changes. */
import type { FromSchema, JSONSchema } from 'json-schema-to-ts';

/** One MO field read from one column (or the first present of several spellings). */
export const fieldSchema = {
  oneOf: [
    { type: 'string', minLength: 1, description: 'The CSV column name (a required string field)' },
    {
      type: 'object',
      additionalProperties: false,
      required: ['column'],
      properties: {
        column: {
          description: 'Column name; a list gives accepted spellings (matched case-insensitively)',
          oneOf: [{ type: 'string', minLength: 1 }, { type: 'array', minItems: 1, items: { type: 'string', minLength: 1 } }],
        },
        type: { enum: ['string', 'uuid', 'date', 'boolean', 'yesno', 'cpr'], description: 'default: string (uuid for uuid fields)' },
        required: { type: 'boolean', description: 'The value may not be empty (default true); the column must be in the file either way' },
        optional_column: { type: 'boolean', description: 'The column may be missing from a file (default false): then the file says nothing about the field, and MO keeps its value' },
      },
    },
  ],
} as const satisfies JSONSchema;

export type FieldSpec = FromSchema<typeof fieldSchema>;

export const fieldsSchema = {
  type: 'object',
  minProperties: 1,
  propertyNames: { pattern: '^[a-z][a-z0-9_]*$' },
  additionalProperties: fieldSchema,
} as const satisfies JSONSchema;

/** Columns present in the files but deliberately not imported (no "unmapped column" warning). */
const ignoreSchema = {
  type: 'array',
  items: { type: 'string', minLength: 1 },
  description: 'Columns present in the files but not imported',
} as const satisfies JSONSchema;

export const stamMappingSchema = {
  $id: 'https://los2mo.example/schemas/stam-mapping.schema.json',
  title: 'STAM mapping',
  type: 'object',
  additionalProperties: false,
  required: ['classes', 'itsystems'],
  properties: {
    classes: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['file', 'facet', 'fields'],
        properties: {
          file: { type: 'string', pattern: '^[^/\\\\]+\\.csv$' },
          facet: { type: 'string', minLength: 1, description: 'MO facet user_key' },
          scope: { type: 'string', default: 'TEXT' },
          fields: {
            type: 'object',
            additionalProperties: false,
            required: ['uuid', 'user_key', 'name'],
            properties: { uuid: fieldSchema, user_key: fieldSchema, name: fieldSchema },
          },
          ignore: ignoreSchema,
        },
      },
    },
    itsystems: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['file', 'fields'],
        properties: {
          file: { type: 'string', pattern: '^[^/\\\\]+\\.csv$' },
          fields: {
            type: 'object',
            additionalProperties: false,
            required: ['uuid', 'user_key', 'name'],
            properties: { uuid: fieldSchema, user_key: fieldSchema, name: fieldSchema },
          },
          ignore: ignoreSchema,
        },
      },
    },
  },
} as const satisfies JSONSchema;

export type StamMapping = FromSchema<typeof stamMappingSchema>;

/** One address column of the Org files: its value becomes an org unit address (workflows/mappings/org-units.yaml). */
export const unitAddressColumnSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['column', 'suffix', 'address_type'],
  properties: {
    column: {
      description: 'CSV column name; a list gives accepted spellings (matched case-insensitively)',
      oneOf: [{ type: 'string', minLength: 1 }, { type: 'array', minItems: 1, items: { type: 'string', minLength: 1 } }],
    },
    suffix: { type: 'string', pattern: '^[a-z][a-z0-9_]*$', description: 'address uuid = gen("AAK", OrgUUID + suffix), as the earlier importer made them' },
    address_type: { type: 'string', minLength: 1, description: 'user_key of the address class in the address facet' },
    dar: { type: 'boolean', default: false, description: 'the value is free text washed into a DAR address id (dar-lookup)' },
    optional_column: { type: 'boolean', default: false, description: 'the column may be missing from a file (default false): then the file says nothing about the address, and MO keeps it as it is' },
  },
} as const satisfies JSONSchema;

/** Org_inital / Org_nye / Org_ret → org units and their addresses. */
export const orgUnitsMappingSchema = {
  $id: 'https://los2mo.example/schemas/org-units-mapping.schema.json',
  title: 'Org units mapping',
  type: 'object',
  additionalProperties: false,
  required: ['kinds', 'fields', 'hierarchy', 'addresses'],
  properties: {
    kinds: {
      type: 'array',
      minItems: 1,
      items: { enum: ['Org_inital', 'Org_nye', 'Org_ret'] },
      description: 'File kinds read by parse-units',
    },
    ignore: ignoreSchema,
    fields: {
      type: 'object',
      additionalProperties: false,
      required: ['uuid', 'user_key', 'parent', 'start', 'end'],
      properties: {
        uuid: fieldSchema,
        user_key: fieldSchema,
        name: fieldSchema,
        parent: fieldSchema,
        org_unit_type: fieldSchema,
        org_unit_hierarchy: fieldSchema,
        start: fieldSchema,
        end: fieldSchema,
      },
    },
    hierarchy: {
      type: 'object',
      additionalProperties: false,
      required: ['facet', 'class'],
      properties: {
        facet: { type: 'string', minLength: 1, description: 'facet of the org_unit_hierarchy class' },
        class: { type: 'string', minLength: 1, description: 'class user_key given when org_unit_hierarchy is true' },
      },
    },
    addresses: {
      type: 'object',
      additionalProperties: false,
      required: ['facet', 'columns'],
      properties: {
        facet: { type: 'string', minLength: 1, description: 'facet of the address classes (org_unit_address_type)' },
        uuid_base: { type: 'string', default: 'AAK', description: 'base of gen(base, OrgUUID + suffix)' },
        columns: { type: 'array', items: unitAddressColumnSchema },
      },
    },
  },
} as const satisfies JSONSchema;

export type OrgUnitsMapping = FromSchema<typeof orgUnitsMappingSchema>;
export type UnitAddressColumn = FromSchema<typeof unitAddressColumnSchema>;

/** Pers_nye / Pers_ret / Pers_luk → engagement rows (workflows/mappings/persons.yaml). */
export const personsMappingSchema = {
  $id: 'https://los2mo.example/schemas/persons-mapping.schema.json',
  title: 'Persons mapping',
  type: 'object',
  additionalProperties: false,
  required: ['engagements', 'ended'],
  properties: {
    engagements: {
      description: 'Pers_nye and Pers_ret: one engagement (and its person) per row',
      type: 'object',
      additionalProperties: false,
      required: ['fields'],
      properties: {
        fields: {
          type: 'object',
          additionalProperties: false,
          required: ['engagement', 'user_key', 'cpr', 'name', 'start', 'end', 'email', 'primary', 'org_unit', 'engagement_type', 'job_function', 'azid'],
          properties: {
            engagement: fieldSchema,
            user_key: fieldSchema,
            cpr: fieldSchema,
            name: fieldSchema,
            start: fieldSchema,
            end: fieldSchema,
            email: fieldSchema,
            primary: fieldSchema,
            org_unit: fieldSchema,
            engagement_type: fieldSchema,
            job_function: fieldSchema,
            azid: fieldSchema,
          },
        },
        ignore: ignoreSchema,
      },
    },
    ended: {
      description: 'Pers_luk: one ended engagement per row',
      type: 'object',
      additionalProperties: false,
      required: ['fields'],
      properties: {
        fields: {
          type: 'object',
          additionalProperties: false,
          required: ['engagement', 'cpr'],
          properties: { engagement: fieldSchema, cpr: fieldSchema },
        },
        ignore: ignoreSchema,
      },
    },
  },
} as const satisfies JSONSchema;

export type PersonsMapping = FromSchema<typeof personsMappingSchema>;

/** Leder_nye / Leder_ret / Leder_luk → manager rows (workflows/mappings/managers.yaml). */
export const managersMappingSchema = {
  $id: 'https://los2mo.example/schemas/managers-mapping.schema.json',
  title: 'Managers mapping',
  type: 'object',
  additionalProperties: false,
  required: ['managers', 'ended'],
  properties: {
    managers: {
      description: 'Leder_nye and Leder_ret: one manager role per row',
      type: 'object',
      additionalProperties: false,
      required: ['fields'],
      properties: {
        fields: {
          type: 'object',
          additionalProperties: false,
          required: ['org_unit', 'cpr', 'manager_type', 'manager_level', 'responsibility'],
          properties: { org_unit: fieldSchema, cpr: fieldSchema, manager_type: fieldSchema, manager_level: fieldSchema, responsibility: fieldSchema },
        },
        ignore: ignoreSchema,
      },
    },
    ended: {
      description: 'Leder_luk: one ended manager role per row',
      type: 'object',
      additionalProperties: false,
      required: ['fields'],
      properties: {
        fields: {
          type: 'object',
          additionalProperties: false,
          required: ['org_unit', 'cpr'],
          properties: { org_unit: fieldSchema, cpr: fieldSchema },
        },
        ignore: ignoreSchema,
      },
    },
  },
} as const satisfies JSONSchema;

export type ManagersMapping = FromSchema<typeof managersMappingSchema>;

const columnSchema = fieldSchema.oneOf[1].properties.column;

/**
 * `schema` (a mapping schema) for checking a mapping file: every field as a reference to one shared
 * definition instead of its own copy, and no `$id`. ajv compiles the shared field schema once
 * instead of once per field (the persons mapping: ~10 ms instead of ~100 ms, at the start of every
 * run); the data it accepts and the messages it gives are the same.
 */
export function mappingCheckSchema(schema: object): object {
  let shared = checkSchemas.get(schema);
  if (shared) return shared;
  const walk = (v: unknown): unknown => {
    if (v === fieldSchema) return { $ref: '#/$defs/field' };
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).filter(([k]) => k !== '$id').map(([k, x]) => [k, walk(x)]));
    return v;
  };
  // the column keyword is a reference too: ajv inlines a referenced schema that has no reference of its own
  const field = { oneOf: [fieldSchema.oneOf[0], { ...fieldSchema.oneOf[1], properties: { ...fieldSchema.oneOf[1].properties, column: { $ref: '#/$defs/column' } } }] };
  shared = { ...(walk(schema) as object), $defs: { field, column: columnSchema } };
  checkSchemas.set(schema, shared);
  return shared;
}
const checkSchemas = new WeakMap<object, object>();
