/**
 * The realm roles a GraphQL document needs in MO. MO checks every Query and Mutation field and
 * every nested object field against its RBAC map; the roles are named
 * `{read|create|update|terminate|delete}_{collection}` (`mora/graphapi/permissions.py`,
 * `mora/graphapi/rbac_map.py`, `mora/graphapi/schema.py` `rbac_policy`):
 * - a Query field needs `read_<collection>` (`org_units` → `read_org_unit`, `persons` → `read_employee`);
 * - a Mutation field `<collection>_<verb>` needs `<verb>_<collection>` (`org_unit_create` → `create_org_unit`);
 * - a nested field whose type is a collection's object (or its response) needs `read_<collection>`
 *   (`facet_response` inside a class → `read_facet`);
 * - scalar fields and the plumbing objects (`validity`, `page_info`) are public.
 * The emulator enforces the same (src/mo-emulator/server.ts), and the importer checks its token
 * against it before it writes (src/mo/preflight.ts).
 */
import { getNamedType, isObjectType, TypeInfo, visit, visitWithTypeInfo, type DocumentNode, type GraphQLSchema } from 'graphql';

/** Collection of an object type (and its `…Response`, `…ResponsePaged` types). */
const TYPE_COLLECTIONS: Record<string, string> = {
  Facet: 'facet',
  Class: 'class',
  ITSystem: 'itsystem',
  OrganisationUnit: 'org_unit',
  Employee: 'employee',
  Engagement: 'engagement',
  Address: 'address',
  ITUser: 'ituser',
  Manager: 'manager',
  Organisation: 'org',
  Association: 'association',
  KLE: 'kle',
  Leave: 'leave',
  RelatedUnit: 'related_unit',
};

const VERBS = ['create', 'update', 'terminate', 'delete', 'refresh'] as const;

/** MO's collections (role names' second part). */
export const MO_COLLECTIONS: readonly string[] = [...new Set(Object.values(TYPE_COLLECTIONS))];

/** `OrganisationUnitResponsePaged` → `org_unit`; undefined for plumbing types. */
export function collectionOfType(typeName: string): string | undefined {
  const base = typeName.replace(/(ResponsePaged|Response|Paged)$/, '');
  return TYPE_COLLECTIONS[base];
}

/** `org_unit_create` → `create_org_unit`; undefined for a name without a known verb. */
export function mutationRole(field: string): string | undefined {
  for (const verb of VERBS) {
    if (field.endsWith(`_${verb}`)) return `${verb}_${field.slice(0, -verb.length - 1)}`;
  }
  return undefined;
}

export interface RoleNeed {
  role: string;
  /** `Query.org_units`, `Class.facet_response`, `Mutation.org_unit_create` */
  field: string;
}

/** The roles `document` needs (each with the first field that needs it), in document order. */
export function requiredRoles(schema: GraphQLSchema, document: DocumentNode): RoleNeed[] {
  const out = new Map<string, RoleNeed>();
  const need = (role: string | undefined, field: string) => {
    if (role && !out.has(role)) out.set(role, { role, field });
  };
  const info = new TypeInfo(schema);
  const queryType = schema.getQueryType()?.name;
  const mutationType = schema.getMutationType()?.name;
  visit(
    document,
    visitWithTypeInfo(info, {
      Field(node) {
        const parent = info.getParentType();
        const def = info.getFieldDef();
        if (!parent || !def) return;
        const name = `${parent.name}.${node.name.value}`;
        const named = getNamedType(def.type);
        const collection = isObjectType(named) ? collectionOfType(named.name) : undefined;
        if (parent.name === mutationType) need(mutationRole(node.name.value), name);
        else if (parent.name === queryType) need(collection ? `read_${collection}` : undefined, name);
        else if (collection) need(`read_${collection}`, name);
      },
    }),
  );
  return [...out.values()];
}
