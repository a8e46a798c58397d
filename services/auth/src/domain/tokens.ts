import { SignJWT } from 'jose';
import {
  TOKEN_ALGORITHM,
  localTokenKeys,
  tokenVerifier,
  type TokenPolicy,
  type TokenVerifier,
} from '@laas/shared';
import type { SigningKeys } from './signing-keys.js';

export interface TokenOptions extends Omit<TokenPolicy, 'keys'> {
  keys: SigningKeys;
  ttlSeconds: number;
}

export interface TokenSubject {
  id: string;
  email: string;
  name?: string | undefined;
}

export interface IssuedToken {
  token: string;
  expiresAt: string;
}

/**
 * Issues laas tokens: EdDSA (Ed25519) signed with the current key, its `kid` in the header.
 * Checking them is the shared verifier's job (`tokenVerifier` in @laas/shared), the same one the
 * gateway uses with the keys it fetches from /.well-known/jwks.json; here it reads the same
 * document from memory, so a token auth accepts at /authenticate is a token the gateway accepts.
 */
export class TokenService {
  readonly verifier: TokenVerifier;

  constructor(private readonly options: TokenOptions) {
    this.verifier = tokenVerifier({ ...options, keys: localTokenKeys(options.keys.jwks) });
  }

  async issue(subject: TokenSubject): Promise<IssuedToken> {
    const iat = Math.floor(this.options.clock() / 1000);
    const exp = iat + this.options.ttlSeconds;
    const token = await new SignJWT({ email: subject.email, ...(subject.name ? { name: subject.name } : {}) })
      .setProtectedHeader({ alg: TOKEN_ALGORITHM, typ: 'JWT', kid: this.options.keys.current.kid })
      .setSubject(subject.id)
      .setIssuer(this.options.issuer)
      .setAudience(this.options.audience)
      .setIssuedAt(iat)
      .setExpirationTime(exp)
      .sign(this.options.keys.current.privateKey);
    return { token, expiresAt: new Date(exp * 1000).toISOString() };
  }
}
