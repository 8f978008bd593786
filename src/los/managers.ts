/**
 * Leder_nye / Leder_ret / Leder_luk files → checked manager rows (pure, apart from reading the
 * given files), with their references to org units, classes and persons (by CPR).
 */
import type { ManagersMapping } from '../../schemas/mapping.schema.ts';
import type { LederRow } from '../../schemas/parse-managers.schema.ts';
import type { Reference } from '../../schemas/parse-persons.schema.ts';
import type { Encoding } from './csv.ts';
import type { ValueType } from './values.ts';
import { checkSectionTypes, maskedCpr, readRowFiles, referenceAt, type InputFile } from './persons.ts';

export const MANAGER_TYPES: Record<string, ValueType> = { org_unit: 'uuid', cpr: 'cpr', manager_type: 'uuid', manager_level: 'uuid', responsibility: 'uuid' };
export const ENDED_MANAGER_TYPES: Record<string, ValueType> = { org_unit: 'uuid', cpr: 'cpr' };
export const MANAGER_KINDS = ['Leder_nye', 'Leder_ret', 'Leder_luk'] as const;

interface ManagerValues { org_unit: string; cpr: string; manager_type: string; manager_level: string; responsibility: string }

export interface ParsedManagers {
  rows: LederRow[];
  references: Reference[];
  count: number;
  files: string[];
  unmapped: { file: string; columns: string[] }[];
}

export function parseManagerFiles(files: InputFile[], mapping: ManagersMapping, encoding: Encoding, mappingName = 'managers mapping'): ParsedManagers {
  checkSectionTypes(mappingName, 'managers', mapping.managers, MANAGER_TYPES);
  checkSectionTypes(mappingName, 'ended', mapping.ended, ENDED_MANAGER_TYPES);
  const rows: LederRow[] = [];
  const references: Reference[] = [];
  const read = readRowFiles<ManagerValues>(files, encoding, {
    kinds: MANAGER_KINDS,
    endedKind: 'Leder_luk',
    main: { section: mapping.managers, types: MANAGER_TYPES },
    ended: { section: mapping.ended, types: ENDED_MANAGER_TYPES },
    key: (v) => `${v.org_unit}/${v.cpr}`,
    duplicate: (v, earlier) => ({ field: 'cpr', message: `the manager role of CPR ${maskedCpr(v.cpr)} in unit ${v.org_unit} is also on line ${earlier}` }),
    row({ file: f, date, line, plan, ended, values: v }) {
      if (ended) {
        rows.push({ kind: 'Leder_luk', file: f.name, date, line, org_unit: v.org_unit, cpr: v.cpr });
        return;
      }
      rows.push({
        kind: f.kind as 'Leder_nye' | 'Leder_ret', file: f.name, date, line,
        org_unit: v.org_unit, cpr: v.cpr, manager_type: v.manager_type, manager_level: v.manager_level, responsibility: [v.responsibility],
      });
      references.push(
        referenceAt('org_unit', f.name, line, plan, 'org_unit', { uuid: v.org_unit }),
        referenceAt('person', f.name, line, plan, 'cpr', { cpr: v.cpr }),
        referenceAt('class', f.name, line, plan, 'manager_type', { uuid: v.manager_type, facet: 'manager_type' }),
        referenceAt('class', f.name, line, plan, 'manager_level', { uuid: v.manager_level, facet: 'manager_level' }),
        referenceAt('class', f.name, line, plan, 'responsibility', { uuid: v.responsibility, facet: 'responsibility' }),
      );
    },
  });
  return { rows, references, ...read };
}
