/**
 * Mutation name → GraphQL input type name (`class_create` → `ClassCreateInput`), read from the
 * project's SDL of MO's subset (`schemas/mo-v29.graphql`; v29 and v30 have the same types) with
 * graphql-js, so the table can never drift from the schema the emulator serves.
 */
import { readFileSync } from 'node:fs';
import { buildSchema, getNamedType, isInputObjectType, type GraphQLSchema } from 'graphql';

export const MO_SDL_PATH = new URL('../../schemas/mo-v29.graphql', import.meta.url);

let schema: GraphQLSchema | undefined;
let table: Map<string, string> | undefined;

function mutationInputTypes(): Map<string, string> {
  if (table) return table;
  schema ??= buildSchema(readFileSync(MO_SDL_PATH, 'utf8'));
  const fields = schema.getMutationType()?.getFields() ?? {};
  table = new Map();
  for (const [name, field] of Object.entries(fields)) {
    const input = field.args.find((a) => a.name === 'input');
    if (!input) continue;
    const named = getNamedType(input.type);
    if (isInputObjectType(named)) table.set(name, named.name);
  }
  return table;
}

/** The input type of a mutation's `input` argument, e.g. `OrganisationUnitUpdateInput`; undefined if unknown. */
export function inputTypeOf(mutation: string): string | undefined {
  return mutationInputTypes().get(mutation);
}

/** All mutations the SDL knows (for error messages). */
export function knownMutations(): string[] {
  return [...mutationInputTypes().keys()];
}
