/**
 * Preflight against the live MO, before anything is written (and `./run doctor` on demand):
 * - `GET {MO_URL}/graphql/vNN/schema.graphql`, and every document los2mo sends (documents.ts)
 *   validated against that SDL with graphql-js: a field, argument or type MO does not have is
 *   named with its document;
 * - every field of those documents against OS2mo's RBAC map (rbac.ts, schemas/mo-rbac-map.json):
 *   a field in neither PUBLIC_FIELDS nor RBAC_MAP is refused by MO whatever the roles, and named
 *   `Type.field` with its document;
 * - the token's realm roles (`realm_access.roles`, decoded from the JWT) against the roles those
 *   documents need: a missing role is named with the field that needs it.
 * Any problem stops the run with exit 2 before anything is written.
 */
import { buildSchema, parse, validate, type GraphQLSchema } from 'graphql';
import { ConfigError } from '../errors.ts';
import type { MoClient } from './client.ts';
import { moDocuments, type MoDocument } from './documents.ts';
import { documentAccess, MO_RBAC_MAP, POLICY_REFUSAL, type MoRbacMap } from './rbac.ts';

export interface RoleRequirement {
  role: string;
  /** the first document and field that need it */
  document: string;
  field: string;
}

export interface PreflightReport {
  sdlUrl: string;
  documents: number;
  /** every role the documents need, sorted */
  roles: RoleRequirement[];
  /** the token's realm roles (undefined without a token) */
  granted?: string[];
  problems: string[];
}

/**
 * Validates `documents` against `sdl` and their fields against MO's RBAC map (`map`, default the
 * vendored one); the roles they need (sorted by name).
 */
export function checkDocuments(sdl: string, documents: MoDocument[] = moDocuments(), map: MoRbacMap = MO_RBAC_MAP): { problems: string[]; roles: RoleRequirement[] } {
  let schema: GraphQLSchema;
  try {
    schema = buildSchema(sdl);
  } catch (e) {
    return { problems: [`MO's SDL does not build: ${(e as Error).message}`], roles: [] };
  }
  const problems: string[] = [];
  const roles = new Map<string, RoleRequirement>();
  for (const d of documents) {
    const doc = parse(d.query);
    const errors = validate(schema, doc);
    for (const e of errors) problems.push(`document "${d.name}": ${e.message}`);
    if (errors.length) continue;
    const access = documentAccess(schema, doc, map);
    for (const field of access.rejected) {
      problems.push(`document "${d.name}": ${field} is in neither PUBLIC_FIELDS nor RBAC_MAP of OS2mo's ${map.source.file} (${map.source.commit.slice(0, 10)}): MO refuses it whatever the roles ("${POLICY_REFUSAL}")`);
    }
    for (const need of access.roles) if (!roles.has(need.role)) roles.set(need.role, { role: need.role, document: d.name, field: need.field });
  }
  return { problems, roles: [...roles.values()].sort((a, b) => a.role.localeCompare(b.role)) };
}

/** The realm roles of a Keycloak access token (a JWT), or undefined when it is not one. */
export function tokenRoles(token: string): string[] | undefined {
  const parts = token.split('.');
  if (parts.length !== 3) return undefined;
  try {
    const payload = JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8')) as { realm_access?: { roles?: unknown } };
    const roles = payload.realm_access?.roles;
    return Array.isArray(roles) ? roles.filter((r): r is string => typeof r === 'string') : [];
  } catch {
    return undefined;
  }
}

/** Runs the checks against `client`'s MO; never throws for a mismatch (see `problems`). */
export async function preflight(client: MoClient, map: MoRbacMap = MO_RBAC_MAP): Promise<PreflightReport> {
  const transport = client.transport;
  const sdlUrl = `${transport.endpoint}/schema.graphql`;
  const sdl = await transport.schemaSdl();
  const documents = moDocuments();
  const { problems, roles } = checkDocuments(sdl, documents, map);
  const report: PreflightReport = { sdlUrl, documents: documents.length, roles, problems };
  if (!transport.auth) {
    problems.push('no client_secret: MO answers every request "User is not authenticated"');
    return report;
  }
  const granted = tokenRoles(await transport.auth.get());
  if (!granted) {
    problems.push('the access token is not a JWT: its realm roles cannot be checked');
    return report;
  }
  report.granted = [...granted].sort();
  const have = new Set(granted);
  for (const r of roles) if (!have.has(r.role)) problems.push(`missing realm role ${r.role} (needed by ${r.field} in document "${r.document}")`);
  return report;
}

/** Preflight for a run: throws a ConfigError (exit 2) naming every problem. */
export async function requirePreflight(client: MoClient, map: MoRbacMap = MO_RBAC_MAP): Promise<PreflightReport> {
  const report = await preflight(client, map);
  if (report.problems.length) {
    throw new ConfigError(`MO preflight failed (${report.sdlUrl}), nothing was written:\n  ${report.problems.join('\n  ')}`);
  }
  return report;
}
