/**
 * Pers_nye / Pers_ret / Pers_luk files → checked engagement rows (pure, apart from reading the
 * given files). Every value is checked with file:line:column problems; CPR numbers never appear
 * unmasked in a problem. The row reader it shares with the Leder files is rows.ts.
 */
import type { PersonsMapping } from '../../schemas/mapping.schema.ts';
import type { EngagementRow, PersonRow, Reference } from './types.ts';
import type { Encoding } from './csv.ts';
import { maskCpr } from '../log.ts';
import { cprBirthDate, exclusiveEnd } from './values.ts';
import { addressValueWarning } from './address-values.ts';
import { ENDED_ENGAGEMENT_TYPES, ENGAGEMENT_TYPES } from './mapping-file.ts';
import { checkSectionTypes, readRowFiles, type InputFile } from './rows.ts';
import { timedKindsOf } from './files.ts';

export type { InputFile };

/** CPRNavn → given name and surname, split at the last space (as MO's migration guide says). */
export function splitName(full: string): { name: string; given_name: string; surname: string } {
  const trimmed = full.trim();
  const name = /\s\s|[^\S ]/.test(trimmed) ? trimmed.replace(/\s+/g, ' ') : trimmed;
  const at = name.lastIndexOf(' ');
  return at < 0 ? { name, given_name: name, surname: '' } : { name, given_name: name.slice(0, at), surname: name.slice(at + 1) };
}


export { ENGAGEMENT_TYPES, ENDED_ENGAGEMENT_TYPES } from './mapping-file.ts';

/** Pers_nye, Pers_ret, Pers_luk: from the one list of file kinds. */
export const PERSON_KINDS = timedKindsOf('Pers');

export interface ParsedPersons {
  rows: PersonRow[];
  references: Reference[];
  /** data rows read */
  count: number;
  files: string[];
  unmapped: { file: string; columns: string[] }[];
  /** the encoding each file was read in */
  encodings: Record<string, Encoding>;
}

/**
 * Parse the Pers files (in the given order) through the persons mapping. Throws an InputError with
 * every problem of every file; a ConfigError when the mapping gives a field the wrong type.
 */
export function parsePersonFiles(files: InputFile[], mapping: PersonsMapping, encoding: Encoding, mappingName = 'persons mapping', options: { warn?: (message: string) => void } = {}): ParsedPersons {
  checkSectionTypes(mappingName, 'engagements', mapping.engagements, ENGAGEMENT_TYPES);
  checkSectionTypes(mappingName, 'ended', mapping.ended, ENDED_ENGAGEMENT_TYPES);
  const rows: PersonRow[] = [];
  const references: Reference[] = [];
  const read = readRowFiles(files, encoding, {
    kinds: PERSON_KINDS,
    endedKind: 'Pers_luk',
    main: { section: mapping.engagements, types: ENGAGEMENT_TYPES },
    ended: { section: mapping.ended, types: ENDED_ENGAGEMENT_TYPES },
    file(f) {
      const name = f.file.name, date = f.date;
      const ENGAGEMENT = f.at('engagement'), CPR = f.at('cpr');
      const key = (v: readonly unknown[]) => v[ENGAGEMENT] as string;
      const duplicate = (v: readonly unknown[], earlier: number) => ({ field: 'engagement', message: `engagement ${v[ENGAGEMENT] as string} is also on line ${earlier}` });
      if (f.ended) return { key, duplicate, row: (line, v) => void rows.push({ kind: 'Pers_luk', file: name, date, line, engagement: v[ENGAGEMENT] as string, cpr: v[CPR] as string }) };
      const kind = f.file.kind as EngagementRow['kind'];
      const USER_KEY = f.at('user_key'), NAME = f.at('name'), START = f.at('start'), END = f.at('end'), EMAIL = f.at('email'), PRIMARY = f.at('primary');
      const ORG_UNIT = f.at('org_unit'), ENGAGEMENT_TYPE = f.at('engagement_type'), JOB_FUNCTION = f.at('job_function'), AZID = f.at('azid');
      // an absent optional column (optional_column: true) says nothing: the row has no key (MO's value stays); an empty value is null
      const given = (i: number) => (f.plan[i]?.index ?? -1) >= 0;
      const emailGiven = given(EMAIL), azidGiven = given(AZID);
      const unitRef = f.references('org_unit', 'org_unit');
      const typeRef = f.references('class', 'engagement_type', 'engagement_type');
      const jobRef = f.references('class', 'job_function', 'engagement_job_function');
      return {
        key,
        duplicate,
        row(line, v) {
          const cpr = v[CPR] as string, start = v[START] as string, end = v[END] as string;
          let ok = true;
          if (end < start) {
            f.problem(line, 'end', `the last day ${end} is before the first day ${start}`);
            ok = false;
          }
          const birth = cprBirthDate(cpr)!;
          if (start < birth) {
            f.problem(line, 'start', `the first day ${start} is before the birth date of CPR ${maskCpr(cpr)} (${birth})`);
            ok = false;
          }
          if (!ok) return;
          const names = splitName(v[NAME] as string);
          // an e-mail address MO would refuse (V_INVALID_ADDRESS_EMAIL) is skipped: the row gets no
          // email key (as an absent column: MO's e-mail address stays as it is), with a warning
          const email = emailGiven ? ((v[EMAIL] as string | undefined) ?? null) : undefined;
          const emailColumn = f.plan[EMAIL];
          const emailWarning = email == null || !emailColumn ? null
            : addressValueWarning('EMAIL', email, { file: name, line, column: emailColumn.index + 1, field: emailColumn.column }, `the e-mail address of CPR ${maskCpr(cpr)}`);
          if (emailWarning) options.warn?.(emailWarning);
          const orgUnit = v[ORG_UNIT] as string, engagementType = v[ENGAGEMENT_TYPE] as string, jobFunction = v[JOB_FUNCTION] as string;
          rows.push({
            kind, file: name, date, line,
            engagement: v[ENGAGEMENT] as string, user_key: (v[USER_KEY] as string | undefined) ?? null, cpr,
            name: names.name, given_name: names.given_name, surname: names.surname,
            from: start, to: exclusiveEnd(end), primary: v[PRIMARY] as boolean,
            org_unit: orgUnit, engagement_type: engagementType, job_function: jobFunction,
            ...(emailGiven && !emailWarning ? { email } : {}),
            ...(azidGiven ? { azid: (v[AZID] as string | undefined) ?? null } : {}),
          });
          unitRef(orgUnit, line);
          typeRef(engagementType, line);
          jobRef(jobFunction, line);
        },
      };
    },
  }, references);
  return { rows, references, count: read.count, files: read.files, unmapped: read.unmapped, encodings: read.encodings };
}
