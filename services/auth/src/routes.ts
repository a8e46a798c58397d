import { Router, type Request } from 'express';
import { AppError, jsonBody, notFound, tooManyRequests, unauthorized, type RateLimiter } from '@laas/shared';
import type { Logger } from '@laas/shared';
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
  limits: { perAddress: RateLimiter; perEmail: RateLimiter };
  clock: () => number;
  logger: Logger;
}

const requireBody = (req: Request): unknown => {
  if (req.body === undefined) throw new AppError(400, 'missing_body', 'the request needs a JSON body');
  return req.body;
};

/** Thin routes: validate, call the store and the token service, shape the answer. */
export function authRoutes(deps: RoutesDeps): Router {
  const { users, hasher, tokens, limits, clock, logger } = deps;
  const router = Router();

  router.get('/', (_req, res) => {
    res.json({
      service: 'laas auth',
      endpoints: {
        'POST /register': '{"email", "password", "name"?} → 201 {"user", "token", "expiresAt"}',
        'POST /login': '{"email", "password"} → 200 {"token", "expiresAt"}',
        'POST /authenticate': 'Authorization: Bearer <token> → 200 {"claims"}',
        'GET /me': 'Authorization: Bearer <token> → 200 {"user"}',
      },
    });
  });

  router.post('/register', ...jsonBody(), async (req, res) => {
    const registration = parseRegistration(requireBody(req));
    const doc = await users.create({
      email: registration.email,
      ...(registration.name === undefined ? {} : { name: registration.name }),
      passwordHash: await hasher.hash(registration.password),
      createdAt: new Date(clock()),
    });
    const user = toUser(doc);
    logger.info({ userId: user.id }, 'user registered');
    res.status(201).json({ user, ...(await tokens.issue(user)) });
  });

  router.post('/login', ...jsonBody(), async (req, res) => {
    const credentials = parseCredentials(requireBody(req));
    const now = clock();
    // Both limits are charged on every attempt; either one refuses. Per address stops one client
    // trying many accounts; per email stops many clients trying one account.
    for (const [limiter, key] of [
      [limits.perAddress, `addr:${req.ip ?? 'unknown'}`],
      [limits.perEmail, `email:${credentials.email}`],
    ] as const) {
      const decision = limiter.take(key, now);
      if (!decision.allowed) {
        logger.warn({ limit: key.slice(0, key.indexOf(':')) }, 'login rate limited');
        throw tooManyRequests(
          'too many login attempts: wait before trying again',
          decision.retryAfterSeconds,
        );
      }
    }
    const doc = await users.findByEmail(credentials.email);
    const valid = await hasher.verify(doc?.passwordHash ?? (await deps.dummyHash), credentials.password);
    if (!doc || !valid) {
      logger.info({ known: doc !== null }, 'login refused');
      throw unauthorized('invalid_credentials', 'the email or the password is wrong');
    }
    limits.perEmail.reset(`email:${credentials.email}`);
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
