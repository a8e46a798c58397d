import {
  ConfigError,
  createHttpMetrics,
  createLogger,
  openDatabase,
  retryInBackground,
  runMain,
  runService,
  serverLimits,
} from '@laas/shared';
import { createAuthApp } from './app.js';
import { loadAuthConfig, resolveSigningKeys } from './config.js';
import { argon2Hasher } from './domain/passwords.js';

await runMain('auth', async () => {
  const config = loadAuthConfig();
  const logger = createLogger('auth', config.logLevel);
  // Resolved before any worker starts, so a missing or bad key stops the process at once.
  const keys = resolveSigningKeys(config, logger);
  if (keys.source === 'generated' && config.webConcurrency > 1) {
    throw new ConfigError([
      'AUTH_DEV_MODE with a generated key cannot run WEB_CONCURRENCY > 1: each worker would sign with its own',
    ]);
  }
  logger.info(
    {
      source: keys.source,
      kid: keys.current.kid,
      published: keys.jwks.keys.length,
      ttlSeconds: config.tokenTtlSeconds,
    },
    'signing key loaded',
  );
  logger.info({ trustProxy: config.trustProxy.toString() }, 'trusted proxies');
  await runService({
    name: 'auth',
    port: config.port,
    host: config.host,
    logger,
    shutdownGraceMs: config.shutdownGraceMs,
    webConcurrency: config.webConcurrency,
    limits: serverLimits(config),
    create: () => {
      const database = openDatabase(config.mongoUrl, config.mongoDb);
      const { app, users, readiness } = createAuthApp({
        db: database.db,
        logger,
        databaseCheck: database.readiness,
        signingKeys: keys,
        issuer: config.issuer,
        audience: config.audience,
        tokenTtlSeconds: config.tokenTtlSeconds,
        clockSkewSeconds: config.clockSkewSeconds,
        hasher: argon2Hasher({ memoryCost: config.argon2MemoryKiB, timeCost: config.argon2TimeCost }),
        limits: {
          register: {
            perAddress: config.registerLimitPerAddress,
            windowSeconds: config.registerWindowSeconds,
          },
          login: {
            perAddress: config.loginLimitPerAddress,
            windowSeconds: config.loginWindowSeconds,
            freeFailures: config.loginFreeFailures,
            backoffMaxSeconds: config.loginBackoffMaxSeconds,
            accountFailures: config.loginAccountFailures,
            accountWindowSeconds: config.loginAccountWindowSeconds,
          },
          hashing: { concurrency: config.hashConcurrency, maxWaiting: config.hashQueue },
        },
        metrics: createHttpMetrics('auth', { defaultMetrics: true }),
        trustedProxies: config.trustProxy,
      });
      // In the background, like images: a database down at boot must not stop the service.
      retryInBackground(() => users.ensureIndexes());
      return { app, readiness, close: () => database.close() };
    },
  });
});
