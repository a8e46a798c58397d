import { llamaCatalog } from '../src/index.js';
import { startImages, uniqueDbName } from './support/images-server.js';
import { chiSquareUniform, seededRandom } from './support/seeded-random.js';

const catalog = llamaCatalog();

async function drawCounts(url: string, requests: number, count: number): Promise<Map<string, number>> {
  const seen = new Map<string, number>();
  for (let i = 0; i < requests; i++) {
    const { message } = (await (await fetch(`${url}/random?count=${count}`)).json()) as { message: string[] };
    expect(message).toHaveLength(count);
    expect(new Set(message).size).toBe(count);
    for (const u of message) seen.set(u, (seen.get(u) ?? 0) + 1);
  }
  return seen;
}

describe('sampling through the real database', () => {
  test.each([
    ['the catalog in memory', 128 * 2 ** 20, 'memory'],
    ['the catalog over its memory budget, sampled from the database', 0, 'database'],
  ])(
    'every llama is equally likely over 300 requests of 25 with %s (chi-square, significance 0.001)',
    async (_label, memoryBudgetBytes, mode) => {
      const images = await startImages(uniqueDbName('images_uniform'), {
        random: seededRandom(42),
        memoryBudgetBytes,
      });
      try {
        await images.catalog.seed(catalog, new Date());
        expect(images.catalog.health()).toMatchObject({ mode, size: 100 });
        const seen = await drawCounts(images.url, 300, 25);
        const counts = catalog.map((u) => seen.get(u) ?? 0);
        expect(counts.reduce((a, b) => a + b, 0)).toBe(300 * 25);
        const { statistic, critical } = chiSquareUniform(counts);
        expect(statistic).toBeLessThan(critical);
      } finally {
        await images.close();
      }
    },
  );
});
