/**
 * A TCP proxy that can make a server go silent, as a firewall that dropped the connection's state
 * or a frozen server host does: on cue it stops forwarding in both directions while keeping both
 * sockets open — no FIN, no RST, the peer just never answers again.
 *
 * - `silence()`: every open connection goes silent now; bytes already on their way are dropped.
 * - `silenceWhen(dir, chunk)`: checked for every chunk before it is forwarded; true silences that
 *   connection (the chunk is dropped), e.g. the client's "RETR " on a plain FTP control connection.
 * - `afterSilence`: what a new connection gets once something was silenced: 'silent' (accepted and
 *   never forwarded: the host stays frozen, every retry meets the same silence) or 'forward' (a
 *   retry reaches the server again: only the old connection's state was lost).
 * - `revive()`: new connections are forwarded again (the silent ones stay silent), as when the
 *   server host is back.
 * - `connections` counts accepted connections, `silenced` the connections that went silent.
 *
 * Nothing here ends a connection: the client must notice by itself. `close()` destroys everything.
 */
import net, { type AddressInfo, type Socket } from 'node:net';

export type Direction = 'up' | 'down';

export interface SilentProxyOptions {
  /** where the server listens */
  target: { host: string; port: number };
  silenceWhen?: (dir: Direction, chunk: Buffer, conn: { up: number; down: number }) => boolean;
  afterSilence?: 'silent' | 'forward';
}

export interface SilentProxy {
  host: string;
  port: number;
  readonly connections: number;
  readonly silenced: number;
  silence(): void;
  revive(): void;
  close(): Promise<void>;
}

interface Pair {
  client: Socket;
  server: Socket | undefined;
  silent: boolean;
  up: number;
  down: number;
}

export async function startSilentProxy(opts: SilentProxyOptions): Promise<SilentProxy> {
  const pairs = new Set<Pair>();
  let connections = 0;
  let silenced = 0;
  let frozen = false; // something went silent: new connections follow afterSilence

  const mute = (p: Pair) => {
    if (p.silent) return;
    p.silent = true;
    silenced++;
    frozen = true;
  };

  const server = net.createServer((client) => {
    connections++;
    const p: Pair = { client, server: undefined, silent: false, up: 0, down: 0 };
    pairs.add(p);
    client.on('error', () => {});
    client.on('close', () => {
      pairs.delete(p);
      p.server?.destroy();
    });
    if (frozen && (opts.afterSilence ?? 'silent') === 'silent') {
      // the host is frozen: the connection is accepted (as a SYN-ACK from a firewall or a kernel
      // whose processes hang would be) and nothing ever comes back; what the client sends is read and dropped
      mute(p);
      client.on('data', () => {});
      return;
    }
    const upstream = net.connect(opts.target.port, opts.target.host);
    p.server = upstream;
    upstream.on('error', () => client.destroy());
    upstream.on('close', () => {
      // the server closed: pass it on only while the connection is not silent (a dead peer sends no FIN)
      if (!p.silent) client.destroy();
    });
    client.on('end', () => {
      if (!p.silent) upstream.end();
    });
    upstream.on('end', () => {
      if (!p.silent) client.end();
    });
    const forward = (dir: Direction, chunk: Buffer) => {
      if (p.silent) return;
      if (opts.silenceWhen?.(dir, chunk, { up: p.up, down: p.down })) return mute(p);
      if (dir === 'up') {
        p.up += chunk.length;
        upstream.write(chunk);
      } else {
        p.down += chunk.length;
        client.write(chunk);
      }
    };
    client.on('data', (c: Buffer) => forward('up', c));
    upstream.on('data', (c: Buffer) => forward('down', c));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    host: '127.0.0.1',
    port,
    get connections() {
      return connections;
    },
    get silenced() {
      return silenced;
    },
    silence() {
      frozen = true;
      for (const p of pairs) mute(p);
    },
    revive() {
      frozen = false;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const p of pairs) {
          p.client.destroy();
          p.server?.destroy();
        }
        server.close(() => resolve());
      }),
  };
}
