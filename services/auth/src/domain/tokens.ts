import { SignJWT } from 'jose';
import { TOKEN_ALGORITHM, tokenVerifier, type TokenPolicy, type TokenVerifier } from '@laas/shared';

export interface TokenOptions extends TokenPolicy {
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
 * Issues laas tokens. Checking them is the shared verifier's job (`tokenVerifier` in
 * @laas/shared), the same one the gateway uses, so a token auth accepts at /authenticate is a
 * token the gateway accepts, and the other way round.
 */
export class TokenService {
  readonly verifier: TokenVerifier;

  constructor(private readonly options: TokenOptions) {
    this.verifier = tokenVerifier(options);
  }

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
}
