/**
 * The domain types of the LOS rows, for the code that reads, merges and plans them. They are
 * derived from the step schemas (schemas/parse-*.schema.ts), which stay the one source: the runner
 * validates the data between steps against them. Domain code imports them from here.
 */
export type { UnitFile, UnitRow, UnitSpec } from '../../schemas/parse-units.schema.ts';
export type { EngagementRow, PersonRow, Reference } from '../../schemas/parse-persons.schema.ts';
export type { LederRow } from '../../schemas/parse-managers.schema.ts';
