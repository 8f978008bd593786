/**
 * The four mapping files (workflows/mappings/*.yaml), one way for all: read the YAML (syntax errors
 * at their line and column), check it against its schema, then check what a schema does not say —
 * every field's type is the one the code relies on. Used when the workflow is checked (before
 * anything runs: a step's `check`) and when the parse step reads its mapping.
 */
import { ConfigError } from '../errors.ts';
import { readYaml, schemaMessages, type YamlFile } from '../engine/yaml-file.ts';
import {
  mappingCheckSchema, managersMappingSchema, orgUnitsMappingSchema, personsMappingSchema, stamMappingSchema,
  type FieldSpec, type ManagersMapping, type OrgUnitsMapping, type PersonsMapping, type StamMapping,
} from '../../schemas/mapping.schema.ts';
import type { ValueType } from './values.ts';

/** The type of every field of the STAM mapping (classes and IT systems). */
export const STAM_TYPES: Record<string, ValueType> = { uuid: 'uuid', user_key: 'string', name: 'string' };
/** The type of every field of the org units mapping. */
export const UNIT_TYPES: Record<string, ValueType> = { uuid: 'uuid', user_key: 'string', name: 'string', parent: 'uuid', org_unit_type: 'uuid', org_unit_hierarchy: 'boolean', start: 'date', end: 'date' };
export const ENGAGEMENT_TYPES: Record<string, ValueType> = {
  engagement: 'uuid', user_key: 'string', cpr: 'cpr', name: 'string', start: 'date', end: 'date', email: 'string',
  primary: 'yesno', org_unit: 'uuid', engagement_type: 'uuid', job_function: 'uuid', azid: 'string',
};
export const ENDED_ENGAGEMENT_TYPES: Record<string, ValueType> = { engagement: 'uuid', cpr: 'cpr' };
export const MANAGER_TYPES: Record<string, ValueType> = { org_unit: 'uuid', cpr: 'cpr', manager_type: 'uuid', manager_level: 'uuid', responsibility: 'uuid' };
export const ENDED_MANAGER_TYPES: Record<string, ValueType> = { org_unit: 'uuid', cpr: 'cpr' };

/** A section of a mapping with fields: where it is and the types its fields must have. */
interface Section { path: (string | number)[]; fields: Record<string, FieldSpec>; types: Record<string, ValueType> }

interface MappingKind<T> {
  what: string;
  schema: object;
  sections(m: T): Section[];
  /** checks beyond schema and types (messages without file) */
  more?(m: T): string[];
}

const stam: MappingKind<StamMapping> = {
  what: 'STAM mapping',
  schema: stamMappingSchema,
  sections: (m) => [
    ...m.classes.map((c, i) => ({ path: ['classes', i, 'fields'], fields: c.fields as Record<string, FieldSpec>, types: STAM_TYPES })),
    ...m.itsystems.map((c, i) => ({ path: ['itsystems', i, 'fields'], fields: c.fields as Record<string, FieldSpec>, types: STAM_TYPES })),
  ],
};
const orgUnits: MappingKind<OrgUnitsMapping> = {
  what: 'org units mapping',
  schema: orgUnitsMappingSchema,
  sections: (m) => [{ path: ['fields'], fields: m.fields as Record<string, FieldSpec>, types: UNIT_TYPES }],
  more(m) {
    const out: string[] = [];
    const seen = new Set<string>();
    for (const c of m.addresses.columns) {
      if (seen.has(c.suffix)) out.push(`address suffix "${c.suffix}" is used twice`);
      seen.add(c.suffix);
    }
    return out;
  },
};
const persons: MappingKind<PersonsMapping> = {
  what: 'persons mapping',
  schema: personsMappingSchema,
  sections: (m) => [
    { path: ['engagements', 'fields'], fields: m.engagements.fields, types: ENGAGEMENT_TYPES },
    { path: ['ended', 'fields'], fields: m.ended.fields, types: ENDED_ENGAGEMENT_TYPES },
  ],
};
const managers: MappingKind<ManagersMapping> = {
  what: 'managers mapping',
  schema: managersMappingSchema,
  sections: (m) => [
    { path: ['managers', 'fields'], fields: m.managers.fields, types: MANAGER_TYPES },
    { path: ['ended', 'fields'], fields: m.ended.fields, types: ENDED_MANAGER_TYPES },
  ],
};

export const MAPPING_KINDS = { stam, 'org-units': orgUnits, persons, managers } as const;
export type MappingKindName = keyof typeof MAPPING_KINDS;
type MappingOf<K extends MappingKindName> = (typeof MAPPING_KINDS)[K] extends MappingKind<infer T> ? T : never;

/** Fields given a type other than the one the code relies on: `[path, message]` pairs. */
export function typeProblems(sections: readonly Section[]): { path: (string | number)[]; message: string }[] {
  const out: { path: (string | number)[]; message: string }[] = [];
  for (const s of sections) {
    for (const [name, field] of Object.entries(s.fields)) {
      const want = s.types[name] ?? 'string';
      if (typeof field === 'object' && field.type !== undefined && field.type !== want) {
        out.push({ path: [...s.path, name, 'type'], message: `${s.path.filter((p) => typeof p === 'string').join('.')}.${name}: the type must be ${want} (got ${field.type}); each field has the one type the code relies on` });
      }
    }
  }
  return out;
}

/** Every problem of a mapping file (`FILE:LINE: …` messages; syntax errors as `FILE:LINE:COLUMN`), and its content when it has none. */
export function checkMappingFile<K extends MappingKindName>(kind: K, file: string): { problems: string[]; yaml?: YamlFile<MappingOf<K>> } {
  const spec = MAPPING_KINDS[kind] as unknown as MappingKind<MappingOf<K>>;
  let yaml: YamlFile<MappingOf<K>>;
  try {
    yaml = readYaml<MappingOf<K>>(file);
  } catch (e) {
    if (e instanceof ConfigError) return { problems: [e.message] };
    throw e;
  }
  const schema = schemaMessages(yaml, mappingCheckSchema(spec.schema));
  if (schema.length) return { problems: schema };
  const problems = [
    ...typeProblems(spec.sections(yaml.data)).map((p) => `${file}:${yaml.lineOf(p.path)}: ${p.message}`),
    ...(spec.more?.(yaml.data) ?? []).map((m) => `${file}: ${m}`),
  ];
  return problems.length ? { problems } : { problems, yaml };
}

/** The problems of a mapping file for the workflow check: `mapping: …` of a step, by its kind. */
export const mappingFileProblems = (kind: MappingKindName, file: string): string[] => checkMappingFile(kind, file).problems;

/** Read a mapping file, or throw a ConfigError (exit 2) with every problem. */
export function loadMapping<K extends MappingKindName>(kind: K, file: string): MappingOf<K> {
  const { problems, yaml } = checkMappingFile(kind, file);
  if (!yaml) throw new ConfigError(`invalid ${MAPPING_KINDS[kind].what} ${file}:\n  ${problems.join('\n  ')}`);
  return yaml.data;
}
