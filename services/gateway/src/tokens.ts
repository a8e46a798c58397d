import { errors, jwtVerify } from 'jose';
import { unauthorized, type AppError } from '@laas/shared';

/** What the gateway learns from a valid token. */
export interface Principal {
  userId: string;
  email: string;
}

export interface VerifierOptions {
  key: Uint8Array;
  issuer: string;
  audience: string;
  clockSkewSeconds: number;
  clock: () => number;
}

/**
 * Verifies laas tokens locally (no call to auth per request) exactly as auth issues them:
 * HS256 only — `alg: none`, RS256, HS512, anything else is refused before the key is used —
 * the configured issuer and audience, and exp/iat with a small clock tolerance.
 */
export function tokenVerifier(
  options: VerifierOptions,
): (authorization: string | undefined) => Promise<Principal> {
  return async (authorization) => {
    if (authorization === undefined || authorization === '') {
      throw unauthorized(
        'missing_token',
        'this request needs "Authorization: Bearer <token>": log in at POST /api/auth/login',
        {
          headers: { 'www-authenticate': 'Bearer' },
        },
      );
    }
    const match = /^Bearer ([A-Za-z0-9_.~+/=-]+)$/i.exec(authorization);
    if (!match) throw invalid('the Authorization header must be "Bearer <token>"');
    try {
      const { payload } = await jwtVerify(match[1]!, options.key, {
        algorithms: ['HS256'],
        issuer: options.issuer,
        audience: options.audience,
        clockTolerance: options.clockSkewSeconds,
        currentDate: new Date(options.clock()),
        requiredClaims: ['sub', 'iat', 'exp'],
      });
      return { userId: payload.sub!, email: typeof payload['email'] === 'string' ? payload['email'] : '' };
    } catch (err) {
      if (err instanceof errors.JWTExpired) {
        throw unauthorized('token_expired', 'the token has expired: log in again', {
          headers: { 'www-authenticate': 'Bearer error="invalid_token"' },
        });
      }
      throw invalid('the token is not valid');
    }
  };
}

const invalid = (message: string): AppError =>
  unauthorized('invalid_token', message, { headers: { 'www-authenticate': 'Bearer error="invalid_token"' } });
