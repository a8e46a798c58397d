import { Router, type Request } from 'express';
import { AppError, jsonBody, notFound, tooManyRequests, unauthorized, type RateLimiter } from '@laas/shared';
import type { Logger } from '@laas/shared';
import type { HashQueue } from './domain/hash-queue.js';
import type { LoginThrottle } from './domain/login-throttle.js';
import type { PasswordHasher } from './domain/passwords.js';
import type { TokenService } from './domain/tokens.js';
import { parseCredentials, parseRegistration } from './domain/validation.js';
import { toUser, type UserStore } from './users.js';

export interface RoutesDeps {
  users: UserStore;
  hasher: PasswordHasher;
  tokens: TokenService;
  /** A hash of a random string, checked for unknown emails so they cost as much as known ones. */
  dummyHash: Promise<string>;
  /** Every password hash and check runs through this bounded queue. */
  hashQueue: HashQueue;
  limits: {
    /** Registrations per client address. */
    register: RateLimiter;
    /** Login attempts per client address, over all accounts. */
    loginPerAddress: RateLimiter;
    /** Backoff per (account, address) and a budget per account that familiar addresses skip. */
    login: LoginThrottle;
  };
  clock: () => number;
  logger: Logger;
}

const requireBody = (req: Request): unknown => {
  if (req.body === undefined) throw new AppError(400, 'missing_body', 'the request needs a JSON body');
  return req.body;
};

/**
 * The one answer to a well-formed registration, whether the email was free or not, so that
 * register cannot be asked which emails have accounts (see the README, Security model).
 */
export const REGISTRATION_ACCEPTED = {
  message: 'registration accepted: log in with this email and password',
} as const;

/** Thin routes: validate, call the store and the token service, shape the answer. */
export function authRoutes(deps: RoutesDeps): Router {
  const { users, hasher, tokens, hashQueue, limits, clock, logger } = deps;
  const address = (req: Request): string => req.ip ?? 'unknown';
  const router = Router();

  router.get('/', (_req, res) => {
    res.json({
      service: 'laas auth',
      endpoints: {
        'POST /register': '{"email", "password", "name"?} → 202 {"message"}, then log in',
        'POST /login': '{"email", "password"} → 200 {"token", "expiresAt"}',
        'POST /authenticate': 'Authorization: Bearer <token> → 200 {"claims"}',
        'GET /me': 'Authorization: Bearer <token> → 200 {"user"}',
      },
    });
  });

  router.post('/register', ...jsonBody(), async (req, res) => {
    const registration = parseRegistration(requireBody(req));
    const allowed = limits.register.take(address(req), clock());
    if (!allowed.allowed) {
      logger.warn({ limit: 'register' }, 'registration rate limited');
      throw tooManyRequests(
        'too many registrations from this address: wait before trying again',
        allowed.retryAfterSeconds,
      );
    }
    // Hashed before the insert, whether or not the email is taken, so both cost the same.
    const passwordHash = await hashQueue.run(() => hasher.hash(registration.password));
    const doc = await users.create({
      email: registration.email,
      ...(registration.name === undefined ? {} : { name: registration.name }),
      passwordHash,
      createdAt: new Date(clock()),
    });
    if (doc) logger.info({ userId: doc._id.toHexString() }, 'user registered');
    else logger.info('registration for an email already registered: answered as accepted, nothing changed');
    res.status(202).json(REGISTRATION_ACCEPTED);
  });

  router.post('/login', ...jsonBody(), async (req, res) => {
    const credentials = parseCredentials(requireBody(req));
    const now = clock();
    const from = address(req);
    const perAddress = limits.loginPerAddress.take(from, now);
    if (!perAddress.allowed) {
      logger.warn({ limit: 'address' }, 'login rate limited');
      throw tooManyRequests(
        'too many login attempts from this address: wait before trying again',
        perAddress.retryAfterSeconds,
      );
    }
    const check = limits.login.check(credentials.email, from, now);
    if (!check.allowed) {
      logger.warn({ limit: check.reason }, 'login rate limited');
      throw tooManyRequests(
        'too many failed logins for this account: wait before trying again',
        check.retryAfterSeconds,
      );
    }
    limits.login.attempt(credentials.email, from, now);
    const doc = await users.findByEmail(credentials.email);
    const valid = await hashQueue.run(async () =>
      hasher.verify(doc?.passwordHash ?? (await deps.dummyHash), credentials.password),
    );
    if (!doc || !valid) {
      limits.login.failed(credentials.email, from, now);
      logger.info({ known: doc !== null }, 'login refused');
      throw unauthorized('invalid_credentials', 'the email or the password is wrong');
    }
    limits.login.succeeded(credentials.email, from, clock());
    logger.info({ userId: doc._id.toHexString() }, 'login');
    res.json(await tokens.issue(toUser(doc)));
  });

  router.post('/authenticate', async (req, res) => {
    const { claims } = await tokens.verifier.verifyHeader(req.headers.authorization);
    res.json({ claims });
  });

  router.get('/me', async (req, res) => {
    const { userId } = await tokens.verifier.verifyHeader(req.headers.authorization);
    const doc = await users.findById(userId);
    if (!doc) throw notFound('user_not_found', 'the user of this token no longer exists');
    res.json({ user: toUser(doc) });
  });

  return router;
}
