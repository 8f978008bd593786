/**
 * The executable schema: `schemas/mo-v29.graphql` (the project's SDL of MO's subset) with
 * MO's scalars and the emulator's resolvers attached, each field guarded by OS2mo's RBAC map.
 */
import { readFileSync } from 'node:fs';
import {
  GraphQLError,
  GraphQLObjectType,
  GraphQLScalarType,
  Kind as AstKind,
  buildSchema,
  defaultFieldResolver,
  isIntrospectionType,
  parse,
  print,
  visit,
  type GraphQLSchema,
  type ValueNode,
} from 'graphql';
import { MO_RBAC_MAP, POLICY_REFUSAL, rbacLookup, type MoRbacMap } from '../mo/rbac.ts';
import type { RequestContext } from './context.ts';
import { cprBirthDay } from './cpr.ts';
import { isIsoDateTime } from './dates.ts';
import { QUERY_RESOLVERS } from './read/queries.ts';
import { resolveCurrent, resolveValidities, type Ref, type View } from './read/responses.ts';
import { resolveViewField } from './read/views.ts';
import { MUTATION_RESOLVERS } from './write/index.ts';

export const SDL_PATH = new URL('../../schemas/mo-v29.graphql', import.meta.url);
export const SDL = readFileSync(SDL_PATH, 'utf8');

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

type Parser = (value: unknown) => unknown;

const stringScalar = (name: string, parse: Parser) => ({
  parseValue: (value: unknown) => {
    if (typeof value !== 'string') throw new GraphQLError(`${name} cannot represent a non string value: ${JSON.stringify(value)}`);
    return parse(value);
  },
  parseLiteral: (ast: ValueNode) => {
    if (ast.kind !== AstKind.STRING) throw new GraphQLError(`${name} cannot represent a non string value`);
    return parse(ast.value);
  },
});

const SCALARS: Record<string, { parseValue: Parser; parseLiteral: (ast: ValueNode) => unknown; serialize?: Parser }> = {
  UUID: stringScalar('UUID', (v) => {
    if (!UUID_RE.test(v as string)) throw new GraphQLError(`Invalid UUID: ${String(v)}`);
    return (v as string).toLowerCase();
  }),
  DateTime: stringScalar('DateTime', (v) => {
    if (!isIsoDateTime(v as string)) throw new GraphQLError(`Invalid isoformat string: '${String(v)}'`);
    return v;
  }),
  Date: stringScalar('Date', (v) => {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(v as string) || !isIsoDateTime(v as string)) {
      throw new GraphQLError(`Invalid isoformat string: '${String(v)}'`);
    }
    return v;
  }),
  CPR: stringScalar('CPR', (v) => {
    if (!cprBirthDay(v as string)) throw new GraphQLError(`Invalid CPR number: ${String(v)}`);
    return v;
  }),
  Cursor: stringScalar('Cursor', (v) => v),
  int: {
    parseValue: (v) => {
      if (!Number.isInteger(v)) throw new GraphQLError(`int cannot represent non-integer value: ${JSON.stringify(v)}`);
      return v;
    },
    parseLiteral: (ast) => {
      if (ast.kind !== AstKind.INT) throw new GraphQLError('int cannot represent non-integer value');
      return Number(ast.value);
    },
  },
};

const RESPONSE_TYPES = /^(Facet|Class|ITSystem|OrganisationUnit|Employee|Engagement|Address|ITUser|Manager|Association|KLE|RelatedUnit|Owner|RoleBinding)Response$/;
const VIEW_TYPES = new Set(['Facet', 'Class', 'ITSystem', 'OrganisationUnit', 'Employee', 'Engagement', 'Address', 'ITUser', 'Manager', 'Association', 'KLE', 'RelatedUnit', 'Owner', 'RoleBinding']);

/**
 * The SDL without some fields (`Type.field`, e.g. `OrganisationUnit.org_unit_hierarchy` or
 * `Mutation.org_unit_create`), to stand in for an MO that lacks them (`./run mo-emulator
 * --without-field`). Throws for a field the SDL does not have.
 */
export function sdlWithout(fields: readonly string[], sdl = SDL): string {
  if (fields.length === 0) return sdl;
  const wanted = new Set(fields);
  const found = new Set<string>();
  const doc = parse(sdl);
  const pruned = visit(doc, {
    enter(node) {
      if (node.kind !== AstKind.OBJECT_TYPE_DEFINITION && node.kind !== AstKind.INPUT_OBJECT_TYPE_DEFINITION) return undefined;
      const type = node.name.value;
      const kept = (node.fields ?? []).filter((f: { name: { value: string } }) => {
        const key = `${type}.${f.name.value}`;
        if (!wanted.has(key)) return true;
        found.add(key);
        return false;
      });
      return kept.length === (node.fields ?? []).length ? undefined : { ...node, fields: kept };
    },
  });
  const missing = fields.filter((f) => !found.has(f));
  if (missing.length) throw new Error(`the SDL has no field ${missing.join(', ')}`);
  return print(pruned);
}

/**
 * MO's `RBACExtension` (`mora/graphapi/schema.py` `_enforce_pbac`): each field is checked when it
 * is resolved (so not under an empty list): public fields pass, a role-gated field needs its
 * role among the token's (`RequestContext.granted`), a field in neither table of the map is
 * refused whatever the roles; a refusal is the field error "No policy approved the access".
 */
function enforceRbac(schema: GraphQLSchema, map: MoRbacMap): void {
  const lookup = rbacLookup(map);
  for (const type of Object.values(schema.getTypeMap())) {
    if (!(type instanceof GraphQLObjectType) || isIntrospectionType(type)) continue;
    for (const [fieldName, field] of Object.entries(type.getFields())) {
      const access = lookup(type.name, fieldName);
      if (access.kind === 'public') continue;
      const role = access.kind === 'role' ? access.role : undefined;
      const resolve = field.resolve ?? defaultFieldResolver;
      field.resolve = (source, args, ctx: RequestContext, info) => {
        if (role === undefined || !ctx.granted.has(role)) throw new GraphQLError(POLICY_REFUSAL);
        return resolve(source, args, ctx, info);
      };
    }
  }
}

/** `map`: OS2mo's RBAC map the emulator enforces (default the vendored one; tests pass another). */
export function buildMoSchema(sdl = SDL, map: MoRbacMap = MO_RBAC_MAP): GraphQLSchema {
  const schema = buildSchema(sdl);
  for (const [name, impl] of Object.entries(SCALARS)) {
    const scalar = schema.getType(name);
    if (!(scalar instanceof GraphQLScalarType)) throw new Error(`scalar ${name} missing from SDL`);
    scalar.parseValue = impl.parseValue;
    scalar.parseLiteral = impl.parseLiteral as GraphQLScalarType['parseLiteral'];
    if (impl.serialize) scalar.serialize = impl.serialize;
  }
  for (const type of Object.values(schema.getTypeMap())) {
    if (!(type instanceof GraphQLObjectType) || type.name.startsWith('__')) continue;
    const fields = type.getFields();
    if (type.name === 'Query' || type.name === 'Mutation') {
      const table = (type.name === 'Query' ? QUERY_RESOLVERS : MUTATION_RESOLVERS) as Record<string, unknown>;
      for (const [fieldName, field] of Object.entries(fields)) {
        const resolver = table[fieldName];
        if (typeof resolver !== 'function') throw new Error(`no resolver for ${type.name}.${fieldName}`);
        field.resolve = resolver as typeof field.resolve;
      }
    } else if (RESPONSE_TYPES.test(type.name)) {
      fields['uuid']!.resolve = (ref: Ref) => ref.uuid;
      fields['current']!.resolve = (ref: Ref, args, ctx) => resolveCurrent(ref, args, ctx);
      fields['validities']!.resolve = (ref: Ref, args, ctx) => resolveValidities(ref, args, ctx);
    } else if (VIEW_TYPES.has(type.name)) {
      for (const [fieldName, field] of Object.entries(fields)) {
        const resolve = resolveViewField(type.name, fieldName);
        field.resolve = (view: View, _args, ctx) => resolve(view, ctx);
      }
    }
  }
  enforceRbac(schema, map);
  return schema;
}
