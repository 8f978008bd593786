/**
 * The one HTTP stack of los2mo's clients (MO, Keycloak, DAR, Pushgateway): node-fetch on
 * node:http / node:https with one keep-alive agent policy. Not Node's global fetch (undici): for
 * MO it took twice the CPU per request and left tens of KB of garbage per request that reached
 * the old generation (docs/mo-client.md).
 */
import http from 'node:http';
import https from 'node:https';
import nodeFetch, { type RequestInit, type Response } from 'node-fetch';

/** Keep-alive connections, as Node's global agent: idle ones close after 5 s, or before the server's Keep-Alive timeout. */
export const AGENT_OPTIONS = { keepAlive: true, scheduling: 'lifo', timeout: 5000 } as const;

/** One pair of keep-alive agents (http, https), made when first used. One per client. */
export class Agents {
  private http: http.Agent | undefined;
  private https: https.Agent | undefined;

  /** For node-fetch's `agent` option. */
  readonly pick = (url: URL): http.Agent => (url.protocol === 'https:' ? (this.https ??= new https.Agent(AGENT_OPTIONS)) : (this.http ??= new http.Agent(AGENT_OPTIONS)));

  /** node-fetch with these agents. */
  fetch(url: string, init: Omit<RequestInit, 'agent'> = {}): Promise<Response> {
    return nodeFetch(url, { ...init, agent: this.pick });
  }

  /** Close idle connections (a client that is done). */
  destroy(): void {
    this.http?.destroy();
    this.https?.destroy();
    this.http = this.https = undefined;
  }
}

/** A body as text, without a leading byte order mark. */
export async function textOf(res: Response): Promise<string> {
  const text = await res.text();
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}
