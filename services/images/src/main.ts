import {
  createHttpMetrics,
  createLogger,
  openDatabase,
  retryInBackground,
  runMain,
  runService,
  serverLimits,
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
    limits: serverLimits(config),
    create: () => {
      const database = openDatabase(config.mongoUrl, config.mongoDb);
      const { handler, catalog, readiness } = createImagesApp({
        db: database.db,
        logger,
        maxCount: config.randomMaxCount,
        refreshMs: config.catalogRefreshMs,
        memoryBudgetBytes: config.catalogMemoryMb * 2 ** 20,
        metrics: createHttpMetrics('images', { defaultMetrics: true }),
      });
      // Neither is awaited: the service listens at once (liveness answers while a large catalog
      // loads, or while the database is down at boot) and readiness holds traffic until the
      // catalog is loaded.
      retryInBackground(() => catalog.ensureIndexes());
      void catalog.start();
      return {
        app: handler,
        readiness,
        close: async () => {
          await catalog.stop();
          await database.close();
        },
      };
    },
  });
});
