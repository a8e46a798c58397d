import { randomBytes } from 'node:crypto';
import {
  ConfigError,
  MIN_SECRET_BYTES,
  commonSettings,
  jwtSettings,
  readJwtSecret,
  int,
  loadConfig,
  oneOf,
  str,
  trustProxySetting,
  type ConfigOf,
  type JwtSecret,
  type Logger,
} from '@laas/shared';

export const authSettings = {
  ...commonSettings,
  port: int('PORT', 'port to listen on', { default: 4001, min: 0, max: 65535 }),
  mongoUrl: str('MONGO_URL', 'MongoDB connection string', { default: 'mongodb://127.0.0.1:27017' }),
  mongoDb: str('MONGO_DB', 'database name', { default: 'laas' }),
  ...jwtSettings,
  ...trustProxySetting,
  devMode: oneOf(
    'AUTH_DEV_MODE',
    'true generates a random signing secret when none is given (development only)',
    ['true', 'false'],
    'false',
  ),
  tokenTtlSeconds: int('TOKEN_TTL', 'token lifetime in seconds', {
    default: 3600,
    min: 60,
    max: 30 * 24 * 3600,
  }),
  registerLimitPerAddress: int(
    'REGISTER_RATE_LIMIT_PER_ADDRESS',
    'registrations per client address per window (0 = off)',
    { default: 10, min: 0 },
  ),
  registerWindowSeconds: int('REGISTER_RATE_WINDOW_S', 'registration rate-limit window in seconds', {
    default: 3600,
    min: 1,
  }),
  loginLimitPerAddress: int(
    'LOGIN_RATE_LIMIT_PER_ADDRESS',
    'login attempts per client address per window, over all accounts (0 = off)',
    { default: 20, min: 0 },
  ),
  loginWindowSeconds: int('LOGIN_RATE_WINDOW_S', 'per-address login window in seconds', {
    default: 60,
    min: 1,
  }),
  loginFreeFailures: int(
    'LOGIN_FREE_FAILURES',
    'failed logins for one account from one address before backoff starts',
    { default: 5, min: 1 },
  ),
  loginBackoffMaxSeconds: int('LOGIN_BACKOFF_MAX_S', 'longest backoff of one (account, address) pair', {
    default: 900,
    min: 1,
  }),
  loginAccountFailures: int(
    'LOGIN_ACCOUNT_FAILURES',
    'failed logins per account per window from addresses it never logged in from (0 = off)',
    { default: 50, min: 0 },
  ),
  loginAccountWindowSeconds: int('LOGIN_ACCOUNT_WINDOW_S', 'the per-account window in seconds', {
    default: 3600,
    min: 1,
  }),
  hashConcurrency: int('HASH_CONCURRENCY', 'argon2id hashes and checks running at once', {
    default: 2,
    min: 1,
    max: 64,
  }),
  hashQueue: int('HASH_QUEUE', 'argon2id hashes and checks waiting; beyond that 429 server_busy', {
    default: 8,
    min: 0,
  }),
  argon2MemoryKiB: int('ARGON2_MEMORY_KIB', 'argon2id memory cost in KiB (OWASP minimum 19456)', {
    default: 19_456,
    min: 8_192,
  }),
  argon2TimeCost: int('ARGON2_TIME_COST', 'argon2id iterations (OWASP minimum 2)', {
    default: 2,
    min: 2,
    max: 20,
  }),
};

export type AuthConfig = ConfigOf<typeof authSettings>;

export const loadAuthConfig = (env?: Record<string, string | undefined>): AuthConfig =>
  loadConfig(authSettings, env);

export interface SigningSecret {
  key: Uint8Array;
  source: JwtSecret['source'] | 'generated';
}

/**
 * The signing secret, from JWT_SECRET or JWT_SECRET_FILE. Without one the service refuses to
 * start (a ConfigError, exit 78), unless AUTH_DEV_MODE=true, where it generates a random secret
 * and logs a warning: tokens then die with the process and no gateway can verify them.
 */
export function resolveSigningSecret(
  config: Pick<AuthConfig, 'jwtSecret' | 'jwtSecretFile' | 'devMode'>,
  logger?: Logger,
): SigningSecret {
  const secret = readJwtSecret(config);
  if (secret) return secret;
  if (config.devMode !== 'true') {
    throw new ConfigError([
      'JWT_SECRET (or JWT_SECRET_FILE) is required to sign tokens; set AUTH_DEV_MODE=true to generate a throwaway one for development',
    ]);
  }
  logger?.warn(
    'AUTH_DEV_MODE=true and no JWT_SECRET: signing with a random secret generated at boot; tokens die with this process and no gateway can verify them',
  );
  return { key: randomBytes(MIN_SECRET_BYTES), source: 'generated' };
}
