/**
 * merge-persons: the person and manager rows of a run → desired timelines (schemas/desired.schema.ts)
 * of employees, engagements, e-mail addresses, AZ IT users and manager roles, for the upload step.
 * See docs/persons.md for the rules.
 */
import type { FromSchema, JSONSchema } from 'json-schema-to-ts';
import { desiredObjectsSchema, periodSchema, sourceSchema } from './desired.schema.ts';
import { cprSchema, parsePersonsSchemas, personRowSchema, referencesSchema } from './parse-persons.schema.ts';
import { seedOutputSchema } from './seed-step.schema.ts';
import { endedManagerRowSchema, managerRowSchema, parseManagersSchemas } from './parse-managers.schema.ts';

const day = { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}$' } as const;
const uuid = { type: 'string', format: 'uuid' } as const;

/**
 * A person of the run: every CPR of a Pers or Leder row. `uuid` is provisional (gen("AAK", CPR)):
 * if MO has the CPR under another uuid, the upload re-points the employee object and every
 * `fields.person` / `owner.person` equal to it. `employee`: an employee object is among `objects`.
 */
export const runPersonSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['cpr', 'uuid', 'source', 'employee'],
  properties: { cpr: cprSchema, uuid, source: sourceSchema, employee: { type: 'boolean' } },
} as const satisfies JSONSchema;

/**
 * What to plan instead of an object's `window`/`periods` when MO has no object with that uuid at
 * all: an engagement (or employee) first seen in a Pers_ret file is created with its own
 * StartTid..SlutTid (person: from the birth date) rather than from the file's date.
 */
export const fallbackSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['kind', 'uuid', 'window', 'periods'],
  properties: {
    kind: { enum: ['employee', 'engagement'] },
    uuid,
    window: { type: 'object', additionalProperties: false, required: ['from'], properties: { from: { anyOf: [day, { type: 'null' }] } } },
    periods: { type: 'array', items: periodSchema },
  },
} as const satisfies JSONSchema;

/**
 * A luk row: the object should end with `last_day`. When MO has nothing valid after that day
 * (unknown, or already ended) the upload skips it with a warning naming `source`.
 */
export const endSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['kind', 'uuid', 'last_day', 'cpr', 'source'],
  properties: { kind: { enum: ['engagement', 'manager'] }, uuid, last_day: day, cpr: cprSchema, source: sourceSchema },
} as const satisfies JSONSchema;

/**
 * What the upload needs to merge the rows again without the rows it rejects
 * (`--skip-invalid-rows`): the rows, every reference (before `referencesToCheck`), and the options.
 */
export const remergeSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['person_rows', 'manager_rows', 'references', 'options'],
  properties: {
    person_rows: { type: 'array', items: personRowSchema },
    manager_rows: { type: 'array', items: { oneOf: [managerRowSchema, endedManagerRowSchema] } },
    references: referencesSchema,
    options: {
      type: 'object',
      additionalProperties: false,
      required: ['primaryClass', 'nonPrimaryClass', 'emailAddressType', 'azItSystem'],
      properties: { primaryClass: uuid, nonPrimaryClass: uuid, emailAddressType: uuid, azItSystem: uuid },
    },
  },
} as const satisfies JSONSchema;

export type RunPerson = FromSchema<typeof runPersonSchema>;
export type Remerge = FromSchema<typeof remergeSchema>;
export type Fallback = FromSchema<typeof fallbackSchema>;
export type End = FromSchema<typeof endSchema>;

export const mergePersonsSchemas = {
  with: {
    type: 'object',
    additionalProperties: false,
    properties: {
      azid_it_system_uuid: { type: 'string', description: 'IT system of the AZ ids; default: the setting azid_it_system_uuid, else the seeded AZ system' },
    },
  },
  input: {
    type: 'object',
    additionalProperties: false,
    required: ['person_rows', 'manager_rows', 'seed'],
    properties: {
      /** the seed step's output: the primary, e-mail and AZ classes */
      seed: seedOutputSchema,
      // the very schema objects of the parse steps' outputs: the runner then need not check the rows twice
      person_rows: parsePersonsSchemas.output.properties.rows,
      person_references: referencesSchema,
      manager_rows: parseManagersSchemas.output.properties.rows,
      manager_references: referencesSchema,
    },
  },
  output: {
    type: 'object',
    additionalProperties: false,
    required: ['objects', 'persons', 'references', 'fallbacks', 'ends'],
    properties: {
      /** employees, engagements, addresses (e-mail), itusers (AZ) and managers */
      objects: desiredObjectsSchema,
      persons: { type: 'array', items: runPersonSchema },
      /** org units, classes and persons (CPRs with no employee object in this run) to check against MO */
      references: referencesSchema,
      fallbacks: { type: 'array', items: fallbackSchema },
      ends: { type: 'array', items: endSchema },
      /** for --skip-invalid-rows: the upload merges the rows again without the rejected ones */
      remerge: remergeSchema,
    },
  },
} as const satisfies Record<string, JSONSchema>;
