import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { MongoClient } from 'mongodb';
import { createHttpServer, createLogger, localTokenKeys, type ServerLimits } from '@laas/shared';
import { testMongoUrl } from '@laas/testbed';
import { argon2Hasher, createAuthApp, DEFAULT_LIMITS, generateSigningKey, signingKeys } from '@laas/auth';
import { createImagesApp, type ImageCatalog } from '@laas/images';
import { createGatewayApp, type GatewayApp, type GatewayAppOptions } from '../../src/index.js';

/** The Ed25519 key the test auth signs with; gateways check with its public half only. */
export const TEST_KEYS = signingKeys(generateSigningKey());
export const TEST_PRIVATE_PEM = TEST_KEYS.current.privateKey
  .export({ type: 'pkcs8', format: 'pem' })
  .toString();

export const uniqueDbName = (prefix: string): string => `${prefix}_${process.pid}_${Date.now().toString(36)}`;

export interface Listening {
  url: string;
  server: http.Server;
  close(): Promise<void>;
}

/** Listens on a free loopback port: a plain server, or one with the services' listener limits. */
export async function listen(handler: http.RequestListener, limits?: ServerLimits): Promise<Listening> {
  const server = limits === undefined ? http.createServer(handler) : createHttpServer(handler, limits);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    server,
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/** Real images and auth apps, in-process, on one fresh database of the test FerretDB. */
export interface Services {
  images: Listening & { catalog: ImageCatalog };
  auth: Listening;
  close(): Promise<void>;
}

export async function startServices(dbName: string): Promise<Services> {
  const client = new MongoClient(testMongoUrl(), { serverSelectionTimeoutMS: 1500 });
  await client.connect();
  const db = client.db(dbName);
  const silent = createLogger('test', 'silent');
  const databaseCheck = { name: 'database', check: async () => void (await db.command({ ping: 1 })) };
  const imagesApp = createImagesApp({ db, logger: silent });
  await imagesApp.catalog.ensureIndexes();
  await imagesApp.catalog.start();
  const authApp = createAuthApp({
    db,
    logger: silent,
    databaseCheck,
    signingKeys: TEST_KEYS,
    hasher: argon2Hasher({ memoryCost: 8_192, timeCost: 2 }),
    limits: {
      register: { perAddress: 1000, windowSeconds: 60 },
      login: { ...DEFAULT_LIMITS.login, perAddress: 1000 },
    },
  });
  await authApp.users.ensureIndexes();
  const images = await listen(imagesApp.handler);
  const auth = await listen(authApp.app);
  return {
    images: { ...images, catalog: imagesApp.catalog },
    auth,
    close: async () => {
      await Promise.all([images.close(), auth.close()]);
      await imagesApp.catalog.stop();
      await client.close();
    },
  };
}

export interface RunningGateway extends GatewayApp, Listening {
  logs(): string;
}

export async function startGateway(
  options: Partial<GatewayAppOptions> & { upstreams: GatewayAppOptions['upstreams'] },
  limits?: ServerLimits,
): Promise<RunningGateway> {
  let logs = '';
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      logs += chunk.toString();
      callback();
    },
  });
  const gateway = createGatewayApp({
    tokenKeys: localTokenKeys(TEST_KEYS.jwks),
    logger: createLogger('gateway-test', 'debug', sink),
    ...options,
  });
  const listening = await listen(gateway.handler, limits);
  return {
    ...gateway,
    ...listening,
    logs: () => logs,
    close: async () => {
      await listening.close();
      await gateway.close();
    },
  };
}

/** An upstream that answers every request with what it received, plus hop-by-hop headers of its own. */
export async function startEcho(): Promise<Listening & { seen: http.IncomingHttpHeaders[] }> {
  const seen: http.IncomingHttpHeaders[] = [];
  const echo = await listen((req, res) => {
    seen.push(req.headers);
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      res.writeHead(200, {
        'content-type': 'application/json',
        connection: 'keep-alive, x-upstream-hop',
        'x-upstream-hop': 'secret',
        'keep-alive': 'timeout=5, max=1000',
        'x-request-id': req.headers['x-request-id'] ?? 'none',
      });
      res.end(JSON.stringify({ method: req.method, url: req.url, headers: req.headers, body }));
    });
  });
  return { ...echo, seen };
}

/** A closed port: connections are refused. */
export async function refusedUrl(): Promise<string> {
  const l = await listen(() => undefined);
  await l.close();
  return l.url;
}

export const json = (body: unknown): RequestInit => ({
  method: 'POST',
  body: typeof body === 'string' ? body : JSON.stringify(body),
  headers: { 'content-type': 'application/json' },
});
