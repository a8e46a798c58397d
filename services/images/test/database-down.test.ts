import { testMongoUrl } from '@laas/testbed';
import { llamaCatalog } from '../src/index.js';
import { startImages, uniqueDbName, waitUntil, type RunningImages } from './support/images-server.js';
import { hostPort, startTcpProxy, type TcpProxy } from './support/tcp-proxy.js';

const catalog = llamaCatalog();

const upload = (images: RunningImages, url: string) =>
  fetch(`${images.url}/images`, {
    method: 'POST',
    body: JSON.stringify({ url }),
    headers: { 'content-type': 'application/json' },
  });
const readyz = async (images: RunningImages) => {
  const res = await fetch(`${images.url}/readyz`);
  return {
    status: res.status,
    body: (await res.json()) as { status: string; checks: Record<string, string> },
  };
};

describe('with the database cut off (a TCP proxy drops every connection)', () => {
  let proxy: TcpProxy;
  beforeEach(async () => {
    proxy = await startTcpProxy(hostPort(testMongoUrl()));
  });
  afterEach(() => proxy.close());

  test('/random keeps answering from the catalog held, /readyz says ready but degraded, uploads answer 503, and all recover', async () => {
    const images = await startImages(uniqueDbName('images_down'), {
      mongoUrl: proxy.url('mongodb'),
      refreshMs: 100,
    });
    try {
      await images.catalog.seed(catalog, new Date());
      proxy.cut();
      await waitUntil('readiness notices', async () => (await readyz(images)).body.status === 'degraded');

      const ready = await readyz(images);
      expect(ready.status).toBe(200);
      expect(ready.body.checks).toMatchObject({
        catalog: 'ok',
        database: expect.stringMatching(/unreachable/),
      });
      for (let i = 0; i < 20; i++) {
        const res = await fetch(`${images.url}/random?count=25`);
        expect(res.status).toBe(200);
        const { message } = (await res.json()) as { message: string[] };
        expect(message).toHaveLength(25);
      }
      const rejected = await upload(images, 'https://example.com/while-down.jpg');
      expect(rejected.status).toBe(503);
      expect(rejected.headers.get('retry-after')).toBe('1');
      expect(await rejected.json()).toMatchObject({
        error: { code: 'database_unavailable', message: expect.stringMatching(/database/) },
      });
      expect((await fetch(`${images.url}/healthz`)).status).toBe(200);

      proxy.restore();
      await waitUntil('/readyz is ready again', async () => (await readyz(images)).body.status === 'ready');
      await waitUntil(
        'uploads work again',
        async () => (await upload(images, 'https://example.com/after.jpg')).status === 201,
      );
      expect(images.catalog.size).toBe(101);
    } finally {
      await images.close();
    }
  });

  test('a replica over its memory budget (reads need the database) is not ready and answers 503', async () => {
    const images = await startImages(uniqueDbName('images_down_db'), {
      mongoUrl: proxy.url('mongodb'),
      refreshMs: 100,
      memoryBudgetBytes: 0,
    });
    try {
      await images.catalog.seed(catalog, new Date());
      expect((await fetch(`${images.url}/random?count=5`)).status).toBe(200);
      proxy.cut();
      await waitUntil('readiness notices', async () => (await readyz(images)).status === 503);
      expect((await readyz(images)).body).toMatchObject({ status: 'unavailable' });
      const res = await fetch(`${images.url}/random?count=5`);
      expect(res.status).toBe(503);
      expect(await res.json()).toMatchObject({ error: { code: 'database_unavailable' } });
      proxy.restore();
      await waitUntil('ready again', async () => (await readyz(images)).status === 200);
      expect((await fetch(`${images.url}/random?count=5`)).status).toBe(200);
    } finally {
      await images.close();
    }
  });

  test('a replica started while the database is down is not ready and answers 503 catalog_loading until it loads', async () => {
    const dbName = uniqueDbName('images_down_boot');
    const seeder = await startImages(dbName);
    await seeder.catalog.seed(catalog.slice(0, 4), new Date());
    await seeder.close();
    proxy.cut();
    const images = await startImages(dbName, { mongoUrl: proxy.url('mongodb'), refreshMs: 100 });
    try {
      expect((await readyz(images)).status).toBe(503);
      const res = await fetch(`${images.url}/random`);
      expect(res.status).toBe(503);
      expect(await res.json()).toMatchObject({ error: { code: 'catalog_loading' } });
      proxy.restore();
      await waitUntil('ready', async () => (await readyz(images)).status === 200);
      expect(images.catalog.size).toBe(4);
    } finally {
      await images.close();
    }
  });
});
