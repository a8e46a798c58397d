import net from 'node:net';
import type { AddressInfo } from 'node:net';

/**
 * A TCP proxy in front of a real server, to make the network misbehave on purpose: `cut()`
 * drops every connection and refuses new ones (the database "goes down"), `restore()` lets
 * them through again, and `delayMs` holds every server reply (requests stay in flight).
 */
export interface TcpProxy {
  url(scheme: string): string;
  port: number;
  delayMs: number;
  /** Chunks received from clients so far: one per request the server sent through. */
  forwarded: number;
  cut(): void;
  restore(): void;
  close(): Promise<void>;
}

export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  const sockets = new Set<net.Socket>();
  let open = true;
  const proxy: TcpProxy = {
    port: 0,
    delayMs: 0,
    forwarded: 0,
    url: (scheme) => `${scheme}://127.0.0.1:${proxy.port}/`,
    cut: () => {
      open = false;
      for (const s of sockets) s.destroy();
      sockets.clear();
    },
    restore: () => {
      open = true;
    },
    close: async () => {
      proxy.cut();
      await new Promise((resolve) => server.close(resolve));
    },
  };
  const server = net.createServer((client) => {
    if (!open) {
      client.destroy();
      return;
    }
    const upstream = net.connect(target.port, target.host);
    sockets.add(client).add(upstream);
    client.on('data', () => proxy.forwarded++);
    client.pipe(upstream);
    upstream.on('data', (chunk: Buffer) => {
      if (proxy.delayMs > 0) setTimeout(() => client.writable && client.write(chunk), proxy.delayMs);
      else client.write(chunk);
    });
    const drop = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  proxy.port = (server.address() as AddressInfo).port;
  return proxy;
}

export function hostPort(mongoUrl: string): { host: string; port: number } {
  const u = new URL(mongoUrl);
  return { host: u.hostname, port: Number(u.port || 27017) };
}
