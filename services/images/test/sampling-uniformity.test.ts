import { llamaCatalog } from '../src/index.js';
import { startImages, uniqueDbName } from './support/images-server.js';
import { chiSquareUniform, seededRandom } from './support/seeded-random.js';

const catalog = llamaCatalog();

async function drawCounts(url: string, requests: number, count: number): Promise<Map<string, number>> {
  const seen = new Map<string, number>();
  for (let i = 0; i < requests; i++) {
    const { message } = (await (await fetch(`${url}/random?count=${count}`)).json()) as { message: string[] };
    expect(new Set(message).size).toBe(message.length);
    for (const u of message) seen.set(u, (seen.get(u) ?? 0) + 1);
  }
  return seen;
}

describe('sampling through the real database', () => {
  test('every llama is equally likely over 400 requests of 25 (chi-square, significance 0.001)', async () => {
    const images = await startImages(uniqueDbName('images_uniform'), { random: seededRandom(42) });
    try {
      await images.catalog.seed(catalog, new Date());
      const seen = await drawCounts(images.url, 400, 25);
      expect(seen.size).toBe(100);
      const { statistic, critical } = chiSquareUniform(catalog.map((u) => seen.get(u) ?? 0));
      expect(statistic).toBeLessThan(critical);
    } finally {
      await images.close();
    }
  });

  test('ids lost to failed inserts are skipped without bias, and answers stay full', async () => {
    const images = await startImages(uniqueDbName('images_gaps'), { random: seededRandom(7) });
    try {
      // Burn ids between every batch of ten, as lost races on duplicate uploads would.
      for (let batch = 0; batch < 5; batch++) {
        await images.catalog.seed(catalog.slice(batch * 10, batch * 10 + 10), new Date());
        await images.db
          .collection<{ _id: string; next: number }>('counters')
          .updateOne({ _id: 'images' }, { $inc: { next: 10 } });
      }
      const seen = await drawCounts(images.url, 300, 25);
      expect(seen.size).toBe(50);
      const counts = catalog.slice(0, 50).map((u) => seen.get(u) ?? 0);
      expect(counts.reduce((a, b) => a + b, 0)).toBe(300 * 25);
      const { statistic, critical } = chiSquareUniform(counts);
      expect(statistic).toBeLessThan(critical);
    } finally {
      await images.close();
    }
  });

  test('a catalog above the snapshot size is sampled with _id $in queries, still uniformly', async () => {
    const images = await startImages(uniqueDbName('images_in'), {
      random: seededRandom(11),
      snapshotMaxImages: 0,
    });
    try {
      await images.catalog.seed(catalog, new Date());
      const seen = await drawCounts(images.url, 200, 25);
      expect(seen.size).toBe(100);
      const { statistic, critical } = chiSquareUniform(catalog.map((u) => seen.get(u) ?? 0));
      expect(statistic).toBeLessThan(critical);
    } finally {
      await images.close();
    }
  });

  test('an image whose insert was in flight while the snapshot was built shows up within 10 s', async () => {
    let now = Date.parse('2026-01-01T00:00:00Z');
    const images = await startImages(uniqueDbName('images_inflight'), {
      random: seededRandom(12),
      clock: () => now,
    });
    try {
      await images.catalog.seed(catalog.slice(0, 3), new Date(now));
      // Id 3 is allocated but its document not yet written when the snapshot is built.
      await images.db
        .collection<{ _id: string; next: number }>('counters')
        .updateOne({ _id: 'images' }, { $inc: { next: 1 } });
      const before = await images.catalog.sample(25, Math.random);
      expect(before.map((d) => d.url).sort()).toEqual(catalog.slice(0, 3).sort());
      await images.db
        .collection('images')
        .insertOne({ _id: '3' as never, url: catalog[3], createdAt: new Date(now) });

      now += 9_000;
      expect((await images.catalog.sample(25, Math.random)).map((d) => d.url)).not.toContain(catalog[3]);
      now += 1_000;
      expect((await images.catalog.sample(25, Math.random)).map((d) => d.url)).toContain(catalog[3]);
    } finally {
      await images.close();
    }
  });

  test('two replicas answering a burst of first requests at once all answer 200, while building one snapshot', async () => {
    const dbName = uniqueDbName('images_race');
    const [a, b] = [await startImages(dbName), await startImages(dbName)];
    try {
      await a.catalog.seed(catalog, new Date());
      const burst = [a, b].flatMap((replica) =>
        Array.from({ length: 20 }, () => fetch(`${replica.url}/random?count=25`).then((r) => r.status)),
      );
      expect(await Promise.all(burst)).toEqual(new Array(40).fill(200));
      expect(await a.db.collection('catalog_snapshots').countDocuments()).toBe(1);
    } finally {
      await a.close();
      await b.close();
    }
  });
});
