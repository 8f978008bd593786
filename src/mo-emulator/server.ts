/**
 * The MO emulator's HTTP server (node:http): OS2mo's GraphQL endpoints (v29, v30), the SDL,
 * `/metrics`, and a Keycloak-like token endpoint, on a SQLite store.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { GraphQLSchema } from 'graphql';
import { TokenIssuer } from './auth.ts';
import { FaultInjector, type FaultOptions } from './faults.ts';
import { readDarIds } from './dar-ids.ts';
import { GraphqlEndpoint, type GraphqlBody } from './graphql-endpoint.ts';
import { Metrics, type EmulatorMetrics } from './metrics.ts';
import type { MoRbacMap } from '../mo/rbac.ts';
import { SDL, buildMoSchema, sdlWithout } from './schema.ts';
import { Store } from './store.ts';

export type { FaultOptions } from './faults.ts';
export type { EmulatorMetrics } from './metrics.ts';

export interface EmulatorOptions {
  dbPath: string;
  /** 0 = a free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  clientId?: string;
  /** Generated if absent (see `RunningEmulator.clientSecret`). */
  clientSecret?: string;
  /** Default 'mo'. */
  realm?: string;
  /** Default 300. */
  tokenLifetimeSeconds?: number;
  faults?: FaultOptions;
  /** DAR register file: DAR address values must be ids in it (as MO looks them up in DAR); without one only their UUID form is checked. */
  darRegister?: string;
  /** The client's realm roles in its tokens; default every role (`allRoles()`). */
  roles?: readonly string[];
  /** Fields (`Type.field`) left out of the SDL served and executed, as an MO without them. */
  withoutFields?: readonly string[];
  /** OS2mo's RBAC map enforced per field; default the vendored one (schemas/mo-rbac-map.json). */
  rbacMap?: MoRbacMap;
  /** SQLite page cache in MiB; default 128 (the embedded emulator of a run uses less, `src/run-mo.ts`). */
  cacheMb?: number;
  /** Called with the text of every GraphQL document received (`query` of a POST body), before it runs: lets a test see exactly what a client sends. */
  onDocument?: (query: string) => void;
}

export interface RunningEmulator {
  /** http://HOST:PORT — MO_URL. */
  url: string;
  /** `${url}/auth` — the Keycloak base URL. */
  authServer: string;
  realm: string;
  clientId: string;
  clientSecret: string;
  dbPath: string;
  /** The number of DAR ids of its register, or undefined without one. */
  darIds?: number;
  setFaults(f: FaultOptions): void;
  metrics(): EmulatorMetrics;
  stop(): Promise<void>;
}

/** Versions served; v29 and v30 have the same types. */
export const SUPPORTED_VERSIONS = [29, 30] as const;
export const LATEST_VERSION = 30;
export const DEFAULT_CLIENT_ID = 'dipex';

let cachedSchema: GraphQLSchema | undefined;
const moSchema = () => (cachedSchema ??= buildMoSchema());

const MAX_BODY = 64 * 1024 * 1024;

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
  ) {
    super(`HTTP ${status}`);
  }
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY) {
        reject(new HttpError(413, { detail: 'Request body too large' }));
        req.destroy();
      } else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (res.destroyed || res.headersSent) return;
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(status, {
    'content-type': typeof body === 'string' ? 'text/plain; charset=utf-8' : 'application/json',
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

/** A mutation document (its first operation; los2mo's writes are one mutation operation each). */
const WRITE = /^\s*(?:#[^\n]*\n\s*)*mutation\b/;

export async function startEmulator(opts: EmulatorOptions): Promise<RunningEmulator> {
  const host = opts.host ?? '127.0.0.1';
  const realm = opts.realm ?? 'mo';
  const clientId = opts.clientId ?? DEFAULT_CLIENT_ID;
  const clientSecret = opts.clientSecret ?? randomBytes(24).toString('base64url');
  const store = new Store(opts.dbPath, opts.cacheMb === undefined ? {} : { cacheMb: opts.cacheMb });
  const metrics = new Metrics();
  const faults = new FaultInjector(opts.faults);
  const tokens = new TokenIssuer(clientId, clientSecret, opts.tokenLifetimeSeconds ?? 300, opts.roles);
  const darIds = opts.darRegister ? await readDarIds(opts.darRegister) : undefined;
  const sdl = opts.withoutFields?.length ? sdlWithout(opts.withoutFields) : SDL;
  const schema = sdl === SDL && !opts.rbacMap ? moSchema() : buildMoSchema(sdl, opts.rbacMap);
  const endpoint = new GraphqlEndpoint(store, schema, metrics, darIds);
  const tokenPath = `/auth/realms/${realm}/protocol/openid-connect/token`;
  const timers = new Set<NodeJS.Timeout>();
  let stopped = false;

  async function handleToken(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const form = new URLSearchParams(await readBody(req));
    let id = form.get('client_id');
    let secret = form.get('client_secret');
    const basic = /^basic\s+(\S+)$/i.exec(req.headers.authorization ?? '');
    if (basic) {
      const [user, ...rest] = Buffer.from(basic[1]!, 'base64').toString('utf8').split(':');
      id = decodeURIComponent(user ?? '');
      secret = decodeURIComponent(rest.join(':'));
    }
    if (form.get('grant_type') !== 'client_credentials') {
      return send(res, 400, { error: 'unsupported_grant_type', error_description: 'Unsupported grant_type' });
    }
    const grant = tokens.grant(id, secret);
    if (!grant) {
      return send(res, 401, { error: 'unauthorized_client', error_description: 'Invalid client or Invalid client credentials' });
    }
    send(res, 200, { ...grant, refresh_expires_in: 0, 'not-before-policy': 0, scope: 'profile email' });
  }

  async function handleGraphql(req: IncomingMessage, res: ServerResponse, version: number): Promise<void> {
    metrics.graphqlRequest();
    const text = await readBody(req);
    const fault = faults.decide();
    if (fault === 'reset') {
      metrics.fault('reset');
      req.socket.destroy();
      return;
    }
    if (fault === 'error') {
      metrics.fault('error');
      const status = faults.errorStatus;
      return send(res, status, { detail: `HTTP ${status} (injected fault)` });
    }
    let body: GraphqlBody;
    try {
      body = JSON.parse(text) as GraphqlBody;
      if (!body || typeof body !== 'object') throw new Error('not an object');
    } catch {
      return send(res, 400, 'Unable to parse request body as JSON');
    }
    if (opts.onDocument && typeof body.query === 'string') opts.onDocument(body.query);
    let result;
    const roles = tokens.authenticate(req.headers.authorization);
    if (roles === null) {
      metrics.error('UNAUTHENTICATED');
      result = { data: null, errors: [{ message: 'User is not authenticated' }] };
    } else {
      result = endpoint.run(body, version, roles);
    }
    if (fault === 'lost' || faults.loseAnswer(typeof body.query === 'string' && WRITE.test(body.query))) {
      // executed and committed, but the answer never arrives
      metrics.fault('lost');
      req.socket.destroy();
      return;
    }
    const delay = faults.delayMs;
    if (delay > 0) {
      metrics.fault('delay');
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          timers.delete(timer);
          resolve();
        }, delay);
        timers.add(timer);
      });
    }
    send(res, 200, result);
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    metrics.request();
    if (stopped) return send(res, 503, { detail: 'Stopping' });
    const url = new URL(req.url ?? '/', 'http://emulator');
    const path = url.pathname;
    const method = req.method ?? 'GET';
    if (path === tokenPath) {
      if (method !== 'POST') return send(res, 405, { error: 'method_not_allowed' });
      return handleToken(req, res);
    }
    if (path.startsWith('/auth/realms/')) return send(res, 404, { error: 'Realm does not exist' });
    if (path === '/metrics' && method === 'GET') {
      return send(res, 200, metrics.prometheus(), { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' });
    }
    if (path === '/version/' || path === '/version') {
      return send(res, 200, { mo_version: 'los2mo-mo-emulator', mo_hash: null });
    }
    if (path === '/graphql' || path === '/graphql/') {
      return send(res, 307, '', { location: `/graphql/v${LATEST_VERSION}${url.search}` });
    }
    const match = /^\/graphql\/v(\d+)(\/schema\.graphql)?\/?$/.exec(path);
    if (match) {
      const version = Number(match[1]);
      if (!(SUPPORTED_VERSIONS as readonly number[]).includes(version)) return send(res, 404, { detail: 'Not Found' });
      if (match[2]) {
        if (method !== 'GET') return send(res, 405, { detail: 'Method Not Allowed' });
        return send(res, 200, sdl);
      }
      if (method !== 'POST') return send(res, 405, { detail: 'Method Not Allowed' });
      // `?force=1` is ignored, as MO ignores every query argument on GraphQL
      return handleGraphql(req, res, version);
    }
    send(res, 404, { detail: 'Not Found' });
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (error instanceof HttpError) return send(res, error.status, error.body);
      console.error('mo-emulator: request failed', error);
      send(res, 500, { detail: 'Internal Server Error' });
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;

  return {
    url,
    authServer: `${url}/auth`,
    realm,
    clientId,
    clientSecret,
    dbPath: opts.dbPath,
    darIds: darIds?.size,
    setFaults: (f) => faults.set(f),
    metrics: () => metrics.snapshot(),
    async stop() {
      if (stopped) return;
      stopped = true;
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
      store.close();
    },
  };
}
