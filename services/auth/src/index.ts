export { createAuthApp, DEFAULT_LIMITS, type AuthApp, type AuthAppOptions, type AuthLimits } from './app.js';
export { HashQueue, type HashQueueOptions } from './domain/hash-queue.js';
export { LoginThrottle, type LoginThrottleOptions, type LoginCheck } from './domain/login-throttle.js';
export { REGISTRATION_ACCEPTED } from './routes.js';
export {
  authSettings,
  loadAuthConfig,
  resolveSigningKeys,
  type AuthConfig,
  type ResolvedSigningKeys,
} from './config.js';
export { argon2Hasher, dummyHash, type PasswordHasher, type Argon2Options } from './domain/passwords.js';
export {
  ed25519FromPem,
  generateSigningKey,
  publicJwk,
  signingKeys,
  type SigningKey,
  type SigningKeys,
} from './domain/signing-keys.js';
export { TokenService, type IssuedToken, type TokenSubject } from './domain/tokens.js';
export {
  parseCredentials,
  parseRegistration,
  parseEmail,
  parsePassword,
  PASSWORD_MIN,
  PASSWORD_MAX,
} from './domain/validation.js';
export { UserStore, toUser, type User, type UserDoc } from './users.js';
