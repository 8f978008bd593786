/**
 * Leder_nye / Leder_ret / Leder_luk files → checked manager rows (pure, apart from reading the
 * given files), with their references to org units, classes and persons (by CPR).
 */
import type { ManagersMapping } from '../../schemas/mapping.schema.ts';
import type { LederRow, Reference } from './types.ts';
import type { Encoding } from './csv.ts';
import { maskCpr } from '../log.ts';
import { checkSectionTypes, readRowFiles, type InputFile } from './rows.ts';
import { timedKindsOf } from './files.ts';

import { ENDED_MANAGER_TYPES, MANAGER_TYPES } from './mapping-file.ts';
export { ENDED_MANAGER_TYPES, MANAGER_TYPES };
/** Leder_nye, Leder_ret, Leder_luk: from the one list of file kinds. */
export const MANAGER_KINDS = timedKindsOf('Leder');

export interface ParsedManagers {
  rows: LederRow[];
  references: Reference[];
  count: number;
  files: string[];
  unmapped: { file: string; columns: string[] }[];
  encodings: Record<string, Encoding>;
}

export function parseManagerFiles(files: InputFile[], mapping: ManagersMapping, encoding: Encoding, mappingName = 'managers mapping'): ParsedManagers {
  checkSectionTypes(mappingName, 'managers', mapping.managers, MANAGER_TYPES);
  checkSectionTypes(mappingName, 'ended', mapping.ended, ENDED_MANAGER_TYPES);
  const rows: LederRow[] = [];
  const references: Reference[] = [];
  const read = readRowFiles(files, encoding, {
    kinds: MANAGER_KINDS,
    endedKind: 'Leder_luk',
    main: { section: mapping.managers, types: MANAGER_TYPES },
    ended: { section: mapping.ended, types: ENDED_MANAGER_TYPES },
    file(f) {
      const name = f.file.name, date = f.date;
      const ORG_UNIT = f.at('org_unit'), CPR = f.at('cpr');
      const key = (v: readonly unknown[]) => `${v[ORG_UNIT] as string}/${v[CPR] as string}`;
      const duplicate = (v: readonly unknown[], earlier: number) => ({ field: 'cpr', message: `the manager role of CPR ${maskCpr(v[CPR] as string)} in unit ${v[ORG_UNIT] as string} is also on line ${earlier}` });
      if (f.ended) return { key, duplicate, row: (line, v) => void rows.push({ kind: 'Leder_luk', file: name, date, line, org_unit: v[ORG_UNIT] as string, cpr: v[CPR] as string }) };
      const kind = f.file.kind as 'Leder_nye' | 'Leder_ret';
      const TYPE = f.at('manager_type'), LEVEL = f.at('manager_level'), RESPONSIBILITY = f.at('responsibility');
      const unitRef = f.references('org_unit', 'org_unit');
      const personRef = f.references('person', 'cpr');
      const typeRef = f.references('class', 'manager_type', 'manager_type');
      const levelRef = f.references('class', 'manager_level', 'manager_level');
      const responsibilityRef = f.references('class', 'responsibility', 'responsibility');
      return {
        key,
        duplicate,
        row(line, v) {
          const orgUnit = v[ORG_UNIT] as string, cpr = v[CPR] as string, type = v[TYPE] as string, level = v[LEVEL] as string, responsibility = v[RESPONSIBILITY] as string;
          rows.push({ kind, file: name, date, line, org_unit: orgUnit, cpr, manager_type: type, manager_level: level, responsibility: [responsibility] });
          unitRef(orgUnit, line);
          personRef(cpr, line);
          typeRef(type, line);
          levelRef(level, line);
          responsibilityRef(responsibility, line);
        },
      };
    },
  }, references);
  return { rows, references, count: read.count, files: read.files, unmapped: read.unmapped, encodings: read.encodings };
}
