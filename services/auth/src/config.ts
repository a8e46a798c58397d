import { readFileSync } from 'node:fs';
import {
  ConfigError,
  commonSettings,
  jwtSettings,
  int,
  loadConfig,
  oneOf,
  str,
  trustProxySetting,
  type ConfigOf,
  optionalStr,
  type Logger,
} from '@laas/shared';
import { ed25519FromPem, generateSigningKey, signingKeys, type SigningKeys } from './domain/signing-keys.js';

export const authSettings = {
  ...commonSettings,
  port: int('PORT', 'port to listen on', { default: 4001, min: 0, max: 65535 }),
  mongoUrl: str('MONGO_URL', 'MongoDB connection string', { default: 'mongodb://127.0.0.1:27017' }),
  mongoDb: str('MONGO_DB', 'database name', { default: 'laas' }),
  ...jwtSettings,
  privateKeyFile: optionalStr(
    'JWT_PRIVATE_KEY_FILE',
    'file holding the Ed25519 signing key, PKCS#8 PEM (a mounted Secret)',
  ),
  previousKeyFile: optionalStr(
    'JWT_PREVIOUS_KEY_FILE',
    'during a key rotation: the previous key (PEM), still published so its tokens verify until they expire',
  ),
  ...trustProxySetting,
  devMode: oneOf(
    'AUTH_DEV_MODE',
    'true generates a signing key at boot when none is given (development only)',
    ['true', 'false'],
    'false',
  ),
  tokenTtlSeconds: int('TOKEN_TTL', 'access token lifetime in seconds (short: tokens cannot be revoked)', {
    default: 900,
    min: 60,
    max: 3600,
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

export interface ResolvedSigningKeys extends SigningKeys {
  source: 'JWT_PRIVATE_KEY_FILE' | 'generated';
}

const readPem = (file: string, env: string): string => {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError([`${env} cannot be read: ${(err as Error).message}`]);
  }
};

const ed25519 = (pem: string, env: string) => {
  try {
    return ed25519FromPem(pem, env);
  } catch (err) {
    throw new ConfigError([(err as Error).message]);
  }
};

/**
 * The Ed25519 signing key from JWT_PRIVATE_KEY_FILE and, during a rotation, the previous key
 * from JWT_PREVIOUS_KEY_FILE (published, never used to sign). Without a key the service refuses
 * to start (a ConfigError, exit 78), unless AUTH_DEV_MODE=true, where it generates one and logs a
 * warning: tokens then die with the process.
 */
export function resolveSigningKeys(
  config: Pick<AuthConfig, 'privateKeyFile' | 'previousKeyFile' | 'devMode'>,
  logger?: Logger,
): ResolvedSigningKeys {
  const previous =
    config.previousKeyFile === undefined
      ? undefined
      : ed25519(readPem(config.previousKeyFile, 'JWT_PREVIOUS_KEY_FILE'), 'JWT_PREVIOUS_KEY_FILE');
  if (config.privateKeyFile !== undefined) {
    const current = ed25519(readPem(config.privateKeyFile, 'JWT_PRIVATE_KEY_FILE'), 'JWT_PRIVATE_KEY_FILE');
    if (current.type !== 'private')
      throw new ConfigError(['JWT_PRIVATE_KEY_FILE holds a public key: auth needs the private key to sign']);
    return { ...signingKeys(current, previous), source: 'JWT_PRIVATE_KEY_FILE' };
  }
  if (config.devMode !== 'true') {
    throw new ConfigError([
      'JWT_PRIVATE_KEY_FILE (an Ed25519 private key, PKCS#8 PEM) is required to sign tokens; set AUTH_DEV_MODE=true to generate a throwaway one for development',
    ]);
  }
  logger?.warn(
    'AUTH_DEV_MODE=true and no JWT_PRIVATE_KEY_FILE: signing with a key generated at boot; tokens die with this process',
  );
  return { ...signingKeys(generateSigningKey(), previous), source: 'generated' };
}
