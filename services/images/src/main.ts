import { ConfigError, createHttpMetrics, createLogger, openDatabase, runService } from '@laas/shared';
import { createImagesApp } from './app.js';
import { loadImagesConfig } from './config.js';

try {
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
      // The unique URL index is created in the background: a database that is down at boot
      // must not stop the service from starting (it answers 503 until the database is back).
      const ensure = (): void => {
        catalog.ensureIndexes().catch(() => setTimeout(ensure, 2000).unref());
      };
      ensure();
      return { app, readiness, close: () => database.close() };
    },
  });
} catch (err) {
  if (err instanceof ConfigError) {
    process.stderr.write(`images: ${err.message}\n`);
    process.exit(78); // EX_CONFIG
  }
  throw err;
}
