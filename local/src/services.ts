import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repo root (this file is local/src/services.ts, or local/dist/services.js once built). */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** What a replica of a service is started with, knowing where the rest of the system is. */
export interface ServiceContext {
  mongoUrl: string;
  mongoDb: string;
  /** The in-system URL of every service already started (its nginx Service port), by name. */
  serviceUrls: Record<string, string>;
  logLevel: string;
}

/**
 * How the local system runs one service: the compiled entry point (`node <entry>`), the
 * environment it needs, the readiness path, and an optional one-off setup (seeding).
 * auth and gateway plug in by adding a spec here (gateway: `IMAGES_URL: ctx.serviceUrls.images`,
 * listed after the services it calls; the ingress routes to the last service started).
 */
export interface ServiceSpec {
  name: string;
  /** Absolute path of the compiled main file. */
  entry: string;
  readyPath: string;
  env(ctx: ServiceContext): Record<string, string>;
  /** Runs once before the first replica starts, e.g. `seed.js` (command + args). */
  setup?: { entry: string; args?: string[] };
}

export const imagesService: ServiceSpec = {
  name: 'images',
  entry: join(REPO_ROOT, 'services', 'images', 'dist', 'main.js'),
  readyPath: '/readyz',
  env: (ctx) => ({
    MONGO_URL: ctx.mongoUrl,
    MONGO_DB: ctx.mongoDb,
    LOG_LEVEL: ctx.logLevel,
    WEB_CONCURRENCY: '1',
  }),
  setup: { entry: join(REPO_ROOT, 'services', 'images', 'dist', 'seed.js') },
};

/** Services the local system knows, by name. */
export const SERVICES: Record<string, ServiceSpec> = {
  images: imagesService,
};
