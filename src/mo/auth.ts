/**
 * Keycloak client-credentials tokens for MO: one token shared by all requests, fetched once by
 * concurrent callers, renewed ahead of expiry and on demand after MO says "User is not
 * authenticated". The client secret and every token are registered with `addSecret`.
 */
import type { Agents } from '../http/agent.ts';
import { networkReason, parseRetryAfter, TransientError } from '../http/retry.ts';
import { addSecret, redact } from '../log.ts';
import { MoError } from './errors.ts';

export interface TokenSourceOptions {
  authServer: string;
  realm: string;
  clientId: string;
  clientSecret: string;
  timeoutMs: number;
  /** the client's keep-alive agents */
  agents: Agents;
  /** Called after each successful token fetch. */
  onToken?: () => void;
}

/** Renew when less than this much of the lifetime is left: min(30 s, 10 % of the lifetime). */
export function renewMargin(lifetimeMs: number): number {
  return Math.min(30_000, lifetimeMs * 0.1);
}

export class TokenSource {
  private token: string | undefined;
  private renewAt = 0;
  private pending: Promise<string> | undefined;
  readonly tokenUrl: string;

  constructor(private readonly opts: TokenSourceOptions) {
    addSecret(opts.clientSecret);
    this.tokenUrl = `${opts.authServer.replace(/\/+$/, '')}/realms/${encodeURIComponent(opts.realm)}/protocol/openid-connect/token`;
  }

  /** A valid token: the cached one unless it is about to expire. Concurrent callers share one fetch. */
  async get(): Promise<string> {
    if (this.token && Date.now() < this.renewAt) return this.token;
    this.pending ??= this.fetchToken().finally(() => {
      this.pending = undefined;
    });
    return this.pending;
  }

  /** Forget `token` (if it is still the current one) so the next get() fetches a new one. */
  invalidate(token: string): void {
    if (this.token === token) {
      this.token = undefined;
      this.renewAt = 0;
    }
  }

  private async fetchToken(): Promise<string> {
    const { clientId, clientSecret, realm, timeoutMs } = this.opts;
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), timeoutMs);
    let status: number;
    let text: string;
    let retryAfter: string | null = null;
    try {
      const res = await this.opts.agents.fetch(this.tokenUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body: new URLSearchParams({ grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret }),
        signal: controller.signal,
      });
      status = res.status;
      retryAfter = res.headers.get('retry-after');
      text = await res.text();
    } catch (error) {
      if (controller.signal.aborted) throw new TransientError(`token request timed out after ${timeoutMs} ms`);
      throw new TransientError(`token request failed: ${networkReason(error)}`);
    } finally {
      clearTimeout(timer);
    }
    if (status >= 500 || status === 429 || status === 408) {
      throw new TransientError(`token endpoint answered HTTP ${status}`, parseRetryAfter(retryAfter));
    }
    let body: { access_token?: unknown; expires_in?: unknown; error?: unknown; error_description?: unknown } = {};
    try {
      body = JSON.parse(text) as typeof body;
    } catch {
      // handled below
    }
    if (status !== 200 || typeof body.access_token !== 'string' || !body.access_token) {
      const detail = [body.error, body.error_description].filter((x) => typeof x === 'string').join(': ') || text.slice(0, 200);
      throw new MoError(
        redact(`MO authentication failed: ${this.tokenUrl} answered HTTP ${status}${detail ? ` (${detail})` : ''} for client "${clientId}" in realm "${realm}"; check client_id, client_secret, auth_server and auth_realm`),
        [{ message: redact(detail || `HTTP ${status}`) }],
        status,
      );
    }
    const token = body.access_token;
    addSecret(token);
    const lifetimeMs = (typeof body.expires_in === 'number' && body.expires_in > 0 ? body.expires_in : 300) * 1000;
    this.token = token;
    this.renewAt = Date.now() + lifetimeMs - renewMargin(lifetimeMs);
    this.opts.onToken?.();
    return token;
  }
}
