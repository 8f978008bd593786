#!/usr/bin/env -S node --import tsx
/**
 * Writes the JSON Schema files for editors and other tools (schemas/*.schema.json) from the
 * TypeScript sources, which are the one source of truth (types are derived from them).
 * Run: npm run schemas. A test fails when a .json file is out of date.
 */
import { fs, path } from 'zx';
import { fileURLToPath } from 'node:url';
import { workflowSchema } from './workflow.schema.ts';
import { seedSchema } from './seed.schema.ts';
import { stamMappingSchema, orgUnitsMappingSchema, personsMappingSchema, managersMappingSchema } from './mapping.schema.ts';

const dir = path.dirname(fileURLToPath(import.meta.url));

export const exported: Record<string, object> = {
  'workflow.schema.json': workflowSchema,
  'seed.schema.json': seedSchema,
  'stam-mapping.schema.json': stamMappingSchema,
  'org-units-mapping.schema.json': orgUnitsMappingSchema,
  'persons-mapping.schema.json': personsMappingSchema,
  'managers-mapping.schema.json': managersMappingSchema,
};

export const render = (schema: object) => JSON.stringify({ $schema: 'http://json-schema.org/draft-07/schema#', ...schema }, null, 2) + '\n';

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  for (const [name, schema] of Object.entries(exported)) {
    await fs.writeFile(path.join(dir, name), render(schema));
    console.log(`wrote schemas/${name}`);
  }
}
