import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
} from 'node:crypto';
import type { JSONWebKeySet, JWK } from 'jose';

/** An Ed25519 key with its id: the RFC 7638 thumbprint of its public half. */
export interface SigningKey {
  kid: string;
  privateKey: KeyObject;
}

/**
 * What auth signs with and what it publishes. `current` signs every new token; the JWKS holds
 * the public half of `current` and of `previous`, so during a rotation tokens signed by the old
 * key keep verifying until they expire (keep `previous` for at least TOKEN_TTL + CLOCK_SKEW_S).
 */
export interface SigningKeys {
  current: SigningKey;
  jwks: JSONWebKeySet;
}

/** Parses a PEM into an Ed25519 key, or throws an Error that says what is wrong. */
export function ed25519FromPem(pem: string, what: string): KeyObject {
  let key: KeyObject;
  try {
    key = pem.includes('PUBLIC KEY') ? createPublicKey(pem) : createPrivateKey(pem);
  } catch (err) {
    throw new Error(`${what} is not a PEM key: ${(err as Error).message}`);
  }
  if (key.asymmetricKeyType !== 'ed25519') {
    throw new Error(
      `${what} must be an Ed25519 key (PKCS#8 PEM), got ${key.asymmetricKeyType ?? 'a secret key'}`,
    );
  }
  return key;
}

/** The public JWK of an Ed25519 key, with `kid` (its thumbprint), `alg` and `use`. */
export function publicJwk(key: KeyObject): JWK & { kid: string } {
  const pub = key.type === 'private' ? createPublicKey(key) : key;
  const { crv, kty, x } = pub.export({ format: 'jwk' });
  // RFC 7638: the required members in lexicographic order, no spaces, SHA-256, base64url.
  const kid = createHash('sha256').update(JSON.stringify({ crv, kty, x })).digest('base64url');
  return { kty: kty!, crv: crv!, x: x!, kid, alg: 'EdDSA', use: 'sig' };
}

/** The signing keys from the current private key and, during a rotation, the previous key. */
export function signingKeys(current: KeyObject, previous?: KeyObject): SigningKeys {
  if (current.type !== 'private') throw new Error('the current signing key must be a private key');
  const currentJwk = publicJwk(current);
  const keys = [currentJwk];
  if (previous) {
    const previousJwk = publicJwk(previous);
    if (previousJwk.kid !== currentJwk.kid) keys.push(previousJwk);
  }
  return { current: { kid: currentJwk.kid, privateKey: current }, jwks: { keys } };
}

/** A fresh Ed25519 private key (development mode and tests). */
export const generateSigningKey = (): KeyObject => generateKeyPairSync('ed25519').privateKey;
