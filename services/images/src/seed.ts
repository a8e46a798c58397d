/** `npm run seed -w @laas/images`: loads the 100-llama catalog; running it again adds nothing. */
import { ConfigError, createLogger, openDatabase } from '@laas/shared';
import { ImageCatalog } from './catalog.js';
import { loadImagesConfig } from './config.js';
import { llamaCatalog } from './domain/llamas.js';
import { ImageStore } from './image-store.js';

try {
  const config = loadImagesConfig();
  const database = openDatabase(config.mongoUrl, config.mongoDb, { selectionTimeoutMs: 10_000 });
  try {
    const store = new ImageStore(database.db);
    await store.ensureIndexes();
    // The seed only writes: a budget of 0 keeps it from loading the catalog into memory.
    const catalog = new ImageCatalog({
      store,
      logger: createLogger('seed', 'silent'),
      refreshMs: 1000,
      memoryBudgetBytes: 0,
      now: Date.now,
    });
    await catalog.refresh();
    const added = await catalog.seed(llamaCatalog(config.publicBaseUrl), new Date());
    process.stdout.write(`seed: added ${added} image(s); the catalog has ${await store.count()}\n`);
  } finally {
    await database.close();
  }
} catch (err) {
  process.stderr.write(`seed: ${err instanceof ConfigError ? err.message : String(err)}\n`);
  process.exit(1);
}
