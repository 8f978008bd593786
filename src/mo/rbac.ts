/**
 * MO's GraphQL RBAC, from OS2mo's own map (`mora/graphapi/rbac_map.py`, vendored as
 * schemas/mo-rbac-map.json by schemas/vendor-mo-rbac-map.ts, with its commit). MO checks every
 * field it resolves (`mora/graphapi/schema.py` `RBACExtension`, `_enforce_pbac`, `POLICIES`):
 * - introspection (`__typename`, `__schema`, `__type`, fields of `__…` types) is public
 *   (`introspection_policy`);
 * - a field in `PUBLIC_FIELDS` is public (`no_role_required_policy`);
 * - a field in `RBAC_MAP` needs its realm role in `realm_access.roles` (`rbac_policy`; the
 *   `owner_policy` fallback needs the `owner` role and ownership of the objects, which los2mo's
 *   client does not have);
 * - any other field is rejected, whatever the roles.
 * A refused field fails with the GraphQL error "No policy approved the access".
 * The importer checks its documents and token against this before it writes (src/mo/preflight.ts),
 * and the emulator enforces it per resolved field (src/mo-emulator/schema.ts).
 */
import { readFileSync } from 'node:fs';
import { isAbstractType, isIntrospectionType, TypeInfo, visit, visitWithTypeInfo, type DocumentNode, type GraphQLSchema } from 'graphql';

export interface MoRbacMap {
  source: { repository: string; commit: string; file: string; license: string };
  /** PUBLIC_FIELDS: `Type.field` */
  public: string[];
  /** RBAC_MAP: `Type.field` → realm role */
  roles: Record<string, string>;
}

export const MO_RBAC_MAP: MoRbacMap = JSON.parse(readFileSync(new URL('../../schemas/mo-rbac-map.json', import.meta.url), 'utf8'));

/** MO's answer to a field no policy lets through. */
export const POLICY_REFUSAL = 'No policy approved the access';

/** How MO treats one field: public, behind a realm role, or rejected (in neither table). */
export type FieldAccess = { kind: 'public' } | { kind: 'role'; role: string } | { kind: 'rejected' };

const PUBLIC: FieldAccess = { kind: 'public' };
const REJECTED: FieldAccess = { kind: 'rejected' };
const INTROSPECTION_FIELDS = new Set(['__typename', '__schema', '__type']);

/** A map's lookup: `(type, field)` → its access. */
export function rbacLookup(map: MoRbacMap = MO_RBAC_MAP): (typeName: string, field: string) => FieldAccess {
  const publicFields = new Set(map.public);
  const roles = new Map(Object.entries(map.roles).map(([k, role]) => [k, { kind: 'role', role } as FieldAccess]));
  return (typeName, field) => {
    if (INTROSPECTION_FIELDS.has(field) || typeName.startsWith('__')) return PUBLIC;
    const key = `${typeName}.${field}`;
    if (publicFields.has(key)) return PUBLIC;
    return roles.get(key) ?? REJECTED;
  };
}

const defaultLookup = rbacLookup();

/** Every realm role the map names, sorted. */
export function mapRoles(map: MoRbacMap = MO_RBAC_MAP): string[] {
  return [...new Set(Object.values(map.roles))].sort();
}

export interface RoleNeed {
  role: string;
  /** `Query.org_units`, `Class.facet_response`, `Mutation.org_unit_create` */
  field: string;
}

export interface DocumentAccess {
  /** the roles the document needs (each with the first field that needs it), in document order */
  roles: RoleNeed[];
  /** `Type.field`s MO rejects whatever the roles (in neither table), in document order */
  rejected: string[];
}

/**
 * What `document` needs from MO's RBAC, field by field. Statically every selected field counts;
 * MO checks a field only when it resolves it (a nested field under an empty list is never
 * checked), so a document may pass MO with less on an empty MO, never with less once data exists.
 */
export function documentAccess(schema: GraphQLSchema, document: DocumentNode, map?: MoRbacMap): DocumentAccess {
  const lookup = map ? rbacLookup(map) : defaultLookup;
  const roles = new Map<string, RoleNeed>();
  const rejected = new Set<string>();
  const info = new TypeInfo(schema);
  visit(
    document,
    visitWithTypeInfo(info, {
      Field(node) {
        const parent = info.getParentType();
        if (!parent || isIntrospectionType(parent)) return;
        // MO checks the concrete object type being resolved: an abstract parent needs each one's
        const types = isAbstractType(parent) ? schema.getPossibleTypes(parent).map((t) => t.name) : [parent.name];
        for (const typeName of types) {
          const name = `${typeName}.${node.name.value}`;
          const access = lookup(typeName, node.name.value);
          if (access.kind === 'rejected') rejected.add(name);
          else if (access.kind === 'role' && !roles.has(access.role)) roles.set(access.role, { role: access.role, field: name });
        }
      },
    }),
  );
  return { roles: [...roles.values()], rejected: [...rejected] };
}

/** The roles `document` needs (each with the first field that needs it), in document order. */
export function requiredRoles(schema: GraphQLSchema, document: DocumentNode, map?: MoRbacMap): RoleNeed[] {
  return documentAccess(schema, document, map).roles;
}
