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
  catalogRefreshMs: int(
    'CATALOG_REFRESH_MS',
    'how often a replica reads the catalog marker to pick up uploads taken by other replicas',
    { default: 1000, min: 10, max: 3_600_000 },
  ),
  catalogMemoryMb: int(
    'CATALOG_MEMORY_MB',
    'the most memory the catalog URLs may take in a replica; above it, sampling reads the database (0: always)',
    { default: 128, min: 0, max: 16_384 },
  ),
  publicBaseUrl,
};

export type ImagesConfig = ConfigOf<typeof imagesSettings>;

export const loadImagesConfig = (env?: Record<string, string | undefined>): ImagesConfig =>
  loadConfig(imagesSettings, env);
