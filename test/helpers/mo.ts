/** Start an MO emulator for a test: a fresh SQLite file in a temp folder, a token, a GraphQL client. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startEmulator, type EmulatorOptions, type RunningEmulator } from '../../src/mo-emulator/server.ts';

export interface GqlResult<T = any> {
  status: number;
  data: T | null | undefined;
  errors?: { message: string; path?: (string | number)[]; extensions?: { error_context?: { error_key: string } & Record<string, unknown> } }[];
}

export interface TestMo {
  emu: RunningEmulator;
  dir: string;
  dbPath: string;
  token(): Promise<string>;
  /** POST a GraphQL request (default /graphql/v29) with a fresh-enough token. */
  gql<T = any>(query: string, variables?: Record<string, unknown>, opts?: { version?: number; force?: boolean; token?: string | null }): Promise<GqlResult<T>>;
  /** gql() that fails the test on errors and returns data. */
  ok<T = any>(query: string, variables?: Record<string, unknown>, opts?: { version?: number; force?: boolean }): Promise<T>;
  /** Stop the emulator (keep the db) and start a new one on the same file. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

export async function fetchToken(emu: RunningEmulator, secret = emu.clientSecret): Promise<Response> {
  return fetch(`${emu.authServer}/realms/${emu.realm}/protocol/openid-connect/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials', client_id: emu.clientId, client_secret: secret }),
  });
}

export async function startTestMo(options: Partial<EmulatorOptions> = {}): Promise<TestMo> {
  const dir = mkdtempSync(path.join(tmpdir(), 'mo-emulator-'));
  const dbPath = path.join(dir, 'mo.sqlite');
  const clientSecret = options.clientSecret ?? 'test-secret';
  let emu = await startEmulator({ dbPath, port: 0, clientSecret, ...options });
  let cached: string | undefined;
  const mo: TestMo = {
    get emu() {
      return emu;
    },
    dir,
    dbPath,
    async token() {
      if (cached) return cached;
      const res = await fetchToken(emu);
      if (res.status !== 200) throw new Error(`token request failed: ${res.status} ${await res.text()}`);
      cached = ((await res.json()) as { access_token: string }).access_token;
      return cached;
    },
    async gql(query, variables, opts = {}) {
      const token = opts.token === undefined ? await mo.token() : opts.token;
      const url = `${emu.url}/graphql/v${opts.version ?? 29}${opts.force ? '?force=1' : ''}`;
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body: JSON.stringify({ query, variables }),
      });
      const body = (await res.json()) as GqlResult;
      return { ...body, status: res.status };
    },
    async ok(query, variables, opts) {
      const result = await mo.gql(query, variables, opts);
      if (result.errors?.length) throw new Error(`GraphQL errors: ${JSON.stringify(result.errors)}`);
      return result.data;
    },
    async restart() {
      await emu.stop();
      emu = await startEmulator({ dbPath, port: 0, clientSecret, ...options });
      cached = undefined;
    },
    async stop() {
      await emu.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return mo;
}

/** Uuids of the basic classification seeded by seedBasics(). */
export interface Basics {
  facets: Record<string, string>;
  unitType: string;
  engagementType: string;
  jobFunction: string;
  primary: string;
  notPrimary: string;
  email: string;
  phone: string;
  ean: string;
  text: string;
  managerType: string;
  managerLevel: string;
  responsibility: string;
  itsystem: string;
}

/** Create the facets and classes the tests need (valid for all time). */
export async function seedBasics(mo: TestMo): Promise<Basics> {
  const facetKeys = ['org_unit_type', 'engagement_type', 'engagement_job_function', 'primary_type', 'employee_address_type', 'org_unit_address_type', 'manager_type', 'manager_level', 'responsibility'];
  const facetData = await mo.ok(
    `mutation { ${facetKeys.map((k) => `${k}: facet_create(input: {user_key: "${k}", validity: {}}) { uuid }`).join('\n')} }`,
  );
  const facets: Record<string, string> = Object.fromEntries(facetKeys.map((k) => [k, facetData[k].uuid]));
  const classes: [string, string, string, string | null][] = [
    ['unitType', 'org_unit_type', 'Afdeling', null],
    ['engagementType', 'engagement_type', 'Ansat', null],
    ['jobFunction', 'engagement_job_function', 'Udvikler', null],
    ['primary', 'primary_type', 'Primær', '3000'],
    ['notPrimary', 'primary_type', 'Ikke-primær', '0'],
    ['email', 'employee_address_type', 'Email', 'EMAIL'],
    ['phone', 'employee_address_type', 'Telefon', 'PHONE'],
    ['ean', 'org_unit_address_type', 'EAN', 'EAN'],
    ['text', 'org_unit_address_type', 'Note', 'TEXT'],
    ['managerType', 'manager_type', 'Leder', null],
    ['managerLevel', 'manager_level', 'Niveau 1', null],
    ['responsibility', 'responsibility', 'Personale', null],
  ];
  const classData = await mo.ok(
    `mutation { ${classes
      .map(
        ([alias, facet, name, scope]) =>
          `${alias}: class_create(input: {user_key: "${alias}", name: "${name}", facet_uuid: "${facets[facet]}", ${scope ? `scope: "${scope}", ` : ''}validity: {}}) { uuid }`,
      )
      .join('\n')}
      itsystem: itsystem_create(input: {user_key: "AD", name: "Active Directory", validity: {}}) { uuid } }`,
  );
  const out = Object.fromEntries([...classes.map(([alias]) => [alias, classData[alias].uuid]), ['itsystem', classData.itsystem.uuid]]);
  return { facets, ...out } as Basics;
}
