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
import { imageRoutes } from './routes.js';
import { PictureGallery, pictureRoutes } from './pictures/index.js';

export interface ImagesAppOptions {
  db: Db;
  logger: Logger;
  databaseCheck: ReadinessCheck;
  maxCount?: number;
  idSpaceTtlMs?: number;
  /** Catalogs up to this many ids are sampled from one snapshot document (0 turns it off). */
  snapshotMaxImages?: number;
  random?: Random;
  clock?: () => number;
  metrics?: HttpMetrics;
}

export interface ImagesApp {
  app: Express;
  catalog: ImageCatalog;
  readiness: Readiness;
  metrics: HttpMetrics;
}

/** Builds the images app without listening, so tests run it in-process on port 0. */
export function createImagesApp(options: ImagesAppOptions): ImagesApp {
  const clock = options.clock ?? Date.now;
  const catalog = new ImageCatalog(options.db, {
    now: clock,
    idSpaceTtlMs: options.idSpaceTtlMs ?? 1000,
    ...(options.snapshotMaxImages === undefined ? {} : { snapshotMaxImages: options.snapshotMaxImages }),
  });
  const readiness = new Readiness([options.databaseCheck]);
  const metrics = options.metrics ?? createHttpMetrics('images');
  const app = baseApp({ logger: options.logger, readiness, metrics });
  app.use(pictureRoutes(new PictureGallery()));
  app.use(
    imageRoutes({
      catalog,
      random: options.random ?? Math.random,
      now: () => new Date(clock()),
      maxCount: options.maxCount ?? 25,
    }),
  );
  finishApp(app, options.logger);
  return { app, catalog, readiness, metrics };
}
