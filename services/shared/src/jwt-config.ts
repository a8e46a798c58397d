import { readFileSync } from 'node:fs';
import { ConfigError, int, optionalStr, str } from './config.js';

/** Shortest accepted HS256 secret: 256 bits, the size of the key. */
export const MIN_SECRET_BYTES = 32;

/** The token settings auth (which signs) and the gateway (which verifies) must agree on. */
export const jwtSettings = {
  jwtSecret: optionalStr(
    'JWT_SECRET',
    'HS256 secret, at least 32 bytes, shared by auth and the gateway (or JWT_SECRET_FILE)',
  ),
  jwtSecretFile: optionalStr('JWT_SECRET_FILE', 'file holding the HS256 secret (a mounted Secret)'),
  issuer: str('JWT_ISSUER', 'iss claim: set by auth, required by the gateway', { default: 'laas-auth' }),
  audience: str('JWT_AUDIENCE', 'aud claim: set by auth, required by the gateway', { default: 'laas' }),
  clockSkewSeconds: int('CLOCK_SKEW_S', 'clock difference tolerated when checking iat/exp', {
    default: 30,
    min: 0,
    max: 300,
  }),
};

export interface JwtSecret {
  key: Uint8Array;
  source: 'JWT_SECRET' | 'JWT_SECRET_FILE';
}

/**
 * The HS256 secret from JWT_SECRET or JWT_SECRET_FILE, or undefined when neither is set (each
 * service decides what that means). Both set, an unreadable file or a short secret stop the
 * process at boot with a ConfigError.
 */
export function readJwtSecret(config: {
  jwtSecret: string | undefined;
  jwtSecretFile: string | undefined;
}): JwtSecret | undefined {
  if (config.jwtSecret !== undefined && config.jwtSecretFile !== undefined) {
    throw new ConfigError(['JWT_SECRET and JWT_SECRET_FILE are both set: give one']);
  }
  let raw = config.jwtSecret;
  const source: JwtSecret['source'] = raw === undefined ? 'JWT_SECRET_FILE' : 'JWT_SECRET';
  if (raw === undefined && config.jwtSecretFile !== undefined) {
    try {
      raw = readFileSync(config.jwtSecretFile, 'utf8').trim();
    } catch (err) {
      throw new ConfigError([`JWT_SECRET_FILE cannot be read: ${(err as Error).message}`]);
    }
  }
  if (raw === undefined) return undefined;
  const key = new TextEncoder().encode(raw);
  if (key.length < MIN_SECRET_BYTES) {
    throw new ConfigError([`${source} must be at least ${MIN_SECRET_BYTES} bytes, got ${key.length}`]);
  }
  return { key, source };
}
