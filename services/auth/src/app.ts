import type { Express } from 'express';
import type { Db } from 'mongodb';
import {
  JWKS_PATH,
  RateLimiter,
  baseApp,
  createHttpMetrics,
  finishApp,
  Readiness,
  type HttpMetrics,
  type Logger,
  type ReadinessCheck,
  type TrustedProxies,
} from '@laas/shared';
import { HashQueue, type HashQueueOptions } from './domain/hash-queue.js';
import { LoginThrottle } from './domain/login-throttle.js';
import type { SigningKeys } from './domain/signing-keys.js';
import { argon2Hasher, dummyHash, type PasswordHasher } from './domain/passwords.js';
import { TokenService } from './domain/tokens.js';
import { authRoutes } from './routes.js';
import { UserStore } from './users.js';

export interface AuthAppOptions {
  db: Db;
  logger: Logger;
  databaseCheck: ReadinessCheck;
  /** The Ed25519 key that signs and the JWKS published (see resolveSigningKeys). */
  signingKeys: SigningKeys;
  issuer?: string;
  audience?: string;
  tokenTtlSeconds?: number;
  clockSkewSeconds?: number;
  /** Milliseconds since the epoch. */
  clock?: () => number;
  hasher?: PasswordHasher;
  limits?: Partial<AuthLimits>;
  metrics?: HttpMetrics;
  /** Whose X-Forwarded-For names the client the limits count (TRUST_PROXY). Default: loopback. */
  trustedProxies?: TrustedProxies;
}

/** Every limit of auth, with the defaults of DEFAULT_LIMITS (the README's table). */
export interface AuthLimits {
  register: { perAddress: number; windowSeconds: number };
  login: {
    perAddress: number;
    windowSeconds: number;
    freeFailures: number;
    backoffMaxSeconds: number;
    accountFailures: number;
    accountWindowSeconds: number;
  };
  hashing: HashQueueOptions;
}

export const DEFAULT_LIMITS: AuthLimits = {
  register: { perAddress: 10, windowSeconds: 3600 },
  login: {
    perAddress: 20,
    windowSeconds: 60,
    freeFailures: 5,
    backoffMaxSeconds: 900,
    accountFailures: 50,
    accountWindowSeconds: 3600,
  },
  hashing: { concurrency: 2, maxWaiting: 8 },
};

/** Familiar addresses are remembered this long after a successful login. */
const FAMILIAR_MS = 30 * 24 * 3600 * 1000;

export interface AuthApp {
  app: Express;
  users: UserStore;
  tokens: TokenService;
  readiness: Readiness;
  metrics: HttpMetrics;
}

/** Builds the auth app without listening, so tests run it in-process on port 0. */
export function createAuthApp(options: AuthAppOptions): AuthApp {
  const clock = options.clock ?? Date.now;
  const users = new UserStore(options.db);
  const hasher = options.hasher ?? argon2Hasher({ memoryCost: 19_456, timeCost: 2 });
  const tokens = new TokenService({
    keys: options.signingKeys,
    issuer: options.issuer ?? 'laas-auth',
    audience: options.audience ?? 'laas',
    ttlSeconds: options.tokenTtlSeconds ?? 900,
    clockSkewSeconds: options.clockSkewSeconds ?? 30,
    clock,
  });
  const limits = { ...DEFAULT_LIMITS, ...options.limits };
  const readiness = new Readiness([options.databaseCheck]);
  const metrics = options.metrics ?? createHttpMetrics('auth');
  const app = baseApp({
    logger: options.logger,
    readiness,
    metrics,
    ...(options.trustedProxies ? { trustedProxies: options.trustedProxies } : {}),
  });
  const hashOfNothing = dummyHash(hasher);
  hashOfNothing.catch(() => undefined);
  // Public keys only; verifiers cache it (max-age), and refetch on a kid they do not know.
  const jwks = JSON.stringify(options.signingKeys.jwks);
  app.get(JWKS_PATH, (_req, res) => {
    res.set('cache-control', 'public, max-age=300').type('application/jwk-set+json').send(jwks);
  });
  app.use(
    authRoutes({
      users,
      hasher,
      tokens,
      dummyHash: hashOfNothing,
      hashQueue: new HashQueue(limits.hashing),
      limits: {
        register: new RateLimiter({
          limit: limits.register.perAddress,
          windowMs: limits.register.windowSeconds * 1000,
        }),
        loginPerAddress: new RateLimiter({
          limit: limits.login.perAddress,
          windowMs: limits.login.windowSeconds * 1000,
        }),
        login: new LoginThrottle({
          freeFailures: limits.login.freeFailures,
          baseDelayMs: 1000,
          maxDelayMs: limits.login.backoffMaxSeconds * 1000,
          accountFailures: limits.login.accountFailures,
          accountWindowMs: limits.login.accountWindowSeconds * 1000,
          familiarMs: FAMILIAR_MS,
        }),
      },
      clock,
      logger: options.logger,
    }),
  );
  finishApp(app, options.logger);
  return { app, users, tokens, readiness, metrics };
}
