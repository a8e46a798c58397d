/**
 * `GET /random` is served by a plain node:http function (src/random-route.ts), everything else
 * by Express (src/routing.ts has the table). A client must not be able to tell: these tests send
 * the same requests to the hot route and to the route as Express serves it (the reference below,
 * built from the same shared pieces and domain functions) and compare the answers byte for byte.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Router, type Response } from 'express';
import {
  baseApp,
  createHttpMetrics,
  createLogger,
  finishApp,
  notFound,
  openDatabase,
  type Readiness,
} from '@laas/shared';
import { createImagesApp, llamaCatalog, parseCount, type ImageCatalog } from '../src/index.js';
import { IMAGES_ROUTES } from '../src/routing.js';
import { testMongoUrl, uniqueDbName } from './support/images-server.js';

const silent = createLogger('hot-path-test', 'silent');

/**
 * The reference: `GET /random` as an Express route, as the service served it before the hot
 * path (parse `req.query`, sample, one `writeHead` with the JSON's type and length), behind the
 * service's own baseApp (request id, metrics, draining, health) and error handler.
 */
function expressRandom(catalog: ImageCatalog, readiness: Readiness, maxCount: number): http.RequestListener {
  const app = baseApp({ logger: silent, readiness, metrics: createHttpMetrics('images_reference') });
  const router = Router();
  router.get('/random', async (req, res) => {
    const count = parseCount(req.query as Record<string, unknown>, maxCount);
    const urls = await catalog.sample(count ?? 1, () => 0);
    if (count === null && urls.length === 0)
      throw notFound('catalog_empty', 'the catalog has no images yet: POST /images or run the seed');
    sendJson(res, { message: count === null ? urls[0] : urls });
  });
  app.use(router);
  finishApp(app, silent);
  return app;
}

function sendJson(res: Response, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(200, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

interface Answer {
  status: number;
  /** Every header but Date, names in lower case, in the order sent. */
  headers: [string, string][];
  body: string;
}

function request(base: string, method: string, path: string, requestId: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request(`${base}${path}`, { method, headers: { 'x-request-id': requestId } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const headers: [string, string][] = [];
        for (let i = 0; i < res.rawHeaders.length; i += 2) {
          const name = res.rawHeaders[i]!.toLowerCase();
          if (name !== 'date') headers.push([name, res.rawHeaders[i + 1]!]);
        }
        resolve({ status: res.statusCode ?? 0, headers, body: Buffer.concat(chunks).toString('utf8') });
      });
    });
    req.on('error', reject);
    req.end();
  });
}

interface Pair {
  /** The service's listener (hot routes, then Express). */
  hot: string;
  /** The reference Express route. */
  express: string;
  /** The service's Express app alone, without its hot routes. */
  app: string;
  readiness: Readiness;
  catalog: ImageCatalog;
  close(): Promise<void>;
}

/**
 * The service's handler and the reference on two ports, sharing one catalog and readiness, with
 * a maximum count of 50. Both draw with a random source of 0, so both draw ids 0, 1, 2, ... and
 * their bodies match.
 */
const MAX_COUNT = 50;
async function startPair(dbName: string, seed: string[] | null): Promise<Pair> {
  const { db, close } = openDatabase(testMongoUrl(), dbName, { selectionTimeoutMs: 1500 });
  const images = createImagesApp({ db, logger: silent, random: () => 0, maxCount: MAX_COUNT });
  if (seed !== null) {
    await images.catalog.ensureIndexes();
    await images.catalog.start();
    await images.catalog.seed(seed, new Date('2026-01-01T00:00:00Z'));
  }
  const servers = [
    images.handler,
    expressRandom(images.catalog, images.readiness, MAX_COUNT),
    images.app,
  ].map((listener) => http.createServer(listener));
  const urls = await Promise.all(
    servers.map(
      (server) =>
        new Promise<string>((resolve) =>
          server.listen(0, '127.0.0.1', () =>
            resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`),
          ),
        ),
    ),
  );
  return {
    hot: urls[0]!,
    express: urls[1]!,
    app: urls[2]!,
    readiness: images.readiness,
    catalog: images.catalog,
    close: async () => {
      for (const server of servers) {
        server.closeAllConnections();
        await new Promise((resolve) => server.close(resolve));
      }
      await images.catalog.stop();
      await close();
    },
  };
}

/** Sends one request to both and expects the same status, headers and body. */
async function expectSameAnswer(
  pair: Pair,
  method: string,
  path: string,
  requestId: string,
): Promise<Answer> {
  const hot = await request(pair.hot, method, path, requestId);
  const express = await request(pair.express, method, path, requestId);
  expect(hot).toEqual(express);
  return hot;
}

describe('the hot route and Express answer alike', () => {
  let pair: Pair;
  // A catalog with URLs that need escaping in JSON, beside the llamas.
  const odd = new URL('https://llamas.example/a%20b?q=back\\slash&r="quoted"').href;
  beforeAll(async () => {
    pair = await startPair(uniqueDbName('images_hot'), [...llamaCatalog().slice(0, 40), odd]);
  });
  afterAll(() => pair.close());

  test.each([
    ['one image', 'GET', '/random', 200],
    ['a list of 25', 'GET', '/random?count=25', 200],
    ['a list of 1', 'GET', '/random?count=1', 200],
    ['every image, the escaped URL included', 'GET', '/random?count=41', 200],
    ['count with leading zeros', 'GET', '/random?count=007', 200],
    ['a percent-encoded count', 'GET', '/random?count=%32%35', 200],
    ['other parameters beside count', 'GET', '/random?count=3&_=123', 200],
    ['a trailing slash', 'GET', '/random/?count=2', 200],
    ['an upper-case path', 'GET', '/RANDOM?count=2', 200],
    ['HEAD', 'HEAD', '/random?count=3', 200],
    ['count=0', 'GET', '/random?count=0', 400],
    ['count=abc', 'GET', '/random?count=abc', 400],
    ['count over the maximum', 'GET', '/random?count=51', 400],
    ['count=-1', 'GET', '/random?count=-1', 400],
    ['count=2.5', 'GET', '/random?count=2.5', 400],
    ['an empty count', 'GET', '/random?count=', 400],
    ['count[]=1', 'GET', '/random?count[]=1', 400],
    ['a repeated count', 'GET', '/random?count=1&count=2', 400],
  ])(
    'for %s (%s %s): status %i, the same headers and the same bytes',
    async (_label, method, path, status) => {
      const answer = await expectSameAnswer(pair, method, path, `compare-${path.length}`);
      expect(answer.status).toBe(status);
      expect(answer.headers.map(([name]) => name)).toEqual(
        expect.arrayContaining(['x-request-id', 'content-type', 'content-length']),
      );
    },
  );

  test('a URL that JSON must escape reads back as itself', async () => {
    // Draws with random 0 take ids 0, 1, 2, ...: the odd URL is id 40, the last.
    const answer = await expectSameAnswer(pair, 'GET', '/random?count=41', 'escaped');
    expect(answer.body).toContain('back\\\\slash');
    expect((JSON.parse(answer.body) as { message: string[] }).message[40]).toBe(odd);
  });

  // A request each row of the table serves.
  const examples: Record<string, string> = {
    '/random': '/random?count=2',
    '/': '/',
    '/images': '/images',
    '/images/:id': '/images/0',
    '/pictures/:file': '/pictures/1.svg',
    '/healthz': '/healthz',
    '/readyz': '/readyz',
    '/metrics': '/metrics',
  };
  test.each(IMAGES_ROUTES.map((route) => ({ ...route, example: examples[route.path] ?? route.path })))(
    '$method $path is served by $servedBy, and by that alone',
    async ({ method, servedBy, example }) => {
      const service = await request(pair.hot, method, example, 'table');
      const app = await request(pair.app, method, example, 'table');
      // A POST without a body is refused by the route itself (400), not by the 404 handler.
      expect(service.status).not.toBe(404);
      if (servedBy === 'hot')
        expect(JSON.parse(app.body)).toMatchObject({ error: { code: 'route_not_found' } });
      else expect(app.status).toBe(service.status);
    },
  );

  test('while draining, both close the connection after answering', async () => {
    const before = await request(pair.hot, 'GET', '/random?count=2', 'draining');
    expect(before.headers.find(([name]) => name === 'connection')?.[1]).toBe('keep-alive');
    pair.readiness.startDraining();
    const answer = await expectSameAnswer(pair, 'GET', '/random?count=2', 'draining');
    expect(answer.headers).toContainEqual(['connection', 'close']);
  });
});

describe('the hot route and Express answer alike without a catalog', () => {
  test('before the first load: 503 catalog_loading with Retry-After, for one image and for a list', async () => {
    const pair = await startPair(uniqueDbName('images_hot_loading'), null);
    try {
      for (const path of ['/random', '/random?count=3']) {
        const answer = await expectSameAnswer(pair, 'GET', path, 'loading');
        expect(answer.status).toBe(503);
        expect(answer.headers).toContainEqual(['retry-after', '1']);
        expect(JSON.parse(answer.body)).toMatchObject({
          error: { code: 'catalog_loading', requestId: 'loading' },
        });
      }
    } finally {
      await pair.close();
    }
  });

  test('an empty catalog: 404 catalog_empty for one image, [] for a list', async () => {
    const pair = await startPair(uniqueDbName('images_hot_empty'), []);
    try {
      expect((await expectSameAnswer(pair, 'GET', '/random', 'empty')).status).toBe(404);
      expect((await expectSameAnswer(pair, 'GET', '/random?count=3', 'empty')).body).toBe('{"message":[]}');
    } finally {
      await pair.close();
    }
  });
});
