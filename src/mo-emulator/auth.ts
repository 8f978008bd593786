/**
 * Keycloak-like client-credentials tokens: JWTs (HS256 with a key made when the emulator starts,
 * so a restarted emulator forgets every token, as MO checks Keycloak's signature) whose payload
 * carries the client's realm roles in `realm_access.roles`, like Keycloak's.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { mapRoles } from '../mo/rbac.ts';

export interface TokenGrant { access_token: string; expires_in: number; token_type: 'Bearer' }

const sameText = (a: string, b: string) => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

/** Every realm role OS2mo's RBAC map names (`read_org_unit`, `create_org_unit`, …, `fetch_event`). */
export function allRoles(): string[] {
  return mapRoles();
}

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

export class TokenIssuer {
  private readonly key = randomBytes(32);
  readonly roles: readonly string[];

  constructor(
    readonly clientId: string,
    private readonly clientSecret: string,
    readonly lifetimeSeconds: number,
    /** the client's realm roles; default every role */
    roles: readonly string[] = allRoles(),
  ) {
    this.roles = [...roles];
  }

  private sign(data: string): string {
    return createHmac('sha256', this.key).update(data).digest('base64url');
  }

  /** A token for valid client credentials, else null. */
  grant(clientId: string | null, clientSecret: string | null): TokenGrant | null {
    if (clientId === null || clientSecret === null) return null;
    if (!sameText(clientId, this.clientId) || !sameText(clientSecret, this.clientSecret)) return null;
    const now = Date.now() / 1000; // NumericDate may have a fraction (RFC 7519): expiry to the millisecond
    const payload = { exp: now + this.lifetimeSeconds, iat: Math.floor(now), jti: randomBytes(8).toString('hex'), typ: 'Bearer', azp: this.clientId, realm_access: { roles: this.roles } };
    const unsigned = `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64(payload)}`;
    return { access_token: `${unsigned}.${this.sign(unsigned)}`, expires_in: this.lifetimeSeconds, token_type: 'Bearer' };
  }

  /** The realm roles of an `Authorization` header's valid, unexpired bearer token; null when it has none. */
  authenticate(header: string | undefined): readonly string[] | null {
    const match = /^bearer\s+([\w-]+)\.([\w-]+)\.([\w-]+)\s*$/i.exec(header ?? '');
    if (!match) return null;
    const [, head, body, signature] = match;
    if (!sameText(signature!, this.sign(`${head}.${body}`))) return null;
    try {
      const payload = JSON.parse(Buffer.from(body!, 'base64url').toString('utf8')) as { exp?: number; realm_access?: { roles?: string[] } };
      if (typeof payload.exp !== 'number' || payload.exp * 1000 <= Date.now()) return null;
      return payload.realm_access?.roles ?? [];
    } catch {
      return null;
    }
  }

  /** Whether an `Authorization` header carries a valid, unexpired bearer token. */
  isAuthenticated(header: string | undefined): boolean {
    return this.authenticate(header) !== null;
  }
}
