import { testMongoUrl } from '@laas/testbed';
import { llamaCatalog } from '../src/index.js';
import { startImages, uniqueDbName, waitUntil, type RunningImages } from './support/images-server.js';
import { hostPort, startTcpProxy } from './support/tcp-proxy.js';

const catalog = llamaCatalog();

const upload = (images: RunningImages, url: string) =>
  fetch(`${images.url}/images`, {
    method: 'POST',
    body: JSON.stringify({ url }),
    headers: { 'content-type': 'application/json' },
  });

/** Every URL a replica can answer: its catalog is at most `count` images, so one request shows all. */
const everything = async (images: RunningImages): Promise<string[]> =>
  ((await (await fetch(`${images.url}/random?count=25`)).json()) as { message: string[] }).message;

describe('the catalog held in memory', () => {
  test('answers /random without a database round trip per request', async () => {
    const proxy = await startTcpProxy(hostPort(testMongoUrl()));
    const images = await startImages(uniqueDbName('images_noquery'), {
      mongoUrl: proxy.url('mongodb'),
      refreshMs: 60_000,
    });
    try {
      await images.catalog.seed(catalog, new Date());
      const before = proxy.forwarded;
      const started = Date.now();
      for (let i = 0; i < 200; i++) expect((await fetch(`${images.url}/random?count=25`)).status).toBe(200);
      // The only messages meanwhile are the driver's heartbeats (one per 2 s, and a round-trip
      // probe as often), far fewer than the 200 one read per request would send.
      const heartbeats = 2 * Math.ceil((Date.now() - started) / 2000) + 2;
      expect(proxy.forwarded - before).toBeLessThanOrEqual(heartbeats);
    } finally {
      await images.close();
      await proxy.close();
    }
  });

  test('reads the marker at most once per CATALOG_REFRESH_MS', async () => {
    const proxy = await startTcpProxy(hostPort(testMongoUrl()));
    const images = await startImages(uniqueDbName('images_marker'), {
      mongoUrl: proxy.url('mongodb'),
      refreshMs: 250,
    });
    try {
      const before = proxy.forwarded;
      const started = Date.now();
      await new Promise((r) => setTimeout(r, 2_000));
      const elapsed = Date.now() - started;
      // One marker read is one message to the database, besides the driver's heartbeats (one
      // per 2 s, and a round-trip probe as often). Refreshing on every tick of 250 ms gives
      // 8 reads in 2 s; a replica polling in a loop would send hundreds.
      const reads = proxy.forwarded - before;
      const heartbeats = 2 * Math.ceil(elapsed / 2000) + 2;
      expect(reads).toBeGreaterThanOrEqual(Math.floor(elapsed / 250) - 2);
      expect(reads).toBeLessThanOrEqual(Math.ceil(elapsed / 250) + 1 + heartbeats);
    } finally {
      await images.close();
      await proxy.close();
    }
  });

  test('an upload is visible at once on the replica that took it, and on another within the interval', async () => {
    const dbName = uniqueDbName('images_fresh');
    const a = await startImages(dbName, { refreshMs: 300 });
    const b = await startImages(dbName, { refreshMs: 300 });
    try {
      await a.catalog.seed(catalog.slice(0, 3), new Date());
      await waitUntil('b has the seed', async () => (await everything(b)).length === 3, 5_000);
      expect((await upload(a, 'https://example.com/fresh.jpg')).status).toBe(201);
      expect(await everything(a)).toContain('https://example.com/fresh.jpg');
      const uploadedAt = Date.now();
      await waitUntil('b answers the upload', async () =>
        (await everything(b)).includes('https://example.com/fresh.jpg'),
      );
      // 300 ms interval, plus one marker read and one load on a loaded machine.
      expect(Date.now() - uploadedAt).toBeLessThan(300 + 2_000);
    } finally {
      await a.close();
      await b.close();
    }
  });

  test('concurrent uploads on two replicas get distinct, dense ids, and both replicas end with every image', async () => {
    const dbName = uniqueDbName('images_concurrent');
    const a = await startImages(dbName, { refreshMs: 200 });
    const b = await startImages(dbName, { refreshMs: 200 });
    try {
      await a.catalog.seed(catalog.slice(0, 10), new Date());
      const urls = Array.from({ length: 40 }, (_, i) => `https://example.com/concurrent-${i}.jpg`);
      const responses = await Promise.all(urls.map((url, i) => upload(i % 2 === 0 ? a : b, url)));
      expect(responses.map((r) => r.status)).toEqual(new Array(40).fill(201));
      const ids = (await Promise.all(responses.map((r) => r.json() as Promise<{ id: number }>))).map(
        (r) => r.id,
      );
      expect([...ids].sort((x, y) => x - y)).toEqual(Array.from({ length: 40 }, (_, i) => 10 + i));
      const stored = await a.db.collection('images').find({}).sort({ _id: 1 }).toArray();
      expect(stored.map((d) => d._id)).toEqual(Array.from({ length: 50 }, (_, i) => i));
      await waitUntil(
        'both replicas hold 50 images',
        async () => a.catalog.size === 50 && b.catalog.size === 50,
      );
    } finally {
      await a.close();
      await b.close();
    }
  });

  test('the same URL uploaded on two replicas at once is stored once: one 201, one 409', async () => {
    const dbName = uniqueDbName('images_same');
    const a = await startImages(dbName);
    const b = await startImages(dbName);
    try {
      const statuses = await Promise.all([
        upload(a, 'https://example.com/same.jpg').then((r) => r.status),
        upload(b, 'https://example.com/same.jpg').then((r) => r.status),
      ]);
      expect(statuses.sort()).toEqual([201, 409]);
      expect(await a.db.collection('images').countDocuments({ url: 'https://example.com/same.jpg' })).toBe(1);
    } finally {
      await a.close();
      await b.close();
    }
  });

  test('over CATALOG_MEMORY_MB the replica samples from the database, and sees uploads of others', async () => {
    const dbName = uniqueDbName('images_budget');
    const small = await startImages(dbName, { memoryBudgetBytes: 0, refreshMs: 200 });
    const other = await startImages(dbName);
    try {
      await other.catalog.seed(catalog.slice(0, 5), new Date());
      await waitUntil('the small replica knows 5 images', async () => small.catalog.size === 5);
      expect(small.catalog.health()).toMatchObject({ mode: 'database', canServeReads: true });
      expect((await everything(small)).sort()).toEqual(catalog.slice(0, 5).sort());
    } finally {
      await small.close();
      await other.close();
    }
  });
});
