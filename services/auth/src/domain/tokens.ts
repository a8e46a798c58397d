import { SignJWT, errors, jwtVerify, type JWTPayload } from 'jose';
import { isAppError, unauthorized, type AppError } from '@laas/shared';

/** The one signing algorithm: HMAC-SHA256 with a shared secret the gateway also holds. */
export const TOKEN_ALGORITHM = 'HS256';

export interface TokenOptions {
  key: Uint8Array;
  issuer: string;
  audience: string;
  ttlSeconds: number;
  clockSkewSeconds: number;
  /** Milliseconds since the epoch; injected so tests can expire tokens without waiting. */
  clock: () => number;
}

export interface TokenSubject {
  id: string;
  email: string;
  name?: string | undefined;
}

export interface Claims {
  sub: string;
  email: string;
  name?: string;
  iss: string;
  aud: string | string[];
  iat: number;
  exp: number;
}

export interface IssuedToken {
  token: string;
  expiresAt: string;
}

export class TokenService {
  constructor(private readonly options: TokenOptions) {}

  async issue(subject: TokenSubject): Promise<IssuedToken> {
    const iat = Math.floor(this.options.clock() / 1000);
    const exp = iat + this.options.ttlSeconds;
    const token = await new SignJWT({ email: subject.email, ...(subject.name ? { name: subject.name } : {}) })
      .setProtectedHeader({ alg: TOKEN_ALGORITHM, typ: 'JWT' })
      .setSubject(subject.id)
      .setIssuer(this.options.issuer)
      .setAudience(this.options.audience)
      .setIssuedAt(iat)
      .setExpirationTime(exp)
      .sign(this.options.key);
    return { token, expiresAt: new Date(exp * 1000).toISOString() };
  }

  /**
   * Verifies signature, algorithm (only HS256: `alg: none` and every other algorithm are
   * refused before any key is used), issuer, audience and expiry with `clockSkewSeconds` of
   * tolerance. Every failure is a 401: token_expired, or invalid_token for everything else.
   */
  async verify(token: string): Promise<Claims> {
    try {
      const { payload } = await jwtVerify(token, this.options.key, {
        algorithms: [TOKEN_ALGORITHM],
        issuer: this.options.issuer,
        audience: this.options.audience,
        clockTolerance: this.options.clockSkewSeconds,
        currentDate: new Date(this.options.clock()),
        requiredClaims: ['sub', 'iat', 'exp'],
      });
      return toClaims(payload);
    } catch (err) {
      throw tokenError(err);
    }
  }
}

function toClaims(payload: JWTPayload): Claims {
  if (typeof payload['email'] !== 'string')
    throw unauthorized('invalid_token', 'the token has no email claim');
  return payload as unknown as Claims;
}

function tokenError(err: unknown): AppError {
  if (err instanceof errors.JWTExpired)
    return unauthorized('token_expired', 'the token has expired: log in again');
  if (isAppError(err)) return err;
  return unauthorized('invalid_token', 'the token is not valid');
}

/** Reads `Authorization: Bearer <token>`; a missing or malformed header is a 401. */
export function bearerToken(header: string | undefined): string {
  if (header === undefined || header === '') {
    throw unauthorized('missing_token', 'this endpoint needs "Authorization: Bearer <token>"', {
      headers: { 'www-authenticate': 'Bearer' },
    });
  }
  const match = /^Bearer ([A-Za-z0-9_.~+/=-]+)$/i.exec(header);
  if (!match) {
    throw unauthorized('invalid_token', 'the Authorization header must be "Bearer <token>"', {
      headers: { 'www-authenticate': 'Bearer error="invalid_token"' },
    });
  }
  return match[1]!;
}
