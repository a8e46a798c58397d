import { commonSettings, int, str, loadConfig, type ConfigOf } from '@laas/shared';
import { publicBaseUrl } from './pictures/public-base-url.js';

export const imagesSettings = {
  ...commonSettings,
  port: int('PORT', 'port to listen on (the original LaaS used 4000)', { default: 4000, min: 0, max: 65535 }),
  mongoUrl: str('MONGO_URL', 'MongoDB connection string', { default: 'mongodb://127.0.0.1:27017' }),
  mongoDb: str('MONGO_DB', 'database name', { default: 'laas' }),
  randomMaxCount: int('RANDOM_MAX_COUNT', 'largest count accepted by GET /random', {
    default: 25,
    min: 1,
    max: 1000,
  }),
  idSpaceTtlMs: int('CATALOG_SIZE_TTL_MS', 'how long a replica caches the catalog size', {
    default: 1000,
    min: 0,
  }),
  publicBaseUrl,
};

export type ImagesConfig = ConfigOf<typeof imagesSettings>;

export const loadImagesConfig = (env?: Record<string, string | undefined>): ImagesConfig =>
  loadConfig(imagesSettings, env);
