import {
  createLocalJWKSet,
  createRemoteJWKSet,
  decodeProtectedHeader,
  errors,
  jwtVerify,
  type JSONWebKeySet,
  type JWTPayload,
  type JWTVerifyGetKey,
} from 'jose';
import { AppError, unauthorized } from './errors.js';

/**
 * The one signing algorithm: EdDSA with Ed25519 keys. Auth alone holds the private key; every
 * verifier holds public keys only, so a leaked gateway cannot mint tokens.
 */
export const TOKEN_ALGORITHM = 'EdDSA';

/** Where auth publishes its public keys (RFC 8414 style well-known path). */
export const JWKS_PATH = '/.well-known/jwks.json';

/** Finds the public key of a token by its header's `kid` (a JWKS, local or fetched). */
export type TokenKeys = JWTVerifyGetKey;

/** The public keys of a JWKS document held in memory (auth checks its own tokens with this). */
export const localTokenKeys = (jwks: JSONWebKeySet): TokenKeys => createLocalJWKSet(jwks);

export interface RemoteKeyOptions {
  /** Keys are fetched again after this long even when every kid is known. Default 10 min. */
  maxAgeMs?: number;
  /**
   * A token with an unknown kid refetches the document, at most once per this long. Default
   * 30 s: a flood of tokens with made-up kids costs auth one request per 30 s per verifier.
   */
  cooldownMs?: number;
  /** Default 5 s. */
  timeoutMs?: number;
}

/**
 * Public keys fetched from auth's JWKS document and cached (jose's remote JWKS): the gateway and
 * the images service verify with these. A key rotated in at auth is picked up by the first
 * token that names it (an unknown kid refetches, bounded by `cooldownMs`).
 */
export const remoteTokenKeys = (url: string, options: RemoteKeyOptions = {}): TokenKeys =>
  createRemoteJWKSet(new URL(url), {
    cacheMaxAge: options.maxAgeMs ?? 600_000,
    cooldownDuration: options.cooldownMs ?? 30_000,
    timeoutDuration: options.timeoutMs ?? 5_000,
  });

/** What a token must satisfy, the same for auth (which signs) and the gateway (which checks). */
export interface TokenPolicy {
  keys: TokenKeys;
  issuer: string;
  audience: string;
  /** Clock difference tolerated on exp, nbf and iat. */
  clockSkewSeconds: number;
  /** Milliseconds since the epoch; injected so tests expire tokens without waiting. */
  clock: () => number;
  /** Tokens remembered after a successful check (see tokenVerifier). Default 10,000; 0 = none. */
  cacheSize?: number;
}

/** A token that passed every check. */
export interface VerifiedToken {
  /** `sub`: never empty. */
  userId: string;
  /** `email`: never empty. */
  email: string;
  claims: JWTPayload & { sub: string; email: string; iat: number; exp: number };
}

export interface TokenVerifier {
  /** Verifies a bare token (the part after "Bearer "). */
  verify(token: string): Promise<VerifiedToken>;
  /** Reads `Authorization: Bearer <token>` and verifies the token. */
  verifyHeader(authorization: string | undefined): Promise<VerifiedToken>;
}

const CHALLENGE = { 'www-authenticate': 'Bearer' };
const INVALID_CHALLENGE = { 'www-authenticate': 'Bearer error="invalid_token"' };

const invalid = (message: string): AppError =>
  unauthorized('invalid_token', message, { headers: INVALID_CHALLENGE });

/** The token of `Authorization: Bearer <token>`; a missing or malformed header is a 401. */
export function bearerToken(authorization: string | undefined): string {
  if (authorization === undefined || authorization === '') {
    throw unauthorized(
      'missing_token',
      'this request needs "Authorization: Bearer <token>": log in at POST /api/auth/login',
      { headers: CHALLENGE },
    );
  }
  // RFC 6750 §2.1: the scheme is case-insensitive, one space, then token68 characters.
  const match = /^Bearer ([A-Za-z0-9_.~+/=-]+)$/i.exec(authorization);
  if (!match) throw invalid('the Authorization header must be "Bearer <token>"');
  return match[1]!;
}

/**
 * A failure to get the keys rather than a bad token: a timeout, a network error (not a JOSE
 * error), a document that is not a JWKS, or a non-200 answer (jose's generic error).
 */
const keysUnavailable = (err: unknown): boolean =>
  !(err instanceof errors.JOSEError) ||
  err instanceof errors.JWKSTimeout ||
  err instanceof errors.JWKSInvalid ||
  err.code === 'ERR_JOSE_GENERIC';

const nonEmpty = (value: unknown): value is string => typeof value === 'string' && value !== '';

/**
 * The one token check of laas. Only EdDSA with a `kid` naming a known public key is accepted:
 * `alg: none`, HS256 (even "signed" with the public key as an HMAC secret), RS256 and every
 * other algorithm are refused before a key is used. Then the issuer and the audience, the
 * presence of sub, email, iat and exp (sub and email non-empty strings: the gateway forwards
 * them as identity headers, and an empty one would name nobody), exp and nbf with
 * `clockSkewSeconds` of tolerance, and an iat no further in the future than the same tolerance
 * (jose checks iat only when given a maximum age). Every refusal is a 401: `token_expired` for a
 * token past exp + skew, `invalid_token` for everything else, both with a WWW-Authenticate
 * challenge.
 *
 * Worked numbers: skew 30 s, exp = 12:10:00. At 12:10:29 the token passes; at 12:10:30 it is
 * expired. A token with iat = 12:00:20 checked at 12:00:00 passes (a signer's clock 20 s ahead);
 * with iat = 12:00:31 it is refused as not yet valid.
 */
export function tokenVerifier(policy: TokenPolicy): TokenVerifier {
  const skew = policy.clockSkewSeconds;
  const cacheSize = policy.cacheSize ?? 10_000;
  // Verified tokens by their full text (a token changed in any byte is another key). Why:
  // jwtVerify cost about 0.2 ms of CPU here with HMAC (measured with 20,000 checks), as much as
  // the gateway's whole forward, and an Ed25519 check costs more; a client reuses its token
  // for all of its requests.
  // A hit skips only what cannot change (signature, algorithm, issuer, audience, claims); the
  // time checks run again on every hit, and a token that fails them is checked in full, which
  // gives the exact refusal. Failures are never cached. Insertion order is the eviction order.
  const cache = new Map<string, VerifiedToken>();

  const verifyFully = async (token: string, now: number): Promise<VerifiedToken> => {
    let payload: JWTPayload;
    let kid: unknown;
    try {
      ({ kid } = decodeProtectedHeader(token));
    } catch {
      throw invalid('the token is not valid');
    }
    if (!nonEmpty(kid)) throw invalid('the token names no key (kid)');
    try {
      ({ payload } = await jwtVerify(token, policy.keys, {
        algorithms: [TOKEN_ALGORITHM],
        issuer: policy.issuer,
        audience: policy.audience,
        clockTolerance: skew,
        currentDate: new Date(now),
        requiredClaims: ['sub', 'email', 'iat', 'exp'],
      }));
    } catch (err) {
      if (err instanceof errors.JWTExpired)
        throw unauthorized('token_expired', 'the token has expired: log in again', {
          headers: INVALID_CHALLENGE,
        });
      // Keys that cannot be fetched (auth down, a timeout) say nothing about the token: a 503,
      // so the client retries rather than logging in again.
      if (keysUnavailable(err))
        throw new AppError(
          503,
          'token_keys_unavailable',
          'the keys that check tokens cannot be fetched now',
          {
            headers: { 'retry-after': '1' },
          },
        );
      throw invalid('the token is not valid');
    }
    const { sub, email } = payload;
    if (!nonEmpty(sub) || !nonEmpty(email)) throw invalid('the token names no user (sub and email)');
    const verified = { userId: sub, email, claims: payload as VerifiedToken['claims'] };
    if (!withinLifetime(verified.claims, now, skew)) throw invalid('the token is not valid yet');
    return verified;
  };

  const verify = async (token: string): Promise<VerifiedToken> => {
    const now = policy.clock();
    const cached = cache.get(token);
    if (cached !== undefined && withinLifetime(cached.claims, now, skew)) return cached;
    const verified = await verifyFully(token, now);
    if (cacheSize > 0) {
      cache.set(token, verified);
      if (cache.size > cacheSize) cache.delete(cache.keys().next().value!);
    }
    return verified;
  };
  return {
    verify,
    verifyHeader: async (authorization) => verify(bearerToken(authorization)),
  };
}

/**
 * The time checks, in whole seconds as jose makes them: exp > now - skew, nbf <= now + skew,
 * and iat <= now + skew (a token from the future is not valid yet).
 */
function withinLifetime(claims: VerifiedToken['claims'], nowMs: number, skew: number): boolean {
  const now = Math.floor(nowMs / 1000);
  return (
    claims.exp > now - skew &&
    (typeof claims.nbf !== 'number' || claims.nbf <= now + skew) &&
    claims.iat <= now + skew
  );
}
