import {
  createHttpMetrics,
  createLogger,
  openDatabase,
  retryInBackground,
  runMain,
  runService,
} from '@laas/shared';
import { createImagesApp } from './app.js';
import { loadImagesConfig } from './config.js';

await runMain('images', async () => {
  const config = loadImagesConfig();
  const logger = createLogger('images', config.logLevel);
  await runService({
    name: 'images',
    port: config.port,
    host: config.host,
    logger,
    shutdownGraceMs: config.shutdownGraceMs,
    webConcurrency: config.webConcurrency,
    create: () => {
      const database = openDatabase(config.mongoUrl, config.mongoDb);
      const { app, catalog, readiness } = createImagesApp({
        db: database.db,
        logger,
        databaseCheck: database.readiness,
        maxCount: config.randomMaxCount,
        idSpaceTtlMs: config.idSpaceTtlMs,
        metrics: createHttpMetrics('images', { defaultMetrics: true }),
      });
      // In the background: a database that is down at boot must not stop the service from
      // starting (it answers 503 until the database is back).
      retryInBackground(() => catalog.ensureIndexes());
      return { app, readiness, close: () => database.close() };
    },
  });
});
