import type { RequestListener } from 'node:http';
import type { Express } from 'express';
import type { Db } from 'mongodb';
import {
  baseApp,
  createHttpMetrics,
  finishApp,
  Readiness,
  type HttpMetrics,
  type Logger,
  type ReadinessCheck,
} from '@laas/shared';
import { ImageCatalog } from './catalog.js';
import type { Random } from './domain/sampling.js';
import { ImageStore } from './image-store.js';
import { randomRoute } from './random-route.js';
import { imageRoutes } from './routes.js';
import { imagesListener } from './routing.js';
import { PictureGallery, pictureRoutes } from './pictures/index.js';

export interface ImagesAppOptions {
  db: Db;
  logger: Logger;
  maxCount?: number;
  /** How often the catalog reads the marker (CATALOG_REFRESH_MS). Default 1000. */
  refreshMs?: number;
  /** The catalog's memory budget in bytes (CATALOG_MEMORY_MB). Default 128 MiB. */
  memoryBudgetBytes?: number;
  random?: Random;
  clock?: () => number;
  metrics?: HttpMetrics;
}

export interface ImagesApp {
  /** The Express app: every route but the hot ones, health, /metrics, the 404. */
  app: Express;
  /** What the server runs: the hot routes, falling back to the app (routing.ts). */
  handler: RequestListener;
  catalog: ImageCatalog;
  readiness: Readiness;
  metrics: HttpMetrics;
}

/**
 * Builds the images app without listening, so tests run it in-process on port 0. The catalog
 * is not started here: the caller starts it (`catalog.start()`) and stops it on shutdown.
 */
export function createImagesApp(options: ImagesAppOptions): ImagesApp {
  const clock = options.clock ?? Date.now;
  const catalog = new ImageCatalog({
    store: new ImageStore(options.db),
    logger: options.logger,
    refreshMs: options.refreshMs ?? 1000,
    memoryBudgetBytes: options.memoryBudgetBytes ?? 128 * 2 ** 20,
    now: clock,
  });
  const readiness = new Readiness(catalogChecks(catalog));
  const metrics = options.metrics ?? createHttpMetrics('images');
  const app = baseApp({ logger: options.logger, readiness, metrics });
  // Every route of the service is mounted here, in one place: add a router beside this one.
  app.use(pictureRoutes(new PictureGallery()));
  const maxCount = options.maxCount ?? 25;
  app.use(imageRoutes({ catalog, now: () => new Date(clock()), maxCount }));
  finishApp(app, options.logger);
  const random = randomRoute({
    catalog,
    random: options.random ?? Math.random,
    maxCount,
    readiness,
    metrics,
    logger: options.logger,
  });
  const handler = imagesListener({ '/random': random }, app);
  return { app, handler, catalog, readiness, metrics };
}

/**
 * Readiness decides whether a replica gets traffic, and almost all traffic is reads. So a
 * replica is ready while it can answer reads: with the catalog in memory, that holds with the
 * database down, and taking the replica out of rotation would turn a degraded service (uploads
 * fail) into an outage (nothing answers). The database is an optional check: its failure shows
 * as `"status": "degraded"` with 200. With the catalog in the database (over the memory budget),
 * reads need the database, and its failure makes the replica not ready. Both checks read the
 * state of the last refresh (at most CATALOG_REFRESH_MS old): a probe never waits on the database.
 */
function catalogChecks(catalog: ImageCatalog): ReadinessCheck[] {
  const fail = (message: string) => Promise.reject(new Error(message));
  return [
    {
      name: 'catalog',
      check: () => {
        const health = catalog.health();
        if (health.canServeReads) return Promise.resolve();
        return fail(
          health.mode === 'memory'
            ? `not loaded yet: ${health.lastError ?? 'loading'}`
            : `reads need the database (catalog over CATALOG_MEMORY_MB): ${health.lastError ?? 'unreachable'}`,
        );
      },
    },
    {
      name: 'database',
      optional: true,
      check: () => {
        const health = catalog.health();
        if (health.databaseReachable) return Promise.resolve();
        return fail(`unreachable: ${health.lastError ?? 'not reached yet'}; uploads answer 503`);
      },
    },
  ];
}
