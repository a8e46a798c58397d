/** `npm run seed -w @laas/images`: loads the 100-llama catalog; running it again adds nothing. */
import { ConfigError, openDatabase } from '@laas/shared';
import { ImageCatalog } from './catalog.js';
import { loadImagesConfig } from './config.js';
import { llamaCatalog } from './domain/llamas.js';

try {
  const config = loadImagesConfig();
  const database = openDatabase(config.mongoUrl, config.mongoDb, { selectionTimeoutMs: 10_000 });
  try {
    const catalog = new ImageCatalog(database.db, { now: Date.now, idSpaceTtlMs: 0 });
    await catalog.ensureIndexes();
    const added = await catalog.seed(llamaCatalog(config.publicBaseUrl), new Date());
    const total = await catalog.count();
    process.stdout.write(`seed: added ${added} image(s); the catalog has ${total}\n`);
  } finally {
    await database.close();
  }
} catch (err) {
  process.stderr.write(`seed: ${err instanceof ConfigError ? err.message : String(err)}\n`);
  process.exit(1);
}
