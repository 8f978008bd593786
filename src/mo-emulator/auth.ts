/** Keycloak-like client-credentials tokens: opaque random bearer tokens with an expiry. */
import { randomBytes, timingSafeEqual } from 'node:crypto';

export interface TokenGrant { access_token: string; expires_in: number; token_type: 'Bearer' }

const sameText = (a: string, b: string) => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

export class TokenIssuer {
  private readonly tokens = new Map<string, number>();

  constructor(
    readonly clientId: string,
    private readonly clientSecret: string,
    readonly lifetimeSeconds: number,
  ) {}

  /** A token for valid client credentials, else null. */
  grant(clientId: string | null, clientSecret: string | null): TokenGrant | null {
    if (clientId === null || clientSecret === null) return null;
    if (!sameText(clientId, this.clientId) || !sameText(clientSecret, this.clientSecret)) return null;
    const now = Date.now();
    if (this.tokens.size > 10_000) for (const [t, exp] of this.tokens) if (exp <= now) this.tokens.delete(t);
    const token = randomBytes(32).toString('base64url');
    this.tokens.set(token, now + this.lifetimeSeconds * 1000);
    return { access_token: token, expires_in: this.lifetimeSeconds, token_type: 'Bearer' };
  }

  /** Whether an `Authorization` header carries a known, unexpired bearer token. */
  isAuthenticated(header: string | undefined): boolean {
    const match = /^bearer\s+(\S+)\s*$/i.exec(header ?? '');
    if (!match) return false;
    const expiry = this.tokens.get(match[1]!);
    if (expiry === undefined) return false;
    if (expiry <= Date.now()) {
      this.tokens.delete(match[1]!);
      return false;
    }
    return true;
  }
}
