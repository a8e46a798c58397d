import { join } from 'node:path';
import { repoRoot } from '@laas/kubekit';

/** The repository root, as the rest of the system finds it. */
export const REPO_ROOT = repoRoot;

/** What a replica of a service is started with, knowing where the rest of the system is. */
export interface ServiceContext {
  mongoUrl: string;
  mongoDb: string;
  /** The in-system URL of every service already started (its nginx Service port), by name. */
  serviceUrls: Record<string, string>;
  logLevel: string;
  /**
   * File of the Ed25519 key auth signs with (PKCS#8 PEM), generated per run of the system; the
   * gateway fetches the public half from auth's /.well-known/jwks.json.
   */
  signingKeyFile: string;
  /** The system's public URL (the ingress: the last service's nginx port); the seed links pictures under it. */
  publicUrl?: string;
  /** The system's Prometheus, when it runs one (the gateway's scaling panel reads it). */
  prometheusUrl?: string;
}

/**
 * How the local system runs one service: the compiled entry point (`node <entry>`), the
 * environment it needs, the readiness path, and an optional one-off setup (seeding).
 * A service plugs in by adding a spec here; list callees first (`images,auth,gateway`): each
 * gets its own nginx port, and the system's URL (the ingress) is the last one's.
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
    ...(ctx.publicUrl ? { PUBLIC_BASE_URL: ctx.publicUrl } : {}),
  }),
  setup: { entry: join(REPO_ROOT, 'services', 'images', 'dist', 'seed.js') },
};

export const authService: ServiceSpec = {
  name: 'auth',
  entry: join(REPO_ROOT, 'services', 'auth', 'dist', 'main.js'),
  readyPath: '/readyz',
  env: (ctx) => ({
    MONGO_URL: ctx.mongoUrl,
    MONGO_DB: ctx.mongoDb,
    LOG_LEVEL: ctx.logLevel,
    JWT_PRIVATE_KEY_FILE: ctx.signingKeyFile,
    WEB_CONCURRENCY: '1',
  }),
};

/** The gateway calls images and auth through their nginx Service ports: list it after them. */
export const gatewayService: ServiceSpec = {
  name: 'gateway',
  entry: join(REPO_ROOT, 'services', 'gateway', 'dist', 'main.js'),
  readyPath: '/readyz',
  env: (ctx) => ({
    ...(ctx.serviceUrls.images ? { IMAGES_URL: ctx.serviceUrls.images } : {}),
    ...(ctx.serviceUrls.auth ? { AUTH_URL: ctx.serviceUrls.auth } : {}),
    ...(ctx.prometheusUrl ? { PROMETHEUS_URL: ctx.prometheusUrl } : {}),
    LOG_LEVEL: ctx.logLevel,
    WEB_CONCURRENCY: '1',
  }),
};

/** Services the local system knows, by name. */
export const SERVICES: Record<string, ServiceSpec> = {
  images: imagesService,
  auth: authService,
  gateway: gatewayService,
};
