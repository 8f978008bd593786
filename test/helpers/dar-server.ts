/**
 * Test helpers for the DAR washer: an in-process loopback HTTP server that records requests and
 * in-flight counts, answer builders in the DAWA datavask and Adressevask JSON shapes, a tiny zip
 * writer and temp dirs.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32, deflateRawSync } from 'node:zlib';

export interface SeenRequest { url: URL; t: number }

export interface TestServer {
  url: string;
  requests: SeenRequest[];
  maxInFlight: number;
  close(): Promise<void>;
}

export type Handler = (url: URL, req: IncomingMessage, res: ServerResponse, n: number) => unknown | Promise<unknown>;

export async function startServer(handler: Handler): Promise<TestServer> {
  let inFlight = 0;
  const state: TestServer = {
    url: '',
    requests: [],
    maxInFlight: 0,
    close: async () => {},
  };
  const server = createServer(async (req, res) => {
    inFlight++;
    state.maxInFlight = Math.max(state.maxInFlight, inFlight);
    res.on('close', () => inFlight--);
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    state.requests.push({ url, t: performance.now() });
    try {
      await handler(url, req, res, state.requests.length);
    } catch (e) {
      if (!res.headersSent) res.writeHead(599);
      res.end(String(e));
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  state.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return state;
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export function json(res: ServerResponse, body: unknown, status = 200, headers: Record<string, string> = {}) {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
  res.end(JSON.stringify(body));
}

/** A DAWA datavask answer. */
export function dawaAnswer(kategori: 'A' | 'B' | 'C', hits: { id: string; status?: number; aktuel?: { id: string; status: number } | null }[]) {
  return {
    kategori,
    resultater: hits.map((h) => ({
      adresse: { id: h.id, vejnavn: 'Testvej', husnr: '1', etage: null, dør: null, postnr: '8000', postnrnavn: 'Aarhus C', status: h.status ?? 1 },
      aktueladresse: h.aktuel === undefined ? { id: h.id, status: 1 } : h.aktuel,
      vaskeresultat: { afstand: kategori === 'A' ? 0 : 2, forskelle: {}, ukendtetokens: [] },
    })),
  };
}

/** An Adressevask answer. */
export function vaskAnswer(kode: number, tekst: string, id?: string) {
  return {
    vaskestatus: { kode, tekst },
    vaskeresultat: id ? { adresse_id_lokalid: id, adressebetegnelse: 'Testvej 1, 8000 Aarhus C' } : {},
    vaskeresultat_historisk: {},
  };
}

/** A zip archive (deflated entries, or stored with `store`). */
export function makeZip(entries: { name: string; data: Buffer }[], store = false): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    const name = Buffer.from(e.name, 'utf8');
    const body = store ? e.data : deflateRawSync(e.data);
    const crc = crc32(e.data) >>> 0;
    const method = store ? 0 : 8;
    const loc = Buffer.alloc(30);
    loc.writeUInt32LE(0x04034b50, 0);
    loc.writeUInt16LE(20, 4);
    loc.writeUInt16LE(0x0800, 6); // utf-8 names
    loc.writeUInt16LE(method, 8);
    loc.writeUInt32LE(crc, 14);
    loc.writeUInt32LE(body.length, 18);
    loc.writeUInt32LE(e.data.length, 22);
    loc.writeUInt16LE(name.length, 26);
    const cen = Buffer.alloc(46);
    cen.writeUInt32LE(0x02014b50, 0);
    cen.writeUInt16LE(20, 4);
    cen.writeUInt16LE(20, 6);
    cen.writeUInt16LE(0x0800, 8);
    cen.writeUInt16LE(method, 10);
    cen.writeUInt32LE(crc, 16);
    cen.writeUInt32LE(body.length, 20);
    cen.writeUInt32LE(e.data.length, 24);
    cen.writeUInt16LE(name.length, 28);
    cen.writeUInt32LE(offset, 42);
    locals.push(loc, name, body);
    centrals.push(cen, name);
    offset += 30 + name.length + body.length;
  }
  const cd = Buffer.concat(centrals);
  const eocd = Buffer.alloc(22);
  eocd.writeUInt32LE(0x06054b50, 0);
  eocd.writeUInt16LE(entries.length, 8);
  eocd.writeUInt16LE(entries.length, 10);
  eocd.writeUInt32LE(cd.length, 12);
  eocd.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, eocd]);
}

export async function withTempDir<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'los2mo-dar-'));
  try {
    return await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** A deterministic uuid-shaped id from a number. */
export const idOf = (n: number, prefix = 'da') =>
  `${prefix.padEnd(8, '0').slice(0, 8)}-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;
