/**
 * The root organisation, portably: query `org`; only when MO answers E_ORG_UNCONFIGURED (older
 * MO), call `org_create` and query again. Current MO always has its root organisation.
 */
import { MoError, type MoClient } from './client.ts';
import { ORG_CREATE, ORG_QUERY } from './documents.ts';

export async function ensureOrganisation(client: MoClient, municipalityCode: number, dryRun: boolean): Promise<string | null> {
  const read = () => client.query<{ org: { uuid: string } }>(ORG_QUERY);
  try {
    return (await read()).org.uuid;
  } catch (e) {
    if (!(e instanceof MoError) || !e.errors.some((x) => x.error_key === 'E_ORG_UNCONFIGURED')) throw e;
    if (dryRun) return null;
    await client.query(ORG_CREATE, { input: { municipality_code: municipalityCode } });
    return (await read()).org.uuid;
  }
}
