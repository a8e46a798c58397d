import type { Express } from 'express';
import type { Db } from 'mongodb';
import {
  RateLimiter,
  baseApp,
  createHttpMetrics,
  finishApp,
  Readiness,
  type HttpMetrics,
  type Logger,
  type ReadinessCheck,
} from '@laas/shared';
import { argon2Hasher, dummyHash, type PasswordHasher } from './domain/passwords.js';
import { TokenService } from './domain/tokens.js';
import { authRoutes } from './routes.js';
import { UserStore } from './users.js';

export interface AuthAppOptions {
  db: Db;
  logger: Logger;
  databaseCheck: ReadinessCheck;
  /** The HS256 signing secret (see resolveSigningSecret). */
  signingKey: Uint8Array;
  issuer?: string;
  audience?: string;
  tokenTtlSeconds?: number;
  clockSkewSeconds?: number;
  /** Milliseconds since the epoch. */
  clock?: () => number;
  hasher?: PasswordHasher;
  loginLimits?: { perAddress: number; perEmail: number; windowSeconds: number };
  metrics?: HttpMetrics;
}

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
    key: options.signingKey,
    issuer: options.issuer ?? 'laas-auth',
    audience: options.audience ?? 'laas',
    ttlSeconds: options.tokenTtlSeconds ?? 3600,
    clockSkewSeconds: options.clockSkewSeconds ?? 30,
    clock,
  });
  const limits = options.loginLimits ?? { perAddress: 20, perEmail: 5, windowSeconds: 60 };
  const readiness = new Readiness([options.databaseCheck]);
  const metrics = options.metrics ?? createHttpMetrics('auth');
  const app = baseApp({ logger: options.logger, readiness, metrics });
  const hashOfNothing = dummyHash(hasher);
  hashOfNothing.catch(() => undefined);
  app.use(
    authRoutes({
      users,
      hasher,
      tokens,
      dummyHash: hashOfNothing,
      limits: {
        perAddress: new RateLimiter({ limit: limits.perAddress, windowMs: limits.windowSeconds * 1000 }),
        perEmail: new RateLimiter({ limit: limits.perEmail, windowMs: limits.windowSeconds * 1000 }),
      },
      clock,
      logger: options.logger,
    }),
  );
  finishApp(app, options.logger);
  return { app, users, tokens, readiness, metrics };
}
